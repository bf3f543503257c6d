/**
 * `istioctl ztunnel-config workload|service` tables (and their ancestors `istioctl x ztunnel-config`,
 * 1.22, and `istioctl proxy-config workload` on a ztunnel pod, 1.18-1.21). Header variants:
 * `NAME`/`POD NAME`, `IP`/`ADDRESS`, optional `NETWORK`, `WAYPOINT` and `PROTOCOL`, optional `ENDPOINTS`.
 */
import { excerpt, type FileParser } from './parser.js';
import { findHeader, findTables } from './tabwriter.js';
import type { Diagnostic, ParseResult, ZtunnelService, ZtunnelWorkload } from './types.js';

function isWorkloadHeader(labels: string[]): boolean {
  const has = (l: string) => labels.includes(l);
  return has('NAMESPACE') && (has('POD NAME') || has('NAME')) && (has('ADDRESS') || has('IP')) && has('NODE');
}

function isServiceHeader(labels: string[]): boolean {
  return labels.includes('NAMESPACE') && labels.includes('SERVICE NAME') && labels.includes('SERVICE VIP');
}

export const ztunnelWorkloadParser: FileParser = {
  kind: 'ztunnel-workloads',
  detect: ({ head }) => findHeader(head, isWorkloadHeader),
  parse({ file, lines }): ParseResult {
    const { tables, diagnostics } = findTables(lines, file, isWorkloadHeader);
    const workloads: ZtunnelWorkload[] = [];
    for (const table of tables) {
      for (const row of table.rows) {
        const c = row.cells;
        const name = c['POD NAME'] ?? c['NAME'] ?? '';
        const namespace = c['NAMESPACE'] ?? '';
        if (!name || !namespace) {
          diagnostics.push(missingCells(file, row.line, 'NAMESPACE and POD NAME'));
          continue;
        }
        workloads.push({
          namespace,
          name,
          address: c['ADDRESS'] ?? c['IP'] ?? '',
          node: c['NODE'] ?? '',
          waypoint: c['WAYPOINT'] ?? '',
          protocol: c['PROTOCOL'] ?? '',
          source: { file, line: row.line, excerpt: excerpt(row.text) },
        });
      }
    }
    return { records: { ztunnelWorkloads: workloads }, diagnostics, summary: `${workloads.length} workloads` };
  },
};

export const ztunnelServiceParser: FileParser = {
  kind: 'ztunnel-services',
  detect: ({ head }) => findHeader(head, isServiceHeader),
  parse({ file, lines }): ParseResult {
    const { tables, diagnostics } = findTables(lines, file, isServiceHeader);
    const services: ZtunnelService[] = [];
    for (const table of tables) {
      for (const row of table.rows) {
        const c = row.cells;
        const name = c['SERVICE NAME'] ?? '';
        const namespace = c['NAMESPACE'] ?? '';
        if (!name || !namespace) {
          diagnostics.push(missingCells(file, row.line, 'NAMESPACE and SERVICE NAME'));
          continue;
        }
        const service: ZtunnelService = {
          namespace,
          name,
          vip: c['SERVICE VIP'] ?? '',
          waypoint: c['WAYPOINT'] ?? '',
          source: { file, line: row.line, excerpt: excerpt(row.text) },
        };
        const endpoints = c['ENDPOINTS'];
        if (endpoints) {
          const m = /^(\d+)\/(\d+)$/.exec(endpoints);
          if (m) service.endpoints = { healthy: Number(m[1]), total: Number(m[2]) };
          else diagnostics.push({ file, line: row.line, message: `ENDPOINTS '${endpoints}' is not healthy/total` });
        }
        services.push(service);
      }
    }
    return { records: { ztunnelServices: services }, diagnostics, summary: `${services.length} services` };
  },
};

function missingCells(file: string, line: number, what: string): Diagnostic {
  return { file, line, message: `row has no ${what}; skipped` };
}
