/**
 * The routes a waypoint programs on one Service port (listener_waypoint.go): an HTTPRoute whose parentRef is that
 * Service (`group: ""`, `kind: Service`, port matching), else a VirtualService for its host bound to `mesh` in the
 * Service's or the waypoint's namespace, else the single route `default` to the port's own cluster. Shared by the
 * config-dump builder (route entries, clusters) and the traffic simulation (which cluster a request goes to).
 */
import type { K } from './serializers.js';
import type { Bundle } from './bundle.js';
import { type Served, fqdn, servedBy } from './cluster.js';

export interface RouteCluster {
  cluster: string;
  weight: number;
  /** The Service the cluster sends to, when it exists. */
  service?: Served;
  subset?: string;
}

export interface RouteModel {
  name: string;
  clusters: RouteCluster[];
  /** `/apis/<group>/<version>/namespaces/<ns>/<kind>/<name>` of the config it came from, when not `default`. */
  config?: string;
  /** Gateway API routes answer 500 for a backend that does not resolve; VirtualServices 503. */
  gatewaySemantics: boolean;
}

export const vipCluster = (port: number, host: string, proto = 'http', subset?: string) => `inbound-vip|${port}|${proto}${subset ? `/${subset}` : ''}|${host}`;

/** A backend as a waypoint reaches it: its own inbound-vip cluster when it serves the Service, else outbound. */
function backendCluster(b: Bundle, gw: K, host: string, port: number, subset: string | undefined): RouteCluster {
  const served = servedBy(b, gw.metadata.namespace, gw.metadata.name).find((s) => s.host === host);
  if (served) return { cluster: vipCluster(port, host, 'http', subset), weight: 0, service: served, ...(subset ? { subset } : {}) };
  const other = b.items('services').find((s) => fqdn(s.metadata.name, s.metadata.namespace) === host);
  const service: Served | undefined = other ? {
    kind: 'Service', name: other.metadata.name, namespace: other.metadata.namespace, host, vips: [other.spec.clusterIP], object: other,
    ports: other.spec.ports.map((p: K) => ({ port: p.port, targetPort: p.targetPort, name: p.name, protocol: 'http' })),
  } : undefined;
  return { cluster: `outbound|${port}|${subset ?? ''}|${host}`, weight: 0, ...(service ? { service } : {}), ...(subset ? { subset } : {}) };
}

const hostOf = (name: string, ns: string) => (name.includes('.') ? name : fqdn(name, ns));

export function routesFor(b: Bundle, gw: K, s: Served, port: number): RouteModel[] {
  const routes = b.items('httproutes').filter((r) => r.metadata.namespace === s.namespace && (r.spec.parentRefs ?? []).some((p: K) =>
    p.group === '' && p.kind === 'Service' && p.name === s.name && (p.namespace ?? r.metadata.namespace) === s.namespace && (p.port === undefined || p.port === port)));
  if (s.kind === 'Service' && routes.length > 0) {
    return routes.flatMap((r) => (r.spec.rules as K[]).map((rule, i) => ({
      name: `${r.metadata.namespace}.${r.metadata.name}.${i}`,
      config: `/apis/gateway.networking.k8s.io/v1/namespaces/${r.metadata.namespace}/httproute/${r.metadata.name}`,
      gatewaySemantics: true,
      clusters: (rule.backendRefs as K[]).map((ref) => ({
        ...backendCluster(b, gw, hostOf(ref.name, ref.namespace ?? r.metadata.namespace), ref.port ?? port, undefined),
        weight: ref.weight ?? 1,
      })),
    })));
  }
  const names = [s.name, `${s.name}.${s.namespace}`, `${s.name}.${s.namespace}.svc`, s.host];
  const vs = b.items('virtualservices').find((v) => [s.namespace, gw.metadata.namespace].includes(v.metadata.namespace) &&
    (v.spec.hosts as string[]).some((h) => names.includes(h)) && (!v.spec.gateways || v.spec.gateways.includes('mesh')));
  if (vs) {
    return (vs.spec.http as K[]).map((h) => ({
      name: h.name ?? '',
      config: `/apis/networking.istio.io/v1/namespaces/${vs.metadata.namespace}/virtual-service/${vs.metadata.name}`,
      gatewaySemantics: false,
      clusters: (h.route as K[]).map((d) => ({
        ...backendCluster(b, gw, hostOf(d.destination.host, vs.metadata.namespace), d.destination.port?.number ?? port, d.destination.subset),
        weight: d.weight ?? 100,
      })),
    }));
  }
  return [{ name: 'default', clusters: [{ cluster: vipCluster(port, s.host), weight: 100, service: s }], gatewaySemantics: false }];
}
