/**
 * What a waypoint's Envoy configuration holds for the Services it serves (listener_waypoint.go,
 * cluster_waypoint.go; failure-modes.md §1.10): in the internal listener `main_internal`, one filter
 * chain per Service port and protocol, named like its cluster `inbound-vip|<port>|<http|tcp>|<fqdn>` (older
 * releases, and the istio.io pages: `inbound-vip|<port>||<fqdn>-<http|tcp>`), with an inline
 * route config named `inbound-vip|<port>|http|<fqdn>` and RBAC policies `ns[<ns>]-policy[<name>]-rule[<i>]`;
 * clusters `inbound-vip|<port>|<http|tcp>[/<subset>]|<fqdn>`.
 */
import type { EnvoyConfigSummary, EnvoyFilterChain, KubeObject } from '../parse/types.js';
import type { KnownWaypoint, WaypointProxy } from './types.js';

export interface ServiceChain {
  port: number;
  protocol: 'http' | 'tcp';
  host: string;
  chain: EnvoyFilterChain;
}

/** Cluster and route names `inbound-vip|9080|http[/v2]|reviews.default.svc.cluster.local`, chain names `inbound-vip|9080||reviews.default.svc.cluster.local-http`. */
export function parseVipName(name: string): { port: number; protocol: 'http' | 'tcp'; subset?: string; host: string } | undefined {
  const current = /^inbound-vip\|(\d+)\|(http|tcp)(?:\/([^|]+))?\|(.+)$/.exec(name);
  if (current) return { port: Number(current[1]), protocol: current[2] as 'http' | 'tcp', ...(current[3] ? { subset: current[3] } : {}), host: current[4]! };
  const legacy = /^inbound-vip\|(\d+)\|([^|]*)\|(.+)-(http|tcp)$/.exec(name);
  if (legacy) return { port: Number(legacy[1]), protocol: legacy[4] as 'http' | 'tcp', ...(legacy[2] ? { subset: legacy[2] } : {}), host: legacy[3]! };
  return undefined;
}

/** The Envoy config of a waypoint: of its first pod that has one in the bundle. */
export function waypointEnvoy(waypoint: KnownWaypoint): EnvoyConfigSummary | undefined {
  return waypointDump(waypoint)?.envoy;
}

/** The first pod of a waypoint whose config dump the bundle holds, with that dump. */
export function waypointDump(waypoint: KnownWaypoint): { proxy: WaypointProxy; envoy: EnvoyConfigSummary } | undefined {
  const proxy = waypoint.proxies.find((p) => p.envoy);
  return proxy ? { proxy, envoy: proxy.envoy! } : undefined;
}

/** The cluster domain the waypoint's names use (`cluster.local` unless the dump shows another). */
export function clusterDomain(envoy: EnvoyConfigSummary): string {
  for (const c of envoy.clusters) {
    const host = parseVipName(c.name)?.host;
    const m = host && /\.svc\.(.+)$/.exec(host);
    if (m) return m[1]!;
  }
  return 'cluster.local';
}

/** The internal listener holding the service chains, as proof of what is (not) there. */
export function mainInternal(envoy: EnvoyConfigSummary): EnvoyConfigSummary['listeners'][number] | undefined {
  return envoy.listeners.find((l) => l.name === 'main_internal');
}

/** The service chains of `main_internal`. */
export function serviceChains(envoy: EnvoyConfigSummary): ServiceChain[] {
  const chains: ServiceChain[] = [];
  for (const listener of envoy.listeners) {
    for (const chain of listener.filterChains) {
      const parsed = parseVipName(chain.name);
      if (parsed) chains.push({ port: parsed.port, protocol: parsed.protocol, host: parsed.host, chain });
    }
  }
  return chains;
}

/** A Service's in-cluster host name, as the chains and clusters name it. */
export function serviceHost(service: KubeObject, domain = 'cluster.local'): string {
  if (service.kind === 'ServiceEntry') {
    const hosts = Array.isArray(service.spec['hosts']) ? service.spec['hosts'].map(String) : [];
    return hosts[0] ?? service.name;
  }
  return `${service.name}.${service.namespace}.svc.${domain}`;
}

/** Chains by host, built once per dump: rules ask for one Service's chains thousands of times on a big waypoint. */
const chainsByHost = new WeakMap<EnvoyConfigSummary, Map<string, ServiceChain[]>>();

/** The waypoint's chains of one Service (by host). */
export function chainsOf(envoy: EnvoyConfigSummary, host: string): ServiceChain[] {
  let index = chainsByHost.get(envoy);
  if (!index) {
    index = new Map();
    for (const c of serviceChains(envoy)) {
      const list = index.get(c.host);
      if (list) list.push(c);
      else index.set(c.host, [c]);
    }
    chainsByHost.set(envoy, index);
  }
  return index.get(host) ?? [];
}

const clusterHosts = new WeakMap<EnvoyConfigSummary, Set<string>>();

/** Whether the waypoint's config has a cluster for a Service host (any port, protocol or subset). */
export function hasClusterFor(envoy: EnvoyConfigSummary, host: string): boolean {
  let hosts = clusterHosts.get(envoy);
  if (!hosts) {
    hosts = new Set(envoy.clusters.flatMap((c) => parseVipName(c.name)?.host ?? []));
    clusterHosts.set(envoy, hosts);
  }
  return hosts.has(host);
}
