/**
 * Compares what the parser reads in a pasted output with what a person reads in it
 * (test/fixtures/pasted/expected.json, written from the text, never from the parser).
 */
import type { ParsedFile } from '../../src/parse/index.js';
import type { AnalyzeMessage, ProxyStatusRow } from '../../src/parse/types.js';

export interface ExpectedPaste {
  outputs: string[];
  ztunnelWorkloads?: Record<string, string>[];
  ztunnelServices?: Record<string, string>[];
  ztunnelPolicies?: Record<string, string>[];
  ztunnelCertificates?: Record<string, string>[];
  ztunnelConnections?: Record<string, string>[];
  proxyStatus?: (Record<string, unknown> & { xds?: Record<string, string> })[];
  analyzeMessages?: { level: string; code: string; kind: string | null; namespace: string | null; name: string | null }[];
  waypointList?: Record<string, string>[];
  error?: string;
  unreadable?: string[];
}

/** Output kinds as the person wrote them, as the parser names them. */
const KIND: Record<string, string> = { error: 'command-error' };

/**
 * Fields the parser reads under another name, or ('') does not keep: 1.21's NETWORK, a pre-release's
 * L7 SUPPORT and MESH, the HITS/MISSES of a proposed policy table (istio/istio#56027).
 */
const FIELD: Record<string, string> = { l7Support: '', mesh: '', network: '', hits: '', misses: '', validCert: 'valid', serialNumber: 'serial' };

function kindsOf(file: ParsedFile): string[] {
  return file.parts ? file.parts.map((p) => p.kind).filter((k) => k !== 'unknown') : file.kind === 'unknown' ? [] : [file.kind];
}

function sameRows(label: string, expected: Record<string, unknown>[] | undefined, actual: Record<string, unknown>[], project: (row: Record<string, unknown>, keys: string[]) => Record<string, unknown>): string[] {
  if (!expected) return actual.length ? [`${label}: ${actual.length} unexpected rows`] : [];
  const problems: string[] = [];
  if (expected.length !== actual.length) problems.push(`${label}: ${actual.length} rows read, ${expected.length} expected`);
  expected.forEach((want, i) => {
    const got = actual[i];
    if (!got) return;
    const keys = Object.keys(want).filter((k) => FIELD[k] !== '' && k !== 'note');
    const seen = project(got, keys.map((k) => FIELD[k] ?? k));
    for (const k of keys) {
      const value = seen[FIELD[k] ?? k];
      const read = typeof value === 'boolean' ? String(value) : value;
      if (JSON.stringify(read ?? '') !== JSON.stringify(want[k] ?? '')) problems.push(`${label}[${i}].${k}: read ${JSON.stringify(read)}, expected ${JSON.stringify(want[k])}`);
    }
  });
  return problems;
}

const plain = (row: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.map((k) => [k, row[k]]));

function proxyStatus(row: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const p = row as unknown as ProxyStatusRow;
  const out: Record<string, unknown> = plain(row, keys);
  if (keys.includes('xds')) out['xds'] = Object.fromEntries(Object.entries(p.xds ?? {}).map(([t, s]) => [t, s.status]));
  if (keys.includes('subscribed')) out['subscribed'] = p.subscribed ? `${p.subscribed.count}${p.subscribed.types.length ? ` (${p.subscribed.types.join(',')})` : ''}` : undefined;
  return out;
}

function analyze(row: Record<string, unknown>): Record<string, unknown> {
  const m = row as unknown as AnalyzeMessage;
  return { level: m.level, code: m.code, kind: m.origin?.kind ?? null, namespace: m.origin?.namespace ?? null, name: m.origin?.name ?? null };
}

/** Every difference between the parse and the person's reading; empty when they agree. */
export function comparePaste(file: ParsedFile, expected: ExpectedPaste): string[] {
  const problems: string[] = [];
  const wantKinds = expected.outputs.map((k) => KIND[k] ?? k);
  const gotKinds = kindsOf(file);
  if (JSON.stringify(gotKinds) !== JSON.stringify(wantKinds)) problems.push(`outputs: read ${gotKinds.join(',') || 'none'}, expected ${wantKinds.join(',')}`);
  const r = file.records as Record<string, Record<string, unknown>[] | undefined>;
  for (const key of ['ztunnelWorkloads', 'ztunnelServices', 'ztunnelPolicies', 'ztunnelCertificates', 'ztunnelConnections', 'waypointList'] as const) {
    problems.push(...sameRows(key, expected[key], r[key] ?? [], key === 'ztunnelServices' ? services : plain));
  }
  problems.push(...sameRows('proxyStatus', expected.proxyStatus, r['proxyStatus'] ?? [], proxyStatus));
  problems.push(...sameRows('analyzeMessages', expected.analyzeMessages, r['analyzeMessages'] ?? [], analyze));
  if (expected.error) {
    const got = file.records.captureErrors?.[0]?.message ?? '';
    if (!got.startsWith(expected.error.split('\n')[0]!)) problems.push(`error: read ${JSON.stringify(got)}, expected ${JSON.stringify(expected.error)}`);
  }
  return problems;
}

function services(row: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out = plain(row, keys);
  const e = row['endpoints'] as { healthy: number; total: number } | undefined;
  if (keys.includes('endpoints')) out['endpoints'] = e ? `${e.healthy}/${e.total}` : undefined;
  return out;
}
