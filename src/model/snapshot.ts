/**
 * The ClusterSnapshot: everything parsed from one bundle, indexed once by namespace/name, with the
 * waypoint each service and pod should use (from labels) beside the one ztunnel was seen using.
 * Rules read only this, never files.
 */
import type { ParsedFile } from '../parse/index.js';
import type { AnalyzeMessage, KubeObject, ProxyStatusRow, ZtunnelService, ZtunnelWorkload } from '../parse/types.js';
import type { Capture } from './captures.js';
import { resolveBindings, type WaypointBinding } from './waypoint.js';

export interface ClusterSnapshot {
  /** What the bundle holds, for the engine's inconclusive checks. */
  captured: Set<Capture>;
  /** Kubernetes/Istio objects by kind, then by `namespace/name` (cluster-scoped: `name`). */
  objects: Map<string, Map<string, KubeObject>>;
  ztunnel: {
    workloads: ZtunnelWorkload[];
    services: ZtunnelService[];
    workloadByPod: Map<string, ZtunnelWorkload>;
    serviceByName: Map<string, ZtunnelService>;
  };
  proxyStatus: { rows: ProxyStatusRow[]; byPod: Map<string, ProxyStatusRow> };
  analyzeMessages: AnalyzeMessage[];
  /** Expected (labels) beside observed (ztunnel) waypoint for every Service and Pod. */
  bindings: WaypointBinding[];
}

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export function buildSnapshot(files: readonly ParsedFile[]): ClusterSnapshot {
  const snapshot: ClusterSnapshot = {
    captured: new Set(),
    objects: new Map(),
    ztunnel: { workloads: [], services: [], workloadByPod: new Map(), serviceByName: new Map() },
    proxyStatus: { rows: [], byPod: new Map() },
    analyzeMessages: [],
    bindings: [],
  };
  for (const file of files) {
    const r = file.records;
    if (file.kind === 'ztunnel-workloads') snapshot.captured.add('ztunnel-workloads');
    if (file.kind === 'ztunnel-services') snapshot.captured.add('ztunnel-services');
    if (file.kind === 'proxy-status') snapshot.captured.add('proxy-status');
    if (file.kind === 'analyze') snapshot.captured.add('analyze');
    for (const kind of file.capturedKinds ?? []) snapshot.captured.add(`kube:${kind}`);
    for (const o of r.kubeObjects ?? []) addObject(snapshot, o);
    for (const w of r.ztunnelWorkloads ?? []) {
      snapshot.ztunnel.workloads.push(w);
      // The same pod appears once per ztunnel captured; the first one seen is kept as representative.
      if (!snapshot.ztunnel.workloadByPod.has(objectKey(w.namespace, w.name))) snapshot.ztunnel.workloadByPod.set(objectKey(w.namespace, w.name), w);
    }
    for (const s of r.ztunnelServices ?? []) {
      snapshot.ztunnel.services.push(s);
      if (!snapshot.ztunnel.serviceByName.has(objectKey(s.namespace, s.name))) snapshot.ztunnel.serviceByName.set(objectKey(s.namespace, s.name), s);
    }
    for (const p of r.proxyStatus ?? []) {
      snapshot.proxyStatus.rows.push(p);
      snapshot.proxyStatus.byPod.set(objectKey(p.namespace, p.pod), p);
    }
    snapshot.analyzeMessages.push(...(r.analyzeMessages ?? []));
  }
  snapshot.bindings = resolveBindings(snapshot);
  return snapshot;
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
