/**
 * `waypoint-analyze trace`: the hops a request from one pod to a Service (or IP:port) takes in ambient,
 * each `ok`, `broken` or `unknown` (capture missing) with its evidence, stopping at the first broken one
 * (failure-modes.md §1; the istio.io troubleshooting guide, walked in order).
 */
import { ambientState, isInfrastructurePod, servicePods } from '../model/objects.js';
import { objectsOf, objectsIn, type ClusterSnapshot } from '../model/snapshot.js';
import { waypointDump, type ServiceChain } from '../model/waypoint-config.js';
import type { KubeObject } from '../parse/types.js';
import { resolveDestination, resolveSource, type Destination, type Source } from './endpoints.js';
import { addressHop, gatewayHop, sourceHop, syncHop, waypointHop, ztunnelHop } from './path-hops.js';
import type { Trace, TraceHop } from './types.js';
import { clusterHop, destinationHop, endpointsHop, listenerHop, policyHop, routeHop } from './waypoint-hops.js';

export type { Trace, TraceHop, HopStatus } from './types.js';

/** Traces `--from NS/POD` to `--to SERVICE[.NS][:PORT]|IP:PORT`; throws InputError when either end is not in the bundle. */
export function traceRequest(snapshot: ClusterSnapshot, from: string, to: string): Trace {
  const source = resolveSource(snapshot, from);
  return walk(snapshot, source, resolveDestination(snapshot, to, source.namespace));
}

function walk(snapshot: ClusterSnapshot, source: Source, dest: Destination): Trace {
  const hops: TraceHop[] = [];
  const trace = (stoppedBecause?: string): Trace => {
    const broken = hops.find((h) => h.status === 'broken');
    return {
      from: `${source.namespace}/${source.name}`,
      to: `${dest.namespace}/${dest.name}${dest.port !== undefined ? `:${dest.port}` : ''}`,
      hops,
      result: broken ? 'broken' : hops.some((h) => h.status === 'unknown') ? 'unknown' : 'ok',
      ...(broken ? { brokenAt: broken.step } : {}),
      ...(stoppedBecause ? { stoppedBecause } : {}),
    };
  };
  const stops = (h: TraceHop) => {
    hops.push(h);
    return h.status === 'broken';
  };
  if (stops(sourceHop(snapshot, source)) || stops(addressHop(dest))) return trace(`broken at ${hops[hops.length - 1]!.step}`);
  const chosen = waypointHop(snapshot, dest);
  if (stops(chosen.hop)) return trace('broken at waypoint');
  if (chosen.none) return trace('no waypoint in the path');
  const binding = chosen.binding;
  const request = binding?.request;
  if (!binding || !request) return trace('the waypoint cannot be determined from the bundle');
  if (stops(ztunnelHop(source, dest, binding))) return trace('broken at ztunnel');
  const waypoint = snapshot.waypoints.find((w) => w.namespace === request.namespace && w.name === request.name);
  if (stops(gatewayHop(waypoint, `${request.namespace}/${request.name}`)) || !waypoint) return trace('broken at gateway');
  if (stops(syncHop(waypoint))) return trace('broken at sync');
  const dump = waypointDump(waypoint);
  let chain: ServiceChain | undefined;
  if (!dump) {
    hops.push({ step: 'listener', status: 'unknown', summary: `The bundle has no Envoy config of waypoint ${waypoint.name}: its listener, route, cluster and endpoints cannot be checked.`, evidence: [], collect: [`istioctl proxy-config all ${waypoint.proxies[0]?.pod ?? `deploy/${waypoint.name}`} -n ${waypoint.namespace} -o json`] });
  } else {
    const listener = listenerHop(dump.envoy, dump.proxy.pod, dest);
    if (stops(listener.hop)) return trace('broken at listener');
    chain = listener.path.chain;
    if (dest.by === 'service') {
      if (stops(routeHop(snapshot, dest, listener.path))) return trace('broken at route');
      const cluster = clusterHop(listener.path);
      if (stops(cluster.hop)) return trace('broken at cluster');
      if (stops(endpointsHop(dest, listener.path, cluster.clusters))) return trace('broken at endpoints');
    }
  }
  if (stops(policyHop(snapshot, waypoint, source, dest, chain))) return trace('broken at policy');
  stops(destinationHop(snapshot, waypoint, dest));
  return trace(hops[hops.length - 1]!.status === 'broken' ? 'broken at destination' : undefined);
}

/**
 * A client to trace a Service from, for the report: one that ztunnel's log shows calling it, else an
 * ambient pod of the same namespace that is not behind it, else any ambient application pod.
 */
export function clientFor(snapshot: ClusterSnapshot, service: KubeObject): { from: string; why: string } | undefined {
  const host = `${service.name}.${service.namespace}.`;
  for (const log of snapshot.records.logs) {
    for (const e of log.ztunnelEntries) {
      const dst = e.fields['dst.service'] ?? '';
      const src = e.fields['src.workload'];
      const ns = e.fields['src.namespace'];
      if (src && ns && (dst.startsWith(host) || dst === service.name) && snapshot.ztunnel.workloadByPod.has(`${ns}/${src}`)) return { from: `${ns}/${src}`, why: 'a client ztunnel\'s log shows calling it' };
    }
  }
  const own = new Set(servicePods(snapshot, service));
  const candidate = (pods: Iterable<KubeObject>) => [...pods].find((p) => !own.has(p) && !isInfrastructurePod(p) && ambientState(snapshot, p).ambient);
  const near = candidate(objectsIn(snapshot, 'Pod', service.namespace ?? ''));
  if (near) return { from: `${near.namespace}/${near.name}`, why: `an ambient pod of namespace ${service.namespace}` };
  const any = candidate(objectsOf(snapshot, 'Pod'));
  return any ? { from: `${any.namespace}/${any.name}`, why: 'an ambient application pod' } : undefined;
}

/** Traces from a chosen client to a Service, for the report; undefined when the bundle has no client to trace from. */
export function traceToService(snapshot: ClusterSnapshot, service: KubeObject): (Trace & { client: string }) | undefined {
  const client = clientFor(snapshot, service);
  if (!client) return undefined;
  const source = resolveSource(snapshot, client.from);
  return { ...walk(snapshot, source, resolveDestination(snapshot, `${service.name}.${service.namespace}`, source.namespace)), client: client.why };
}
