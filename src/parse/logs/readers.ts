/**
 * Small readers that detection, the line readers and the statistics share: timestamps, levels, JSON log
 * objects, and the copying rule. A log can be 1 GB, so whatever outlives its line (a sampled entry, a
 * statistics key, an example) is copied out of it with `own`, never kept as a slice that would pin the chunk.
 */
import { excerpt } from '../parser.js';
import type { Provenance } from '../types.js';

/** Caps on what one kept value may hold, so the sample and the statistics stay small whatever the lines hold. */
export const MAX_VALUE = 4_096;

/** RFC3339 (`T`, or a space when bracketed as Envoy prints it), optional fraction, optional `Z`/offset. */
const TS_T = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?/y;
const TS_ANY = /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?/y;

/** Length of the timestamp starting at `pos`, or 0. */
export function tsAt(line: string, pos: number, allowSpace = false): number {
  const c = line.charCodeAt(pos);
  if (c < 48 || c > 57) return 0;
  const re = allowSpace ? TS_ANY : TS_T;
  re.lastIndex = pos;
  return re.test(line) ? re.lastIndex - pos : 0;
}

const LEVELS: Record<string, string> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  err: 'error',
  critical: 'critical',
  crit: 'critical',
  fatal: 'fatal',
  panic: 'fatal',
};

export function normLevel(word: string): string | undefined {
  if (word.length === 0 || word.length > 10) return undefined;
  const w = word.charCodeAt(0) === 91 && word.endsWith(']') ? word.slice(1, -1) : word;
  return Object.hasOwn(LEVELS, w) ? LEVELS[w] : Object.hasOwn(LEVELS, w.toLowerCase()) ? LEVELS[w.toLowerCase()] : undefined;
}

export const SEVERE = new Set(['error', 'warn', 'critical', 'fatal']);

/** A copy that holds no reference to the (possibly huge) string it was sliced from. */
export function own(s: string, max = MAX_VALUE): string {
  const t = s.length > max ? s.slice(0, max) : s;
  // V8 copies slices shorter than 13 characters; longer ones would pin their parent.
  return t.length < 13 ? t : Buffer.from(t, 'utf8').toString('utf8');
}

/** `-`, empty, null: no value. */
export function value(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
  return s === undefined || s === '' || s === '-' ? undefined : s;
}

export function isCode(s: string): boolean {
  if (s.length === 0 || s.length > 3) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

export function isNumber(s: string | undefined): boolean {
  return s !== undefined && /^\d+$/.test(s);
}

/** The JSON object a line holds from `from` on (a JSON log line), or undefined. */
export function jsonObjectAt(line: string, from: number): Record<string, unknown> | undefined {
  try {
    const o: unknown = JSON.parse(from === 0 ? line : line.slice(from));
    return o && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function isJsonAccess(o: Record<string, unknown>): boolean {
  return 'response_code' in o || ('start_time' in o && ('response_flags' in o || 'method' in o || 'upstream_cluster' in o));
}

export function jsonLevel(o: Record<string, unknown>): string | undefined {
  const l = o['level'] ?? o['severity'];
  return typeof l === 'string' ? normLevel(l) : undefined;
}

/**
 * The record being read: its file, 1-based first line and text (the line, or a multi-line record joined).
 * The parser reuses one for every line; whatever keeps a record's place past its line takes a Provenance.
 */
export interface LineRef {
  file: string;
  line: number;
  text: string;
}

export function provenanceOf(ref: LineRef): Provenance {
  return { file: ref.file, line: ref.line, excerpt: own(excerpt(ref.text), 240) };
}
