/**
 * Conformance over real outputs written by the Istio project (../shared/fixtures/istio): every file
 * of the folders this stage reads is sniffed and parsed, and what was read is checked against the
 * source lines and against istioctl's own expectations. Skipped, with a warning, when absent.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { parseFile, type ParsedFile } from '../../src/parse/index.js';
import { isCommandLine, isElision } from '../../src/parse/paste.js';
import type { FileKind } from '../../src/parse/types.js';
import { FIXTURES, HAVE_FIXTURES, noteMissingFixtures, readFixture } from '../helpers.js';

noteMissingFixtures();

interface IndexRow {
  file: string;
  kind: string;
  signature: string;
}

function loadIndex(): IndexRow[] {
  if (!HAVE_FIXTURES) return [];
  return readFileSync(join(FIXTURES, 'INDEX.tsv'), 'utf8').split('\n').slice(1).filter(Boolean)
    .map((l) => l.split('\t'))
    .map(([file = '', kind = '', signature = '']) => ({ file, kind, signature }));
}

/** The kind a table's header makes it, from INDEX.tsv's independent format signature. */
function tableKind(header: string): FileKind {
  if (header.includes('SERVICE NAME') && header.includes('SERVICE VIP')) return 'ztunnel-services';
  if (/^NAMESPACE (POD NAME|NAME) /.test(header) && /\b(IP|ADDRESS)\b/.test(header)) return 'ztunnel-workloads';
  if (/^NAMESPACE POLICY NAME ACTION SCOPE/.test(header)) return 'ztunnel-policies';
  if (/^(CERTIFICATE NAME|NAME) TYPE STATUS VALID CERT/.test(header)) return 'ztunnel-certificates';
  if (/^WORKLOAD DIRECTION LOCAL REMOTE/.test(header)) return 'ztunnel-connections';
  if (/\b(ISTIOD|PILOT)\b/.test(header) && /\b(CDS|SUBSCRIBED TYPES)\b/.test(header)) return 'proxy-status';
  return 'proxy-config-table';
}

/**
 * The kind every real file must be detected as: its folder's kind, refined by INDEX.tsv's signature
 * where a folder mixes formats (docs folders hold tables, JSON fragments and free text). Fragments
 * that are not a whole capture (grep output, `pc log`, openssl text, `ps <pod>` diffs) must stay
 * `unknown`: listed, never misread.
 */
function expectedKind(row: IndexRow): FileKind {
  const text = () => readFixture(row.file).toString('utf8');
  switch (row.kind) {
    case 'analyze-input-yaml':
      return /^kind: /m.test(text()) ? 'kube-resources' : 'mesh-config';
    case 'docs-analyze':
      return 'analyze';
    case 'ztunnel-config-dump-json':
      return 'ztunnel-config-dump';
    case 'proxy-status-machine':
      return 'proxy-status-json';
    case 'proxy-config-json':
      // Whole dumps, and the per-type `pc endpoint|ecds -o json|yaml` lists (reduced the same way).
      return /^json:(configs|bootstrap|list)|^yaml/.test(row.signature) ? 'envoy-config-dump' : 'unknown';
    case 'analyze-catalog':
    case 'analyze-expectations':
      return 'unknown'; // Istio's message catalogue and test expectations: reference data, not captures
  }
  if (row.signature.startsWith('table:')) {
    // `zc all`: several ztunnel tables in one file.
    if (/allsummary/.test(row.file)) return 'ztunnel-all';
    return tableKind(row.signature.slice('table:'.length));
  }
  // `pc all` with --with-headers banners: the proxy-config tables it holds.
  if (/summary_withheaders/.test(row.file)) return 'proxy-config-table';
  // A `$ kubectl ... | xargs istioctl pc endpoints` block still prints the endpoint table header.
  if (/^ENDPOINT\s+STATUS\s+OUTLIER CHECK\s+CLUSTER$/m.test(text())) return 'proxy-config-table';
  // `istioctl proxy-status <pod>`: istiod's config compared with the proxy's.
  if (row.signature === 'diff') return 'proxy-status-diff';
  // `istioctl pc endpoint <pod> | grep x`: endpoint rows without their header.
  if (/^\$ istioctl .*proxy-config endpoints? .*\| grep /.test(text()) && /^\S+:\d+\s+HEALTHY\s+OK\s+\S+$/m.test(text())) return 'proxy-config-table';
  // The command failed and the docs show its error: a failed capture, not an unknown file.
  if (/^\$ .*\nError: /.test(text())) return 'command-error';
  return 'unknown';
}

/** The string cells of a record: each must appear on the record's source line. */
function recordValues(record: object): string[] {
  const values: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (key === 'source' || key === 'table' || key === 'xds' || key === 'subscribed' || key === 'endpoints' || key === 'pod' || key === 'namespace' && 'proxy' in record) continue;
    if (typeof value === 'string' && value !== '') values.push(value);
    if (key === 'cells') values.push(...Object.values(value as Record<string, string>).filter(Boolean));
  }
  return values;
}

const rows = loadIndex();
const parsed = new Map<string, ParsedFile>(rows.map((r) => [r.file, parseFile(r.file, readFixture(r.file))]));
const inScope = rows;

describe.skipIf(!HAVE_FIXTURES)('real Istio outputs', () => {
  it('covers every file of the fixture folders', () => {
    expect(rows.length).toBeGreaterThanOrEqual(230);
  });

  it.each(inScope.map((r) => [r.file, r] as const))('%s is detected as its kind', (_file, row) => {
    expect(parsed.get(row.file)!.kind).toBe(expectedKind(row));
  });

  const tableRows = inScope.filter((r) => r.signature.startsWith('table:') && !/allsummary/.test(r.file));
  it.each(tableRows.map((r) => [r.file, r] as const))('%s: one record per data row, with the values of its line', (_file, row) => {
    const lines = readFixture(row.file).toString('utf8').split('\n');
    const header = row.signature.slice('table:'.length);
    const headerIndex = lines.findIndex((l) => l.trim().split(/\s+/).join(' ') === header);
    expect(headerIndex).toBeGreaterThanOrEqual(0);
    let dataRows = 0;
    for (let i = headerIndex + 1; i < lines.length && lines[i]!.trim() !== '' && !isCommandLine(lines[i]!); i++) {
      if (!isElision(lines[i]!)) dataRows++;
    }
    const file = parsed.get(row.file)!;
    const records = Object.values(file.records).flat() as { source: { line?: number } }[];
    expect(records).toHaveLength(dataRows);
    // Hand-edited docs may misalign a row; real istioctl output never does.
    if (!row.kind.startsWith('docs-')) expect(file.diagnostics).toEqual([]);
    for (const record of records) {
      const line = lines[record.source.line! - 1]!;
      for (const value of recordValues(record)) expect(line).toContain(value);
    }
  });

  it('reads every table of a `ztunnel-config all` capture', () => {
    const all = parsed.get('ztunnel-config-table/istio-testdata__zc__allsummary__1.28.0.txt')!;
    expect(Object.fromEntries(Object.entries(all.records).map(([k, v]) => [k, (v as unknown[]).length]))).toEqual({
      ztunnelWorkloads: 27, ztunnelServices: 19, ztunnelPolicies: 2, ztunnelCertificates: 5, ztunnelConnections: 8,
    });
    expect(all.diagnostics).toEqual([]);
  });

  it('reads the values of known rows exactly', () => {
    const zw = parsed.get('ztunnel-config-table/istio-testdata__zc__workloadsummary_default__1.24.0.txt')!.records.ztunnelWorkloads!;
    expect(zw[1]).toMatchObject({ namespace: 'default', name: 'httpbin-7447985f87-t8hv7', address: '10.244.1.40', node: 'ambient-worker', waypoint: 'None', protocol: 'TCP' });
    const legacy = parsed.get('ztunnel-config-table/istio-testdata__zc__workloadsummary__1.20.0.txt')!.records.ztunnelWorkloads!;
    expect(legacy.find((w) => w.name.startsWith('productpage-v1-675fc69cf-jscn2'))).toMatchObject({ namespace: 'bookinfo', waypoint: 'bookinfo-productpage-istio-waypoint', protocol: 'HBONE' });
    const zs = parsed.get('docs-ztunnel-config/istio.io__docs-ambient-usage-troubleshoot-waypoint__ztunnel-config-service__2024-11-07.txt')!.records.ztunnelServices!;
    expect(zs.find((s) => s.name === 'reviews')).toMatchObject({ namespace: 'default', vip: '10.43.162.105', waypoint: 'reviews-svc-waypoint' });
    const ps = parsed.get('docs-proxy-status/istio.io__docs-ambient-usage-waypoint__proxy-status__2024-05-07.txt')!.records.proxyStatus!;
    expect(ps.find((p) => p.pod.startsWith('reviews-v2-pod-waypoint'))!.xds).toEqual({
      CDS: { status: 'SYNCED' }, LDS: { status: 'SYNCED' }, EDS: { status: 'NOT SENT' }, RDS: { status: 'NOT SENT' }, ECDS: { status: 'NOT SENT' },
    });
    const verbose = parsed.get('proxy-status-table/istio-testdata__ps__multiXdsStatusMultiPilot_verbose__1.27.0.txt')!.records.proxyStatus!;
    expect(verbose[0]).toMatchObject({ proxy: 'proxy1', cluster: 'cluster1', istiod: 'istiod1', version: '1.20', xds: { CDS: { status: 'STALE' }, RDS: { status: 'NOT SENT' } } });
    const subscribed = parsed.get('proxy-status-table/istio-testdata__ps__multiXdsStatusMultiPilot__1.27.0.txt')!.records.proxyStatus!;
    expect(subscribed.map((p) => p.subscribed?.count)).toEqual([5, 5, 5, 0]);
  });

  const certs = () => parsed.get('ztunnel-config-table/istio-testdata__zc__secretsummary__1.18.0.txt')!.records.ztunnelCertificates!;
  it('reads multi-word certificate values of the 1.18 `pc secret` table', () => {
    expect(certs().map((c) => [c.type, c.status, c.valid])).toEqual([
      ['CA', 'Available', true], ['Cert Chain', 'Available', false], ['NA', 'Initializing', false], ['NA', 'Unavailable', false], ['NA', 'Unavailable', false],
    ]);
  });

  const analyzeRows = inScope.filter((r) => r.signature.startsWith('analyze:'));
  it.each(analyzeRows.map((r) => [r.file, r] as const))('%s: every message line is read', (_file, row) => {
    const text = readFixture(row.file).toString('utf8');
    const messageLines = text.split('\n').flatMap((l, i) => (/^(Error|Warning|Warn|Info) \[IST\d{4}\]/.test(l) ? [i + 1] : []));
    const file = parsed.get(row.file)!;
    expect(file.records.analyzeMessages!.map((m) => m.source.line)).toEqual(messageLines);
    for (const m of file.records.analyzeMessages!) expect(text).toContain(`[${m.code}]`);
    expect(file.diagnostics).toEqual([]);
  });

  const yamlRows = inScope.filter((r) => r.kind === 'analyze-input-yaml' && expectedKind(r) === 'kube-resources');
  it.each(yamlRows.map((r) => [r.file, r] as const))('%s: one object per YAML document', (_file, row) => {
    const text = readFixture(row.file).toString('utf8');
    // Independent count: js-yaml's own multi-document loader, items of Lists counted one by one.
    let expected = 0;
    for (const doc of yaml.loadAll(text, undefined, { schema: yaml.CORE_SCHEMA }) as Record<string, unknown>[]) {
      if (!doc || typeof doc !== 'object') continue;
      if (Array.isArray(doc['items'])) expected += (doc['items'] as unknown[]).length;
      else if (doc['kind'] && (doc['metadata'] as Record<string, unknown> | undefined)?.['name']) expected += 1;
    }
    const file = parsed.get(row.file)!;
    expect(file.records.kubeObjects!.length).toBe(expected);
  });

  it('finds the objects named in istioctl analyze test expectations', () => {
    const expectations = JSON.parse(readFileSync(join(FIXTURES, 'analyze-expectations', 'analyzer-test-expectations.json'), 'utf8')) as {
      cases: { name: string; inputFiles: string[]; expected: { origin?: string }[] }[];
    };
    let checked = 0;
    const missing: string[] = [];
    for (const testCase of expectations.cases) {
      const objects = new Set<string>();
      for (const input of testCase.inputFiles) {
        const file = parsed.get(`analyze-input-yaml/${input}`);
        for (const o of file?.records.kubeObjects ?? []) objects.add(`${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`);
        // Test-grid origins omit the namespace for objects in `default`, as istioctl's tests do.
        for (const o of file?.records.kubeObjects ?? []) objects.add(`${o.kind} ${o.name}`);
      }
      for (const { origin } of testCase.expected) {
        if (!origin || /^(MeshConfig|MeshNetworks) /.test(origin)) continue;
        checked++;
        if (!objects.has(origin)) missing.push(`${testCase.name}: ${origin}`);
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(missing).toEqual([]);
  });
});
