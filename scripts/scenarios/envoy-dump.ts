/**
 * Assembles a waypoint's `/config_dump?include_eds` (see envoy.ts for the filter chains): bootstrap, clusters,
 * endpoints (the destinations' pod IPs behind `connect_originate`), listeners, the empty RDS dumps (routes are inline)
 * and SDS secrets (certificate chain and root only: no private key is ever written).
 */
import type { K } from './serializers.js';
import type { Bundle } from './bundle.js';
import { digest } from './bundle.js';
import { type Served, captured, endpoints, podReady, servedBy, subsetsOf, workloadsOf } from './cluster.js';
import { routesFor, vipCluster } from './routes.js';
import { workloadCert } from './certs.js';
import {
  CLUSTER_T, type Ctx, ENVOY_VERSION, HCM, HCM_T, LISTENER_T, T, TCP_PROXY_T, ads, at, chainMatcher, commonTls, directChains, discoveryAddress,
  filter, internalUpstream, istioVersion, proxyStart, router, serviceChains, staticEndpoint,
} from './envoy.js';

const ADMIN = `${T}envoy.admin.v3.`;
const CLA_T = `${T}envoy.config.endpoint.v3.ClusterLoadAssignment`;
const socket = (address: string, port: number) => ({ socket_address: { address, port_value: port } });

// ---- clusters -------------------------------------------------------------------------------------

const circuitBreakers = () => ({ thresholds: [{ max_connections: 4294967295, max_pending_requests: 4294967295, max_requests: 4294967295, max_retries: 4294967295, track_remaining: true }] });
const downstreamProtocol = () => ({
  'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
    '@type': `${T}envoy.extensions.upstreams.http.v3.HttpProtocolOptions`,
    use_downstream_protocol_config: { http_protocol_options: {}, http2_protocol_options: {} },
  },
});

function edsCluster(name: string, s: Served | undefined, http: boolean): K {
  const c: K = {
    '@type': CLUSTER_T, name, type: 'EDS',
    eds_cluster_config: { eds_config: ads(), service_name: name },
    connect_timeout: '10s',
    circuit_breakers: circuitBreakers(),
    transport_socket: internalUpstream([{ kind: { host: {} }, name: 'envoy.filters.listener.original_dst' }]),
  };
  if (s) c.metadata = { filter_metadata: { istio: { services: [{ namespace: s.namespace, name: s.name, host: s.host }] } } };
  c.common_lb_config = {};
  if (http) c.typed_extension_protocol_options = downstreamProtocol();
  return c;
}

function fixedClusters(): K[] {
  return [
    { '@type': CLUSTER_T, name: 'BlackHoleCluster', type: 'STATIC', connect_timeout: '10s' },
    {
      '@type': CLUSTER_T, name: 'connect_originate', type: 'ORIGINAL_DST', connect_timeout: '10s', lb_policy: 'CLUSTER_PROVIDED', cleanup_interval: '60s',
      transport_socket: { name: 'envoy.transport_sockets.tls', typed_config: { '@type': `${T}envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext`, common_tls_context: commonTls() } },
      original_dst_lb_config: { upstream_port_override: 15008 },
      typed_extension_protocol_options: { 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': { '@type': `${T}envoy.extensions.upstreams.http.v3.HttpProtocolOptions`, explicit_http_config: { http2_protocol_options: { allow_connect: true } } } },
    },
    {
      '@type': CLUSTER_T, name: 'encap', type: 'STATIC', connect_timeout: '10s',
      load_assignment: { cluster_name: 'encap', endpoints: [staticEndpoint({ envoy_internal_address: { server_listener_name: 'connect_originate' } })] },
      transport_socket: internalUpstream([{ kind: { request: {} }, name: 'istio' }, { kind: { host: {} }, name: 'envoy.filters.listener.original_dst' }]),
    },
    {
      '@type': CLUSTER_T, name: 'main_internal', type: 'STATIC',
      load_assignment: { cluster_name: 'main_internal', endpoints: [staticEndpoint({ envoy_internal_address: { server_listener_name: 'main_internal' } })] },
      transport_socket: internalUpstream([{ kind: { request: {} }, name: 'istio' }, { kind: { request: {} }, name: 'envoy.filters.listener.original_dst' }]),
    },
  ];
}

/** EDS clusters of the served Services (and their DestinationRule subsets), with the pods behind each. */
function edsClusters(b: Bundle, gw: K, served: Served[]): { cluster: K; endpoints: K[] }[] {
  const out: { cluster: K; endpoints: K[] }[] = [];
  const lbEndpoint = (pod: K, port: number) => {
    const addr = `${pod.status.podIP}:${port}`;
    const workload = `${pod.metadata.labels['service.istio.io/canonical-name'] ?? pod.metadata.labels.app ?? pod.metadata.name};${pod.metadata.namespace};` +
      `${pod.metadata.labels.app ?? pod.metadata.name};${pod.metadata.labels.version ?? 'latest'};Kubernetes`;
    return {
      endpoint: {
        address: captured(b, pod) ? { envoy_internal_address: { server_listener_name: 'connect_originate', endpoint_id: addr } } : socket(pod.status.podIP, port),
        health_check_config: {},
      },
      health_status: 'HEALTHY',
      metadata: { filter_metadata: { 'envoy.filters.listener.original_dst': { local: addr }, istio: { workload } } },
      load_balancing_weight: 1,
    };
  };
  for (const s of served) {
    for (const p of s.ports) {
      const protos = p.protocol === 'http' ? ['http'] : p.protocol === 'tcp' ? ['tcp'] : ['tcp', 'http'];
      for (const proto of protos) {
        out.push({ cluster: edsCluster(vipCluster(p.port, s.host, proto), s, proto === 'http'), endpoints: endpoints(b, s).map((pod) => lbEndpoint(pod, p.targetPort)) });
        if (proto !== 'http') continue;
        for (const sub of subsetsOf(b, s)) {
          const c = edsCluster(vipCluster(p.port, s.host, 'http', sub.name), s, true);
          out.push({ cluster: c, endpoints: endpoints(b, s, sub.labels).map((pod) => lbEndpoint(pod, p.targetPort)) });
        }
      }
      // Route targets this waypoint does not own get an outbound cluster, when the Service exists.
      for (const r of p.protocol === 'tcp' ? [] : routesFor(b, gw, s, p.port)) {
        for (const c of r.clusters) {
          if (!c.cluster.startsWith('outbound|') || !c.service || out.some((o) => o.cluster.name === c.cluster)) continue;
          out.push({ cluster: edsCluster(c.cluster, c.service, true), endpoints: [] });
        }
      }
    }
  }
  return out;
}

// ---- bootstrap and secrets --------------------------------------------------------------------------

function bootstrap(pod: K, gw: K): K {
  const ns = pod.metadata.namespace;
  const version = istioVersion(pod);
  const sha = digest(`proxy-sha:${version}`).slice(0, 40);
  const xds = discoveryAddress(pod);
  const [xdsHost, xdsPort] = xds.split(':');
  const metadata: K = {
    ANNOTATIONS: { ...pod.metadata.annotations, 'kubernetes.io/config.seen': `${pod.metadata.creationTimestamp.replace('Z', '')}.${digest(`seen:${pod.metadata.uid}`).replace(/\D/g, '').slice(0, 9)}Z`, 'kubernetes.io/config.source': 'api' },
    CLUSTER_ID: 'Kubernetes', ENVOY_PROMETHEUS_PORT: 15090, ENVOY_STATUS_PORT: 15021, INSTANCE_IPS: pod.status.podIP, INTERCEPTION_MODE: 'REDIRECT',
    ISTIO_PROXY_SHA: sha, ISTIO_VERSION: version, LABELS: pod.metadata.labels, MESH_ID: 'cluster.local', NAME: pod.metadata.name, NAMESPACE: ns,
    NODE_NAME: pod.spec.nodeName, OWNER: `kubernetes://apis/apps/v1/namespaces/${ns}/deployments/${gw.metadata.name}`, PILOT_SAN: [xdsHost],
    PROXY_CONFIG: {
      binaryPath: '/usr/local/bin/envoy', concurrency: 2, configPath: './etc/istio/proxy', controlPlaneAuthPolicy: 'MUTUAL_TLS', discoveryAddress: xds,
      drainDuration: '45s', proxyAdminPort: 15000, serviceCluster: 'istio-proxy', statNameLength: 189, statusPort: 15020, terminationDrainDuration: '5s',
    },
    SERVICE_ACCOUNT: pod.spec.serviceAccountName, WORKLOAD_NAME: gw.metadata.name,
  };
  const staticCluster = (name: string, address: K, extra: K = {}) => ({ '@type': CLUSTER_T, name, type: 'STATIC', connect_timeout: '0.250s', load_assignment: { cluster_name: name, endpoints: [staticEndpoint(address)] }, ...extra });
  const h2 = { typed_extension_protocol_options: { 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': { '@type': `${T}envoy.extensions.upstreams.http.v3.HttpProtocolOptions`, explicit_http_config: { http2_protocol_options: {} } } } };
  const statsListener = (port: number, prefix: string, cluster: string, path: string) => ({
    '@type': LISTENER_T, address: { socket_address: { protocol: 'TCP', address: '0.0.0.0', port_value: port } },
    filter_chains: [{ filters: [filter(HCM, { '@type': HCM_T, stat_prefix: prefix, route_config: { virtual_hosts: [{ name: 'backend', domains: ['*'], routes: [{ match: { prefix: path }, route: { cluster } }] }] }, http_filters: [router()] })] }],
  });
  return {
    node: {
      id: `waypoint~${pod.status.podIP}~${pod.metadata.name}.${ns}~${ns}.svc.cluster.local`,
      cluster: `${gw.metadata.name}.${ns}`,
      metadata,
      locality: {},
      user_agent_name: 'envoy',
      user_agent_build_version: { version: ENVOY_VERSION, metadata: { 'build.type': 'RELEASE', 'revision.sha': sha, 'revision.status': 'Clean', 'ssl.version': 'BoringSSL' } },
    },
    static_resources: {
      listeners: [statsListener(15090, 'stats', 'prometheus_stats', '/stats/prometheus'), statsListener(15021, 'agent', 'agent', '/healthz/ready')],
      clusters: [
        staticCluster('agent', socket('127.0.0.1', 15020)),
        staticCluster('prometheus_stats', socket('127.0.0.1', 15000)),
        staticCluster('sds-grpc', { pipe: { path: './var/run/secrets/workload-spiffe-uds/socket' } }, { connect_timeout: '1s', ...h2 }),
        {
          '@type': CLUSTER_T, name: 'xds-grpc', type: 'STRICT_DNS', connect_timeout: '1s', lb_policy: 'ROUND_ROBIN',
          load_assignment: { cluster_name: 'xds-grpc', endpoints: [staticEndpoint(socket(xdsHost!, Number(xdsPort)))] },
          circuit_breakers: { thresholds: [{ max_connections: 100000, max_pending_requests: 100000, max_requests: 100000 }, { priority: 'HIGH', max_connections: 100000, max_pending_requests: 100000, max_requests: 100000 }] },
          upstream_connection_options: { tcp_keepalive: { keepalive_time: 300 } },
          max_requests_per_connection: 1,
          dns_lookup_family: 'V4_ONLY',
          ...h2,
        },
      ],
    },
    dynamic_resources: {
      lds_config: ads(), cds_config: ads(),
      ads_config: { api_type: 'GRPC', grpc_services: [{ envoy_grpc: { cluster_name: 'xds-grpc' } }], set_node_on_first_message_only: true, transport_api_version: 'V3' },
    },
    cluster_manager: { outlier_detection: { event_log_path: '' } },
    admin: { address: socket('127.0.0.1', 15000), profile_path: '/var/lib/istio/data/envoy.prof' },
    layered_runtime: {
      layers: [
        { name: 'global config', static_layer: { 'envoy.deprecated_features:envoy.config.listener.v3.Listener.hidden_envoy_deprecated_use_original_dst': 'true', 'envoy.reloadable_features.http_reject_path_with_fragment': 'false', 'overload.global_downstream_max_connections': '2147483647', 're2.max_program_size.error_level': '32768' } },
        { name: 'admin', admin_layer: {} },
      ],
    },
    bootstrap_extensions: [{ name: 'envoy.bootstrap.internal_listener', typed_config: { '@type': `${T}udpa.type.v1.TypedStruct`, type_url: `${T}envoy.extensions.bootstrap.internal_listener.v3.InternalListener`, value: { buffer_size_kb: 64 } } }],
  };
}

function secrets(pod: K, started: string): K {
  const issued = started;
  const { chain, root } = workloadCert({ namespace: pod.metadata.namespace, serviceAccount: pod.spec.serviceAccountName, notBefore: issued });
  const b64 = (pem: string) => Buffer.from(pem, 'utf8').toString('base64');
  const secret = (name: string, body: K, ms: number) => ({
    name, version_info: issued, last_updated: at(started, ms),
    secret: { '@type': `${T}envoy.extensions.transport_sockets.tls.v3.Secret`, name, ...body },
  });
  return {
    '@type': `${ADMIN}SecretsConfigDump`,
    dynamic_active_secrets: [
      secret('default', { tls_certificate: { certificate_chain: { inline_bytes: b64(chain) } } }, 1281),
      secret('ROOTCA', { validation_context: { trusted_ca: { inline_bytes: b64(root) } } }, 1284),
    ],
  };
}

// ---- the dump ---------------------------------------------------------------------------------------

/** `istioctl proxy-config all <pod>.<ns> -o json` of a running waypoint pod. */
export function waypointDump(b: Bundle, gw: K, pod: K): K {
  const ns = gw.metadata.namespace;
  const started = proxyStart(pod);
  const push = b.lastPush;
  const version = `${push.replace(/\.\d+Z$/, 'Z')}/${b.pushVersion}`;
  const applied = at(push, 412);
  const logs = typeof b.meshConfig().accessLogFile === 'string' && b.meshConfig().accessLogFile !== '';
  const ctx: Ctx = { b, gw, pod, logs, clusters: new Map() };
  const served = servedBy(b, ns, gw.metadata.name);
  const workloads = workloadsOf(b, gw).filter(podReady);
  const eds = edsClusters(b, gw, served);
  const clusters = [...fixedClusters(), ...eds.map((e) => e.cluster)].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  const boot = at(started, 231);

  const connectTerminate = {
    '@type': LISTENER_T, name: 'connect_terminate', address: socket('0.0.0.0', 15008),
    filter_chains: [{
      filters: [filter(HCM, {
        '@type': HCM_T, stat_prefix: 'connect_terminate',
        route_config: { name: 'default', virtual_hosts: [{ name: 'default', domains: ['*'], routes: [{ match: { connect_matcher: {} }, route: { cluster: 'main_internal', upgrade_configs: [{ upgrade_type: 'CONNECT', connect_config: {} }] } }] }] },
        http_filters: [
          filter('waypoint_downstream_peer_metadata', { '@type': `${T}udpa.type.v1.TypedStruct`, type_url: `${T}io.istio.http.peer_metadata.Config`, value: { downstream_discovery: [{ workload_discovery: {} }], shared_with_upstream: true } }),
          filter('connect_authority', {
            '@type': `${T}envoy.extensions.filters.http.set_filter_state.v3.Config`,
            on_request_headers: [
              { object_key: 'envoy.filters.listener.original_dst.local_ip', format_string: { text_format_source: { inline_string: '%REQ(:AUTHORITY)%' } }, shared_with_upstream: 'ONCE' },
              { object_key: 'envoy.filters.listener.original_dst.remote_ip', format_string: { text_format_source: { inline_string: '%DOWNSTREAM_REMOTE_ADDRESS%' } }, shared_with_upstream: 'ONCE' },
              { object_key: 'io.istio.peer_principal', format_string: { text_format_source: { inline_string: '%DOWNSTREAM_PEER_URI_SAN%' } }, shared_with_upstream: 'ONCE', factory_key: 'envoy.string' },
              { object_key: 'io.istio.local_principal', format_string: { text_format_source: { inline_string: '%DOWNSTREAM_LOCAL_URI_SAN%' } }, shared_with_upstream: 'ONCE', factory_key: 'envoy.string' },
            ],
          }),
          router(),
        ],
        http2_protocol_options: { max_concurrent_streams: 100, allow_connect: true, connection_keepalive: { interval: '10s', timeout: '20s' } },
        server_name: 'istio-envoy', use_remote_address: false, forward_client_cert_details: 'APPEND_FORWARD',
        set_current_client_cert_details: { subject: true, dns: true, uri: true }, upgrade_configs: [{ upgrade_type: 'CONNECT' }], stream_idle_timeout: '0s',
      })],
      transport_socket: { name: 'tls', typed_config: { '@type': `${T}envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext`, common_tls_context: commonTls(), require_client_certificate: true } },
      name: 'default',
    }],
    connection_balance_config: { exact_balance: {} },
  };
  const connectOriginate = {
    '@type': LISTENER_T, name: 'connect_originate',
    filter_chains: [{ filters: [filter('envoy.filters.network.tcp_proxy', { '@type': TCP_PROXY_T, stat_prefix: 'connect_originate', cluster: 'connect_originate', tunneling_config: { hostname: '%DOWNSTREAM_LOCAL_ADDRESS%' } })] }],
    use_original_dst: false,
    listener_filters: [filter('envoy.filters.listener.original_dst', { '@type': `${T}envoy.extensions.filters.listener.original_dst.v3.OriginalDst` })],
    internal_listener: {},
  };
  const mainInternal = {
    '@type': LISTENER_T, name: 'main_internal',
    filter_chains: [...served.flatMap((s) => serviceChains(ctx, s)), ...directChains(ctx)],
    listener_filters: [
      filter('envoy.filters.listener.original_dst', { '@type': `${T}envoy.extensions.filters.listener.original_dst.v3.OriginalDst` }),
      filter('envoy.filters.listener.http_inspector', { '@type': `${T}envoy.extensions.filters.listener.http_inspector.v3.HttpInspector` }),
    ],
    traffic_direction: 'INBOUND',
    internal_listener: {},
    filter_chain_matcher: chainMatcher(ctx, served, workloads.map((p) => p.status.podIP)),
  };
  const dynamicListener = (l: K) => ({ name: l.name, active_state: { version_info: version, listener: l, last_updated: applied } });

  return {
    configs: [
      { '@type': `${ADMIN}BootstrapConfigDump`, bootstrap: bootstrap(pod, gw), last_updated: boot },
      {
        '@type': `${ADMIN}ClustersConfigDump`, version_info: version,
        static_clusters: (bootstrap(pod, gw).static_resources.clusters as K[]).map((c) => ({ cluster: c, last_updated: boot })),
        dynamic_active_clusters: clusters.map((c) => ({ version_info: version, cluster: c, last_updated: applied })),
      },
      {
        '@type': `${ADMIN}EndpointsConfigDump`,
        static_endpoint_configs: [['agent', 15020], ['prometheus_stats', 15000]].map(([name, port]) => ({
          endpoint_config: {
            '@type': CLA_T, cluster_name: name,
            endpoints: [{ locality: {}, lb_endpoints: [{ endpoint: { address: socket('127.0.0.1', port as number), health_check_config: {} }, health_status: 'HEALTHY', load_balancing_weight: 1 }], load_balancing_weight: 1 }],
            policy: { overprovisioning_factor: 140 },
          },
        })),
        dynamic_endpoint_configs: eds.filter((e) => e.cluster.type === 'EDS').map((e) => ({
          version_info: version,
          endpoint_config: {
            '@type': CLA_T, cluster_name: e.cluster.name,
            ...(e.endpoints.length ? { endpoints: [{ locality: {}, lb_endpoints: e.endpoints, load_balancing_weight: 1 }] } : {}),
            policy: { overprovisioning_factor: 140 },
          },
          last_updated: applied,
        })),
      },
      {
        '@type': `${ADMIN}ListenersConfigDump`, version_info: version,
        static_listeners: (bootstrap(pod, gw).static_resources.listeners as K[]).map((l) => ({ listener: l, last_updated: boot })),
        dynamic_listeners: [connectOriginate, connectTerminate, mainInternal].map(dynamicListener),
      },
      { '@type': `${ADMIN}ScopedRoutesConfigDump` },
      { '@type': `${ADMIN}RoutesConfigDump` },
      secrets(pod, started),
    ],
  };
}
