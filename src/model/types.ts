/**
 * The model's types: the ClusterSnapshot that rules read, and what it derives from the records (the
 * waypoint each Service and Pod should use beside the one ztunnel shows; the waypoints the bundle
 * shows and their pods). Kept apart from the code that builds them, so no module imports in a circle.
 */
import type { EnvoyConfigSummary, KubeObject, LogSummary, ParsedRecords, ProxyStatusRow, Provenance, ZtunnelService, ZtunnelWorkload } from '../parse/types.js';
import type { Capture } from './captures.js';

export interface ClusterSnapshot {
  /** What the bundle holds (even partly), for the engine's declared-input checks. */
  captured: Set<Capture>;
  /**
   * Captures some file holds whole: not elided with `...`, not filtered by `| grep`. Only these can
   * show that something is absent.
   */
  complete: Set<Capture>;
  /** Every record of every file, by kind (tables and dumps of the same thing side by side). */
  records: ParsedRecords;
  /** Kubernetes/Istio objects by kind, then by `namespace/name` (cluster-scoped: `name`). */
  objects: Map<string, Map<string, KubeObject>>;
  /** The same objects by kind, then by namespace: what a namespace holds, without scanning every object. */
  byNamespace: Map<string, Map<string, KubeObject[]>>;
  ztunnel: {
    workloadByPod: Map<string, ZtunnelWorkload>;
    serviceByName: Map<string, ZtunnelService>;
  };
  proxyStatus: { byPod: Map<string, ProxyStatusRow> };
  /** Expected (labels) beside observed (ztunnel) waypoint for every Service and Pod. */
  bindings: WaypointBinding[];
  /** The same bindings by `Kind/namespace/name` of their subject. */
  bindingOf: Map<string, WaypointBinding>;
  /** Every waypoint the bundle shows, from its objects or inferred from the tables' names, with its pods. */
  waypoints: KnownWaypoint[];
  /** Each log with the pod its path names (`logs/<ns>/<pod>.log`, a bug-report's `proxies/<ns>/<pod>/`). */
  podLogs: PodLog[];
}

export interface PodLog {
  log: LogSummary;
  pod?: { namespace: string; name: string };
}

/** Services are bound through service-addressed traffic, pods through pod-IP-addressed traffic. */
export type TrafficType = 'service' | 'workload';

/** What the labels ask for: a waypoint name and namespace, and the object that carried the label. */
export interface WaypointRequest {
  namespace: string;
  name: string;
  from: 'object' | 'namespace';
  label: Provenance;
  namespaceLabel?: Provenance;
}

/** The effective `istio.io/waypoint-for` of a waypoint: Gateway label, else GatewayClass label, else `service`. */
export interface WaypointFor {
  value: string;
  from: 'Gateway' | 'GatewayClass' | 'default';
  source?: Provenance;
}

export type BindingState =
  | 'bound'
  | 'no-label'
  | 'opted-out'
  | 'waypoint-missing'
  /** The Gateway exists but has no status.addresses yet: istiod ignores it (no fallback either). */
  | 'waypoint-not-ready'
  /** The object's own label names a waypoint that does not accept its traffic type: an error in Istio. */
  | 'traffic-type-unsupported'
  /** A pod inherits a namespace waypoint that only takes service traffic: silently none, by design. */
  | 'inherited-service-only'
  /** The waypoint is in another namespace and its HBONE listener's allowedRoutes does not admit this one. */
  | 'attachment-denied';

export interface WaypointBinding {
  subject: KubeObject;
  trafficType: TrafficType;
  state: BindingState;
  request?: WaypointRequest;
  gateway?: KubeObject;
  waypointFor?: WaypointFor;
  /** What ztunnel should print in its WAYPOINT column: the waypoint's name, or `None`. */
  expected: string;
  /** What ztunnel printed, when the bundle has its table. */
  observed?: { waypoint: string; source: Provenance };
  /** istiod's verdict, the `istio.io/WaypointBound` condition (Services, ServiceEntries, WorkloadEntries; since 1.24). */
  istiod?: { status: string; reason?: string; message?: string; source: Provenance };
  explanation: string;
}

export type WaypointEvidenceKind =
  | 'Gateway'
  | 'waypoint list'
  | 'waypoint pod'
  | 'proxy type'
  | 'ztunnel WAYPOINT column'
  | 'pod name';

export interface WaypointEvidence {
  via: WaypointEvidenceKind;
  note: string;
  source: Provenance;
}

/** One pod serving a waypoint, and what each source says about it. */
export interface WaypointProxy {
  namespace: string;
  pod: string;
  /** Known from the pod's labels, its proxy type or an explicit waypoint; false when only its name suggests it. */
  inferred: boolean;
  object?: KubeObject;
  ztunnel?: ZtunnelWorkload;
  proxyStatus?: ProxyStatusRow;
  envoy?: EnvoyConfigSummary;
  evidence: WaypointEvidence[];
}

export interface KnownWaypoint {
  namespace: string;
  name: string;
  /** True when no Gateway object, `waypoint list` row or istiod-managed pod shows it: only names do. */
  inferred: boolean;
  gateway?: KubeObject;
  evidence: WaypointEvidence[];
  proxies: WaypointProxy[];
}

