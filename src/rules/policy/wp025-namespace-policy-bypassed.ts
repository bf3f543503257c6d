import { policiesOf, resolveTargetRef, rootNamespace, rulesMatchSource, rulesTestSourceIdentity, type PolicyView } from '../../model/policies.js';
import type { ClusterSnapshot } from '../../model/snapshot.js';
import { evidence, subjectOf, type Evidence, type Rule } from '../types.js';
import { listNames, yamlOf } from '../wording.js';
import { policyReach, scopeEvidence, uniqueServices } from './scope.js';
import { createObject, withChanges } from '../changes.js';

export const wp025: Rule = {
  meta: {
    id: 'WP025',
    title: 'A mesh-wide or namespace-wide policy on sources is not applied through waypoints',
    severity: 'error',
    description:
      'A policy without selector and without targetRefs, in the root namespace (the whole mesh) or in an application namespace, ' +
      'is enforced by ztunnel only. For a Service bound to a waypoint, ztunnel at the destination sees the waypoint\'s identity, ' +
      'not the client\'s, and the waypoint ignores policies without targetRefs: a DENY on source namespaces or principals never ' +
      'matches, and an ALLOW that admits the waypoint lets every client through. The mesh\'s "default deny" stops at the waypoint ' +
      '(istio/istio#58838).',
    detection:
      'Every ALLOW or DENY AuthorizationPolicy without selector and targetRefs whose rules test the source identity and that ' +
      'covers ambient pods behind waypoint-bound Services, where the policy does not refuse the waypoint itself (that is WP023) ' +
      'and no targetRefs policy attaches to those waypoints (Gateway, or GatewayClass istio-waypoint in the root namespace).',
    fix: 'Add the same rules as a targetRefs policy: GatewayClass istio-waypoint in the root namespace (every waypoint), or per waypoint Gateway.',
    docs: 'https://istio.io/latest/docs/ambient/usage/authorization-policy/',
    needs: ['kube:AuthorizationPolicy', 'kube:Pod'],
  },
  check(snapshot, context) {
    const policies = policiesOf(snapshot, 'AuthorizationPolicy');
    const covered = waypointsWithTargetedPolicies(snapshot, policies);
    for (const policy of policies) {
      if (policy.targetRefs.length > 0 || policy.selector || policy.dryRun) continue;
      const action = policy.action.toUpperCase();
      if ((action !== 'ALLOW' && action !== 'DENY') || !rulesTestSourceIdentity(policy.rules)) continue;
      const services = uniqueServices(policyReach(snapshot, policy).served).filter((s) => {
        const [, wpNs = ''] = /\/ns\/([^/]+)\//.exec(s.principal) ?? [];
        const matchesWaypoint = rulesMatchSource(policy.rules, s.principal, wpNs);
        // DENY naming the waypoint, or ALLOW not admitting it, refuses the waypoint itself: WP023.
        const bypassed = action === 'DENY' ? !matchesWaypoint : matchesWaypoint;
        return bypassed && !covered.has(`${s.binding.request!.namespace}/${s.binding.request!.name}`);
      });
      if (services.length === 0) continue;
      const waypoints = [...new Set(services.map((s) => `${s.binding.request!.namespace}/${s.binding.request!.name}`))];
      const root = rootNamespace(snapshot);
      const items: Evidence[] = [scopeEvidence(snapshot, policy), ...services.slice(0, 3).map((s) => evidence(s.binding.request!.label, `Service ${s.service.namespace}/${s.service.name} goes through waypoint ${s.binding.request!.name}, whose identity ztunnel sees instead of the client's`))];
      context.report({
        subject: subjectOf(policy.object),
        message: `${action} policy ${policy.object.namespace}/${policy.object.name} checks who the client is, but only ztunnel applies it: for Services ${listNames(services.map((s) => s.service))} (through waypoint${waypoints.length > 1 ? 's' : ''} ${waypoints.join(', ')}) ztunnel sees the waypoint's identity and the waypoint ignores policies without targetRefs, so ${action === 'DENY' ? 'the clients it should deny get through' : 'every client gets through the waypoint'}.`,
        evidence: items,
        fix: withChanges({
          text: policy.object.namespace === root
            ? `Apply the same rules at every waypoint: a policy in the root namespace ${root} with targetRefs GatewayClass istio-waypoint.`
            : 'Apply the same rules at the waypoint: a policy with targetRefs to the Services it should protect.',
          yaml: yamlOf(atWaypoints(policy, root, services.map((s) => s.service.name))),
        }, createObject(atWaypoints(policy, root, services.map((s) => s.service.name)))),
      });
    }
  },
};

/** Waypoints that some AuthorizationPolicy with targetRefs attaches to: their owners chose their own rules. */
function waypointsWithTargetedPolicies(snapshot: ClusterSnapshot, policies: readonly PolicyView[]): Set<string> {
  const covered = new Set<string>();
  for (const p of policies) {
    for (const ref of p.targetRefs) {
      const r = resolveTargetRef(snapshot, p, ref);
      if (!r.attaches) continue;
      // A Service target covers that Service only; the Gateway and GatewayClass targets cover the waypoint.
      if (ref.kind === 'Gateway' || ref.kind === 'GatewayClass') for (const w of r.waypoints) covered.add(`${w.namespace}/${w.name}`);
    }
  }
  return covered;
}

/** The policy as the waypoints apply it: mesh-wide through the GatewayClass, else on the namespace's Services. */
function atWaypoints(policy: PolicyView, root: string, services: string[]): Record<string, unknown> {
  const meshWide = policy.object.namespace === root;
  const targetRefs = meshWide
    ? [{ kind: 'GatewayClass', group: 'gateway.networking.k8s.io', name: 'istio-waypoint' }]
    : [...new Set(services)].map((name) => ({ kind: 'Service', group: '', name }));
  return {
    apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy',
    metadata: { name: `${policy.object.name}-at-waypoint`, namespace: policy.object.namespace },
    spec: { targetRefs, action: policy.action, rules: policy.rules },
  };
}
