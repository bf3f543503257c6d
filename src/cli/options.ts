/** Parsing of option values; every failure is an InputError naming the flag. */
import { InputError } from '../errors.js';

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1e3, kb: 1e3, kib: 1024, m: 1e6, mb: 1e6, mib: 1024 ** 2, g: 1e9, gb: 1e9, gib: 1024 ** 3, t: 1e12, tb: 1e12, tib: 1024 ** 4 };

/** `512MiB`, `4GiB`, `1G`, `1048576`: a byte count. */
export function parseSize(flag: string, value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
  const factor = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || factor === undefined) throw new InputError(`${flag} expects a size such as 512MiB or 8GiB, not '${value}'`);
  const bytes = Math.floor(Number(m[1]) * factor);
  if (bytes <= 0) throw new InputError(`${flag} must be greater than zero`);
  return bytes;
}

export function parseCount(flag: string, value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) <= 0) throw new InputError(`${flag} expects a positive whole number, not '${value}'`);
  return Number(value);
}
