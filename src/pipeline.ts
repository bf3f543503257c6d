/**
 * read -> sniff/parse -> model -> rules, in one pass over the bundle. Each file is parsed as it
 * streams out of the archive and its bytes are dropped right after; only records stay.
 */
import { pathContext } from './bundle/layout.js';
import { collect, readBundleEntries } from './bundle/read.js';
import type { BundleLimits, BundleReadSummary } from './bundle/types.js';
import { buildSnapshot } from './model/build.js';
import type { ClusterSnapshot } from './model/snapshot.js';
import type { WaypointBinding } from './model/waypoint.js';
import { headLines, parseFile, type ParsedFile } from './parse/index.js';
import { createLogParser, detectLog, LineSplitter, logParseResult, type LogKind } from './parse/logs.js';
import { HEAD_LINES } from './parse/parser.js';
import { decodeText } from './text/decode.js';
import type { Diagnostic, FileKind, Provenance } from './parse/types.js';
import { runRules, type RuleResult } from './rules/engine.js';
import { applySuppressions, type SuppressedFinding, type Suppression } from './rules/suppress.js';
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
  /** istiod's WaypointBound condition, e.g. `False (WaypointIsNotReady)`. */
  istiod?: string;
  explanation: string;
  source: Provenance;
  observedSource?: Provenance;
}

/** What the collector's manifest says about the run: where from, and which captures failed or were skipped. */
export interface CollectionInfo {
  collector: string;
  context: string;
  cluster?: string;
  startedAt: string;
  finishedAt: string;
  namespaces: string[];
  interrupted: boolean;
  redactions: Record<string, number>;
  versions?: Record<string, string>;
  commands: number;
  /** Commands that failed, timed out or did not run, with the start of what they printed on stderr. */
  problems: { command: string; file: string; exitCode: number | null; timedOut: boolean; skipped?: string; stderr?: string }[];
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
  /** Findings that `--ignore` or `.waypoint-analyze.yaml` suppressed: not in `findings` nor `counts`, but listed. */
  suppressed: SuppressedFinding[];
  /** From manifest.json, when the bundle was made by waypoint-collect. */
  collection?: CollectionInfo;
}

export interface AnalyzeOptions {
  limits: BundleLimits;
  rules: readonly Rule[];
  /** Findings to leave out of `findings` and `counts` (they are listed in `suppressed`). */
  suppressions?: readonly Suppression[];
  /** Called once per file as it is parsed, for progress output. */
  onFile?: (file: ParsedFile) => void;
}

/** Bytes read before deciding whether a file is a log to stream or a capture to read whole. */
const HEAD_BYTES = 64 * 1024;

/**
 * Reads and parses every file of a bundle in one pass. Logs larger than the head are parsed line
 * by line as they stream; every other file is read whole, parsed once, and its bytes dropped.
 */
export async function readParsedFiles(bundlePath: string, limits: BundleLimits, onFile?: (file: ParsedFile) => void): Promise<{ files: ParsedFile[]; summary: BundleReadSummary }> {
  const files: ParsedFile[] = [];
  const summary = await readBundleEntries(bundlePath, limits, async (entry) => {
    const iterator = entry.chunks[Symbol.asyncIterator]();
    const head: Buffer[] = [];
    let headBytes = 0;
    let ended = false;
    while (headBytes < HEAD_BYTES) {
      const r = await iterator.next();
      if (r.done) {
        ended = true;
        break;
      }
      head.push(r.value);
      headBytes += r.value.length;
    }
    const rest = { [Symbol.asyncIterator]: () => iterator };
    const headBuffer = Buffer.concat(head);
    const logKind = ended ? undefined : streamableLog(headBuffer);
    const parsed = logKind
      ? await parseLogStream(entry.path, logKind, headBuffer, rest)
      : parseFile(entry.path, ended ? headBuffer : Buffer.concat([headBuffer, await collect({ ...entry, chunks: rest })]));
    files.push(parsed);
    onFile?.(parsed);
  });
  return { files, summary };
}

/** A large file worth streaming line by line: a log. */
function streamableLog(head: Buffer): LogKind | undefined {
  return detectLog(headLines(decodeText(head), HEAD_LINES));
}

async function parseLogStream(file: string, kind: LogKind, head: Buffer, rest: AsyncIterable<Buffer>): Promise<ParsedFile> {
  const parser = createLogParser(file, kind);
  const splitter = new LineSplitter((line) => parser.push(line));
  let bytes = head.length;
  splitter.write(head);
  for await (const chunk of rest) {
    bytes += chunk.length;
    splitter.write(chunk);
  }
  splitter.end();
  const { kind: logKind = kind, ...result } = logParseResult(parser.finish(), parser.recognized);
  return { file, kind: logKind, bytes, context: pathContext(file), ...result };
}

export async function analyzeBundle(bundlePath: string, options: AnalyzeOptions): Promise<AnalysisResult> {
  const { files: parsed, summary } = await readParsedFiles(bundlePath, options.limits, options.onFile);
  const snapshot = buildSnapshot(parsed);
  const engine = runRules(options.rules, snapshot);
  const { kept: findings, suppressed } = applySuppressions(engine.findings, options.suppressions ?? []);
  const { rules } = engine;
  const { skipped, ...bundleSummary } = summary;
  const collection = collectionInfo(snapshot);
  if (collection.collection) explainMissingCaptures(findings, collection.collection);
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
    suppressed,
    ...collection,
  };
}

/**
 * An inconclusive finding says what to collect; when the collector did try and it failed or was
 * skipped, say that too, with what the command printed, so nobody re-runs it blindly.
 */
function explainMissingCaptures(findings: Finding[], collection: CollectionInfo): void {
  const target = (command: string) => command.split(' ').filter((w) => !w.startsWith('-')).slice(0, 3).join(' ').replace(/\.[a-z.]+\.(io|k8s\.io)$/, '');
  for (const f of findings) {
    if (f.status !== 'inconclusive' || !f.collect) continue;
    const notes = f.collect.flatMap((wanted) => {
      const problem = collection.problems.find((p) => target(p.command.replace(/ --context \S+/, '')) === target(wanted));
      if (!problem) return [];
      const outcome = problem.skipped ? `was skipped (${problem.skipped})` : problem.timedOut ? 'timed out' : `failed with exit ${problem.exitCode}${problem.stderr ? `: ${problem.stderr.split('\n')[0]}` : ''}`;
      return [`The collector ran \`${problem.command}\`, which ${outcome}.`];
    });
    if (notes.length) f.message = `${f.message} ${notes.join(' ')}`;
  }
}

function collectionInfo(snapshot: ClusterSnapshot): { collection?: CollectionInfo } {
  const manifest = snapshot.records.manifests[0];
  if (!manifest) return {};
  // stderr files sit beside manifest.json: match them by their path under the same root.
  const root = manifest.source.file.slice(0, -'manifest.json'.length);
  const stderr = new Map(snapshot.records.stderr.map((s) => [s.file.slice(root.length), s.text]));
  const commands = Array.isArray(manifest.commands) ? manifest.commands : [];
  const collection: CollectionInfo = {
    collector: `${manifest.collector?.name ?? 'waypoint-collect'} ${manifest.collector?.version ?? ''}`.trim(),
    context: manifest.context ?? '',
    startedAt: manifest.startedAt ?? '',
    finishedAt: manifest.finishedAt ?? '',
    namespaces: Array.isArray(manifest.namespaces) ? manifest.namespaces : [],
    interrupted: manifest.interrupted === true,
    redactions: manifest.redactions ?? {},
    commands: commands.length,
    problems: commands
      .filter((c) => c.exitCode !== 0 || c.timedOut || c.skipped)
      .map((c) => {
        const text = c.stderrFile ? stderr.get(c.stderrFile) : undefined;
        return {
          command: (c.argv ?? []).join(' '),
          file: c.file,
          exitCode: c.exitCode,
          timedOut: c.timedOut === true,
          ...(c.skipped ? { skipped: c.skipped } : {}),
          ...(text ? { stderr: text.split('\n').slice(0, 3).join('\n') } : {}),
        };
      }),
  };
  if (manifest.cluster) collection.cluster = manifest.cluster;
  if (manifest.versions) collection.versions = manifest.versions;
  return { collection };
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
      if (b.istiod) row.istiod = `${b.istiod.status}${b.istiod.reason ? ` (${b.istiod.reason})` : ''}`;
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
