/**
 * `istioctl ztunnel-config workload|service|policy|certificate|connections|all` tables, and their
 * ancestors `istioctl x ztunnel-config` (1.22) and `istioctl proxy-config workload|secret` on a
 * ztunnel pod (1.18-1.21). Header variants: `NAME`/`POD NAME`, `IP`/`ADDRESS`, optional `NETWORK`,
 * `WAYPOINT`, `PROTOCOL`, `ENDPOINTS`; certificates `NAME`/`CERTIFICATE NAME`.
 */
import { defineTable, requiredCell, rowSource, type TableSpec } from './tables.js';
import type { ZtunnelService } from './types.js';

export const has = (labels: string[], ...wanted: string[]) => wanted.every((w) => labels.includes(w));

export const ztunnelWorkloadTable = defineTable({
  kind: 'ztunnel-workloads',
  key: 'ztunnelWorkloads',
  noun: 'workloads',
  // Every release's header, and the pre-release ones pasted in issues (`WORKLOAD IP NODE NAME PROTOCOL`, `L7 SUPPORT`).
  isHeader: (l) => l.includes('NODE') && (l.includes('POD NAME') || l.includes('NAME')) && ['ADDRESS', 'IP', 'POD IP', 'WORKLOAD IP'].some((a) => l.includes(a)) && (l.includes('NAMESPACE') || l.includes('PROTOCOL')),
  headers: [
    { labels: ['NAMESPACE', 'POD NAME', 'ADDRESS', 'NODE', 'WAYPOINT', 'PROTOCOL'], anchored: true }, // 1.22+ (IP before 1.24)
    { labels: ['NAMESPACE', 'NAME', 'NETWORK', 'IP', 'NODE', 'WAYPOINT', 'PROTOCOL'], anchored: true }, // 1.21
    { labels: ['NAME', 'NAMESPACE', 'IP', 'NODE', 'WAYPOINT', 'PROTOCOL'], anchored: true }, // 1.18-1.19
    { labels: ['NAMESPACE', 'POD NAME', 'IP', 'NODE'], anchored: false }, // 1.22 --verbose=false
  ],
  toRecord(row, _table, file, problem) {
    const c = row.cells;
    // Pre-release tables had no NAMESPACE column; where the column exists, a row needs one.
    const namespace = 'NAMESPACE' in c ? requiredCell(row, ['NAMESPACE'], problem) : '';
    const name = namespace !== undefined && requiredCell(row, ['POD NAME', 'NAME'], problem);
    if (namespace === undefined || !name) return undefined;
    return {
      namespace,
      name,
      address: c['ADDRESS'] ?? c['IP'] ?? c['POD IP'] ?? c['WORKLOAD IP'] ?? '',
      node: c['NODE'] ?? '',
      waypoint: c['WAYPOINT'] ?? '',
      protocol: c['PROTOCOL'] ?? '',
      source: rowSource(file, row),
    };
  },
});

export const ztunnelServiceTable = defineTable({
  kind: 'ztunnel-services',
  key: 'ztunnelServices',
  noun: 'services',
  isHeader: (l) => has(l, 'NAMESPACE', 'SERVICE NAME', 'SERVICE VIP'),
  headers: [
    { labels: ['NAMESPACE', 'SERVICE NAME', 'SERVICE VIP', 'WAYPOINT', 'ENDPOINTS'], anchored: true }, // 1.23+
    { labels: ['NAMESPACE', 'SERVICE NAME', 'SERVICE VIP', 'WAYPOINT'], anchored: false }, // 1.22
  ],
  toRecord(row, _table, file, problem) {
    const c = row.cells;
    const namespace = requiredCell(row, ['NAMESPACE'], problem);
    const name = namespace && requiredCell(row, ['SERVICE NAME'], problem);
    if (!namespace || !name) return undefined;
    const service: ZtunnelService = { namespace, name, vip: c['SERVICE VIP'] ?? '', waypoint: c['WAYPOINT'] ?? '', source: rowSource(file, row) };
    const endpoints = c['ENDPOINTS'];
    if (endpoints) {
      const m = /^(\d+)\/(\d+)$/.exec(endpoints);
      if (m) service.endpoints = { healthy: Number(m[1]), total: Number(m[2]) };
      else problem(`ENDPOINTS '${endpoints}' is not healthy/total`);
    }
    return service;
  },
});

export const ztunnelPolicyTable = defineTable({
  kind: 'ztunnel-policies',
  key: 'ztunnelPolicies',
  noun: 'policies',
  isHeader: (l) => has(l, 'NAMESPACE', 'POLICY NAME', 'ACTION', 'SCOPE'),
  headers: [{ labels: ['NAMESPACE', 'POLICY NAME', 'ACTION', 'SCOPE'], anchored: true }],
  toRecord(row, _table, file, problem) {
    const c = row.cells;
    const name = requiredCell(row, ['POLICY NAME'], problem);
    if (!name) return undefined;
    return { namespace: c['NAMESPACE'] ?? '', name, action: c['ACTION'] ?? '', scope: c['SCOPE'] ?? '', source: rowSource(file, row) };
  },
});

export const ztunnelCertificateTable = defineTable({
  kind: 'ztunnel-certificates',
  key: 'ztunnelCertificates',
  noun: 'certificates',
  // Envoy's `proxy-config secret` says RESOURCE NAME; ztunnel's says CERTIFICATE NAME (1.22+) or NAME.
  isHeader: (l) => has(l, 'TYPE', 'STATUS', 'VALID CERT', 'SERIAL NUMBER') && (l.includes('CERTIFICATE NAME') || l[0] === 'NAME'),
  headers: [{ labels: ['CERTIFICATE NAME', 'TYPE', 'STATUS', 'VALID CERT', 'SERIAL NUMBER', 'NOT AFTER', 'NOT BEFORE'], anchored: true }],
  toRecord(row, _table, file, problem) {
    const c = row.cells;
    const name = requiredCell(row, ['CERTIFICATE NAME', 'NAME'], problem);
    if (!name) return undefined;
    const valid = c['VALID CERT'];
    return {
      name,
      type: c['TYPE'] ?? '',
      status: c['STATUS'] ?? '',
      ...(valid === 'true' || valid === 'false' ? { valid: valid === 'true' } : {}),
      serial: c['SERIAL NUMBER'] ?? '',
      notAfter: c['NOT AFTER'] ?? '',
      notBefore: c['NOT BEFORE'] ?? '',
      source: rowSource(file, row),
    };
  },
});

export const ztunnelConnectionTable = defineTable({
  kind: 'ztunnel-connections',
  key: 'ztunnelConnections',
  noun: 'connections',
  isHeader: (l) => has(l, 'WORKLOAD', 'DIRECTION', 'LOCAL', 'REMOTE'),
  headers: [
    { labels: ['WORKLOAD', 'DIRECTION', 'LOCAL', 'REMOTE', 'REMOTE TARGET', 'PROTOCOL'], anchored: true }, // 1.26+
    { labels: ['WORKLOAD', 'DIRECTION', 'LOCAL', 'REMOTE', 'REMOTE TARGET'], anchored: true },
  ],
  toRecord(row, _table, file, problem) {
    const c = row.cells;
    const workload = requiredCell(row, ['WORKLOAD'], problem);
    if (!workload) return undefined;
    return {
      workload,
      direction: c['DIRECTION'] ?? '',
      local: c['LOCAL'] ?? '',
      remote: c['REMOTE'] ?? '',
      remoteTarget: c['REMOTE TARGET'] ?? '',
      protocol: c['PROTOCOL'] ?? '',
      source: rowSource(file, row),
    };
  },
});

export const ZTUNNEL_TABLES: readonly TableSpec[] = [ztunnelWorkloadTable, ztunnelServiceTable, ztunnelPolicyTable, ztunnelCertificateTable, ztunnelConnectionTable];
