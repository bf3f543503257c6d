/**
 * Which waypoint should a Service or Pod use, per Istio's own logic (pilot/pkg/serviceregistry/
 * ambient/waypoints.go), and which one did ztunnel show? See failure-modes.md §1.1 and §1.3.
 */
import type { KubeObject, Provenance, ZtunnelService, ZtunnelWorkload } from '../parse/types.js';
import { gatewayAddresses, hboneListener, selectorMatches } from './objects.js';
import { getObject, objectsOf } from './snapshot.js';
import type { ClusterSnapshot, TrafficType, WaypointBinding, WaypointFor, WaypointRequest } from './types.js';

export type { BindingState, TrafficType, WaypointBinding, WaypointFor, WaypointRequest } from './types.js';

export const USE_WAYPOINT = 'istio.io/use-waypoint';
export const USE_WAYPOINT_NAMESPACE = 'istio.io/use-waypoint-namespace';
export const WAYPOINT_FOR = 'istio.io/waypoint-for';
const MANAGED_BY = 'gateway.istio.io/managed';
const MESH_CONTROLLER = 'istio.io-mesh-controller';

/** Reads `use-waypoint` from the object, else from its namespace; `use-waypoint-namespace` from the same object. */
export function requestedWaypoint(object: KubeObject, namespaceObject: KubeObject | undefined): WaypointRequest | 'none' | undefined {
  const carrier = object.labels[USE_WAYPOINT] !== undefined ? object : namespaceObject?.labels[USE_WAYPOINT] !== undefined ? namespaceObject : undefined;
  if (!carrier) return undefined;
  const name = carrier.labels[USE_WAYPOINT]!;
  if (name === 'none') return 'none';
  const ownNamespace = object.kind === 'Namespace' ? object.name : object.namespace ?? '';
  const request: WaypointRequest = {
    name,
    namespace: carrier.labels[USE_WAYPOINT_NAMESPACE] || ownNamespace,
    from: carrier === object ? 'object' : 'namespace',
    label: carrier.labelSources[USE_WAYPOINT] ?? carrier.source,
  };
  const nsLabel = carrier.labelSources[USE_WAYPOINT_NAMESPACE];
  if (carrier.labels[USE_WAYPOINT_NAMESPACE] && nsLabel) request.namespaceLabel = nsLabel;
  return request;
}

export function effectiveWaypointFor(snapshot: ClusterSnapshot, gateway: KubeObject): WaypointFor {
  const own = gateway.labels[WAYPOINT_FOR];
  if (own !== undefined) return withSource({ value: own, from: 'Gateway' }, gateway.labelSources[WAYPOINT_FOR]);
  const className = typeof gateway.spec['gatewayClassName'] === 'string' ? gateway.spec['gatewayClassName'] : '';
  const gatewayClass = className ? getObject(snapshot, 'GatewayClass', undefined, className) : undefined;
  const fromClass = gatewayClass?.labels[WAYPOINT_FOR];
  if (gatewayClass && fromClass !== undefined) return withSource({ value: fromClass, from: 'GatewayClass' }, gatewayClass.labelSources[WAYPOINT_FOR]);
  return { value: 'service', from: 'default' };
}

/** Whether a waypoint-for value accepts a traffic type; any unknown value accepts nothing, as in Istio. */
export function acceptsTraffic(waypointFor: string, traffic: TrafficType): boolean {
  return waypointFor === 'all' || waypointFor === traffic;
}

/** A waypoint's own Service and pods never get a waypoint. */
export function isWaypointInfrastructure(object: KubeObject): boolean {
  return object.labels[MANAGED_BY] === MESH_CONTROLLER;
}

export function resolveBinding(snapshot: ClusterSnapshot, subject: KubeObject, trafficType: TrafficType): WaypointBinding {
  const namespaceObject = getObject(snapshot, 'Namespace', undefined, subject.namespace ?? '');
  const request = isWaypointInfrastructure(subject) ? undefined : requestedWaypoint(subject, namespaceObject);
  const binding: WaypointBinding = { subject, trafficType, state: 'no-label', expected: 'None', explanation: '' };
  if (request === undefined) {
    binding.explanation = isWaypointInfrastructure(subject)
      ? 'part of a waypoint: never uses a waypoint itself'
      : `no ${USE_WAYPOINT} label on the ${subject.kind} or its namespace`;
  } else if (request === 'none') {
    binding.state = 'opted-out';
    binding.explanation = `${USE_WAYPOINT}=none opts it out of any waypoint`;
  } else {
    binding.request = request;
    const where = request.from === 'object' ? `on the ${subject.kind}` : `inherited from namespace ${subject.namespace}`;
    const gateway = getObject(snapshot, 'Gateway', request.namespace, request.name);
    if (!gateway) {
      binding.state = 'waypoint-missing';
      binding.explanation = `${USE_WAYPOINT}=${request.name} (${where}) names Gateway ${request.namespace}/${request.name}, which is not in the bundle; Istio does not fall back to another waypoint`;
    } else {
      binding.gateway = gateway;
      const waypointFor = effectiveWaypointFor(snapshot, gateway);
      binding.waypointFor = waypointFor;
      const denied = attachmentDenied(snapshot, gateway, subject.namespace ?? '');
      if (gatewayAddresses(gateway).length === 0) {
        binding.state = 'waypoint-not-ready';
        binding.explanation = `${USE_WAYPOINT}=${request.name} (${where}), but Gateway ${request.namespace}/${request.name} has no status.addresses yet: istiod ignores it until a waypoint pod is ready, with no fallback`;
      } else if (denied) {
        binding.state = 'attachment-denied';
        binding.explanation = `${USE_WAYPOINT}=${request.name} (${where}) names a waypoint in namespace ${request.namespace}, which ${denied}`;
      } else if (acceptsTraffic(waypointFor.value, trafficType)) {
        binding.state = 'bound';
        binding.expected = request.name;
        binding.explanation = `${USE_WAYPOINT}=${request.name} (${where}); the waypoint takes ${trafficType} traffic (waypoint-for ${waypointFor.value})`;
      } else {
        binding.state = request.from === 'namespace' && trafficType === 'workload' ? 'inherited-service-only' : 'traffic-type-unsupported';
        binding.explanation = `${USE_WAYPOINT}=${request.name} (${where}), but that waypoint takes ${describeWaypointFor(waypointFor)}, not ${trafficType} traffic`;
      }
    }
  }
  const bound = subject.conditions.find((c) => c.type === 'istio.io/WaypointBound');
  if (bound) binding.istiod = { status: bound.status, source: bound.source, ...(bound.reason ? { reason: bound.reason } : {}), ...(bound.message ? { message: bound.message } : {}) };
  const observed = observedRow(snapshot, subject);
  if (observed) binding.observed = { waypoint: observed.waypoint, source: observed.source };
  return binding;
}

/** "only service traffic (no istio.io/waypoint-for label, so the default)" and the like. */
export function describeWaypointFor(waypointFor: WaypointFor): string {
  const { value } = waypointFor;
  const accepts = value === 'all' ? 'all traffic'
    : value === 'service' || value === 'workload' ? `only ${value} traffic`
    : value === 'none' ? 'no traffic'
    : `no traffic ("${value}" is not a valid value)`;
  const why = waypointFor.from === 'default' ? `no ${WAYPOINT_FOR} label, so the default` : `${WAYPOINT_FOR}=${value} on its ${waypointFor.from}`;
  return `${accepts} (${why})`;
}

/** What ztunnel shows for an object: its service row (ServiceEntries by host), or its workload row. */
export function observedRow(snapshot: ClusterSnapshot, subject: KubeObject): ZtunnelService | ZtunnelWorkload | undefined {
  const ns = subject.namespace ?? '';
  if (subject.kind === 'Service') return snapshot.ztunnel.serviceByName.get(`${ns}/${subject.name}`);
  if (subject.kind === 'ServiceEntry') {
    const hosts = Array.isArray(subject.spec['hosts']) ? subject.spec['hosts'].map(String) : [];
    for (const name of [subject.name, ...hosts]) {
      const row = snapshot.ztunnel.serviceByName.get(`${ns}/${name}`);
      if (row) return row;
    }
    return undefined;
  }
  return snapshot.ztunnel.workloadByPod.get(`${ns}/${subject.name}`);
}

/**
 * Why a waypoint in another namespace refuses an object of `namespace` (Istio's
 * AllowsAttachmentFromNamespace: the HBONE listener's allowedRoutes, `Same` when absent), or undefined.
 */
export function attachmentDenied(snapshot: ClusterSnapshot, gateway: KubeObject, namespace: string): string | undefined {
  if (gateway.namespace === namespace) return undefined;
  const listener = hboneListener(gateway);
  const from = listener?.allowedFrom ?? 'Same';
  if (from === 'All') return undefined;
  if (from === 'Selector' && listener?.selector) {
    const ns = getObject(snapshot, 'Namespace', undefined, namespace);
    // Without the Namespace object its labels are unknown: do not claim a denial that cannot be shown.
    if (!ns || selectorMatches(listener.selector, ns.labels)) return undefined;
    return `does not admit namespace ${namespace} (allowedRoutes selector does not match its labels)`;
  }
  return `only admits its own namespace (allowedRoutes.namespaces.from: ${from}${listener ? '' : ', no HBONE listener'})`;
}

export function resolveBindings(snapshot: ClusterSnapshot): WaypointBinding[] {
  const bindings: WaypointBinding[] = [];
  for (const kind of ['Service', 'ServiceEntry']) for (const o of objectsOf(snapshot, kind)) bindings.push(resolveBinding(snapshot, o, 'service'));
  for (const kind of ['Pod', 'WorkloadEntry']) for (const o of objectsOf(snapshot, kind)) bindings.push(resolveBinding(snapshot, o, 'workload'));
  return bindings;
}

function withSource(waypointFor: WaypointFor, source: Provenance | undefined): WaypointFor {
  if (source) waypointFor.source = source;
  return waypointFor;
}
