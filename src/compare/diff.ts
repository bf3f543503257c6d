/**
 * `diff BEFORE AFTER`: two bundles (or JSON reports written earlier by `analyze -f json`) of the same
 * cluster, usually before and after a fix. Findings are matched by rule and subject (match.ts); the
 * rest of the state by the digest each report carries (state-digest.ts).
 */
import { open, readFile, stat } from 'node:fs/promises';
import type { BundleLimits } from '../bundle/types.js';
import { InputError } from '../errors.js';
import type { BindingRow, VersionSummary } from '../inventory.js';
import { analyzeBundle } from '../pipeline.js';
import type { Finding, Rule } from '../rules/types.js';
import type { StateDigest } from '../state-digest.js';
import { findingRef, isFailingError, matchFindings, type FindingRef } from './match.js';
import { compareBindings, compareResources, compareVersions, compareWaypoints, type BindingChange, type ResourceChange, type VersionChange, type WaypointChange } from './state-changes.js';

/** What one side of a diff needs: the parts of an analysis result it compares. */
export interface Side {
  path: string;
  /** `bundle`, or `report` when read from a JSON report. */
  from: 'bundle' | 'report';
  findings: Finding[];
  bindings: BindingRow[];
  versions: VersionSummary;
  /** Absent in reports written before `diff` existed: their waypoints, policies and routes cannot be compared. */
  state?: StateDigest;
}

export interface DiffResult {
  before: { path: string; from: Side['from'] };
  after: { path: string; from: Side['from'] };
  resolved: FindingRef[];
  introduced: FindingRef[];
  persisting: FindingRef[];
  bindings: BindingChange[];
  waypoints: WaypointChange[];
  resources: ResourceChange[];
  versions: VersionChange[];
  /** What the reader should know about the comparison itself (unrelated clusters, an older report). */
  notes: string[];
}

/** A bundle is analyzed; a file holding a waypoint-analyze JSON report is read as it is. */
export async function loadSide(path: string, limits: BundleLimits, rules: readonly Rule[]): Promise<Side> {
  const report = await readReport(path);
  if (report) return report;
  const result = await analyzeBundle(path, { limits, rules });
  return { path, from: 'bundle', findings: result.findings, bindings: result.bindings, versions: result.versions, state: result.state };
}

async function readReport(path: string): Promise<Side | undefined> {
  const st = await stat(path).catch(() => undefined);
  if (!st?.isFile() || st.size > 512 * 1024 * 1024) return undefined;
  // Only a file that starts as a JSON object is read whole: a 2 GB bundle is not loaded to learn it is not a report.
  const handle = await open(path, 'r');
  const head = Buffer.alloc(64);
  try {
    await handle.read(head, 0, 64, 0);
  } finally {
    await handle.close();
  }
  if (!head.toString('utf8').trimStart().startsWith('{')) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    // A `.json` that is not JSON could still be a captured file read as a bundle of one; let the reader decide.
    return undefined;
  }
  const r = data as Partial<Side> & { schemaVersion?: unknown; tool?: { name?: string } };
  if (typeof data !== 'object' || data === null || r.tool?.name !== 'waypoint-analyze' || !Array.isArray(r.findings)) return undefined;
  if (r.schemaVersion !== 1) throw new InputError(`${path}: a waypoint-analyze report of schema version ${String(r.schemaVersion)}, which this version cannot read (it reads 1)`);
  return {
    path,
    from: 'report',
    findings: r.findings as Finding[],
    bindings: Array.isArray(r.bindings) ? r.bindings : [],
    versions: r.versions ?? { istiod: [], ztunnel: [], waypoints: [], kubernetes: [] },
    ...(r.state ? { state: r.state } : {}),
  };
}

const SYSTEM_NAMESPACES = new Set(['istio-system', 'kube-system', 'kube-public', 'istio-ingress', 'istio-gateways']);

export function diffSides(before: Side, after: Side): DiffResult {
  const matched = matchFindings(before.findings, after.findings);
  const notes: string[] = [];
  // The mesh's own Services (istiod, kube-dns) are in every cluster: only the workloads' say it is the same one.
  const services = (s: Side) => new Set(s.bindings.filter((b) => b.kind === 'Service' && !SYSTEM_NAMESPACES.has(b.namespace)).map((b) => `${b.namespace}/${b.name}`));
  const a = services(before);
  const b = services(after);
  if (a.size && b.size && ![...a].some((k) => b.has(k))) notes.push('The two sides share no Service: they look like different clusters, so every finding is new or resolved.');
  for (const side of [before, after]) if (!side.state) notes.push(`${side.path} is a report without the state digest (written before diff existed): waypoints, policies and routes are not compared.`);
  return {
    before: { path: before.path, from: before.from },
    after: { path: after.path, from: after.from },
    resolved: matched.resolved.map(findingRef),
    introduced: matched.introduced.map(findingRef),
    persisting: matched.persisting.map(findingRef),
    bindings: compareBindings(before.bindings, after.bindings),
    waypoints: before.state && after.state ? compareWaypoints(before.state.waypoints, after.state.waypoints) : [],
    resources: before.state && after.state ? compareResources(before.state.resources, after.state.resources) : [],
    versions: compareVersions(before.versions, after.versions),
    notes,
  };
}

/** `diff` exits 1 when the after side has a failing error finding the before side did not. */
export function diffFails(result: DiffResult): boolean {
  return result.introduced.some(isFailingError);
}
