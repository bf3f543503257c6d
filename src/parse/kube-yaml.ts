/**
 * A fast reader for the YAML that kubectl and istioctl print (go-yaml: block mappings and sequences,
 * 2-space indentation, sequences at their key's indentation or deeper, single- and double-quoted
 * scalars on one line, `|` literal blocks, `{}` and `[]`). Anything outside that subset (flow
 * collections, anchors, tags, comments, folded or multi-line scalars) makes it give up and return
 * undefined, so the caller falls back to js-yaml: its results are js-yaml's (KUBE_YAML_SCHEMA) or
 * nothing, which the tests check file by file. Given a `keep` shape per kind, it skips the fields of
 * an object's spec and status that nothing reads (a Pod's env, probes, volumes) without building them.
 */
import { detach } from '../text/detach.js';
import { loadKubeYaml } from './yaml.js';

class Unsupported extends Error {}

/** Fields to keep, by name; `true` keeps the whole value, a nested shape applies to a mapping (or to each mapping of a list). */
export interface KeepShape {
  [field: string]: true | KeepShape;
}

/** For a kind, the shape of its `metadata`, `spec` and `status` to keep; undefined keeps everything. */
export type KeepOf = (kind: string) => { metadata?: KeepShape; spec?: KeepShape; status?: KeepShape } | undefined;

const TRUE_WORDS = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSE_WORDS = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);
const NULL_WORDS = new Set(['~', 'null', 'Null', 'NULL']);
const PLAIN_INT = /^-?(0|[1-9][0-9]{0,14})$/;
/** Plain scalars that may be numbers in another form (octal, hex, binary, float, infinity, NaN): js-yaml decides. */
const NUMBER_FORMS = [
  /^[-+]?[0-9][0-9_]*$/,
  /^[-+]?0[box][0-9a-fA-F_]+$/,
  /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?$/,
  /^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/,
  /^[-+]?\.(?:inf|Inf|INF)$/,
  /^\.(?:nan|NaN|NAN)$/,
];
/** Characters that start no plain scalar or key in kubectl's output. */
const SPECIAL_START = '{[&*!%@`|>#?,';

/** The value of one YAML document in kubectl's form, or undefined when it is not in that form. */
export function readKubeYaml(text: string, keepOf?: KeepOf): unknown {
  try {
    return new Reader(text, keepOf).document();
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}

/** Where a mapping sits: the document's root, a List's item (whose kind decides what to keep), or a kept shape. */
type Place = { at: 'root' | 'item' } | { at: 'shape'; shape: KeepShape } | { at: 'any' };
const ANY: Place = { at: 'any' };

/**
 * Works on offsets into the text, not on split lines: a 100 MB List has two million lines, and making a
 * string of each (most of them skipped or scalars) costs more than reading them.
 */
class Reader {
  private readonly starts: number[] = [];
  private readonly count: number;
  private i = 0;

  constructor(private readonly text: string, private readonly keepOf?: KeepOf) {
    // Windows line ends, a BOM, tabs: leave them to js-yaml.
    if (text.includes('\r') || text.includes('\t') || text.charCodeAt(0) === 0xfeff) throw new Unsupported();
    for (let at = 0; at < text.length; ) {
      this.starts.push(at);
      const nl = text.indexOf('\n', at);
      at = nl < 0 ? text.length : nl + 1;
    }
    this.count = this.starts.length;
  }

  /** Offset of line `i`'s first character, and of its end (its newline, or the text's end). */
  private start(i: number): number {
    return this.starts[i]!;
  }

  private end(i: number): number {
    if (i + 1 < this.count) return this.starts[i + 1]! - 1;
    return this.text.charCodeAt(this.text.length - 1) === 10 ? this.text.length - 1 : this.text.length;
  }

  private indentOf(i: number): number {
    const s = this.start(i);
    const e = this.end(i);
    let at = s;
    while (at < e && this.text.charCodeAt(at) === 32) at++;
    return at - s;
  }

  private blank(i: number): boolean {
    return this.start(i) + this.indentOf(i) >= this.end(i);
  }

  /** `- ` (or a lone `-`) at column `col` of line `i`. */
  private dash(i: number, col: number): boolean {
    const at = this.start(i) + col;
    const e = this.end(i);
    return at < e && this.text.charCodeAt(at) === 45 && (at + 1 === e || this.text.charCodeAt(at + 1) === 32);
  }

  private slice(i: number, col: number): string {
    return this.text.slice(this.start(i) + col, this.end(i));
  }

  document(): unknown {
    if (this.count > 0 && this.slice(0, 0) === '---') this.i++;
    this.skipBlank();
    if (this.i >= this.count) return null;
    const value = this.block(this.indentOf(this.i), { at: 'root' });
    this.skipBlank();
    if (this.i < this.count) throw new Unsupported();
    return value;
  }

  private skipBlank(): void {
    while (this.i < this.count && this.blank(this.i)) this.i++;
  }

  private block(indent: number, place: Place): unknown {
    return this.dash(this.i, indent) ? this.sequence(indent, place) : this.mapping(indent, indent, place);
  }

  /** A ` #` on line `i` from column `col` (scanned within the line: indexOf would run on through the whole text). */
  private comment(i: number, col: number): boolean {
    const text = this.text;
    const e = this.end(i) - 1;
    for (let at = this.start(i) + col; at < e; at++) if (text.charCodeAt(at) === 32 && text.charCodeAt(at + 1) === 35) return true;
    return false;
  }

  private sequence(indent: number, place: Place): unknown[] {
    // Items of a List are objects; items of a kept shape follow that shape.
    const itemPlace: Place = place.at === 'root' ? { at: 'item' } : place;
    const out: unknown[] = [];
    while (this.i < this.count) {
      this.skipBlank();
      if (this.i >= this.count || this.indentOf(this.i) !== indent || !this.dash(this.i, indent)) break;
      // A comment (or a ` #` inside a quoted value): js-yaml tells which.
      if (this.comment(this.i, indent)) throw new Unsupported();
      const col = indent + 2;
      if (this.start(this.i) + col >= this.end(this.i)) {
        this.i++;
        this.skipBlank();
        if (this.i >= this.count || this.indentOf(this.i) <= indent) throw new Unsupported();
        out.push(this.block(this.indentOf(this.i), itemPlace));
      } else if (this.dash(this.i, col)) {
        throw new Unsupported();
      } else if (this.keyEnd(this.i, col) >= 0) {
        // `- key: value`: a mapping whose first entry sits on the dash's line, two columns in.
        out.push(this.mapping(col, col, itemPlace));
      } else {
        out.push(scalar(this.slice(this.i, col)));
        this.i++;
        this.noContinuation(indent);
      }
    }
    return out;
  }

  /** The offset of the colon ending `key:` on line `i` whose key starts at column `col`, or -1. */
  private keyEnd(i: number, col: number): number {
    const text = this.text;
    const s = this.start(i) + col;
    const e = this.end(i);
    const c = text[s];
    if (c === "'" || c === '"') {
      const close = closingQuote(text, s, c, e);
      return close > 0 && text.charCodeAt(close + 1) === 58 && (close + 2 === e || text.charCodeAt(close + 2) === 32) ? close + 1 : -1;
    }
    if (s >= e || c === '?' || c === '#' || c === '{' || c === '[') return -1;
    for (let j = s; j < e; j++) {
      if (text.charCodeAt(j) === 58 && (j + 1 === e || text.charCodeAt(j + 1) === 32)) return j;
    }
    return -1;
  }

  /**
   * A block mapping at `indent`. Its first key starts at column `first` of the current line (for
   * `- key:`, past the dash); later keys are on lines indented exactly `indent`.
   */
  private mapping(indent: number, first: number, place: Place): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    let kind: string | undefined;
    let col = first;
    for (;;) {
      const i = this.i;
      if (this.comment(i, col)) throw new Unsupported();
      const colon = this.keyEnd(i, col);
      if (colon < 0) throw new Unsupported();
      const key = readKey(this.text.slice(this.start(i) + col, colon));
      let v = colon + 1;
      const e = this.end(i);
      while (v < e && this.text.charCodeAt(v) === 32) v++;
      this.i++;
      const child = this.childPlace(place, kind, key);
      if (child === undefined) this.skipValue(indent, v < e);
      else {
        const value = this.value(this.text.slice(v, e), indent, child);
        if (key === 'kind' && typeof value === 'string') kind = value;
        set(out, key, value);
      }
      this.skipBlank();
      if (this.i >= this.count || this.indentOf(this.i) !== indent || this.dash(this.i, indent)) break;
      col = indent;
    }
    return out;
  }

  /** Where a key's value sits, or undefined when it is a field nothing reads (skipped unread). */
  private childPlace(place: Place, kind: string | undefined, key: string): Place | undefined {
    if (place.at === 'shape') {
      const keep = place.shape[key];
      return keep === undefined ? undefined : keep === true ? ANY : { at: 'shape', shape: keep };
    }
    if (place.at === 'root' && key === 'items') return { at: 'root' };
    if ((place.at === 'item' || place.at === 'root') && kind && (key === 'spec' || key === 'status' || key === 'metadata')) {
      const shape = this.keepOf?.(kind)?.[key];
      return shape ? { at: 'shape', shape } : ANY;
    }
    return ANY;
  }

  /** Passes over a value without reading it: the lines below more indented (and, for a block, a sequence at its indentation). */
  private skipValue(indent: number, inline: boolean): void {
    while (this.i < this.count) {
      const n = this.indentOf(this.i);
      if (this.blank(this.i) || n > indent || (!inline && n === indent && this.dash(this.i, indent))) this.i++;
      else break;
    }
  }

  private value(text: string, indent: number, place: Place): unknown {
    if (text === '') {
      this.skipBlank();
      if (this.i >= this.count) return null;
      const n = this.indentOf(this.i);
      if (n > indent) return this.block(n, place);
      // go-yaml writes a mapping's sequence at the key's own indentation.
      if (n === indent && this.dash(this.i, n)) return this.sequence(n, place);
      return null;
    }
    if (text.charCodeAt(0) === 124 /* | */) return this.literal(text, indent);
    const value = scalar(text);
    this.noContinuation(indent);
    return value;
  }

  /** A more-indented line after a scalar would continue it (a multi-line plain scalar): js-yaml's business. */
  private noContinuation(indent: number): void {
    if (this.i < this.count && !this.blank(this.i) && this.indentOf(this.i) > indent) throw new Unsupported();
  }

  /** `|`, `|-`, `|+` (and an indentation digit): the more-indented lines below, as text. */
  private literal(header: string, indent: number): string {
    const m = /^\|([1-9]?)([-+]?)$/.exec(header);
    if (!m) throw new Unsupported();
    const body: string[] = [];
    let blockIndent = m[1] ? indent + Number(m[1]) : -1;
    while (this.i < this.count) {
      if (this.blank(this.i)) {
        body.push('');
        this.i++;
        continue;
      }
      const n = this.indentOf(this.i);
      if (n <= indent) break;
      if (blockIndent < 0) blockIndent = n;
      if (n < blockIndent) throw new Unsupported();
      body.push(this.slice(this.i, blockIndent));
      this.i++;
    }
    // Trailing blank lines belong to the chomping, not to what follows.
    let trailing = 0;
    while (body.length && body[body.length - 1] === '') {
      body.pop();
      trailing++;
    }
    if (body.length === 0) return '';
    const text = body.join('\n');
    return m[2] === '-' ? text : m[2] === '+' ? `${text}\n${'\n'.repeat(trailing)}` : `${text}\n`;
  }
}

/** A scalar on one line: quoted, `{}`/`[]`, or plain (typed as YAML 1.1 would, like loadKubeYaml). */
function scalar(text: string): unknown {
  const c = text[0]!;
  if (c === "'") return detach(singleQuoted(text));
  if (c === '"') return detach(doubleQuoted(text));
  if (text === '{}') return {};
  if (text === '[]') return [];
  if (SPECIAL_START.includes(c) || text.includes(': ') || text.endsWith(':') || text.startsWith('- ') || text === '-') throw new Unsupported();
  const value = plain(text.charCodeAt(text.length - 1) === 32 ? text.replace(/ +$/, '') : text);
  // The reader's strings are views into the whole capture; what is kept must not pin it.
  return typeof value === 'string' ? detach(value) : value;
}





function closingQuote(text: string, from: number, q: string, end = text.length): number {
  for (let j = from + 1; j < end; j++) {
    if (q === "'" && text[j] === "'") {
      if (text[j + 1] === "'") j++;
      else return j;
    } else if (q === '"') {
      if (text[j] === '\\') j++;
      else if (text[j] === '"') return j;
    }
  }
  return -1;
}

function readKey(raw: string): string {
  const c = raw[0];
  if (c === "'") return singleQuoted(raw);
  if (c === '"') return doubleQuoted(raw);
  if (raw === '' || raw.endsWith(' ') || raw === '<<' || SPECIAL_START.includes(c!) || c === '-') throw new Unsupported();
  // A key that reads as a boolean, null or number becomes that value's text, as js-yaml makes it.
  const value = plain(raw);
  return typeof value === 'string' ? value : String(value);
}

function singleQuoted(text: string): string {
  const close = closingQuote(text, 0, "'");
  if (close !== text.length - 1) throw new Unsupported();
  const body = text.slice(1, -1);
  return body.includes("'") ? body.replace(/''/g, "'") : body;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\', '/': '/', '0': '\0', a: '\x07', b: '\b', e: '\x1b', f: '\f', v: '\v', ' ': ' ', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029' };

function doubleQuoted(text: string): string {
  const close = closingQuote(text, 0, '"');
  if (close !== text.length - 1) throw new Unsupported();
  const body = text.slice(1, -1);
  if (!body.includes('\\')) return body;
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)/g, (_, e: string) => {
    if (e.length > 1) return String.fromCodePoint(parseInt(e.slice(1), 16));
    const out = ESCAPES[e];
    if (out === undefined) throw new Unsupported();
    return out;
  });
}

function plain(text: string): unknown {
  const c = text.charCodeAt(0);
  // Most plain scalars are words: only a few words, and what starts like a number, read as something else.
  const letter = (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
  if (letter) {
    if (text.length > 5) return text;
    if (TRUE_WORDS.has(text)) return true;
    if (FALSE_WORDS.has(text)) return false;
    return NULL_WORDS.has(text) ? null : text;
  }
  if (text === '' || text === '~') return null;
  if (PLAIN_INT.test(text)) return Number(text);
  // Octal, hex, floats, infinities...: the exact YAML reading, from the reference reader.
  if (NUMBER_FORMS.some((re) => re.test(text))) return loadKubeYaml(text);
  return text;
}

/** Sets a key as a data property even when it is `__proto__` (a captured key must not reach the prototype). */
function set(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
