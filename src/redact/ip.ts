/**
 * Prefix-preserving address pseudonyms (the Crypto-PAn construction, keyed by HMAC): bit i of the
 * output is bit i of the input flipped by a keyed function of the i bits before it. Two addresses
 * that share their first k bits map to two that share their first k bits, so a /24 stays a /24, a
 * pod CIDR and a service CIDR stay apart, and a CIDR's members stay inside its image. The leading
 * bits of the address class are kept (10/8, 172.16/12, 192.168/16, 100.64/10, else the first octet)
 * so an address stays private or public and never lands in loopback or link-local; those (127/8,
 * 169.254/16, 0.0.0.0, ::, ::1, fe80::/10, multicast) are kept whole.
 */
import { createHmac } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

export class AddressMapper {
  /** One keyed bit per prefix; addresses of a bundle share most prefixes. */
  private readonly bits = new Map<string, number>();

  constructor(private readonly key: Buffer) {}

  private flip(family: string, prefix: string): number {
    const id = `${family}|${prefix}`;
    let bit = this.bits.get(id);
    if (bit === undefined) {
      bit = createHmac('sha256', this.key).update(`ip:${id}`).digest()[0]! & 1;
      this.bits.set(id, bit);
    }
    return bit;
  }

  /** The pseudonym of bits [kept, n) of an address given as a bit string. */
  private anonymize(family: string, bits: string, kept: number): string {
    let out = bits.slice(0, kept);
    for (let i = kept; i < bits.length; i++) out += String(Number(bits[i]) ^ this.flip(family, bits.slice(0, i)));
    return out;
  }

  ipv4(address: string): string {
    const octets = address.split('.').map(Number);
    const kept = keptBitsV4(octets);
    if (kept >= 32) return address;
    const bits = octets.map((o) => o.toString(2).padStart(8, '0')).join('');
    const out = this.anonymize('4', bits, kept);
    return [0, 8, 16, 24].map((i) => parseInt(out.slice(i, i + 8), 2)).join('.');
  }

  ipv6(address: string): string {
    const groups = expandIPv6(address);
    if (!groups) return address;
    const kept = keptBitsV6(groups);
    if (kept >= 128) return address;
    const bits = groups.map((g) => g.toString(2).padStart(16, '0')).join('');
    const out = this.anonymize('6', bits, kept);
    const mapped = Array.from({ length: 8 }, (_, i) => parseInt(out.slice(i * 16, i * 16 + 16), 2));
    return compressIPv6(mapped);
  }

  /** A CIDR keeps its length; its network address is the image of the network, host bits cleared. */
  cidr(address: string, length: number): string {
    if (isIPv4(address)) {
      const mapped = this.ipv4(address);
      if (mapped === address) return `${address}/${length}`;
      const n = mapped.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
      const masked = length === 0 ? 0 : Math.floor(n / 2 ** (32 - length)) * 2 ** (32 - length);
      return `${[24, 16, 8, 0].map((s) => Math.floor(masked / 2 ** s) % 256).join('.')}/${length}`;
    }
    const mapped = this.ipv6(address);
    if (mapped === address) return `${address}/${length}`;
    const groups = expandIPv6(mapped)!;
    const bits = groups.map((g) => g.toString(2).padStart(16, '0')).join('').slice(0, length).padEnd(128, '0');
    return `${compressIPv6(Array.from({ length: 8 }, (_, i) => parseInt(bits.slice(i * 16, i * 16 + 16), 2)))}/${length}`;
  }

  /** Any address, or undefined for text that is not one. */
  map(text: string): string | undefined {
    if (isIPv4(text)) return this.ipv4(text);
    if (isIPv6(text)) return this.ipv6(text);
    return undefined;
  }
}

function keptBitsV4([a, b]: number[]): number {
  if (a === 127 || a === 0 || a! >= 224 || (a === 169 && b === 254)) return 32;
  if (a === 172 && b! >= 16 && b! < 32) return 12;
  if (a === 192 && b === 168) return 16;
  if (a === 100 && b! >= 64 && b! < 128) return 10;
  return 8;
}

function keptBitsV6(groups: number[]): number {
  if (groups.every((g, i) => g === 0 || (i === 7 && g === 1))) return 128; // :: and ::1
  if ((groups[0]! & 0xffc0) === 0xfe80 || (groups[0]! & 0xff00) === 0xff00) return 128;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return 128; // IPv4-mapped: its IPv4 part is mapped on its own
  return 16;
}

export function expandIPv6(address: string): number[] | undefined {
  if (!isIPv6(address) || address.includes('.') || address.includes('%')) return undefined;
  const [head, tail] = address.split('::') as [string, string | undefined];
  const parse = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const h = parse(head);
  const t = tail === undefined ? [] : parse(tail);
  return [...h, ...Array(8 - h.length - t.length).fill(0), ...t];
}

/** RFC 5952: lower case, the longest run of two or more zero groups as `::`. */
export function compressIPv6(groups: number[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}
