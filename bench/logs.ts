/**
 * Streams a generated waypoint access log (default 1 GiB, `BENCH_LOG_MB` to change) through
 * LineSplitter + createLogParser and prints throughput and peak memory: memory must stay flat whatever
 * the size, the whole-log statistics (accessStats, ztunnelStats) counted over every line included. The
 * log is generated on the fly, 1 MiB at a time, and handed over in 64 KiB chunks cut anywhere (mid-line,
 * mid-character), as a file stream would. Numbers are printed, never asserted.
 *
 *   node --expose-gc --import tsx bench/logs.ts
 */
import { performance } from 'node:perf_hooks';
import { createLogParser, LineSplitter } from '../src/parse/logs.js';

const TOTAL_MB = Number(process.env['BENCH_LOG_MB'] ?? 1024);
/** `text` (Istio's default access log format, the default), `json` (Istio's JSON format) or `ztunnel`. */
const FORMAT = process.env['BENCH_LOG_FORMAT'] ?? 'text';
const TOTAL_BYTES = Math.max(1, TOTAL_MB) * 1024 ** 2;
const BLOCK_BYTES = 1024 ** 2;
const CHUNK_BYTES = 64 * 1024;
const MB = 1024 ** 2;

const SERVICES = ['reviews', 'ratings', 'details', 'productpage'];
const AGENTS = ['curl/8.5.0', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36', 'python-requests/2.31.0', 'Go-http-client/1.1', 'okhttp/4.12.0 (Ünïcode ✓)'];

let seq = 0;

/** One access line in Istio's EnvoyTextLogFormat, with a realistic mix of outcomes. */
function line(): string {
  const i = seq++;
  const svc = SERVICES[i % SERVICES.length]!;
  const ms = String(i % 1000).padStart(3, '0');
  const s = String(Math.floor(i / 1000) % 60).padStart(2, '0');
  const time = `2024-05-07T10:${String(Math.floor(i / 60_000) % 60).padStart(2, '0')}:${s}.${ms}Z`;
  const id = `${(i * 2654435761 >>> 0).toString(16).padStart(8, '0')}-5b1d-4e7a-8c3f-${String(i).padStart(12, '0')}`;
  const ua = AGENTS[i % AGENTS.length]!;
  const cluster = `inbound-vip|9080|http|${svc}.default.svc.cluster.local`;
  const vip = `10.96.${i % 4}.${10 + (i % 4)}:9080`;
  const client = `10.244.1.${7 + (i % 20)}:${40000 + (i % 20000)}`;
  const r = i % 1000;
  if (r < 10) {
    return `[${time}] "GET /${svc}/${i % 7} HTTP/1.1" 403 - rbac_access_denied_matched_policy[ns[default]-policy[deny-${svc}]-rule[0]] - "-" 0 19 0 - "-" "${ua}" "${id}" "${svc}:9080" "-" ${cluster} - ${vip} ${client} - default`;
  }
  if (r < 30) {
    return `[${time}] "GET /${svc}/${i % 7} HTTP/1.1" 503 UH no_healthy_upstream - "-" 0 19 0 - "-" "${ua}" "${id}" "${svc}:9080" "-" ${cluster} - ${vip} ${client} - default`;
  }
  if (r < 35) {
    return `[${time}] "GET /nope HTTP/1.1" 404 NR route_not_found - "-" 0 0 0 - "-" "${ua}" "${id}" "${svc}:9081" "-" - - ${vip} ${client} - -`;
  }
  if (r < 85) {
    return `[${time}] "- - -" 0 - - - "-" ${1000 + (i % 5000)} ${2000 + (i % 9000)} ${i % 4000} - "-" "-" "-" "-" "envoy://connect_originate/10.244.2.${i % 200}:3306" inbound-vip|3306|tcp|mysql.default.svc.cluster.local envoy://internal_client_address/ 10.96.7.7:3306 ${client} - -`;
  }
  return `[${time}] "GET /${svc}/${i % 7}?page=${i % 13} HTTP/1.1" 200 - via_upstream - "-" 0 ${300 + (i % 700)} ${i % 50} ${i % 49} "-" "${ua}" "${id}" "${svc}:9080" "envoy://connect_originate/10.244.1.${15 + (i % 30)}:9080" ${cluster} envoy://internal_client_address/ ${vip} ${client} - default`;
}

/** The same request as Istio's JSON access log line. */
function jsonLine(): string {
  const text = line();
  const m = /^\[(\S+)\] "(\S+) (\S+) \S+" (\d+) (\S+) (\S+) .* "([^"]*)" "([^"]*)" (\S+) \S+ \S+ \S+ \S+ (\S+)$/.exec(text)!;
  const dash = (v: string | undefined) => (v === undefined || v === '-' ? null : v);
  return JSON.stringify({
    authority: dash(m[7]), bytes_received: 0, bytes_sent: 19, duration: seq % 50, method: dash(m[2]), path: dash(m[3]),
    protocol: 'HTTP/1.1', request_id: null, response_code: Number(m[4]), response_code_details: dash(m[6]), response_flags: m[5],
    route_name: dash(m[10]), start_time: m[1], upstream_cluster: dash(m[9]), upstream_host: dash(m[8]), user_agent: 'curl/8.5.0',
  });
}

/** ztunnel access records: mostly healthy, some policy rejections and unknown waypoints. */
function ztunnelLine(): string {
  const i = seq++;
  const svc = SERVICES[i % SERVICES.length]!;
  const time = `2024-05-07T10:00:${String(Math.floor(i / 1000) % 60).padStart(2, '0')}.${String(i % 1_000_000).padStart(6, '0')}Z`;
  const common = `src.addr=10.244.1.${7 + (i % 20)}:${40000 + (i % 20000)} src.workload="sleep-7656cf8794-9v2gv" src.namespace="default" src.identity="spiffe://cluster.local/ns/default/sa/sleep" dst.addr=10.244.1.20:15008 dst.hbone_addr=10.96.45.12:9080 dst.service="${svc}.default.svc.cluster.local" dst.workload="waypoint-6f7b9c8d4-6hppr" dst.namespace="default" dst.identity="spiffe://cluster.local/ns/default/sa/waypoint" direction="outbound"`;
  const r = i % 1000;
  if (r < 10) return `${time}\terror\taccess\tconnection complete\t${common} bytes_sent=0 bytes_recv=0 duration="0ms" error="connection closed due to policy rejection: allow policies exist, but none allowed"`;
  if (r < 15) return `${time}\terror\taccess\tconnection complete\t${common} bytes_sent=0 bytes_recv=0 duration="0ms" error="unknown waypoint: waypoint default/missing not found"`;
  return `${time}\tinfo\taccess\tconnection complete\t${common} bytes_sent=${i % 900} bytes_recv=${i % 5000} duration="${i % 90}ms"`;
}

const next = FORMAT === 'json' ? jsonLine : FORMAT === 'ztunnel' ? ztunnelLine : line;

function block(): Buffer {
  const lines: string[] = [];
  let bytes = 0;
  while (bytes < BLOCK_BYTES) {
    const l = next();
    lines.push(l);
    bytes += l.length + 1;
  }
  return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}

function mb(n: number): string {
  return `${(n / MB).toFixed(1)} MB`;
}

globalThis.gc?.();
const base = process.memoryUsage();
let peakRss = base.rss;
let peakHeap = base.heapUsed;

const parser = createLogParser(FORMAT === 'ztunnel' ? 'bench/ztunnel.log' : 'bench/istio-proxy.log', FORMAT === 'ztunnel' ? 'ztunnel-log' : 'envoy-log');
const splitter = new LineSplitter((l) => parser.push(l));

console.log(`streaming ${TOTAL_MB} MB of generated ${FORMAT === 'ztunnel' ? 'ztunnel' : `waypoint ${FORMAT} access`} log; node ${process.version}${globalThis.gc ? '' : ' (no --expose-gc: baseline less exact)'}`);
console.log(`baseline: rss ${mb(base.rss)}, heapUsed ${mb(base.heapUsed)}`);

let streamed = 0;
let parseMs = 0;
let nextReport = TOTAL_BYTES / 10;
const wallStart = performance.now();
// Chunk boundaries drift against block boundaries, so lines and characters are cut anywhere.
let carry: Buffer = Buffer.alloc(0);
while (streamed < TOTAL_BYTES) {
  const data: Buffer = carry.length ? Buffer.concat([carry, block()]) : block();
  let offset = 0;
  while (data.length - offset >= CHUNK_BYTES && streamed < TOTAL_BYTES) {
    const chunk = data.subarray(offset, offset + CHUNK_BYTES);
    const t0 = performance.now();
    splitter.write(chunk);
    parseMs += performance.now() - t0;
    offset += CHUNK_BYTES;
    streamed += chunk.length;
    const rss = process.memoryUsage.rss();
    if (rss > peakRss) peakRss = rss;
  }
  carry = Buffer.from(data.subarray(offset));
  const heap = process.memoryUsage().heapUsed;
  if (heap > peakHeap) peakHeap = heap;
  if (streamed >= nextReport) {
    // Live heap (after a full GC) is what must stay flat; heapUsed between GCs only shows GC timing.
    globalThis.gc?.();
    const live = process.memoryUsage().heapUsed;
    console.log(`  ${mb(streamed).padStart(10)}  rss ${mb(process.memoryUsage.rss()).padStart(9)}  heapUsed ${mb(heap).padStart(9)}  live heap after gc ${mb(live).padStart(9)}`);
    nextReport += TOTAL_BYTES / 10;
  }
}
const t0 = performance.now();
splitter.end();
const summary = parser.finish();
parseMs += performance.now() - t0;
const wallMs = performance.now() - wallStart;

globalThis.gc?.();
const after = process.memoryUsage();
const access = Object.values(summary.byCode).reduce((a, b) => a + b, 0);
console.log(`lines ${summary.lines}, access ${access}, byCode ${JSON.stringify(summary.byCode)}`);
console.log(`levels ${JSON.stringify(summary.byLevel)}`);
console.log(`sample: ${summary.accessEntries.length} access entries (first: ${summary.accessEntries[0]?.code} ${summary.accessEntries[0]?.details}), ${summary.ztunnelEntries.length} ztunnel entries (first: ${summary.ztunnelEntries[0]?.error}), ${summary.truncated} not kept`);
const counts = (record: Record<string, { count: number }>) => JSON.stringify(Object.fromEntries(Object.entries(record).map(([k, v]) => [k, v.count])));
const { accessStats: a, ztunnelStats: z } = summary;
if (a) console.log(`access stats: ${a.requests} requests, ${a.served} served, byFlag ${counts(a.byFlag)}, rbacDenied ${counts(a.rbacDenied)}, ${Object.keys(a.byCluster).length} clusters, ${Object.keys(a.byRoute).length} routes, ${a.firstTime} .. ${a.lastTime}`);
if (z) console.log(`ztunnel stats: ${z.connections} connections, ${Object.keys(z.flows).length} flows, errors ${counts(z.errors)}`);
console.log(`parse: ${(parseMs / 1000).toFixed(2)} s, ${(streamed / MB / (parseMs / 1000)).toFixed(1)} MB/s (splitter + parser only)`);
console.log(`wall:  ${(wallMs / 1000).toFixed(2)} s, ${(streamed / MB / (wallMs / 1000)).toFixed(1)} MB/s (including generating the log)`);
console.log(`peak:  rss ${mb(peakRss)} (+${mb(peakRss - base.rss)} over baseline), heapUsed ${mb(peakHeap)}`);
console.log(`after gc, summary still held: rss ${mb(after.rss)}, heapUsed ${mb(after.heapUsed)} (+${mb(after.heapUsed - base.heapUsed)})`);
