/**
 * Policies as Istio attaches them in ambient mode (pilot/pkg/model/policyattachment.go
 * ShouldAttachPolicy; pilot/pkg/serviceregistry/kube/controller/ambient/authorization.go
 * convertAuthorizationPolicy; failure-modes.md §1.9):
 * - a waypoint applies only policies with targetRefs: a Service or ServiceEntry in the policy's own
 *   namespace, a Gateway of its own namespace, or GatewayClass istio-waypoint from the root namespace;
 *   it never applies selector or namespace-wide policies;
 * - every AuthorizationPolicy without targetRefs goes to ztunnel, which drops the HTTP attributes it
 *   cannot enforce, and which sees, when a waypoint is in the path, the waypoint's identity.
 */
import type { KubeObject, Provenance } from '../parse/types.js';
import { isPodReady, selectorMatches } from './objects.js';
import { bindingKey, getObject, objectsIn, objectsOf, type ClusterSnapshot } from './snapshot.js';
import type { KnownWaypoint } from './types.js';

type Json = Record<string, unknown>;
const record = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strings = (v: unknown): string[] => list(v).filter((s): s is string => typeof s === 'string');

/** Kinds a waypoint attaches by targetRefs only (and, without them, ignores). */
export const TARGETABLE_POLICY_KINDS = ['AuthorizationPolicy', 'RequestAuthentication', 'Telemetry', 'WasmPlugin', 'EnvoyFilter'] as const;

export interface TargetRef {
  group: string;
  kind: string;
  name: string;
  namespace?: string;
  source: Provenance;
}

/** Where a policy lives and how it selects: targetRefs, a label selector, or (neither) its whole namespace. */
export interface PolicyView {
  object: KubeObject;
  targetRefs: TargetRef[];
  /** `spec.selector.matchLabels` (EnvoyFilter: `spec.workloadSelector.labels`); undefined without one. */
  selector?: Record<string, string>;
  /** AuthorizationPolicy action, `ALLOW` by default. */
  action: string;
  rules: Json[];
  /** HTTP attributes the rules use, which ztunnel cannot enforce: `methods`, `paths`, `when request.auth.claims[iss]`. */
  httpAttributes: string[];
  /** `istio.io/dry-run: "true"`. */
  dryRun: boolean;
}

const HTTP_SOURCE_FIELDS = ['requestPrincipals', 'notRequestPrincipals', 'remoteIpBlocks', 'notRemoteIpBlocks'];
const HTTP_OPERATION_FIELDS = ['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths'];
/** `when` keys ztunnel enforces; every other key is HTTP-level (authorization.go). */
const L4_CONDITION_KEYS = new Set(['source.ip', 'source.namespace', 'source.principal', 'destination.ip', 'destination.port']);

export function policyView(object: KubeObject): PolicyView {
  const spec = object.spec;
  const refs = [...list(spec['targetRefs']), ...(list(spec['targetRefs']).length === 0 && spec['targetRef'] ? [spec['targetRef']] : [])];
  const selectorSource = object.kind === 'EnvoyFilter' ? record(spec['workloadSelector'])['labels'] : record(spec['selector'])['matchLabels'];
  const hasSelector = object.kind === 'EnvoyFilter' ? spec['workloadSelector'] !== undefined : spec['selector'] !== undefined;
  const rules = list(spec['rules']).map(record);
  const view: PolicyView = {
    object,
    targetRefs: refs.map((r, i) => {
      const ref = record(r);
      const t: TargetRef = {
        group: typeof ref['group'] === 'string' ? ref['group'] : '',
        kind: String(ref['kind'] ?? ''),
        name: String(ref['name'] ?? ''),
        source: { ...object.source, path: `${object.source.path ? `${object.source.path}.` : ''}spec.targetRef${spec['targetRefs'] ? `s[${i}]` : ''}` },
      };
      if (typeof ref['namespace'] === 'string' && ref['namespace'] !== '') t.namespace = ref['namespace'];
      return t;
    }),
    action: typeof spec['action'] === 'string' ? spec['action'] : 'ALLOW',
    rules,
    httpAttributes: httpAttributes(rules),
    dryRun: object.annotations['istio.io/dry-run'] === 'true',
  };
  if (hasSelector) view.selector = Object.fromEntries(Object.entries(record(selectorSource)).map(([k, v]) => [k, String(v)]));
  return view;
}

function httpAttributes(rules: Json[]): string[] {
  return [...new Set(rules.flatMap(ruleHttpAttributes))];
}

/** The HTTP attributes one rule uses: ztunnel drops a rule that has any. */
export function ruleHttpAttributes(rule: Json): string[] {
  const found: string[] = [];
  for (const from of list(rule['from'])) for (const f of HTTP_SOURCE_FIELDS) if (record(record(from)['source'])[f] !== undefined) found.push(f);
  for (const to of list(rule['to'])) for (const f of HTTP_OPERATION_FIELDS) if (record(record(to)['operation'])[f] !== undefined) found.push(f);
  for (const when of list(rule['when'])) {
    const key = String(record(when)['key'] ?? '');
    if (key && !L4_CONDITION_KEYS.has(key)) found.push(`when ${key}`);
  }
  return found;
}

/** The root namespace: meshConfig.rootNamespace, else istiod's namespace default `istio-system`. */
export function rootNamespace(snapshot: ClusterSnapshot): string {
  for (const { config } of snapshot.records.meshConfigs) if (typeof config['rootNamespace'] === 'string' && config['rootNamespace']) return config['rootNamespace'];
  return 'istio-system';
}

/** The trust domain identities are written in (`cluster.local` unless the mesh config says otherwise). */
export function trustDomain(snapshot: ClusterSnapshot): string {
  for (const { config } of snapshot.records.meshConfigs) if (typeof config['trustDomain'] === 'string' && config['trustDomain']) return config['trustDomain'];
  return 'cluster.local';
}

/** The identity a waypoint's traffic carries: its ServiceAccount is named after the Gateway unless annotated otherwise. */
export function waypointPrincipal(snapshot: ClusterSnapshot, gateway: { namespace?: string; name: string; annotations?: Record<string, string> }): string {
  const sa = gateway.annotations?.['gateway.istio.io/service-account'] || gateway.name;
  return `${trustDomain(snapshot)}/ns/${gateway.namespace ?? ''}/sa/${sa}`;
}

/** All policies of the given kinds, as views. */
export function policiesOf(snapshot: ClusterSnapshot, kind: string): PolicyView[] {
  return [...objectsOf(snapshot, kind)].map(policyView);
}

/** `""` and `core` both name the core API group. */
export const canonicalGroup = (group: string) => (group === '' || group === 'core' ? 'core' : group);

export type TargetResolution =
  | { ref: TargetRef; attaches: true; waypoints: WaypointOf[]; target?: KubeObject }
  | { ref: TargetRef; attaches: false; why: string; target?: KubeObject };

/** A waypoint a policy reaches, and through which object (the Service, or the Gateway itself). */
export interface WaypointOf {
  namespace: string;
  name: string;
  gateway?: KubeObject;
  via: string;
}

/**
 * Whether a targetRef attaches the policy to a waypoint, and to which, per ShouldAttachPolicy: a
 * Service or ServiceEntry bound to a waypoint, in the policy's namespace; a waypoint Gateway of the
 * policy's namespace; GatewayClass istio-waypoint from the root namespace. Why not, otherwise.
 */
export function resolveTargetRef(snapshot: ClusterSnapshot, policy: PolicyView, ref: TargetRef): TargetResolution {
  const ns = policy.object.namespace ?? '';
  const group = canonicalGroup(ref.group);
  const no = (why: string, target?: KubeObject): TargetResolution => ({ ref, attaches: false, why, ...(target ? { target } : {}) });
  if (ref.kind === 'GatewayClass') {
    if (group !== 'gateway.networking.k8s.io') return no(`kind GatewayClass needs group gateway.networking.k8s.io, not "${ref.group}"`);
    if (ref.name !== 'istio-waypoint') return no(`GatewayClass ${ref.name}: only istio-waypoint attaches a policy to waypoints`);
    const root = rootNamespace(snapshot);
    if (ns !== root) return no(`a GatewayClass target only attaches from the root namespace ${root}, not from ${ns}`);
    return { ref, attaches: true, waypoints: snapshot.waypoints.map((w) => waypointOf(w, 'GatewayClass istio-waypoint')) };
  }
  if (ref.namespace && ref.namespace !== ns) return no(`targetRef namespace ${ref.namespace} differs from the policy's namespace ${ns}: Istio never matches it`);
  if (ref.kind === 'Service' || ref.kind === 'ServiceEntry') {
    const wantGroup = ref.kind === 'Service' ? 'core' : 'networking.istio.io';
    if (group !== wantGroup) return no(`kind ${ref.kind} with group "${ref.group}" names nothing Istio knows; use group ${ref.kind === 'Service' ? '""' : 'networking.istio.io'}`);
    const target = getObject(snapshot, ref.kind, ns, ref.name);
    if (!target) return no(`no ${ref.kind} ${ns}/${ref.name} in the bundle`);
    const binding = snapshot.bindingOf.get(bindingKey(target));
    if (!binding || binding.state !== 'bound' || !binding.request) {
      return no(`${ref.kind} ${ns}/${ref.name} is not bound to a waypoint${binding ? ` (${binding.explanation})` : ''}`, target);
    }
    return { ref, attaches: true, target, waypoints: [{ namespace: binding.request.namespace, name: binding.request.name, ...(binding.gateway ? { gateway: binding.gateway } : {}), via: `${ref.kind} ${ns}/${ref.name}` }] };
  }
  if (ref.kind === 'Gateway') {
    if (group === 'networking.istio.io') return no(`a networking.istio.io Gateway is an ingress gateway, never a waypoint`);
    if (group !== 'gateway.networking.k8s.io') return no(`kind Gateway needs group gateway.networking.k8s.io, not "${ref.group}"`);
    const target = getObject(snapshot, 'Gateway', ns, ref.name);
    if (!target) return no(`no Gateway ${ns}/${ref.name} in the bundle`);
    const known = snapshot.waypoints.find((w) => w.namespace === ns && w.name === ref.name);
    if (!known || known.inferred) return no(`Gateway ${ns}/${ref.name} is not a waypoint (class ${String(target.spec['gatewayClassName'])})`, target);
    return { ref, attaches: true, target, waypoints: [waypointOf(known, `Gateway ${ns}/${ref.name}`)] };
  }
  return no(`kind ${ref.kind} cannot attach a policy to a waypoint (Service, ServiceEntry, Gateway or GatewayClass)`);
}

function waypointOf(w: KnownWaypoint, via: string): WaypointOf {
  return { namespace: w.namespace, name: w.name, ...(w.gateway ? { gateway: w.gateway } : {}), via };
}

/**
 * The pods a policy without targetRefs selects, as ztunnel enforces it: its selector's pods in its
 * namespace, every pod of its namespace without a selector, every pod of the mesh from the root
 * namespace without a selector.
 */
export function selectedPods(snapshot: ClusterSnapshot, policy: PolicyView): KubeObject[] {
  const ns = policy.object.namespace ?? '';
  const meshWide = ns === rootNamespace(snapshot) && !policy.selector;
  const pods = meshWide ? [...objectsOf(snapshot, 'Pod')] : objectsIn(snapshot, 'Pod', ns);
  if (!policy.selector) return [...pods];
  const selector = { matchLabels: policy.selector };
  return pods.filter((p) => selectorMatches(selector, p.labels));
}

/** The pods behind a Service, running and ready or not. */
export function readyPods(pods: readonly KubeObject[]): KubeObject[] {
  return pods.filter(isPodReady);
}

/**
 * Whether an ALLOW or DENY rule set matches a source identity at L4 (what ztunnel checks): a rule
 * matches when every `from` it has admits the principal (`principals`, `namespaces`, and their `not`
 * forms, with Istio's `*` prefix/suffix wildcards). Rules with only `to`/`when` parts match any source.
 */
export function rulesMatchSource(rules: readonly Json[], principal: string, namespace: string): boolean {
  return rules.some((rule) => {
    const froms = list(rule['from']).map((f) => record(record(f)['source']));
    if (froms.length === 0) return true;
    return froms.some((s) => {
      const principals = strings(s['principals']);
      const namespaces = strings(s['namespaces']);
      if (principals.length && !principals.some((p) => wildcardMatch(p, principal))) return false;
      if (namespaces.length && !namespaces.some((n) => wildcardMatch(n, namespace))) return false;
      if (strings(s['notPrincipals']).some((p) => wildcardMatch(p, principal))) return false;
      if (strings(s['notNamespaces']).some((n) => wildcardMatch(n, namespace))) return false;
      return true;
    });
  });
}

/** The rules ztunnel keeps of a policy: those without HTTP attributes (authorization.go drops the others, ALLOW and DENY alike). */
export function ztunnelRules(policy: PolicyView): Json[] {
  return policy.rules.filter((rule) => ruleHttpAttributes(rule).length === 0);
}

/** Whether rules test who the source is (principals, namespaces): what a waypoint in the path hides from ztunnel. */
export function rulesTestSourceIdentity(rules: readonly Json[]): boolean {
  return rules.some((rule) => list(rule['from']).some((f) => {
    const s = record(record(f)['source']);
    return ['principals', 'notPrincipals', 'namespaces', 'notNamespaces'].some((k) => strings(s[k]).length > 0);
  }));
}

/** Istio's string match: exact, `*`, `prefix*` or `*suffix` (also for principals written with `spiffe://`). */
function wildcardMatch(pattern: string, value: string): boolean {
  const p = pattern.replace(/^spiffe:\/\//, '');
  if (p === '*') return true;
  if (p.endsWith('*')) return value.startsWith(p.slice(0, -1));
  if (p.startsWith('*')) return value.endsWith(p.slice(1));
  return p === value;
}
