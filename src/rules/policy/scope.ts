/**
 * What a policy without targetRefs reaches, as the policy rules need it: the pods it selects, which
 * of them are waypoint pods, which back a Service bound to a waypoint (so their traffic arrives from
 * the waypoint's identity), which ztunnel captures. Indexed once per snapshot.
 */
import { ambientState, GATEWAY_NAME_LABEL, servicePods } from '../../model/objects.js';
import { rootNamespace, selectedPods, waypointPrincipal, type PolicyView } from '../../model/policies.js';
import { objectKey, type ClusterSnapshot } from '../../model/snapshot.js';
import type { WaypointBinding } from '../../model/types.js';
import type { KubeObject, ZtunnelLogEntry } from '../../parse/types.js';
import { mergePatchFix } from '../changes.js';
import { fixOf, isDns1123Label, nameOf, nsOf, sh } from '../shell.js';
import { evidence, type Evidence, type Fix } from '../types.js';

/** A Service bound to a waypoint, with the waypoint's identity. */
export interface BoundService {
  service: KubeObject;
  binding: WaypointBinding;
  /** `cluster.local/ns/<wp-ns>/sa/<gateway>`: what ztunnel at the destination sees. */
  principal: string;
}

const byPodCache = new WeakMap<ClusterSnapshot, Map<string, BoundService[]>>();

/** Pods behind Services bound to a waypoint, by `namespace/pod`. */
export function boundServicesByPod(snapshot: ClusterSnapshot): Map<string, BoundService[]> {
  let index = byPodCache.get(snapshot);
  if (index) return index;
  index = new Map();
  for (const binding of snapshot.bindings) {
    if (binding.subject.kind !== 'Service' || binding.state !== 'bound' || !binding.request) continue;
    const gateway = binding.gateway ?? { namespace: binding.request.namespace, name: binding.request.name };
    const bound: BoundService = { service: binding.subject, binding, principal: waypointPrincipal(snapshot, gateway) };
    for (const pod of servicePods(snapshot, binding.subject)) {
      const key = objectKey(pod.namespace, pod.name);
      index.set(key, [...(index.get(key) ?? []), bound]);
    }
  }
  byPodCache.set(snapshot, index);
  return index;
}

export interface PolicyReach {
  /** Every pod the policy selects (in the bundle). */
  pods: KubeObject[];
  /** Selected pods that are a waypoint's own pods. */
  waypointPods: KubeObject[];
  /** Selected, ambient-captured pods behind waypoint-bound Services, with those Services. */
  served: { pod: KubeObject; services: BoundService[] }[];
  /** Selected pods ztunnel captures (where it enforces the policy). */
  ambient: KubeObject[];
}

export function policyReach(snapshot: ClusterSnapshot, policy: PolicyView): PolicyReach {
  const pods = selectedPods(snapshot, policy);
  const byPod = boundServicesByPod(snapshot);
  const reach: PolicyReach = { pods, waypointPods: [], served: [], ambient: [] };
  for (const pod of pods) {
    if (pod.labels[GATEWAY_NAME_LABEL] !== undefined && pod.labels['gateway.istio.io/managed'] === 'istio.io-mesh-controller') {
      reach.waypointPods.push(pod);
      continue;
    }
    if (!ambientState(snapshot, pod).ambient) continue;
    reach.ambient.push(pod);
    const services = byPod.get(objectKey(pod.namespace, pod.name));
    if (services) reach.served.push({ pod, services });
  }
  return reach;
}

/** "its selector app=ratings", "every pod of namespace default", "every pod of the mesh". */
export function describeScope(snapshot: ClusterSnapshot, policy: PolicyView): string {
  if (policy.selector) {
    const labels = Object.entries(policy.selector).map(([k, v]) => `${k}=${v}`).join(',');
    return labels ? `its selector ${labels}` : 'an empty selector (every pod of its namespace)';
  }
  return policy.object.namespace === rootNamespace(snapshot) ? `every pod of the mesh (no selector, root namespace ${policy.object.namespace})` : `every pod of namespace ${policy.object.namespace} (no selector)`;
}

/** Evidence of how a policy selects: its selector line, or the policy itself when it has none. */
export function scopeEvidence(snapshot: ClusterSnapshot, policy: PolicyView): Evidence {
  const source = policy.selector ? policy.object.specSources?.['selector'] : undefined;
  return evidence(source ?? policy.object.source, `${policy.object.kind} ${policy.object.namespace}/${policy.object.name}: ${describeScope(snapshot, policy)}, no targetRefs`);
}

/** The Services (unique) a set of served pods stands for. */
export function uniqueServices(served: PolicyReach['served']): BoundService[] {
  const seen = new Map<string, BoundService>();
  for (const { services } of served) for (const s of services) seen.set(objectKey(s.service.namespace, s.service.name), s);
  return [...seen.values()];
}

/** ztunnel log lines of connections rejected by policy at these pods (bounded: evidence, not a list). */
export function policyRejections(snapshot: ClusterSnapshot, pods: readonly KubeObject[], max = 3): ZtunnelLogEntry[] {
  const names = new Set(pods.map((p) => p.name));
  const out: ZtunnelLogEntry[] = [];
  for (const log of snapshot.records.logs) {
    for (const e of log.ztunnelEntries) {
      if (!e.error?.includes('policy rejection')) continue;
      const workload = e.fields['dst.workload'] ?? '';
      if (!names.has(workload)) continue;
      out.push(e);
      if (out.length >= max) return out;
    }
  }
  return out;
}

/** All AuthorizationPolicies without targetRefs: the ones ztunnel enforces. */
export function ztunnelPolicies(policies: readonly PolicyView[]): PolicyView[] {
  return policies.filter((p) => p.targetRefs.length === 0);
}

/**
 * A policy ztunnel enforces, attached to the waypoint instead: its selector replaced by targetRefs on the
 * waypoint-bound Services of its own namespace that it reaches (targetRefs name objects of the policy's
 * namespace only). Undefined when it reaches none: where it should go is then the user's choice.
 */
export function retargetToServices(policy: PolicyView, reach: PolicyReach): { patch: Record<string, unknown>; services: string[] } | undefined {
  const ns = policy.object.namespace;
  const services = [...new Set(reach.served.flatMap((s) => s.services.map((b) => b.service)).filter((svc) => svc.namespace === ns).map((svc) => svc.name))].sort();
  // Names from the bundle reach a command: one that no Service can have (a hostile capture) gives no change.
  if (services.length === 0 || !services.every(isDns1123Label)) return undefined;
  const patch = { spec: { selector: null, targetRefs: services.map((name) => ({ group: '', kind: 'Service', name })) } };
  return { patch, services };
}

/**
 * The fix for a policy ztunnel cannot enforce as written: attached to the waypoint of the Services it reaches
 * (a structured change `what-if` can prove), or, reaching none, edited by hand as `otherwise` says.
 */
export function retargetFix(policy: PolicyView, reach: PolicyReach, what: string, otherwise: string): Fix {
  const retarget = retargetToServices(policy, reach);
  if (!retarget) return fixOf(otherwise, [sh`kubectl edit authorizationpolicy ${nameOf(policy.object)} -n ${nsOf(policy.object)}`]);
  const services = retarget.services.join(', ');
  return mergePatchFix(
    `Attach the policy to the waypoint: replace its selector by targetRefs on Service${retarget.services.length > 1 ? 's' : ''} ${services}, so the waypoint enforces ${what}. Pods reached by clients that bypass the waypoint then need an L4 policy of their own (WP026).`,
    policy.object,
    retarget.patch,
  );
}
