import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ParseInput } from '../../src/parse/parser.js';
import { tableParser } from '../../src/parse/tables.js';
import type {
  ParseResult,
  ZtunnelCertificate,
  ZtunnelConnection,
  ZtunnelPolicy,
  ZtunnelService,
  ZtunnelWorkload,
} from '../../src/parse/types.js';
import { ZTUNNEL_TABLES } from '../../src/parse/ztunnel-config.js';
import { ztunnelDumpParser } from '../../src/parse/ztunnel-dump.js';
import { scanJsonOffsets } from '../../src/parse/json-locator.js';
import { splitLines } from '../../src/text/decode.js';
import { TextLines } from '../../src/text/lines.js';
import { FIXTURES, ROOT } from '../helpers.js';

const DUMPS = join(FIXTURES, 'ztunnel-config-dump-json');
const TABLES = join(FIXTURES, 'ztunnel-config-table');
const HAND_WRITTEN = join(ROOT, 'test', 'fixtures', 'ztunnel', 'dump-1.26.json');

/** A ParseInput as the sniffer builds it; counts `index` builds, which must stay at one per parse. */
function makeInput(file: string, text: string, ...given: [json?: unknown]): ParseInput & { indexBuilds: number } {
  const json = given.length > 0 ? given[0] : JSON.parse(text);
  const input = {
    file,
    text,
    firstLine: 0,
    head: splitLines(text).slice(0, 80),
    indexBuilds: 0,
    get lines() {
      return splitLines(text);
    },
    get index() {
      input.indexBuilds++;
      return new TextLines(text);
    },
    json,
  };
  return input;
}

function parseDumpFile(path: string): { text: string; json: any; input: ReturnType<typeof makeInput>; result: ParseResult } {
  const text = readFileSync(path, 'utf8');
  const input = makeInput(path, text);
  return { text, json: input.json, input, result: ztunnelDumpParser.parse(input) };
}

function parseTableFile(path: string): ParseResult {
  const text = readFileSync(path, 'utf8');
  return tableParser('ztunnel-all', ZTUNNEL_TABLES, 'ztunnel-all').parse(makeInput(path, text, undefined));
}

const fixture = (dir: string, name: string) => join(dir, name);
const haveDumps = existsSync(DUMPS);
const haveTables = existsSync(TABLES);
if (!haveDumps) console.warn(`ztunnel dump conformance tests skipped: ${DUMPS} does not exist`);

const workloads = (r: ParseResult) => r.records.ztunnelWorkloads ?? [];
const services = (r: ParseResult) => r.records.ztunnelServices ?? [];
const policies = (r: ParseResult) => r.records.ztunnelPolicies ?? [];
const certificates = (r: ParseResult) => r.records.ztunnelCertificates ?? [];
const connections = (r: ParseResult) => r.records.ztunnelConnections ?? [];

/** Distinct values of a `"key": "value"` pair, read from the raw text (independently of the parser). */
function distinctValues(text: string, key: string, filter: (v: string) => boolean = () => true): Set<string> {
  const re = new RegExp(`"${key}":\\s*"([^"]*)"`, 'g');
  return new Set([...text.matchAll(re)].map((m) => m[1]!).filter(filter));
}

/** How many rows istioctl prints per certificate entry, counted from the document. */
function certificateRows(json: any): number {
  return (json.certificates ?? []).reduce((n: number, c: any) => {
    const k = (c.certChain?.length ?? 0) + (c.certChain?.length ? (c.rootCerts?.length ?? 0) : 0) + (c.ca_cert?.length ?? 0) + (c.cert_chain?.length ?? 0);
    return n + Math.max(1, k);
  }, 0);
}

const wlRow = (w: ZtunnelWorkload) => ({ address: w.address, node: w.node, waypoint: w.waypoint, protocol: w.protocol });
const certRow = (c: ZtunnelCertificate) => [c.name, c.type, c.status, c.serial, c.notAfter, c.notBefore];
const connRow = (c: ZtunnelConnection) => [c.workload, c.direction, c.local, c.remote, c.remoteTarget, c.protocol].join(' | ');

/** For every table row, the dump record of the same namespace/name: returns how many matched. */
function crossCheckWorkloads(table: ZtunnelWorkload[], dump: ZtunnelWorkload[]): number {
  const byName = new Map(dump.map((w) => [`${w.namespace}/${w.name}`, w]));
  for (const row of table) {
    const mine = byName.get(`${row.namespace}/${row.name}`);
    expect(mine, `${row.namespace}/${row.name}`).toBeDefined();
    expect(wlRow(mine!), `${row.namespace}/${row.name}`).toEqual(wlRow(row));
  }
  return table.length;
}

// ---------------------------------------------------------------------------------------------

describe.skipIf(!haveDumps)('ztunnel dump conformance (istioctl testdata)', () => {
  const files = haveDumps ? readdirSync(DUMPS).filter((f) => f.endsWith('.json')).sort() : [];

  it('finds the five dumps', () => {
    expect(files).toEqual([
      'istio-testdata__zc__connectionsdump__1.30.0.json',
      'istio-testdata__zc__dump__1.18.0.json',
      'istio-testdata__zc__dump__1.19.0.json',
      'istio-testdata__zc__dump__1.22.0.json',
      'istio-testdata__zc__dump__1.28.0.json',
    ]);
  });

  for (const f of files) {
    it(`${f}: detected, parsed without diagnostics, counts match an independent count`, () => {
      const { text, json, input, result } = parseDumpFile(join(DUMPS, f));
      expect(ztunnelDumpParser.detect(input)).toBe(0);
      expect(result.diagnostics).toEqual([]);
      // Lines come from one scan and one line index, however many records.
      expect(input.indexBuilds).toBeLessThanOrEqual(1);
      expect(JSON.stringify(result)).not.toMatch(/BEGIN CERTIFICATE|"pem"/);
      if (f.includes('connectionsdump')) {
        expect(connections(result)).toHaveLength((text.match(/"actualDst"/g) ?? []).length);
        return;
      }
      const uids = distinctValues(text, 'uid');
      const expectedWorkloads = uids.size > 0 ? uids.size : distinctValues(text, 'workloadIp').size;
      expect(workloads(result)).toHaveLength(expectedWorkloads);
      expect(services(result)).toHaveLength(distinctValues(text, 'hostname', (h) => h.includes('.svc.')).size);
      expect(policies(result)).toHaveLength((text.match(/"action":/g) ?? []).length);
      expect(certificates(result)).toHaveLength(certificateRows(json));
      expect(connections(result)).toHaveLength((text.match(/"actualDst"/g) ?? []).length);
      for (const r of [...workloads(result), ...services(result), ...policies(result), ...certificates(result)]) {
        expect(r.source.file).toBe(join(DUMPS, f));
        expect(r.source.path).toBeTruthy();
        expect(r.source.line).toBeGreaterThan(0);
      }
    });
  }

  it('1.18: workloads keyed by IP, snake_case certificates as CA / Cert Chain rows', () => {
    const { result, text } = parseDumpFile(fixture(DUMPS, 'istio-testdata__zc__dump__1.18.0.json'));
    expect(result.summary).toBe('ztunnel dump (1.18 stores): 9 workloads, 0 services, 0 policies, 5 certificates');
    const httpbin = workloads(result).find((w) => w.name === 'httpbin-797587ddc5-r54l8')!;
    expect(httpbin).toMatchObject({
      namespace: 'default',
      address: '10.244.2.4',
      node: 'ambient-worker2',
      waypoint: 'None',
      protocol: 'HBONE',
      serviceAccount: 'httpbin',
      source: { path: 'workloads["10.244.2.4"]' },
    });
    expect(httpbin.waypointDestination).toBeUndefined();
    const lineOfName = splitLines(text).findIndex((l) => l.includes('"name": "httpbin-797587ddc5-r54l8"')) + 1;
    expect(httpbin.source.line).toBe(lineOfName);
    expect(httpbin.source.excerpt).toBe('"name": "httpbin-797587ddc5-r54l8",');
    expect(certificates(result).map(certRow)).toEqual([
      ['spiffe://cluster.local/ns/istio-system/sa/istiod', 'CA', 'Available', 'e5dfb59150b2ba7f108d93dcec5aa613', '2033-03-22T13:04:57Z', '2023-03-21T13:02:57Z'],
      ['spiffe://cluster.local/ns/istio-system/sa/istiod', 'Cert Chain', 'Available', '8a516645c40ce76c2c0d27ab4e2461c1', '2022-03-18T13:04:49Z', '2022-03-21T13:04:49Z'],
      ['spiffe://cluster.local/ns/istio-system/sa/ztunnel', 'NA', 'Initializing', 'NA', 'NA', 'NA'],
      ['spiffe://cluster.local/ns/istio-system/sa/another-sa', 'NA', 'Unavailable', 'NA', 'NA', 'NA'],
      ['spiffe://cluster.local/ns/istio-system/sa/istiod', 'NA', 'Unavailable', 'NA', 'NA', 'NA'],
    ]);
    expect(certificates(result)[0]!.source.path).toBe('certificates[0].ca_cert[0]');
    expect(certificates(result)[0]!.valid).toBeUndefined();
  });

  it('1.19: by_uid workloads, by_host services, VIP-form waypoint destinations', () => {
    const { result } = parseDumpFile(fixture(DUMPS, 'istio-testdata__zc__dump__1.19.0.json'));
    expect(result.summary).toBe('ztunnel dump (1.19-1.21 stores): 27 workloads, 19 services, 0 policies, 5 certificates');
    const ratings = workloads(result).find((w) => w.name === 'ratings-v1-6484c4d9bb-mdxm5')!;
    expect(ratings).toMatchObject({
      namespace: 'bookinfo',
      address: '10.244.2.54',
      node: 'ambient-worker2',
      waypoint: 'namespace-istio-waypoint',
      waypointDestination: '/10.96.65.117',
      protocol: 'HBONE',
      uid: 'Kubernetes//Pod/bookinfo/ratings-v1-6484c4d9bb-mdxm5',
      serviceAccount: 'bookinfo-ratings',
      source: { path: 'by_uid["Kubernetes//Pod/bookinfo/ratings-v1-6484c4d9bb-mdxm5"]' },
    });
    const reviews = services(result).find((s) => s.namespace === 'bookinfo' && s.name === 'reviews')!;
    expect(reviews).toMatchObject({
      vip: '10.96.74.131',
      waypoint: 'None',
      endpoints: { healthy: 3, total: 3 },
      hostname: 'reviews.bookinfo.svc.cluster.local',
      source: { path: 'by_host["reviews.bookinfo.svc.cluster.local"][0]' },
    });
  });

  it('1.22: maps keyed by network/ip, leaf-first certChain', () => {
    const { result } = parseDumpFile(fixture(DUMPS, 'istio-testdata__zc__dump__1.22.0.json'));
    expect(result.summary).toBe('ztunnel dump (1.22 maps): 27 workloads, 19 services, 0 policies, 5 certificates');
    expect(workloads(result).find((w) => w.name === 'productpage-v1-675fc69cf-jscn2')).toMatchObject({
      namespace: 'bookinfo',
      address: '10.244.2.53',
      waypoint: 'bookinfo-productpage-istio-waypoint',
      waypointDestination: '/10.96.71.36',
      source: { path: 'workloads["/10.244.2.53"]' },
    });
    expect(workloads(result)[0]!.source).toMatchObject({ path: 'workloads["network1/10.244.2.54"]', line: 13, excerpt: '"name": "ratings-v1-6484c4d9bb-mdxm5",' });
    expect(services(result).find((s) => s.name === 'kubernetes')).toMatchObject({ namespace: 'default', vip: '10.96.0.1', waypoint: 'None', endpoints: { healthy: 0, total: 0 } });
    expect(certificates(result).slice(0, 2).map((c) => [c.type, c.serial, c.source.path])).toEqual([
      ['Leaf', 'e5dfb59150b2ba7f108d93dcec5aa613', 'certificates[0].certChain[0]'],
      ['Root', '8a516645c40ce76c2c0d27ab4e2461c1', 'certificates[0].certChain[1]'],
    ]);
  });

  it('1.28: policies as a list, workloadState connections', () => {
    const { result } = parseDumpFile(fixture(DUMPS, 'istio-testdata__zc__dump__1.28.0.json'));
    expect(result.summary).toBe('ztunnel dump (1.22 maps): 27 workloads, 19 services, 2 policies, 5 certificates, 8 connections');
    expect(policies(result).map(({ source, ...p }) => ({ ...p, path: source.path }))).toEqual([
      { namespace: 'default', name: 'allow-nothing', action: 'Allow', scope: 'Namespace', rules: 0, path: 'policies[0]' },
      { namespace: 'default', name: 'allow-waypoint', action: 'Allow', scope: 'WorkloadSelector', rules: 1, path: 'policies[1]' },
    ]);
    expect(connections(result).find((c) => c.direction === 'Outbound' && c.workload.startsWith('productpage'))).toMatchObject({
      workload: 'productpage-v1-796f87b58-97bjk.bookinfo',
      local: '10.233.97.129:35380',
      remote: '10.233.97.136:15008',
      remoteTarget: '10.233.25.246:9080',
      protocol: 'HBONE',
      source: { path: 'workloadState["54ce2023-7c77-4bb8-b6c3-eccf619cd6f2"].connections.outbound[0]' },
    });
  });

  it('1.30 connections dump: one record per connection', () => {
    const { result } = parseDumpFile(fixture(DUMPS, 'istio-testdata__zc__connectionsdump__1.30.0.json'));
    expect(result.summary).toBe('ztunnel connections dump: 6 workloads, 8 connections');
    expect(connections(result)[0]).toMatchObject({
      workload: 'details-v1-7f85d59cff-bmpln.bookinfo',
      direction: 'Inbound',
      local: '10.233.97.136:9080',
      remote: '10.233.97.129:55018',
      remoteTarget: 'details.am.svc.cluster.local',
      source: { path: '[0].connections.inbound[0]', line: 7 },
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Cross-checks: istioctl's own rendering of the same testdata dump (see PROVENANCE.tsv).

describe.skipIf(!haveDumps || !haveTables)('ztunnel dump vs the tables istioctl rendered from it', () => {
  const dump122 = () => parseDumpFile(fixture(DUMPS, 'istio-testdata__zc__dump__1.22.0.json')).result;
  const dump128 = () => parseDumpFile(fixture(DUMPS, 'istio-testdata__zc__dump__1.28.0.json')).result;

  it('workloadsummary 1.22 (rendered from dump.json 1.22): all 27 rows', () => {
    const table = workloads(parseTableFile(fixture(TABLES, 'istio-testdata__zc__workloadsummary__1.22.0.txt')));
    expect(table).toHaveLength(27);
    expect(crossCheckWorkloads(table, workloads(dump122()))).toBe(27);
    expect(workloads(dump122())).toHaveLength(27);
  });

  it('workloadsummary_default 1.24 (dump.json is identical 1.22..1.24): all 8 rows', () => {
    const table = workloads(parseTableFile(fixture(TABLES, 'istio-testdata__zc__workloadsummary_default__1.24.0.txt')));
    expect(table).toHaveLength(8);
    expect(crossCheckWorkloads(table, workloads(dump122()))).toBe(8);
  });

  it('workloadsummary 1.20 vs the 1.19 dump (same cluster snapshot; the 1.20 dump itself is not in the fixtures)', () => {
    const table = workloads(parseTableFile(fixture(TABLES, 'istio-testdata__zc__workloadsummary__1.20.0.txt')));
    const dump = workloads(parseDumpFile(fixture(DUMPS, 'istio-testdata__zc__dump__1.19.0.json')).result);
    expect(table).toHaveLength(27);
    expect(crossCheckWorkloads(table, dump)).toBe(27);
  });

  it('allsummary 1.28 (rendered from dump.json 1.28): workloads, services, policies, certificates, connections', () => {
    const table = parseTableFile(fixture(TABLES, 'istio-testdata__zc__allsummary__1.28.0.txt'));
    const dump = dump128();
    expect(crossCheckWorkloads(workloads(table), workloads(dump))).toBe(27);

    const svc = (s: ZtunnelService) => ({ vip: s.vip, waypoint: s.waypoint, endpoints: s.endpoints });
    const byName = new Map(services(dump).map((s) => [`${s.namespace}/${s.name}`, s]));
    expect(services(table)).toHaveLength(19);
    for (const row of services(table)) expect(svc(byName.get(`${row.namespace}/${row.name}`)!), row.name).toEqual(svc(row));

    const pol = (p: ZtunnelPolicy) => [p.namespace, p.name, p.action, p.scope];
    expect(policies(dump).map(pol)).toEqual(policies(table).map(pol));
    expect(policies(table)).toHaveLength(2);

    // Same order: istioctl prints certificates in dump order.
    expect(certificates(table)).toHaveLength(5);
    expect(certificates(dump).map(certRow)).toEqual(certificates(table).map(certRow));

    expect(connections(table)).toHaveLength(8);
    expect(connections(dump).map(connRow).sort()).toEqual(connections(table).map(connRow).sort());
  });

  it('policies 1.25 (unchanged through master, whose dump.json is the 1.28 one): both rows', () => {
    const table = policies(parseTableFile(fixture(TABLES, 'istio-testdata__zc__policies__1.25.0.txt')));
    expect(table).toHaveLength(2);
    const pol = (p: ZtunnelPolicy) => [p.namespace, p.name, p.action, p.scope];
    expect(policies(dump128()).map(pol)).toEqual(table.map(pol));
  });

  it('workloadsummary_workload 1.30 (dump.json 1.28 is unchanged at 1.30): the productpage row', () => {
    const table = workloads(parseTableFile(fixture(TABLES, 'istio-testdata__zc__workloadsummary_workload__1.30.0.txt')));
    expect(table).toHaveLength(1);
    expect(crossCheckWorkloads(table, workloads(dump128()))).toBe(1);
  });

  it('connectionsummary 1.28 vs the 1.30 connections dump (rendered from the same dump.json): all 8 rows', () => {
    const table = connections(parseTableFile(fixture(TABLES, 'istio-testdata__zc__connectionsummary__1.28.0.txt')));
    const dump = connections(parseDumpFile(fixture(DUMPS, 'istio-testdata__zc__connectionsdump__1.30.0.json')).result);
    expect(table).toHaveLength(8);
    expect(dump.map(connRow).sort()).toEqual(table.map(connRow).sort());
  });

  it('secretsummary 1.18 (identical 1.18..1.21) vs the 1.18 and 1.19 dumps: all 5 rows, in order', () => {
    const table = certificates(parseTableFile(fixture(TABLES, 'istio-testdata__zc__secretsummary__1.18.0.txt')));
    expect(table).toHaveLength(5);
    for (const f of ['istio-testdata__zc__dump__1.18.0.json', 'istio-testdata__zc__dump__1.19.0.json']) {
      expect(certificates(parseDumpFile(fixture(DUMPS, f)).result).map(certRow), f).toEqual(table.map(certRow));
    }
  });
});

// ---------------------------------------------------------------------------------------------
// A hand-written 1.26 dump: the bookinfo scenario of istio.io's waypoint troubleshooting guide.

describe('hand-written 1.26 dump (lists, rootCerts)', () => {
  const { text, json, input, result } = parseDumpFile(HAND_WRITTEN);
  const lineOf = (needle: string) => splitLines(text).findIndex((l) => l.includes(needle)) + 1;
  const wl = (prefix: string) => workloads(result).find((w) => w.name.startsWith(prefix))!;
  const svc = (name: string) => services(result).find((s) => s.name === name)!;

  it('is detected and read without diagnostics', () => {
    expect(ztunnelDumpParser.detect(input)).toBe(0);
    expect(result.diagnostics).toEqual([]);
    expect(result.summary).toBe('ztunnel dump (1.23+ lists): 12 workloads, 9 services, 3 policies, 5 certificates, 2 connections');
    expect(input.indexBuilds).toBe(1);
  });

  it('workloads: pod waypoint, None, NA, dual-stack address, hostname fallback', () => {
    const { source, ...reviewsV2 } = wl('reviews-v2-6f9b55c5db');
    expect(reviewsV2).toEqual({
      namespace: 'default',
      name: 'reviews-v2-6f9b55c5db-c94sm',
      address: '10.42.0.16',
      node: 'k3d-k3s-default-agent-0',
      waypoint: 'reviews-v2-pod-waypoint',
      protocol: 'HBONE',
      waypointDestination: 'default/reviews-v2-pod-waypoint.default.svc.cluster.local',
      uid: 'Kubernetes//Pod/default/reviews-v2-6f9b55c5db-c94sm',
      serviceAccount: 'bookinfo-reviews',
    });
    expect(source).toEqual({
      file: HAND_WRITTEN,
      path: 'workloads[7]',
      line: lineOf('"name": "reviews-v2-6f9b55c5db-c94sm"'),
      excerpt: '"name": "reviews-v2-6f9b55c5db-c94sm",',
    });
    // Service-bound waypoints do not show on the pods behind them.
    expect(wl('reviews-v1').waypoint).toBe('None');
    expect(wl('reviews-v1').waypointDestination).toBeUndefined();
    expect(wl('waypoint-').protocol).toBe('TCP');
    expect(wl('productpage-v1').address).toBe('10.42.0.13,fd00:10:42::d');
    expect(wl('legacy-db')).toMatchObject({
      address: 'legacy-db.corp.example.com',
      node: '',
      waypoint: 'NA',
      waypointDestination: 'default/db-waypoint.default.svc.cluster.local',
      source: { path: 'workloads[11]', line: lineOf('"name": "legacy-db"') },
    });
  });

  it('services: hostname and VIP destinations, NA, endpoints healthy/total', () => {
    expect(svc('reviews')).toMatchObject({
      namespace: 'default',
      vip: '10.43.162.105',
      waypoint: 'reviews-svc-waypoint',
      waypointDestination: 'default/reviews-svc-waypoint.default.svc.cluster.local',
      hostname: 'reviews.default.svc.cluster.local',
      endpoints: { healthy: 2, total: 3 },
      source: { path: 'services[5]', line: lineOf('"name": "reviews",') },
    });
    expect(svc('details')).toMatchObject({ waypoint: 'waypoint', waypointDestination: 'default/waypoint.default.svc.cluster.local', endpoints: { healthy: 1, total: 1 } });
    expect(svc('productpage')).toMatchObject({ vip: '10.43.172.254,fd00:10:43::4c1f', waypoint: 'waypoint', waypointDestination: '/10.43.130.105' });
    expect(svc('httpbin')).toMatchObject({ waypoint: 'NA', waypointDestination: '/10.43.250.9' });
    expect(svc('kubernetes')).toMatchObject({ waypoint: 'waypoint', endpoints: { healthy: 0, total: 0 } });
    expect(svc('waypoint')).toMatchObject({ vip: '10.43.130.105', waypoint: 'None' });
    expect(svc('waypoint').waypointDestination).toBeUndefined();
  });

  it('policies: action, scope, rule count, dryRun', () => {
    expect(policies(result).map(({ source, ...p }) => p)).toEqual([
      { namespace: 'default', name: 'allow-nothing', action: 'Allow', scope: 'Namespace', rules: 0, dryRun: true },
      { namespace: 'default', name: 'deny-ratings-from-curl', action: 'Deny', scope: 'WorkloadSelector', rules: 1, dryRun: false },
      { namespace: 'istio-system', name: 'global-deny-legacy', action: 'Deny', scope: 'Global', rules: 2, dryRun: false },
    ]);
    expect(policies(result)[1]!.source).toMatchObject({ path: 'policies[1]', line: lineOf('"name": "deny-ratings-from-curl"') });
  });

  it('certificates: Leaf, Intermediate, Root from rootCerts, NA rows; hex serials', () => {
    expect(certificates(result).map((c) => [...certRow(c), c.source.path])).toEqual([
      ['spiffe://cluster.local/ns/default/sa/bookinfo-reviews', 'Leaf', 'Available', 'bf39f27e67cfc3867d876d2b935bb2ad', '2025-06-11T08:16:03Z', '2025-06-10T08:14:03Z', 'certificates[0].certChain[0]'],
      ['spiffe://cluster.local/ns/default/sa/bookinfo-reviews', 'Intermediate', 'Available', '55aa54d38e5267eea', '2026-01-01T00:00:00Z', '2025-01-01T00:00:00Z', 'certificates[0].certChain[1]'],
      ['spiffe://cluster.local/ns/default/sa/bookinfo-reviews', 'Root', 'Available', '1234567890abcdef', '2034-05-30T00:00:00Z', '2024-06-01T00:00:00Z', 'certificates[0].rootCerts[0]'],
      ['spiffe://cluster.local/ns/default/sa/bookinfo-ratings', 'NA', 'Initializing', 'NA', 'NA', 'NA', 'certificates[1]'],
      ['spiffe://cluster.local/ns/default/sa/curl', 'NA', 'Unavailable', 'NA', 'NA', 'NA', 'certificates[2]'],
    ]);
    expect(certificates(result)[0]!.source.line).toBe(lineOf('"serialNumber": "254183426473856104399634473011893744301"'));
    for (const c of certificates(result)) expect(c.valid).toBeUndefined();
  });

  it('never keeps certificate material', () => {
    const out = JSON.stringify(result);
    const pems: string[] = json.certificates.flatMap((c: any) => [...c.certChain, ...c.rootCerts].map((x: any) => x.pem));
    expect(pems).toHaveLength(3);
    for (const pem of pems) {
      expect(out).not.toContain(pem);
      for (const line of pem.split('\n').filter((l: string) => l.length > 8)) expect(out).not.toContain(line);
    }
    expect(out).not.toMatch(/BEGIN CERTIFICATE|"pem"|SECRET/);
  });

  it('connections: named as the default table names them', () => {
    expect(connections(result).map(({ source, ...c }) => c)).toEqual([
      {
        workload: 'curl-5b549b49b8-7kq4z.default',
        direction: 'Outbound',
        local: 'curl-5b549b49b8-7kq4z.default:51122',
        remote: 'reviews-svc-waypoint-6c8f9d7b5-x2x9p.default:15008',
        remoteTarget: 'reviews.default.svc.cluster.local:9080',
        protocol: 'HBONE',
      },
      {
        workload: 'reviews-v2-6f9b55c5db-c94sm.default',
        direction: 'Inbound',
        local: 'reviews-v2-6f9b55c5db-c94sm.default:9080',
        remote: 'reviews-v2-pod-waypoint-7f5dbd597-wx5pg.default:47210',
        remoteTarget: 'reviews.default.svc.cluster.local',
        protocol: 'HBONE',
      },
    ]);
  });

  it('minified: every record on line 1, and no excerpt of the whole document (which holds the pem)', () => {
    const minified = JSON.stringify(json);
    const r = ztunnelDumpParser.parse(makeInput('min.json', minified));
    expect(r.diagnostics).toEqual([]);
    expect(workloads(r)).toHaveLength(12);
    expect(workloads(r)[3]!.source).toEqual({ file: 'min.json', path: 'workloads[3]', line: 1 });
    expect(JSON.stringify(r)).not.toMatch(/BEGIN CERTIFICATE|SECRET/);
  });

  it('a pasted command line before the JSON shifts the lines by one', () => {
    const r = ztunnelDumpParser.parse(makeInput('cmd.txt', `$ istioctl zc all -o json [ztunnel-abcde]\n${text}`, json));
    expect(wl('reviews-v2-6f9b55c5db').source.line).toBe(lineOf('"name": "reviews-v2-6f9b55c5db-c94sm"'));
    expect(workloads(r).find((w) => w.name === 'reviews-v2-6f9b55c5db-c94sm')!.source.line).toBe(lineOf('"name": "reviews-v2-6f9b55c5db-c94sm"') + 1);
  });
});

// ---------------------------------------------------------------------------------------------

describe('detect', () => {
  const detect = (json: unknown) => ztunnelDumpParser.detect(makeInput('x.json', JSON.stringify(json) ?? '', json));

  it('claims dumps of every era, even empty ones', () => {
    expect(detect({ workloads: [], services: [], policies: [], certificates: [], staticConfig: { workloads: [], policies: [], services: [] } })).toBe(0);
    expect(detect({ workloads: { '/10.0.0.1': { workloadIps: ['10.0.0.1'], name: 'a', namespace: 'b', protocol: 'TCP' } }, services: {} })).toBe(0);
    expect(detect({ by_addr: {}, by_uid: {}, by_vip: {}, certificates: [] })).toBe(0);
    expect(detect({ workloads: { '10.0.0.1': { workloadIp: '10.0.0.1', name: 'a', namespace: 'b' } }, vips: {}, policies: {} })).toBe(0);
    expect(detect({ certificates: [{ identity: 'spiffe://cluster.local/ns/a/sa/b', state: 'Available', certChain: [] }] })).toBe(0);
    expect(detect([{ state: 'Up', connections: { inbound: [], outbound: [] }, info: { name: 'a', namespace: 'b' } }])).toBe(0);
  });

  it('leaves Kubernetes objects, Envoy dumps, analyze output and look-alikes alone', () => {
    expect(detect({ apiVersion: 'v1', kind: 'List', items: [] })).toBe(-1);
    expect(detect({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { workloads: '[]' } })).toBe(-1);
    expect(detect({ kind: 'Workloads', workloads: [{ workloadIps: ['1.1.1.1'], name: 'a', namespace: 'b' }] })).toBe(-1);
    expect(detect({ configs: [{ '@type': 'type.googleapis.com/envoy.admin.v3.BootstrapConfigDump' }] })).toBe(-1);
    expect(detect([{ code: 'IST0101', level: 'Error', message: 'Referenced gateway not found', origin: 'VirtualService default/x' }])).toBe(-1);
    expect(detect({ workloads: [{ name: 'reviews', namespace: 'default' }] })).toBe(-1); // a Kiali-like list
    expect(detect({ workloads: [] })).toBe(-1);
    expect(detect({})).toBe(-1);
    expect(detect([])).toBe(-1);
    expect(detect([1, 2])).toBe(-1);
    expect(detect(undefined)).toBe(-1);
    expect(detect(null)).toBe(-1);
    expect(detect('workloads')).toBe(-1);
  });
});

describe('robustness', () => {
  const parse = (json: unknown, text = JSON.stringify(json, null, 2) ?? '') => ztunnelDumpParser.parse(makeInput('odd.json', text, json));

  it('wrong types become diagnostics, not exceptions', () => {
    const r = parse({ workloads: 'x', services: [null, 1, {}], policies: {} });
    expect(r.records.ztunnelWorkloads).toEqual([]);
    expect(r.records.ztunnelServices).toEqual([]);
    expect(r.records.ztunnelPolicies).toEqual([]);
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      'workloads: is a string, not a list or map; skipped',
      'services[0]: service is null, not an object; skipped',
      'services[1]: service is a number, not an object; skipped',
      'services[2]: service has no namespace or name; skipped',
    ]);
    expect(r.diagnostics[1]).toMatchObject({ file: 'odd.json', line: 4 }); // the null's own line
  });

  it('odd fields inside records are reported and the rest is kept', () => {
    const r = parse({
      workloads: [
        { name: 'a', namespace: 'b', workloadIps: ['10.0.0.1', 7], protocol: 'HBONE', waypoint: { destination: 42 } },
        { name: 'c', namespace: 'b', workloadIps: [], protocol: 'TCP', waypoint: null },
      ],
      services: [
        { name: 's', namespace: 'n', hostname: 's.n.svc.cluster.local', vips: 'x', endpoints: 5, waypoint: { destination: { namespace: 'n', hostname: 's.n.svc.cluster.local' } } },
        { name: 't', namespace: 'n', vips: ['10.0.0.9'], waypoint: { destination: { Address: { network: '', address: '10.0.0.9' } } } },
      ],
      policies: [{ name: 'p', scope: 'WORKLOAD_SELECTOR', action: 'deny', rules: 'r' }, { scope: 'Global' }],
      certificates: [
        { identity: 'x', state: 'Available', certChain: 'nope' },
        { identity: 'y', state: 'Unavailable: gone', certChain: [1, { serialNumber: '0xZZ' }] },
        'z',
        { state: 'Available' },
      ],
      workloadState: { u: { connections: 'none', info: {} } },
    });
    expect(workloads(r).map(wlRow)).toEqual([
      { address: '10.0.0.1', node: '', waypoint: 'NA', protocol: 'HBONE' },
      { address: '', node: '', waypoint: 'None', protocol: 'TCP' },
    ]);
    expect(services(r).map((s) => [s.name, s.vip, s.waypoint, s.waypointDestination, s.endpoints])).toEqual([
      ['s', '', 's', 'n/s.n.svc.cluster.local', { healthy: 0, total: 0 }],
      ['t', '10.0.0.9', 'NA', '/10.0.0.9', { healthy: 0, total: 0 }],
    ]);
    expect(policies(r).map(({ source, ...p }) => p)).toEqual([{ namespace: '', name: 'p', action: 'Deny', scope: 'WorkloadSelector' }]);
    expect(certificates(r).map((c) => [c.name, c.type, c.status, c.serial])).toEqual([
      ['x', 'NA', 'Available', 'NA'],
      // The last of a chain without rootCerts is its root (the first entry was not an object).
      ['y', 'Root', 'Unavailable', '0xzz'],
    ]);
    const messages = r.diagnostics.map((d) => d.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        'workloads[0]: waypoint has no readable destination; WAYPOINT is NA',
        'services[0]: vips is a string, not a list',
        'services[0]: endpoints is a number, not a map',
        'policies[0]: rules is a string, not a list',
        'policies[1]: policy has no name; skipped',
        'certificates[0].certChain: is a string, not a list; ignored',
        'certificates[1].certChain[0]: certificate is a number, not an object; skipped',
        "certificates[1].certChain[1]: serial number '0xZZ' is not decimal; kept as written",
        'certificates[2]: certificate is a string, not an object; skipped',
        'certificates[3]: certificate has no identity; skipped',
        'workloadState.u.connections: is a string, not an object; skipped',
      ]),
    );
  });

  it('a document that is not an object is reported', () => {
    expect(parse([1, 2]).diagnostics).toHaveLength(1);
    expect(parse(undefined, '').diagnostics).toHaveLength(1);
    expect(parse('str').summary).toBe('not a ztunnel dump');
  });

  it('never throws on arbitrary JSON under the dump keys', () => {
    const anyJson = fc.jsonValue({ maxDepth: 5 });
    const dump = fc.record(
      {
        workloads: fc.oneof(anyJson, fc.array(fc.dictionary(fc.constantFrom('name', 'namespace', 'workloadIps', 'waypoint', 'uid', 'status', 'hostname'), anyJson))),
        services: fc.oneof(anyJson, fc.dictionary(fc.string(), fc.dictionary(fc.constantFrom('name', 'namespace', 'vips', 'endpoints', 'waypoint', 'hostname'), anyJson))),
        policies: anyJson,
        certificates: fc.oneof(anyJson, fc.array(fc.dictionary(fc.constantFrom('identity', 'state', 'certChain', 'rootCerts', 'ca_cert'), anyJson))),
        workloadState: anyJson,
        by_uid: anyJson,
        by_host: anyJson,
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(dump, fc.boolean(), (json, pretty) => {
        const r = parse(json, JSON.stringify(json, null, pretty ? 2 : undefined));
        for (const list of Object.values(r.records)) for (const rec of list as { source: { file: string } }[]) expect(rec.source.file).toBe('odd.json');
      }),
      { numRuns: 300 },
    );
  });
});

describe('scanJsonOffsets', () => {
  it('finds members by path, including escaped keys and strings with brackets', () => {
    const text = '{\n  "a\\"b": {"x": "]}[{,\\\\", "name": "n"},\n  "list": [\n    {"name": "first"},\n    {"name": "second"}\n  ]\n}\n';
    const offsets = scanJsonOffsets(text);
    const lines = new TextLines(text);
    const lineOf = (path: string) => lines.lineOf(offsets.get(path)!) + 1;
    expect(lineOf('["a\\"b"]')).toBe(2);
    expect(lineOf('["a\\"b"].name')).toBe(2);
    expect(lineOf('list[1]')).toBe(5);
    expect(lineOf('list[1].name')).toBe(5);
    expect(offsets.get('list[2]')).toBeUndefined();
  });
});
