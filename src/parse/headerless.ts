/**
 * Table rows pasted without their header: `istioctl proxy-status | grep reviews`, or a header cut
 * off by hand. The command line above the rows says which table they are; without one, the rows'
 * value shapes must match exactly one table (`HBONE`, `SYNCED (6m40s)`, `3/3` are distinctive).
 * Each header istioctl ever printed for that table is tried; the one that reads the most rows wins.
 */
import { commandIntent, isElision } from './paste.js';
import type { FileParser, ParseInput } from './parser.js';
import { alignTokens, knownShape, rowTokens } from './row-shapes.js';
import type { TableSpec } from './tables.js';
import type { TableColumn, TableRow } from './tabwriter.js';
import type { Diagnostic, ParsedRecords, ParseResult } from './types.js';

/** Headerless reading is for pastes; a large file with no header is something else. */
const MAX_TEXT = 256 * 1024;

interface Reading {
  spec: TableSpec;
  labels: string[];
  rows: TableRow[];
  unread: { line: number; text: string }[];
}

function contentLines(input: ParseInput): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  input.lines.forEach((text, i) => {
    if (text.trim() !== '' && !isElision(text)) out.push({ line: i + 1, text });
  });
  return out;
}

/** Reads lines as rows of one table; with `strict`, gives up at the first line that is not one (the caller rejects any). */
function readWith(spec: TableSpec, labels: string[], lines: { line: number; text: string }[], strict = false): Reading {
  const shapeOf = spec.shapeOf ?? knownShape;
  if (spec.shapeOf === null) return { spec, labels, rows: [], unread: lines };
  const rows: TableRow[] = [];
  const unread: Reading['unread'] = [];
  for (const l of lines) {
    const alignment = alignTokens(rowTokens(l.text), labels, shapeOf);
    if (alignment.kind === 'one') rows.push({ cells: alignment.cells, line: l.line, text: l.text });
    else {
      unread.push(l);
      if (strict) break;
    }
  }
  return { spec, labels, rows, unread };
}

/**
 * The best reading of the rows: among the tables the command prints (or, with no command, every
 * table's anchored headers), the header that reads the most rows. Without a command every row must
 * read, and under exactly one kind of table, or the text is not taken for table rows at all.
 */
function bestReading(input: ParseInput, specs: readonly TableSpec[]): Reading | undefined {
  // A JSON document is no table: nothing to try (and a 40 MB pods List would cost seconds).
  if (input.text.length > MAX_TEXT || input.json !== undefined) return undefined;
  const intent = input.command !== undefined ? commandIntent(input.command) : undefined;
  if (intent && !intent.kind) return undefined;
  const lines = contentLines(input);
  if (lines.length === 0) return undefined;
  const candidates = intent ? specs.filter((s) => s.kind === intent.kind) : specs;
  let best: Reading | undefined;
  const complete = new Set<string>();
  for (const spec of candidates) {
    for (const header of spec.headers) {
      if (!intent && !header.anchored) continue;
      const reading = readWith(spec, header.labels, lines, !intent);
      if (reading.unread.length === 0) complete.add(spec.kind);
      if (!best || reading.rows.length > best.rows.length) best = reading;
    }
  }
  if (!best || best.rows.length === 0) return undefined;
  if (!intent && (best.unread.length > 0 || complete.size > 1)) return undefined;
  return best;
}

export function headerlessTableParser(specs: readonly TableSpec[]): FileParser {
  return {
    kind: 'ztunnel-all',
    detect(input) {
      const reading = bestReading(input, specs);
      return reading ? reading.rows[0]!.line - 1 - input.firstLine : -1;
    },
    parse(input): ParseResult {
      const reading = bestReading(input, specs)!;
      const { spec, labels, rows, unread } = reading;
      const diagnostics: Diagnostic[] = unread.map((l) => ({ file: input.file, line: l.line, message: `not a row of the ${spec.noun} table (${labels.join(', ')}); skipped` }));
      let start = 0;
      const columns: TableColumn[] = labels.map((label) => ({ label, start: start++ }));
      const table = { columns, headerLine: 0, rows };
      const records: unknown[] = [];
      for (const row of rows) {
        const record = spec.toRecord(row, table, input.file, (message) => diagnostics.push({ file: input.file, line: row.line, message }));
        if (record !== undefined) records.push(record);
      }
      const how = input.command !== undefined ? `\`${input.command}\`` : 'their values';
      return {
        kind: spec.kind,
        records: { [spec.key]: records } as Partial<ParsedRecords>,
        diagnostics,
        // Rows without their header were picked out of a table (grep) or cut from it by hand.
        incomplete: [spec.key],
        summary: `${records.length} ${spec.noun} (rows without a header, read as ${labels.join(' ')} from ${how})`,
      };
    },
  };
}
