import { policiesOf, type PolicyView } from '../../model/policies.js';
import type { ClusterSnapshot } from '../../model/snapshot.js';
import { evidence, subjectOf, type Evidence, type Rule } from '../types.js';
import { listNames, specEvidence, yamlOf } from '../wording.js';
import { policyReach, scopeEvidence, uniqueServices, type PolicyReach } from './scope.js';
import { fixOf, nameOf, nsOf, sh } from '../shell.js';
import { mergePatch, withChanges } from '../changes.js';

export const wp021: Rule = {
  meta: {
    id: 'WP021',
    title: 'L7 AuthorizationPolicy without targetRefs: the waypoint ignores it',
    severity: 'error',
    description:
      'A waypoint applies only policies that name it, or the Services bound to it, in `targetRefs`; it never applies a policy ' +
      'that selects pods with `selector`, nor a namespace-wide one (pilot/pkg/model/policyattachment.go: "waypoints never use ' +
      'selector"). An AuthorizationPolicy with HTTP rules (methods, paths, hosts, request principals, request.* conditions) and ' +
      'no targetRefs is therefore not enforced for traffic that goes through a waypoint: ztunnel receives it instead, without ' +
      'its HTTP parts (WP022).',
    detection:
      'Every AuthorizationPolicy without targetRefs that uses HTTP attributes and selects a waypoint\'s own pods, or ambient pods ' +
      'behind a Service bound to a waypoint. A selector that only matches sidecar or ingress-gateway pods (Envoys that do apply ' +
      'selector policies) is fine. Corroborated by istiod\'s ZtunnelAccepted message, IST0166, ztunnel\'s policy table and the ' +
      'waypoint\'s RBAC filter when captured.',
    fix: 'Replace `selector` by `targetRefs` naming the Service (group "", kind Service) or the waypoint Gateway; keep a separate L4 policy for ztunnel if needed.',
    docs: 'https://istio.io/latest/docs/ambient/usage/l7-features/',
    needs: ['kube:AuthorizationPolicy'],
    needsAnyOf: ['kube:Pod', 'kube:Service'],
  },
  check(snapshot, context) {
    for (const policy of policiesOf(snapshot, 'AuthorizationPolicy')) {
      if (policy.targetRefs.length > 0 || policy.httpAttributes.length === 0) continue;
      const reach = policyReach(snapshot, policy);
      if (reach.waypointPods.length === 0 && reach.served.length === 0) continue;
      const services = uniqueServices(reach.served);
      const waypoints = [...new Set([...services.map((s) => `${s.binding.request!.namespace}/${s.binding.request!.name}`), ...reach.waypointPods.map((p) => `${p.namespace}/${p.labels['gateway.networking.k8s.io/gateway-name']}`)])];
      const items: Evidence[] = [scopeEvidence(snapshot, policy), specEvidence(policy.object, 'rules', `HTTP attributes: ${policy.httpAttributes.join(', ')}`)];
      if (reach.waypointPods.length) items.push(evidence(reach.waypointPods[0]!.source, `the selector matches waypoint pod ${reach.waypointPods[0]!.name}`));
      for (const s of services.slice(0, 3)) items.push(evidence(s.binding.request!.label, `Service ${s.service.namespace}/${s.service.name} is bound to waypoint ${s.binding.request!.name}`));
      items.push(...corroboration(snapshot, policy, waypoints));
      const where = reach.waypointPods.length && !services.length
        ? `its selector matches the pods of waypoint ${waypoints.join(', ')} themselves`
        : `it covers Services ${listNames(services.map((s) => s.service))}, which go through waypoint${waypoints.length > 1 ? 's' : ''} ${waypoints.join(', ')}`;
      context.report({
        subject: subjectOf(policy.object),
        message: `AuthorizationPolicy ${policy.object.namespace}/${policy.object.name} has HTTP rules (${policy.httpAttributes.join(', ')}) but no targetRefs, and ${where}: waypoints never apply a policy without targetRefs, so these HTTP rules are not enforced there.`,
        evidence: items,
        fix: withChanges(fixOf(`Attach the policy to the ${services.length ? 'Service' : 'waypoint'} with targetRefs instead of a selector (a policy with targetRefs goes to the waypoint only; keep an L4 policy beside it if ztunnel should also check sources).`, [
          sh`kubectl edit authorizationpolicy ${nameOf(policy.object)} -n ${nsOf(policy.object)}`,
        ], yamlOf(targetRefsVersion(policy, reach))), mergePatch(policy.object, { spec: { selector: null, targetRefs: (targetRefsVersion(policy, reach) as { spec: { targetRefs: unknown } }).spec.targetRefs } })),
      });
    }
  },
};

/** The same policy attached by targetRefs: to the bound Services it selected, or to the waypoint Gateway it tried to select. */
function targetRefsVersion(policy: PolicyView, reach: PolicyReach): unknown {
  const services = uniqueServices(reach.served).filter((s) => s.service.namespace === policy.object.namespace);
  const targetRefs = services.length
    ? services.map((s) => ({ kind: 'Service', group: '', name: s.service.name }))
    : [...new Set(reach.waypointPods.map((p) => p.labels['gateway.networking.k8s.io/gateway-name']))].map((name) => ({ kind: 'Gateway', group: 'gateway.networking.k8s.io', name }));
  const { selector: _, ...spec } = policy.object.spec;
  return { apiVersion: policy.object.apiVersion || 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: policy.object.name, namespace: policy.object.namespace }, spec: { ...spec, targetRefs } };
}

/** What other sources say: istiod sent it to ztunnel, ztunnel holds it, the waypoint's RBAC lacks it. */
function corroboration(snapshot: ClusterSnapshot, policy: PolicyView, waypoints: string[]): Evidence[] {
  const items: Evidence[] = [];
  const { name, namespace } = policy.object;
  const ztunnel = policy.object.conditions.find((c) => c.type === 'ZtunnelAccepted');
  if (ztunnel?.message) items.push(evidence(ztunnel.source, `istiod: ZtunnelAccepted ${ztunnel.status}: ${ztunnel.message}`));
  const row = snapshot.records.ztunnelPolicies.find((p) => p.namespace === namespace && p.name === name);
  if (row) items.push(evidence(row.source, 'ztunnel holds it: istiod sends policies without targetRefs to ztunnel, never to a waypoint'));
  const prefix = `ns[${namespace}]-policy[${name}]-rule[`;
  for (const w of snapshot.waypoints.filter((x) => waypoints.includes(`${x.namespace}/${x.name}`))) {
    const envoy = w.proxies.find((p) => p.envoy)?.envoy;
    if (!envoy) continue;
    const has = envoy.listeners.some((l) => l.filterChains.some((c) => c.rbacPolicies.some((r) => r.startsWith(prefix))));
    if (!has) items.push(evidence(envoy.source, `waypoint ${w.name}'s Envoy config has no RBAC policy ${prefix}...]`));
  }
  return items;
}
