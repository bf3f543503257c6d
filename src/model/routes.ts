/**
 * Routes as a waypoint takes them (failure-modes.md §1.10; pilot/pkg/config/kube/gateway/conversion.go
 * toInternalParentReference, route_collections.go augmentPortMatch): a route reaches a waypoint through
 * `parentRefs` to a Service (group "") or ServiceEntry (group networking.istio.io) bound to it; a parent
 * of another group is unsupported and dropped. And the protocol a Service port declares, which decides
 * whether the waypoint builds an HTTP chain for it at all (listener_waypoint.go buildWaypointInternal).
 */
import type { KubeObject, Provenance } from '../parse/types.js';
import { conditionStatus } from '../parse/yaml.js';
import { objectsOf, type ClusterSnapshot } from './snapshot.js';

type Json = Record<string, unknown>;
const record = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export const ROUTE_KINDS = ['HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute'] as const;
/** The Gateway API group, which the API server fills in when a parentRef omits `group`. */
export const GATEWAY_GROUP = 'gateway.networking.k8s.io';

export interface RouteRef {
  group: string;
  kind: string;
  name: string;
  namespace: string;
  port?: number;
  /** `parentRefs[i]` or `rules[i].backendRefs[j]`, for evidence. */
  path: string;
}

export interface ParentStatus {
  group: string;
  kind: string;
  name: string;
  namespace: string;
  controller: string;
  conditions: { type: string; status: string; reason?: string; message?: string }[];
}

export interface RouteView {
  object: KubeObject;
  parents: RouteRef[];
  backends: RouteRef[];
  /** `status.parents`: each controller's verdict per parent. */
  statusParents: ParentStatus[];
}

/** The controller whose `status.parents` entries speak for Istio. */
export const ISTIO_CONTROLLER = 'istio.io/gateway-controller';

export function routeView(object: KubeObject): RouteView {
  const ns = object.namespace ?? '';
  const ref = (r: Json, path: string, defaults: { group: string; kind: string }): RouteRef => {
    const out: RouteRef = {
      group: typeof r['group'] === 'string' ? r['group'] : defaults.group,
      kind: typeof r['kind'] === 'string' ? r['kind'] : defaults.kind,
      name: String(r['name'] ?? ''),
      namespace: typeof r['namespace'] === 'string' && r['namespace'] ? r['namespace'] : ns,
      path,
    };
    if (r['port'] !== undefined) out.port = Number(r['port']);
    return out;
  };
  return {
    object,
    parents: list(object.spec['parentRefs']).map((r, i) => ref(record(r), `parentRefs[${i}]`, { group: GATEWAY_GROUP, kind: 'Gateway' })),
    backends: list(object.spec['rules']).flatMap((rule, i) => list(record(rule)['backendRefs']).map((b, j) => ref(record(b), `rules[${i}].backendRefs[${j}]`, { group: '', kind: 'Service' }))),
    statusParents: list(object.status['parents']).map((p) => {
      const pr = record(record(p)['parentRef']);
      return {
        group: typeof pr['group'] === 'string' ? pr['group'] : GATEWAY_GROUP,
        kind: typeof pr['kind'] === 'string' ? pr['kind'] : 'Gateway',
        name: String(pr['name'] ?? ''),
        namespace: typeof pr['namespace'] === 'string' ? pr['namespace'] : ns,
        controller: String(record(p)['controllerName'] ?? ''),
        conditions: list(record(p)['conditions']).map((c) => {
          const cond = record(c);
          return {
            type: String(cond['type'] ?? ''),
            status: conditionStatus(cond['status']),
            ...(typeof cond['reason'] === 'string' ? { reason: cond['reason'] } : {}),
            ...(typeof cond['message'] === 'string' ? { message: cond['message'] } : {}),
          };
        }),
      };
    }),
  };
}

export function routesOf(snapshot: ClusterSnapshot): RouteView[] {
  return ROUTE_KINDS.flatMap((kind) => [...objectsOf(snapshot, kind)].map(routeView));
}

/** How Istio reads a parentRef: a Service or ServiceEntry parent (a mesh route), a Gateway, or unsupported. */
export function parentKind(ref: RouteRef): 'service' | 'serviceentry' | 'gateway' | 'unsupported' {
  const group = ref.group === 'core' ? '' : ref.group;
  if (ref.kind === 'Service') return group === '' ? 'service' : 'unsupported';
  if (ref.kind === 'ServiceEntry') return group === 'networking.istio.io' ? 'serviceentry' : 'unsupported';
  if (ref.kind === 'Gateway') return group === GATEWAY_GROUP ? 'gateway' : 'unsupported';
  return 'unsupported';
}

/** Istio's status for one parent: the entry of its own controller naming that parent. */
export function statusFor(route: RouteView, parent: RouteRef): ParentStatus | undefined {
  return route.statusParents.find((s) => s.controller === ISTIO_CONTROLLER && s.name === parent.name && s.kind === parent.kind && s.namespace === parent.namespace);
}

/** A route's evidence at a field: the spec key's line with the path of the element inside it. */
export function refSource(route: RouteView, ref: RouteRef): Provenance {
  const key = ref.path.startsWith('parentRefs') ? 'parentRefs' : 'rules';
  const at = route.object.specSources?.[key] ?? route.object.source;
  return { ...at, path: `${route.object.source.path ? `${route.object.source.path}.` : ''}spec.${ref.path}` };
}

export type PortProtocol = 'http' | 'tcp' | 'unknown' | 'udp';

const HTTP_PROTOCOLS = new Set(['http', 'http2', 'http_proxy', 'grpc', 'grpc-web']);
const TCP_PROTOCOLS = new Set(['tcp', 'https', 'tls', 'mongo', 'redis', 'mysql']);
/** Ports Istio never sniffs: an undeclared protocol there is TCP (pkg/config/kube/conversion.go wellKnownPorts). */
const WELL_KNOWN_TCP_PORTS = new Set([25, 53, 3306, 27017]);

/**
 * What Istio makes of a Service port (pkg/config/kube/conversion.go ConvertProtocol, protocol.Parse):
 * `appProtocol` when set (with Kubernetes' `kubernetes.io/h2c` = HTTP2, `/ws` = HTTP, `/wss` = HTTPS),
 * else the port name; `grpc-web...`, else the word before the first `-`. HTTP kinds get an HTTP chain
 * on the waypoint; TCP kinds only a TCP chain; an unsupported word is sniffed (both chains), except on
 * the well-known ports, which are TCP.
 */
export function portProtocol(port: Json): PortProtocol {
  if (String(port['protocol'] ?? 'TCP').toUpperCase() === 'UDP') return 'udp';
  // A ServiceEntry port (`number`) declares its protocol in `protocol`: HTTP, HTTP2, GRPC, TCP, TLS...
  if (port['number'] !== undefined && typeof port['protocol'] === 'string') return portProtocol({ appProtocol: port['protocol'], port: port['number'] });
  const appProtocol = typeof port['appProtocol'] === 'string' ? port['appProtocol'] : undefined;
  if (appProtocol === 'kubernetes.io/h2c' || appProtocol === 'kubernetes.io/ws') return 'http';
  if (appProtocol === 'kubernetes.io/wss') return 'tcp';
  const name = (appProtocol ?? (typeof port['name'] === 'string' ? port['name'] : '')).toLowerCase();
  const word = name.startsWith('grpc-web') ? 'grpc-web' : name.split('-')[0]!;
  if (HTTP_PROTOCOLS.has(word)) return 'http';
  if (TCP_PROTOCOLS.has(word) || WELL_KNOWN_TCP_PORTS.has(Number(port['port']))) return 'tcp';
  return 'unknown';
}

/** A Service's (or ServiceEntry's) ports as declared. */
export function servicePorts(service: KubeObject): Json[] {
  return list(service.spec['ports']).map(record);
}
