/**
 * The log parser: one pass over the lines of a log (streamed by the pipeline, or split from a buffer),
 * each line handed to the reader of its shape. It counts every line (levels, response codes, the
 * statistics of stats.ts) and keeps a bounded sample of entries (failed requests and error/warn lines
 * first), each copied out of its line so the sample never pins the chunk or the text it was read from.
 */
import { detectLog, type LogKind } from './detect.js';
import { accessEntry, AccessTextReader, isFailing, readAccessJson, type AccessFields } from './envoy-access.js';
import { ownFields } from './fields.js';
import { JsonRecordAssembler } from './json-record.js';
import { isJsonAccess, jsonLevel, jsonObjectAt, own, provenanceOf, SEVERE, tsAt, type LineRef } from './readers.js';
import { Sample } from './sample.js';
import { AccessStatsCollector, ZtunnelStatsCollector } from './stats.js';
import {
  flowFields,
  isConnectionEnd,
  mayCarryError,
  messageAndFields,
  readBareAccess,
  readContinuation,
  readEnvoyNative,
  readJsonLogLine,
  readLevelFirstAccess,
  readSpaceLine,
  readTabLine,
  type LeveledLine,
} from './ztunnel-lines.js';
import type { FileParser, ParseInput } from '../parser.js';
import type { AccessLogEntry, Diagnostic, LogSummary, ParseResult, ZtunnelLogEntry } from '../types.js';

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

const RELEASE_LAST_MATCH = /x/;

/** A ztunnel access record waits one line: a record hard-wrapped onto more lines is counted once, whole. */
interface PendingAccess {
  fields: Record<string, string | undefined>;
  level: string | undefined;
  connection: boolean;
  ref: LineRef;
  entry: ZtunnelLogEntry | undefined;
}

class LogParser implements LogLineParser {
  private line = 0;
  recognized = 0;
  private readonly byLevel: Record<string, number> = {};
  private readonly byCode: Record<string, number> = {};
  private readonly access: Sample<AccessLogEntry>;
  private readonly ztunnel: Sample<ZtunnelLogEntry>;
  private readonly accessStats = new AccessStatsCollector();
  private readonly ztunnelStats = new ZtunnelStatsCollector();
  private readonly accessText = new AccessTextReader();
  /** The line being read, reused from line to line. */
  private readonly ref: LineRef;
  private record: JsonRecordAssembler | undefined;
  private pending: PendingAccess | undefined;

  constructor(
    private readonly file: string,
    private readonly kind: LogKind,
    maxSamples: number,
  ) {
    this.access = new Sample(maxSamples);
    this.ztunnel = new Sample(maxSamples);
    this.ref = { file, line: 0, text: '' };
  }

  push(line: string): void {
    this.line++;
    this.ref.line = this.line;
    this.ref.text = line;
    try {
      if (this.record) {
        const step = this.record.add(line);
        if (step === 'more') return;
        if (step === 'done') {
          this.readRecord(this.record);
          return;
        }
        this.record = undefined;
      }
      if (this.pending) {
        if (this.continues(this.pending, line)) return;
        this.flushPending();
      }
      if (line.length === 0) return;
      if (this.read(line, 0, undefined, 0) || this.readLoose(line)) this.recognized++;
    } catch {
      // Never throw on content; an unreadable line is only not counted.
    }
  }

  finish(): LogSummary {
    try {
      if (this.pending) this.flushPending();
    } catch {
      // as in push
    }
    this.record = undefined;
    this.ref.text = '';
    this.accessText.release();
    // V8 keeps the subject of the last successful match (RegExp.input): a line sliced from a whole-file
    // text would pin the text until some other regex matched. Match a tiny string instead.
    RELEASE_LAST_MATCH.test('x');
    const summary: LogSummary = {
      file: this.file,
      kind: this.kind,
      lines: this.line,
      byLevel: { ...this.byLevel },
      accessEntries: this.access.items(),
      ztunnelEntries: this.ztunnel.items(),
      byCode: { ...this.byCode },
      truncated: this.access.dropped + this.ztunnel.dropped,
    };
    const accessStats = this.accessStats.result();
    if (accessStats) summary.accessStats = accessStats;
    const ztunnelStats = this.ztunnelStats.result();
    if (ztunnelStats) summary.ztunnelStats = ztunnelStats;
    return summary;
  }

  /** Reads the line from `from`; `outer` is a kubectl `--timestamps` (or log viewer) prefix already seen. */
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
      if (line.charCodeAt(after) === 32 && line.charCodeAt(after + 1) === 34) {
        const fields = this.accessText.read(line, line.slice(from + 1, from + 1 + n), after + 1);
        if (fields) this.countAccess(fields, true);
        return fields !== undefined;
      }
      if (line.charCodeAt(after) === 91) {
        const leveled = readEnvoyNative(line, line.slice(from + 1, from + 1 + n), after);
        if (leveled) this.leveled(leveled);
        return true;
      }
      return line.length === after || line.charCodeAt(after) === 32;
    }
    if (c === 123 /* { */) {
      const obj = jsonObjectAt(line, from);
      return obj !== undefined && this.readObject(obj, outer);
    }
    const n = tsAt(line, from);
    if (n === 0) return false;
    const end = from + n;
    const d = line.charCodeAt(end);
    if (d === 9) {
      const leveled = readTabLine(line, from, n);
      if (leveled) this.leveled(leveled);
      return true;
    }
    if (d === 32) {
      let p = end;
      while (line.charCodeAt(p) === 32) p++;
      // A log viewer's own time before the line's: `2024-10-29T17:39:45.936Z | 2024-10-29T17:39:45.936188Z error ...`.
      let inner = p;
      if (line.charCodeAt(inner) === 124 /* | */ && line.charCodeAt(inner + 1) === 32) {
        inner += 2;
        while (line.charCodeAt(inner) === 32) inner++;
      }
      const e = line.charCodeAt(inner);
      if (depth < 2 && (e === 91 || e === 123 || tsAt(line, inner) > 0) && this.read(line, inner, line.slice(from, end), depth + 1)) return true;
      const leveled = readSpaceLine(line, line.slice(from, end), p);
      if (leveled) this.leveled(leveled);
      return true;
    }
    return Number.isNaN(d);
  }

  /** Lines that lost their start in a paste, and the first line of a multi-line record. */
  private readLoose(line: string): boolean {
    if (JsonRecordAssembler.starts(line)) {
      // Counted as recognized once the record is complete and read.
      this.record = new JsonRecordAssembler(this.line);
      return false;
    }
    const untimed = this.accessText.readUntimed(line, 0);
    if (untimed) {
      this.countAccess(untimed, true);
      return true;
    }
    const levelFirst = readLevelFirstAccess(line);
    if (levelFirst) {
      this.leveled(levelFirst);
      return true;
    }
    const bare = readBareAccess(line);
    if (!bare) return false;
    // No level and no time: counted in the statistics, not sampled as an entry.
    this.pend(bare, undefined, true, undefined);
    return true;
  }

  private readRecord(record: JsonRecordAssembler): void {
    this.record = undefined;
    const obj = record.object();
    this.ref.line = record.firstLine;
    this.ref.text = record.text();
    if (obj !== undefined && this.readObject(obj, undefined)) this.recognized++;
  }

  /** JSON access lines (Istio's JSON format) and JSON structured log lines (`{"level","time","msg"}`). */
  private readObject(obj: Record<string, unknown>, outer: string | undefined): boolean {
    if (isJsonAccess(obj)) {
      this.countAccess(readAccessJson(obj, outer), false);
      return true;
    }
    const level = jsonLevel(obj);
    if (!level) return false;
    this.leveled(readJsonLogLine(obj, level, outer));
    return true;
  }

  /** `fromText`: the fields are those of `accessText.read`, completed only when the line is sampled. */
  private countAccess(fields: AccessFields, fromText: boolean): void {
    const code = String(fields.code);
    this.byCode[code] = (this.byCode[code] ?? 0) + 1;
    this.accessStats.add(fields, this.ref);
    const failing = isFailing(fields.code, fields.flags ?? '-');
    if (!this.access.wants(failing)) return;
    this.access.add(accessEntry(fromText ? this.accessText.complete(fields) : fields, provenanceOf(this.ref)), failing);
  }

  /**
   * A line with a level: counted, and sampled into `ztunnelEntries` when it is an error/warn line or carries
   * an `error` field (priority), or is an access record (`access` scope) while there is room.
   */
  private leveled(l: LeveledLine): void {
    this.byLevel[l.level] = (this.byLevel[l.level] ?? 0) + 1;
    const severe = SEVERE.has(l.level);
    const isAccess = l.scope === 'access';
    // No `error=` anywhere and not severe: the line has no priority, and costs no parsing unless it is kept.
    const healthy = !severe && !mayCarryError(l);
    let sampled = false;
    if (healthy) {
      if (!isAccess) return;
      sampled = this.ztunnel.wants(false);
      const quick = sampled ? undefined : typeof l.fields === 'object' ? l.fields : flowFields(l.fields ?? l.message);
      if (quick) {
        this.pend(quick, l.level, isConnectionEnd(l.message), undefined);
        return;
      }
    }
    const { message, fields } = messageAndFields(l);
    const error = fields['error'];
    const priority = severe || error !== undefined;
    // `error=` may have been inside another value: decided only now that the fields are read.
    if (!healthy) sampled = (priority || isAccess) && this.ztunnel.wants(priority);
    let entry: ZtunnelLogEntry | undefined;
    if (sampled) {
      entry = {
        ...(l.time ? { time: own(l.time) } : {}),
        level: l.level,
        message: own(l.scope ? `${l.scope} ${message}` : message),
        fields: ownFields(fields),
        ...(error !== undefined ? { error: own(error) } : {}),
        source: provenanceOf(this.ref),
      };
      this.ztunnel.add(entry, priority);
    }
    if (isAccess) {
      this.pend(fields, l.level, isConnectionEnd(message), entry);
    } else if (error !== undefined) {
      this.ztunnelStats.error(error, this.ref);
    }
  }

  /** Holds an access record until the next line shows whether it goes on (see PendingAccess). */
  private pend(fields: PendingAccess['fields'], level: string | undefined, connection: boolean, entry: ZtunnelLogEntry | undefined): void {
    this.pending = { fields, level, connection, ref: { ...this.ref }, entry };
  }

  /** Takes `line` into the pending access record when it holds only its further fields. */
  private continues(pending: PendingAccess, line: string): boolean {
    const more = readContinuation(line);
    if (!more) return false;
    Object.assign(pending.fields, more);
    if (pending.entry) {
      Object.assign(pending.entry.fields, ownFields(more));
      if (more['error'] !== undefined) pending.entry.error = own(more['error']);
    }
    this.recognized++;
    return true;
  }

  private flushPending(): void {
    const { fields, level, connection, ref } = this.pending!;
    this.pending = undefined;
    if (connection) this.ztunnelStats.connection(fields, level, ref);
    else this.ztunnelStats.accessLine();
    if (fields['error'] !== undefined) this.ztunnelStats.error(fields['error'], ref);
  }
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
