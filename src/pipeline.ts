/**
 * read -> sniff/parse -> model -> rules, in one pass over the bundle. Each file is parsed as it
 * streams out of the archive and its bytes are dropped right after; only records stay.
 */
import { readBundle } from './bundle/read.js';
import type { BundleLimits, BundleReadSummary } from './bundle/types.js';
import { buildSnapshot, type ClusterSnapshot } from './model/snapshot.js';
import type { WaypointBinding } from './model/waypoint.js';
import { parseFile, type ParsedFile } from './parse/index.js';
import type { Diagnostic, FileKind, Provenance } from './parse/types.js';
import { runRules, type RuleResult } from './rules/engine.js';
import type { Finding, Rule } from './rules/types.js';
import { VERSION } from './version.js';

export interface FileEntry {
  path: string;
  kind: FileKind;
  bytes: number;
  summary: string;
  problems: number;
}

/** A Service or Pod with the waypoint its labels ask for beside the one ztunnel shows. */
export interface BindingRow {
  kind: string;
  namespace: string;
  name: string;
  state: WaypointBinding['state'];
  /** `namespace/name` the labels ask for, `none` for an opt-out, empty without a label. */
  requested: string;
  expected: string;
  observed?: string;
  /** Undefined when ztunnel's view of this object is not in the bundle. */
  agrees?: boolean;
  explanation: string;
  source: Provenance;
  observedSource?: Provenance;
}

export interface AnalysisResult {
  tool: { name: string; version: string };
  generatedAt: string;
  bundle: { path: string } & Omit<BundleReadSummary, 'skipped'>;
  findings: Finding[];
  rules: RuleResult[];
  bindings: BindingRow[];
  files: FileEntry[];
  skipped: BundleReadSummary['skipped'];
  /** What parsers could not read: "parse problems" in the report. */
  diagnostics: Diagnostic[];
  counts: { error: number; warning: number; info: number; inconclusive: number };
}

export interface AnalyzeOptions {
  limits: BundleLimits;
  rules: readonly Rule[];
  /** Called once per file as it is parsed, for progress output. */
  onFile?: (file: ParsedFile) => void;
}

export async function analyzeBundle(bundlePath: string, options: AnalyzeOptions): Promise<AnalysisResult> {
  const parsed: ParsedFile[] = [];
  const summary = await readBundle(bundlePath, options.limits, (file) => {
    const result = parseFile(file.path, file.data);
    parsed.push(result);
    options.onFile?.(result);
  });
  const snapshot = buildSnapshot(parsed);
  const { findings, rules } = runRules(options.rules, snapshot);
  const { skipped, ...bundleSummary } = summary;
  return {
    tool: { name: 'waypoint-analyze', version: VERSION },
    generatedAt: new Date().toISOString(),
    bundle: { path: bundlePath, ...bundleSummary },
    findings,
    rules,
    bindings: bindingRows(snapshot),
    files: parsed.map((f) => ({ path: f.file, kind: f.kind, bytes: f.bytes, summary: f.summary, problems: f.diagnostics.length })),
    skipped,
    diagnostics: parsed.flatMap((f) => f.diagnostics),
    counts: countFindings(findings),
  };
}

function bindingRows(snapshot: ClusterSnapshot): BindingRow[] {
  return snapshot.bindings
    .filter((b) => b.state !== 'no-label' || b.observed?.waypoint && b.observed.waypoint !== 'None')
    .map((b) => {
      const row: BindingRow = {
        kind: b.subject.kind,
        namespace: b.subject.namespace ?? '',
        name: b.subject.name,
        state: b.state,
        requested: b.request ? `${b.request.namespace}/${b.request.name}` : b.state === 'opted-out' ? 'none' : '',
        expected: b.expected,
        explanation: b.explanation,
        source: b.request?.label ?? b.subject.source,
      };
      if (b.observed) {
        row.observed = b.observed.waypoint;
        row.agrees = b.observed.waypoint === b.expected;
        row.observedSource = b.observed.source;
      }
      return row;
    })
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
}

function countFindings(findings: readonly Finding[]): AnalysisResult['counts'] {
  const counts = { error: 0, warning: 0, info: 0, inconclusive: 0 };
  for (const f of findings) {
    if (f.status === 'inconclusive') counts.inconclusive++;
    else counts[f.severity]++;
  }
  return counts;
}
