/**
 * `istioctl proxy-status` tables of every era: per-xDS columns (`CDS LDS EDS RDS [ECDS]`, ≤1.26 and
 * 1.27+ `-v 1`), with or without `CLUSTER`, `PILOT`/`ISTIOD`, and the 1.27+ default `SUBSCRIBED TYPES`.
 * Cell values: `SYNCED`, `SYNCED (6m40s)`, `NOT SENT`/`NOT_SENT`, `STALE`, `STALE (Never Acknowledged)`,
 * `ERROR`, `IGNORED`, `UNKNOWN`, or empty when the proxy does not subscribe that type.
 */
import { excerpt, type FileParser } from './parser.js';
import { findHeader, findTables } from './tabwriter.js';
import type { ParseResult, ProxyStatusRow, XdsTypeStatus } from './types.js';

const NON_TYPE_COLUMNS = new Set(['NAME', 'PROXY', 'CLUSTER', 'ISTIOD', 'PILOT', 'VERSION', 'SUBSCRIBED TYPES']);

function isProxyStatusHeader(labels: string[]): boolean {
  const has = (l: string) => labels.includes(l);
  return (has('NAME') || has('PROXY')) && (has('ISTIOD') || has('PILOT')) && (has('CDS') || has('SUBSCRIBED TYPES'));
}

/** `SYNCED (6m40s)` -> SYNCED + age; `NOT_SENT` (`istioctl x ps`, ≤1.21) -> `NOT SENT`. */
export function parseXdsCell(cell: string): XdsTypeStatus {
  const m = /^([A-Z_ ]+?)(?: \(([^)]*)\))?$/.exec(cell);
  if (!m) return { status: cell };
  const status = m[1]!.replace('_', ' ');
  const paren = m[2];
  if (paren === undefined || /%$/.test(paren)) return { status };
  if (paren === 'Never Acknowledged') return { status: `${status} (Never Acknowledged)` };
  return { status, age: paren };
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

export const proxyStatusParser: FileParser = {
  kind: 'proxy-status',
  detect: ({ head }) => findHeader(head, isProxyStatusHeader),
  parse({ file, lines }): ParseResult {
    const { tables, diagnostics } = findTables(lines, file, isProxyStatusHeader);
    const rows: ProxyStatusRow[] = [];
    let format = '';
    for (const table of tables) {
      const typeColumns = table.columns.map((c) => c.label).filter((l) => !NON_TYPE_COLUMNS.has(l));
      format = typeColumns.length > 0 ? `per-type columns ${typeColumns.join(' ')}` : 'SUBSCRIBED TYPES (1.27+ default)';
      for (const row of table.rows) {
        const c = row.cells;
        const proxy = c['NAME'] ?? c['PROXY'] ?? '';
        if (!proxy) {
          diagnostics.push({ file, line: row.line, message: 'row has no proxy NAME; skipped' });
          continue;
        }
        const record: ProxyStatusRow = {
          proxy,
          ...splitProxyName(proxy),
          cluster: c['CLUSTER'] ?? '',
          istiod: c['ISTIOD'] ?? c['PILOT'] ?? '',
          version: c['VERSION'] ?? '',
          source: { file, line: row.line, excerpt: excerpt(row.text) },
        };
        if (typeColumns.length > 0) {
          record.xds = {};
          for (const type of typeColumns) {
            const cell = c[type];
            if (cell) record.xds[type] = parseXdsCell(cell);
          }
        }
        const subscribedCell = c['SUBSCRIBED TYPES'];
        if (subscribedCell !== undefined) {
          const subscribed = parseSubscribed(subscribedCell);
          if (subscribed) record.subscribed = subscribed;
          else diagnostics.push({ file, line: row.line, message: `SUBSCRIBED TYPES '${subscribedCell}' is not 'N (T1,T2,...)'` });
        }
        rows.push(record);
      }
    }
    return { records: { proxyStatus: rows }, diagnostics, summary: `${rows.length} proxies (${format || 'no table'})` };
  },
};
