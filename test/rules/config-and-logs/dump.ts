/**
 * Waypoint config dumps for rule tests, in the shape `istioctl proxy-config all <pod> -o json` prints
 * for an ambient waypoint (the admin API's config_dump: bootstrap node, clusters, the `connect_terminate`
 * and `main_internal` listeners with one chain per Service port, inline routes, RBAC filters), reduced to
 * the fields that shape needs; see samples/bug-report/proxies/*\/config_dump?include_eds for a whole one.
 */
export interface ChainSpec {
  host: string;
  port: number;
  protocol?: 'http' | 'tcp';
  /** Route names of the inline route config (`default` when not given). */
  routes?: string[];
  /** RBAC policy names, as istiod writes them: `ns[default]-policy[x]-rule[0]`. */
  rbac?: string[];
}

const vip = (c: ChainSpec) => `inbound-vip|${c.port}|${c.protocol ?? 'http'}|${c.host}`;

function chain(c: ChainSpec): object {
  const rbac = c.rbac?.length
    ? [{ name: c.protocol === 'tcp' ? 'envoy.filters.network.rbac' : 'envoy.filters.http.rbac', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC', rules: { policies: Object.fromEntries(c.rbac.map((p) => [p, { permissions: [{ any: true }], principals: [{ any: true }] }])) } } }]
    : [];
  if (c.protocol === 'tcp') {
    return { filters: [...rbac, { name: 'envoy.filters.network.tcp_proxy', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy', cluster: vip(c), stat_prefix: vip(c) } }], name: `inbound-vip|${c.port}||${c.host}-tcp` };
  }
  const routes = (c.routes ?? ['default']).map((name) => ({ match: { prefix: '/' }, route: { cluster: vip(c) }, name }));
  return {
    filters: [{
      name: 'envoy.filters.network.http_connection_manager',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
        stat_prefix: `inbound_0.0.0.0_${c.port}`,
        route_config: { name: vip(c), virtual_hosts: [{ name: `inbound|http|${c.port}`, domains: ['*'], routes }], validate_clusters: false },
        http_filters: [...rbac, { name: 'envoy.filters.http.router', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' } }],
      },
    }],
    name: `inbound-vip|${c.port}||${c.host}-http`,
  };
}

/** The config dump of waypoint pod `pod` (namespace `ns`, IP `ip`) serving these chains. */
export function waypointDump(ns: string, pod: string, ip: string, chains: ChainSpec[], version = '1.26.2'): string {
  // Keys in the order Envoy prints them (proto field order): the parser finds each name's line in one forward pass.
  const listener = (name: string, body: object) => ({ name, active_state: { version_info: '2025-10-14T09:25:40Z/12', listener: { '@type': 'type.googleapis.com/envoy.config.listener.v3.Listener', name, ...body }, last_updated: '2025-10-14T09:25:41.108Z' } });
  return JSON.stringify({
    configs: [
      { '@type': 'type.googleapis.com/envoy.admin.v3.BootstrapConfigDump', bootstrap: { node: { id: `waypoint~${ip}~${pod}.${ns}~${ns}.svc.cluster.local`, metadata: { ISTIO_VERSION: version, NAME: pod, NAMESPACE: ns } } } },
      {
        '@type': 'type.googleapis.com/envoy.admin.v3.ClustersConfigDump',
        dynamic_active_clusters: [
          { cluster: { '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster', name: 'connect_originate', type: 'ORIGINAL_DST' } },
          ...chains.map((c) => ({ cluster: { '@type': 'type.googleapis.com/envoy.config.cluster.v3.Cluster', name: vip(c), type: 'EDS' } })),
        ],
      },
      {
        '@type': 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump',
        dynamic_listeners: [
          listener('connect_terminate', { address: { socket_address: { address: '0.0.0.0', port_value: 15008 } }, filter_chains: [{ name: 'default' }] }),
          listener('main_internal', { filter_chains: chains.map(chain), internal_listener: {} }),
        ],
      },
    ],
  }, null, 2);
}
