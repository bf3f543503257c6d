/**
 * read -> sniff/parse -> model -> rules, in one pass over the bundle. Each file is parsed as it
 * streams out of the archive and its bytes are dropped right after; only records stay.
 */
import { pathContext } from './bundle/layout.js';
import { readBundleEntries, type OnProgress } from './bundle/read.js';
import type { BundleLimits, BundleReadSummary } from './bundle/types.js';
import { buildSnapshot } from './model/build.js';
import { getObject, type ClusterSnapshot } from './model/snapshot.js';
import { headLines, parseFile, type ParsedFile, type ParsedPart } from './parse/index.js';
import { createLogParser, detectLog, LineSplitter, logParseResult, type LogKind } from './parse/logs.js';
import { KubeListStream, kubeListForm, type KubeListForm } from './parse/kube-stream.js';
import { HEAD_LINES } from './parse/parser.js';
import { decodeText } from './text/decode.js';
import type { Diagnostic, FileKind, Provenance } from './parse/types.js';
import { capturesToCollect, type CaptureToCollect } from './rules/coverage.js';
import { runRules, type RuleResult } from './rules/engine.js';
import { applySuppressions, isRuleIgnored, type SuppressedFinding, type Suppression } from './rules/suppress.js';
import type { Finding, Rule } from './rules/types.js';
import { traceToService, type Trace } from './trace/index.js';
import { VERSION } from './version.js';
import { bindingRows, collectionInfo, noteAttempts, versionSummary, waypointRows, type BindingRow, type CollectionInfo, type VersionSummary, type WaypointRow } from './inventory.js';
import { guideSteps, type GuideStep } from './guide-steps.js';
import { CONTEXT_MAX_FILE, ContextTexts } from './evidence-context.js';
import { rowVerdicts, type RowVerdicts } from './row-verdicts.js';
import { MemoryGuard, releaseLastMatch, ZtunnelFlowMerger, ZtunnelRowDeduper } from './read-budget.js';
import { waypointConfigRows, waypointLogRows, type WaypointConfigRow, type WaypointLogRow } from './waypoint-details.js';
import { findingAnchors } from './anchors.js';
import { stateDigest, type StateDigest } from './state-digest.js';

export type { BindingRow, CollectionInfo, WaypointRow } from './inventory.js';

export interface FileEntry {
  path: string;
  kind: FileKind;
  bytes: number;
  summary: string;
  problems: number;
  /** The outputs of a paste of several, each under its command line. */
  parts?: ParsedPart[];
}

/** A request path to a Service the report has a finding on, and how its client was chosen. */
export type ServiceTrace = Trace & { service: string; client: string };

export interface AnalysisResult {
  tool: { name: string; version: string };
  generatedAt: string;
  bundle: { path: string } & Omit<BundleReadSummary, 'skipped' | 'aliases'>;
  findings: Finding[];
  rules: RuleResult[];
  /** Every Service, and each Pod with a waypoint of its own: expected beside observed, and a verdict. */
  bindings: (BindingRow & RowVerdicts)[];
  files: FileEntry[];
  skipped: BundleReadSummary['skipped'];
  /** Symlinks inside the bundle to files read under their own name (each file is read once). */
  aliases: BundleReadSummary['aliases'];
  /** What parsers could not read: "parse problems" in the report. */
  diagnostics: Diagnostic[];
  counts: { error: number; warning: number; info: number; inconclusive: number; notChecked: number };
  /** What the bundle could not show, once per capture: the command to collect it and the checks it would decide. */
  notChecked: CaptureToCollect[];
  /** The waypoints the bundle shows, known or inferred, with their pods and sync state. */
  waypoints: WaypointRow[];
  /** Commands whose output is an error instead (pasted or saved by hand). */
  failedCaptures: { command?: string; message: string; source: Provenance }[];
  /** Findings that `--ignore` or `.waypoint-analyze.yaml` suppressed: not in `findings` nor `counts`, but listed. */
  suppressed: SuppressedFinding[];
  /** From manifest.json, when the bundle was made by waypoint-collect. */
  collection?: CollectionInfo;
  /** For each Service with a failing finding (at most MAX_TRACES): the path of a request to it from one client. */
  traces: ServiceTrace[];
  /** The istio.io guide's five steps, each answered from the bundle. */
  steps: GuideStep[];
  /** Istio versions of istiod, ztunnel and the waypoints. */
  versions: VersionSummary;
  /** Step 4: what each waypoint pod's log shows. */
  waypointLogs: WaypointLogRow[];
  /** Step 5: what each waypoint pod's Envoy config holds, chain by chain. */
  waypointConfigs: WaypointConfigRow[];
  /** What `diff` compares besides findings: waypoints' readiness, sync and version; policies and routes by digest. */
  state: StateDigest;
  /** Set by `analyze --baseline`: which findings the baseline already had. */
  baseline?: { path: string; known: number; new: number; resolved: { ruleId: string; severity: Finding['severity']; name: string; message: string }[] };
}

/** Traces drawn for the report, so a bundle with a thousand findings still renders a readable page. */
const MAX_TRACES = 20;

export interface AnalyzeOptions {
  limits: BundleLimits;
  rules: readonly Rule[];
  /** Findings to leave out of `findings` and `counts` (they are listed in `suppressed`). */
  suppressions?: readonly Suppression[];
  /** Called once per file as it is parsed, for progress output. */
  onFile?: (file: ParsedFile) => void;
  /** Where the run is, for a progress line: the stage, and while reading, how far. */
  onProgress?: (stage: Stage, done?: number, total?: number) => void;
  /**
   * Called with the parsed files and the findings kept, before the report is assembled: the CLI simulates
   * each proposed fix here (compare/fix-outcomes.ts), which the pipeline cannot import without a circle.
   */
  onFindings?: (files: readonly ParsedFile[], findings: Finding[], snapshot: ClusterSnapshot, all: readonly Finding[]) => void;
}

export type Stage = 'reading' | 'modelling' | 'checking' | 'reporting';

/** Bytes read before deciding whether a file is a log to stream or a capture to read whole. */
const HEAD_BYTES = 64 * 1024;

/** Files above this size are checked against the memory guard before they are parsed. */
const LARGE_FILE_BYTES = 16 * 1024 * 1024;

/**
 * Reads and parses every file of a bundle in one pass. Logs larger than the head are parsed line
 * by line as they stream; every other file is read whole, parsed once, and its bytes dropped.
 */
export async function readParsedFiles(bundlePath: string, limits: BundleLimits, onFile?: (file: ParsedFile) => void, texts?: ContextTexts, onProgress?: OnProgress, keep = true): Promise<{ files: ParsedFile[]; summary: BundleReadSummary }> {
  const files: ParsedFile[] = [];
  const dedupe = new ZtunnelRowDeduper();
  const flows = new ZtunnelFlowMerger();
  const guard = new MemoryGuard();
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
    const listForm = ended || logKind || entry.size < STREAM_LIST_BYTES ? undefined : kubeListForm(headLines(decodeText(headBuffer), HEAD_LINES));
    let parsed: ParsedFile;
    if (logKind) {
      parsed = await parseLogStream(entry.path, logKind, headBuffer, rest);
    } else if (listForm) {
      parsed = await parseKubeListStream(entry.path, listForm, headBuffer, rest);
    } else {
      // The header's size is the archive's word: never more than the per-file limit allows.
      if (keep && !ended && entry.size > LARGE_FILE_BYTES) await guard.reserve(entry.path, Math.min(entry.size, limits.maxFileBytes), files.length);
      const data = ended ? headBuffer : await fill(headBuffer, Math.min(entry.size, limits.maxFileBytes), rest);
      parsed = parseFile(entry.path, data);
      if (data.length > LARGE_FILE_BYTES) releaseLastMatch();
      if (texts && data.length <= CONTEXT_MAX_FILE) texts.offer(entry.path, decodeText(data));
    }
    // `keep: false` (inspect) hands each file on and forgets it.
    if (keep) {
      dedupe.apply(parsed);
      flows.apply(parsed);
      files.push(parsed);
      await guard.check(entry.path, files.length);
    }
    onFile?.(parsed);
  }, onProgress);
  return { files, summary };
}

/**
 * The whole file in one buffer, sized from the archive's header and filled as chunks arrive, so a
 * 100 MB capture is held once (not as chunks, then a copy, then another). A size that lies is survived.
 */
async function fill(head: Buffer, declared: number, rest: AsyncIterable<Buffer>): Promise<Buffer> {
  let out = Buffer.allocUnsafe(Math.max(declared, head.length));
  head.copy(out, 0);
  let at = head.length;
  for await (const chunk of rest) {
    if (at + chunk.length > out.length) {
      const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, at + chunk.length));
      out.copy(bigger, 0, 0, at);
      out = bigger;
    }
    chunk.copy(out, at);
    at += chunk.length;
  }
  return at === out.length ? out : out.subarray(0, at);
}

/** A large file worth streaming line by line: a log. */
function streamableLog(head: Buffer): LogKind | undefined {
  return detectLog(headLines(decodeText(head), HEAD_LINES));
}

async function parseLogStream(file: string, kind: LogKind, head: Buffer, rest: AsyncIterable<Buffer>): Promise<ParsedFile> {
  const parser = createLogParser(file, kind);
  const bytes = await streamLines(head, rest, new LineSplitter((line) => parser.push(line)));
  const { kind: logKind = kind, ...result } = logParseResult(parser.finish(), parser.recognized);
  return { file, kind: logKind, bytes, context: pathContext(file), ...result };
}

/** Feeds a file's head and the rest of its chunks through a line splitter; its size in bytes. */
async function streamLines(head: Buffer, rest: AsyncIterable<Buffer>, splitter: LineSplitter): Promise<number> {
  let bytes = head.length;
  splitter.write(head);
  for await (const chunk of rest) {
    bytes += chunk.length;
    splitter.write(chunk);
  }
  splitter.end();
  return bytes;
}

/** A kubectl List of this size or more is read item by item as it streams (kube-stream.ts), never held whole. */
const STREAM_LIST_BYTES = 8 * 1024 * 1024;
/** kubectl prints an object's annotations on one line: a last-applied-configuration can be long. */
const MAX_LIST_LINE = 16 * 1024 * 1024;

async function parseKubeListStream(file: string, form: KubeListForm, head: Buffer, rest: AsyncIterable<Buffer>): Promise<ParsedFile> {
  const list = new KubeListStream(file, form);
  const bytes = await streamLines(head, rest, new LineSplitter((line) => list.line(line), { maxLineLength: MAX_LIST_LINE }));
  return { file, kind: 'kube-resources', bytes, context: pathContext(file), ...list.finish() };
}

/** The model of a bundle, for commands that query it (`trace`) rather than run the rules. */
export async function loadSnapshot(bundlePath: string, limits: BundleLimits): Promise<ClusterSnapshot> {
  return buildSnapshot((await readParsedFiles(bundlePath, limits)).files);
}

export async function analyzeBundle(bundlePath: string, options: AnalyzeOptions): Promise<AnalysisResult> {
  const texts = new ContextTexts();
  const progress = options.onProgress;
  const { files: parsed, summary } = await readParsedFiles(bundlePath, options.limits, options.onFile, texts, progress && ((done, total) => progress('reading', done, total)));
  progress?.('modelling');
  const snapshot = buildSnapshot(parsed);
  progress?.('checking');
  const engine = runRules(options.rules, snapshot);
  const { kept: findings, suppressed } = applySuppressions(engine.findings, options.suppressions ?? []);
  options.onFindings?.(parsed, findings, snapshot, engine.findings);
  const ids = findingAnchors(findings);
  findings.forEach((f, i) => (f.id = ids[i]));
  texts.annotate(findings);
  texts.clear();
  const { rules } = engine;
  const { skipped, aliases, ...bundleSummary } = summary;
  const collection = collectionInfo(snapshot);
  const waypoints = waypointRows(snapshot);
  // A rule the user ignores is not asked for: its missing captures are not listed.
  const notRun = rules.filter((r) => r.outcome === 'not-checked' && !isRuleIgnored(r.id, options.suppressions ?? []));
  const notChecked = capturesToCollect(notRun);
  noteAttempts(notChecked, collection.collection, snapshot.records.captureErrors);
  return {
    tool: { name: 'waypoint-analyze', version: VERSION },
    generatedAt: new Date().toISOString(),
    bundle: { path: bundlePath, ...bundleSummary },
    findings,
    rules,
    bindings: withVerdicts(snapshot, bindingRows(snapshot), findings),
    waypoints,
    notChecked,
    failedCaptures: snapshot.records.captureErrors,
    files: parsed.map((f) => ({ path: f.file, kind: f.kind, bytes: f.bytes, summary: f.summary, problems: f.diagnostics.length, ...(f.parts ? { parts: f.parts } : {}) })),
    skipped,
    aliases,
    diagnostics: parsed.flatMap((f) => f.diagnostics),
    counts: { ...countFindings(findings), notChecked: notRun.length },
    suppressed,
    ...collection,
    traces: tracesFor(snapshot, findings),
    steps: guideSteps(snapshot, findings, ids),
    versions: versionSummary(snapshot),
    waypointLogs: waypointLogRows(snapshot),
    waypointConfigs: waypointConfigRows(snapshot),
    state: stateDigest(snapshot, (namespace, name) => waypoints.find((w) => w.namespace === namespace && w.name === name)?.proxies.map((p) => p.sync) ?? []),
  };
}

function withVerdicts(snapshot: ClusterSnapshot, rows: BindingRow[], findings: readonly Finding[]): (BindingRow & RowVerdicts)[] {
  const verdicts = rowVerdicts(snapshot, rows, findings);
  return rows.map((r, i) => ({ ...r, ...verdicts[i]! }));
}

/** One trace per Service that a failing finding names, from a client the bundle shows. */
function tracesFor(snapshot: ClusterSnapshot, findings: readonly Finding[]): ServiceTrace[] {
  const out: ServiceTrace[] = [];
  const seen = new Set<string>();
  for (const f of findings) {
    if (f.status !== 'fail' || f.subject?.kind !== 'Service' || out.length >= MAX_TRACES) continue;
    const key = `${f.subject.namespace}/${f.subject.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const service = getObject(snapshot, 'Service', f.subject.namespace, f.subject.name);
    try {
      const trace = service && traceToService(snapshot, service);
      if (trace) out.push({ service: key, ...trace });
    } catch {
      // A trace is an aid to the findings: a client the bundle cannot resolve costs only the trace.
    }
  }
  return out;
}

function countFindings(findings: readonly Finding[]): Omit<AnalysisResult['counts'], 'notChecked'> {
  const counts = { error: 0, warning: 0, info: 0, inconclusive: 0 };
  for (const f of findings) {
    if (f.status === 'inconclusive') counts.inconclusive++;
    else counts[f.severity]++;
  }
  return counts;
}
