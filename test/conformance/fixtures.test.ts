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
import { isCommandLine, isElision } from '../../src/parse/tabwriter.js';
import type { FileKind } from '../../src/parse/types.js';
import { FIXTURES, HAVE_FIXTURES, noteMissingFixtures, readFixture } from '../helpers.js';

noteMissingFixtures();

interface IndexRow {
  file: string;
  kind: string;
  signature: string;
}

const FOLDERS = ['ztunnel-config-table', 'docs-ztunnel-config', 'proxy-status-table', 'docs-proxy-status', 'docs-analyze', 'analyze-input-yaml'];

function loadIndex(): IndexRow[] {
  if (!HAVE_FIXTURES) return [];
  return readFileSync(join(FIXTURES, 'INDEX.tsv'), 'utf8').split('\n').slice(1).filter(Boolean)
    .map((l) => l.split('\t'))
    .map(([file = '', kind = '', signature = '']) => ({ file, kind, signature }))
    .filter((r) => FOLDERS.includes(r.kind));
}

/** The kind a file must be detected as, from INDEX.tsv's independent format signature. */
function expectedKind(row: IndexRow): FileKind | undefined {
  // Files of bare mesh config (`defaultConfig: ...`, no `kind`) are not Kubernetes objects.
  if (row.kind === 'analyze-input-yaml') return /^kind: /m.test(readFixture(row.file).toString('utf8')) ? 'kube-resources' : undefined;
  if (row.signature.startsWith('analyze:')) return 'analyze';
  if (!row.signature.startsWith('table:')) return undefined;
  const header = row.signature.slice('table:'.length);
  if (header.includes('SERVICE NAME') && header.includes('SERVICE VIP')) return 'ztunnel-services';
  if (/^NAMESPACE (POD NAME|NAME) /.test(header) && /\b(IP|ADDRESS)\b/.test(header)) return 'ztunnel-workloads';
  if (/\b(ISTIOD|PILOT)\b/.test(header) && /\b(CDS|SUBSCRIBED TYPES)\b/.test(header)) return 'proxy-status';
  return undefined; // certificate, policy, connection tables and diffs: read by later stages
}

const rows = loadIndex();
const parsed = new Map<string, ParsedFile>(rows.map((r) => [r.file, parseFile(r.file, readFixture(r.file))]));
const inScope = rows.filter((r) => expectedKind(r) !== undefined);

describe.skipIf(!HAVE_FIXTURES)('real Istio outputs', () => {
  it('covers the fixture folders', () => {
    expect(inScope.length).toBeGreaterThanOrEqual(125);
  });

  it.each(inScope.map((r) => [r.file, r] as const))('%s is detected as its kind', (_file, row) => {
    expect(parsed.get(row.file)!.kind).toBe(expectedKind(row));
  });

  const tableRows = inScope.filter((r) => r.signature.startsWith('table:'));
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
    const records = file.records.ztunnelWorkloads ?? file.records.ztunnelServices ?? file.records.proxyStatus ?? [];
    expect(records).toHaveLength(dataRows);
    expect(file.diagnostics).toEqual([]);
    for (const record of records) {
      const line = lines[record.source.line! - 1]!;
      const tokens = line.trim().split(/\s+/);
      expect(tokens).toContain('proxy' in record ? record.proxy : record.name);
      const values = 'proxy' in record ? [record.version, record.istiod]
        : 'vip' in record ? [record.namespace, record.waypoint, record.vip]
        : [record.namespace, record.address, record.waypoint];
      for (const value of values.filter(Boolean)) expect(line).toContain(value);
    }
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

  const analyzeRows = inScope.filter((r) => r.signature.startsWith('analyze:'));
  it.each(analyzeRows.map((r) => [r.file, r] as const))('%s: every message line is read', (_file, row) => {
    const text = readFixture(row.file).toString('utf8');
    const messageLines = text.split('\n').flatMap((l, i) => (/^(Error|Warning|Warn|Info) \[IST\d{4}\]/.test(l) ? [i + 1] : []));
    const file = parsed.get(row.file)!;
    expect(file.records.analyzeMessages!.map((m) => m.source.line)).toEqual(messageLines);
    for (const m of file.records.analyzeMessages!) expect(text).toContain(`[${m.code}]`);
    expect(file.diagnostics).toEqual([]);
  });

  const yamlRows = inScope.filter((r) => r.kind === 'analyze-input-yaml');
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
