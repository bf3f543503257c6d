/**
 * One reader for every table istioctl prints. They are all Go tabwriter output: a column starts at
 * the same offset on every line, so cells are cut at the header labels' offsets. Splitting on
 * whitespace would be wrong: cells may be empty, values may hold spaces (`NOT SENT`,
 * `SYNCED (6m40s)`), and padding-1 tables separate columns by a single space.
 */
import { alignTokens, cellsFitShapes, describeReading, rowTokens, type ShapeOf } from './row-shapes.js';
import { isCommandLine, isElision } from './paste.js';
import type { Diagnostic } from './types.js';

/** Header labels made of several words. A header word pair not listed here is two columns. */
const MULTI_WORD_LABELS = new Set([
  'POD NAME',
  'POD IP',
  'WORKLOAD IP',
  'L7 SUPPORT',
  'SERVICE NAME',
  'SERVICE VIP',
  'POLICY NAME',
  'CERTIFICATE NAME',
  'RESOURCE NAME',
  'VALID CERT',
  'SERIAL NUMBER',
  'NOT AFTER',
  'NOT BEFORE',
  'TRUST DOMAIN',
  'REMOTE TARGET',
  'SUBSCRIBED TYPES',
  'TRAFFIC TYPE',
  'SERVICE FQDN',
  'DESTINATION RULE',
  'VIRTUAL SERVICE',
  'VHOST NAME',
  'OUTLIER CHECK',
]);

export interface TableColumn {
  label: string;
  start: number;
}

export interface TableRow {
  /** Cell text by column label, trimmed; empty string for an empty cell. */
  cells: Record<string, string>;
  /** 1-based line number in the file. */
  line: number;
  text: string;
}

export interface Table {
  columns: TableColumn[];
  headerLine: number;
  rows: TableRow[];
  /** Rows were left out by hand (`...`, `…`): the table is not the whole output. */
  elided?: boolean;
}

/** Header labels with their start offsets; multi-word labels are joined when separated by one space. */
export function splitHeader(header: string): TableColumn[] {
  const words: TableColumn[] = [];
  for (const m of header.matchAll(/\S+/g)) words.push({ label: m[0], start: m.index });
  const columns: TableColumn[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const next = words[i + 1];
    if (next && next.start === word.start + word.label.length + 1 && MULTI_WORD_LABELS.has(`${word.label} ${next.label}`)) {
      columns.push({ label: `${word.label} ${next.label}`, start: word.start });
      i++;
    } else {
      columns.push(word);
    }
  }
  return columns;
}

/** A row that ends in an elision mark was cut by whoever pasted it. */
const TRAILING_ELISION = /\s*(?:\.\.\.|…)\s*$/;

/**
 * Reads the table whose header is `lines[headerIndex]`: rows run to the first blank line, the next
 * `$ command` line, a line indented less than an indented header, or the end. With `shapeOf`, a row
 * the header's offsets cannot cut (collapsed spacing, hand edits) is read by its values' shapes.
 */
export function readTable(lines: readonly string[], headerIndex: number, file: string, shapeOf?: ShapeOf): { table: Table; diagnostics: Diagnostic[]; end: number } {
  const header = lines[headerIndex] ?? '';
  const indent = indentOf(header);
  const columns = splitHeader(header);
  // A header whose labels are all one space apart was collapsed (or typed): its offsets cut nothing.
  const trustOffsets = columns.length < 3 || columns.some((c, k) => k > 0 && c.start - (columns[k - 1]!.start + columns[k - 1]!.label.length) > 1);
  const rows: TableRow[] = [];
  const diagnostics: Diagnostic[] = [];
  let elided = false;
  let i = headerIndex + 1;
  for (; i < lines.length; i++) {
    const text = lines[i]!;
    if (text.trim() === '' || isCommandLine(text) || indentOf(text) < indent) break;
    if (isElision(text) || TRAILING_ELISION.test(text)) elided = true;
    if (isElision(text)) continue;
    const read = readRow(text, columns, shapeOf, trustOffsets);
    if (read.problem) diagnostics.push({ file, line: i + 1, message: read.problem });
    if (read.cells) rows.push({ cells: read.cells, line: i + 1, text });
  }
  return { table: { columns, headerLine: headerIndex + 1, rows, ...(elided ? { elided } : {}) }, diagnostics, end: i };
}

/** One row's cells (undefined when it cannot be read without guessing), and what went wrong. */
export function readRow(text: string, columns: readonly TableColumn[], shapeOf?: ShapeOf, trustOffsets = true): { cells?: Record<string, string>; problem?: string } {
  const labels = columns.map((c) => c.label);
  // `row-name  SYNCED ...`: whoever pasted it cut the row; the columns it never reaches are unknown.
  const elided = TRAILING_ELISION.test(text);
  const body = elided ? text.replace(TRAILING_ELISION, '') : text;
  const cut = cutAtOffsets(body, columns);
  const { cells } = cut;
  // A header one space apart is collapsed, or a padding-1 table whose values are all shorter than
  // its labels: then a row padded with runs of spaces still says its offsets are real.
  const aligned = cut.aligned && (trustOffsets || !shapeOf || / {2}/.test(body.trim()));
  if (!shapeOf) return aligned ? { cells } : splitBySpacing(body, columns, cells);
  if (aligned) {
    if (cellsFitShapes(cells, shapeOf)) return { cells };
    const partial = readCutRow(body, columns, cells, shapeOf);
    if (partial) return elided ? { cells: partial.cells } : partial;
  }
  const tokens = rowTokens(body);
  const alignment = alignTokens(tokens, labels, shapeOf, elided);
  if (alignment.kind === 'one') return { cells: alignment.cells };
  // Real tabwriter output holding values of shapes we do not know (a newer istioctl): its offsets are right.
  if (aligned) return { cells };
  if (alignment.kind === 'ambiguous') {
    const [a, b] = alignment.readings as [Record<string, string>, Record<string, string>];
    return { problem: `row can be read two ways (${describeReading(a, b)} or ${describeReading(b, a)}); skipped` };
  }
  // One value per column is what a person reads too (values are apart by runs of spaces, or by one
  // space in a collapsed row); the values that do not look right are said.
  const values = [body.trim().split(/\s{2,}/), tokens].find((v) => v.length === labels.length);
  if (values) {
    const read = Object.fromEntries(labels.map((l, k) => [l, values[k]!]));
    const odd = labels.filter((l) => !cellsFitShapes({ [l]: read[l]! }, shapeOf));
    return { cells: read, problem: `row read one value per column, but ${odd.map((l) => `${l} '${read[l]}'`).join(', ')} ${odd.length > 1 ? 'are' : 'is'} not what istioctl prints there` };
  }
  return { problem: `row does not fit the columns ${labels.join(', ')}, by position or by its values; skipped` };
}

/**
 * A real row cut at a width: the columns it reaches read by offset, the others unknown; the last one
 * it reaches may hold half a value (`NOT S`), which is dropped rather than misread.
 */
function readCutRow(text: string, columns: readonly TableColumn[], cells: Record<string, string>, shapeOf: ShapeOf): { cells: Record<string, string>; problem: string } | undefined {
  const reached = columns.filter((c) => c.start < text.trimEnd().length);
  if (reached.length === 0 || reached.length === columns.length) return undefined;
  const partial = Object.fromEntries(reached.map((c) => [c.label, cells[c.label]!]));
  if (cellsFitShapes(partial, shapeOf)) return { cells: partial, problem: `row ends before column ${columns[reached.length]!.label} (cut?); read up to there` };
  const last = reached[reached.length - 1]!.label;
  delete partial[last];
  if (reached.length > 1 && cellsFitShapes(partial, shapeOf)) return { cells: partial, problem: `row ends in column ${last} (cut?); read up to there` };
  return undefined;
}

function cutAtOffsets(text: string, columns: readonly TableColumn[]): { cells: Record<string, string>; aligned: boolean } {
  const cells: Record<string, string> = {};
  let aligned = true;
  for (let k = 0; k < columns.length; k++) {
    const col = columns[k]!;
    const end = k + 1 < columns.length ? columns[k + 1]!.start : text.length;
    // Tabwriter pads every cell but the last with at least one space, so a cut must follow a space.
    if (k > 0 && col.start < text.length && isWordChar(text[col.start - 1])) aligned = false;
    cells[col.label] = text.slice(col.start, end).trim();
  }
  return { cells, aligned };
}

/**
 * Hand-edited output of a table whose values have no known shapes: if splitting at runs of spaces,
 * then at any space, yields one token per column, trust it. Runs first, so `NOT SENT` stays one value.
 */
function splitBySpacing(text: string, columns: readonly TableColumn[], cells: Record<string, string>): { cells: Record<string, string>; problem?: string } {
  for (const separator of [/\s{2,}/, /\s+/]) {
    const tokens = text.trim().split(separator);
    if (tokens.length === columns.length) return { cells: Object.fromEntries(columns.map((c, k) => [c.label, tokens[k]!])) };
  }
  return { cells, problem: `row is not aligned with the header columns (${columns.map((c) => c.label).join(', ')}) and could not be split by spacing; cells may be misread` };
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && ch !== ' ' && ch !== '\t';
}

/** A cheap test before splitting a line into labels: headers are upper case, possibly indented. */
export function isHeaderCandidate(line: string): boolean {
  return /^\s*[A-Z][A-Z ]/.test(line);
}

export function headerLabels(line: string): string[] {
  return splitHeader(line).map((c) => c.label);
}

/** The index of the first line that is a header `isHeader` accepts. */
export function findHeader(lines: readonly string[], isHeader: (labels: string[]) => boolean): number {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (isHeaderCandidate(line) && isHeader(headerLabels(line))) return i;
  }
  return -1;
}
