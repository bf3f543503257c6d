/**
 * Reading Kubernetes and Istio objects the way their controllers do: pod readiness, a Gateway's
 * class, addresses, listeners and conditions, which pods a Service selects, istiod revisions.
 */
import type { KubeCondition, KubeObject } from '../parse/types.js';
import { conditionStatus } from '../parse/yaml.js';
import { getObject, objectsIn, objectsOf, type ClusterSnapshot } from './snapshot.js';

export const WAYPOINT_CLASS = 'istio-waypoint';
export const WAYPOINT_CLASSES = new Set([WAYPOINT_CLASS, 'istio-agentgateway-waypoint']);
export const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';
export const REV_LABEL = 'istio.io/rev';

type Json = Record<string, unknown>;
const record = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export function condition(object: KubeObject, type: string): KubeCondition | undefined {
  return object.conditions.find((c) => c.type === type);
}

export function podPhase(pod: KubeObject): string {
  return typeof pod.status['phase'] === 'string' ? pod.status['phase'] : '';
}

export function isPodReady(pod: KubeObject): boolean {
  return podPhase(pod) === 'Running' && condition(pod, 'Ready')?.status === 'True';
}

/** Why a pod is not ready, from its container states: `ImagePullBackOff`, `CrashLoopBackOff (7 restarts)`. */
export function podProblem(pod: KubeObject): string {
  for (const s of list(pod.status['containerStatuses'])) {
    const state = record(record(s)['state']);
    const waiting = record(state['waiting']);
    const restarts = Number(record(s)['restartCount'] ?? 0);
    if (typeof waiting['reason'] === 'string') return `${waiting['reason']}${restarts ? ` (${restarts} restarts)` : ''}`;
  }
  return podPhase(pod) || 'unknown state';
}

export function gatewayClassName(gateway: KubeObject): string {
  return typeof gateway.spec['gatewayClassName'] === 'string' ? gateway.spec['gatewayClassName'] : '';
}

export function isWaypointGateway(gateway: KubeObject): boolean {
  return WAYPOINT_CLASSES.has(gatewayClassName(gateway));
}

export function gatewayAddresses(gateway: KubeObject): string[] {
  return list(gateway.status['addresses']).map((a) => String(record(a)['value'] ?? '')).filter(Boolean);
}

export interface GatewayListener {
  name: string;
  port: number;
  protocol: string;
  allowedFrom: string;
  selector?: Json;
  /** This listener's status conditions, as the Gateway's status lists them. */
  conditions: { type: string; status: string; reason?: string; message?: string }[];
}

export function gatewayListeners(gateway: KubeObject): GatewayListener[] {
  const statuses = new Map(list(gateway.status['listeners']).map((l) => [String(record(l)['name']), record(l)]));
  return list(gateway.spec['listeners']).map((raw) => {
    const l = record(raw);
    const namespaces = record(record(l['allowedRoutes'])['namespaces']);
    const name = String(l['name'] ?? '');
    const listener: GatewayListener = {
      name,
      port: Number(l['port']),
      protocol: String(l['protocol'] ?? ''),
      allowedFrom: typeof namespaces['from'] === 'string' ? namespaces['from'] : 'Same',
      conditions: list(statuses.get(name)?.['conditions']).map((c) => {
        const cond = record(c);
        return {
          type: String(cond['type']),
          status: conditionStatus(cond['status']),
          ...(typeof cond['reason'] === 'string' ? { reason: cond['reason'] } : {}),
          ...(typeof cond['message'] === 'string' ? { message: cond['message'] } : {}),
        };
      }),
    };
    if (isObject(namespaces['selector'])) listener.selector = record(namespaces['selector']);
    return listener;
  });
}

function isObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The listener a waypoint binds through: HBONE on 15008. */
export function hboneListener(gateway: KubeObject): GatewayListener | undefined {
  return gatewayListeners(gateway).find((l) => l.port === 15008 && l.protocol === 'HBONE');
}

/** Does a label selector (`matchLabels`, `matchExpressions` In/NotIn/Exists/DoesNotExist) match these labels? */
export function selectorMatches(selector: Json, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(record(selector['matchLabels']))) if (labels[k] !== String(v)) return false;
  for (const raw of list(selector['matchExpressions'])) {
    const e = record(raw);
    const key = String(e['key']);
    const values = list(e['values']).map(String);
    const op = String(e['operator']);
    const has = key in labels;
    if (op === 'In' && !(has && values.includes(labels[key]!))) return false;
    if (op === 'NotIn' && has && values.includes(labels[key]!)) return false;
    if (op === 'Exists' && !has) return false;
    if (op === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** Pods by namespace, then by `key=value` label, built once per snapshot: a Service finds its pods without scanning. */
const podLabelIndex = new WeakMap<ClusterSnapshot, Map<string, Map<string, KubeObject[]>>>();

function podsWithLabel(snapshot: ClusterSnapshot, namespace: string, key: string, value: string): readonly KubeObject[] {
  let index = podLabelIndex.get(snapshot);
  if (!index) {
    index = new Map();
    for (const pod of objectsOf(snapshot, 'Pod')) {
      const ns = pod.namespace ?? '';
      let byLabel = index.get(ns);
      if (!byLabel) index.set(ns, (byLabel = new Map()));
      for (const [k, v] of Object.entries(pod.labels)) {
        const list = byLabel.get(`${k}=${v}`);
        if (list) list.push(pod);
        else byLabel.set(`${k}=${v}`, [pod]);
      }
    }
    podLabelIndex.set(snapshot, index);
  }
  return index.get(namespace)?.get(`${key}=${value}`) ?? [];
}

/** Pods a Service's `spec.selector` selects, in its namespace (none for selector-less Services). */
export function servicePods(snapshot: ClusterSnapshot, service: KubeObject): KubeObject[] {
  const selector = record(service.spec['selector']);
  if (Object.keys(selector).length === 0) return [];
  const entries = Object.entries(selector).map(([k, v]) => [k, String(v)] as const);
  const ns = service.namespace ?? '';
  // Start from the rarest label of the selector, then check the others.
  let smallest: readonly KubeObject[] | undefined;
  for (const [k, v] of entries) {
    const pods = podsWithLabel(snapshot, ns, k, v);
    if (!smallest || pods.length < smallest.length) smallest = pods;
    if (pods.length === 0) return [];
  }
  return smallest!.filter((pod) => entries.every(([k, v]) => pod.labels[k] === v));
}

/** The namespace object of an object, when captured. */
export function namespaceOf(snapshot: ClusterSnapshot, object: KubeObject): KubeObject | undefined {
  return object.namespace ? getObject(snapshot, 'Namespace', undefined, object.namespace) : undefined;
}

/** Whether a pod is captured by ambient (what istio-cni records), per failure-modes §1.4. */
export function ambientState(snapshot: ClusterSnapshot, pod: KubeObject): { ambient: boolean; why: string } {
  const redirection = pod.annotations['ambient.istio.io/redirection'];
  if (pod.annotations['sidecar.istio.io/status'] !== undefined) return { ambient: false, why: 'it has a sidecar (sidecar.istio.io/status), and a sidecar wins over ambient' };
  if (pod.labels['istio.io/dataplane-mode'] === 'none') return { ambient: false, why: 'it is labelled istio.io/dataplane-mode=none' };
  const ns = namespaceOf(snapshot, pod);
  const enrolled = pod.labels['istio.io/dataplane-mode'] === 'ambient' || ns?.labels['istio.io/dataplane-mode'] === 'ambient';
  if (!enrolled) return { ambient: false, why: `neither it nor namespace ${pod.namespace} is labelled istio.io/dataplane-mode=ambient` };
  if (redirection !== 'enabled') {
    return { ambient: false, why: redirection ? `istio-cni left it at ambient.istio.io/redirection=${redirection}` : 'istio-cni did not mark it ambient.istio.io/redirection=enabled' };
  }
  return { ambient: true, why: 'enrolled in ambient and redirected by istio-cni' };
}

/** Pods that are part of the mesh's own machinery (waypoints, gateways, istiod, ztunnel, CNI). */
export function isInfrastructurePod(pod: KubeObject): boolean {
  return pod.labels[GATEWAY_NAME_LABEL] !== undefined || pod.labels['gateway.istio.io/managed'] !== undefined
    || ['istiod', 'ztunnel', 'istio-cni-node'].includes(pod.labels['app'] ?? '') || pod.labels['k8s-app'] === 'istio-cni-node'
    || pod.namespace === 'kube-system';
}

/** Revisions served by istiod pods in the bundle (`default` when unlabelled). */
export function istiodRevisions(snapshot: ClusterSnapshot): Map<string, KubeObject[]> {
  const revisions = new Map<string, KubeObject[]>();
  for (const pod of objectsOf(snapshot, 'Pod')) {
    if (pod.labels['app'] !== 'istiod') continue;
    const rev = pod.labels[REV_LABEL] || 'default';
    revisions.set(rev, [...(revisions.get(rev) ?? []), pod]);
  }
  return revisions;
}

/** Pods of waypoint Gateways: by the Gateway's class when captured, else by istiod's managed-by label. */
export function waypointPods(snapshot: ClusterSnapshot): KubeObject[] {
  const pods: KubeObject[] = [];
  for (const pod of objectsOf(snapshot, 'Pod')) {
    const gatewayName = pod.labels[GATEWAY_NAME_LABEL];
    if (!gatewayName) continue;
    const gateway = getObject(snapshot, 'Gateway', pod.namespace, gatewayName);
    if (gateway ? isWaypointGateway(gateway) : pod.labels['gateway.istio.io/managed'] === 'istio.io-mesh-controller') pods.push(pod);
  }
  return pods;
}
