import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogParser, detectLog, LineSplitter, logParser, logParseResult, parseFields, type LogKind } from '../../src/parse/logs.js';
import { excerpt, type ParseInput } from '../../src/parse/parser.js';
import type { LogSummary } from '../../src/parse/types.js';
import { decodeText, splitLines } from '../../src/text/decode.js';
import { tabwrite } from '../helpers.js';

// ---- Samples, in the exact formats -------------------------------------------------------------

/** Waypoint access lines in Istio's EnvoyTextLogFormat (21 fields after the start time). */
const WP_RBAC_DENY =
  '[2024-05-07T10:00:00.123Z] "GET /reviews/0 HTTP/1.1" 403 - rbac_access_denied_matched_policy[ns[default]-policy[deny-reviews]-rule[0]] - "-" 0 19 0 - "-" "curl/8.5.0" "7f6b1c2e-0c2a-4b8a-9f1e-2d3c4b5a6f70" "reviews.default.svc.cluster.local:9080" "-" inbound-vip|9080|http|reviews.default.svc.cluster.local - 10.96.45.12:9080 10.244.1.7:48812 - default';
const WP_RBAC_NONE =
  '[2024-05-07T10:00:00.456Z] "POST /reviews HTTP/1.1" 403 - rbac_access_denied_matched_policy[none] - "-" 120 19 1 - "-" "python-requests/2.31.0" "0d5e3b2a-11aa-4c3b-9d2e-7f8a9b0c1d2e" "reviews:9080" "-" inbound-vip|9080|http|reviews.default.svc.cluster.local - 10.96.45.12:9080 10.244.1.9:40112 - default';
const WP_OK =
  '[2024-05-07T10:00:01.000Z] "GET /reviews/1 HTTP/1.1" 200 - via_upstream - "-" 0 358 12 11 "-" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)" "a4c2e9f0-5b1d-4e7a-8c3f-6d2b1a0e9f8c" "reviews:9080" "envoy://connect_originate/10.244.1.15:9080" inbound-vip|9080|http|reviews.default.svc.cluster.local envoy://internal_client_address/ 10.96.45.12:9080 10.244.1.7:48814 - default';
const WP_UH =
  '[2024-05-07T10:00:02.000Z] "GET /ratings/0 HTTP/1.1" 503 UH no_healthy_upstream - "-" 0 19 0 - "-" "curl/8.5.0" "c9d8e7f6-a5b4-4c3d-2e1f-0a9b8c7d6e5f" "ratings:9080" "-" inbound-vip|9080|http|ratings.default.svc.cluster.local - 10.96.33.4:9080 10.244.1.7:48820 - default';
const WP_NR =
  '[2024-05-07T10:00:03.000Z] "GET /nope HTTP/1.1" 404 NR route_not_found - "-" 0 0 0 - "-" "curl/8.5.0" "e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b" "reviews:9081" "-" - - 10.96.45.12:9081 10.244.1.7:48830 - -';
const WP_UF =
  '[2024-05-07T10:00:04.000Z] "GET /details/0 HTTP/1.1" 503 UF,URX upstream_reset_before_response_started{connection_failure} - "-" 0 91 3004 - "-" "curl/8.5.0" "f0e1d2c3-b4a5-4968-8776-655443322110" "details:9080" "envoy://connect_originate/10.244.2.8:9080" inbound-vip|9080|http|details.default.svc.cluster.local - 10.96.8.8:9080 10.244.1.7:48840 - default';
const WP_TCP =
  '[2024-05-07T10:00:05.000Z] "- - -" 0 - - - "-" 1234 5678 3001 - "-" "-" "-" "-" "envoy://connect_originate/10.244.2.9:3306" inbound-vip|3306|tcp|mysql.default.svc.cluster.local envoy://internal_client_address/ 10.96.7.7:3306 10.244.1.7:51000 - -';
/** `kubectl logs --timestamps` puts its own RFC3339 (nanoseconds) before each line. */
const WP_KUBECTL_TS = `2024-05-07T10:00:06.000000001Z ${WP_UH.replace('10:00:02.000Z', '10:00:06.000Z')}`;
/** Istio's JSON access log format (EnvoyJSONLogFormatIstio); Envoy writes numbers and nulls as such. */
const WP_JSON =
  '{"authority":"ratings:9080","bytes_received":0,"bytes_sent":19,"connection_termination_details":null,"downstream_local_address":"10.96.33.4:9080","downstream_remote_address":"10.244.1.7:40000","duration":1,"method":"POST","path":"/ratings/1","protocol":"HTTP/1.1","request_id":"5e4d3c2b-1a09-4f8e-9d7c-6b5a49382716","requested_server_name":null,"response_code":503,"response_code_details":"no_healthy_upstream","response_flags":"UH","route_name":"default","start_time":"2024-05-07T10:00:07.000Z","upstream_cluster":"inbound-vip|9080|http|ratings.default.svc.cluster.local","upstream_host":null,"upstream_local_address":null,"upstream_service_time":null,"upstream_transport_failure_reason":null,"user_agent":"curl/8.5.0","x_forwarded_for":null}';
const WP_JSON_OK =
  '{"authority":"reviews:9080","bytes_received":0,"bytes_sent":358,"duration":"9","method":"GET","path":"/reviews/2","protocol":"HTTP/1.1","response_code":"200","response_code_details":"via_upstream","response_flags":"-","route_name":"default","start_time":"2024-05-07T10:00:08.000Z","upstream_cluster":"inbound-vip|9080|http|reviews.default.svc.cluster.local","upstream_host":"envoy://connect_originate/10.244.1.15:9080"}';

/** pilot-agent and Envoy (under Istio's log format) lines of a waypoint's istio-proxy container. */
const AGENT = [
  '2024-05-07T09:59:58.100000Z\tinfo\txdsproxy\tconnected to delta upstream XDS server: istiod.istio-system.svc:15012\tid=1',
  '2024-05-07T09:59:58.200000Z\tinfo\tads\tADS: new connection for node:waypoint-6f7b9c8d4-6hppr.default-1',
  '2024-05-07T09:59:58.300000Z\twarning\tenvoy config external/envoy/source/extensions/config_subscription/grpc/grpc_stream.h:152\tStreamAggregatedResources gRPC config stream to xds-grpc closed: 13, \tthread=16',
  '2024-05-07T09:59:59.000000Z\tinfo\tEnvoy proxy is ready',
];

const ZT_OK =
  '2024-05-07T10:01:00.100000Z\tinfo\taccess\tconnection complete\tsrc.addr=10.244.1.7:48812 src.workload="sleep-7656cf8794-9v2gv" src.namespace="default" src.identity="spiffe://cluster.local/ns/default/sa/sleep" dst.addr=10.244.1.20:15008 dst.hbone_addr=10.96.45.12:9080 dst.service="reviews.default.svc.cluster.local" dst.workload="waypoint-6f7b9c8d4-6hppr" dst.namespace="default" dst.identity="spiffe://cluster.local/ns/default/sa/waypoint" direction="outbound" bytes_sent=82 bytes_recv=358 duration="14ms"';
const ZT_POLICY =
  '2024-05-07T10:01:01.200000Z\terror\taccess\tconnection complete\tsrc.addr=10.244.1.20:51234 src.workload="waypoint-6f7b9c8d4-6hppr" src.namespace="default" src.identity="spiffe://cluster.local/ns/default/sa/waypoint" dst.addr=10.244.1.15:15008 dst.hbone_addr=10.244.1.15:9080 dst.service="reviews.default.svc.cluster.local" dst.workload="reviews-v1-5b5d6494f4-4xkqn" dst.namespace="default" dst.identity="spiffe://cluster.local/ns/default/sa/bookinfo-reviews" direction="inbound" bytes_sent=0 bytes_recv=0 duration="0ms" error="connection closed due to policy rejection: allow policies exist, but none allowed"';
const ZT_UNKNOWN_WP =
  '2024-05-07T10:01:02.300000Z\terror\taccess\tconnection complete\tsrc.addr=10.244.1.7:48900 src.workload="sleep-7656cf8794-9v2gv" src.namespace="default" src.identity="spiffe://cluster.local/ns/default/sa/sleep" dst.addr=10.96.9.9:9080 dst.service="ratings.default.svc.cluster.local" direction="outbound" bytes_sent=0 bytes_recv=0 duration="0ms" error="unknown waypoint: waypoint default/missing not found"';
const ZT_WARN =
  '2024-05-07T10:01:03.000000Z\twarn\txds::client:xds{id=1}\tXDS client connection error: gRPC connection error connecting to https://istiod.istio-system.svc:15012: status: Unknown, message: "client error (Connect)", retrying in 20ms';
const ZT_INFO = '2024-05-07T10:01:03.100000Z\tinfo\txds::client:xds{id=1}\treceived response\ttype_url="type.googleapis.com/istio.workload.Address" size=118 removes=0';
const ZT_START = '2024-05-07T10:00:59.000000Z\tinfo\tapp\tStarting ztunnel inbound listener task\t';
const ZT_HYPER = '2024-05-07T10:00:59.100000Z\tinfo\thyper_util\tlistener established\taddress=[::]:15020 component="stats"';

/** istiod's discovery container (Istio's Go logger). */
const ISTIOD = [
  '2024-05-07T09:00:00.000000Z\tinfo\tFLAG: --domain="cluster.local"',
  '2024-05-07T09:00:01.000000Z\tinfo\tads\tADS: new connection for node:waypoint-6f7b9c8d4-6hppr.default-1',
  '2024-05-07T09:00:01.500000Z\tinfo\tads\tLDS: PUSH for node:waypoint-6f7b9c8d4-6hppr.default resources:1 size:9.2kB',
  '2024-05-07T09:00:02.000000Z\twarn\tmodel\twaypoint default/missing not found for service default/ratings',
  '2024-05-07T09:00:03.000000Z\terror\tads\tADS:LDS: ACK ERROR waypoint-6f7b9c8d4-6hppr.default-1 Internal:Error adding/updating listener(s) main_internal: duplicate filter chain match',
  '2024-05-07T09:00:04.000000Z\tinfo\tkrt\tcollection synced\tcollection=Services',
];

function parseLines(lines: string[], kind: LogKind = 'envoy-log', maxSamples?: number): LogSummary {
  const parser = createLogParser('logs/waypoint.log', kind, maxSamples === undefined ? undefined : { maxSamples });
  for (const line of lines) parser.push(line);
  return parser.finish();
}

function inputOf(file: string, text: string): ParseInput {
  return {
    file,
    text,
    firstLine: 0,
    head: splitLines(text).slice(0, 80),
    get lines(): string[] {
      throw new Error('the log parser must not split the whole text');
    },
    get index(): never {
      throw new Error('the log parser must not index the whole text');
    },
  };
}

// ---- Envoy access lines ------------------------------------------------------------------------

describe('Envoy access lines (Istio text format)', () => {
  it('reads an RBAC deny on a waypoint field by field', () => {
    const [e] = parseLines([WP_RBAC_DENY]).accessEntries;
    expect(e).toEqual({
      time: '2024-05-07T10:00:00.123Z',
      method: 'GET',
      path: '/reviews/0',
      code: 403,
      flags: '-',
      details: 'rbac_access_denied_matched_policy[ns[default]-policy[deny-reviews]-rule[0]]',
      authority: 'reviews.default.svc.cluster.local:9080',
      upstreamCluster: 'inbound-vip|9080|http|reviews.default.svc.cluster.local',
      routeName: 'default',
      durationMs: 0,
      source: { file: 'logs/waypoint.log', line: 1, excerpt: excerpt(WP_RBAC_DENY) },
    });
    expect(e!.upstreamHost).toBeUndefined();
  });

  it('reads the ALLOW-without-match deny, no healthy upstream, no route and connection failures', () => {
    const [none, uh, nr, uf] = parseLines([WP_RBAC_NONE, WP_UH, WP_NR, WP_UF]).accessEntries;
    expect(none).toMatchObject({ method: 'POST', path: '/reviews', code: 403, flags: '-', details: 'rbac_access_denied_matched_policy[none]', authority: 'reviews:9080', durationMs: 1 });
    expect(uh).toMatchObject({ code: 503, flags: 'UH', details: 'no_healthy_upstream', authority: 'ratings:9080', upstreamCluster: 'inbound-vip|9080|http|ratings.default.svc.cluster.local', routeName: 'default' });
    expect(nr).toMatchObject({ code: 404, flags: 'NR', details: 'route_not_found', path: '/nope', authority: 'reviews:9081' });
    expect(nr!.upstreamCluster).toBeUndefined();
    expect(nr!.routeName).toBeUndefined();
    expect(uf).toMatchObject({
      code: 503,
      flags: 'UF,URX',
      details: 'upstream_reset_before_response_started{connection_failure}',
      upstreamHost: 'envoy://connect_originate/10.244.2.8:9080',
      durationMs: 3004,
    });
  });

  it('keeps quoted fields with spaces apart (user agent) and reads the upstream host of a successful request', () => {
    const [e] = parseLines([WP_OK]).accessEntries;
    expect(e).toMatchObject({
      code: 200,
      flags: '-',
      details: 'via_upstream',
      authority: 'reviews:9080',
      upstreamHost: 'envoy://connect_originate/10.244.1.15:9080',
      upstreamCluster: 'inbound-vip|9080|http|reviews.default.svc.cluster.local',
      routeName: 'default',
      durationMs: 12,
    });
  });

  it('reads TCP lines ("- - -", code 0) without a method or path', () => {
    const s = parseLines([WP_TCP]);
    expect(s.byCode).toEqual({ '0': 1 });
    const [e] = s.accessEntries;
    expect(e).toMatchObject({ code: 0, flags: '-', details: '', upstreamHost: 'envoy://connect_originate/10.244.2.9:3306', upstreamCluster: 'inbound-vip|3306|tcp|mysql.default.svc.cluster.local', durationMs: 3001 });
    expect(e!.method).toBeUndefined();
    expect(e!.path).toBeUndefined();
    expect(e!.routeName).toBeUndefined();
  });

  it('reads lines prefixed by kubectl --timestamps, keeping Envoy\'s start time', () => {
    const [e] = parseLines([WP_KUBECTL_TS]).accessEntries;
    expect(e).toMatchObject({ time: '2024-05-07T10:00:06.000Z', code: 503, flags: 'UH', details: 'no_healthy_upstream', source: { line: 1 } });
  });

  it('reads Envoy\'s own default format (no details column)', () => {
    const line = '[2016-04-15T20:17:00.310Z] "POST /api/v1/locations HTTP/2" 204 - 154 0 226 100 "10.0.35.28" "nsq2http" "cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2" "locations" "tcp://10.0.2.1:80"';
    const [e] = parseLines([line]).accessEntries;
    expect(e).toMatchObject({ method: 'POST', path: '/api/v1/locations', code: 204, flags: '-', details: '', authority: 'locations', upstreamHost: 'tcp://10.0.2.1:80', durationMs: 226 });
  });

  it('reads JSON access lines (numbers or strings, nulls as absent)', () => {
    const s = parseLines([WP_JSON, WP_JSON_OK]);
    expect(s.byCode).toEqual({ '503': 1, '200': 1 });
    const [bad, ok] = s.accessEntries;
    expect(bad).toEqual({
      time: '2024-05-07T10:00:07.000Z',
      method: 'POST',
      path: '/ratings/1',
      code: 503,
      flags: 'UH',
      details: 'no_healthy_upstream',
      authority: 'ratings:9080',
      upstreamCluster: 'inbound-vip|9080|http|ratings.default.svc.cluster.local',
      routeName: 'default',
      durationMs: 1,
      source: { file: 'logs/waypoint.log', line: 1, excerpt: excerpt(WP_JSON) },
    });
    expect(ok).toMatchObject({ code: 200, flags: '-', details: 'via_upstream', upstreamHost: 'envoy://connect_originate/10.244.1.15:9080', durationMs: 9 });
  });

  it('counts every access line by code, and levels of the agent and Envoy lines around them', () => {
    const s = parseLines([...AGENT, WP_RBAC_DENY, WP_OK, WP_UH, WP_NR, WP_TCP, 'not a log line', '']);
    expect(s).toMatchObject({ kind: 'envoy-log', lines: 11, truncated: 0 });
    expect(s.byCode).toEqual({ '403': 1, '200': 1, '503': 1, '404': 1, '0': 1 });
    expect(s.byLevel).toEqual({ info: 3, warn: 1 });
    expect(s.accessEntries.map((e) => e.source.line)).toEqual([5, 7, 8, 6, 9]);
    // Envoy's warning (under Istio's format) is an entry of interest: level, message, fields.
    expect(s.ztunnelEntries).toEqual([
      {
        time: '2024-05-07T09:59:58.300000Z',
        level: 'warn',
        message: 'envoy config external/envoy/source/extensions/config_subscription/grpc/grpc_stream.h:152 StreamAggregatedResources gRPC config stream to xds-grpc closed: 13, ',
        fields: { thread: '16' },
        source: { file: 'logs/waypoint.log', line: 3, excerpt: AGENT[2]!.trim() },
      },
    ]);
  });
});

// ---- ztunnel -----------------------------------------------------------------------------------

describe('ztunnel lines', () => {
  it('reads a policy rejection with every field', () => {
    const s = parseLines([ZT_POLICY], 'ztunnel-log');
    expect(s.byLevel).toEqual({ error: 1 });
    expect(s.ztunnelEntries).toEqual([
      {
        time: '2024-05-07T10:01:01.200000Z',
        level: 'error',
        message: 'access connection complete',
        fields: {
          'src.addr': '10.244.1.20:51234',
          'src.workload': 'waypoint-6f7b9c8d4-6hppr',
          'src.namespace': 'default',
          'src.identity': 'spiffe://cluster.local/ns/default/sa/waypoint',
          'dst.addr': '10.244.1.15:15008',
          'dst.hbone_addr': '10.244.1.15:9080',
          'dst.service': 'reviews.default.svc.cluster.local',
          'dst.workload': 'reviews-v1-5b5d6494f4-4xkqn',
          'dst.namespace': 'default',
          'dst.identity': 'spiffe://cluster.local/ns/default/sa/bookinfo-reviews',
          direction: 'inbound',
          bytes_sent: '0',
          bytes_recv: '0',
          duration: '0ms',
          error: 'connection closed due to policy rejection: allow policies exist, but none allowed',
        },
        error: 'connection closed due to policy rejection: allow policies exist, but none allowed',
        source: { file: 'logs/waypoint.log', line: 1, excerpt: excerpt(ZT_POLICY) },
      },
    ]);
  });

  it('keeps errors and warnings first, healthy access records after, and skips other info lines', () => {
    const s = parseLines([ZT_START, ZT_HYPER, ZT_INFO, ZT_OK, ZT_POLICY, ZT_UNKNOWN_WP, ZT_WARN], 'ztunnel-log');
    expect(s).toMatchObject({ kind: 'ztunnel-log', lines: 7, truncated: 0, byCode: {} });
    expect(s.byLevel).toEqual({ info: 4, error: 2, warn: 1 });
    expect(s.ztunnelEntries.map((e) => [e.source.line, e.level, e.error])).toEqual([
      [5, 'error', 'connection closed due to policy rejection: allow policies exist, but none allowed'],
      [6, 'error', 'unknown waypoint: waypoint default/missing not found'],
      [7, 'warn', undefined],
      [4, 'info', undefined],
    ]);
    const [, unknown, warn, ok] = s.ztunnelEntries;
    expect(unknown!.fields).toMatchObject({ 'dst.addr': '10.96.9.9:9080', 'dst.service': 'ratings.default.svc.cluster.local', direction: 'outbound' });
    expect(warn!.message).toBe('xds::client:xds{id=1} XDS client connection error: gRPC connection error connecting to https://istiod.istio-system.svc:15012: status: Unknown, message: "client error (Connect)", retrying in 20ms');
    expect(warn!.fields).toEqual({});
    expect(ok!.fields).toMatchObject({ 'dst.addr': '10.244.1.20:15008', 'dst.hbone_addr': '10.96.45.12:9080', 'dst.workload': 'waypoint-6f7b9c8d4-6hppr', duration: '14ms' });
  });

  it('reads space-separated fields after the message, quoted values with escaped quotes', () => {
    const line = '2024-05-07T10:01:04.000000Z  WARN access: connection complete src.addr=10.244.1.7:1234 dst.service="productpage.default.svc.cluster.local" error="http status: 503 Service Unavailable \\"upstream\\" \\\\ x"';
    const [e] = parseLines([line], 'ztunnel-log').ztunnelEntries;
    expect(e).toMatchObject({
      time: '2024-05-07T10:01:04.000000Z',
      level: 'warn',
      message: 'access connection complete',
      fields: { 'src.addr': '10.244.1.7:1234', 'dst.service': 'productpage.default.svc.cluster.local' },
      error: 'http status: 503 Service Unavailable "upstream" \\ x',
    });
  });

  it('reads an info access record with an error field as an error of interest', () => {
    const line = '2024-05-07T10:01:05.000000Z\tinfo\taccess\tconnection complete\tsrc.addr=10.244.1.7:1 dst.hbone_addr=10.96.9.9:9080 error="no healthy upstream: 10.96.9.9:9080"';
    const s = parseLines([ZT_OK, line], 'ztunnel-log', 1);
    expect(s.ztunnelEntries.map((e) => e.error)).toEqual(['no healthy upstream: 10.96.9.9:9080']);
    expect(s.truncated).toBe(1);
  });

  it('reads ztunnel and istiod JSON log lines', () => {
    const zt = '{"level":"error","time":"2024-05-07T10:01:06.000000Z","scope":"access","message":"connection complete","src.addr":"10.244.1.7:2","dst.service":"reviews.default.svc.cluster.local","error":"connection closed due to policy rejection: explicitly denied by: default/deny-all"}';
    const istiod = '{"level":"info","time":"2024-05-07T09:00:05.000000Z","scope":"ads","msg":"ADS: new connection for node:x"}';
    const s = parseLines([zt, istiod], 'ztunnel-log');
    expect(s.byLevel).toEqual({ error: 1, info: 1 });
    expect(s.ztunnelEntries).toEqual([
      {
        time: '2024-05-07T10:01:06.000000Z',
        level: 'error',
        message: 'access connection complete',
        fields: { 'src.addr': '10.244.1.7:2', 'dst.service': 'reviews.default.svc.cluster.local', error: 'connection closed due to policy rejection: explicitly denied by: default/deny-all' },
        error: 'connection closed due to policy rejection: explicitly denied by: default/deny-all',
        source: { file: 'logs/waypoint.log', line: 1, excerpt: excerpt(zt) },
      },
    ]);
  });

  it('reads lines prefixed by kubectl --timestamps or --prefix, keeping ztunnel\'s own time', () => {
    const s = parseLines([`2024-05-07T10:01:01.200000123Z ${ZT_UNKNOWN_WP}`, `[pod/ztunnel-7xk2p/istio-proxy] ${ZT_POLICY}`], 'ztunnel-log');
    expect(s.ztunnelEntries.map((e) => [e.time, e.level, e.message, e.error])).toEqual([
      ['2024-05-07T10:01:02.300000Z', 'error', 'access connection complete', 'unknown waypoint: waypoint default/missing not found'],
      ['2024-05-07T10:01:01.200000Z', 'error', 'access connection complete', 'connection closed due to policy rejection: allow policies exist, but none allowed'],
    ]);
    expect(detectLog([`2024-05-07T10:01:01.200000123Z ${ZT_OK}`, `2024-05-07T10:01:01.300000123Z ${ZT_INFO}`])).toBe('ztunnel-log');
  });

  it('parses k=v fields strictly or leniently', () => {
    expect(parseFields('a=1 b="x y" c=')).toEqual({ a: '1', b: 'x y', c: '' });
    expect(parseFields('a=1 loose b=2')).toEqual({ a: '1', b: '2' });
    expect(parseFields('a=1 loose b=2', true)).toBeUndefined();
    expect(parseFields('__proto__=x a="unterminated')).toEqual({ a: 'unterminated' });
  });
});

// ---- Levels, istiod, Envoy's own format --------------------------------------------------------

describe('levels and other log shapes', () => {
  it('counts istiod levels and samples its errors and warnings', () => {
    const s = parseLines(ISTIOD, 'log');
    expect(s).toMatchObject({ kind: 'log', lines: 6, byCode: {}, accessEntries: [], truncated: 0 });
    expect(s.byLevel).toEqual({ info: 4, warn: 1, error: 1 });
    expect(s.ztunnelEntries.map((e) => [e.level, e.message])).toEqual([
      ['warn', 'model waypoint default/missing not found for service default/ratings'],
      ['error', 'ads ADS:LDS: ACK ERROR waypoint-6f7b9c8d4-6hppr.default-1 Internal:Error adding/updating listener(s) main_internal: duplicate filter chain match'],
    ]);
  });

  it('reads Envoy\'s bracketed [warning]-style levels and uppercase levels', () => {
    const s = parseLines([
      '[2024-05-07 10:00:00.123][16][warning][config] [source/common/config/grpc_stream.h:201] DeltaAggregatedResources gRPC config stream to xds-grpc closed since 3s ago: 14, no healthy upstream',
      '[2024-05-07 10:00:00.200][1][info][main] [source/server/server.cc:932] starting main dispatch loop',
      '[2024-05-07 10:00:00.300][1][critical][main] [source/server/server.cc:117] error initializing configuration',
      '2024-05-07T10:00:01.000000Z  INFO ztunnel::proxy::inbound: listener established address=[::]:15008',
      '2024-05-07T10:00:01.000000Z\tDEBUG\tproxy::outbound\tproxying to waypoint',
      '2024-05-07T10:00:01.000000Z\ttrace\th2\tframe',
    ]);
    expect(s.byLevel).toEqual({ warn: 1, info: 2, critical: 1, debug: 1, trace: 1 });
    expect(s.ztunnelEntries.map((e) => [e.time, e.level, e.message])).toEqual([
      ['2024-05-07 10:00:00.123', 'warn', 'config [source/common/config/grpc_stream.h:201] DeltaAggregatedResources gRPC config stream to xds-grpc closed since 3s ago: 14, no healthy upstream'],
      ['2024-05-07 10:00:00.300', 'critical', 'main [source/server/server.cc:117] error initializing configuration'],
    ]);
  });

  it('counts blank and unreadable lines in `lines` only, and never throws', () => {
    const s = parseLines(['', 'panic: runtime error', '\tat goroutine 1', '{"not":"a log"}', '[2024-05-07T10:00:00Z] "GET', '{broken json']);
    expect(s).toMatchObject({ lines: 6, byLevel: {}, byCode: {}, accessEntries: [], ztunnelEntries: [], truncated: 0 });
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 300 }), { maxLength: 40 }), (lines) => {
        const mixed = lines.map((l, i) => (i % 3 === 0 ? `[2024-05-07T10:00:00.000Z] "${l}` : i % 3 === 1 ? `2024-05-07T10:00:00Z\terror\t${l}` : l));
        const r = parseLines(mixed, 'log', 3);
        expect(r.lines).toBe(mixed.length);
        detectLog(mixed);
        expect(logParser.parse(inputOf('fuzz.log', mixed.join('\n'))).records.logs).toHaveLength(1);
      }),
      { numRuns: 300 },
    );
  });
});

// ---- Sampling ------------------------------------------------------------------------------------

describe('bounded sampling', () => {
  it('keeps failing requests preferentially, evicting healthy ones, and counts what it dropped', () => {
    const s = parseLines([WP_OK, WP_TCP, WP_RBAC_DENY, WP_OK, WP_UH, WP_NR, WP_UF, WP_RBAC_NONE], 'envoy-log', 3);
    // ok(1) tcp(2) deny(3) → full; ok(4) dropped; uh(5) evicts tcp; nr(6) evicts ok(1); uf(7), none(8) dropped.
    expect(s.accessEntries.map((e) => e.source.line)).toEqual([3, 5, 6]);
    expect(s.truncated).toBe(5);
    expect(s.byCode).toEqual({ '200': 2, '0': 1, '403': 2, '503': 2, '404': 1 });
    expect(s.lines).toBe(8);
  });

  it('lists failing entries first, then the healthy ones that fit, each in line order', () => {
    const s = parseLines([WP_OK, WP_TCP, WP_UH], 'envoy-log', 3);
    expect(s.accessEntries.map((e) => [e.source.line, e.code])).toEqual([[3, 503], [1, 200], [2, 0]]);
    expect(s.truncated).toBe(0);
  });

  it('bounds ztunnel entries the same way', () => {
    const s = parseLines([ZT_OK, ZT_OK, ZT_OK, ZT_POLICY, ZT_UNKNOWN_WP, ZT_WARN, ZT_POLICY, ZT_INFO], 'ztunnel-log', 3);
    expect(s.ztunnelEntries.map((e) => e.source.line)).toEqual([4, 5, 6]);
    // ok 1-3 fill the sample; 4, 5, 6 evict ok 3, 2, 1; the second policy line (7) finds no healthy entry to evict.
    expect(s.truncated).toBe(4);
    expect(s.byLevel).toEqual({ info: 4, error: 3, warn: 1 });
  });

  it('defaults to 5,000 entries of each kind', () => {
    const lines = Array.from({ length: 6_000 }, () => WP_UH);
    const s = parseLines([...lines, ...Array.from({ length: 6_000 }, () => ZT_POLICY)]);
    expect(s.accessEntries).toHaveLength(5_000);
    expect(s.ztunnelEntries).toHaveLength(5_000);
    expect(s.truncated).toBe(2_000);
    expect(s.byCode).toEqual({ '503': 6_000 });
    expect(s.accessEntries[4_999]!.source.line).toBe(5_000);
  });
});

// ---- LineSplitter ---------------------------------------------------------------------------------

function splitAll(chunks: Buffer[], options?: { maxLineLength?: number }): string[] {
  const out: string[] = [];
  const splitter = new LineSplitter((l) => out.push(l), options);
  for (const c of chunks) splitter.write(c);
  splitter.end();
  return out;
}

function cut(data: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  return out;
}

describe('LineSplitter', () => {
  const text =
    '\x1b[32m2024-05-07T10:00:00.100000Z\x1b[0m\tinfo\taccess\tconnection complete\tsrc.workload="übung-✓"\r\n' +
    `${WP_RBAC_DENY}\r\n` +
    '2024-05-07T10:00:00.200000Z\terror\tapp\tpanne électrique 🚀 €\r\n' +
    '\r\n' +
    'lone\rcr\n' +
    'last line without newline — ok';
  const expected = [
    '2024-05-07T10:00:00.100000Z\tinfo\taccess\tconnection complete\tsrc.workload="übung-✓"',
    WP_RBAC_DENY,
    '2024-05-07T10:00:00.200000Z\terror\tapp\tpanne électrique 🚀 €',
    '',
    'lone',
    'cr',
    'last line without newline — ok',
  ];
  const data = Buffer.from(text, 'utf8');

  it('splits CRLF text with ANSI colours and multi-byte characters, whatever the chunk size', () => {
    for (const size of [1, 2, 3, 5, 7, 13, 64, 65, 1000, data.length]) {
      expect(splitAll(cut(data, size)), `chunks of ${size}`).toEqual(expected);
    }
    // Agrees with the whole-buffer decoder.
    expect(splitAll([data])).toEqual(splitLines(decodeText(data)));
  });

  it('reassembles characters cut at every byte offset', () => {
    for (let at = 1; at < data.length; at++) {
      expect(splitAll([data.subarray(0, at), data.subarray(at)])).toEqual(expected);
    }
  });

  it('agrees with decodeText + splitLines on random text cut at random points', () => {
    const alphabet = fc.constantFrom('a', 'é', '✓', '🚀', '\n', '\r', '\r\n', '\t', ' ', '\x1b[31m', '\x1b[0m', '"');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 200 }), fc.array(fc.nat({ max: 400 }), { maxLength: 6 }), (parts, cuts) => {
        const buf = Buffer.from(`x${parts.join('')}`, 'utf8');
        const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let prev = 0;
        for (const p of points) {
          chunks.push(buf.subarray(prev, p));
          prev = p;
        }
        chunks.push(buf.subarray(prev));
        expect(splitAll(chunks)).toEqual(splitLines(decodeText(buf)));
      }),
      { numRuns: 300 },
    );
  });

  it('drops a UTF-8 BOM, reads UTF-16LE with BOM, and produces no line for empty input or a final newline', () => {
    expect(splitAll([Buffer.from([0xef, 0xbb]), Buffer.from([0xbf]), Buffer.from('a\nb\n')])).toEqual(['a', 'b']);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('2024-05-07T10:00:00Z\tinfo\tads\tü\r\nb\r\n', 'utf16le')]);
    expect(splitAll(cut(utf16, 3))).toEqual(['2024-05-07T10:00:00Z\tinfo\tads\tü', 'b']);
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('x\ny', 'utf16le').swap16()]);
    expect(splitAll(cut(be, 3))).toEqual(['x', 'y']);
    expect(splitAll([])).toEqual([]);
    expect(splitAll([Buffer.from('\n')])).toEqual(['']);
  });

  it('cuts an over-long line instead of holding it, and goes on after its newline', () => {
    const long = 'x'.repeat(10_000);
    const lines = splitAll(cut(Buffer.from(`a\n${long}\nb\n${long}`), 333), { maxLineLength: 100 });
    expect(lines).toEqual(['a', 'x'.repeat(100), 'b', 'x'.repeat(100)]);
  });

  it('feeds the parser with 1-based line numbers across chunks', () => {
    const parser = createLogParser('ztunnel.log', 'ztunnel-log');
    const splitter = new LineSplitter((l) => parser.push(l));
    const log = Buffer.from([ZT_START, ZT_OK, ZT_POLICY, ZT_UNKNOWN_WP].join('\r\n') + '\r\n');
    for (const c of cut(log, 17)) splitter.write(c);
    splitter.end();
    const s = parser.finish();
    expect(s.lines).toBe(4);
    expect(s.ztunnelEntries.map((e) => [e.source.line, e.error?.slice(0, 20)])).toEqual([
      [3, 'connection closed du'],
      [4, 'unknown waypoint: wa'],
      [2, undefined],
    ]);
    expect(s.ztunnelEntries[0]!.source.excerpt!.endsWith('\r')).toBe(false);
  });
});

// ---- Detection ------------------------------------------------------------------------------------

describe('detectLog', () => {
  it('recognizes waypoint / istio-proxy logs', () => {
    expect(detectLog([...AGENT, WP_RBAC_DENY, WP_OK])).toBe('envoy-log');
    expect(detectLog([WP_UH])).toBe('envoy-log'); // one clear access line is enough
    expect(detectLog([WP_KUBECTL_TS, WP_KUBECTL_TS])).toBe('envoy-log');
    expect(detectLog([WP_JSON, WP_JSON_OK])).toBe('envoy-log');
    expect(detectLog(AGENT)).toBe('envoy-log');
  });

  it('recognizes ztunnel logs by their access records and scopes', () => {
    expect(detectLog([ZT_START, ZT_HYPER, ZT_INFO])).toBe('ztunnel-log');
    expect(detectLog([ZT_OK, ZT_POLICY])).toBe('ztunnel-log');
    expect(detectLog(['2024-05-07T10:00:00.1Z  INFO ztunnel::app: version', '2024-05-07T10:00:00.2Z  INFO xds{id=1}: ztunnel::xds::client: Stream established'])).toBe('ztunnel-log');
  });

  it('calls istiod and other timestamped logs plain `log`', () => {
    expect(detectLog(ISTIOD)).toBe('log');
    expect(detectLog(['2024-05-07T10:00:00Z starting app', '2024-05-07T10:00:01Z listening on :8080', 'continuation'])).toBe('log');
  });

  it('looks past the bug-report "previous log" separators', () => {
    const head = ['=====================================================', 'Previous log present (appended at the end)', '=====================================================', ...ISTIOD.slice(0, 4)];
    expect(detectLog(head)).toBe('log');
  });

  it('does not claim tables, YAML, JSON documents or istioctl analyze output', () => {
    const workloads = tabwrite(
      [
        ['NAMESPACE', 'POD NAME', 'ADDRESS', 'NODE', 'WAYPOINT', 'PROTOCOL'],
        ['default', 'productpage-v1-54bb874995-kzpnw', '10.244.1.68', 'kind-worker', 'None', 'HBONE'],
        ['default', 'reviews-v1-5b5d6494f4-4xkqn', '10.244.1.15', 'kind-worker', 'waypoint', 'HBONE'],
      ],
      1,
    );
    const certificates = tabwrite(
      [
        ['CERTIFICATE NAME', 'TYPE', 'STATUS', 'VALID CERT', 'SERIAL NUMBER', 'NOT AFTER', 'NOT BEFORE'],
        ['spiffe://cluster.local/ns/default/sa/sleep', 'Leaf', 'Available', 'true', '6f2c3d', '2024-05-08T10:00:00Z', '2024-05-07T10:00:00Z'],
        ['spiffe://cluster.local/ns/default/sa/sleep', 'Root', 'Available', 'true', '1a2b3c', '2034-05-05T10:00:00Z', '2024-05-07T10:00:00Z'],
      ],
      3,
    );
    const proxyStatus = tabwrite(
      [
        ['NAME', 'CLUSTER', 'CDS', 'LDS', 'EDS', 'RDS', 'ECDS', 'ISTIOD', 'VERSION'],
        ['waypoint-6f7b9c8d4-6hppr.default', 'Kubernetes', 'SYNCED (2m)', 'SYNCED (2m)', 'SYNCED (2m)', 'NOT SENT', 'IGNORED', 'istiod-7d4f8b6c9-abcde', '1.24.2'],
      ],
      3,
    );
    const yamlList = [
      'apiVersion: v1',
      'items:',
      '- apiVersion: v1',
      '  kind: Pod',
      '  metadata:',
      '    creationTimestamp: "2024-05-07T10:00:00Z"',
      '    name: reviews-v1-5b5d6494f4-4xkqn',
      'kind: List',
      'metadata:',
      '  resourceVersion: ""',
    ].join('\n');
    const analyze = [
      'Warning [IST0171] (Service default/ratings) The status condition istio.io/WaypointBound is False (reason WaypointIsNotReady)',
      'Error [IST0101] (Gateway default/bookinfo-gateway) Referenced selector not found: "istio=ingressgateway"',
      'Error: Analyzers found issues when analyzing namespace: default.',
    ].join('\n');
    const jsonDoc = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ metadata: { creationTimestamp: '2024-05-07T10:00:00Z' } }] }, null, 2);
    const oneLineJson = JSON.stringify({ start: '2024-05-07T10:00:00Z', kind: 'Event' });
    for (const [name, text] of Object.entries({ workloads, certificates, proxyStatus, yamlList, analyze, jsonDoc, oneLineJson })) {
      expect(detectLog(splitLines(text)), name).toBeUndefined();
    }
    expect(detectLog(['2024-05-07T10:00:00Z only one timestamped line'])).toBeUndefined();
    expect(detectLog([])).toBeUndefined();
    expect(detectLog(['', '   '])).toBeUndefined();
    // A few timestamped lines among mostly other text: not "most lines".
    expect(detectLog(['2024-05-07T10:00:00Z a', '2024-05-07T10:00:01Z b', 'x', 'y', 'z'])).toBeUndefined();
  });
});

// ---- FileParser -----------------------------------------------------------------------------------

describe('logParser (whole buffer)', () => {
  it('detects from the head and reports the specific kind inside the result', () => {
    const text = [...AGENT, WP_RBAC_DENY, WP_OK, WP_UH].join('\n') + '\n';
    const input = inputOf('waypoint/istio-proxy.log', text);
    expect(logParser.kind).toBe('log');
    expect(logParser.detect(input)).toBe(0);
    const result = logParser.parse(input);
    expect(result.diagnostics).toEqual([]);
    const [log] = result.records.logs!;
    expect(log).toMatchObject({ file: 'waypoint/istio-proxy.log', kind: 'envoy-log', lines: 7, byCode: { '403': 1, '200': 1, '503': 1 }, truncated: 0 });
    expect(log!.accessEntries.map((e) => e.source.line)).toEqual([5, 7, 6]);
    expect(result.summary).toBe('envoy-log: 7 lines, 3 access lines (2 with code >= 400), 1 error/warn lines');
  });

  it('reads a ztunnel log without a final newline', () => {
    const result = logParser.parse(inputOf('ztunnel.log', [ZT_START, ZT_OK, ZT_POLICY].join('\n')));
    expect(result.records.logs![0]).toMatchObject({ kind: 'ztunnel-log', lines: 3, byLevel: { info: 2, error: 1 } });
    expect(result.summary).toBe('ztunnel-log: 3 lines, 1 error/warn lines');
  });

  it('leaves other files to other parsers', () => {
    expect(logParser.detect(inputOf('analyze.txt', 'Error [IST0101] (Gateway default/gw) Referenced selector not found\n'))).toBe(-1);
  });

  it('adds one diagnostic when a file taken for a log had no readable line', () => {
    const summary: LogSummary = { file: 'x.log', kind: 'log', lines: 3, byLevel: {}, accessEntries: [], ztunnelEntries: [], byCode: {}, truncated: 0 };
    expect(logParseResult(summary, 0).diagnostics).toEqual([{ file: 'x.log', message: 'looked like a log but no line could be read as a log line' }]);
    expect(logParseResult(summary, 1).diagnostics).toEqual([]);
  });

  it('keeps no reference to the text it read (entries are copies)', () => {
    // Not observable directly; at least the entries must not change when the text is gone.
    const result = logParser.parse(inputOf('w.log', `${WP_UH}\n`));
    expect(result.records.logs![0]!.accessEntries[0]!.upstreamCluster).toBe('inbound-vip|9080|http|ratings.default.svc.cluster.local');
  });
});
