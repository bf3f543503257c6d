/**
 * Tables stay tables: a row is cut at its header's offsets (as the parsers cut it), each cell is
 * rewritten, and the columns are padded again the way Go's tabwriter pads them (each column as wide
 * as its widest cell plus the table's padding, the last cell unpadded), with the padding the input
 * used (1 for ztunnel-config, 5 for proxy-status). Rows that are not aligned (a hand-edited paste)
 * are rewritten word by word and keep their spacing.
 */
import { isCommandLine } from '../parse/paste.js';
import { isHeaderCandidate, splitHeader, type TableColumn } from '../parse/tabwriter.js';

const LABEL_WORD = /^[A-Z][A-Z0-9()_./-]*$/;

/** Rewrites `lines` in place where they form tables; returns the indexes it rewrote. */
export function realignTables(lines: string[], rewriteCell: (cell: string) => string): Set<number> {
  const done = new Set<number>();
  for (let i = 0; i < lines.length; i++) {
    const header = lines[i]!;
    if (!isHeaderCandidate(header) || header.includes('\t')) continue;
    const columns = splitHeader(header);
    if (columns.length < 2 || !header.trim().split(/\s+/).every((w) => LABEL_WORD.test(w))) continue;
    const indent = header.length - header.trimStart().length;
    let end = i + 1;
    while (end < lines.length && lines[end]!.trim() !== '' && !isCommandLine(lines[end]!) && lines[end]!.length - lines[end]!.trimStart().length >= indent) end++;
    const rows = lines.slice(i + 1, end);
    if (rows.length === 0 || !rows.every((row) => isAligned(row, columns))) continue;
    const padding = paddingOf([header, ...rows], columns);
    const table = [header, ...rows].map((line, r) => cut(line, columns).map((cell) => (r === 0 ? cell : rewriteCell(cell))));
    const widths = columns.map((_, k) => Math.max(...table.map((cells) => width(cells[k]!))));
    table.forEach((cells, r) => {
      lines[i + r] = ' '.repeat(indent) + cells.map((cell, k) => (k === cells.length - 1 ? cell : cell + ' '.repeat(widths[k]! - width(cell) + padding))).join('').replace(/ +$/, (pad) => (isTrailingPaddingKept(lines[i + r]!) ? pad : ''));
      done.add(i + r);
    });
    i = end - 1;
  }
  return done;
}

/** Tabwriter pads every cell but the last with at least one space, so a cut must follow a space. */
function isAligned(row: string, columns: readonly TableColumn[]): boolean {
  return columns.every((c, k) => k === 0 || c.start >= row.length || row[c.start - 1] === ' ');
}

function cut(line: string, columns: readonly TableColumn[]): string[] {
  return columns.map((c, k) => line.slice(c.start, k + 1 < columns.length ? columns[k + 1]!.start : undefined).trim());
}

/** The smallest gap between a column's widest cell and the next column: the table's padding. */
function paddingOf(lines: readonly string[], columns: readonly TableColumn[]): number {
  let padding = Infinity;
  for (let k = 0; k + 1 < columns.length; k++) {
    const widest = Math.max(...lines.map((line) => width(cut(line, columns)[k]!)));
    padding = Math.min(padding, columns[k + 1]!.start - columns[k]!.start - widest);
  }
  return Number.isFinite(padding) && padding >= 1 ? padding : 1;
}

/** A row whose last cell is empty ends in the previous column's padding in real output; keep that. */
function isTrailingPaddingKept(original: string): boolean {
  return / $/.test(original);
}

function width(s: string): number {
  return [...s].length;
}
