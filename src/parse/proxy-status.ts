/**
 * `istioctl proxy-status` tables of every era: per-xDS columns (`CDS LDS EDS RDS [ECDS]`, ≤1.26 and
 * 1.27+ `-v 1`), with or without `CLUSTER`, `PILOT`/`ISTIOD`, and the 1.27+ default `SUBSCRIBED TYPES`.
 * Cell values: `SYNCED`, `SYNCED (6m40s)`, `NOT SENT`/`NOT_SENT`, `STALE`, `STALE (Never Acknowledged)`,
 * `ERROR`, `IGNORED`, `UNKNOWN`, or empty when the proxy does not subscribe that type.
 */
import { knownShape, XDS_CORE_STATUS, XDS_STATUS, type ColumnShape } from './row-shapes.js';
import { defineTable, requiredCell, rowSource } from './tables.js';
import type { Table } from './tabwriter.js';
import type { ProxyStatusRow, XdsTypeStatus } from './types.js';

const CORE_TYPES = new Set(['CDS', 'LDS', 'EDS', 'RDS']);
const NON_TYPE_COLUMNS = new Set(['NAME', 'PROXY', 'CLUSTER', 'MESH', 'ISTIOD', 'PILOT', 'VERSION', 'SUBSCRIBED TYPES']);

/** Any era's header, also one cut or trimmed by hand (`NAME CDS LDS EDS RDS`, no VERSION). */
function isProxyStatusHeader(labels: string[]): boolean {
  const has = (l: string) => labels.includes(l);
  if (labels[0] === 'CDS') return has('LDS') && (has('ISTIOD') || has('PILOT')); // the NAME column cut off by hand
  if (!(labels[0] === 'NAME' || labels[0] === 'PROXY')) return false;
  return has('SUBSCRIBED TYPES') || (has('CDS') && has('LDS')) || ((has('ISTIOD') || has('PILOT')) && has('VERSION'));
}

/** Columns other than the per-type ones have their own shapes; every other column is an xDS type. */
function shapeOf(label: string): ColumnShape | undefined {
  if (NON_TYPE_COLUMNS.has(label)) return knownShape(label);
  return CORE_TYPES.has(label) ? XDS_CORE_STATUS : XDS_STATUS;
}

/**
 * `SYNCED (6m40s)` -> SYNCED + age; `NOT_SENT` (`istioctl x ps`, ≤1.21) -> `NOT SENT`; 1.1-1.2's EDS
 * percentage dropped (`SYNCED (100%)`, `STALE (Never Acknowledged) (20%)`).
 */
export function parseXdsCell(cell: string): XdsTypeStatus {
  const m = /^([A-Z_ ]+?)((?: \([^)]*\))*)$/.exec(cell);
  if (!m) return { status: cell };
  let status = m[1]!.replace('_', ' ');
  let age: string | undefined;
  for (const [, paren = ''] of m[2]!.matchAll(/\(([^)]*)\)/g)) {
    if (paren === 'Never Acknowledged') status = `${status} (Never Acknowledged)`;
    else if (!/%$/.test(paren)) age = paren;
  }
  return age ? { status, age } : { status };
}

/** `5 (CDS,LDS,EDS,RDS,ECDS)` or `0`. */
function parseSubscribed(cell: string): { count: number; types: string[] } | undefined {
  const m = /^(\d+)(?: \(([^)]*)\))?$/.exec(cell);
  if (!m) return undefined;
  return { count: Number(m[1]), types: m[2] ? m[2].split(',').map((t) => t.trim()) : [] };
}

/** Kubernetes proxies print as `<pod>.<namespace>`; namespaces hold no dots, pod names may. */
export function splitProxyName(proxy: string): { pod: string; namespace: string } {
  const dot = proxy.lastIndexOf('.');
  return dot > 0 ? { pod: proxy.slice(0, dot), namespace: proxy.slice(dot + 1) } : { pod: proxy, namespace: '' };
}

export const proxyStatusTable = defineTable({
  kind: 'proxy-status',
  key: 'proxyStatus',
  noun: 'proxies',
  isHeader: isProxyStatusHeader,
  shapeOf,
  headers: [
    { labels: ['NAME', 'CLUSTER', 'CDS', 'LDS', 'EDS', 'RDS', 'ECDS', 'ISTIOD', 'VERSION'], anchored: true }, // 1.14-1.26
    { labels: ['NAME', 'CLUSTER', 'ISTIOD', 'VERSION', 'SUBSCRIBED TYPES'], anchored: true }, // 1.27+
    { labels: ['NAME', 'CLUSTER', 'CDS', 'LDS', 'EDS', 'RDS', 'ISTIOD', 'VERSION'], anchored: true }, // 1.13
    { labels: ['NAME', 'CDS', 'LDS', 'EDS', 'RDS', 'ISTIOD', 'VERSION'], anchored: true }, // 1.7-1.12
    { labels: ['NAME', 'CDS', 'LDS', 'EDS', 'RDS', 'PILOT', 'VERSION'], anchored: true }, // 1.1-1.6
  ],
  describe(table) {
    const types = typeColumns(table);
    return types.length > 0 ? `per-type columns ${types.join(' ')}` : 'SUBSCRIBED TYPES, 1.27+ default';
  },
  toRecord(row, table, file, problem) {
    const c = row.cells;
    // A table whose NAME column was cut off by hand still says how its one proxy is synced.
    const nameless = !('NAME' in c) && !('PROXY' in c);
    const proxy = nameless ? '' : requiredCell(row, ['NAME', 'PROXY'], problem);
    if (proxy === undefined) return undefined;
    const record: ProxyStatusRow = {
      proxy,
      ...splitProxyName(proxy),
      cluster: c['CLUSTER'] ?? '',
      istiod: c['ISTIOD'] ?? c['PILOT'] ?? '',
      version: c['VERSION'] ?? '',
      source: rowSource(file, row),
    };
    const types = typeColumns(table);
    if (types.length > 0) {
      record.xds = {};
      for (const type of types) {
        const cell = c[type];
        if (cell) record.xds[type] = parseXdsCell(cell);
      }
    }
    const subscribedCell = c['SUBSCRIBED TYPES'];
    if (subscribedCell !== undefined) {
      const subscribed = parseSubscribed(subscribedCell);
      if (subscribed) record.subscribed = subscribed;
      else problem(`SUBSCRIBED TYPES '${subscribedCell}' is not 'N (T1,T2,...)'`);
    }
    return record;
  },
});

function typeColumns(table: Table): string[] {
  return table.columns.map((c) => c.label).filter((l) => !NON_TYPE_COLUMNS.has(l));
}
