/**
 * A waypoint's Envoy config as `istioctl proxy-config all <pod>.<ns> -o json` prints it: Envoy's admin
 * `/config_dump?include_eds` (snake_case). Built from the bundle's objects the way istiod 1.26 builds a waypoint
 * (pilot/pkg/networking/core/listener_waypoint.go, cluster_waypoint.go): listener `connect_terminate` (0.0.0.0:15008)
 * decapsulates HBONE into the internal listener `main_internal`, which has one filter chain per served Service port
 * (named like its cluster, `inbound-vip|<port>|http|<host>` or `|tcp|`) with the routes inline, RBAC for the policies
 * that target the Service or the waypoint, plus `direct-tcp`/`direct-http` for pod-addressed traffic; `connect_originate`
 * re-encapsulates towards the destination. Modelled on istioctl's waypoint testdata (1.21.0) and samples/bug-report.
 */
import type { K } from './serializers.js';
import type { Bundle } from './bundle.js';
import { type Served, waypointPolicies } from './cluster.js';
import { type RouteModel, routesFor, vipCluster } from './routes.js';

export const T = 'type.googleapis.com/';
export const CLUSTER_T = `${T}envoy.config.cluster.v3.Cluster`;
export const LISTENER_T = `${T}envoy.config.listener.v3.Listener`;
export const HCM = 'envoy.filters.network.http_connection_manager';
export const HCM_T = `${T}envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager`;
export const TCP_PROXY_T = `${T}envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy`;
export const ENVOY_VERSION = { major_number: 1, minor_number: 34, patch: 1 };
export const ISTIO_LOG_FORMAT = '[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS% %RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS% "%UPSTREAM_TRANSPORT_FAILURE_REASON%" %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%" %UPSTREAM_CLUSTER_RAW% %UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS% %REQUESTED_SERVER_NAME% %ROUTE_NAME%\n';

/** Where a proxy gets its config: the discoveryAddress of its proxy config (pod annotation or the default). */
export function discoveryAddress(pod: K): string {
  const annotated = pod.metadata.annotations?.['proxy.istio.io/config'];
  return annotated ? JSON.parse(annotated).discoveryAddress : 'istiod.istio-system.svc:15012';
}

/** When the proxy container started (or last started, for a restarting one). */
export function proxyStart(pod: K): string {
  const cs = pod.status.containerStatuses?.[0];
  return cs?.state?.running?.startedAt ?? cs?.lastState?.terminated?.startedAt ?? pod.metadata.creationTimestamp;
}

export const istioVersion = (pod: K) => /:([^:@]+)$/.exec(pod.spec.containers[0].image)?.[1] ?? '1.26.2';

export const at = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

// ---- shared pieces ----------------------------------------------------------------------------

export const ads = () => ({ ads: {}, initial_fetch_timeout: '0s', resource_api_version: 'V3' });
const sdsSecret = (name: string) => ({
  name,
  sds_config: {
    api_config_source: { api_type: 'GRPC', grpc_services: [{ envoy_grpc: { cluster_name: 'sds-grpc' } }], set_node_on_first_message_only: true, transport_api_version: 'V3' },
    initial_fetch_timeout: '0s', resource_api_version: 'V3',
  },
});
export const commonTls = () => ({
  tls_params: { tls_minimum_protocol_version: 'TLSv1_3', tls_maximum_protocol_version: 'TLSv1_3' },
  alpn_protocols: ['h2'],
  tls_certificate_sds_secret_configs: [sdsSecret('default')],
  combined_validation_context: {
    default_validation_context: { match_typed_subject_alt_names: [{ san_type: 'URI', matcher: { prefix: 'spiffe://cluster.local/' } }] },
    validation_context_sds_secret_config: sdsSecret('ROOTCA'),
  },
});
export const internalUpstream = (passthrough: K[]) => ({
  name: 'internal_upstream',
  typed_config: {
    '@type': `${T}envoy.extensions.transport_sockets.internal_upstream.v3.InternalUpstreamTransport`,
    passthrough_metadata: passthrough,
    transport_socket: { name: 'raw_buffer', typed_config: { '@type': `${T}envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer` } },
  },
});
const accessLog = () => [{
  name: 'envoy.access_loggers.file',
  typed_config: { '@type': `${T}envoy.extensions.access_loggers.file.v3.FileAccessLog`, path: '/dev/stdout', log_format: { text_format_source: { inline_string: ISTIO_LOG_FORMAT } } },
}];
export const filter = (name: string, typed: K) => ({ name, typed_config: typed });
export const router = () => filter('envoy.filters.http.router', { '@type': `${T}envoy.extensions.filters.http.router.v3.Router` });
export const staticEndpoint = (address: K) => ({ lb_endpoints: [{ endpoint: { address } }] });

export interface Ctx {
  b: Bundle;
  gw: K;
  pod: K;
  logs: boolean;
  /** Clusters that exist in this waypoint (route targets to others make 500/503 NC). */
  clusters: Map<string, K>;
}

// ---- RBAC -------------------------------------------------------------------------------------

function rbacPrincipals(rule: K): K[] {
  if (!rule.from) return [{ and_ids: { ids: [{ any: true }] } }];
  return rule.from.map((f: K) => {
    const s = f.source ?? {};
    const ids: K[] = [];
    if (s.principals) ids.push({ or_ids: { ids: s.principals.map((p: string) => ({ filter_state: { key: 'io.istio.peer_principal', string_match: p === '*' ? { safe_regex: { regex: '.+' } } : { exact: `spiffe://${p}` } } })) } });
    if (s.namespaces) ids.push({ or_ids: { ids: s.namespaces.map((n: string) => ({ filter_state: { key: 'io.istio.peer_principal', string_match: { safe_regex: { regex: `.*/ns/${n}/.*` } } } })) } });
    if (s.requestPrincipals) ids.push({ or_ids: { ids: s.requestPrincipals.map((p: string) => ({ metadata: { filter: 'istio_authn', path: [{ key: 'request.auth.principal' }], value: { string_match: p === '*' ? { safe_regex: { regex: '.+' } } : { exact: p } } } })) } });
    return { and_ids: { ids: ids.length ? ids : [{ any: true }] } };
  });
}

function rbacPermissions(rule: K, tcp: boolean): K[] {
  if (!rule.to || tcp) return [{ and_rules: { rules: [{ any: true }] } }];
  return rule.to.map((t: K) => {
    const o = t.operation ?? {};
    const rules: K[] = [];
    if (o.methods) rules.push({ or_rules: { rules: o.methods.map((m: string) => ({ header: { name: ':method', string_match: { exact: m } } })) } });
    if (o.paths) rules.push({ or_rules: { rules: o.paths.map((p: string) => ({ url_path: { path: p.endsWith('*') ? { prefix: p.slice(0, -1) } : { exact: p } } })) } });
    return { and_rules: { rules: rules.length ? rules : [{ any: true }] } };
  });
}

/** One RBAC filter per action present (DENY before ALLOW), policies keyed `ns[..]-policy[..]-rule[i]`. */
function rbacFilters(policies: K[], tcp: boolean): K[] {
  const out: K[] = [];
  for (const action of ['DENY', 'ALLOW']) {
    const ofAction = policies.filter((p) => (p.spec.action ?? 'ALLOW') === action);
    if (ofAction.length === 0) continue;
    const entries: Record<string, K> = {};
    for (const ap of ofAction) {
      (ap.spec.rules ?? []).forEach((rule: K, i: number) => {
        entries[`ns[${ap.metadata.namespace}]-policy[${ap.metadata.name}]-rule[${i}]`] = { permissions: rbacPermissions(rule, tcp), principals: rbacPrincipals(rule) };
      });
    }
    const shadow = action === 'DENY' ? 'istio_dry_run_deny_' : 'istio_dry_run_allow_';
    const rules = action === 'DENY' ? { action: 'DENY', policies: entries } : { policies: entries };
    out.push(tcp
      ? filter('envoy.filters.network.rbac', { '@type': `${T}envoy.extensions.filters.network.rbac.v3.RBAC`, rules, stat_prefix: 'tcp.', shadow_rules_stat_prefix: shadow })
      : filter('envoy.filters.http.rbac', { '@type': `${T}envoy.extensions.filters.http.rbac.v3.RBAC`, rules, shadow_rules_stat_prefix: shadow }));
  }
  return out;
}

// ---- filter chains ----------------------------------------------------------------------------

function routeEntry(r: RouteModel, port: number): K {
  const action: K = { timeout: '0s' };
  const weighted = r.clusters.filter((c) => c.weight > 0);
  if (r.name === 'default' && !r.config) {
    return {
      match: { prefix: '/' },
      route: { cluster: r.clusters[0]!.cluster, timeout: '0s', max_stream_duration: { max_stream_duration: '0s', grpc_timeout_header_max: '0s' } },
      decorator: { operation: `:${port}/*` },
      name: 'default',
    };
  }
  if (weighted.length === 1) action.cluster = weighted[0]!.cluster;
  else action.weighted_clusters = { clusters: weighted.map((c) => ({ name: c.cluster, weight: c.weight })) };
  if (r.gatewaySemantics) action.cluster_not_found_response_code = 'INTERNAL_SERVER_ERROR';
  action.retry_policy = {
    retry_on: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes', num_retries: 2,
    retry_host_predicate: [{ name: 'envoy.retry_host_predicates.previous_hosts', typed_config: { '@type': `${T}envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate` } }],
    host_selection_retry_max_attempts: '5', retriable_status_codes: [503],
  };
  action.max_grpc_timeout = '0s';
  const host = weighted[0]?.cluster.split('|')[3] ?? '';
  return {
    match: { prefix: '/', case_sensitive: true },
    route: action,
    metadata: { filter_metadata: { istio: { config: r.config } } },
    decorator: { operation: `${host}:${port}/*` },
    name: r.name,
  };
}

function hcm(ctx: Ctx, statPrefix: string, routeConfig: K, pre: K[], grpc: boolean): K {
  const labels = ctx.pod.metadata.labels;
  const tag = (t: string, value: string) => ({ tag: t, literal: { value } });
  const config: K = {
    '@type': HCM_T,
    stat_prefix: statPrefix,
    route_config: routeConfig,
    http_filters: [
      ...pre,
      filter('envoy.filters.http.grpc_stats', { '@type': `${T}envoy.extensions.filters.http.grpc_stats.v3.FilterConfig`, emit_filter_state: true, stats_for_all_methods: false }),
      filter('envoy.filters.http.fault', { '@type': `${T}envoy.extensions.filters.http.fault.v3.HTTPFault` }),
      filter('envoy.filters.http.cors', { '@type': `${T}envoy.extensions.filters.http.cors.v3.Cors` }),
      filter('waypoint_upstream_peer_metadata', { '@type': `${T}udpa.type.v1.TypedStruct`, type_url: `${T}io.istio.http.peer_metadata.Config`, value: { upstream_discovery: [{ workload_discovery: {} }] } }),
      filter('istio.stats', { '@type': `${T}stats.PluginConfig`, reporter: 'SERVER_GATEWAY' }),
      router(),
    ],
    tracing: {
      client_sampling: { value: 100 }, random_sampling: { value: 1 }, overall_sampling: { value: 100 },
      custom_tags: [
        tag('istio.canonical_revision', labels['service.istio.io/canonical-revision'] ?? 'latest'),
        tag('istio.canonical_service', labels['service.istio.io/canonical-name'] ?? ctx.gw.metadata.name),
        tag('istio.cluster_id', 'Kubernetes'), tag('istio.mesh_id', 'cluster.local'), tag('istio.namespace', ctx.pod.metadata.namespace),
      ],
    },
  };
  if (grpc) config.http2_protocol_options = {};
  config.server_name = 'istio-envoy';
  if (ctx.logs) config.access_log = accessLog();
  Object.assign(config, {
    use_remote_address: false,
    upgrade_configs: [{ upgrade_type: 'websocket' }],
    stream_idle_timeout: '0s',
    normalize_path: true,
    request_id_extension: { typed_config: { '@type': `${T}envoy.extensions.request_id.uuid.v3.UuidRequestIdConfig`, use_request_id_for_trace_sampling: true } },
    path_with_escaped_slashes_action: 'KEEP_UNCHANGED',
  });
  return filter(HCM, config);
}

function tcpProxy(ctx: Ctx, cluster: string): K {
  const config: K = { '@type': TCP_PROXY_T, stat_prefix: cluster, cluster };
  if (ctx.logs) config.access_log = accessLog();
  return filter('envoy.filters.network.tcp_proxy', config);
}

const networkStats = () => filter('istio.stats', { '@type': `${T}udpa.type.v1.TypedStruct`, type_url: `${T}stats.PluginConfig`, value: { reporter: 'SERVER_GATEWAY' } });
const connectAuthority = () => filter('connect_authority', {
  '@type': `${T}envoy.extensions.filters.network.set_filter_state.v3.Config`,
  on_new_connection: [{ object_key: 'envoy.filters.listener.original_dst.local_ip', format_string: { text_format_source: { inline_string: '%FILTER_STATE(envoy.filters.listener.original_dst.local_ip:PLAIN)%' } }, shared_with_upstream: 'ONCE' }],
});

export function serviceChains(ctx: Ctx, s: Served): K[] {
  const policies = waypointPolicies(ctx.b, ctx.gw, s);
  return s.ports.flatMap((p) => {
    const tcpName = vipCluster(p.port, s.host, 'tcp');
    const httpName = vipCluster(p.port, s.host, 'http');
    const tcp = { filters: [...rbacFilters(policies, true), networkStats(), tcpProxy(ctx, tcpName)], name: tcpName };
    const routes = routesFor(ctx.b, ctx.gw, s, p.port);
    const routeConfig = {
      name: httpName,
      virtual_hosts: [{ name: `inbound|http|${p.port}`, domains: ['*'], routes: routes.map((r) => routeEntry(r, p.port)) }],
      validate_clusters: false,
    };
    const http = { filters: [hcm(ctx, `inbound_0.0.0.0_${p.port}`, routeConfig, rbacFilters(policies, false), p.name.startsWith('grpc'))], name: httpName };
    return p.protocol === 'http' ? [http] : p.protocol === 'tcp' ? [tcp] : [tcp, http];
  });
}

export function directChains(ctx: Ctx): K[] {
  const policies = waypointPolicies(ctx.b, ctx.gw, undefined);
  const routeConfig = {
    name: 'encap',
    virtual_hosts: [{ name: 'inbound|http|0', domains: ['*'], routes: [routeEntry({ name: 'default', clusters: [{ cluster: 'encap', weight: 100 }], gatewaySemantics: false }, 0)] }],
    validate_clusters: false,
  };
  return [
    { filters: [connectAuthority(), ...rbacFilters(policies, true), networkStats(), tcpProxy(ctx, 'encap')], name: 'direct-tcp' },
    { filters: [connectAuthority(), hcm(ctx, 'inbound_0.0.0.0_0', routeConfig, rbacFilters(policies, false), false)], name: 'direct-http' },
  ];
}

const action = (name: string) => ({ action: { name, typed_config: { '@type': `${T}google.protobuf.StringValue`, value: name } } });
const input = (name: string, type: string) => ({ name, typed_config: { '@type': `${T}envoy.extensions.matching.common_inputs.network.v3.${type}` } });

export function chainMatcher(ctx: Ctx, served: Served[], workloadIps: string[]): K {
  const ranges: K[] = [];
  for (const s of served) {
    if (s.vips.length === 0) continue;
    const map: Record<string, K> = {};
    for (const p of s.ports) {
      const tcp = vipCluster(p.port, s.host, 'tcp');
      const http = vipCluster(p.port, s.host, 'http');
      map[String(p.port)] = p.protocol === 'unknown'
        ? { matcher: { matcher_tree: { input: input('application-protocol', 'ApplicationProtocolInput'), exact_match_map: { map: { "'h2c'": action(http), "'http/1.1'": action(http) } } }, on_no_match: action(tcp) } }
        : action(p.protocol === 'http' ? http : tcp);
    }
    ranges.push({
      ranges: s.vips.map((v) => ({ address_prefix: v, prefix_len: 32 })),
      on_match: { matcher: { matcher_tree: { input: input('port', 'DestinationPortInput'), exact_match_map: { map } } } },
    });
  }
  if (workloadIps.length > 0) {
    ranges.push({
      ranges: workloadIps.map((ip) => ({ address_prefix: ip, prefix_len: 32 })),
      on_match: {
        matcher: {
          matcher_tree: { input: input('application-protocol', 'ApplicationProtocolInput'), exact_match_map: { map: { "'h2c'": action('direct-http'), "'http/1.1'": action('direct-http') } } },
          on_no_match: action('direct-tcp'),
        },
      },
    });
  }
  void ctx;
  return {
    matcher_tree: {
      input: input('ip', 'DestinationIPInput'),
      custom_match: { name: 'ip', typed_config: { '@type': `${T}xds.type.matcher.v3.IPMatcher`, range_matchers: ranges } },
    },
  };
}
