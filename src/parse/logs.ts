/**
 * Logs: waypoint / istio-proxy (Envoy access lines in Istio's text or JSON format, pilot-agent and Envoy
 * lines), ztunnel (`<ts>\t<level>\t<scope>\t<message>\t<k=v ...>`) and istiod (Go `<ts>\t<level>\t<scope>\t<msg>`).
 *
 * A log can be 1 GB, so it is read line by line: counts are kept over every line, but only a bounded
 * sample of entries (failed requests and error/warn lines first), each copied out of its line so the
 * sample never pins the chunk or the text it was read from.
 */
import { StringDecoder } from 'node:string_decoder';
import { ANSI_ESCAPE, guessUtf16, SNIFF_BYTES } from '../text/decode.js';
import { excerpt, type FileParser, type ParseInput } from './parser.js';
import type { AccessLogEntry, Diagnostic, LogSummary, ParseResult, ZtunnelLogEntry } from './types.js';

export type LogKind = 'envoy-log' | 'ztunnel-log' | 'log';

export interface LogLineParser {
  /** One line without its newline; line numbers are counted here, 1-based, empty lines included. */
  push(line: string): void;
  finish(): LogSummary;
  /** Lines read as some log shape (timestamped, leveled, access); 0 after a whole file means "not really a log". */
  readonly recognized: number;
}

export interface LogLimits {
  /** Most entries kept in each of `accessEntries` and `ztunnelEntries` (default 5,000). */
  maxSamples?: number;
}

const DEFAULT_MAX_SAMPLES = 5_000;
/** A longer line is cut: a log without newlines must not grow a single line to the file's size. */
const DEFAULT_MAX_LINE = 64 * 1024;
/** Caps on what one sampled entry may keep, so the sample stays a few MB whatever the lines hold. */
const MAX_VALUE = 4_096;
const MAX_FIELDS = 64;

// ---------------------------------------------------------------------------------------------
// Line splitting


type Encoding = 'utf8' | 'utf16le' | 'utf16be';

/**
 * Splits a byte stream into lines without holding the stream: UTF-8 (or UTF-16 with a BOM or an obvious
 * NUL pattern, as PowerShell writes it), characters split across chunks reassembled, a UTF-8 BOM dropped,
 * CRLF and lone CR ended as decodeText does, ANSI escapes removed per line. A final newline does not
 * produce an extra empty line. Lines longer than `maxLineLength` are cut (the rest up to the newline is skipped).
 */
export class LineSplitter {
  private decoder: StringDecoder | undefined;
  private encoding: Encoding = 'utf8';
  private head: Buffer[] = [];
  private headBytes = 0;
  /** UTF-16BE: a byte left over from an odd-sized chunk. */
  private carry: number | undefined;
  private pending = '';
  /** The pending line was cut; skip until its newline. */
  private overflow = false;
  private ended = false;
  private readonly maxLine: number;

  constructor(
    private readonly onLine: (line: string) => void,
    options: { maxLineLength?: number } = {},
  ) {
    this.maxLine = Math.max(1, options.maxLineLength ?? DEFAULT_MAX_LINE);
  }

  write(chunk: Buffer): void {
    if (this.ended || chunk.length === 0) return;
    if (!this.decoder) {
      this.head.push(chunk);
      this.headBytes += chunk.length;
      if (this.headBytes >= SNIFF_BYTES) this.start();
      return;
    }
    this.feed(this.decode(chunk));
  }

  end(): void {
    if (this.ended) return;
    if (!this.decoder) this.start();
    this.feed(this.decoder!.end());
    this.ended = true;
    if (this.pending !== '' || this.overflow) {
      // As decodeText: escapes are removed first, so a last fragment of escapes only is no line.
      const line = this.pending.indexOf('\x1b') === -1 ? this.pending : this.pending.replace(ANSI_ESCAPE, '');
      this.pending = '';
      this.overflow = false;
      if (line !== '') this.emit(line, false, true);
    }
  }

  private start(): void {
    let data = this.head.length === 1 ? this.head[0]! : Buffer.concat(this.head);
    this.head = [];
    if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) {
      data = data.subarray(3);
    } else if (data[0] === 0xff && data[1] === 0xfe) {
      this.encoding = 'utf16le';
      data = data.subarray(2);
    } else if (data[0] === 0xfe && data[1] === 0xff) {
      this.encoding = 'utf16be';
      data = data.subarray(2);
    } else {
      const utf16 = guessUtf16(data);
      this.encoding = utf16 ? `utf16${utf16}` : 'utf8';
    }
    this.decoder = new StringDecoder(this.encoding === 'utf8' ? 'utf8' : 'utf16le');
    this.feed(this.decode(data));
  }

  private decode(chunk: Buffer): string {
    if (this.encoding !== 'utf16be') return this.decoder!.write(chunk);
    let data = chunk;
    if (this.carry !== undefined) {
      data = Buffer.concat([Buffer.of(this.carry), chunk]);
      this.carry = undefined;
    }
    const even = data.length & ~1;
    if (even < data.length) this.carry = data[even];
    // swap16 works in place: copy, so the caller's buffer stays intact.
    return this.decoder!.write(Buffer.from(data.subarray(0, even)).swap16());
  }

  private feed(text: string): void {
    if (text === '') return;
    const esc = text.indexOf('\x1b') !== -1;
    const cr = text.indexOf('\r') !== -1;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      if (this.pending === '' && !this.overflow) {
        const line = nl - start > this.maxLine ? text.slice(start, start + this.maxLine) : text.slice(start, nl);
        this.emit(line, esc, cr);
      } else {
        let line = this.pending;
        if (!this.overflow) {
          line += text.slice(start, Math.min(nl, start + this.maxLine));
          if (line.length > this.maxLine) line = line.slice(0, this.maxLine);
        }
        this.pending = '';
        this.overflow = false;
        this.emit(line, true, true);
      }
      start = nl + 1;
    }
    if (start < text.length && !this.overflow) {
      this.pending += text.slice(start, start + this.maxLine + 1);
      if (this.pending.length > this.maxLine) {
        this.pending = this.pending.slice(0, this.maxLine);
        this.overflow = true;
      }
    }
  }

  private emit(raw: string, esc: boolean, cr: boolean): void {
    let line = raw;
    if (esc && line.indexOf('\x1b') !== -1) line = line.replace(ANSI_ESCAPE, '');
    if (cr && line.indexOf('\r') !== -1) {
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line.indexOf('\r') !== -1) {
        // A lone CR ends a line too (decodeText turns it into LF).
        for (const part of line.split('\r')) this.onLine(part);
        return;
      }
    }
    this.onLine(line);
  }
}

// ---------------------------------------------------------------------------------------------
// Small readers shared by detection and parsing

/** RFC3339 (`T`, or a space when bracketed as Envoy prints it), optional fraction, optional `Z`/offset. */
const TS_T = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?/y;
const TS_ANY = /\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?/y;

/** Length of the timestamp starting at `pos`, or 0. */
function tsAt(line: string, pos: number, allowSpace = false): number {
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

function normLevel(word: string): string | undefined {
  if (word.length === 0 || word.length > 10) return undefined;
  const w = word.charCodeAt(0) === 91 && word.endsWith(']') ? word.slice(1, -1) : word;
  return Object.hasOwn(LEVELS, w) ? LEVELS[w] : Object.hasOwn(LEVELS, w.toLowerCase()) ? LEVELS[w.toLowerCase()] : undefined;
}

const RELEASE_LAST_MATCH = /x/;

const SEVERE = new Set(['error', 'warn', 'critical', 'fatal']);

function isKeyStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

function isKeyChar(c: number): boolean {
  return isKeyStart(c) || (c >= 48 && c <= 57) || c === 46 || c === 45;
}

function isSpace(c: number): boolean {
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
function splitMessage(text: string): { message: string; fields: Record<string, string> } {
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

/** A copy that holds no reference to the (possibly huge) string it was sliced from. */
function own(s: string, max = MAX_VALUE): string {
  const t = s.length > max ? s.slice(0, max) : s;
  // V8 copies slices shorter than 13 characters; longer ones would pin their parent.
  return t.length < 13 ? t : Buffer.from(t, 'utf8').toString('utf8');
}

function ownFields(fields: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) out[own(k, 256)] = own(v);
  return out;
}

/** `-`, empty, null: no value. */
function value(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
  return s === undefined || s === '' || s === '-' ? undefined : s;
}

interface Token {
  v: string;
  q: boolean;
}

/** Envoy text format tokens: space separated, `"..."` quoted (a quote ends a field only before a space or the end). */
function tokenize(line: string, start: number, max: number): Token[] {
  const tokens: Token[] = [];
  const n = line.length;
  let i = start;
  while (i < n && tokens.length < max) {
    if (line.charCodeAt(i) === 32) {
      i++;
      continue;
    }
    if (line.charCodeAt(i) === 34) {
      let j = i + 1;
      for (;;) {
        const k = line.indexOf('"', j);
        if (k === -1) {
          tokens.push({ v: line.slice(i + 1), q: true });
          return tokens;
        }
        if (k + 1 === n || line.charCodeAt(k + 1) === 32) {
          tokens.push({ v: line.slice(i + 1, k), q: true });
          i = k + 1;
          break;
        }
        j = k + 1;
      }
    } else {
      let k = line.indexOf(' ', i);
      if (k === -1) k = n;
      tokens.push({ v: line.slice(i, k), q: false });
      i = k;
    }
  }
  return tokens;
}

function isCode(s: string): boolean {
  if (s.length === 0 || s.length > 3) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function isNumber(s: string | undefined): boolean {
  return s !== undefined && /^\d+$/.test(s);
}

function isJsonAccess(o: Record<string, unknown>): boolean {
  return 'response_code' in o || ('start_time' in o && ('response_flags' in o || 'method' in o || 'upstream_cluster' in o));
}

function jsonLevel(o: Record<string, unknown>): string | undefined {
  const l = o['level'] ?? o['severity'];
  return typeof l === 'string' ? normLevel(l) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Detection

/** Rust targets (`xds::client`, `proxy::inbound`, `hyper_util`, ...) and ztunnel's own single-word scopes. */
function isZtunnelScope(scope: string): boolean {
  return (
    scope === 'access' ||
    scope.includes('::') ||
    scope.startsWith('xds{') ||
    scope.startsWith('ztunnel') ||
    scope === 'hyper_util' ||
    scope === 'readiness' ||
    scope === 'app'
  );
}

/** Scopes only istiod logs (pilot-agent in istio-proxy has none of these). */
const ISTIOD_SCOPES = new Set([
  'model', 'delta', 'krt', 'controllers', 'klog', 'validationController', 'validationServer', 'ambient',
  'pkica', 'leader', 'serviceentry', 'kube', 'status', 'gateway', 'crdclient', 'pilot', 'server',
]);
/** pilot-agent / Envoy scopes of an istio-proxy container. */
const PROXY_SCOPES = new Set(['xdsproxy', 'sds', 'cache', 'healthcheck', 'wasm', 'iptables', 'dns']);

interface HeadSignals {
  logLines: number;
  access: number;
  ztunnel: number;
  envoy: number;
  ads: number;
  istiod: number;
}

function scopeSignal(scope: string | undefined, line: string, s: HeadSignals): void {
  if (scope !== undefined) {
    if (isZtunnelScope(scope)) s.ztunnel++;
    else if (scope.startsWith('envoy') || PROXY_SCOPES.has(scope)) s.envoy++;
    else if (scope === 'ads') s.ads++;
    else if (ISTIOD_SCOPES.has(scope)) s.istiod++;
  }
  if (line.includes('src.addr=') || line.includes('connection complete')) s.ztunnel++;
  if (line.includes('Envoy proxy is ready') || line.includes('Envoy command:')) s.envoy++;
  if (line.includes('Starting Istiod') || line.includes('pilot-discovery') || line.includes('Discovery service started')) s.istiod++;
}

/** Reads one head line into the signals; false when it is no log line. */
function classifyHeadLine(line: string, from: number, s: HeadSignals, depth: number): boolean {
  const c = line.charCodeAt(from);
  if (c === 91 /* [ */) {
    if (line.startsWith('[pod/', from) && depth < 2) {
      const e = line.indexOf('] ', from);
      return e > 0 && classifyHeadLine(line, e + 2, s, depth + 1);
    }
    const n = tsAt(line, from + 1, true);
    if (n === 0 || line.charCodeAt(from + 1 + n) !== 93) return false;
    const after = from + 2 + n;
    if (line.charCodeAt(after) === 32 && line.charCodeAt(after + 1) === 34) {
      const close = line.indexOf('" ', after + 2);
      if (close !== -1) {
        const end = line.indexOf(' ', close + 2);
        if (isCode(line.slice(close + 2, end === -1 ? undefined : end))) {
          s.access++;
          s.envoy++;
          return true;
        }
      }
      return false;
    }
    if (line.charCodeAt(after) === 91) {
      s.envoy++; // Envoy's own `[ts][thread][level][logger]` format
      return true;
    }
    return line.length === after || line.charCodeAt(after) === 32;
  }
  if (c === 123 /* { */) {
    const obj = jsonObjectAt(line, from);
    if (!obj) return false;
    if (isJsonAccess(obj)) {
      s.access++;
      s.envoy++;
      return true;
    }
    if (jsonLevel(obj) && (typeof obj['time'] === 'string' || typeof obj['ts'] === 'string' || typeof obj['timestamp'] === 'string')) {
      const scope = obj['scope'] ?? obj['target'] ?? obj['logger'];
      scopeSignal(typeof scope === 'string' ? scope : undefined, line, s);
      if ('src.addr' in obj) s.ztunnel++;
      return true;
    }
    return false;
  }
  const n = tsAt(line, from);
  if (n === 0) return false;
  const end = from + n;
  const d = line.charCodeAt(end);
  if (d === 9 /* \t */) {
    const parts = line.slice(end + 1).split('\t', 4);
    scopeSignal(parts.length >= 3 && normLevel(parts[0]!) ? parts[1] : undefined, line, s);
    return true;
  }
  if (d === 32) {
    let p = end;
    while (line.charCodeAt(p) === 32) p++;
    const e = line.charCodeAt(p);
    if (depth < 2 && (e === 91 || e === 123 || tsAt(line, p) > 0) && classifyHeadLine(line, p, s, depth + 1)) return true;
    const words = line.slice(p, p + 200).split(/\s+/, 3);
    if (normLevel(words[0] ?? '') && words[1]) scopeSignal(words[1].replace(/:$/, ''), line, s);
    else scopeSignal(undefined, line, s);
    return true;
  }
  return Number.isNaN(d);
}

function isSeparator(line: string): boolean {
  const t = line.trim();
  return /^[=-]{3,}$/.test(t) || /^=*\s*Previous log( present)?\b/.test(t);
}

/**
 * From the first lines: is this a log at all, and which? undefined = not a log (let other parsers try).
 * Most non-empty lines must be timestamped, Envoy access lines or JSON access/log objects, and there must be
 * at least two such lines or one clear access line, so tables, YAML and JSON documents are never claimed.
 */
export function detectLog(head: string[]): LogKind | undefined {
  const s: HeadSignals = { logLines: 0, access: 0, ztunnel: 0, envoy: 0, ads: 0, istiod: 0 };
  let nonEmpty = 0;
  for (const line of head) {
    if (line.trim() === '' || isSeparator(line)) continue;
    nonEmpty++;
    if (classifyHeadLine(line, 0, s, 0)) s.logLines++;
  }
  if (nonEmpty === 0 || s.logLines * 2 <= nonEmpty) return undefined;
  // One line is enough when it is unmistakable: an Envoy access line, or a ztunnel access record.
  if (s.logLines < 2 && s.access === 0 && !head.some((l) => l.includes('src.addr=') && l.includes('dst.addr='))) return undefined;
  const envoy = s.envoy + (s.istiod === 0 ? s.ads : 0);
  if (s.ztunnel > 0 && s.ztunnel >= envoy) return 'ztunnel-log';
  if (envoy > 0) return 'envoy-log';
  return 'log';
}

// ---------------------------------------------------------------------------------------------
// Parsing

/** A bounded sample that prefers priority entries: a priority entry evicts the latest ordinary one. */
class Sample<T> {
  readonly priority: T[] = [];
  readonly ordinary: T[] = [];
  dropped = 0;

  constructor(private readonly max: number) {}

  /** Whether an entry of this class would be kept; a refusal counts it as dropped. Call once per entry. */
  wants(priority: boolean): boolean {
    if (this.priority.length + this.ordinary.length < this.max) return true;
    if (priority && this.ordinary.length > 0) return true;
    this.dropped++;
    return false;
  }

  add(entry: T, priority: boolean): void {
    if (this.priority.length + this.ordinary.length >= this.max) {
      this.ordinary.pop();
      this.dropped++;
    }
    (priority ? this.priority : this.ordinary).push(entry);
  }

  /** Priority entries first, then the ordinary ones, each in line order. */
  items(): T[] {
    return [...this.priority, ...this.ordinary];
  }
}

class LogParser implements LogLineParser {
  private line = 0;
  recognized = 0;
  private readonly byLevel: Record<string, number> = {};
  private readonly byCode: Record<string, number> = {};
  private readonly access: Sample<AccessLogEntry>;
  private readonly ztunnel: Sample<ZtunnelLogEntry>;

  constructor(
    private readonly file: string,
    private readonly kind: LogKind,
    maxSamples: number,
  ) {
    this.access = new Sample(maxSamples);
    this.ztunnel = new Sample(maxSamples);
  }

  push(line: string): void {
    this.line++;
    if (line.length === 0) return;
    try {
      if (this.read(line, 0, undefined, 0)) this.recognized++;
    } catch {
      // Never throw on content; an unreadable line is only not counted.
    }
  }

  finish(): LogSummary {
    // V8 keeps the subject of the last successful match (RegExp.input): a line sliced from a whole-file
    // text would pin the text until some other regex matched. Match a tiny string instead.
    RELEASE_LAST_MATCH.test('x');
    return {
      file: this.file,
      kind: this.kind,
      lines: this.line,
      byLevel: { ...this.byLevel },
      accessEntries: this.access.items(),
      ztunnelEntries: this.ztunnel.items(),
      byCode: { ...this.byCode },
      truncated: this.access.dropped + this.ztunnel.dropped,
    };
  }

  /** Reads the line from `from`; `outer` is a kubectl `--timestamps` prefix already seen. */
  private read(line: string, from: number, outer: string | undefined, depth: number): boolean {
    const c = line.charCodeAt(from);
    if (c === 91 /* [ */) {
      if (line.startsWith('[pod/', from) && depth < 2) {
        const e = line.indexOf('] ', from);
        return e > 0 && this.read(line, e + 2, outer, depth + 1);
      }
      const n = tsAt(line, from + 1, true);
      if (n === 0 || line.charCodeAt(from + 1 + n) !== 93) return false;
      const after = from + 2 + n;
      if (line.charCodeAt(after) === 32 && line.charCodeAt(after + 1) === 34) return this.accessText(line, from + 1, n, after + 1);
      if (line.charCodeAt(after) === 91) return this.envoyNative(line, line.slice(from + 1, from + 1 + n), after);
      return line.length === after || line.charCodeAt(after) === 32;
    }
    if (c === 123 /* { */) return this.json(line, from, outer);
    const n = tsAt(line, from);
    if (n === 0) return false;
    const end = from + n;
    const d = line.charCodeAt(end);
    if (d === 9) return this.tabLine(line, from, n);
    if (d === 32) {
      let p = end;
      while (line.charCodeAt(p) === 32) p++;
      const e = line.charCodeAt(p);
      if (depth < 2 && (e === 91 || e === 123 || tsAt(line, p) > 0) && this.read(line, p, line.slice(from, end), depth + 1)) return true;
      this.spaceLine(line, line.slice(from, end), p);
      return true;
    }
    return Number.isNaN(d);
  }

  private countLevel(level: string): void {
    this.byLevel[level] = (this.byLevel[level] ?? 0) + 1;
  }

  private countCode(code: number): void {
    const k = String(code);
    this.byCode[k] = (this.byCode[k] ?? 0) + 1;
  }

  private source(line: string) {
    return { file: this.file, line: this.line, excerpt: own(excerpt(line), 240) };
  }

  /** `[START_TIME] "METHOD PATH PROTOCOL" CODE FLAGS ...`; `q` is the request line's opening quote. */
  private accessText(line: string, tsStart: number, tsLen: number, q: number): boolean {
    const close = line.indexOf('" ', q + 1);
    if (close === -1) return false;
    const codeEnd = line.indexOf(' ', close + 2);
    const codeText = line.slice(close + 2, codeEnd === -1 ? undefined : codeEnd);
    if (!isCode(codeText)) return false;
    const code = Number(codeText);
    let flags = '-';
    if (codeEnd !== -1) {
      const flagsEnd = line.indexOf(' ', codeEnd + 1);
      flags = line.slice(codeEnd + 1, flagsEnd === -1 ? undefined : flagsEnd) || '-';
    }
    this.countCode(code);
    const failing = code >= 400 || flags !== '-';
    if (!this.access.wants(failing)) return true;

    const t = tokenize(line, q, 24);
    const request = t[0]!.v;
    const sp1 = request.indexOf(' ');
    const sp2 = request.lastIndexOf(' ');
    const method = value(sp1 === -1 ? request : request.slice(0, sp1));
    const path = sp1 === -1 ? undefined : value(sp2 > sp1 ? request.slice(sp1 + 1, sp2) : request.slice(sp1 + 1));
    const quoted = (i: number) => t[i]?.q === true;
    let details: string | undefined;
    let authority: string | undefined;
    let upstreamHost: string | undefined;
    let upstreamCluster: string | undefined;
    let routeName: string | undefined;
    let duration: string | undefined;
    if (quoted(5) && !quoted(3)) {
      // Istio ≥1.9 (EnvoyTextLogFormat): details, termination details, "transport failure", rx, tx, duration, ...
      details = t[3]?.v;
      duration = t[8]?.v;
      if (quoted(13)) authority = t[13]!.v;
      if (quoted(14)) upstreamHost = t[14]!.v;
      if (t[15] && !quoted(15)) upstreamCluster = t[15].v;
      if (t[20] && !quoted(20)) routeName = t[20].v;
    } else if (isNumber(t[3]?.v) && quoted(7)) {
      // Envoy's own default format: rx, tx, duration, upstream time, "xff", "ua", "id", "authority", "upstream".
      duration = t[5]?.v;
      if (quoted(10)) authority = t[10]!.v;
      if (quoted(11)) upstreamHost = t[11]!.v;
    } else if (t[3] && !quoted(3) && !isNumber(t[3].v)) {
      details = t[3].v;
    }
    const entry = accessEntry(
      {
        time: line.slice(tsStart, tsStart + tsLen),
        method,
        path,
        code,
        flags,
        details,
        authority,
        upstreamHost,
        upstreamCluster,
        routeName,
        durationMs: isNumber(duration) ? Number(duration) : undefined,
      },
      this.source(line),
    );
    this.access.add(entry, failing);
    return true;
  }

  /** `[ts][thread][level][logger] message`, Envoy's default log format. */
  private envoyNative(line: string, time: string, at: number): boolean {
    let i = at;
    let level: string | undefined;
    let logger: string | undefined;
    for (let g = 0; g < 4 && line.charCodeAt(i) === 91; g++) {
      const e = line.indexOf(']', i);
      if (e === -1) break;
      const word = line.slice(i + 1, e);
      if (!level) level = normLevel(word);
      else if (!logger) logger = word;
      i = e + 1;
    }
    if (!level) return true;
    this.leveled(line, time, level, logger, line.slice(i).trimStart(), undefined);
    return true;
  }

  /** `<ts>\t<level>\t<scope>\t<message>[\t<fields>]` (ztunnel, Istio's Go logger, Envoy under Istio), or `<ts>\t<level>\t<message>`. */
  private tabLine(line: string, from: number, n: number): boolean {
    const time = line.slice(from, from + n);
    const t1 = from + n;
    const t2 = line.indexOf('\t', t1 + 1);
    const level = normLevel(t2 === -1 ? line.slice(t1 + 1) : line.slice(t1 + 1, t2));
    if (!level) return true;
    if (t2 === -1) {
      this.leveled(line, time, level, undefined, '', undefined);
      return true;
    }
    const t3 = line.indexOf('\t', t2 + 1);
    if (t3 === -1) {
      this.leveled(line, time, level, undefined, line.slice(t2 + 1), undefined);
      return true;
    }
    const t4 = line.indexOf('\t', t3 + 1);
    const scope = line.slice(t2 + 1, t3);
    const message = t4 === -1 ? line.slice(t3 + 1) : line.slice(t3 + 1, t4);
    this.leveled(line, time, level, scope, message, t4 === -1 ? undefined : line.slice(t4 + 1));
    return true;
  }

  /** `<ts> <level> <scope>[:] <message> k=v ...` (ztunnel's space-separated output), or a timestamped plain line. */
  private spaceLine(line: string, time: string, p: number): void {
    const w1 = line.indexOf(' ', p);
    const level = normLevel(w1 === -1 ? line.slice(p) : line.slice(p, w1));
    if (!level) return;
    if (w1 === -1) {
      this.leveled(line, time, level, undefined, '', undefined);
      return;
    }
    let s = w1;
    while (line.charCodeAt(s) === 32) s++;
    const w2 = line.indexOf(' ', s);
    const scopeWord = w2 === -1 ? line.slice(s) : line.slice(s, w2);
    const scope = scopeWord.endsWith(':') ? scopeWord.slice(0, -1) : scopeWord;
    this.leveled(line, time, level, scope || undefined, w2 === -1 ? '' : line.slice(w2 + 1).trimStart(), undefined);
  }

  /** JSON access lines (Istio's JSON format) and JSON structured log lines (`{"level","time","msg"}`). */
  private json(line: string, from: number, outer: string | undefined): boolean {
    const obj = jsonObjectAt(line, from);
    if (!obj) return false;
    if (isJsonAccess(obj)) {
      const codeValue = Number(value(obj['response_code']) ?? 0);
      const code = Number.isFinite(codeValue) ? codeValue : 0;
      const flags = value(obj['response_flags']) ?? '-';
      this.countCode(code);
      const failing = code >= 400 || flags !== '-';
      if (!this.access.wants(failing)) return true;
      const duration = Number(value(obj['duration']) ?? NaN);
      const entry = accessEntry(
        {
          time: value(obj['start_time']) ?? outer,
          method: value(obj['method']),
          path: value(obj['path']),
          code,
          flags,
          details: value(obj['response_code_details']),
          authority: value(obj['authority']),
          upstreamHost: value(obj['upstream_host']),
          upstreamCluster: value(obj['upstream_cluster']),
          routeName: value(obj['route_name']),
          durationMs: Number.isFinite(duration) ? duration : undefined,
        },
        this.source(line),
      );
      this.access.add(entry, failing);
      return true;
    }
    const level = jsonLevel(obj);
    if (!level) return false;
    const fields: Record<string, string> = {};
    const nested = obj['fields'];
    const sources = nested && typeof nested === 'object' && !Array.isArray(nested) ? [obj, nested as Record<string, unknown>] : [obj];
    for (const src of sources) {
      for (const [k, v] of Object.entries(src)) {
        if (k === 'level' || k === 'severity' || k === 'time' || k === 'ts' || k === 'timestamp' || k === 'scope' || k === 'target' || k === 'logger' || k === 'msg' || k === 'message' || k === 'fields') continue;
        const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
        if (s !== undefined && k !== '__proto__') fields[k] = s;
      }
    }
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const time = str(obj['time']) ?? str(obj['ts']) ?? str(obj['timestamp']) ?? outer;
    const scope = str(obj['scope']) ?? str(obj['target']) ?? str(obj['logger']);
    const nestedMessage = sources.length > 1 ? str((nested as Record<string, unknown>)['message']) : undefined;
    const message = str(obj['msg']) ?? str(obj['message']) ?? nestedMessage ?? '';
    this.leveled(line, time, level, scope, message, fields);
    return true;
  }

  /**
   * A line with a level: counted, and sampled into `ztunnelEntries` when it is an error/warn line or carries
   * an `error` field (priority), or is an access record (`access` scope) while there is room.
   */
  private leveled(line: string, time: string | undefined, level: string, scope: string | undefined, message: string, fields: string | Record<string, string> | undefined): void {
    this.countLevel(level);
    const severe = SEVERE.has(level);
    const isAccess = scope === 'access';
    const mayError = !severe && (typeof fields === 'object' ? 'error' in fields : (fields ?? message).includes('error='));
    let decided = false;
    if (!severe && !mayError) {
      // Cheap refusal before any field is read: the common healthy line costs no parsing.
      if (!isAccess || !this.ztunnel.wants(false)) return;
      decided = true;
    }
    let msg = message;
    let parsed: Record<string, string>;
    if (typeof fields === 'object') parsed = fields;
    else if (fields !== undefined && fields.trim() !== '') parsed = parseFields(fields.replace(/\t/g, ' '))!;
    else ({ message: msg, fields: parsed } = splitMessage(message));
    const error = parsed['error'];
    const priority = severe || error !== undefined;
    if (!decided) {
      // `error=` may have been inside another value: decided only now that the fields are read.
      if (!priority && !isAccess) return;
      if (!this.ztunnel.wants(priority)) return;
    }
    const entry: ZtunnelLogEntry = {
      ...(time ? { time: own(time) } : {}),
      level,
      message: own(scope ? `${scope} ${msg}` : msg),
      fields: ownFields(parsed),
      ...(error !== undefined ? { error: own(error) } : {}),
      source: this.source(line),
    };
    this.ztunnel.add(entry, priority);
  }
}

type AccessFields = Partial<Omit<AccessLogEntry, 'source' | 'code'>> & { code: number };

/** An entry in the field order of the type, every string copied, `-`/empty values left out (details: `''`). */
function accessEntry(f: AccessFields, source: AccessLogEntry['source']): AccessLogEntry {
  const entry: AccessLogEntry = {} as AccessLogEntry;
  if (value(f.time)) entry.time = own(f.time!);
  if (value(f.method)) entry.method = own(f.method!);
  if (value(f.path)) entry.path = own(f.path!);
  entry.code = f.code;
  entry.flags = own(value(f.flags) ?? '-');
  entry.details = own(value(f.details) ?? '');
  if (value(f.authority)) entry.authority = own(f.authority!);
  if (value(f.upstreamHost)) entry.upstreamHost = own(f.upstreamHost!);
  if (value(f.upstreamCluster)) entry.upstreamCluster = own(f.upstreamCluster!);
  if (value(f.routeName)) entry.routeName = own(f.routeName!);
  if (f.durationMs !== undefined) entry.durationMs = f.durationMs;
  entry.source = source;
  return entry;
}

export function createLogParser(file: string, kind: LogKind, limits: LogLimits = {}): LogLineParser {
  return new LogParser(file, kind, Math.max(0, limits.maxSamples ?? DEFAULT_MAX_SAMPLES));
}

function sumWhere(counts: Record<string, number>, keep: (key: string) => boolean): number {
  let n = 0;
  for (const [k, v] of Object.entries(counts)) if (keep(k)) n += v;
  return n;
}

/** The ParseResult of a finished log (whole-buffer or streamed): `records.logs = [summary]`, kind inside. */
export function logParseResult(summary: LogSummary, recognized: number): ParseResult {
  const diagnostics: Diagnostic[] = [];
  if (recognized === 0 && summary.lines > 0) {
    diagnostics.push({ file: summary.file, message: `looked like a ${summary.kind} but no line could be read as a log line` });
  }
  const access = sumWhere(summary.byCode, () => true);
  const failed = sumWhere(summary.byCode, (k) => Number(k) >= 400);
  const severe = sumWhere(summary.byLevel, (k) => SEVERE.has(k));
  const parts = [`${summary.kind}: ${summary.lines} lines`];
  if (access > 0 || summary.kind === 'envoy-log') parts.push(`${access} access lines (${failed} with code >= 400)`);
  parts.push(`${severe} error/warn lines`);
  if (summary.truncated > 0) parts.push(`${summary.truncated} entries beyond the sample not kept`);
  return { kind: summary.kind, records: { logs: [summary] }, diagnostics, summary: parts.join(', ') };
}

/** Whole-buffer log parsing (small logs already in memory); the result's kind is the specific log kind. */
export const logParser: FileParser = {
  kind: 'log',
  detect: (input: ParseInput) => (detectLog(input.head) !== undefined ? 0 : -1),
  parse(input: ParseInput): ParseResult {
    const parser = createLogParser(input.file, detectLog(input.head) ?? 'log');
    const text = input.text;
    let start = 0;
    while (start < text.length) {
      let nl = text.indexOf('\n', start);
      if (nl === -1) nl = text.length;
      parser.push(text.slice(start, nl));
      start = nl + 1;
    }
    return logParseResult(parser.finish(), parser.recognized);
  },
};

/** The JSON object a line holds from `from` on (a JSON log line), or undefined. */
function jsonObjectAt(line: string, from: number): Record<string, unknown> | undefined {
  try {
    const o: unknown = JSON.parse(from === 0 ? line : line.slice(from));
    return o && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
