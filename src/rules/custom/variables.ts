/**
 * The variables a CEL expression (and a message template) can read, declared once: this table gives
 * the type checker their CEL types, docs/custom-rules.md its table (a test keeps the two equal), and
 * `variablesOf` their values for one record. Named after ValidatingAdmissionPolicy's where they
 * overlap (`object`, `namespaceObject`: `namespace` is a reserved word in CEL).
 */
import { bindingKey, getObject, objectKey, type ClusterSnapshot } from '../../model/snapshot.js';
import type { KnownWaypoint, WaypointBinding, WaypointProxy } from '../../model/types.js';
import type { EnvoyConfigSummary, KubeObject } from '../../parse/types.js';

export interface VariableSpec {
  name: string;
  /** A map where the value is always there; `dyn` where it may be `null` (CEL's checker refuses `map == null`). */
  celType: string;
  /** For which kinds: every kind, or Services and Pods (whose waypoint binding the model resolves). */
  kinds: 'all' | 'Service, Pod';
  description: string;
}

export const VARIABLES: readonly VariableSpec[] = [
  {
    name: 'object',
    celType: 'map',
    kinds: 'all',
    description: 'The selected record: a Kubernetes object (`name`, `namespace`, `labels`, `annotations`, `spec`, `status`, `conditions`, `metadata`, `namespaceLabels`) or a row of a record list (see Kinds).',
  },
  {
    name: 'namespaceObject',
    celType: 'dyn',
    kinds: 'all',
    description: "The record's Namespace object (`name`, `labels`, `annotations`, `metadata`, `status`), or `null` when the record has no namespace or namespaces were not captured.",
  },
  {
    name: 'binding',
    celType: 'map',
    kinds: 'Service, Pod',
    description: 'The waypoint the object should use beside the one ztunnel shows: `state` (`bound`, `no-label`, `opted-out`, `waypoint-missing`, `waypoint-not-ready`, `traffic-type-unsupported`, `inherited-service-only`, `attachment-denied`), `expected` (the waypoint name ztunnel should print, or `None`), `observed` (what ztunnel printed, or `null`), `reason` (why, in words), `requested` (`namespace`, `name`, `from`: `object` or `namespace`; or `null`), `trafficType` (`service` or `workload`), `istiod` (the `istio.io/WaypointBound` condition: `status`, `reason`, `message`; or `null`).',
  },
  {
    name: 'waypoint',
    celType: 'dyn',
    kinds: 'Service, Pod',
    description: "The waypoint the object asks for (else the one ztunnel names), or `null`: `namespace`, `name`, `inferred` (only names show it), `gateway` (the Gateway object or `null`), `pods` (each `namespace`, `name`, `node`, `phase`, `ready`, `object` (the Pod or `null`), `proxyStatus`, `envoy`), and the first pod's `proxyStatus` (its `istioctl proxy-status` row or `null`) and `envoy` (its config dump's summary: `listeners`, `clusters`, `routes` as names, `endpoints` with `cluster`, `healthy`, `total`; or `null`).",
  },
  {
    name: 'ztunnel',
    celType: 'map',
    kinds: 'Service, Pod',
    description: "ztunnel's rows for the object: `service` (its `ztunnel-config service` row: `vip`, `waypoint`, `endpoints`; or `null`) for a Service, `workload` (its `ztunnel-config workload` row: `address`, `node`, `waypoint`, `protocol`; or `null`) for a Pod.",
  },
];

/** The variables a rule on `kind` may read. */
export function variablesFor(kind: string): VariableSpec[] {
  return VARIABLES.filter((v) => v.kinds === 'all' || v.kinds.split(', ').includes(kind));
}

/**
 * A Kubernetes object as expressions see it: the parsed object (kind, name, namespace, labels,
 * annotations, spec, status, conditions), `metadata` as kubectl shows it, and the labels of its
 * Namespace (when captured) as `namespaceLabels`.
 */
export function kubeView(snapshot: ClusterSnapshot, o: KubeObject): Record<string, unknown> {
  const ns = o.namespace ? getObject(snapshot, 'Namespace', undefined, o.namespace) : undefined;
  return {
    ...o,
    metadata: { name: o.name, ...(o.namespace ? { namespace: o.namespace } : {}), labels: o.labels, annotations: o.annotations },
    ...(ns ? { namespaceLabels: ns.labels } : {}),
  };
}

/** What one rule's check builds once and shares between records. */
export class VariableScope {
  private waypointIndex?: Map<string, KnownWaypoint>;
  private readonly namespaces = new Map<string, Record<string, unknown> | null>();

  constructor(private readonly snapshot: ClusterSnapshot, private readonly reads: ReadonlySet<string>) {}

  /** The variables of one record; those the rule does not read are left out (they cost lookups). */
  of(view: Record<string, unknown>, object?: KubeObject): Record<string, unknown> {
    const vars: Record<string, unknown> = { object: view };
    if (this.reads.has('namespaceObject')) vars['namespaceObject'] = this.namespaceView(typeof view['namespace'] === 'string' ? view['namespace'] : undefined);
    if (object && (object.kind === 'Service' || object.kind === 'Pod')) {
      const binding = this.snapshot.bindingOf.get(bindingKey(object));
      if (this.reads.has('binding')) vars['binding'] = binding ? bindingView(binding) : {};
      if (this.reads.has('waypoint')) vars['waypoint'] = binding ? this.waypointView(binding) : null;
      if (this.reads.has('ztunnel')) {
        const key = objectKey(object.namespace, object.name);
        vars['ztunnel'] = object.kind === 'Service'
          ? { service: this.snapshot.ztunnel.serviceByName.get(key) ?? null, workload: null }
          : { service: null, workload: this.snapshot.ztunnel.workloadByPod.get(key) ?? null };
      }
    }
    return vars;
  }

  private namespaceView(name: string | undefined): Record<string, unknown> | null {
    if (!name) return null;
    let v = this.namespaces.get(name);
    if (v === undefined) {
      const ns = getObject(this.snapshot, 'Namespace', undefined, name);
      v = ns ? kubeView(this.snapshot, ns) : null;
      this.namespaces.set(name, v);
    }
    return v;
  }

  private waypointView(binding: WaypointBinding): Record<string, unknown> | null {
    this.waypointIndex ??= new Map(this.snapshot.waypoints.map((w) => [objectKey(w.namespace, w.name), w]));
    const ns = binding.subject.namespace ?? '';
    let w: KnownWaypoint | undefined;
    if (binding.request) w = this.waypointIndex.get(objectKey(binding.request.namespace, binding.request.name));
    const observed = binding.observed?.waypoint;
    if (!w && observed && observed !== 'None' && observed !== 'NA') {
      const [wns, wname] = observed.includes('/') ? observed.split('/', 2) as [string, string] : [ns, observed];
      w = this.waypointIndex.get(objectKey(wns, wname));
    }
    if (!w) return null;
    const pods = w.proxies.map((p) => proxyView(this.snapshot, p));
    const first = pods.find((p) => p['proxyStatus'] !== null);
    const withEnvoy = pods.find((p) => p['envoy'] !== null);
    return {
      namespace: w.namespace,
      name: w.name,
      inferred: w.inferred,
      gateway: w.gateway ? kubeView(this.snapshot, w.gateway) : null,
      pods,
      proxyStatus: first?.['proxyStatus'] ?? null,
      envoy: withEnvoy?.['envoy'] ?? null,
    };
  }
}

function bindingView(b: WaypointBinding): Record<string, unknown> {
  return {
    state: b.state,
    trafficType: b.trafficType,
    expected: b.expected,
    observed: b.observed?.waypoint ?? null,
    reason: b.explanation,
    requested: b.request ? { namespace: b.request.namespace, name: b.request.name, from: b.request.from } : null,
    istiod: b.istiod ? { status: b.istiod.status, reason: b.istiod.reason ?? null, message: b.istiod.message ?? null } : null,
  };
}

function proxyView(snapshot: ClusterSnapshot, p: WaypointProxy): Record<string, unknown> {
  const status = p.object?.status as { phase?: unknown; containerStatuses?: { ready?: unknown }[] } | undefined;
  const spec = p.object?.spec as { nodeName?: unknown } | undefined;
  const statuses = Array.isArray(status?.containerStatuses) ? status.containerStatuses : [];
  return {
    namespace: p.namespace,
    name: p.pod,
    node: typeof spec?.nodeName === 'string' ? spec.nodeName : (p.ztunnel?.node ?? null),
    phase: typeof status?.phase === 'string' ? status.phase : null,
    ready: p.object ? status?.phase === 'Running' && statuses.length > 0 && statuses.every((c) => c.ready === true) : null,
    object: p.object ? kubeView(snapshot, p.object) : null,
    proxyStatus: p.proxyStatus ?? null,
    envoy: p.envoy ? envoyView(p.envoy) : null,
  };
}

function envoyView(e: EnvoyConfigSummary): Record<string, unknown> {
  return {
    listeners: e.listeners.map((l) => l.name),
    clusters: e.clusters.map((c) => c.name),
    routes: e.routeConfigs.map((r) => r.name),
    endpoints: e.endpoints.map((x) => ({ cluster: x.cluster, healthy: x.healthy, total: x.total })),
  };
}
