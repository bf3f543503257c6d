/**
 * Rewrites text with the map: every address (prefix-preserving), every word that is a known name,
 * and every compound of known names (`reviews-v2-rdlrklvjsl-wv7j2` is a workload, a ReplicaSet hash and
 * a pod id; `reviews.default.svc.cluster.local` is a service and a namespace under a kept suffix).
 * Words are DNS labels: letters, digits and inner hyphens, so a dot, slash, bracket, pipe, tilde or
 * underscore ends one. Base64 that decodes to text is rewritten inside; base64 or PEM that decodes to
 * bytes (a certificate) has the names in it overwritten in place with same-length stand-ins. The
 * result of each distinct word is cached: a bundle repeats its names many times.
 */
import { createHmac, X509Certificate } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { AddressMapper } from './ip.js';
import type { RedactionMap } from './map.js';

const IPV4 = String.raw`(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}`;
const IPV6_CANDIDATE = String.raw`(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}`;
const WORD = String.raw`[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?`;
// No backreference to the BEGIN label: inside SCAN, `\1` would name SCAN's own first group, and the PEM never
// matched (its base64 lines were then read one by one, a line of SAN text taken for text and rewritten to a
// name of another length, breaking the certificate).
const PEM = String.raw`-----BEGIN ([A-Z0-9 ]+)-----(\\n|\r?\n)([A-Za-z0-9+/=\s\\n]+?)(?:\\n|\r?\n)-----END [A-Z0-9 ]+-----`;
/** Long enough to hold an address or a name; shorter runs that only look like base64 are read as words. */
const BASE64 = String.raw`[A-Za-z0-9+/]{12,}={0,2}`;

/** One scan finds, left to right, whichever comes first: PEM, base64, an address, or a word. */
const SCAN = new RegExp(
  `(${PEM})|(?<![A-Za-z0-9+/_.:-])(${BASE64})(?![A-Za-z0-9+/=_.:-])|(?<![0-9A-Za-z.])(${IPV4})(?:/(\\d{1,2})(?!\\d))?(?![0-9A-Za-z]|\\.\\d)|(?<![0-9A-Za-z:])(${IPV6_CANDIDATE})(?:/(\\d{1,3})(?!\\d))?(?![0-9A-Za-z:])|(${WORD})`,
  'g',
);

const WORD_CACHE_SIZE = 100_000;
/** Names shorter than this are replaced as whole words only: as substrings they would hit ordinary words. */
const CATCH_ALL_MIN = 5;

export interface RewriteOptions {
  /** Words never rewritten, even by the catch-all (Istio's vocabulary, the bundle's field names). */
  isKept: (word: string) => boolean;
}

export class Rewriter {
  private readonly words = new Map<string, string>();
  private catchAll = new Map<string, string[]>();
  private catchAllSize = -1;

  constructor(private readonly map: RedactionMap, private readonly addresses: AddressMapper, private readonly options: RewriteOptions) {}

  text(input: string): string {
    return input.replace(SCAN, (whole, pem: string | undefined, _label, newline: string, body: string, b64: string | undefined, v4: string | undefined, v4len: string | undefined, v6: string | undefined, v6len: string | undefined, word: string | undefined) => {
      if (pem !== undefined) return this.pem(whole, newline, body);
      if (b64 !== undefined) return this.base64(b64);
      if (v4 !== undefined) return this.address(v4, v4len);
      if (v6 !== undefined) return isIPv6(v6) && /[0-9A-Fa-f]/.test(v6) ? this.address(v6, v6len) : this.plainWords(v6) + (v6len !== undefined ? `/${v6len}` : '');
      return this.word(word!);
    });
  }

  private address(ip: string, length: string | undefined): string {
    const bits = ip.includes(':') ? 128 : 32;
    if (length !== undefined && Number(length) <= bits && isNetwork(ip, Number(length))) {
      const mapped = this.addresses.cidr(ip, Number(length));
      this.map.recordAddress(`${ip}/${length}`, mapped);
      return mapped;
    }
    const mapped = ip.includes(':') ? this.addresses.ipv6(ip) : this.addresses.ipv4(ip);
    this.map.recordAddress(ip, mapped);
    return length === undefined ? mapped : `${mapped}/${length}`;
  }

  /** A word: a known name, a compound of known names, or left alone (with the catch-all's last look). */
  word(word: string): string {
    const cached = this.words.get(word);
    if (cached !== undefined) return cached;
    const out = this.compose(word) ?? this.lastLook(word);
    this.remember(word, out);
    return out;
  }

  /**
   * A bounded cache: a big bundle has millions of distinct words (addresses, pod names, base64 runs), and
   * keeping every one made redacting 20,000 pods hold 1.7 GB. Emptied when full; the answers do not change.
   */
  private remember(key: string, value: string): void {
    if (this.words.size >= WORD_CACHE_SIZE) this.words.clear();
    this.words.set(key, value);
  }

  /** Longest known run of hyphen-separated segments first, left to right. */
  private compose(word: string): string | undefined {
    const exact = this.map.forward.get(word);
    if (exact !== undefined) return exact;
    const segments = word.split('-');
    if (segments.length < 2) return undefined;
    const out: string[] = [];
    let changed = false;
    for (let i = 0; i < segments.length; ) {
      let j = segments.length;
      for (; j > i; j--) {
        const known = this.map.forward.get(segments.slice(i, j).join('-'));
        if (known !== undefined) {
          out.push(known);
          changed = true;
          break;
        }
      }
      if (j > i) i = j;
      else out.push(segments[i++]!);
    }
    return changed ? out.join('-') : undefined;
  }

  /**
   * The catch-all: a name glued to other text with no boundary (`reviewsv2`, `myreviews`) is still
   * replaced, unless the word is Istio's vocabulary. Short names (under 5 characters) are only
   * replaced as whole words: as substrings they would hit ordinary words.
   */
  private lastLook(word: string): string {
    if (this.options.isKept(word) || word.length < CATCH_ALL_MIN) return word;
    const index = this.catchAllIndex();
    let out = '';
    let changed = false;
    for (let i = 0; i < word.length; ) {
      // Leftmost, then longest: what one alternation of every name, longest first, matched.
      const hit = index.get(word.slice(i, i + CATCH_ALL_MIN))?.find((name) => word.startsWith(name, i));
      if (hit) {
        out += this.map.forward.get(hit)!;
        i += hit.length;
        changed = true;
      } else {
        out += word[i];
        i++;
      }
    }
    return changed ? out : word;
  }

  /**
   * Known names by their first five characters, longest first. One regular expression of 25,000 alternatives
   * did the same, but V8 compiled it to over a gigabyte of native code.
   */
  private catchAllIndex(): Map<string, string[]> {
    if (this.catchAllSize !== this.map.forward.size) {
      const index = new Map<string, string[]>();
      for (const name of this.map.forward.keys()) {
        if (name.length < CATCH_ALL_MIN || this.map.kinds.get(name) === 'hash') continue;
        const key = name.slice(0, CATCH_ALL_MIN);
        const list = index.get(key);
        if (list) list.push(name);
        else index.set(key, [name]);
      }
      for (const list of index.values()) list.sort((a, b) => b.length - a.length);
      this.catchAll = index;
      this.catchAllSize = this.map.forward.size;
    }
    return this.catchAll;
  }

  /** Text inside base64 is rewritten; bytes (a DER certificate) have names overwritten in place. */
  private base64(b64: string): string {
    const cached = this.words.get(b64);
    if (cached !== undefined) return cached;
    const out = this.decodedBase64(b64);
    this.remember(b64, out);
    return out;
  }

  private decodedBase64(b64: string): string {
    if (b64.length % 4 !== 0) return this.plainWords(b64);
    const bytes = Buffer.from(b64, 'base64');
    if (bytes.toString('base64') !== b64) return this.plainWords(b64);
    if (isMostlyText(bytes)) {
      const inner = bytes.toString('utf8');
      const rewritten = this.text(inner);
      return rewritten === inner ? b64 : Buffer.from(rewritten, 'utf8').toString('base64');
    }
    const patched = this.patchBinary(bytes);
    return patched ? patched.toString('base64') : this.plainWords(b64);
  }

  /** A run that only looks like base64 (a path such as `apis/apps/v1/namespaces/x`) is ordinary text. */
  private plainWords(text: string): string {
    return text.replace(new RegExp(WORD, 'g'), (w) => this.word(w));
  }

  private pem(whole: string, newline: string, body: string): string {
    const escaped = newline === '\\n';
    const lines = body.split(escaped ? '\\n' : /\r?\n/);
    const bytes = Buffer.from(lines.join(''), 'base64');
    const patched = this.patchBinary(bytes);
    if (!patched) return whole;
    const encoded = patched.toString('base64').match(/.{1,64}/g)!.join(newline);
    return whole.replace(body, encoded);
  }

  /**
   * Overwrites every known name (3+ characters) in binary data with a same-length keyed stand-in, so
   * DER lengths stay right and the certificate still parses (its signature no longer verifies, which
   * nothing offline needs). Undefined when there was nothing to overwrite.
   */
  /** A binary file: known names overwritten in place, the rest untouched. */
  binary(data: Buffer): Buffer {
    return this.patchBinary(data) ?? data;
  }

  /**
   * Names are overwritten only inside the text the bytes hold: a certificate's subject, issuer and SAN values
   * (read by X509Certificate and found verbatim in the DER), or else runs of 8 or more printable bytes. With
   * thousands of names known, a short one matches random bytes of a signature or a length field somewhere,
   * and overwriting those made certificates unreadable.
   */
  private patchBinary(bytes: Buffer): Buffer | undefined {
    const latin = bytes.toString('latin1');
    const ranges = textRanges(bytes, latin);
    if (ranges.length === 0) return undefined;
    let out = '';
    let at = 0;
    for (const [start, end] of ranges) {
      // Whole words only (`spiffe://cluster.local/ns/<ns>/sa/<sa>`): a name inside a kept word stays.
      const piece = latin.slice(start, end).replace(new RegExp(WORD, 'g'), (w) => this.binaryWord(w));
      out += latin.slice(at, start) + piece;
      at = end;
    }
    out += latin.slice(at);
    return out === latin ? undefined : Buffer.from(out, 'latin1');
  }

  /** A known name, or a compound of known parts (`bookinfo-reviews`), overwritten part by part. */
  private binaryWord(word: string): string {
    const known = (w: string) => w.length >= 3 && this.map.forward.has(w) && !this.options.isKept(w);
    if (known(word)) return this.standIn(word);
    // Longest known run of segments first, left to right, as compose() reads text (`tax-sync` in `tax-sync-waypoint`).
    const segments = word.split('-');
    const out: string[] = [];
    for (let i = 0; i < segments.length; ) {
      let j = segments.length;
      while (j > i && !known(segments.slice(i, j).join('-'))) j--;
      if (j > i) {
        out.push(this.standIn(segments.slice(i, j).join('-')));
        i = j;
      } else out.push(segments[i++]!);
    }
    return out.join('-');
  }

  /** A keyed stand-in of the same length (DER lengths stay right), letters only. */
  private standIn(name: string): string {
    return createHmac('sha256', this.map.key).update(`binary:${name}`).digest('hex').replace(/\d/g, (d) => 'ghijklmnop'[Number(d)]!).padEnd(name.length, 'x').slice(0, name.length);
  }
}

/** Where the text of binary data is: [start, end) ranges, in order, not overlapping. */
function textRanges(bytes: Buffer, latin: string): [number, number][] {
  let strings: string[] | undefined;
  try {
    const cert = new X509Certificate(bytes);
    const values = (dn: string) => dn.split('\n').map((l) => l.slice(l.indexOf('=') + 1));
    const sans = (cert.subjectAltName ?? '').split(', ').map((v) => v.replace(/^[A-Za-z ]+:/, ''));
    strings = [...values(cert.subject), ...values(cert.issuer), ...sans].filter((v) => v.length >= 3);
  } catch {
    strings = undefined;
  }
  const ranges: [number, number][] = [];
  if (strings) {
    for (const value of new Set(strings)) {
      for (let i = latin.indexOf(value); i !== -1; i = latin.indexOf(value, i + value.length)) ranges.push([i, i + value.length]);
    }
  } else {
    for (const m of latin.matchAll(/[\x20-\x7e]{8,}/g)) ranges.push([m.index, m.index + m[0].length]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  return ranges.filter((r, i) => i === 0 || r[0] >= ranges[i - 1]![1]);
}

/** `10.42.0.0/16` is a network; `10.42.0.7/16` is an address written with its prefix length. */
function isNetwork(ip: string, length: number): boolean {
  if (ip.includes(':')) return length < 128;
  const n = ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  return length < 32 && n % 2 ** (32 - length) === 0;
}

function isMostlyText(bytes: Buffer): boolean {
  if (bytes.length === 0) return false;
  let printable = 0;
  for (const b of bytes) if (b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127)) printable++;
  return printable / bytes.length > 0.95 && !bytes.includes(0);
}
