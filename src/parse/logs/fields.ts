/**
 * The two field syntaxes of proxy logs: `k=v k="quoted \"v\""` (ztunnel's Rust tracing and Istio's Go
 * logger) and Envoy's text access format (space separated, `"..."` quoted), read without throwing and
 * without copying more of the line than the caller keeps.
 */
import { own } from './readers.js';

const MAX_FIELDS = 64;

function isKeyStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

function isKeyChar(c: number): boolean {
  return isKeyStart(c) || (c >= 48 && c <= 57) || c === 46 || c === 45;
}

export function isSpace(c: number): boolean {
  return c === 32 || c === 9;
}

/**
 * `k=v k="quoted \"v\"" ...` as ztunnel (Rust tracing) and Istio's Go logger print them. Strict: undefined
 * as soon as a token is not `k=v`; lenient: such tokens are skipped.
 */
export function parseFields(text: string, strict = false): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  const n = text.length;
  let count = 0;
  let i = 0;
  while (i < n) {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i >= n) break;
    let k = i;
    if (isKeyStart(text.charCodeAt(k))) while (k < n && isKeyChar(text.charCodeAt(k))) k++;
    if (k === i || text.charCodeAt(k) !== 61 /* = */) {
      if (strict) return undefined;
      while (i < n && !isSpace(text.charCodeAt(i))) i++;
      continue;
    }
    const key = text.slice(i, k);
    i = k + 1;
    let value: string;
    if (text.charCodeAt(i) === 34 /* " */) {
      value = '';
      let seg = i + 1;
      let j = seg;
      for (; j < n; j++) {
        const c = text.charCodeAt(j);
        if (c === 92 /* \ */ && j + 1 < n) {
          const e = text[j + 1]!;
          value += text.slice(seg, j) + (e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e);
          j++;
          seg = j + 1;
        } else if (c === 34) {
          break;
        }
      }
      value += text.slice(seg, j);
      i = j + 1;
      if (strict && i < n && !isSpace(text.charCodeAt(i))) return undefined;
    } else {
      let j = i;
      while (j < n && !isSpace(text.charCodeAt(j))) j++;
      value = text.slice(i, j);
      i = j;
    }
    if (key !== '__proto__' && count < MAX_FIELDS) {
      if (!Object.hasOwn(out, key)) count++;
      out[key] = value;
    }
  }
  return out;
}

/** Splits `connection complete src.addr=... error="..."` into the message and its trailing fields. */
export function splitMessage(text: string): { message: string; fields: Record<string, string> } {
  if (text.indexOf('=') !== -1) {
    let tries = 0;
    for (let i = 0; i < text.length && tries < 32; i++) {
      if ((i === 0 || isSpace(text.charCodeAt(i - 1))) && isKeyStart(text.charCodeAt(i))) {
        let k = i;
        while (k < text.length && isKeyChar(text.charCodeAt(k))) k++;
        if (text.charCodeAt(k) !== 61) continue;
        tries++;
        const fields = parseFields(text.slice(i), true);
        if (fields) return { message: text.slice(0, i).trimEnd(), fields };
      }
    }
  }
  return { message: text, fields: {} };
}

export function ownFields(fields: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) out[own(k, 256)] = own(v);
  return out;
}

const MAX_TOKENS = 24;

/**
 * Envoy text format tokens: space separated, `"..."` quoted (a quote ends a field only before a space or the
 * end; an unterminated quote takes the rest of the line). Every access line of a 1 GB log is scanned, so
 * the scanner keeps offsets in reused arrays and slices only the tokens the caller asks for.
 */
export class EnvoyTokens {
  count = 0;
  private line = '';
  private readonly from = new Int32Array(MAX_TOKENS);
  private readonly to = new Int32Array(MAX_TOKENS);
  private readonly quotedAt = new Uint8Array(MAX_TOKENS);

  /** Scans `max` tokens (at most 24) from `start`. */
  scan(line: string, start: number, max = MAX_TOKENS): this {
    this.line = line;
    this.count = 0;
    const n = line.length;
    const limit = Math.min(max, MAX_TOKENS);
    let i = start;
    while (i < n && this.count < limit) {
      if (line.charCodeAt(i) === 32) {
        i++;
        continue;
      }
      if (line.charCodeAt(i) === 34) {
        let j = i + 1;
        for (;;) {
          const k = line.indexOf('"', j);
          if (k === -1) {
            this.push(i + 1, n, true);
            return this;
          }
          if (k + 1 === n || line.charCodeAt(k + 1) === 32) {
            this.push(i + 1, k, true);
            i = k + 1;
            break;
          }
          j = k + 1;
        }
      } else {
        let k = line.indexOf(' ', i);
        if (k === -1) k = n;
        this.push(i, k, false);
        i = k;
      }
    }
    return this;
  }

  /** The i-th token (a slice of the line: copy what outlives it), or undefined past the last. */
  text(i: number): string | undefined {
    return i < this.count ? this.line.slice(this.from[i], this.to[i]) : undefined;
  }

  quoted(i: number): boolean {
    return i < this.count && this.quotedAt[i] === 1;
  }

  /** The i-th token when it was quoted (`"%REQ(:AUTHORITY)%"`), else undefined. */
  quotedText(i: number): string | undefined {
    return this.quoted(i) ? this.text(i) : undefined;
  }

  /** The i-th token when it was not quoted (`%UPSTREAM_CLUSTER%`), else undefined. */
  bareText(i: number): string | undefined {
    return i < this.count && this.quotedAt[i] === 0 ? this.text(i) : undefined;
  }

  /** Lets go of the line, so the scanner pins nothing between lines. */
  release(): void {
    this.line = '';
    this.count = 0;
  }

  private push(from: number, to: number, quoted: boolean): void {
    this.from[this.count] = from;
    this.to[this.count] = to;
    this.quotedAt[this.count] = quoted ? 1 : 0;
    this.count++;
  }
}
