/**
 * Building the ClusterSnapshot from parsed files: records gathered by kind, objects and ztunnel and
 * proxy-status rows indexed once, then what is derived from them (bindings, known waypoints).
 */
import type { ParsedFile } from '../parse/index.js';
import type { KubeObject, ParsedRecords } from '../parse/types.js';
import type { Capture } from './captures.js';
import { meshConfigOfConfigMap } from '../parse/mesh-config.js';
import { identifyWaypoints } from './known-waypoints.js';
import { bindingKey, objectKey } from './snapshot.js';
import type { ClusterSnapshot } from './types.js';
import { resolveBindings } from './waypoint.js';

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
    proxyStatus: [], analyzeMessages: [], kubeObjects: [], waypointList: [], versions: [], kubernetesVersions: [], envoyConfigs: [], logs: [],
    proxyConfigRows: [], meshConfigs: [], manifests: [], stderr: [], captureErrors: [],
  };
}

export function buildSnapshot(files: readonly ParsedFile[]): ClusterSnapshot {
  const snapshot: ClusterSnapshot = {
    captured: new Set(),
    complete: new Set(),
    records: emptyRecords(),
    objects: new Map(),
    byNamespace: new Map(),
    ztunnel: { workloadByPod: new Map(), serviceByName: new Map() },
    proxyStatus: { byPod: new Map() },
    bindings: [],
    bindingOf: new Map(),
    waypoints: [],
    podLogs: [],
  };
  const all = snapshot.records as unknown as Record<string, unknown[]>;
  for (const file of files) {
    for (const kind of file.capturedKinds ?? []) {
      snapshot.captured.add(`kube:${kind}`);
      snapshot.complete.add(`kube:${kind}`);
    }
    const partial = new Set(file.incomplete ?? []);
    for (const [key, list] of Object.entries(file.records) as [keyof ParsedRecords, unknown[]][]) {
      const capture = CAPTURE_OF[key];
      if (capture) {
        snapshot.captured.add(capture);
        if (!partial.has(key)) snapshot.complete.add(capture);
      }
      // push one by one: spreading a 20k-element array into push() can overflow the call stack.
      const target = all[key];
      if (target) for (const r of list) target.push(r);
    }
    for (const log of file.records.logs ?? []) snapshot.podLogs.push({ log, ...(file.context.pod ? { pod: file.context.pod } : {}) });
  }
  for (const o of snapshot.records.kubeObjects) {
    addObject(snapshot, o);
    // The mesh config most bundles hold is the istio ConfigMap's `mesh` key, not a file of its own.
    const mesh = meshConfigOfConfigMap(o);
    if (mesh) snapshot.records.meshConfigs.push(mesh);
  }
  indexByNamespace(snapshot);
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
  for (const b of snapshot.bindings) snapshot.bindingOf.set(bindingKey(b.subject), b);
  snapshot.waypoints = identifyWaypoints(snapshot);
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

/** After de-duplication by name (the same object captured twice is indexed once). */
function indexByNamespace(snapshot: ClusterSnapshot): void {
  for (const [kind, objects] of snapshot.objects) {
    const byNs = new Map<string, KubeObject[]>();
    for (const o of objects.values()) {
      const ns = o.namespace ?? '';
      let list = byNs.get(ns);
      if (!list) byNs.set(ns, (list = []));
      list.push(o);
    }
    snapshot.byNamespace.set(kind, byNs);
  }
}

function addObject(snapshot: ClusterSnapshot, o: KubeObject): void {
  let byKey = snapshot.objects.get(o.kind);
  if (!byKey) snapshot.objects.set(o.kind, (byKey = new Map()));
  byKey.set(objectKey(o.namespace, o.name), o);
}

