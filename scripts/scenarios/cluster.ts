/**
 * Queries over one bundle's objects, as istiod and ztunnel see them: which Services and pods each waypoint
 * serves, port protocols, endpoints, identities, and which AuthorizationPolicies apply where. The config-dump
 * and traffic generators share these, so a bundle's dumps, logs and objects never disagree.
 */
import type { K } from './serializers.js';
import type { Bundle } from './bundle.js';

export const GATEWAY_NAME = 'gateway.networking.k8s.io/gateway-name';
export const ROOT_NS = 'istio-system';
export const TRUST_DOMAIN = 'cluster.local';

export const fqdn = (name: string, ns: string) => `${name}.${ns}.svc.cluster.local`;
export const principal = (ns: string, sa: string) => `${TRUST_DOMAIN}/ns/${ns}/sa/${sa}`;
export const spiffe = (ns: string, sa: string) => `spiffe://${principal(ns, sa)}`;

/** A Service or ServiceEntry as a waypoint serves it. */
export interface Served {
  kind: 'Service' | 'ServiceEntry';
  name: string;
  namespace: string;
  host: string;
  vips: string[];
  ports: { port: number; targetPort: number; name: string; protocol: Protocol }[];
  object: K;
}

export type Protocol = 'http' | 'tcp' | 'unknown';

const HTTP_NAMES = new Set(['http', 'http2', 'grpc', 'grpc-web', 'h2c']);
const TCP_NAMES = new Set(['tcp', 'https', 'tls', 'mongo', 'redis', 'mysql']);

/** Istio's protocol of a Service port: appProtocol, then the port name's prefix; anything else is sniffed. */
export function portProtocol(p: K): Protocol {
  const app = String(p.appProtocol ?? '').toLowerCase();
  if (app) {
    if (HTTP_NAMES.has(app) || app === 'kubernetes.io/h2c') return 'http';
    if (TCP_NAMES.has(app)) return 'tcp';
  }
  const prefix = String(p.name ?? '').toLowerCase().split('-')[0]!;
  if (HTTP_NAMES.has(prefix)) return 'http';
  if (TCP_NAMES.has(prefix)) return 'tcp';
  return 'unknown';
}

export const podReady = (pod: K) => pod.status?.conditions?.some((c: K) => c.type === 'Ready' && c.status === 'True') ?? false;

export const podIdentity = (pod: K) => spiffe(pod.metadata.namespace, pod.spec.serviceAccountName);

export const matches = (labels: Record<string, string> | undefined, selector: Record<string, string> | undefined) =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

export function podsOf(b: Bundle, ns: string, selector: Record<string, string> | undefined): K[] {
  return b.items('pods').filter((p) => p.metadata.namespace === ns && matches(p.metadata.labels, selector));
}

export const podByName = (b: Bundle, ns: string, name: string): K | undefined =>
  b.items('pods').find((p) => p.metadata.namespace === ns && p.metadata.name === name);

export const podByIp = (b: Bundle, ip: string): K | undefined =>
  b.items('pods').find((p) => p.status?.podIP === ip && !p.spec.hostNetwork);

/** ztunnel's view of a pod: its workload row (PROTOCOL HBONE when captured, WAYPOINT). */
export function workloadRow(b: Bundle, pod: K): string[] | undefined {
  return b.zw.rows.find((r) => r[0] === pod.metadata.namespace && r[1] === pod.metadata.name);
}

export const captured = (b: Bundle, pod: K) => workloadRow(b, pod)?.[5] === 'HBONE';

/** The ztunnel pod on a node. */
export const ztunnelOn = (b: Bundle, node: string): K | undefined =>
  b.items('pods').find((p) => p.metadata.namespace === ROOT_NS && p.metadata.name.startsWith('ztunnel-') && p.spec.nodeName === node);

/** Waypoint Gateways (class istio-waypoint) with their running pod, if any. */
export function waypoints(b: Bundle): { gw: K; pod: K | undefined }[] {
  return b.items('gateways').filter((g) => g.spec.gatewayClassName === 'istio-waypoint').map((gw) => ({
    gw,
    pod: b.items('pods').find((p) => p.metadata.namespace === gw.metadata.namespace && p.metadata.labels?.[GATEWAY_NAME] === gw.metadata.name),
  }));
}

const boundTo = (o: K): string | undefined => {
  const c = o.status?.conditions?.find((x: K) => x.type === 'istio.io/WaypointBound');
  if (c?.status !== 'True') return undefined;
  return /attached to waypoint (\S+)$/.exec(c.message ?? '')?.[1];
};

/** What istiod programs on waypoint `ns/name`: every Service/ServiceEntry it reports bound to it, sorted by host. */
export function servedBy(b: Bundle, ns: string, name: string): Served[] {
  const stale = b.stale.get(`${ns}/${name}`);
  const out: Served[] = [];
  for (const svc of b.items('services')) {
    if (boundTo(svc) !== `${ns}/${name}` || stale?.services.includes(svc.metadata.name)) continue;
    const vips = svc.spec.clusterIP && svc.spec.clusterIP !== 'None' ? [svc.spec.clusterIP] : [];
    out.push({
      kind: 'Service', name: svc.metadata.name, namespace: svc.metadata.namespace, host: fqdn(svc.metadata.name, svc.metadata.namespace), vips, object: svc,
      ports: (svc.spec.ports as K[]).filter((p) => p.protocol !== 'UDP').map((p) => ({
        port: p.port, targetPort: typeof p.targetPort === 'number' ? p.targetPort : p.port, name: p.name ?? '', protocol: portProtocol(p),
      })),
    });
  }
  for (const se of b.items('serviceentries')) {
    if (boundTo(se) !== `${ns}/${name}` || stale?.services.includes(se.metadata.name)) continue;
    out.push({
      kind: 'ServiceEntry', name: se.metadata.name, namespace: se.metadata.namespace, host: se.spec.hosts[0], vips: se.spec.addresses ?? [], object: se,
      ports: (se.spec.ports as K[]).map((p) => ({
        port: p.number, targetPort: p.targetPort ?? p.number, name: p.name, protocol: /^(HTTP|HTTP2|GRPC)$/.test(p.protocol) ? 'http' : p.protocol ? 'tcp' : 'unknown',
      })),
    });
  }
  return out.sort((x, y) => (x.host < y.host ? -1 : x.host > y.host ? 1 : 0));
}

/** Pods whose own `use-waypoint` names this waypoint, when it takes workload traffic. */
export function workloadsOf(b: Bundle, gw: K): K[] {
  const forWhat = gw.metadata.labels?.['istio.io/waypoint-for'] ?? 'service';
  if (forWhat !== 'workload' && forWhat !== 'all') return [];
  return b.items('pods').filter((p) => p.metadata.namespace === gw.metadata.namespace && p.metadata.labels?.['istio.io/use-waypoint'] === gw.metadata.name);
}

/** Ready endpoints of a served Service (pods), optionally of one DestinationRule subset. */
export function endpoints(b: Bundle, s: Served, subsetLabels?: Record<string, string>): K[] {
  if (s.kind !== 'Service' || !s.object.spec.selector) return [];
  return podsOf(b, s.namespace, s.object.spec.selector)
    .filter((p) => podReady(p) && (!subsetLabels || Object.entries(subsetLabels).every(([k, v]) => p.metadata.labels?.[k] === v)))
    .sort((x, y) => (x.metadata.name < y.metadata.name ? -1 : 1));
}

/** DestinationRule subsets for a host, in the DR's order. */
export function subsetsOf(b: Bundle, s: Served): { name: string; labels: Record<string, string> }[] {
  const short = [s.name, `${s.name}.${s.namespace}`, `${s.name}.${s.namespace}.svc`, s.host];
  const dr = b.items('destinationrules').find((d) => d.metadata.namespace === s.namespace && short.includes(d.spec.host));
  return (dr?.spec.subsets ?? []).map((x: K) => ({ name: x.name, labels: x.labels ?? {} }));
}

// ---- AuthorizationPolicies ----------------------------------------------------------------------

const targetRefsOf = (ap: K): K[] => ap.spec.targetRefs ?? (ap.spec.targetRef ? [ap.spec.targetRef] : []);

/** Policies a waypoint applies on a Service's chains: targetRefs to the Service, to its Gateway, or to the class. */
export function waypointPolicies(b: Bundle, gw: K, s: Served | undefined): K[] {
  const stale = b.stale.get(`${gw.metadata.namespace}/${gw.metadata.name}`);
  return b.items('authorizationpolicies').filter((ap) => {
    if (stale?.policies.includes(`${ap.metadata.namespace}/${ap.metadata.name}`)) return false;
    return targetRefsOf(ap).some((t) => {
      if (t.namespace && t.namespace !== ap.metadata.namespace) return false;
      if (t.kind === 'Gateway') return t.group === 'gateway.networking.k8s.io' && t.name === gw.metadata.name && ap.metadata.namespace === gw.metadata.namespace;
      if (t.kind === 'GatewayClass') return t.name === 'istio-waypoint' && ap.metadata.namespace === ROOT_NS;
      if (!s) return false;
      if (t.kind === 'Service') return s.kind === 'Service' && (t.group ?? '') === '' && t.name === s.name && ap.metadata.namespace === s.namespace;
      if (t.kind === 'ServiceEntry') return s.kind === 'ServiceEntry' && t.name === s.name && ap.metadata.namespace === s.namespace;
      return false;
    });
  }).sort((x, y) => (`${x.metadata.namespace}/${x.metadata.name}` < `${y.metadata.namespace}/${y.metadata.name}` ? -1 : 1));
}

/** Policies ztunnel enforces for a destination pod: no targetRefs; selector, namespace-wide or root namespace. */
export function ztunnelPolicies(b: Bundle, pod: K): K[] {
  return b.items('authorizationpolicies').filter((ap) => {
    if (targetRefsOf(ap).length > 0) return false;
    if (!['ALLOW', 'DENY', undefined].includes(ap.spec.action)) return false;
    if (ap.metadata.namespace === ROOT_NS && !ap.spec.selector) return true;
    if (ap.metadata.namespace !== pod.metadata.namespace) return false;
    return !ap.spec.selector || matches(pod.metadata.labels, ap.spec.selector.matchLabels);
  });
}

const HTTP_TO = ['methods', 'notMethods', 'paths', 'notPaths', 'hosts', 'notHosts'];
const HTTP_FROM = ['requestPrincipals', 'notRequestPrincipals', 'remoteIpBlocks', 'notRemoteIpBlocks'];

/** Whether a rule uses HTTP attributes (which ztunnel cannot enforce). */
export const ruleHasHttp = (rule: K) =>
  (rule.to ?? []).some((t: K) => HTTP_TO.some((k) => t.operation?.[k]?.length)) ||
  (rule.from ?? []).some((f: K) => HTTP_FROM.some((k) => f.source?.[k]?.length)) ||
  (rule.when ?? []).some((w: K) => !['source.ip', 'source.namespace', 'source.principal', 'destination.ip', 'destination.port'].includes(w.key));

const strMatch = (patterns: string[] | undefined, value: string | undefined) =>
  !patterns || patterns.some((p) => (p === '*' ? value !== undefined : p.endsWith('*') ? value?.startsWith(p.slice(0, -1)) : p.startsWith('*') ? value?.endsWith(p.slice(1)) : value === p));

export interface Peer {
  /** `cluster.local/ns/x/sa/y`, undefined for plaintext. */
  principal: string | undefined;
  namespace: string | undefined;
  requestPrincipal?: string;
  method?: string;
  path?: string;
}

/**
 * One rule against a peer. At ztunnel (`l4`) HTTP fields are unknown: an ALLOW rule that has any never matches,
 * a DENY rule is kept with its L4 fields only (more restrictive), as istiod converts them.
 */
export function ruleMatches(rule: K, peer: Peer, l4: boolean, deny = false): boolean {
  if (l4 && !deny && ruleHasHttp(rule)) return false;
  const fromOk = !rule.from || rule.from.some((f: K) => {
    const s = f.source ?? {};
    return strMatch(s.principals, peer.principal) && strMatch(s.namespaces, peer.namespace) &&
      (!s.notNamespaces || !strMatch(s.notNamespaces, peer.namespace)) &&
      (l4 || strMatch(s.requestPrincipals, peer.requestPrincipal));
  });
  const toOk = !rule.to || rule.to.some((t: K) => {
    const o = t.operation ?? {};
    return l4 || (strMatch(o.methods, peer.method) && strMatch(o.paths, peer.path));
  });
  return fromOk && toOk;
}

/** The RBAC verdict of a set of policies: undefined when allowed, else what denied it (a policy key, `ns/name` at ztunnel, or `none`). */
export function rbacVerdict(policies: K[], peer: Peer, l4: boolean): { by: string } | undefined {
  for (const ap of policies.filter((p) => p.spec.action === 'DENY')) {
    const i = (ap.spec.rules ?? []).findIndex((r: K) => ruleMatches(r, peer, l4, true));
    if (i >= 0) return { by: l4 ? `${ap.metadata.namespace}/${ap.metadata.name}` : `ns[${ap.metadata.namespace}]-policy[${ap.metadata.name}]-rule[${i}]` };
  }
  const allows = policies.filter((p) => (p.spec.action ?? 'ALLOW') === 'ALLOW');
  if (allows.length === 0) return undefined;
  return allows.some((ap) => (ap.spec.rules ?? []).some((r: K) => ruleMatches(r, peer, l4))) ? undefined : { by: 'none' };
}
