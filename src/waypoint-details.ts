/**
 * What the report shows under the guide's steps 4 and 5: per waypoint pod, what its log says (requests,
 * failures by flag, denials), and what its Envoy config holds for the Services bound to it (a chain per
 * port, its routes and RBAC policies). Reduced to rows; the report never needs the dumps or logs again.
 */
import type { ClusterSnapshot } from './model/snapshot.js';
import { serviceChains } from './model/waypoint-config.js';
import type { Provenance } from './parse/types.js';

export interface WaypointLogRow {
  waypoint: string;
  pod: string;
  file: string;
  lines: number;
  requests: number;
  served: number;
  /** `UH 3`, `NR 1`, ... most frequent first. */
  flags: { flag: string; count: number }[];
  denied: number;
  firstTime?: string;
  lastTime?: string;
}

export interface WaypointConfigRow {
  waypoint: string;
  pod: string;
  source: Provenance;
  chains: { host: string; port: number; protocol: string; routes: string[]; rbac: string[]; source: Provenance }[];
}

/** Chains listed per waypoint: enough for any real waypoint, bounded for a generated one with thousands. */
const MAX_CHAINS = 500;

export function waypointLogRows(snapshot: ClusterSnapshot): WaypointLogRow[] {
  const byPod = new Map(snapshot.waypoints.flatMap((w) => w.proxies.map((p) => [`${p.namespace}/${p.pod}`, `${w.namespace}/${w.name}`] as const)));
  const rows: WaypointLogRow[] = [];
  for (const { log, pod } of snapshot.podLogs) {
    const waypoint = pod && byPod.get(`${pod.namespace}/${pod.name}`);
    if (!waypoint || log.kind === 'ztunnel-log') continue;
    const stats = log.accessStats;
    rows.push({
      waypoint,
      pod: pod.name,
      file: log.file,
      lines: log.lines,
      requests: stats?.requests ?? 0,
      served: stats?.served ?? 0,
      flags: Object.entries(stats?.byFlag ?? {}).map(([flag, c]) => ({ flag, count: c.count })).sort((a, b) => b.count - a.count),
      denied: Object.values(stats?.rbacDenied ?? {}).reduce((n, c) => n + c.count, 0),
      ...(stats?.firstTime ? { firstTime: stats.firstTime } : {}),
      ...(stats?.lastTime ? { lastTime: stats.lastTime } : {}),
    });
  }
  return rows.sort((a, b) => a.waypoint.localeCompare(b.waypoint) || a.pod.localeCompare(b.pod));
}

export function waypointConfigRows(snapshot: ClusterSnapshot): WaypointConfigRow[] {
  const rows: WaypointConfigRow[] = [];
  for (const w of snapshot.waypoints) {
    for (const p of w.proxies) {
      if (!p.envoy) continue;
      const chains = serviceChains(p.envoy).slice(0, MAX_CHAINS).map((c) => ({
        host: c.host,
        port: c.port,
        protocol: c.protocol,
        routes: c.chain.routeConfig?.virtualHosts.flatMap((vh) => vh.routes) ?? [],
        rbac: c.chain.rbacPolicies,
        source: c.chain.source,
      }));
      rows.push({ waypoint: `${w.namespace}/${w.name}`, pod: p.pod, source: p.envoy.source, chains });
    }
  }
  return rows;
}
