/**
 * The hops up to the waypoint: is the client in ambient, how is the destination addressed, which
 * waypoint the labels choose, which one ztunnel uses, and is that waypoint accepted, ready and synced.
 */
import { proxyLooksReady, waypointSyncProblems } from '../model/known-waypoints.js';
import { ambientState, condition, hboneListener } from '../model/objects.js';
import { portProtocol, servicePorts } from '../model/routes.js';
import { bindingKey, type ClusterSnapshot } from '../model/snapshot.js';
import type { KnownWaypoint, WaypointBinding } from '../model/types.js';
import { evidence, type Evidence } from '../rules/types.js';
import type { Destination, Source } from './endpoints.js';
import type { TraceHop } from './types.js';

const hop = (step: string, status: TraceHop['status'], summary: string, items: Evidence[] = [], collect?: string[]): TraceHop => ({ step, status, summary, evidence: items, ...(collect ? { collect } : {}) });

export function sourceHop(snapshot: ClusterSnapshot, source: Source): TraceHop {
  const name = `${source.namespace}/${source.name}`;
  const row = source.ztunnel;
  const rowEvidence = row ? [evidence(row.source, `ztunnel: PROTOCOL ${row.protocol || '(none)'}${row.node ? ` on node ${row.node}` : ''}`)] : [];
  if (source.pod) {
    const state = ambientState(snapshot, source.pod);
    const items = [evidence(source.pod.source, `pod ${name}`), ...rowEvidence];
    if (!state.ambient) return hop('source', 'broken', `${name} is not in ambient: ${state.why}. Its requests go straight to the destination, never through a waypoint.`, items);
    if (row?.protocol === 'TCP') return hop('source', 'broken', `${name} is enrolled, but ztunnel lists it with PROTOCOL TCP: istiod does not treat it as captured.`, items);
    return hop('source', 'ok', `${name} is in ambient: ${state.why}.`, items);
  }
  if (row) {
    return row.protocol === 'TCP'
      ? hop('source', 'broken', `ztunnel lists ${name} with PROTOCOL TCP: it is not captured by ambient.`, rowEvidence)
      : hop('source', 'ok', `ztunnel lists ${name}${row.protocol ? ` with PROTOCOL ${row.protocol}` : ''}.`, rowEvidence);
  }
  return hop('source', 'unknown', `The bundle shows nothing of ${name}.`, [], ['kubectl get pods -A -o yaml', 'istioctl ztunnel-config workload']);
}

export function addressHop(dest: Destination): TraceHop {
  const target = `${dest.namespace}/${dest.name}`;
  if (dest.by === 'pod') {
    const items = dest.pod ? [evidence(dest.pod.source, `pod ${target}`)] : dest.ztunnelWorkload ? [evidence(dest.ztunnelWorkload.source, `ztunnel workload ${target}`)] : [];
    return hop('address', 'ok', `${dest.as} is pod ${target}'s IP: workload traffic, which only a waypoint for workloads (waypoint-for workload or all) takes.`, items);
  }
  const service = dest.service;
  const items: Evidence[] = service ? [evidence(service.source, `${service.kind} ${target}`)] : dest.ztunnelService ? [evidence(dest.ztunnelService.source, `ztunnel service ${target} VIP ${dest.ztunnelService.vip}`)] : [];
  if (service && dest.port !== undefined) {
    const ports = servicePorts(service);
    const port = ports.find((p) => Number(p['port'] ?? p['number']) === dest.port);
    if (!port) return hop('address', 'broken', `${service.kind} ${target} has no port ${dest.port} (ports ${ports.map((p) => p['port'] ?? p['number']).join(', ')}).`, items);
    return hop('address', 'ok', `${dest.as}: ${service.kind} ${target} port ${dest.port} (${portProtocol(port).toUpperCase()}), by its VIP: service traffic.`, items);
  }
  return hop('address', 'ok', `${dest.as}: Service ${target}${dest.port ? ` port ${dest.port}` : ''}, by its VIP: service traffic.`, items);
}

/** States in which the labels ask for a waypoint that cannot take the traffic. */
const BROKEN_BINDING = new Set(['waypoint-missing', 'waypoint-not-ready', 'traffic-type-unsupported', 'attachment-denied', 'inherited-service-only']);

/** The waypoint the labels choose; `none` ends the walk: the path has no waypoint. */
export function waypointHop(snapshot: ClusterSnapshot, dest: Destination): { hop: TraceHop; binding?: WaypointBinding; none?: boolean } {
  const subject = dest.by === 'service' ? dest.service : dest.pod;
  const binding = subject ? snapshot.bindingOf.get(bindingKey(subject)) : undefined;
  if (!binding) {
    const row = dest.ztunnelService ?? dest.ztunnelWorkload;
    if (row && row.waypoint !== 'None' && row.waypoint !== '') return { hop: hop('waypoint', 'unknown', `The bundle lacks ${dest.namespace}/${dest.name}'s labels; ztunnel names waypoint ${row.waypoint}.`, [evidence(row.source, `WAYPOINT ${row.waypoint}`)], ['kubectl get services,pods,namespaces -A -o yaml']) };
    return { hop: hop('waypoint', 'unknown', `The bundle lacks ${dest.namespace}/${dest.name}'s labels and ztunnel's view of it.`, [], ['kubectl get services,pods,namespaces -A -o yaml', 'istioctl ztunnel-config service']) };
  }
  const items: Evidence[] = binding.request ? [evidence(binding.request.label, `istio.io/use-waypoint=${binding.request.name}${binding.request.from === 'namespace' ? ' (from the namespace)' : ''}`)] : [evidence(binding.subject.source, binding.explanation)];
  if (binding.state === 'bound') return { hop: hop('waypoint', 'ok', `Expected waypoint: ${binding.request!.namespace}/${binding.request!.name} (${binding.explanation}).`, items), binding };
  if (BROKEN_BINDING.has(binding.state)) return { hop: hop('waypoint', 'broken', `The labels ask for a waypoint that cannot take this traffic: ${binding.explanation}.`, items), binding };
  return { hop: hop('waypoint', 'ok', `No waypoint: ${binding.explanation}. ztunnel connects straight to the destination; no L7 route or policy applies.`, items), binding, none: true };
}

/** What ztunnel's table shows for the destination, against the labels' choice. */
export function ztunnelHop(source: Source, dest: Destination, binding: WaypointBinding): TraceHop {
  const row = dest.by === 'service' ? dest.ztunnelService : dest.ztunnelWorkload;
  const expected = binding.expected;
  if (!row) return hop('ztunnel', 'unknown', 'The bundle has no ztunnel table row for the destination.', [], [dest.by === 'service' ? 'istioctl ztunnel-config service' : 'istioctl ztunnel-config workload']);
  const node = source.ztunnel?.node ? ` (the client runs on node ${source.ztunnel.node})` : '';
  const items = [evidence(row.source, `ztunnel: WAYPOINT ${row.waypoint}`)];
  if (row.waypoint === expected || row.waypoint.endsWith(`/${expected}`)) return hop('ztunnel', 'ok', `ztunnel sends it to waypoint ${row.waypoint}${node}.`, items);
  if (row.waypoint === 'NA') return hop('ztunnel', 'broken', `ztunnel shows WAYPOINT NA: it cannot find waypoint ${expected}, so the traffic fails${node}.`, items);
  return hop('ztunnel', 'broken', `ztunnel shows WAYPOINT ${row.waypoint}, not ${expected}${node}: the labels and ztunnel disagree (ztunnel is what clients follow).`, items);
}

/** The waypoint's Gateway accepted and programmed, with ready pods. */
export function gatewayHop(waypoint: KnownWaypoint | undefined, name: string): TraceHop {
  if (!waypoint) return hop('gateway', 'broken', `The bundle shows no waypoint ${name}.`);
  const items: Evidence[] = [];
  if (waypoint.gateway) {
    // istiod gives waypoints their HBONE listener whatever the spec says; a wrong one costs allowedRoutes (WP013), not the path.
    if (!hboneListener(waypoint.gateway)) items.push(evidence(waypoint.gateway.specSources?.['listeners'] ?? waypoint.gateway.source, 'no 15008/HBONE listener in the spec (WP013)'));
    const programmed = condition(waypoint.gateway, 'Programmed');
    if (programmed) items.push(evidence(programmed.source, `Programmed ${programmed.status}${programmed.reason ? ` (${programmed.reason})` : ''}`));
    if (programmed && programmed.status !== 'True') return hop('gateway', 'broken', `Gateway ${name} is not programmed: ${programmed.message ?? programmed.reason ?? ''}`, items);
  }
  const pods = waypoint.proxies.filter((p) => p.object);
  for (const p of pods) items.push(evidence(p.object!.source, `pod ${p.pod}`));
  if (pods.length > 0 && !pods.some(proxyLooksReady)) return hop('gateway', 'broken', `No pod of waypoint ${name} is ready (${pods.map((p) => p.pod).join(', ')}).`, items);
  if (pods.length === 0 && !waypoint.gateway) return hop('gateway', 'unknown', `The bundle shows waypoint ${name} only by name.`, items, ['kubectl get gateways,pods -A -o yaml']);
  return hop('gateway', 'ok', `Waypoint ${name}${waypoint.gateway ? ' is programmed' : ''}${pods.length ? ` with ${pods.filter(proxyLooksReady).length}/${pods.length} pods ready` : ''}.`, items);
}

/** proxy-status of the waypoint's pods. */
export function syncHop(waypoint: KnownWaypoint): TraceHop {
  const rows = waypoint.proxies.flatMap((p) => (p.proxyStatus ? [p.proxyStatus] : []));
  if (rows.length === 0) return hop('sync', 'unknown', `The bundle has no proxy-status row of waypoint ${waypoint.name}'s pods.`, [], ['istioctl proxy-status']);
  const problems = rows.flatMap((r) => waypointSyncProblems(r).map((p) => `${r.pod}: ${p}`));
  const items = rows.map((r) => evidence(r.source, `${r.proxy} via ${r.istiod}`));
  if (problems.length) return hop('sync', 'broken', `Not in sync with istiod: ${problems.join('; ')}.`, items);
  const hidden = rows.every((r) => !r.xds);
  return hop('sync', hidden ? 'unknown' : 'ok', hidden ? 'proxy-status lists the waypoint, but its table hides sync state (Istio 1.27+ default).' : 'Connected to istiod and in sync.', items, hidden ? ['istioctl proxy-status -v 1'] : undefined);
}
