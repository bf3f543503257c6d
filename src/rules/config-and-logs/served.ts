/**
 * What the config-and-logs rules share: the Services a waypoint should serve (from the labels, and from
 * ztunnel's WAYPOINT column, which is what clients actually follow), and how to cite its dump.
 */
import { objectKey, type ClusterSnapshot } from '../../model/snapshot.js';
import type { KnownWaypoint, PodLog, WaypointBinding } from '../../model/types.js';
import type { KubeObject, ZtunnelService } from '../../parse/types.js';
import { evidence, type Evidence } from '../types.js';
import { k8sName, nsOf, sh } from '../shell.js';

export interface ServedService {
  namespace: string;
  name: string;
  kind: 'Service' | 'ServiceEntry';
  object?: KubeObject;
  /** The labels' verdict, when the bundle has the object. */
  binding?: WaypointBinding;
  /** ztunnel's row, when its WAYPOINT column names this waypoint. */
  ztunnel?: ZtunnelService;
}

/** Whether ztunnel's WAYPOINT cell names this waypoint (`name`, or `namespace/name` for another namespace). */
export function ztunnelNames(row: ZtunnelService, waypoint: KnownWaypoint): boolean {
  return row.waypoint === `${waypoint.namespace}/${waypoint.name}` || (row.waypoint === waypoint.name && row.namespace === waypoint.namespace);
}

/**
 * The Services and ServiceEntries bound to a waypoint, by the labels or by ztunnel. Headless and
 * ExternalName Services and ServiceEntries without an address have no VIP, so the waypoint has no
 * chain for them (WP007 and WP019 are about those).
 */
export function servicesServedBy(snapshot: ClusterSnapshot, waypoint: KnownWaypoint): ServedService[] {
  const index = servedIndex(snapshot);
  const wanted = `${waypoint.namespace}/${waypoint.name}`;
  const out = new Map<string, ServedService>();
  for (const b of index.bindings.get(wanted) ?? []) {
    if (!hasVip(b.subject)) continue;
    const key = objectKey(b.subject.namespace, b.subject.name);
    out.set(key, { namespace: b.subject.namespace ?? '', name: b.subject.name, kind: b.subject.kind as ServedService['kind'], object: b.subject, binding: b, ...ztunnelRow(snapshot, key, waypoint) });
  }
  for (const row of index.rows.get(wanted) ?? []) {
    const key = objectKey(row.namespace, row.name);
    if (out.has(key)) continue;
    // ztunnel names a ServiceEntry's row after the ServiceEntry; its chains are named after its hosts.
    const object = snapshot.objects.get('Service')?.get(key) ?? snapshot.objects.get('ServiceEntry')?.get(key);
    if (object && !hasVip(object)) continue;
    if (!object && row.hostname && !row.hostname.endsWith('.svc.cluster.local') && !/\.svc\./.test(row.hostname)) continue;
    out.set(key, { namespace: row.namespace, name: row.name, kind: object?.kind === 'ServiceEntry' ? 'ServiceEntry' : 'Service', ...(object ? { object } : {}), ztunnel: row });
  }
  return [...out.values()];
}

interface ServedIndex {
  /** Bound Services and ServiceEntries by their waypoint (`namespace/name`). */
  bindings: Map<string, WaypointBinding[]>;
  /** ztunnel service rows by the waypoint their WAYPOINT cell names (`namespace/name`). */
  rows: Map<string, ZtunnelService[]>;
}

const servedIndexes = new WeakMap<ClusterSnapshot, ServedIndex>();

/** Built once per snapshot: not a walk of every binding and ztunnel row for each waypoint (1,000 x 25,000). */
function servedIndex(snapshot: ClusterSnapshot): ServedIndex {
  let index = servedIndexes.get(snapshot);
  if (index) return index;
  index = { bindings: new Map(), rows: new Map() };
  const add = <T>(map: Map<string, T[]>, key: string, value: T) => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  for (const b of snapshot.bindings) {
    if (b.state !== 'bound' || !b.request) continue;
    if (b.subject.kind !== 'Service' && b.subject.kind !== 'ServiceEntry') continue;
    add(index.bindings, `${b.request.namespace}/${b.request.name}`, b);
  }
  // ztunnelNames: the cell is `namespace/name`, or a bare name in the row's own namespace.
  for (const row of snapshot.records.ztunnelServices) {
    if (!row.waypoint) continue;
    add(index.rows, row.waypoint.includes('/') ? row.waypoint : `${row.namespace}/${row.waypoint}`, row);
  }
  servedIndexes.set(snapshot, index);
  return index;
}

function ztunnelRow(snapshot: ClusterSnapshot, key: string, waypoint: KnownWaypoint): { ztunnel?: ZtunnelService } {
  const row = snapshot.ztunnel.serviceByName.get(key);
  return row && ztunnelNames(row, waypoint) ? { ztunnel: row } : {};
}

function hasVip(o: KubeObject): boolean {
  if (o.kind === 'ServiceEntry') {
    const addresses = o.spec['addresses'];
    const status = o.status['addresses'];
    return (Array.isArray(addresses) && addresses.length > 0) || (Array.isArray(status) && status.length > 0);
  }
  const clusterIP = o.spec['clusterIP'];
  return o.spec['type'] !== 'ExternalName' && clusterIP !== 'None';
}

/** Evidence that ties a Service to the waypoint: its label, and ztunnel's row. */
export function bindingEvidence(s: ServedService, waypoint: KnownWaypoint): Evidence[] {
  const items: Evidence[] = [];
  const request = s.binding?.request;
  if (request) items.push(evidence(request.label, `${s.kind} ${s.namespace}/${s.name}: istio.io/use-waypoint=${waypoint.name}${request.from === 'namespace' ? ' (from its namespace)' : ''}`));
  if (s.ztunnel) items.push(evidence(s.ztunnel.source, `ztunnel: ${s.namespace}/${s.name} WAYPOINT ${s.ztunnel.waypoint}`));
  return items;
}

/** What to run when the bundle has no dump of a waypoint (with placeholders when its names are not valid ones). */
export function dumpCommand(waypoint: KnownWaypoint): string {
  const pod = waypoint.proxies[0]?.pod;
  const command = pod !== undefined
    ? sh`istioctl proxy-config all ${k8sName(pod, 'subdomain', 'the waypoint pod\'s name')} -n ${nsOf(waypoint)} -o json`
    : sh`istioctl proxy-config all deploy/${k8sName(waypoint.name, 'subdomain', 'the waypoint name')} -n ${nsOf(waypoint)} -o json`;
  return command.orElse('istioctl proxy-config all <waypoint-pod> -n <namespace> -o json');
}

/** The logs of a waypoint's pods (attributed by their paths), Envoy access logs first. */
export function waypointLogs(snapshot: ClusterSnapshot, waypoint: KnownWaypoint): PodLog[] {
  const pods = new Set(waypoint.proxies.map((p) => objectKey(p.namespace, p.pod)));
  return snapshot.podLogs.filter((l) => l.pod && pods.has(objectKey(l.pod.namespace, l.pod.name)) && l.log.kind !== 'ztunnel-log');
}

/** `ns/pod` of every waypoint pod the bundle shows. */
export function waypointPodKeys(snapshot: ClusterSnapshot): Set<string> {
  return new Set(snapshot.waypoints.flatMap((w) => w.proxies.map((p) => objectKey(p.namespace, p.pod))));
}
