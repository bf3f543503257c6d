/**
 * Whole-log statistics (LogSummary.accessStats / ztunnelStats) on lines in the exact formats: Istio's
 * EnvoyTextLogFormat and JSON access format, ztunnel's access records (text and JSON logging).
 */
import { describe, expect, it } from 'vitest';
import { createLogParser, detectLog, LineSplitter, LOG_STATS_MAX_KEYS, logParser, maskError, type LogKind } from '../../src/parse/logs.js';
import { excerpt, type ParseInput } from '../../src/parse/parser.js';
import type { LogSummary } from '../../src/parse/types.js';
import { splitLines } from '../../src/text/decode.js';

const FILE = 'logs/waypoint.log';

interface Access {
  time?: string;
  request?: string;
  code: number;
  flags?: string;
  details?: string;
  host?: string;
  cluster?: string;
  route?: string;
}

/** One line of Istio's EnvoyTextLogFormat (>= 1.9) on a waypoint, as Envoy prints it. */
function access(a: Access): string {
  const time = a.time ?? '2024-05-07T10:00:00.000Z';
  return `[${time}] "${a.request ?? 'GET /reviews/0 HTTP/1.1'}" ${a.code} ${a.flags ?? '-'} ${a.details ?? 'via_upstream'} - "-" 0 19 3 - "-" "curl/8.5.0" "7f6b1c2e-0c2a-4b8a-9f1e-2d3c4b5a6f70" "reviews:9080" "${a.host ?? '-'}" ${a.cluster ?? 'inbound-vip|9080|http|reviews.default.svc.cluster.local'} - 10.96.45.12:9080 10.244.1.7:48812 - ${a.route ?? 'default'}`;
}

/** A ztunnel access record (`src/proxy/metrics.rs`): addresses bare, names quoted, `error` last. */
function conn(o: { level?: string; message?: string; src?: string; dst?: string; hbone?: string; service?: string; workload?: string; direction?: string; error?: string }): string {
  const fields = [
    `src.addr=${o.src ?? '10.244.1.7:48812'}`,
    'src.workload="sleep-7656cf8794-9v2gv"',
    'src.namespace="default"',
    'src.identity="spiffe://cluster.local/ns/default/sa/sleep"',
    `dst.addr=${o.dst ?? '10.244.1.20:15008'}`,
    ...(o.hbone === '' ? [] : [`dst.hbone_addr=${o.hbone ?? '10.96.45.12:9080'}`]),
    ...(o.service === '' ? [] : [`dst.service="${o.service ?? 'reviews.default.svc.cluster.local'}"`]),
    ...(o.workload === '' ? [] : [`dst.workload="${o.workload ?? 'waypoint-6f7b9c8d4-6hppr'}"`]),
    `direction="${o.direction ?? 'outbound'}"`,
    'bytes_sent=82 bytes_recv=358 duration="14ms"',
    ...(o.error ? [`error="${o.error}"`] : []),
  ];
  return `2024-05-07T10:01:00.100000Z\t${o.level ?? 'info'}\taccess\t${o.message ?? 'connection complete'}\t${fields.join(' ')}`;
}

function parse(lines: string[], kind: LogKind = 'envoy-log'): LogSummary {
  const parser = createLogParser(FILE, kind);
  for (const line of lines) parser.push(line);
  return parser.finish();
}

const at = (line: number, text: string) => ({ file: FILE, line, excerpt: excerpt(text) });

// ---- Envoy access lines -------------------------------------------------------------------------

describe('access statistics', () => {
  it('counts requests, served ones, flags, details, clusters and routes over every line', () => {
    const lines = [
      access({ time: '2024-05-07T10:00:00.100Z', code: 200 }),
      access({ time: '2024-05-07T10:00:00.200Z', code: 503, flags: 'UF,URX', details: 'upstream_reset_before_response_started{connection_failure}', host: 'envoy://connect_originate/10.244.2.8:9080' }),
      access({ time: '2024-05-07T10:00:00.300Z', request: 'GET /nope HTTP/1.1', code: 404, flags: 'NR', details: 'route_not_found', cluster: '-', route: '-' }),
      '2024-05-07T10:00:00.350000Z\tinfo\tads\tADS: new connection for node:waypoint-6f7b9c8d4-6hppr.default-1',
      access({ time: '2024-05-07T10:00:00.400Z', request: '- - -', code: 0, flags: 'UF', details: '-', cluster: 'inbound-vip|3306|tcp|mysql.default.svc.cluster.local', route: '-' }),
      access({ time: '2024-05-07T10:00:00.050Z', code: 200, flags: 'URX' }),
    ];
    const s = parse(lines).accessStats!;
    expect(s).toEqual({
      requests: 5,
      firstTime: '2024-05-07T10:00:00.100Z',
      // As printed, in line order: the last line's time, although an earlier one.
      lastTime: '2024-05-07T10:00:00.050Z',
      served: 1,
      byFlag: {
        UF: { count: 2, examples: [at(2, lines[1]!), at(5, lines[4]!)] },
        URX: { count: 2, examples: [at(2, lines[1]!), at(6, lines[5]!)] },
        NR: { count: 1, examples: [at(3, lines[2]!)] },
      },
      byDetails: {
        'upstream_reset_before_response_started{connection_failure}': { count: 1, examples: [at(2, lines[1]!)] },
        route_not_found: { count: 1, examples: [at(3, lines[2]!)] },
        '-': { count: 1, examples: [at(5, lines[4]!)] },
        via_upstream: { count: 1, examples: [at(6, lines[5]!)] },
      },
      rbacDenied: {},
      byCluster: {
        // A 200 with a flag (gRPC keeps 200) is not failed; a TCP line (code 0) with a flag is.
        'inbound-vip|9080|http|reviews.default.svc.cluster.local': { requests: 3, failed: 1, example: at(2, lines[1]!) },
        '-': { requests: 1, failed: 1, example: at(3, lines[2]!) },
        'inbound-vip|3306|tcp|mysql.default.svc.cluster.local': { requests: 1, failed: 1, example: at(5, lines[4]!) },
      },
      byRoute: {
        default: { requests: 3, failed: 1, example: at(2, lines[1]!) },
        '-': { requests: 2, failed: 2, example: at(3, lines[2]!) },
      },
    });
  });

  it('keys RBAC denials by the policy, brackets inside it kept, `[none]` as `none`', () => {
    const deny = access({ code: 403, details: 'rbac_access_denied_matched_policy[ns[default]-policy[deny-ratings]-rule[0]]' });
    const none = access({ code: 403, details: 'rbac_access_denied_matched_policy[none]' });
    const s = parse([deny, none, deny]).accessStats!;
    expect(s.rbacDenied).toEqual({
      'ns[default]-policy[deny-ratings]-rule[0]': { count: 2, examples: [at(1, deny), at(3, deny)] },
      none: { count: 1, examples: [at(2, none)] },
    });
    expect(Object.keys(s.byDetails)).toEqual(['rbac_access_denied_matched_policy[ns[default]-policy[deny-ratings]-rule[0]]', 'rbac_access_denied_matched_policy[none]']);
    expect(s.served).toBe(0);
  });

  it('keeps three examples per key, counting on', () => {
    const lines = Array.from({ length: 5 }, (_, i) => access({ time: `2024-05-07T10:00:0${i}.000Z`, code: 503, flags: 'UH', details: 'no_healthy_upstream' }));
    const s = parse(lines).accessStats!;
    expect(s.byFlag['UH']).toEqual({ count: 5, examples: [at(1, lines[0]!), at(2, lines[1]!), at(3, lines[2]!)] });
    expect(s.byDetails['no_healthy_upstream']!.examples.map((e) => e.line)).toEqual([1, 2, 3]);
  });

  it(`counts keys beyond the first ${LOG_STATS_MAX_KEYS} under (other)`, () => {
    const cluster = (i: number) => `inbound-vip|9080|http|svc-${i}.default.svc.cluster.local`;
    const lines = Array.from({ length: LOG_STATS_MAX_KEYS + 4 }, (_, i) => access({ code: i % 2 === 0 ? 200 : 503, flags: i % 2 === 0 ? '-' : 'UH', cluster: cluster(i) }));
    lines.push(access({ code: 200, cluster: cluster(0) }), access({ code: 503, flags: 'UH', cluster: cluster(5_000) }));
    const s = parse(lines).accessStats!;
    expect(Object.keys(s.byCluster)).toHaveLength(LOG_STATS_MAX_KEYS + 1);
    // Lines 1001-1004 and 1006 are new keys; line 1005 is a key already held.
    expect(s.byCluster['(other)']).toEqual({ requests: 5, failed: 3, example: at(1_002, lines[1_001]!) });
    expect(s.byCluster[cluster(0)]).toEqual({ requests: 2, failed: 0, example: at(1, lines[0]!) });
    expect(s.byCluster[cluster(LOG_STATS_MAX_KEYS - 1)]).toMatchObject({ requests: 1, failed: 1 });
    expect(s.byCluster[cluster(LOG_STATS_MAX_KEYS)]).toBeUndefined();
    expect(s.requests).toBe(LOG_STATS_MAX_KEYS + 6);
  });

  it('reads flags of JSON access lines, long names as short ones and unknown tokens as they are', () => {
    const json = (o: Record<string, unknown>) =>
      JSON.stringify({ start_time: '2024-05-07T10:00:07.000Z', method: 'POST', path: '/ratings/1', protocol: 'HTTP/1.1', response_code: 503, response_code_details: 'no_healthy_upstream', response_flags: 'UH', route_name: 'default', upstream_cluster: 'inbound-vip|9080|http|ratings.default.svc.cluster.local', upstream_host: null, ...o });
    const lines = [json({}), json({ response_flags: 'NoHealthyUpstream,UpstreamRetryLimitExceeded' }), json({ response_code: '200', response_flags: '-', response_code_details: 'via_upstream', start_time: '2024-05-07T10:00:08.000Z' }), json({ response_flags: 'XYZ' })];
    const s = parse(lines).accessStats!;
    expect(s).toMatchObject({ requests: 4, served: 1, firstTime: '2024-05-07T10:00:07.000Z', lastTime: '2024-05-07T10:00:07.000Z' });
    expect(Object.fromEntries(Object.entries(s.byFlag).map(([k, v]) => [k, v.count]))).toEqual({ UH: 2, URX: 1, XYZ: 1 });
    expect(s.byFlag['XYZ']!.examples).toEqual([at(4, lines[3]!)]);
    expect(s.byCluster).toEqual({ 'inbound-vip|9080|http|ratings.default.svc.cluster.local': { requests: 4, failed: 3, example: at(1, lines[0]!) } });
  });

  it('reads Istio 1.5-1.8 lines (mixer status column), pasted lines without a start time, and multi-line records', () => {
    const old = '[2020-11-22T20:04:32.765Z] "GET /products HTTP/1.1" 500 - "-" "-" 0 122 11939 11933 "-" "PostmanRuntime/7.26.8" "66fa4542-266e-9364-8447-e7d63047b344" "172.17.0.2:30164" "127.0.0.1:8080" inbound|8080|http-8080|scrappers-service.default.svc.cluster.local 127.0.0.1:52034 172.18.0.10:8080 172.18.0.1:37035 - default';
    const untimed = access({ code: 503, flags: 'UC', details: 'upstream_reset_before_response_started{connection_termination}' }).replace(/^\[[^\]]+\] /, '');
    const record = ['{', '  "start_time": "2025-12-22T16:08:03.507Z",', '  "response_code": "503",', '  "response_flags": "UO",', '  "upstream_cluster": "outbound|8080||mock-server.default.svc.cluster.local",', '  "route_name": "-"', '}'];
    const s = parse([old, untimed, ...record]);
    expect(s.accessStats).toMatchObject({ requests: 3, firstTime: '2020-11-22T20:04:32.765Z', lastTime: '2025-12-22T16:08:03.507Z' });
    expect(s.accessStats!.byCluster['inbound|8080|http-8080|scrappers-service.default.svc.cluster.local']).toEqual({ requests: 1, failed: 1, example: at(1, old) });
    expect(s.accessStats!.byFlag['UC']!.examples).toEqual([at(2, untimed)]);
    // A record over several lines is at the line of its `{`, its excerpt the record on one line.
    expect(s.accessStats!.byFlag['UO']!.examples).toEqual([at(3, record.map((l) => l.trim()).join(' '))]);
    expect(s.accessEntries.map((e) => [e.source.line, e.code])).toEqual([[1, 500], [2, 503], [3, 503]]);
  });

  it('lets a stray `{` go at the first line that cannot be in a record', () => {
    const s = parse(['{', access({ code: 503, flags: 'UH' }), '{', '  "not": "closed"', access({ code: 200 })]);
    expect(s.accessStats).toMatchObject({ requests: 2, served: 1 });
  });

  it('leaves accessStats undefined without access lines, and ztunnelStats without access or error lines', () => {
    const agent = ['2024-05-07T09:59:58.100000Z\tinfo\txdsproxy\tconnected to delta upstream XDS server: istiod.istio-system.svc:15012\tid=1', '2024-05-07T09:59:59.000000Z\tinfo\tEnvoy proxy is ready'];
    const s = parse(agent);
    expect(s.accessStats).toBeUndefined();
    expect(s.ztunnelStats).toBeUndefined();
    expect(parse([access({ code: 200 })]).ztunnelStats).toBeUndefined();
    expect(parse(['2024-05-07T10:01:03.100000Z\tinfo\txds::client:xds{id=1}\treceived response\ttype_url="type.googleapis.com/istio.workload.Address" size=118 removes=0'], 'ztunnel-log').ztunnelStats).toBeUndefined();
  });

  it('counts a last line cut short as far as it can be read', () => {
    const whole = access({ time: '2024-05-07T10:00:09.000Z', code: 503, flags: 'UH', details: 'no_healthy_upstream' });
    const cut = whole.slice(0, whole.indexOf('"curl/') + 9);
    const parser = createLogParser(FILE, 'envoy-log');
    const splitter = new LineSplitter((l) => parser.push(l));
    splitter.write(Buffer.from(`${access({ code: 200 })}\n${cut}`));
    splitter.end();
    const s = parser.finish().accessStats!;
    expect(cut.endsWith('"curl/8.5')).toBe(true);
    expect(s).toMatchObject({ requests: 2, served: 1, lastTime: '2024-05-07T10:00:09.000Z' });
    expect(s.byFlag['UH']).toEqual({ count: 1, examples: [at(2, cut)] });
    expect(Object.keys(s.byDetails)).toEqual(['no_healthy_upstream']);
    // The cluster and route columns were cut off.
    expect(s.byCluster['-']).toEqual({ requests: 1, failed: 1, example: at(2, cut) });
  });
});

// ---- ztunnel -------------------------------------------------------------------------------------

describe('ztunnel statistics', () => {
  it('groups connections by direction, destination service, workload and port', () => {
    const ok = conn({});
    const bypass = conn({ dst: '10.244.1.15:9080', hbone: '', workload: 'reviews-v1-5b5d6494f4-4xkqn', src: '10.244.1.7:48900' });
    const denied = conn({ level: 'error', direction: 'inbound', src: '10.244.1.20:51234', dst: '10.244.1.15:15008', hbone: '10.244.1.15:9080', workload: 'reviews-v1-5b5d6494f4-4xkqn', error: 'connection closed due to policy rejection: allow policies exist, but none allowed' });
    const failed = '2024-09-26T08:18:58.905945Z     warn    access  connection failed       src.addr=192.168.158.154:40174 dst.addr=10.43.0.1:443 direction="outbound" error="no healthy upstream: 10.43.0.1:443"';
    const opened = conn({ level: 'debug', message: 'connection opened' });
    const s = parse([opened, ok, ok, bypass, denied, failed], 'ztunnel-log').ztunnelStats!;
    expect(s.connections).toBe(5);
    expect(s.flows).toEqual({
      'outbound|reviews.default.svc.cluster.local|waypoint-6f7b9c8d4-6hppr|15008': {
        direction: 'outbound',
        srcWorkload: 'sleep-7656cf8794-9v2gv',
        srcIdentity: 'spiffe://cluster.local/ns/default/sa/sleep',
        dstService: 'reviews.default.svc.cluster.local',
        dstWorkload: 'waypoint-6f7b9c8d4-6hppr',
        dstAddr: '10.244.1.20:15008',
        hboneAddr: '10.96.45.12:9080',
        count: 2,
        failed: 0,
        examples: [at(2, ok), at(3, ok)],
      },
      'outbound|reviews.default.svc.cluster.local|reviews-v1-5b5d6494f4-4xkqn|9080': expect.objectContaining({ dstAddr: '10.244.1.15:9080', count: 1, failed: 0 }),
      'inbound|reviews.default.svc.cluster.local|reviews-v1-5b5d6494f4-4xkqn|15008': expect.objectContaining({ direction: 'inbound', count: 1, failed: 1, examples: [at(5, denied)] }),
      'outbound|||443': { direction: 'outbound', dstAddr: '10.43.0.1:443', count: 1, failed: 1, examples: [at(6, failed)] },
    });
    expect(s.errors).toEqual({
      'connection closed due to policy rejection: allow policies exist, but none allowed': { count: 1, examples: [at(5, denied)] },
      'no healthy upstream: <ip>:<n>': { count: 1, examples: [at(6, failed)] },
    });
  });

  it('lets the first failure of a flow take the last example when healthy lines filled them', () => {
    const ok = conn({});
    const bad = conn({ level: 'error', error: 'http status: 503 Service Unavailable' });
    const s = parse([ok, ok, ok, ok, bad, bad], 'ztunnel-log').ztunnelStats!;
    const [flow] = Object.values(s.flows);
    expect(flow).toMatchObject({ count: 6, failed: 2 });
    expect(flow!.examples.map((e) => e.line)).toEqual([1, 2, 5]);
  });

  it('reads ztunnel JSON logging and counts errors of lines that are no access records', () => {
    const json = JSON.stringify({ level: 'error', time: '2024-05-07T10:01:06.000000Z', scope: 'access', message: 'connection complete', 'src.addr': '10.244.1.7:2', 'dst.addr': '10.244.1.20:15008', 'dst.service': 'reviews.default.svc.cluster.local', 'dst.workload': 'waypoint-6f7b9c8d4-6hppr', direction: 'outbound', bytes_sent: 0, error: 'connection closed due to policy rejection: explicitly denied by: default/deny-all' });
    const xds = '2024-05-07T10:01:07.000000Z\twarn\txds::client:xds{id=1}\tXDS client connection error\terror="gRPC connection error connecting to https://istiod.istio-system.svc:15012: status: Unknown"';
    const s = parse([json, xds], 'ztunnel-log').ztunnelStats!;
    expect(s.connections).toBe(1);
    expect(s.flows['outbound|reviews.default.svc.cluster.local|waypoint-6f7b9c8d4-6hppr|15008']).toMatchObject({ count: 1, failed: 1, examples: [at(1, json)] });
    expect(s.errors).toEqual({
      'connection closed due to policy rejection: explicitly denied by: default/deny-all': { count: 1, examples: [at(1, json)] },
      'gRPC connection error connecting to https://istiod.istio-system.svc:15012: status: Unknown': { count: 1, examples: [at(2, xds)] },
    });
  });

  it('makes one error key of the same failure from a hundred peers', () => {
    const lines = Array.from({ length: 100 }, (_, i) =>
      conn({ level: 'error', src: `10.244.${i % 7}.${i}:${40_000 + i}`, dst: `10.244.2.${i}:15008`, error: `connection timed out, maybe a NetworkPolicy is blocking HBONE port 15008: deadline has elapsed` }),
    );
    lines.push(...Array.from({ length: 50 }, (_, i) => conn({ level: 'error', error: `no healthy upstream: 10.96.${i}.9:9080` })));
    const s = parse(lines, 'ztunnel-log').ztunnelStats!;
    expect(Object.fromEntries(Object.entries(s.errors).map(([k, v]) => [k, v.count]))).toEqual({
      'connection timed out, maybe a NetworkPolicy is blocking HBONE port 15008: deadline has elapsed': 100,
      'no healthy upstream: <ip>:<n>': 50,
    });
    expect(s.errors['no healthy upstream: <ip>:<n>']!.examples.map((e) => e.line)).toEqual([101, 102, 103]);
  });

  it('masks addresses, their ports and long numbers, not codes or well-known ports', () => {
    const masked: [string, string][] = [
      ['no healthy upstream: 10.43.0.1:443', 'no healthy upstream: <ip>:<n>'],
      ['io error: Connection refused (os error 111)', 'io error: Connection refused (os error 111)'],
      ['http status: 401 Unauthorized', 'http status: 401 Unauthorized'],
      ['failed to connect to [fd00:10:244::7]:15008: timed out', 'failed to connect to <ip>:<n>: timed out'],
      ['unknown source: fd00:10:244::7 at 10:00:01', 'unknown source: <ip> at 10:00:01'],
      ['no service or workload for hostname 10.96.0.10', 'no service or workload for hostname <ip>'],
      ['pool 7f6b1c2e-0c2a-4b8a-9f1e-2d3c4b5a6f70 exhausted after 1048576 bytes, id a050131fa769a20e255b9840bf445424', 'pool <n> exhausted after <n> bytes, id <n>'],
      ['hyper::Error(Connect) on istiod.istio-system.svc:15012', 'hyper::Error(Connect) on istiod.istio-system.svc:15012'],
    ];
    for (const [error, key] of masked) expect(maskError(error), error).toBe(key);
  });

  it('reads records pasted from the level on, shown by Kiali without time and level, or wrapped onto lines', () => {
    const levelFirst = 'error   access  connection complete     src.addr=10.244.1.6:42020 src.workload="reviews-v1-6584ddcf65-k78wz" dst.addr=10.244.1.9:15008 dst.service="productpage.default.svc.cluster.local" dst.workload="productpage-v1-d5789fdfb-c5w2c" direction="inbound" error="connection closed due to policy rejection: allow policies exist, but none allowed"';
    const kiali = '[ztunnel-b8dqs] src.addr=10.244.0.23:37034 src.workload="waypoint-5f89fbb8b5-jwb7g" dst.addr=10.244.0.12:15008 dst.hbone_addr=10.244.0.12:9080 dst.service="ratings.bookinfo.svc.cluster.local" dst.workload="ratings-v1-794db9df8f-pmrj9" direction="inbound" bytes_sent=444';
    const wrapped = [
      '2024-08-21T15:32:05.754291Z\tinfo\taccess\tconnection complete\tsrc.addr=10.42.0.9:33772 src.workload="sleep-7656cf8794-6lsm4" src.namespace="default"',
      'src.identity="spiffe://cluster.local/ns/default/sa/sleep" dst.addr=10.42.0.5:15008 dst.hbone_addr=10.42.0.5:9080 dst.service="details.default.svc.cluster.local"',
      'dst.workload="details-v1-857849f66-ft8wx" dst.namespace="default"',
      'direction="outbound" bytes_sent=84 bytes_recv=358 duration="15ms"',
    ];
    const s = parse([levelFirst, kiali, ...wrapped], 'ztunnel-log');
    expect(s.ztunnelStats!.connections).toBe(3);
    expect(Object.fromEntries(Object.entries(s.ztunnelStats!.flows).map(([k, f]) => [k, [f.count, f.failed, f.examples[0]!.line]]))).toEqual({
      'inbound|productpage.default.svc.cluster.local|productpage-v1-d5789fdfb-c5w2c|15008': [1, 1, 1],
      'inbound|ratings.bookinfo.svc.cluster.local|ratings-v1-794db9df8f-pmrj9|15008': [1, 0, 2],
      'outbound|details.default.svc.cluster.local|details-v1-857849f66-ft8wx|15008': [1, 0, 3],
    });
    // The sampled entry of the wrapped record holds all its fields; Kiali's record (no level) is not sampled.
    expect(s.ztunnelEntries.map((e) => e.source.line)).toEqual([1, 3]);
    expect(s.ztunnelEntries[1]!.fields).toMatchObject({ 'src.namespace': 'default', 'dst.workload': 'details-v1-857849f66-ft8wx', direction: 'outbound', duration: '15ms' });
  });
});

describe('lines beyond the sample', () => {
  it('are counted as the sampled ones are, escaped values and wrapped records included', () => {
    const lines = [
      conn({}),
      conn({ level: 'debug', message: 'connection opened' }),
      conn({ workload: 'odd\\"name' }),
      '2024-05-04T09:59:05.028709Z info    access  connection complete src.addr=10.244.1.12:60059 dst.addr=10.244.1.10:9080 dst.hbone_addr="10.244.1.10:9080" dst.service="productpage.default.svc.cluster.local" dst.workload="productpage-v1-87d54dd59-fn6vw" direction="inbound" bytes_sent=175',
      JSON.stringify({ level: 'info', time: '2024-05-07T10:01:06.000000Z', scope: 'access', message: 'connection complete', 'src.addr': '10.244.1.7:2', 'dst.addr': '10.244.1.20:15008', 'dst.service': 'ratings.default.svc.cluster.local', direction: 'outbound' }),
      conn({ hbone: '', service: '', workload: '' }),
      'dst.service="details.default.svc.cluster.local" dst.workload="details-v1-857849f66-ft8wx"',
      access({ code: 200 }),
      access({ code: 503, flags: 'UH', details: 'no_healthy_upstream', route: '-' }),
    ];
    const counted = (maxSamples: number) => {
      const parser = createLogParser(FILE, 'ztunnel-log', { maxSamples });
      for (const line of lines) parser.push(line);
      const { accessStats, ztunnelStats } = parser.finish();
      return { accessStats, ztunnelStats };
    };
    const all = counted(100);
    expect(counted(0)).toEqual(all);
    expect(all.ztunnelStats!.connections).toBe(5);
    expect(Object.keys(all.ztunnelStats!.flows)).toEqual([
      'outbound|reviews.default.svc.cluster.local|waypoint-6f7b9c8d4-6hppr|15008',
      'outbound|reviews.default.svc.cluster.local|odd"name|15008',
      'inbound|productpage.default.svc.cluster.local|productpage-v1-87d54dd59-fn6vw|9080',
      'outbound|ratings.default.svc.cluster.local||15008',
      'outbound|details.default.svc.cluster.local|details-v1-857849f66-ft8wx|15008',
    ]);
    expect(all.accessStats!.requests).toBe(2);
  });
});

describe('detectLog on records that lost their line start', () => {
  it('claims pasted access lines and records, multi-line records and wrapped ones, and still no JSON document', () => {
    const untimed = access({ code: 404, flags: 'NR', details: 'route_not_found' }).replace(/^\[[^\]]+\] /, '');
    expect(detectLog([untimed])).toBe('envoy-log');
    expect(detectLog([untimed.slice(1).replace(/"/g, '""')])).toBe('envoy-log');
    expect(detectLog(['error   access  connection complete     src.addr=10.244.1.6:42020 dst.addr=10.244.1.9:15008 direction="inbound" error="connection closed due to policy rejection"'])).toBe('ztunnel-log');
    expect(detectLog(['GET /ratings/0', '', '[ztunnel-b8dqs] src.addr=10.244.0.23:37034 dst.addr=10.244.0.12:15008 direction="inbound"', '', access({ code: 200 })])).toBe('ztunnel-log');
    expect(detectLog(['{', '  "start_time": "2025-12-22T16:08:03.507Z",', '  "response_code": "503",', '  "response_flags": "UO"', '}'])).toBe('envoy-log');
    expect(detectLog(['2024-08-21T15:32:05.754291Z\tinfo\taccess\tconnection complete\tsrc.addr=10.42.0.9:33772', 'dst.addr=10.42.0.5:15008 dst.service="details.default.svc.cluster.local"', 'direction="outbound" bytes_sent=84'])).toBe('ztunnel-log');
    expect(detectLog(['{', '  "apiVersion": "v1",', '  "kind": "List",', '  "items": []', '}'])).toBeUndefined();
    expect(detectLog(['a=1 b=2', 'c=3'])).toBeUndefined();
  });
});

// ---- Both paths ----------------------------------------------------------------------------------

describe('streamed and whole-buffer statistics', () => {
  it('are identical for the same log, whatever the chunk size', () => {
    const lines = [
      '2024-05-07T09:59:58.100000Z\tinfo\txdsproxy\tconnected to delta upstream XDS server: istiod.istio-system.svc:15012\tid=1',
      access({ code: 200 }),
      access({ code: 403, details: 'rbac_access_denied_matched_policy[ns[default]-policy[deny-reviews]-rule[0]]' }),
      access({ code: 503, flags: 'UF,URX', details: 'upstream_reset_before_response_started{connection_failure}' }),
      conn({}),
      conn({ level: 'error', error: 'unknown waypoint: waypoint default/missing not found' }),
      '{',
      '  "start_time": "2025-12-22T16:08:03.507Z",',
      '  "response_code": "0",',
      '  "response_flags": "DC"',
      '}',
    ];
    const text = `${lines.join('\n')}\n`;
    const input = { file: FILE, text, firstLine: 0, head: splitLines(text).slice(0, 80) } as ParseInput;
    const whole = logParser.parse(input).records.logs![0]!;
    expect(whole.accessStats!.requests).toBe(4);
    expect(whole.ztunnelStats!.connections).toBe(2);
    for (const size of [1, 5, 64, 4096]) {
      const parser = createLogParser(FILE, whole.kind);
      const splitter = new LineSplitter((l) => parser.push(l));
      const data = Buffer.from(text);
      for (let i = 0; i < data.length; i += size) splitter.write(data.subarray(i, i + size));
      splitter.end();
      expect(parser.finish(), `chunks of ${size}`).toEqual(whole);
    }
  });
});
