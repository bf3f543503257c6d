/**
 * The hops inside and after the waypoint: the filter chain for the port, the route, the cluster and
 * its endpoints in the waypoint's Envoy config, the waypoint's policies for this client, and the
 * destination ztunnel's policies, which see the waypoint's identity (not the client's).
 */
import { servicePods } from '../model/objects.js';
import { policiesOf, resolveTargetRef, ruleHttpAttributes, rulesMatchSource, selectedPods, trustDomain, waypointPrincipal, ztunnelRules, type PolicyView } from '../model/policies.js';
import { routesOf } from '../model/routes.js';
import type { ClusterSnapshot } from '../model/snapshot.js';
import type { KnownWaypoint } from '../model/types.js';
import { chainsOf, clusterDomain, parseVipName, serviceHost, type ServiceChain } from '../model/waypoint-config.js';
import type { EnvoyConfigSummary, KubeObject } from '../parse/types.js';
import { evidence, type Evidence } from '../rules/types.js';
import type { Destination, Source } from './endpoints.js';
import type { TraceHop } from './types.js';

const hop = (step: string, status: TraceHop['status'], summary: string, items: Evidence[] = [], collect?: string[]): TraceHop => ({ step, status, summary, evidence: items, ...(collect ? { collect } : {}) });

export interface EnvoyPath {
  envoy: EnvoyConfigSummary;
  pod: string;
  host: string;
  chain?: ServiceChain;
}

export function listenerHop(envoy: EnvoyConfigSummary, pod: string, dest: Destination): { hop: TraceHop; path: EnvoyPath } {
  const host = dest.service ? serviceHost(dest.service, clusterDomain(envoy)) : `${dest.name}.${dest.namespace}.svc.${clusterDomain(envoy)}`;
  const path: EnvoyPath = { envoy, pod, host };
  if (dest.by === 'pod') {
    const direct = envoy.listeners.flatMap((l) => l.filterChains).find((c) => c.name.startsWith('direct-'));
    return { hop: direct ? hop('listener', 'ok', `Waypoint ${pod} takes pod-addressed traffic (chain ${direct.name}).`, [evidence(direct.source, direct.name)]) : hop('listener', 'broken', `Waypoint ${pod} has no chain for pod-addressed traffic (direct-http/direct-tcp).`), path };
  }
  const chains = chainsOf(envoy, host).filter((c) => dest.port === undefined || c.port === dest.port);
  if (chains.length === 0) return { hop: hop('listener', 'broken', `Waypoint ${pod}'s main_internal listener has no chain for ${host}${dest.port ? ` port ${dest.port}` : ''}: it cannot match the connection (WP040).`), path };
  const chain = chains.find((c) => c.protocol === 'http') ?? chains[0]!;
  path.chain = chain;
  const note = chain.protocol === 'tcp' ? ': TCP only, so the waypoint does no HTTP routing or HTTP policy here (WP034)' : '';
  return { hop: hop('listener', 'ok', `Chain ${chain.chain.name}${note}.`, [evidence(chain.chain.source, chain.chain.name)]), path };
}

export function routeHop(snapshot: ClusterSnapshot, dest: Destination, path: EnvoyPath): TraceHop {
  const rc = path.chain?.chain.routeConfig;
  const routes = routesOf(snapshot).filter((r) => (r.object.kind === 'HTTPRoute' || r.object.kind === 'GRPCRoute') && r.parents.some((p) => p.kind === dest.service?.kind && p.name === dest.name && p.namespace === dest.namespace && (p.port === undefined || p.port === dest.port)));
  if (!rc) {
    if (routes.length === 0) return hop('route', 'ok', 'TCP chain: no HTTP route.');
    return hop('route', 'broken', `The port is served as TCP, so ${routes.map((r) => `${r.object.kind} ${r.object.name}`).join(', ')} cannot apply (WP034).`, routes.map((r) => evidence(r.object.source, `${r.object.kind} ${r.object.namespace}/${r.object.name}`)));
  }
  const present = rc.virtualHosts.flatMap((vh) => vh.routes);
  const items = [evidence(rc.source, `routes: ${present.join(', ') || 'none'}`)];
  if (routes.length === 0) return hop('route', 'ok', `No HTTPRoute on ${dest.name}: route ${present.join(', ') || 'default'} sends to the Service.`, items);
  const expected = routes.flatMap((r) => (Array.isArray(r.object.spec['rules']) ? r.object.spec['rules'] : [{}]).map((_, i) => `${r.object.namespace}.${r.object.name}.${i}`));
  const found = expected.filter((n) => present.includes(n));
  for (const r of routes) items.push(evidence(r.object.source, `${r.object.kind} ${r.object.namespace}/${r.object.name}`));
  if (found.length === 0) return hop('route', 'broken', `${routes.map((r) => `${r.object.kind} ${r.object.name}`).join(', ')} should be in the route config, which holds only ${present.join(', ') || 'nothing'} (WP041).`, items);
  return hop('route', 'ok', `Routes ${found.join(', ')} of ${routes.map((r) => r.object.name).join(', ')}.`, items);
}

export function clusterHop(path: EnvoyPath): { hop: TraceHop; clusters: string[] } {
  const chain = path.chain;
  if (!chain) return { hop: hop('cluster', 'unknown', 'No service chain to follow.'), clusters: [] };
  const clusters = path.envoy.clusters.filter((c) => {
    const v = parseVipName(c.name);
    return v?.host === path.host && v.port === chain.port && v.protocol === chain.protocol;
  });
  if (clusters.length === 0) return { hop: hop('cluster', 'broken', `No cluster inbound-vip|${chain.port}|${chain.protocol}|${path.host} in waypoint ${path.pod}'s config.`), clusters: [] };
  return { hop: hop('cluster', 'ok', `Cluster${clusters.length > 1 ? 's' : ''} ${clusters.map((c) => c.name).join(', ')}.`, clusters.map((c) => evidence(c.source, c.name))), clusters: clusters.map((c) => c.name) };
}

export function endpointsHop(dest: Destination, path: EnvoyPath, clusters: string[]): TraceHop {
  const eds = path.envoy.endpoints.filter((e) => clusters.includes(e.cluster));
  if (eds.length > 0) {
    const healthy = eds.reduce((n, e) => n + e.healthy, 0);
    const total = eds.reduce((n, e) => n + e.total, 0);
    const items = eds.map((e) => evidence(e.source, `${e.cluster}: ${e.healthy}/${e.total} healthy`));
    return healthy > 0 ? hop('endpoints', 'ok', `${healthy}/${total} endpoints healthy.`, items) : hop('endpoints', 'broken', `No healthy endpoint (${total} known): requests fail with 503 UH.`, items);
  }
  const row = dest.ztunnelService;
  if (row?.endpoints) {
    const items = [evidence(row.source, `ztunnel ENDPOINTS ${row.endpoints.healthy}/${row.endpoints.total}`)];
    return row.endpoints.healthy > 0 ? hop('endpoints', 'ok', `ztunnel: ${row.endpoints.healthy}/${row.endpoints.total} endpoints healthy.`, items) : hop('endpoints', 'broken', `ztunnel: no healthy endpoint of ${dest.name}.`, items);
  }
  return hop('endpoints', 'unknown', 'Neither the waypoint\'s config nor ztunnel\'s table shows the endpoints.', [], [`istioctl proxy-config endpoint ${path.pod}.${dest.namespace}`, 'istioctl ztunnel-config service']);
}

/** The client's identity, as the waypoint sees it: `<trust domain>/ns/<ns>/sa/<service account>`. */
export function clientPrincipal(snapshot: ClusterSnapshot, source: Source): string {
  const sa = (source.pod?.spec['serviceAccountName'] as string | undefined) ?? source.ztunnel?.serviceAccount ?? 'default';
  return `${trustDomain(snapshot)}/ns/${source.namespace}/sa/${sa}`;
}

/** The waypoint's AuthorizationPolicies for this destination, and their verdict for this client; checked against its RBAC filters when the chain is known. */
export function policyHop(snapshot: ClusterSnapshot, waypoint: KnownWaypoint, source: Source, dest: Destination, chain?: ServiceChain): TraceHop {
  const principal = clientPrincipal(snapshot, source);
  const applying = policiesOf(snapshot, 'AuthorizationPolicy').filter((p) => !p.dryRun && p.targetRefs.some((ref) => {
    const r = resolveTargetRef(snapshot, p, ref);
    if (!r.attaches || !r.waypoints.some((w) => w.namespace === waypoint.namespace && w.name === waypoint.name)) return false;
    return !r.target || r.target.kind === 'Gateway' || (r.target.name === dest.name && r.target.namespace === dest.namespace);
  }));
  if (applying.length === 0) return hop('policy', 'ok', `No AuthorizationPolicy on waypoint ${waypoint.name} applies to ${dest.name}.`);
  const items = applying.map((p) => evidence(p.object.source, `${p.action} ${p.object.namespace}/${p.object.name}`));
  if (chain) {
    const missing = applying.filter((p) => (p.action === 'ALLOW' || p.action === 'DENY') && p.rules.length > 0 && !chain.chain.rbacPolicies.some((n) => n.startsWith(`ns[${p.object.namespace}]-policy[${p.object.name}]-rule[`)));
    if (missing.length) return hop('policy', 'broken', `${missing.map((p) => `${p.action} ${p.object.name}`).join(', ')} should be enforced here, but chain ${chain.chain.name} has no RBAC policy of ${missing.length > 1 ? 'them' : 'it'} (RBAC: ${chain.chain.rbacPolicies.join(', ') || 'none'}): the waypoint does not apply ${missing.length > 1 ? 'them' : 'it'} (WP041).`, [...items, evidence(chain.chain.source, chain.chain.name)]);
  }
  const verdict = verdictFor(applying, principal, source.namespace);
  return hop('policy', verdict.status, `For ${principal}: ${verdict.why}`, items);
}

function verdictFor(policies: PolicyView[], principal: string, namespace: string): { status: TraceHop['status']; why: string } {
  const matching = (p: PolicyView) => p.rules.filter((rule) => rulesMatchSource([rule], principal, namespace));
  for (const p of policies.filter((x) => x.action === 'DENY')) {
    const rules = matching(p);
    if (rules.some((r) => ruleHttpAttributes(r).length === 0)) return { status: 'broken', why: `DENY ${p.object.namespace}/${p.object.name} denies it.` };
  }
  const custom = policies.filter((x) => x.action === 'CUSTOM');
  const allows = policies.filter((x) => x.action === 'ALLOW');
  const denyMaybe = policies.filter((x) => x.action === 'DENY' && matching(x).length > 0).map((x) => x.object.name);
  const caveat = [denyMaybe.length ? ` DENY ${denyMaybe.join(', ')} may still deny some requests (HTTP conditions).` : '', custom.length ? ` CUSTOM ${custom.map((x) => x.object.name).join(', ')} asks an external authorizer.` : ''].join('');
  if (allows.length === 0) return { status: 'ok', why: `no ALLOW policy restricts it.${caveat}` };
  const admitting = allows.flatMap((p) => matching(p).map((rule) => ({ p, http: ruleHttpAttributes(rule) })));
  if (admitting.length === 0) return { status: 'broken', why: `ALLOW ${allows.map((p) => p.object.name).join(', ')} admit${allows.length > 1 ? '' : 's'} other clients only: 403 rbac_access_denied_matched_policy[none].` };
  const plain = admitting.find((a) => a.http.length === 0);
  return { status: 'ok', why: plain ? `ALLOW ${plain.p.object.name} admits it.${caveat}` : `ALLOW ${admitting[0]!.p.object.name} admits it for requests matching ${admitting[0]!.http.join(', ')}.${caveat}` };
}

/** The destination pods' ztunnel policies (no targetRefs), which see the waypoint's identity. */
export function destinationHop(snapshot: ClusterSnapshot, waypoint: KnownWaypoint, dest: Destination): TraceHop {
  const pods: KubeObject[] = dest.pod ? [dest.pod] : dest.service?.kind === 'Service' ? servicePods(snapshot, dest.service) : [];
  if (pods.length === 0) return hop('destination', 'unknown', 'The bundle has no pod of the destination, so its ztunnel policies cannot be judged.', [], ['kubectl get pods -A -o yaml']);
  const principal = waypointPrincipal(snapshot, { namespace: waypoint.namespace, name: waypoint.name, ...(waypoint.gateway ? { annotations: waypoint.gateway.annotations } : {}) });
  const ztunnelPolicies = policiesOf(snapshot, 'AuthorizationPolicy').filter((p) => p.targetRefs.length === 0 && !p.dryRun && (p.action === 'ALLOW' || p.action === 'DENY'));
  const selecting = ztunnelPolicies.filter((p) => selectedPods(snapshot, p).some((pod) => pods.includes(pod)));
  if (selecting.length === 0) return hop('destination', 'ok', `No ztunnel policy selects ${dest.name}'s pods.`);
  const items = selecting.map((p) => evidence(p.object.source, `${p.action} ${p.object.namespace}/${p.object.name} (enforced by ztunnel)`));
  const [, wpNamespace = ''] = /\/ns\/([^/]+)\//.exec(principal) ?? [];
  const denies = selecting.filter((p) => p.action === 'DENY' && rulesMatchSource(ztunnelRules(p), principal, wpNamespace));
  if (denies.length) return hop('destination', 'broken', `ztunnel at the destination denies the waypoint's identity ${principal} (DENY ${denies.map((p) => p.object.name).join(', ')}; WP023).`, items);
  const allows = selecting.filter((p) => p.action === 'ALLOW');
  if (allows.length && !allows.some((p) => rulesMatchSource(ztunnelRules(p), principal, wpNamespace))) {
    return hop('destination', 'broken', `ztunnel at the destination admits no connection from the waypoint's identity ${principal} (ALLOW ${allows.map((p) => p.object.name).join(', ')}; WP022/WP023).`, items);
  }
  return hop('destination', 'ok', `ztunnel at the destination admits the waypoint's identity ${principal}.`, items);
}
