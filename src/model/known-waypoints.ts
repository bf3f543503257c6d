/**
 * Which waypoints a bundle shows, from whatever it holds. A Gateway of class istio-waypoint, a row of
 * `istioctl waypoint list` or a pod istiod manages for one says so outright; with only the guide's
 * tables, a waypoint is known by name from ztunnel's WAYPOINT columns and its pods by their names
 * (`<gateway>-<replicaset hash>-<id>`) in ztunnel's workload table and in proxy-status. Those are
 * marked inferred, with the lines they were inferred from.
 */
import type { ProxyStatusRow, Provenance } from '../parse/types.js';
import { GATEWAY_NAME_LABEL, isPodReady, isWaypointGateway } from './objects.js';
import { getObject, objectKey, objectsOf } from './snapshot.js';
import type { ClusterSnapshot, KnownWaypoint, WaypointEvidence, WaypointProxy } from './types.js';

export type { KnownWaypoint, WaypointEvidence, WaypointEvidenceKind, WaypointProxy } from './types.js';

/** `reviews-svc-waypoint-c49f9f569-b492t` -> `reviews-svc-waypoint`: the Deployment, named after the Gateway. */
export function workloadOfPod(pod: string): string | undefined {
  return /^(.+)-[a-z0-9]{5,10}-[a-z0-9]{5}$/.exec(pod)?.[1];
}

/** WAYPOINT column values that name no waypoint. */
const NO_WAYPOINT = new Set(['', 'None', 'NA', '<none>']);

export function identifyWaypoints(snapshot: ClusterSnapshot): KnownWaypoint[] {
  const waypoints = new Map<string, KnownWaypoint>();
  const known = (namespace: string, name: string, inferred: boolean, evidence: WaypointEvidence): KnownWaypoint => {
    const key = objectKey(namespace, name);
    let w = waypoints.get(key);
    if (!w) waypoints.set(key, (w = { namespace, name, inferred, evidence: [], proxies: [] }));
    if (!inferred) w.inferred = false;
    w.evidence.push(evidence);
    return w;
  };

  for (const gateway of objectsOf(snapshot, 'Gateway')) {
    if (!isWaypointGateway(gateway) || !gateway.namespace) continue;
    known(gateway.namespace, gateway.name, false, { via: 'Gateway', note: `Gateway of class ${String(gateway.spec['gatewayClassName'])}`, source: gateway.source }).gateway = gateway;
  }
  for (const row of snapshot.records.waypointList) {
    if (row.namespace) known(row.namespace, row.name, false, { via: 'waypoint list', note: 'listed by istioctl waypoint list', source: row.source });
  }
  const columns = waypointColumnNames(snapshot);
  const fromColumn = (name: string): WaypointEvidence | undefined => {
    const c = columns.get(name);
    return c && { via: 'ztunnel WAYPOINT column', note: `ztunnel shows ${c.count} ${c.count === 1 ? 'service or pod' : 'services or pods'} using a waypoint named ${name}`, source: c.source };
  };

  const envoyByPod = new Map(snapshot.records.envoyConfigs.filter((c) => c.node?.pod).map((c) => [objectKey(c.node!.namespace, c.node!.pod!), c]));
  for (const { namespace, pod } of proxyCandidates(snapshot)) {
    const key = objectKey(namespace, pod);
    const p: WaypointProxy = { namespace, pod, inferred: true, evidence: [] };
    const object = getObject(snapshot, 'Pod', namespace, pod);
    const ztunnel = snapshot.ztunnel.workloadByPod.get(key);
    const status = snapshot.proxyStatus.byPod.get(key);
    const envoy = envoyByPod.get(key);
    if (object) p.object = object;
    if (ztunnel) p.ztunnel = ztunnel;
    if (status) p.proxyStatus = status;
    if (envoy) p.envoy = envoy;
    const gatewayName = object?.labels[GATEWAY_NAME_LABEL];
    let owner: KnownWaypoint | undefined;
    if (object) {
      // The pod's labels are the truth: a pod istiod deploys for a waypoint Gateway, or none.
      const gateway = gatewayName ? getObject(snapshot, 'Gateway', namespace, gatewayName) : undefined;
      const managed = object.labels['gateway.istio.io/managed'] === 'istio.io-mesh-controller';
      if (gatewayName && (gateway ? isWaypointGateway(gateway) : managed)) {
        const evidence: WaypointEvidence = { via: 'waypoint pod', note: `pod of Gateway ${gatewayName} (${GATEWAY_NAME_LABEL})`, source: object.labelSources[GATEWAY_NAME_LABEL] ?? object.source };
        owner = known(namespace, gatewayName, gateway === undefined && !waypoints.has(objectKey(namespace, gatewayName)), evidence);
        p.inferred = false;
        p.evidence.push(evidence);
      }
    } else {
      const name = workloadOfPod(pod);
      const row = (ztunnel ?? status ?? envoy)!;
      if (status?.proxyType === 'waypoint' || envoy?.node?.type === 'waypoint') {
        const evidence: WaypointEvidence = { via: 'proxy type', note: 'istiod or Envoy calls this proxy a waypoint', source: status?.proxyType === 'waypoint' ? status.source : envoy!.source };
        p.inferred = false;
        p.evidence.push(evidence);
        if (name) owner = waypoints.get(objectKey(namespace, name)) ?? known(namespace, name, true, { ...evidence, note: `${evidence.note}; its Deployment is ${name}` });
      } else if (name) {
        const column = fromColumn(name);
        const looksLikeWaypoint = name === 'waypoint' || name.endsWith('-waypoint') || name.startsWith('waypoint-');
        owner = waypoints.get(objectKey(namespace, name))
          ?? (column ? known(namespace, name, true, column) : looksLikeWaypoint ? known(namespace, name, true, { via: 'pod name', note: `Deployment ${name} is named like a waypoint`, source: row.source }) : undefined);
        // ztunnel does not capture a waypoint's own pod: its row says TCP where application pods say HBONE.
        const tcp = ztunnel?.protocol.toUpperCase() === 'TCP' ? '; ztunnel shows it TCP, not captured, as a waypoint\'s own pod is' : '';
        if (owner) p.evidence.push({ via: 'pod name', note: `pod of Deployment ${name}${tcp}`, source: row.source });
      }
    }
    owner?.proxies.push(p);
  }

  // Waypoints ztunnel uses whose pods the bundle does not show: known by name, in the namespace of their users.
  const named = new Set([...waypoints.values()].map((w) => w.name));
  for (const [name, column] of columns) {
    if (!named.has(name)) known(column.namespace, name, true, fromColumn(name)!);
  }
  return [...waypoints.values()].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

/** Every pod the bundle names, once: from Pod objects, ztunnel's workload rows, proxy-status and Envoy dumps. */
function proxyCandidates(snapshot: ClusterSnapshot): { namespace: string; pod: string }[] {
  const seen = new Map<string, { namespace: string; pod: string }>();
  const add = (namespace: string | undefined, pod: string | undefined) => {
    if (namespace && pod) seen.set(objectKey(namespace, pod), { namespace, pod });
  };
  for (const pod of objectsOf(snapshot, 'Pod')) add(pod.namespace, pod.name);
  for (const w of snapshot.records.ztunnelWorkloads) add(w.namespace, w.name);
  for (const row of snapshot.records.proxyStatus) add(row.namespace, row.pod);
  for (const config of snapshot.records.envoyConfigs) add(config.node?.namespace, config.node?.pod);
  return [...seen.values()];
}

/** The waypoint names ztunnel's tables show, with how many services and pods use each, and the first such row and its namespace. */
export function waypointColumnNames(snapshot: ClusterSnapshot): Map<string, { count: number; namespace: string; source: Provenance }> {
  const names = new Map<string, { users: Set<string>; namespace: string; source: Provenance }>();
  const use = (kind: string, row: { namespace: string; name: string; waypoint: string; source: Provenance }) => {
    if (NO_WAYPOINT.has(row.waypoint)) return;
    let seen = names.get(row.waypoint);
    if (!seen) names.set(row.waypoint, (seen = { users: new Set(), namespace: row.namespace, source: row.source }));
    seen.users.add(`${kind}/${row.namespace}/${row.name}`);
  };
  // From the indexes: a service listed once per VIP or per ztunnel counts once.
  for (const s of snapshot.ztunnel.serviceByName.values()) use('Service', s);
  for (const w of snapshot.ztunnel.workloadByPod.values()) use('Pod', w);
  return new Map([...names].map(([name, n]) => [name, { count: n.users.size, namespace: n.namespace, source: n.source }]));
}

/**
 * Types a waypoint may legitimately never be sent: routes are inline in its listeners (no RDS), ECDS
 * only carries WasmPlugins, and a waypoint serving only pod-addressed traffic has no EDS clusters.
 */
const NOT_SENT_IS_NORMAL = new Set(['RDS', 'ECDS', 'EDS']);
const HEALTHY = new Set(['SYNCED', 'IGNORED']);

/** A waypoint's xDS types that are not in sync, as `CDS STALE (5m)`; empty when all are (or when the row hides state). */
export function waypointSyncProblems(row: ProxyStatusRow): string[] {
  return Object.entries(row.xds ?? {})
    .filter(([type, s]) => !HEALTHY.has(s.status) && !(s.status === 'NOT SENT' && NOT_SENT_IS_NORMAL.has(type)))
    .map(([type, s]) => `${type} ${s.status}${s.age ? ` (${s.age})` : ''}`);
}

/** A waypoint proxy that is running and ready as far as the bundle can tell (its pod object, when captured). */
export function proxyLooksReady(proxy: WaypointProxy): boolean {
  return proxy.object ? isPodReady(proxy.object) : true;
}
