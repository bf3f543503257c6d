/**
 * The ClusterSnapshot: everything parsed from one bundle, indexed once by namespace/name, with the
 * waypoint each service and pod should use (from labels) beside the one ztunnel was seen using.
 * Rules read only this, never files.
 */
import type { ParsedFile } from '../parse/index.js';
import type { KubeObject, ParsedRecords, ProxyStatusRow, ZtunnelService, ZtunnelWorkload } from '../parse/types.js';
import type { Capture } from './captures.js';
import { resolveBindings, type WaypointBinding } from './waypoint.js';

export interface ClusterSnapshot {
  /** What the bundle holds, for the engine's inconclusive checks. */
  captured: Set<Capture>;
  /** Every record of every file, by kind (tables and dumps of the same thing side by side). */
  records: ParsedRecords;
  /** Kubernetes/Istio objects by kind, then by `namespace/name` (cluster-scoped: `name`). */
  objects: Map<string, Map<string, KubeObject>>;
  ztunnel: {
    workloadByPod: Map<string, ZtunnelWorkload>;
    serviceByName: Map<string, ZtunnelService>;
  };
  proxyStatus: { byPod: Map<string, ProxyStatusRow> };
  /** Expected (labels) beside observed (ztunnel) waypoint for every Service and Pod. */
  bindings: WaypointBinding[];
}

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** Which capture a record list stands for: present (even empty) when its file held that table or section. */
const CAPTURE_OF: Partial<Record<keyof ParsedRecords, Capture>> = {
  ztunnelWorkloads: 'ztunnel-workloads',
  ztunnelServices: 'ztunnel-services',
  ztunnelPolicies: 'ztunnel-policies',
  ztunnelCertificates: 'ztunnel-certificates',
  proxyStatus: 'proxy-status',
  analyzeMessages: 'analyze',
  envoyConfigs: 'envoy-config',
  versions: 'versions',
  logs: 'logs',
};

function emptyRecords(): ParsedRecords {
  return {
    ztunnelWorkloads: [], ztunnelServices: [], ztunnelPolicies: [], ztunnelCertificates: [], ztunnelConnections: [],
    proxyStatus: [], analyzeMessages: [], kubeObjects: [], waypointList: [], versions: [], envoyConfigs: [], logs: [],
    proxyConfigRows: [], meshConfigs: [], manifests: [], stderr: [], captureErrors: [],
  };
}

export function buildSnapshot(files: readonly ParsedFile[]): ClusterSnapshot {
  const snapshot: ClusterSnapshot = {
    captured: new Set(),
    records: emptyRecords(),
    objects: new Map(),
    ztunnel: { workloadByPod: new Map(), serviceByName: new Map() },
    proxyStatus: { byPod: new Map() },
    bindings: [],
  };
  const all = snapshot.records as unknown as Record<string, unknown[]>;
  for (const file of files) {
    for (const kind of file.capturedKinds ?? []) snapshot.captured.add(`kube:${kind}`);
    for (const [key, list] of Object.entries(file.records) as [keyof ParsedRecords, unknown[]][]) {
      const capture = CAPTURE_OF[key];
      if (capture) snapshot.captured.add(capture);
      // push one by one: spreading a 20k-element array into push() can overflow the call stack.
      const target = all[key];
      if (target) for (const r of list) target.push(r);
    }
  }
  for (const o of snapshot.records.kubeObjects) addObject(snapshot, o);
  // The same pod appears once per ztunnel captured; the first one seen is kept as representative.
  for (const w of snapshot.records.ztunnelWorkloads) setOnce(snapshot.ztunnel.workloadByPod, objectKey(w.namespace, w.name), w);
  for (const s of snapshot.records.ztunnelServices) setOnce(snapshot.ztunnel.serviceByName, objectKey(s.namespace, s.name), s);
  // A bundle may hold several proxy-status captures (default table, `-v 1`, `-o json`, istiod's syncz):
  // the row that shows per-type sync state wins over one that only lists subscribed types.
  for (const p of snapshot.records.proxyStatus) {
    const key = objectKey(p.namespace, p.pod);
    const seen = snapshot.proxyStatus.byPod.get(key);
    if (!seen || (!seen.xds && p.xds)) snapshot.proxyStatus.byPod.set(key, p);
  }
  // `istioctl analyze` captured as text and as JSON says the same things once.
  snapshot.records.analyzeMessages = dedupe(snapshot.records.analyzeMessages, (m) => `${m.code}|${m.origin?.kind}|${m.origin?.namespace}|${m.origin?.name}|${m.message}`);
  snapshot.bindings = resolveBindings(snapshot);
  return snapshot;
}

function dedupe<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function setOnce<V>(map: Map<string, V>, key: string, value: V): void {
  if (!map.has(key)) map.set(key, value);
}

function addObject(snapshot: ClusterSnapshot, o: KubeObject): void {
  let byKey = snapshot.objects.get(o.kind);
  if (!byKey) snapshot.objects.set(o.kind, (byKey = new Map()));
  byKey.set(objectKey(o.namespace, o.name), o);
}

/** All objects of a kind (empty when none were captured). */
export function objectsOf(snapshot: ClusterSnapshot, kind: string): Iterable<KubeObject> {
  return snapshot.objects.get(kind)?.values() ?? [];
}

export function getObject(snapshot: ClusterSnapshot, kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
  return snapshot.objects.get(kind)?.get(objectKey(namespace, name));
}
