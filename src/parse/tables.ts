/**
 * Every istioctl table, through one reader: each table kind is a spec (how to know its header, how
 * to turn a row into a record), and one parser finds all known tables in a file, so a
 * `ztunnel-config all` capture (several tables, optional banners) is read like single tables.
 */
import { knownShape, type ShapeOf } from './row-shapes.js';
import { findHeader, headerLabels, isHeaderCandidate, readTable, type Table, type TableRow } from './tabwriter.js';
import { excerpt, type FileParser } from './parser.js';
import type { Diagnostic, FileKind, ParsedRecords, ParseResult, Provenance } from './types.js';

type RecordOf<K extends keyof ParsedRecords> = ParsedRecords[K][number];

export interface TableSpec<K extends keyof ParsedRecords = keyof ParsedRecords> {
  kind: FileKind;
  key: K;
  /** What a record is called in summaries: `workloads`, `proxies`, ... */
  noun: string;
  isHeader(labels: string[]): boolean;
  /** The record of a row, or undefined to skip it; `problem` reports what could not be read either way. */
  toRecord(row: TableRow, table: Table, file: string, problem: (message: string) => void): RecordOf<K> | undefined;
  /** A note on the table's layout for the inventory, e.g. which proxy-status era. */
  describe?(table: Table): string;
  /**
   * Every header istioctl printed for this table, newest first, to read rows pasted without one
   * (`istioctl ps | grep x`). `anchored` ones have a column distinctive enough (`HBONE`, `SYNCED`)
   * to recognize rows with no command line above them either.
   */
  headers: { labels: string[]; anchored: boolean }[];
  /** Each column's value shape, to read rows whose spacing was lost (default: `knownShape`; null: none known). */
  shapeOf?: ShapeOf | null;
}

/** Keeps each spec's record type checked where it is written, and lets specs share one list. */
export function defineTable<K extends keyof ParsedRecords>(spec: TableSpec<K>): TableSpec {
  return spec as unknown as TableSpec;
}

/** Reads every table of `specs` in the file; the file's kind is its tables' kind, or `mixedKind` when several. */
export function tableParser(kind: FileKind, specs: readonly TableSpec[], mixedKind: FileKind): FileParser {
  const specFor = (labels: string[]) => specs.find((s) => s.isHeader(labels));
  return {
    kind,
    detect: ({ head }) => findHeader(head, (labels) => specFor(labels) !== undefined),
    parse({ file, lines }): ParseResult {
      const records: Partial<Record<keyof ParsedRecords, unknown[]>> = {};
      const diagnostics: Diagnostic[] = [];
      const counts = new Map<TableSpec, number>();
      const notes: string[] = [];
      const incomplete = new Set<keyof ParsedRecords>();
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!;
        if (!isHeaderCandidate(line)) continue;
        const spec = specFor(headerLabels(line));
        if (!spec) continue;
        const read = readTable(lines, i, file, spec.shapeOf === null ? undefined : spec.shapeOf ?? knownShape);
        diagnostics.push(...read.diagnostics);
        const list = (records[spec.key] ??= []);
        for (const row of read.table.rows) {
          const record = spec.toRecord(row, read.table, file, (message) => diagnostics.push({ file, line: row.line, message }));
          if (record !== undefined) list.push(record);
        }
        counts.set(spec, (counts.get(spec) ?? 0) + read.table.rows.length);
        if (read.table.elided) incomplete.add(spec.key);
        if (spec.describe) notes.push(spec.describe(read.table));
        i = read.end - 1;
      }
      const kinds = new Set([...counts.keys()].map((s) => s.kind));
      const summary = [...counts].map(([s, n]) => `${n} ${s.noun}`).join(', ') + (notes.length ? ` (${[...new Set(notes)].join('; ')})` : '');
      return {
        kind: kinds.size === 1 ? [...kinds][0]! : kinds.size > 1 ? mixedKind : kind,
        records: records as Partial<ParsedRecords>,
        diagnostics,
        ...(incomplete.size ? { incomplete: [...incomplete] } : {}),
        summary: (summary || 'no table rows') + (incomplete.size ? ', rows elided' : ''),
      };
    },
  };
}

/** A row's provenance: its file, line and text. */
export function rowSource(file: string, row: TableRow): Provenance {
  return { file, line: row.line, excerpt: excerpt(row.text) };
}

/** The first non-empty cell among `labels` (header variants such as `POD NAME`/`NAME`), or undefined after reporting it. */
export function requiredCell(row: TableRow, labels: string[], problem: (message: string) => void): string | undefined {
  for (const label of labels) if (row.cells[label]) return row.cells[label];
  problem(`row has no ${labels.join('/')}; skipped`);
  return undefined;
}
