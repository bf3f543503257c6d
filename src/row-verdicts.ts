/**
 * The per-service verdicts of the report's inventory: for each Service and Pod row, the waypoint's
 * sync state, the policies and routes attached through it, the findings about it, and a verdict.
 * Indexed once (policies, routes, findings by subject), never a scan per row: 20,000 rows stay cheap.
 */
import type { BindingRow } from './inventory.js';
import { policiesOf, resolveTargetRef } from './model/policies.js';
import { parentKind, routesOf } from './model/routes.js';
import { objectKey, type ClusterSnapshot } from './model/snapshot.js';
import { waypointSyncProblems } from './model/known-waypoints.js';
import type { Finding } from './rules/types.js';

export type RowVerdict = 'ok' | 'problem' | 'no-waypoint' | 'unknown';

export interface RowVerdicts {
  verdict: RowVerdict;
  /** Whether every pod of the waypoint it uses is in sync; undefined when proxy-status does not say. */
  synced?: boolean;
  /** AuthorizationPolicies (and other targetRefs policies) that reach it at its waypoint, `namespace/name`. */
  policies: string[];
  /** HTTPRoutes, GRPCRoutes... attached to it, `namespace/name`. */
  routes: string[];
  /** Ids of the failing findings about it. */
  findings: string[];
}

const KEY = (kind: string, ns: string, name: string) => `${kind}/${ns}/${name}`;

export function rowVerdicts(snapshot: ClusterSnapshot, rows: readonly BindingRow[], findings: readonly Finding[]): RowVerdicts[] {
  const findingsOf = new Map<string, string[]>();
  for (const f of findings) {
    if (f.status !== 'fail' || f.severity === 'info' || !f.subject || !f.id) continue;
    const k = KEY(f.subject.kind, f.subject.namespace ?? '', f.subject.name);
    findingsOf.set(k, [...(findingsOf.get(k) ?? []), f.id]);
  }
  const { byService, byWaypoint } = policyIndex(snapshot);
  const routes = routeIndex(snapshot);
  const sync = syncIndex(snapshot);
  return rows.map((row) => {
    const own = findingsOf.get(KEY(row.kind, row.namespace, row.name)) ?? [];
    const waypoint = row.expected && row.expected !== 'None' ? waypointKey(row) : undefined;
    const policies = [...(byService.get(objectKey(row.namespace, row.name)) ?? []), ...(waypoint ? byWaypoint.get(waypoint) ?? [] : [])];
    const synced = waypoint ? sync.get(waypoint) : undefined;
    const broken = row.agrees === false || ['waypoint-missing', 'waypoint-not-ready', 'traffic-type-unsupported', 'attachment-denied'].includes(row.state);
    const verdict: RowVerdict = own.length || broken || synced === false ? 'problem' : row.state === 'observed-only' ? 'unknown' : !waypoint ? 'no-waypoint' : 'ok';
    return { verdict, ...(synced !== undefined ? { synced } : {}), policies: [...new Set(policies)].sort(), routes: routes.get(objectKey(row.namespace, row.name)) ?? [], findings: own };
  });
}

/** `namespace/name` of the waypoint a row's expected value names (the expected waypoint is in the request's namespace). */
function waypointKey(row: BindingRow): string {
  const ns = row.requested.includes('/') ? row.requested.slice(0, row.requested.indexOf('/')) : row.namespace;
  return objectKey(ns, row.expected);
}

function policyIndex(snapshot: ClusterSnapshot) {
  const byService = new Map<string, string[]>();
  const byWaypoint = new Map<string, string[]>();
  const add = (m: Map<string, string[]>, k: string, v: string) => m.set(k, [...(m.get(k) ?? []), v]);
  for (const policy of policiesOf(snapshot, 'AuthorizationPolicy')) {
    const name = objectKey(policy.object.namespace, policy.object.name);
    for (const ref of policy.targetRefs) {
      const r = resolveTargetRef(snapshot, policy, ref);
      if (!r.attaches) continue;
      if (r.target && (r.target.kind === 'Service' || r.target.kind === 'ServiceEntry')) add(byService, objectKey(r.target.namespace, r.target.name), name);
      else for (const w of r.waypoints) add(byWaypoint, objectKey(w.namespace, w.name), name);
    }
  }
  return { byService, byWaypoint };
}

function routeIndex(snapshot: ClusterSnapshot): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const route of routesOf(snapshot)) {
    for (const p of route.parents) {
      const kind = parentKind(p);
      if (kind !== 'service' && kind !== 'serviceentry') continue;
      const k = objectKey(p.namespace, p.name);
      out.set(k, [...new Set([...(out.get(k) ?? []), objectKey(route.object.namespace, route.object.name)])]);
    }
  }
  return out;
}

function syncIndex(snapshot: ClusterSnapshot): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const w of snapshot.waypoints) {
    const rows = w.proxies.flatMap((p) => (p.proxyStatus?.xds ? [p.proxyStatus] : []));
    if (rows.length) out.set(objectKey(w.namespace, w.name), rows.every((r) => waypointSyncProblems(r).length === 0));
  }
  return out;
}
