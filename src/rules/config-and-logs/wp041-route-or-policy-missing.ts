import { policiesOf, resolveTargetRef, type PolicyView } from '../../model/policies.js';
import { routesOf, statusFor, type RouteView } from '../../model/routes.js';
import { objectKey, objectsIn, type ClusterSnapshot } from '../../model/snapshot.js';
import type { KnownWaypoint } from '../../model/types.js';
import { chainsOf, clusterDomain, serviceChains, serviceHost, waypointDump, type ServiceChain } from '../../model/waypoint-config.js';
import type { EnvoyConfigSummary, KubeObject } from '../../parse/types.js';
import { evidence, subjectOf, type Evidence, type Rule, type RuleContext } from '../types.js';
import { meshParents } from '../routing/route-scope.js';
import { againstField, notSentThere } from '../corroboration.js';
import { fixOf, k8sName, nsOf, sh } from '../shell.js';

/** `ns[default]-policy[deny-ratings]-rule[0]`: Istio's RBAC policy names (security/authz/builder). */
const RBAC_NAME = /^ns\[([^\]]*)\]-policy\[([^\]]*)\]-rule\[\d+\]$/;

export const wp041: Rule = {
  meta: {
    id: 'WP041',
    title: 'A route or policy is missing from the waypoint\'s Envoy config (or the config holds one that no longer exists)',
    severity: 'error',
    description:
      'istiod turns an HTTPRoute attached to a Service into routes named `<namespace>.<route>.<rule index>` in the inline ' +
      'route config of the Service\'s HTTP chain on its waypoint, and an AuthorizationPolicy attached by targetRefs into RBAC ' +
      'policies `ns[<namespace>]-policy[<name>]-rule[<i>]`. When the resources say the route or policy applies but the ' +
      'waypoint\'s config lacks it, the waypoint does not apply it; when the config holds RBAC policies of an ' +
      'AuthorizationPolicy that no longer exists, the waypoint still enforces a deleted policy. Both mean the waypoint runs ' +
      'on config that is not istiod\'s current one.',
    detection:
      'For each waypoint with a config dump: every HTTPRoute or GRPCRoute on a Service bound to it and not refused by ' +
      'istiod (Accepted not False) must have a route of its name in that Service\'s HTTP chains; every ALLOW or DENY ' +
      'AuthorizationPolicy with rules attached to it must have an RBAC policy in the chains of its target; every RBAC policy ' +
      'name in the config must belong to an AuthorizationPolicy of the bundle (when the bundle holds them all).',
    fix: 'See whether the waypoint is synced (istioctl proxy-status) and served by the right istiod; restart it to fetch its config again.',
    docs: 'https://istio.io/latest/docs/ambient/usage/troubleshoot-waypoint/',
    needs: ['envoy-config'],
    needsAnyOf: ['kube:HTTPRoute', 'kube:GRPCRoute', 'kube:AuthorizationPolicy'],
  },
  check(snapshot, context) {
    // Routes and policies are walked once each, and meet their waypoint's dump through this index.
    const dumps = new Map<string, Dumped>();
    for (const waypoint of snapshot.waypoints) {
      const dump = waypointDump(waypoint);
      if (dump) dumps.set(objectKey(waypoint.namespace, waypoint.name), { waypoint, envoy: dump.envoy, pod: dump.proxy.pod });
    }
    if (dumps.size === 0) return;
    checkRoutes(snapshot, dumps, context);
    checkPolicies(snapshot, dumps, context);
    for (const d of dumps.values()) checkStalePolicies(snapshot, d.waypoint, d.envoy, d.pod, context);
  },
};

const FIX = (waypoint: KnownWaypoint, pod: string) => fixOf('The waypoint\'s config is not istiod\'s current one: check its sync state and istiod, then restart it.', [
  sh`istioctl proxy-status ${k8sName(pod, 'subdomain', 'the waypoint pod\'s name')}.${nsOf(waypoint)}`,
  sh`kubectl rollout restart deployment/${k8sName(waypoint.name, 'subdomain', 'the waypoint name')} -n ${nsOf(waypoint)}`,
]);

interface Dumped {
  waypoint: KnownWaypoint;
  envoy: EnvoyConfigSummary;
  pod: string;
}

function checkRoutes(snapshot: ClusterSnapshot, dumps: Map<string, Dumped>, context: RuleContext): void {
  for (const route of routesOf(snapshot)) {
    if (route.object.kind !== 'HTTPRoute' && route.object.kind !== 'GRPCRoute') continue;
    for (const parent of meshParents(snapshot, route)) {
      const { object, binding } = parent;
      if (!object || binding?.state !== 'bound' || !binding.request) continue;
      const dumped = dumps.get(objectKey(binding.request.namespace, binding.request.name));
      if (!dumped) continue;
      const { waypoint, envoy, pod } = dumped;
      const domain = clusterDomain(envoy);
      const accepted = statusFor(route, parent.ref)?.conditions.find((c) => c.type === 'Accepted');
      if (accepted?.status === 'False') continue; // istiod refused it: WP029-WP033 say why
      const chains = chainsOf(envoy, serviceHost(object, domain)).filter((c) => c.chain.routeConfig && (parent.ref.port === undefined || c.port === parent.ref.port));
      if (chains.length === 0) continue; // no HTTP chain at all: WP040 or WP034
      const names = routeNames(route);
      const lacking = chains.filter((c) => !c.chain.routeConfig!.virtualHosts.some((vh) => vh.routes.some((r) => names.has(r))));
      if (lacking.length === 0) continue;
      const items: Evidence[] = [evidence(route.object.source, `${route.object.kind} ${route.object.namespace}/${route.object.name} on ${object.kind} ${object.name}${accepted ? ` (Accepted ${accepted.status})` : ''}`)];
      for (const c of lacking) items.push(evidence(c.chain.routeConfig!.source, `waypoint ${pod}: route config ${c.chain.routeConfig!.name} holds only ${listRoutes(c)}`));
      context.report({
        subject: subjectOf(route.object),
        message: `${route.object.kind} ${route.object.namespace}/${route.object.name} routes ${object.kind} ${object.namespace}/${object.name}, but waypoint ${waypoint.namespace}/${waypoint.name} (pod ${pod}) has no route of it (${[...names].slice(0, 2).join(', ')}...) for port ${lacking.map((c) => c.port).join(', ')}: the waypoint sends the traffic to its default route and the HTTPRoute does not apply.`,
        evidence: items,
        ...againstField(notSentThere(snapshot, object, waypoint.name)),
        fix: FIX(waypoint, pod),
      });
    }
  }
}

/** Route names istiod gives an HTTPRoute's rules: `<ns>.<name>.<index>`, or the rule's own `name`. */
function routeNames(route: RouteView): Set<string> {
  const rules = Array.isArray(route.object.spec['rules']) ? (route.object.spec['rules'] as Record<string, unknown>[]) : [];
  const names = new Set<string>();
  rules.forEach((rule, i) => {
    names.add(`${route.object.namespace}.${route.object.name}.${i}`);
    if (typeof rule?.['name'] === 'string') names.add(rule['name']);
  });
  if (rules.length === 0) names.add(`${route.object.namespace}.${route.object.name}.0`);
  return names;
}

function listRoutes(c: ServiceChain): string {
  const routes = c.chain.routeConfig!.virtualHosts.flatMap((vh) => vh.routes);
  return routes.length ? routes.join(', ') : 'no route';
}

/** Policies the waypoint builds RBAC for: ALLOW and DENY with at least one rule (ALLOW without rules denies by having none). */
function enforcedByRbac(policy: PolicyView): boolean {
  const action = String(policy.object.spec['action'] ?? 'ALLOW').toUpperCase();
  const rules = policy.object.spec['rules'];
  return (action === 'ALLOW' || action === 'DENY') && Array.isArray(rules) && rules.length > 0;
}

function checkPolicies(snapshot: ClusterSnapshot, dumps: Map<string, Dumped>, context: RuleContext): void {
  for (const policy of policiesOf(snapshot, 'AuthorizationPolicy')) {
    if (!enforcedByRbac(policy)) continue;
    const prefix = `ns[${policy.object.namespace}]-policy[${policy.object.name}]-rule[`;
    const reported = new Set<string>();
    for (const ref of policy.targetRefs) {
      const r = resolveTargetRef(snapshot, policy, ref);
      if (!r.attaches) continue;
      for (const w of r.waypoints) {
        const dumped = dumps.get(objectKey(w.namespace, w.name));
        if (!dumped || reported.has(objectKey(w.namespace, w.name))) continue;
        if (checkPolicyAt(policy, ref, r, dumped, prefix, context)) reported.add(objectKey(w.namespace, w.name));
      }
    }
  }
}

/** One policy at one waypoint: reported (true) when the waypoint's chains of its target hold none of its RBAC policies. */
function checkPolicyAt(policy: PolicyView, ref: PolicyView['targetRefs'][number], r: Extract<ReturnType<typeof resolveTargetRef>, { attaches: true }>, dumped: Dumped, prefix: string, context: RuleContext): boolean {
  const { waypoint, envoy, pod } = dumped;
  const target = r.target && (r.target.kind === 'Service' || r.target.kind === 'ServiceEntry') ? r.target : undefined;
  const chains = target ? chainsOf(envoy, serviceHost(target, clusterDomain(envoy))) : serviceChains(envoy);
  if (chains.length === 0) return false; // WP040's case
  if (chains.some((c) => c.chain.rbacPolicies.some((name) => name.startsWith(prefix)))) return false;
  context.report({
    subject: subjectOf(policy.object),
    message: `AuthorizationPolicy ${policy.object.namespace}/${policy.object.name} is attached to waypoint ${waypoint.namespace}/${waypoint.name} (${r.waypoints[0]?.via ?? ref.kind}), but the waypoint's config (pod ${pod}) has no RBAC policy ${prefix}...] in ${target ? `the chains of ${target.name}` : 'any chain'}: the waypoint does not enforce it.`,
    evidence: [
      evidence(ref.source, `targetRef ${ref.kind} ${ref.name}`),
      ...statusEvidence(policy.object),
      ...chains.slice(0, 3).map((c) => evidence(c.chain.source, `waypoint ${pod}: chain ${c.chain.name} RBAC policies: ${c.chain.rbacPolicies.join(', ') || 'none'}`)),
    ],
    fix: FIX(waypoint, pod),
  });
  return true;
}

function statusEvidence(policy: KubeObject): Evidence[] {
  const c = policy.conditions.find((x) => x.type === 'WaypointAccepted');
  return c ? [evidence(c.source, `istiod: WaypointAccepted ${c.status}${c.message ? `: ${c.message}` : ''}`)] : [];
}

/** RBAC policies in the config whose AuthorizationPolicy the bundle does not have: a deleted policy still enforced. */
function checkStalePolicies(snapshot: ClusterSnapshot, waypoint: KnownWaypoint, envoy: EnvoyConfigSummary, pod: string, context: RuleContext): void {
  if (!snapshot.complete.has('kube:AuthorizationPolicy')) return;
  const seen = new Set<string>();
  for (const c of serviceChains(envoy)) {
    for (const name of c.chain.rbacPolicies) {
      const m = RBAC_NAME.exec(name);
      if (!m) continue;
      const [ns, policyName] = [m[1]!, m[2]!];
      const key = `${ns}/${policyName}`;
      if (seen.has(key) || snapshot.objects.get('AuthorizationPolicy')?.has(key)) continue;
      // Only namespaces the bundle shows: a bundle limited to some namespaces proves nothing of the others.
      if (!snapshot.objects.get('Namespace')?.has(ns) && objectsIn(snapshot, 'Pod', ns).length === 0) continue;
      seen.add(key);
      context.report({
        subject: { kind: 'AuthorizationPolicy', namespace: ns, name: policyName },
        message: `Waypoint ${waypoint.namespace}/${waypoint.name} (pod ${pod}) still enforces AuthorizationPolicy ${key} (RBAC policy ${name}), which the bundle's AuthorizationPolicies do not have: the waypoint's config predates its deletion (a stale waypoint).`,
        evidence: [evidence(c.chain.source, `waypoint ${pod}: chain ${c.chain.name} has RBAC policy ${name}`)],
        fix: FIX(waypoint, pod),
      });
    }
  }
}
