/**
 * Log lines for the log rules' tests, in the formats Istio 1.26 prints: Envoy's access log in Istio's
 * default text format (telemetry_logging.go EnvoyTextLogFormat, as a waypoint fills it) and ztunnel's
 * access records (src/proxy/metrics.rs), tab-separated with key=value fields.
 */
export const WAYPOINT_LOG = 'logs/default/waypoint-6f7b665c89-6hppr.log';
export const ZTUNNEL_LOG = 'logs/istio-system/ztunnel-9f46c.log';

let second = 0;
const at = () => `2025-10-14T09:40:${String(10 + (second++ % 49)).padStart(2, '0')}.123Z`;

export interface AccessLine {
  code?: number;
  flags?: string;
  details?: string;
  path?: string;
  service?: string;
  cluster?: string;
  route?: string;
}

/** One request as a waypoint logs it. */
export function accessLine(l: AccessLine = {}): string {
  const service = l.service ?? 'ratings';
  const cluster = l.cluster ?? (l.flags === 'NR' ? '-' : `inbound-vip|9080|http|${service}.default.svc.cluster.local`);
  const upstream = cluster === '-' ? '-' : 'envoy://connect_originate/10.42.0.4:9080';
  return `[${at()}] "GET ${l.path ?? `/${service}/0`} HTTP/1.1" ${l.code ?? 200} ${l.flags ?? '-'} ${l.details ?? 'via_upstream'} - "-" 0 48 3 2 "-" "Go-http-client/1.1" "5f3c2a1b-9d8e-4f7a-8b6c-0d1e2f3a4b5c" "${service}:9080" "${upstream}" ${cluster} envoy://internal_client_address/ 10.96.0.20:9080 10.42.1.9:52110 - ${l.route ?? (cluster === '-' ? '-' : 'default')}`;
}

/** Envoy's own start-up lines: what a waypoint logs with access logging off. */
export const STARTUP = [
  '2025-10-14T09:25:39.801Z\tinfo\tFLAG: --concurrency="2"',
  '2025-10-14T09:25:40.012Z\tinfo\txdsproxy\tInitializing with upstream address "istiod.istio-system.svc:15012" and cluster "Kubernetes"',
  '2025-10-14T09:25:41.110Z\tinfo\tReadiness succeeded in 1.352s',
  '2025-10-14T09:25:41.111Z\tinfo\tEnvoy proxy is ready',
].join('\n');

export interface Connection {
  src?: string;
  dstWorkload: string;
  dstAddr: string;
  hbone: string;
  service?: string;
  direction?: 'outbound' | 'inbound';
  error?: string;
}

/** One connection as ztunnel logs it. */
export function ztunnelLine(c: Connection): string {
  const level = c.error ? 'error' : 'info';
  return `2025-10-14T09:40:${String(10 + (second++ % 49)).padStart(2, '0')}.123456Z\t${level}\taccess\tconnection complete\tsrc.addr=10.42.1.9:41234 src.workload="${c.src ?? 'sleep-7656cf8794-9v2gz'}" src.namespace="default" src.identity="spiffe://cluster.local/ns/default/sa/sleep" dst.addr=${c.dstAddr} dst.hbone_addr=${c.hbone} dst.service="${c.service ?? 'ratings.default.svc.cluster.local'}" dst.workload="${c.dstWorkload}" dst.namespace="default" dst.identity="spiffe://cluster.local/ns/default/sa/bookinfo-ratings" direction="${c.direction ?? 'outbound'}" bytes_sent=84 bytes_recv=358 duration="3ms"${c.error ? ` error="${c.error}"` : ''}`;
}

/** Through the waypoint: to the waypoint pod on 15008, asking for the Service's VIP. */
export const VIA_WAYPOINT: Connection = { dstWorkload: 'waypoint-6f7b665c89-6hppr', dstAddr: '10.42.0.24:15008', hbone: '10.96.0.20:9080' };
/** Straight to the ratings pod. */
export const DIRECT: Connection = { dstWorkload: 'ratings-v1-6484c4d9bb-crjtt', dstAddr: '10.42.0.4:15008', hbone: '10.42.0.4:9080' };

export const lines = (...l: string[]) => `${l.join('\n')}\n`;
export const repeat = (n: number, f: () => string) => Array.from({ length: n }, f);
