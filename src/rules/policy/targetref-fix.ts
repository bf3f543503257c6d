/**
 * WP024's fix as data, where the bundle shows what was meant: a targetRef with the wrong group for its kind
 * gets the right one, and a Service or ServiceEntry that does not exist is replaced by the only bound one of
 * the policy's namespace within two edits of its name (`detail` -> `details`). The change is proposed only
 * when every failing targetRef has a correction that attaches: a partial fix would leave the finding.
 */
import { canonicalGroup, resolveTargetRef, type PolicyView, type TargetRef } from '../../model/policies.js';
import { objectsOf, type ClusterSnapshot } from '../../model/snapshot.js';
import { nearMiss } from '../near-miss.js';
import { isDns1123Subdomain } from '../shell.js';

/** The group each kind a waypoint policy may target is written with. */
const GROUP_OF: Record<string, string> = { Service: '', ServiceEntry: 'networking.istio.io', Gateway: 'gateway.networking.k8s.io', GatewayClass: 'gateway.networking.k8s.io' };

export interface TargetRefCorrection {
  patch: Record<string, unknown>;
  /** `Service detail -> details`, `group "x" -> ""`: what changed, for the fix's text. */
  said: string[];
}

export function correctTargetRefs(snapshot: ClusterSnapshot, policy: PolicyView, failing: readonly TargetRef[]): TargetRefCorrection | undefined {
  const said: string[] = [];
  const corrected = new Map<TargetRef, TargetRef>();
  for (const ref of failing) {
    const better = correction(snapshot, policy, ref);
    if (!better || !resolveTargetRef(snapshot, policy, better).attaches) return undefined;
    corrected.set(ref, better);
    if (better.name !== ref.name) said.push(`${ref.kind} ${ref.name} -> ${better.name}`);
    if (better.group !== ref.group) said.push(`group "${ref.group}" -> "${better.group}" for ${ref.kind} ${ref.name}`);
  }
  const refs = policy.targetRefs.map((r) => written(corrected.get(r) ?? r));
  if (!refs.every((r) => isDns1123Subdomain(r["name"] ?? ""))) return undefined;
  // A policy written with the older singular targetRef keeps that form.
  const patch = Array.isArray(policy.object.spec['targetRefs']) ? { spec: { targetRefs: refs } } : { spec: { targetRef: refs[0] } };
  return { patch, said };
}

function correction(snapshot: ClusterSnapshot, policy: PolicyView, ref: TargetRef): TargetRef | undefined {
  const group = GROUP_OF[ref.kind];
  if (group === undefined || (ref.namespace && ref.namespace !== policy.object.namespace)) return undefined;
  const regrouped = canonicalGroup(ref.group) === canonicalGroup(group) ? ref : { ...ref, group };
  if (resolveTargetRef(snapshot, policy, regrouped).attaches) return regrouped;
  if (ref.kind !== 'Service' && ref.kind !== 'ServiceEntry') return undefined;
  // The name: the one bound object of that kind in the namespace close enough to be a typo of it.
  const bound = [...objectsOf(snapshot, ref.kind)]
    .filter((o) => o.namespace === policy.object.namespace && resolveTargetRef(snapshot, policy, { ...regrouped, name: o.name }).attaches)
    .map((o) => o.name);
  const meant = nearMiss(ref.name, bound);
  return meant ? { ...regrouped, name: meant } : undefined;
}

function written(ref: TargetRef): Record<string, string> {
  return { group: ref.group, kind: ref.kind, name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) };
}
