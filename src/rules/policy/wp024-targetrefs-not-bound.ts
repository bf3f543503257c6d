import { policiesOf, resolveTargetRef, TARGETABLE_POLICY_KINDS, type PolicyView, type TargetRef } from '../../model/policies.js';
import { bindingKey, type ClusterSnapshot } from '../../model/snapshot.js';
import type { KubeObject } from '../../parse/types.js';
import { mergePatchFix } from '../changes.js';
import { evidence, subjectOf, type Evidence, type Fix, type Rule } from '../types.js';
import { fixOf, kindOf, nameOf, nsOf, sh } from '../shell.js';
import { correctTargetRefs } from './targetref-fix.js';

/** WaypointAccepted reasons istiod writes when a targetRef binds nothing (policies.go WaypointPolicyStatusCollection). */
const NOT_BOUND_REASONS = new Set(['TargetNotFound', 'AncestorNotBound', 'Invalid', 'PartiallyInvalid']);

export const wp024: Rule = {
  meta: {
    id: 'WP024',
    title: 'A policy\'s targetRefs attach it to no waypoint',
    severity: 'error',
    description:
      'A policy with targetRefs is sent to waypoints only, and only when a targetRef names a Service or ServiceEntry of the ' +
      'policy\'s own namespace that is bound to a waypoint, a waypoint Gateway of that namespace (group gateway.networking.k8s.io), ' +
      'or GatewayClass istio-waypoint from the root namespace. A targetRef to another namespace, with the wrong group, to a ' +
      'missing object or to a Service without a waypoint attaches it nowhere, and nothing enforces it (ztunnel never receives ' +
      'policies with targetRefs). istiod reports it as WaypointAccepted False (TargetNotFound, AncestorNotBound, Invalid) or ' +
      'PartiallyInvalid, which istioctl analyze shows as IST0171.',
    detection:
      'Every AuthorizationPolicy, RequestAuthentication, Telemetry or WasmPlugin with targetRefs: each targetRef resolved as ' +
      'ShouldAttachPolicy does; istiod\'s WaypointAccepted condition read beside it (and a disagreement said). A targetRef to an ' +
      'ingress Gateway is a valid ingress policy and not reported.',
    fix: 'Put the policy in the target\'s namespace, use kind Service with group "" (or Gateway with group gateway.networking.k8s.io), and bind the Service to a waypoint.',
    docs: 'https://istio.io/latest/docs/ambient/usage/l7-features/#targeting-policies',
    needs: [],
    // istiod's WaypointAccepted condition is read too: after a simulated fix only a new capture updates it.
    readsRuntimeState: true,
    needsAnyOf: ['kube:AuthorizationPolicy', 'kube:RequestAuthentication', 'kube:Telemetry', 'kube:WasmPlugin'],
  },
  check(snapshot, context) {
    for (const kind of TARGETABLE_POLICY_KINDS) {
      if (kind === 'EnvoyFilter') continue;
      for (const policy of policiesOf(snapshot, kind)) {
        if (policy.targetRefs.length === 0) continue;
        const all = unboundRefs(snapshot, policy);
        // A target that asks for a waypoint that cannot serve it is a binding fault, reported by WP001-WP014 as the cause.
        const failures = all.filter((f) => !requestsBrokenWaypoint(snapshot, f.target));
        if (all.length > 0 && failures.length === 0) continue;
        const status = policy.object.conditions.find((c) => c.type === 'WaypointAccepted');
        const statusSays = status !== undefined && (status.status === 'False' || status.reason === 'PartiallyInvalid') && NOT_BOUND_REASONS.has(status.reason ?? '');
        if (failures.length === 0 && !statusSays) continue;
        const items: Evidence[] = failures.map((f) => evidence(f.ref.source, `targetRef ${f.ref.kind} ${f.ref.name}: ${f.why}`));
        if (status && statusSays) items.push(evidence(status.source, `istiod: WaypointAccepted ${status.status}${status.reason ? ` (${status.reason})` : ''}${status.message ? `: ${status.message}` : ''}`));
        const against: Evidence[] = [];
        if (failures.length === 0 && statusSays) against.push(evidence(policy.object.source, 'every targetRef resolves to a waypoint in this bundle: istiod\'s condition may predate a fix'));
        const none = failures.length === policy.targetRefs.length;
        context.report({
          subject: subjectOf(policy.object),
          message: `${kind} ${policy.object.namespace}/${policy.object.name} targets ${failures.length ? failures.map((f) => `${f.ref.kind} ${f.ref.name}`).join(', ') : 'objects'} that bind it to no waypoint${failures.length ? `: ${failures.map((f) => f.why).join('; ')}` : ` (istiod: ${status?.reason ?? ''} ${status?.message ?? ''})`}. ${none ? 'Nothing enforces it.' : 'Those targets are ignored.'}`,
          evidence: items,
          ...(against.length ? { against } : {}),
          fix: targetRefFix(snapshot, policy, kind, failures.map((f) => f.ref)),
        });
      }
    }
  },
};

function requestsBrokenWaypoint(snapshot: ClusterSnapshot, target: KubeObject | undefined): boolean {
  const binding = target && snapshot.bindingOf.get(bindingKey(target));
  return binding?.request !== undefined && binding.state !== 'bound' && binding.state !== 'opted-out';
}

/** targetRefs that attach nowhere, ingress Gateway targets aside (a valid use of targetRefs). */
function unboundRefs(snapshot: ClusterSnapshot, policy: PolicyView) {
  return policy.targetRefs
    .map((ref) => resolveTargetRef(snapshot, policy, ref))
    .filter((r): r is Extract<typeof r, { attaches: false }> => !r.attaches)
    .filter((r) => !(r.ref.kind === 'Gateway' && r.target && /is not a waypoint|ingress gateway/.test(r.why)));
}

/** The targetRefs corrected where the bundle shows what was meant (targetref-fix.ts), else edited by hand. */
function targetRefFix(snapshot: ClusterSnapshot, policy: PolicyView, kind: string, failing: TargetRef[]): Fix {
  const corrected = failing.length ? correctTargetRefs(snapshot, policy, failing) : undefined;
  if (!corrected) {
    return fixOf('Target a Service or ServiceEntry of the policy\'s own namespace (kind Service, group "") that is bound to a waypoint, or the waypoint Gateway itself (group gateway.networking.k8s.io).', [
      sh`kubectl edit ${kindOf(kind)} ${nameOf(policy.object)} -n ${nsOf(policy.object)}`,
    ]);
  }
  return mergePatchFix(`Correct the targetRefs (${corrected.said.join('; ')}): the corrected targets are bound to a waypoint, which then enforces the policy.`, policy.object, corrected.patch);
}
