/**
 * Access records that span lines: a mesh `accessLogFormat` written as a YAML block (`{` and one
 * `"key": "%FIELD%",` per line) makes Envoy print every record over that many lines, and a JSON log
 * pretty-printed by hand looks the same. A record starts at a line holding only `{` and ends at the
 * line that closes it; it is bounded, and a line that cannot belong to it gives it up (the lines held
 * were no log lines anyway), so a stray `{` never swallows the log that follows.
 */
import { own } from './readers.js';

const MAX_LINES = 256;
const MAX_CHARS = 64 * 1024;

/** `"key": ...` (a member), `}`/`]` (a close), anything else (a value inside a nested array, or no record). */
const MEMBER = /^"(?:[^"\\]|\\.)*"\s*:/;

export type RecordStep = 'more' | 'done' | 'abandoned';

export class JsonRecordAssembler {
  /** 1-based line of the opening `{`. */
  readonly firstLine: number;
  private readonly lines: string[] = ['{'];
  private chars = 1;
  private depth = 1;

  constructor(firstLine: number) {
    this.firstLine = firstLine;
  }

  static starts(line: string): boolean {
    return line.trim() === '{';
  }

  /** Takes the next line: the record goes on, is complete, or cannot be one (the line is not taken). */
  add(line: string): RecordStep {
    const t = line.trim();
    if (t === '' || this.lines.length >= MAX_LINES || this.chars + t.length > MAX_CHARS) return 'abandoned';
    const first = t.charCodeAt(0);
    if (first === 125 /* } */ || first === 93 /* ] */) {
      this.depth--;
    } else if (!MEMBER.test(t) && this.depth === 1) {
      return 'abandoned';
    }
    const last = t.charCodeAt(t.length - 1);
    if (last === 123 /* { */ || last === 91 /* [ */) this.depth++;
    // Copied: the record outlives the lines it was read from only as this text.
    this.lines.push(own(t, MAX_CHARS));
    this.chars += t.length + 1;
    return this.depth <= 0 ? 'done' : 'more';
  }

  /** The record on one line, as an excerpt shows it. */
  text(): string {
    return this.lines.join(' ');
  }

  /**
   * The record's object. Published records are not always valid JSON (a stray character after a value),
   * so when the whole does not parse, each `"key": value` line is read on its own.
   */
  object(): Record<string, unknown> | undefined {
    try {
      const o: unknown = JSON.parse(this.lines.join('\n'));
      if (o && typeof o === 'object' && !Array.isArray(o)) return o as Record<string, unknown>;
    } catch {
      // read member by member below
    }
    const out: Record<string, unknown> = {};
    let members = 0;
    for (const line of this.lines) {
      const m = MEMBER_VALUE.exec(line);
      if (!m) continue;
      const key = jsonValue(`"${m[1]!}"`);
      const v = jsonValue(m[2]!);
      if (typeof key !== 'string' || key === '__proto__' || v === undefined) continue;
      out[key] = v;
      members++;
    }
    return members > 0 ? out : undefined;
  }
}

const MEMBER_VALUE = /^"((?:[^"\\]|\\.)*)"\s*:\s*(.*)$/;
const SCALAR = /^(?:"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/;

/** The scalar a member line starts its value with (what follows it, a comma or a stray character, is ignored). */
function jsonValue(text: string): unknown {
  const m = SCALAR.exec(text);
  if (!m) return undefined;
  try {
    return JSON.parse(m[0]);
  } catch {
    return undefined;
  }
}
