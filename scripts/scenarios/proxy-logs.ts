/**
 * Lines of `kubectl logs` of a waypoint (pilot-agent start, then Envoy access lines in Istio's default text format,
 * pilot/pkg/model/telemetry_logging.go) and of a ztunnel (start, xDS, then `access` lines, ztunnel src/proxy/metrics.rs).
 */
import type { K } from './serializers.js';
import { digest } from './bundle.js';
import { discoveryAddress, istioVersion, proxyStart } from './envoy.js';

export interface LogLine {
  /** When the line is written (ms since epoch): lines are sorted by it. */
  t: number;
  text: string;
}

/** RFC 3339 with microseconds, as Go's and Rust's loggers write it. */
export function stamp(t: number, seed: string): string {
  const whole = Math.floor(t);
  const micros = t > whole ? Math.min(999, Math.round((t - whole) * 1000)) : parseInt(digest(`us:${seed}`).slice(0, 4), 16) % 1000;
  return new Date(whole).toISOString().replace('Z', `${String(micros).padStart(3, '0')}Z`);
}

const ms = (iso: string) => Date.parse(iso);

// ---- waypoint ----------------------------------------------------------------------------------

export interface Access {
  start: number;
  method: string;
  path: string;
  protocol: string;
  code: number;
  flags: string;
  details: string;
  received: number;
  sent: number;
  duration: number;
  upstreamTime: number | undefined;
  ua: string;
  requestId: string;
  authority: string;
  upstreamHost: string;
  cluster: string;
  upstreamLocal: string;
  downstreamLocal: string;
  downstreamRemote: string;
  route: string;
}

/** One access line; a TCP chain logs `"- - -"` and no HTTP fields. */
export function accessLine(a: Access, tcp = false): string {
  const q = (v: string) => `"${v}"`;
  if (tcp) {
    // A TCP proxy has no HTTP response: no code details unless Envoy closed the connection itself.
    return `[${new Date(a.start).toISOString()}] "- - -" 0 ${a.flags} ${a.details === 'via_upstream' ? '-' : a.details} - "-" ${a.received} ${a.sent} ${a.duration} - "-" "-" "-" "-" ` +
      `${q(a.upstreamHost)} ${a.cluster} ${a.upstreamLocal} ${a.downstreamLocal} ${a.downstreamRemote} - ${a.route}`;
  }
  return `[${new Date(a.start).toISOString()}] "${a.method} ${a.path} ${a.protocol}" ${a.code} ${a.flags} ${a.details} - "-" ${a.received} ${a.sent} ${a.duration} ` +
    `${a.upstreamTime ?? '-'} "-" ${q(a.ua)} ${q(a.requestId)} ${q(a.authority)} ${q(a.upstreamHost)} ${a.cluster} ${a.upstreamLocal} ${a.downstreamLocal} ` +
    `${a.downstreamRemote} - ${a.route}`;
}

/** pilot-agent and Envoy start lines of a waypoint pod; `crash` for a container that exits right after. */
export function waypointStart(pod: K, crash = false): LogLine[] {
  const start = ms(proxyStart(pod));
  const ns = pod.metadata.namespace;
  const name = pod.metadata.name;
  const version = istioVersion(pod);
  const xds = discoveryAddress(pod);
  const gw = pod.metadata.labels['gateway.networking.k8s.io/gateway-name'];
  const lines: LogLine[] = [];
  let t = start + 88;
  const at = (dt: number, level: string, text: string) => {
    t += dt;
    lines.push({ t, text: `${stamp(t, `${name}:${lines.length}`)}\t${level}\t${text}` });
  };
  const flags: [string, string][] = [
    ['concurrency', '0'], ['domain', `${ns}.svc.cluster.local`], ['help', 'false'], ['log_as_json', 'false'], ['log_caller', ''],
    ['log_output_level', 'default:info'], ['log_stacktrace_level', 'default:none'], ['log_target', '[stdout]'], ['meshConfig', './etc/istio/config/mesh'],
    ['outlierLogPath', ''], ['profiling', 'true'], ['proxyComponentLogLevel', 'misc:error'], ['proxyLogLevel', 'warning'], ['serviceCluster', `${gw}.${ns}`],
    ['stsPort', '0'], ['templateFile', ''], ['tokenManagerPlugin', ''], ['vklog', '0'],
  ];
  for (const [k, v] of flags) at(0.004, 'info', `FLAG: --${k}="${v}"`);
  at(0.071, 'info', `Version ${version}-${digest(`istio-sha:${version}`).slice(0, 40)}-Clean`);
  at(0.201, 'info', 'Maximum file descriptors (ulimit -n): 1048576');
  at(0.233, 'info', `Proxy role\tips=[${pod.status.podIP}] type=waypoint id=${name}.${ns} domain=${ns}.svc.cluster.local`);
  at(0.07, 'info', `Apply proxy config from env {"discoveryAddress":"${xds}"}\n`);
  at(1.536, 'info', 'cpu limit detected as 2, setting concurrency');
  at(0.337, 'info', ['Effective config: binaryPath: /usr/local/bin/envoy', 'concurrency: 2', 'configPath: ./etc/istio/proxy', 'controlPlaneAuthPolicy: MUTUAL_TLS',
    `discoveryAddress: ${xds}`, 'drainDuration: 45s', 'proxyAdminPort: 15000', 'serviceCluster: istio-proxy', 'statNameLength: 189', 'statusPort: 15020',
    'terminationDrainDuration: 5s', ''].join('\n'));
  at(0.027, 'info', 'JWT policy is third-party-jwt');
  at(0.008, 'info', 'using credential fetcher of JWT type in cluster.local trust domain');
  at(101.24, 'info', 'Workload SDS socket not found. Starting Istio SDS Server');
  at(0.041, 'info', 'CA Endpoint istiod.istio-system.svc:15012, provider Citadel');
  at(0.012, 'info', 'Using CA istiod.istio-system.svc:15012 cert with certs: var/run/secrets/istio/root-cert.pem');
  at(0.514, 'info', 'Opening status port 15020');
  at(1.32, 'info', `xdsproxy\tInitializing with upstream address "${xds}" and cluster "Kubernetes"`);
  at(2.102, 'info', 'sds\tStarting SDS grpc server');
  at(0.077, 'info', 'starting Http service at 127.0.0.1:15004');
  at(1.504, 'info', `Pilot SAN: [${xds.split(':')[0]}]`);
  at(0.21, 'info', 'Starting proxy agent');
  at(0.16, 'info', 'Envoy command: [-c etc/istio/proxy/envoy-rev.json --drain-time-s 45 --drain-strategy immediate --local-address-ip-version v4 --file-flush-interval-msec 1000 --disable-hot-restart --allow-unknown-static-fields -l warning --component-log-level misc:error --concurrency 2]');
  at(58.23, 'warning', 'envoy main external/envoy/source/server/server.cc:936\tUsage of the deprecated runtime key overload.global_downstream_max_connections, consider switching to `envoy.resource_monitors.global_downstream_max_connections` instead.This runtime key will be removed in future.\tthread=8');
  at(9.021, 'info', `xdsproxy\tconnected to delta upstream XDS server: ${xds}\tid=1`);
  if (crash) {
    at(1812.4, 'error', 'Envoy exited with error: signal: segmentation fault (core dumped)');
    at(0.2, 'error', 'failed to run proxy agent: envoy exited with error: signal: segmentation fault (core dumped)');
    return lines;
  }
  at(104.11, 'info', 'cache\tgenerated new workload certificate\tresourceName=default latency=103.112421ms ttl=23h59m59.4s');
  at(0.051, 'info', 'cache\tRoot cert has changed, start rotating root cert');
  at(0.033, 'info', 'cache\treturned workload trust anchor from cache\tttl=23h59m59.401221583s');
  at(0.188, 'info', 'cache\treturned workload certificate from cache\tttl=23h59m59.400955228s');
  at(0.049, 'info', 'cache\treturned workload trust anchor from cache\tttl=23h59m59.400814003s');
  at(0.412, 'info', `ads\tSDS: PUSH request for node:${name}.${ns} resources:1 size:4.0kB resource:default`);
  at(0.097, 'info', `ads\tSDS: PUSH request for node:${name}.${ns} resources:1 size:1.1kB resource:ROOTCA`);
  const ready = pod.status.conditions?.find((c: K) => c.type === 'Ready' && c.status === 'True')?.lastTransitionTime;
  const readyAt = ready ? Math.max(ms(ready) - 290, t + 100) : t + 640;
  const took = Math.round(readyAt - start);
  lines.push({ t: readyAt, text: `${stamp(readyAt, `${name}:ready`)}\tinfo\tReadiness succeeded in ${took}.451825ms` });
  lines.push({ t: readyAt + 0.03, text: `${stamp(readyAt + 0.03, `${name}:ready2`)}\tinfo\tEnvoy proxy is ready` });
  return lines;
}

// ---- ztunnel -----------------------------------------------------------------------------------

/** `kubectl logs` of a ztunnel pod up to its readiness, then xDS updates at `pushes`. */
export function ztunnelStart(pod: K, pushes: { at: string; addresses: number; authorizations?: number }[]): LogLine[] {
  const start = ms(proxyStart(pod));
  const version = istioVersion(pod);
  const name = pod.metadata.name;
  const lines: LogLine[] = [];
  const line = (t: number, text: string) => lines.push({ t, text: `${stamp(t, `${name}:${lines.length}`)}\t${text}` });
  const rust = version.startsWith('1.24') ? '1.82.0' : '1.86.0';
  line(start + 412, `info\tztunnel\tversion: version.BuildInfo{Version:"${version}", GitRevision:"${digest(`zt-sha:${version}`).slice(0, 40)}", RustVersion:"${rust}", BuildProfile:"release", BuildStatus:"Clean", GitTag:"${version}", IstioVersion:"${version}"}`);
  line(start + 413, ['info\tztunnel\trunning with config: proxy: true', 'dnsProxy: true', 'windowSize: 4194304', 'connectionWindowSize: 16777216', 'frameSize: 1048576',
    'adminAddr:', '  Localhost:', '  - true', '  - 15000', 'statsAddr:', "  SocketAddr: '[::]:15020'", 'readinessAddr:', "  SocketAddr: '[::]:15021'",
    "inboundAddr: '[::]:15008'", "inboundPlaintextAddr: '[::]:15006'", "outboundAddr: '[::]:15001'", 'dnsProxyAddr:', '  Localhost:', '  - true', '  - 15053',
    "network: ''", `localNode: ${pod.spec.nodeName}`, 'proxyMode: Shared', 'clusterId: Kubernetes', 'clusterDomain: cluster.local',
    'xdsAddress: https://istiod.istio-system.svc:15012', 'caAddress: https://istiod.istio-system.svc:15012', 'numWorkerThreads: 2', 'inpodEnabled: true',
    'inpodUds: /var/run/ztunnel/ztunnel.sock', 'packetMark: 1337'].join('\n'));
  line(start + 415, 'info\thyper_util\tlistener established\taddress=127.0.0.1:15000 component="admin"');
  line(start + 415.3, 'info\thyper_util\tlistener established\taddress=[::]:15020 component="stats"');
  line(start + 415.4, 'info\thyper_util\tlistener established\taddress=[::]:15021 component="readiness"');
  line(start + 416, 'info\tdns::server\tlistener established\taddress=127.0.0.1:15053 component="dns-udp"');
  line(start + 1201, 'info\txds::client:xds{id=1}\tStream established');
  line(start + 1210, 'info\txds::client:xds{id=1}\treceived response\ttype_url="type.googleapis.com/istio.workload.Address" size=14 removes=0');
  line(start + 1211, 'info\txds::client:xds{id=1}\treceived response\ttype_url="type.googleapis.com/istio.security.Authorization" size=0 removes=0');
  line(start + 1212, 'info\tinpod::statemanager\tztunnel connected to CNI agent');
  line(start + 1218, "info\treadiness\tTask 'state manager' complete (0.806000s), marking server ready");
  line(start + 2003, 'info\treadiness\tready in 1.591s');
  for (const p of pushes) {
    const t = ms(p.at) + 611 + (name.charCodeAt(name.length - 1) % 7) * 13;
    if (p.addresses) line(t, `info\txds::client:xds{id=1}\treceived response\ttype_url="type.googleapis.com/istio.workload.Address" size=${p.addresses} removes=0`);
    if (p.authorizations) line(t + 1, `info\txds::client:xds{id=1}\treceived response\ttype_url="type.googleapis.com/istio.security.Authorization" size=${p.authorizations} removes=0`);
  }
  return lines;
}

export interface Conn {
  end: number;
  level: 'info' | 'warn' | 'error';
  src: { addr: string; workload?: string; namespace?: string; identity?: string };
  dst: { addr: string; hbone?: string; service?: string; workload?: string; namespace?: string; identity?: string };
  direction: 'outbound' | 'inbound';
  sent: number;
  recv: number;
  duration: number;
  error?: string;
  /** ztunnel's early-failure line (no connection was made): `connection failed` with fewer fields. */
  failed?: boolean;
}

export function connLine(c: Conn, seed: string): string {
  const q = (v: string) => `"${v}"`;
  const f: string[] = [`src.addr=${c.src.addr}`];
  if (c.failed) {
    f.push(`dst.addr=${c.dst.addr}`, `direction=${q(c.direction)}`, `error=${q(c.error ?? '')}`);
    return `${stamp(c.end, seed)}\t${c.level}\taccess\tconnection failed\t${f.join(' ')}`;
  }
  if (c.src.workload) f.push(`src.workload=${q(c.src.workload)}`, `src.namespace=${q(c.src.namespace ?? '')}`);
  if (c.src.identity) f.push(`src.identity=${q(c.src.identity)}`);
  f.push(`dst.addr=${c.dst.addr}`);
  if (c.dst.hbone) f.push(`dst.hbone_addr=${c.dst.hbone}`);
  if (c.dst.service) f.push(`dst.service=${q(c.dst.service)}`);
  if (c.dst.workload) f.push(`dst.workload=${q(c.dst.workload)}`, `dst.namespace=${q(c.dst.namespace ?? '')}`);
  if (c.dst.identity) f.push(`dst.identity=${q(c.dst.identity)}`);
  f.push(`direction=${q(c.direction)}`, `bytes_sent=${c.sent}`, `bytes_recv=${c.recv}`, `duration=${q(`${c.duration}ms`)}`);
  if (c.error) f.push(`error=${q(c.error)}`);
  return `${stamp(c.end, seed)}\t${c.level}\taccess\tconnection complete\t${f.join(' ')}`;
}
