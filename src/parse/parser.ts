/** The contract between the sniffer and the per-kind parsers. */
import type { PathContext } from '../bundle/layout.js';
import type { TextLines } from '../text/lines.js';
import type { FileKind, ParseResult } from './types.js';
import { detach } from '../text/detach.js';

export interface ParseInput {
  file: string;
  /** Decoded text (BOM, UTF-16, CRLF and ANSI colours already handled). */
  text: string;
  /** The first lines of this output only: what `detect` looks at, so sniffing never splits a large file. */
  head: string[];
  /**
   * 0-based line of the file where this output starts. A paste of several outputs is read one output
   * at a time: `text` and `lines` then hold blank lines in place of the others, so line numbers
   * stay the file's, while `head` starts at this output.
   */
  firstLine: number;
  /** Every line, split on first use. */
  readonly lines: string[];
  /** Line offsets for parsers that need a few lines of a large file, split on first use. */
  readonly index: TextLines;
  /** The parsed document when the file is JSON, so it is parsed once. */
  json?: unknown;
  /** What the file's path says (the pod it came from), for the layouts known by name. */
  context?: PathContext;
  /** The command pasted above this output (`istioctl proxy-status | grep reviews`), when the paste shows one. */
  command?: string;
}

/** How many leading lines `detect` may look at. */
export const HEAD_LINES = 80;

export interface FileParser {
  kind: FileKind;
  /**
   * Decides from content alone whether this parser reads the file: the 0-based line where its format
   * starts (a table's header), or -1. When several match, the earliest start wins. Must be cheap.
   */
  detect(input: ParseInput): number;
  /** Never throws on content: what cannot be read becomes a diagnostic. */
  parse(input: ParseInput): ParseResult;
}

/** Caps an evidence excerpt so a pathological line cannot bloat the report. */
export function excerpt(line: string): string {
  const t = line.trim();
  // Kept with the records for the report: a copy, not a view pinning the whole file's text.
  return t.length > 240 ? `${t.slice(0, 237)}...` : detach(t);
}
