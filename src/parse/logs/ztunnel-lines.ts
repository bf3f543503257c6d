/**
 * Leveled log lines: ztunnel (`<ts>\t<level>\t<scope>\t<message>\t<k=v ...>`, its space-separated and JSON
 * forms), Istio's Go logger (istiod, pilot-agent) and Envoy's own `[ts][thread][level][logger]` format,
 * read into level, scope, message and fields. Also the ztunnel access records that reach a ticket without
 * their line start: pasted from the level on, shown by Kiali as `[pod] k=v ...`, or hard-wrapped by a doc.
 */
import { isSpace, parseFields, splitMessage } from './fields.js';
import { normLevel } from './readers.js';

export interface LeveledLine {
  time: string | undefined;
  level: string;
  scope: string | undefined;
  message: string;
  /** The fields column of the tab format, a JSON line's own fields, or undefined when they trail the message. */
  fields: string | Record<string, string> | undefined;
}

/** `[ts][thread][level][logger] message`, Envoy's default log format, from the first `[` after the time. */
export function readEnvoyNative(line: string, time: string, at: number): LeveledLine | undefined {
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
  if (!level) return undefined;
  return { time, level, scope: logger, message: line.slice(i).trimStart(), fields: undefined };
}

/** `<ts>\t<level>\t<scope>\t<message>[\t<fields>]` (ztunnel, Istio's Go logger, Envoy under Istio), or `<ts>\t<level>\t<message>`. */
export function readTabLine(line: string, from: number, n: number): LeveledLine | undefined {
  const time = line.slice(from, from + n);
  const t1 = from + n;
  const t2 = line.indexOf('\t', t1 + 1);
  const level = normLevel(t2 === -1 ? line.slice(t1 + 1) : line.slice(t1 + 1, t2));
  if (!level) return undefined;
  if (t2 === -1) return { time, level, scope: undefined, message: '', fields: undefined };
  const t3 = line.indexOf('\t', t2 + 1);
  if (t3 === -1) return { time, level, scope: undefined, message: line.slice(t2 + 1), fields: undefined };
  const t4 = line.indexOf('\t', t3 + 1);
  return {
    time,
    level,
    scope: line.slice(t2 + 1, t3),
    message: t4 === -1 ? line.slice(t3 + 1) : line.slice(t3 + 1, t4),
    fields: t4 === -1 ? undefined : line.slice(t4 + 1),
  };
}

/** `<ts> <level> <scope>[:] <message> k=v ...` (ztunnel's space-separated output) from the level at `p`. */
export function readSpaceLine(line: string, time: string | undefined, p: number): LeveledLine | undefined {
  const w1 = line.indexOf(' ', p);
  const level = normLevel(w1 === -1 ? line.slice(p) : line.slice(p, w1));
  if (!level) return undefined;
  if (w1 === -1) return { time, level, scope: undefined, message: '', fields: undefined };
  let s = w1;
  while (line.charCodeAt(s) === 32) s++;
  const w2 = line.indexOf(' ', s);
  const scopeWord = w2 === -1 ? line.slice(s) : line.slice(s, w2);
  const scope = scopeWord.endsWith(':') ? scopeWord.slice(0, -1) : scopeWord;
  return { time, level, scope: scope || undefined, message: w2 === -1 ? '' : line.slice(w2 + 1).trimStart(), fields: undefined };
}

const NOT_A_FIELD = new Set(['level', 'severity', 'time', 'ts', 'timestamp', 'scope', 'target', 'logger', 'msg', 'message', 'fields']);

/** A JSON structured log line (`{"level","time","scope","msg"|"message", ...fields}`) whose level was read. */
export function readJsonLogLine(obj: Record<string, unknown>, level: string, outerTime: string | undefined): LeveledLine {
  const fields: Record<string, string> = {};
  const nested = obj['fields'];
  const sources = nested && typeof nested === 'object' && !Array.isArray(nested) ? [obj, nested as Record<string, unknown>] : [obj];
  for (const src of sources) {
    for (const [k, v] of Object.entries(src)) {
      if (NOT_A_FIELD.has(k)) continue;
      const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
      if (s !== undefined && k !== '__proto__') fields[k] = s;
    }
  }
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const nestedMessage = sources.length > 1 ? str((nested as Record<string, unknown>)['message']) : undefined;
  return {
    time: str(obj['time']) ?? str(obj['ts']) ?? str(obj['timestamp']) ?? outerTime,
    level,
    scope: str(obj['scope']) ?? str(obj['target']) ?? str(obj['logger']),
    message: str(obj['msg']) ?? str(obj['message']) ?? nestedMessage ?? '',
    fields,
  };
}

/** The message and fields of a line: the fields column or JSON fields when there are some, else split off the message. */
export function messageAndFields(l: LeveledLine): { message: string; fields: Record<string, string> } {
  if (typeof l.fields === 'object') return { message: l.message, fields: l.fields };
  if (l.fields !== undefined && l.fields.trim() !== '') return { message: l.message, fields: parseFields(l.fields.replace(/\t/g, ' '))! };
  return splitMessage(l.message);
}

/** Whether an `error` field may be in the line, before any field is read: the common healthy line costs no parsing. */
export function mayCarryError(l: LeveledLine): boolean {
  return typeof l.fields === 'object' ? 'error' in l.fields : (l.fields ?? l.message).includes('error=');
}

/**
 * ztunnel logs `connection opened` (debug) when a connection starts and `connection complete` or
 * `connection failed` when it ends. `message` may still hold the fields that follow it.
 */
export function isConnectionEnd(message: string): boolean {
  return !message.startsWith('connection opened');
}

/** The fields a flow is counted by and described with (stats.ts), in the order ztunnel prints them. */
const FLOW_FIELDS = ['src.workload', 'src.identity', 'dst.addr', 'dst.hbone_addr', 'dst.service', 'dst.workload', 'direction'] as const;
const FLOW_PATTERNS = FLOW_FIELDS.map((k) => `${k}=`);

/**
 * The flow fields of a healthy access record (one without `error=` anywhere), each looked up after the one
 * before it: most lines of a large ztunnel log are such records, counted and not kept, and reading all
 * their fields was most of the cost of the log. Fields in another order are found too, at the cost of
 * another search. Undefined when a value holds an escape: the caller then reads the fields in full.
 */
export function flowFields(text: string): Record<string, string | undefined> | undefined {
  const values: (string | undefined)[] = [];
  let cursor = 0;
  for (const pattern of FLOW_PATTERNS) {
    let at = text.indexOf(pattern, cursor);
    if (at === -1) at = text.indexOf(pattern);
    while (at > 0 && !isSpace(text.charCodeAt(at - 1))) at = text.indexOf(pattern, at + 1);
    if (at === -1) {
      values.push(undefined);
      continue;
    }
    let from = at + pattern.length;
    let end: number;
    if (text.charCodeAt(from) === 34 /* " */) {
      from++;
      end = text.indexOf('"', from);
      if (end === -1) end = text.length;
      cursor = end + 1;
    } else {
      end = from;
      while (end < text.length && !isSpace(text.charCodeAt(end))) end++;
      cursor = end;
    }
    const v = text.slice(from, end);
    // An escape, or a quote escaped before the one that seemed to close the value.
    if (v.indexOf('\\') !== -1) return undefined;
    values.push(v);
  }
  // One object shape for every line, the values in FLOW_FIELDS order.
  return {
    'src.workload': values[0],
    'src.identity': values[1],
    'dst.addr': values[2],
    'dst.hbone_addr': values[3],
    'dst.service': values[4],
    'dst.workload': values[5],
    direction: values[6],
  };
}

const LEVEL_FIRST_ACCESS = /^\s*([A-Za-z]{3,8})\s+access:?\s+(\S.*)$/;

/** `error   access  connection complete  src.addr=...`: an access record pasted from its level on. */
export function readLevelFirstAccess(line: string): LeveledLine | undefined {
  const m = LEVEL_FIRST_ACCESS.exec(line);
  const level = m ? normLevel(m[1]!) : undefined;
  return level ? { time: undefined, level, scope: 'access', message: m![2]!, fields: undefined } : undefined;
}

/**
 * `[ztunnel-b8dqs] src.addr=... dst.addr=... direction="inbound" ...`: an access record as Kiali shows it
 * (time, level and scope stripped), or with no prefix at all. Only fields, and the addresses of both ends.
 */
export function readBareAccess(line: string): Record<string, string> | undefined {
  let from = 0;
  while (line.charCodeAt(from) === 32) from++;
  if (line.charCodeAt(from) === 91 /* [ */) {
    const close = line.indexOf('] ', from);
    if (close === -1 || line.slice(from, close).includes(' ')) return undefined;
    from = close + 2;
  }
  if (line.indexOf('src.addr=', from) === -1 || line.indexOf('dst.addr=', from) === -1) return undefined;
  const fields = parseFields(line.slice(from).trim(), true);
  return fields && 'src.addr' in fields && 'dst.addr' in fields ? fields : undefined;
}

/** A line of nothing but `k=v` fields: the rest of an access record wrapped onto more lines. */
export function readContinuation(line: string): Record<string, string> | undefined {
  const text = line.trim();
  if (text === '' || text.indexOf('=') === -1) return undefined;
  const fields = parseFields(text, true);
  // Every record starts with `src.addr`: a line that has one is a record of its own.
  return fields && Object.keys(fields).length > 0 && !('src.addr' in fields) ? fields : undefined;
}
