/**
 * What a later bundle is compared against, kept small enough to travel in the JSON report: each
 * waypoint's readiness, programmed state, addresses, sync and version, and a digest of every policy and
 * route (labels and spec, not status). `diff` reads it from a bundle or from a report written earlier.
 */
import { createHash } from 'node:crypto';
import { condition, gatewayAddresses, isPodReady } from './model/objects.js';
import { objectsOf, type ClusterSnapshot } from './model/snapshot.js';
import type { KubeObject } from './parse/types.js';

export interface WaypointState {
  namespace: string;
  name: string;
  /** `2/2 pods ready`, `no pod`, or `pods not captured`. */
  ready: string;
  /** The Gateway's Programmed condition (`True`, `False (AddressNotAssigned)`), empty without a Gateway. */
  programmed: string;
  addresses: string[];
  /** Per pod (by workload, not name): `synced`, `not in sync: CDS STALE`... as the report's waypoint table. */
  sync: string[];
  /** Istio versions its proxies report (proxy-status). */
  versions: string[];
}

export interface ResourceState {
  kind: string;
  namespace?: string;
  name: string;
  /** A hash of the labels and spec: equal digests, same configuration. */
  digest: string;
}

export interface StateDigest {
  waypoints: WaypointState[];
  /** AuthorizationPolicies and the other policies, routes, VirtualServices, DestinationRules, ServiceEntries. */
  resources: ResourceState[];
}

export const COMPARED_KINDS = [
  'AuthorizationPolicy', 'RequestAuthentication', 'PeerAuthentication', 'Telemetry', 'WasmPlugin', 'EnvoyFilter',
  'HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute', 'VirtualService', 'DestinationRule', 'ServiceEntry',
] as const;

export function stateDigest(snapshot: ClusterSnapshot, syncOf: (namespace: string, name: string) => string[]): StateDigest {
  // Pods by their Gateway, indexed once: not a scan of every pod for each waypoint (1,000 x 100,000).
  const podsOf = new Map<string, KubeObject[]>();
  for (const p of objectsOf(snapshot, 'Pod')) {
    const gateway = p.labels['gateway.networking.k8s.io/gateway-name'];
    if (gateway === undefined) continue;
    const key = `${p.namespace}/${gateway}`;
    const list = podsOf.get(key);
    if (list) list.push(p);
    else podsOf.set(key, [p]);
  }
  const waypoints = snapshot.waypoints.map((w): WaypointState => {
    const pods = podsOf.get(`${w.namespace}/${w.name}`) ?? [];
    const ready = !snapshot.captured.has('kube:Pod') ? 'pods not captured' : pods.length === 0 ? 'no pod' : `${pods.filter(isPodReady).length}/${pods.length} pods ready`;
    const programmed = w.gateway ? condition(w.gateway, 'Programmed') : undefined;
    const versions = new Set<string>();
    for (const p of w.proxies) if (p.proxyStatus?.version) versions.add(p.proxyStatus.version);
    return {
      namespace: w.namespace,
      name: w.name,
      ready,
      programmed: programmed ? `${programmed.status}${programmed.reason && programmed.status !== 'True' ? ` (${programmed.reason})` : ''}` : '',
      addresses: w.gateway ? gatewayAddresses(w.gateway) : [],
      sync: [...new Set(syncOf(w.namespace, w.name))].sort(),
      versions: [...versions].sort(),
    };
  });
  const resources: ResourceState[] = [];
  for (const kind of COMPARED_KINDS) {
    for (const o of objectsOf(snapshot, kind)) resources.push({ kind, ...(o.namespace ? { namespace: o.namespace } : {}), name: o.name, digest: digestOf(o) });
  }
  return { waypoints, resources };
}

function digestOf(o: KubeObject): string {
  return createHash('sha256').update(stableJson({ labels: o.labels, spec: o.spec })).digest('hex').slice(0, 16);
}

/** JSON with object keys sorted, so the same configuration always hashes the same. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
