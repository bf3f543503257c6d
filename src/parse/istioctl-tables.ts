/**
 * The other istioctl tables a ticket may carry: `istioctl waypoint list` and the Envoy
 * `istioctl proxy-config cluster|listener|route|endpoint|secret` tables (kept as cells).
 */
import type { ColumnShape } from './row-shapes.js';
import { defineTable, requiredCell, rowSource } from './tables.js';
import type { ProxyConfigRow } from './types.js';
import { has } from './ztunnel-config.js';

/** `NAMESPACE NAME REVISION TRAFFIC TYPE PROGRAMMED` (-A), or without NAMESPACE, or before TRAFFIC TYPE existed. */
export const waypointListTable = defineTable({
  kind: 'waypoint-list',
  key: 'waypointList',
  noun: 'waypoints',
  isHeader: (l) => has(l, 'NAME', 'REVISION', 'PROGRAMMED'),
  headers: [
    { labels: ['NAMESPACE', 'NAME', 'REVISION', 'TRAFFIC TYPE', 'PROGRAMMED'], anchored: true },
    { labels: ['NAME', 'REVISION', 'TRAFFIC TYPE', 'PROGRAMMED'], anchored: true },
    { labels: ['NAMESPACE', 'NAME', 'REVISION', 'PROGRAMMED'], anchored: false },
    { labels: ['NAME', 'REVISION', 'PROGRAMMED'], anchored: false },
  ],
  toRecord(row, _table, file, problem) {
    const c = row.cells;
    const name = requiredCell(row, ['NAME'], problem);
    if (!name) return undefined;
    return {
      namespace: c['NAMESPACE'] ?? '',
      name,
      revision: c['REVISION'] ?? '',
      trafficType: c['TRAFFIC TYPE'] ?? '',
      programmed: c['PROGRAMMED'] ?? '',
      source: rowSource(file, row),
    };
  },
});

/** Which proxy-config table a header belongs to, from the labels only that table has. */
function proxyConfigTableOf(l: string[]): ProxyConfigRow['table'] | undefined {
  if (has(l, 'SERVICE FQDN', 'PORT', 'DIRECTION')) return 'cluster';
  if (has(l, 'VALID CERT', 'RESOURCE NAME')) return 'secret';
  if (has(l, 'DOMAINS', 'MATCH', 'VIRTUAL SERVICE')) return 'route';
  if (has(l, 'STATUS', 'CLUSTER') && (l[0] === 'ENDPOINT' || has(l, 'NAME', 'LOCALITY'))) return 'endpoint';
  if (l.includes('PORT') && (l.includes('ADDRESS') || l.includes('ADDRESSES')) && (l.includes('MATCH') || l.includes('TYPE'))) return 'listener';
  if (has(l, 'LISTENER', 'CHAIN', 'MATCH', 'DESTINATION')) return 'listener';
  return undefined;
}

/** `istioctl proxy-config endpoint` values: `10.0.0.11:5000`, `HEALTHY`, `OK`, a cluster name. */
const ENDPOINT_SHAPES: Record<string, ColumnShape> = {
  ENDPOINT: { value: /^(?:\d{1,3}(?:\.\d{1,3}){3}|\[?[0-9a-fA-F:]+\]?):\d+$|^(?:unix|envoy):\/\/\S+$/ },
  STATUS: { value: /^(?:HEALTHY|UNHEALTHY|DRAINING|TIMEOUT|DEGRADED|UNKNOWN)$/ },
  'OUTLIER CHECK': { value: /^(?:OK|FAILED)$/ },
  CLUSTER: { value: /^\S+$/ },
};

/** The endpoint table on its own, so its rows can be read by value shape (and without a header, as `| grep x` prints them). */
export const proxyConfigEndpointTable = defineTable({
  kind: 'proxy-config-table',
  key: 'proxyConfigRows',
  noun: 'proxy-config rows',
  isHeader: (l) => l.length === 4 && has(l, 'ENDPOINT', 'STATUS', 'OUTLIER CHECK', 'CLUSTER'),
  headers: [{ labels: ['ENDPOINT', 'STATUS', 'OUTLIER CHECK', 'CLUSTER'], anchored: true }],
  shapeOf: (label) => ENDPOINT_SHAPES[label],
  describe: () => 'endpoint table',
  toRecord(row, _table, file) {
    return { table: 'endpoint', cells: row.cells, source: rowSource(file, row) };
  },
});

export const proxyConfigTable = defineTable({
  kind: 'proxy-config-table',
  key: 'proxyConfigRows',
  noun: 'proxy-config rows',
  isHeader: (l) => proxyConfigTableOf(l) !== undefined,
  // Too many layouts across versions to read without a header; their values are kept as printed.
  headers: [],
  shapeOf: null,
  describe: (table) => `${proxyConfigTableOf(table.columns.map((c) => c.label))} table`,
  toRecord(row, table, file) {
    return { table: proxyConfigTableOf(table.columns.map((c) => c.label))!, cells: row.cells, source: rowSource(file, row) };
  },
});
