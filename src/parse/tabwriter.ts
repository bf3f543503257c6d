/**
 * One reader for every table istioctl prints. They are all Go tabwriter output: a column starts at
 * the same offset on every line, so cells are cut at the header labels' offsets. Splitting on
 * whitespace would be wrong: cells may be empty, values may hold spaces (`NOT SENT`,
 * `SYNCED (6m40s)`), and padding-1 tables separate columns by a single space.
 */
import type { Diagnostic } from './types.js';

/** Header labels made of several words. A header word pair not listed here is two columns. */
const MULTI_WORD_LABELS = new Set([
  'POD NAME',
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

/** Lines that hand-edited documentation puts in place of elided rows, and doc-site markup. */
export function isElision(line: string): boolean {
  const t = line.trim();
  return t === '...' || t === '…' || /^-*\s*snip\s*-*$/i.test(t) || t === '<snip>' || t.startsWith('{{<');
}

/** A `$ istioctl ...` line as pasted in front of an output in docs and tickets. */
export function isCommandLine(line: string): boolean {
  return /^\s*\$ /.test(line);
}

/**
 * Reads the table whose header is `lines[headerIndex]`: rows run to the first blank line, the
 * next `$ command` line, or the end. Misaligned rows are read as well as possible and reported.
 */
export function readTable(lines: readonly string[], headerIndex: number, file: string): { table: Table; diagnostics: Diagnostic[]; end: number } {
  const columns = splitHeader(lines[headerIndex] ?? '');
  const rows: TableRow[] = [];
  const diagnostics: Diagnostic[] = [];
  let i = headerIndex + 1;
  for (; i < lines.length; i++) {
    const text = lines[i]!;
    if (text.trim() === '' || isCommandLine(text)) break;
    if (isElision(text)) continue;
    const { cells, aligned } = cutRow(text, columns);
    if (!aligned) {
      diagnostics.push({ file, line: i + 1, message: `row is not aligned with the header columns (${columns.map((c) => c.label).join(', ')}) and could not be split by spacing; cells may be misread` });
    }
    rows.push({ cells, line: i + 1, text });
  }
  return { table: { columns, headerLine: headerIndex + 1, rows }, diagnostics, end: i };
}

function cutRow(text: string, columns: readonly TableColumn[]): { cells: Record<string, string>; aligned: boolean } {
  const cells: Record<string, string> = {};
  let aligned = true;
  for (let k = 0; k < columns.length; k++) {
    const col = columns[k]!;
    const end = k + 1 < columns.length ? columns[k + 1]!.start : text.length;
    // Tabwriter pads every cell but the last with at least one space, so a cut must follow a space.
    if (k > 0 && col.start < text.length && isWordChar(text[col.start - 1])) aligned = false;
    cells[col.label] = text.slice(col.start, end).trim();
  }
  if (!aligned) {
    // Hand-edited output (docs, a pasted ticket): if splitting at runs of spaces, then at any space,
    // yields exactly one token per column, trust it. Runs first, so `NOT SENT` stays one value.
    for (const separator of [/\s{2,}/, /\s+/]) {
      const tokens = text.trim().split(separator);
      if (tokens.length === columns.length) {
        columns.forEach((c, k) => (cells[c.label] = tokens[k]!));
        return { cells, aligned: true };
      }
    }
  }
  return { cells, aligned };
}

function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && ch !== ' ' && ch !== '\t';
}

/** Every table in `lines` whose header satisfies `isHeader` (a file may hold several, as `ztunnel-config all` does). */
export function findTables(
  lines: readonly string[],
  file: string,
  isHeader: (labels: string[]) => boolean,
): { tables: Table[]; diagnostics: Diagnostic[] } {
  const tables: Table[] = [];
  const diagnostics: Diagnostic[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!/^[A-Z]/.test(line) || !isHeader(headerLabels(line))) continue;
    const read = readTable(lines, i, file);
    tables.push(read.table);
    diagnostics.push(...read.diagnostics);
    i = read.end;
  }
  return { tables, diagnostics };
}

export function headerLabels(line: string): string[] {
  return splitHeader(line).map((c) => c.label);
}

/** The index of the first line that is a header `isHeader` accepts. */
export function findHeader(lines: readonly string[], isHeader: (labels: string[]) => boolean): number {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^[A-Z]/.test(line) && isHeader(headerLabels(line))) return i;
  }
  return -1;
}
