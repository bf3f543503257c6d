/**
 * What the report lists beside the findings, taken from the snapshot: each Service and Pod with the
 * waypoint its labels ask for beside the one ztunnel shows, each waypoint with its pods and sync
 * state, the collector's run, and for each capture the bundle lacks, whether it was tried and how
 * it failed. No diagnosis is made here; rules make them.
 */
import { kubeResourceName } from './model/captures.js';
import { waypointSyncProblems } from './model/known-waypoints.js';
import { USE_WAYPOINT } from './model/waypoint.js';
import type { ClusterSnapshot } from './model/snapshot.js';
import type { KnownWaypoint, WaypointBinding, WaypointProxy } from './model/types.js';
import { commandIntent } from './parse/paste.js';
import type { FileKind, Provenance } from './parse/types.js';
import type { CaptureToCollect } from './rules/coverage.js';

/** A Service or Pod with the waypoint its labels ask for beside the one ztunnel shows. */
export interface BindingRow {
  kind: string;
  namespace: string;
  name: string;
  /** `observed-only`: ztunnel shows it, but the bundle has no object to say what its labels ask for. */
  state: WaypointBinding['state'] | 'observed-only';
  /** `namespace/name` the labels ask for, `none` for an opt-out, empty without a label. */
  requested: string;
  /** The waypoint Istio should use; empty when the bundle cannot say (observed-only). */
  expected: string;
  observed?: string;
  /** Undefined when ztunnel's view of this object is not in the bundle, or its expected waypoint is unknown. */
  agrees?: boolean;
  /** istiod's WaypointBound condition, e.g. `False (WaypointIsNotReady)`. */
  istiod?: string;
  explanation: string;
  source: Provenance;
  observedSource?: Provenance;
}

/** A waypoint the bundle shows, known or inferred, with each of its pods' sync state. */
export interface WaypointRow {
  namespace: string;
  name: string;
  /** Only names in the tables suggest it: no Gateway, `waypoint list` row or istiod-managed pod. */
  inferred: boolean;
  evidence: { via: string; note: string; source: Provenance }[];
  proxies: {
    pod: string;
    inferred: boolean;
    /** `synced`, `not in sync: CDS STALE`, `sync state hidden (1.27+ table)`, `not in proxy-status`, `proxy-status not captured`. */
    sync: string;
    synced?: boolean;
    source?: Provenance;
  }[];
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

export function bindingRows(snapshot: ClusterSnapshot): BindingRow[] {
  const rows = snapshot.bindings
    // Every Service (the inventory answers "which waypoint does it use", none included); pods only with a waypoint of their own.
    .filter((b) => b.subject.kind === 'Service' || b.subject.kind === 'ServiceEntry' || b.request?.from === 'object' || b.subject.labels[USE_WAYPOINT] !== undefined || (b.observed?.waypoint && b.observed.waypoint !== 'None'))
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
    });
  rows.push(...observedOnlyRows(snapshot));
  return rows.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
}

/** ztunnel's rows for services and pods whose objects the bundle lacks: what ztunnel uses, expected unknown. */
function observedOnlyRows(snapshot: ClusterSnapshot): BindingRow[] {
  const rows: BindingRow[] = [];
  const services = snapshot.objects.get('Service');
  const serviceEntries = snapshot.objects.get('ServiceEntry');
  for (const [key, s] of snapshot.ztunnel.serviceByName) {
    if (services?.has(key) || serviceEntries?.has(key)) continue;
    rows.push(observedOnly('Service', s.namespace, s.name, s.waypoint, s.source, 'Service'));
  }
  const pods = snapshot.objects.get('Pod');
  for (const [key, w] of snapshot.ztunnel.workloadByPod) {
    if (pods?.has(key)) continue;
    rows.push(observedOnly('Pod', w.namespace, w.name, w.waypoint, w.source, 'Pod'));
  }
  return rows;
}

function observedOnly(kind: string, namespace: string, name: string, waypoint: string, source: Provenance, objectKind: string): BindingRow {
  return {
    kind,
    namespace,
    name,
    state: 'observed-only',
    requested: '',
    expected: '',
    observed: waypoint,
    explanation: `ztunnel ${waypoint === 'None' ? 'sends it no waypoint' : waypoint === 'NA' ? 'cannot find its waypoint' : `uses waypoint ${waypoint}`}; the bundle has no ${objectKind} object to say which waypoint its labels ask for`,
    source,
    observedSource: source,
  };
}

export function waypointRows(snapshot: ClusterSnapshot): WaypointRow[] {
  const hasProxyStatus = snapshot.captured.has('proxy-status');
  return snapshot.waypoints.map((w: KnownWaypoint) => ({
    namespace: w.namespace,
    name: w.name,
    inferred: w.inferred,
    evidence: w.evidence.map((e) => ({ via: e.via, note: e.note, source: e.source })),
    proxies: w.proxies.map((p) => ({ pod: p.pod, inferred: p.inferred, ...syncOf(p, hasProxyStatus, snapshot.complete.has('proxy-status')) })),
  }));
}

function syncOf(proxy: WaypointProxy, captured: boolean, complete: boolean): { sync: string; synced?: boolean; source?: Provenance } {
  const row = proxy.proxyStatus;
  if (!row) {
    if (!captured) return { sync: 'proxy-status not captured' };
    return { sync: complete ? 'not in proxy-status' : 'not in the part of proxy-status captured' , ...(complete ? { synced: false } : {}) };
  }
  const problems = waypointSyncProblems(row);
  if (problems.length) return { sync: `not in sync: ${problems.join(', ')}`, synced: false, source: row.source };
  if (row.subscribed?.count === 0) return { sync: 'subscribes to nothing', synced: false, source: row.source };
  if (!row.xds) return { sync: `sync state hidden (1.27+ table; subscribes ${row.subscribed?.types.join(',') ?? '?'})`, source: row.source };
  return { sync: `synced with ${row.istiod}`, synced: true, source: row.source };
}

/** Which capture an output kind is, for matching a failed command to what the bundle lacks. */
const CAPTURE_OF_KIND: Partial<Record<FileKind, string>> = {
  'proxy-status': 'proxy-status', 'proxy-status-json': 'proxy-status', 'istiod-syncz': 'proxy-status',
  'ztunnel-workloads': 'ztunnel-workloads', 'ztunnel-services': 'ztunnel-services', 'ztunnel-policies': 'ztunnel-policies',
  'ztunnel-certificates': 'ztunnel-certificates', analyze: 'analyze', 'analyze-json': 'analyze',
  'envoy-config-dump': 'envoy-config', 'istioctl-version': 'versions', log: 'logs', 'kube-resources': 'kubernetes-objects',
};

/**
 * For each capture the bundle lacks, whether it was tried: a collector command that failed or was
 * skipped, or a command whose pasted output is an error. Said so nobody re-runs it blindly.
 */
/** Whether a `kubectl get <resources>` command asked for one of these kinds. */
function kubeGetOf(command: string, captures: readonly string[]): boolean {
  const words = command.split(' ').filter((w) => !w.startsWith('-'));
  const get = words.indexOf('get');
  if (words[0] !== 'kubectl' || get === -1) return false;
  const asked = new Set((words[get + 1] ?? '').split(',').map((r) => r.split('.')[0]));
  return captures.some((c) => asked.has(kubeResourceName(c.slice('kube:'.length)).split('.')[0]!));
}

export function noteAttempts(groups: CaptureToCollect[], collection: CollectionInfo | undefined, errors: ClusterSnapshot['records']['captureErrors']): void {
  const target = (command: string) => command.replace(/ --context \S+/, '').split(' ').filter((w) => !w.startsWith('-')).slice(0, 3).join(' ').replace(/\.[a-z.]+\.(io|k8s\.io)$/, '');
  for (const group of groups) {
    for (const problem of collection?.problems ?? []) {
      const matches = group.id === 'kubernetes-objects' ? kubeGetOf(problem.command, group.captures) : group.commands.some((c) => target(problem.command) === target(c));
      if (!matches) continue;
      const outcome = problem.skipped ? `was skipped (${problem.skipped})` : problem.timedOut ? 'timed out' : `failed with exit ${problem.exitCode}${problem.stderr ? `: ${problem.stderr.split('\n')[0]}` : ''}`;
      group.attempts.push(`The collector ran \`${problem.command}\`, which ${outcome}.`);
    }
    for (const error of errors) {
      const kind = error.command ? commandIntent(error.command).kind : undefined;
      if (!kind || CAPTURE_OF_KIND[kind] !== group.id) continue;
      group.attempts.push(`\`${error.command}\` printed \`${error.message.split('\n')[0]}\` (${error.source.file}:${error.source.line}).`);
    }
  }
}

export function collectionInfo(snapshot: ClusterSnapshot): { collection?: CollectionInfo } {
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

/** Istio versions by component, from `istioctl version`, proxy-status and the proxies' own config. */
export interface VersionSummary {
  istiod: string[];
  ztunnel: string[];
  waypoints: string[];
  /** The API server's versions (`kubectl version`), when captured. */
  kubernetes: string[];
}

export function versionSummary(snapshot: ClusterSnapshot): VersionSummary {
  const istiod = new Set<string>();
  const ztunnel = new Set<string>();
  const waypoints = new Set<string>();
  const waypointPods = new Set(snapshot.waypoints.flatMap((w) => w.proxies.map((p) => `${p.pod}.${p.namespace}`)));
  for (const v of snapshot.records.versions) {
    for (const c of v.controlPlane) if (c.version) istiod.add(c.version);
    for (const d of v.dataPlane) {
      if (d.type === 'ztunnel' || d.id?.startsWith('ztunnel-')) ztunnel.add(d.version);
      else if (d.type === 'waypoint' || (d.id && waypointPods.has(d.id))) waypoints.add(d.version);
    }
  }
  for (const row of snapshot.records.proxyStatus) {
    if (!row.version) continue;
    if (row.pod.startsWith('ztunnel-')) ztunnel.add(row.version);
    else if (waypointPods.has(`${row.pod}.${row.namespace}`) || row.proxyType === 'waypoint') waypoints.add(row.version);
  }
  for (const w of snapshot.waypoints) for (const p of w.proxies) if (p.envoy?.node?.istioVersion) waypoints.add(p.envoy.node.istioVersion);
  const kubernetes = new Set(snapshot.records.kubernetesVersions.flatMap((v) => (v.server ? [v.server] : [])));
  const sorted = (s: Set<string>) => [...s].sort();
  return { istiod: sorted(istiod), ztunnel: sorted(ztunnel), waypoints: sorted(waypoints), kubernetes: sorted(kubernetes) };
}
