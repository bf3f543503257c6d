/**
 * What changed besides findings, between two sides: per Service and Pod the expected and observed
 * waypoint; per waypoint its readiness, programmed state, sync and version; policies and routes added,
 * removed or changed; Istio versions. Pods are matched by workload (match.ts), as findings are.
 */
import type { BindingRow } from '../inventory.js';
import type { ResourceState, StateDigest, WaypointState } from '../state-digest.js';
import { podWorkload } from './match.js';

export interface BindingChange {
  kind: string;
  namespace: string;
  /** A Service's name, a pod's workload. */
  name: string;
  /** Absent: the object is not on that side. */
  before?: { state: string; expected: string; observed?: string };
  after?: { state: string; expected: string; observed?: string };
}

export interface WaypointChange {
  namespace: string;
  name: string;
  /** The fields that differ, each `before -> after`. */
  changes: { field: 'ready' | 'programmed' | 'addresses' | 'sync' | 'versions' | 'present'; before: string; after: string }[];
}

export interface ResourceChange {
  kind: string;
  namespace?: string;
  name: string;
  change: 'added' | 'removed' | 'changed';
}

export interface VersionChange {
  component: 'istiod' | 'ztunnel' | 'waypoints' | 'kubernetes';
  before: string[];
  after: string[];
}

type Side = NonNullable<BindingChange['before']>;

function bindingSides(rows: readonly BindingRow[]): Map<string, { kind: string; namespace: string; name: string; side: Side }> {
  const out = new Map<string, { kind: string; namespace: string; name: string; side: Side }>();
  for (const r of rows) {
    const name = r.kind === 'Pod' ? podWorkload(r.name) : r.name;
    const key = `${r.kind}/${r.namespace}/${name}`;
    const side: Side = { state: r.state, expected: r.expected, ...(r.observed !== undefined ? { observed: r.observed } : {}) };
    const seen = out.get(key);
    // Pods of one workload that disagree are shown together: `bound, opted-out`.
    if (seen) {
      seen.side = merge(seen.side, side);
      continue;
    }
    out.set(key, { kind: r.kind, namespace: r.namespace, name, side });
  }
  return out;
}

function merge(a: Side, b: Side): Side {
  const join = (x: string | undefined, y: string | undefined) => (x === undefined ? y : y === undefined || x.split(', ').includes(y) ? x : `${x}, ${y}`);
  const observed = join(a.observed, b.observed);
  return { state: join(a.state, b.state)!, expected: join(a.expected, b.expected)!, ...(observed !== undefined ? { observed } : {}) };
}

const sameSide = (a: Side, b: Side) => a.state === b.state && a.expected === b.expected && (a.observed ?? '') === (b.observed ?? '');

export function compareBindings(before: readonly BindingRow[], after: readonly BindingRow[]): BindingChange[] {
  const a = bindingSides(before);
  const b = bindingSides(after);
  const out: BindingChange[] = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(key);
    const y = b.get(key);
    if (x && y && sameSide(x.side, y.side)) continue;
    const id = (x ?? y)!;
    out.push({ kind: id.kind, namespace: id.namespace, name: id.name, ...(x ? { before: x.side } : {}), ...(y ? { after: y.side } : {}) });
  }
  return out.sort((p, q) => `${p.namespace}/${p.kind}/${p.name}`.localeCompare(`${q.namespace}/${q.kind}/${q.name}`));
}

export function compareWaypoints(before: readonly WaypointState[], after: readonly WaypointState[]): WaypointChange[] {
  const key = (w: WaypointState) => `${w.namespace}/${w.name}`;
  const a = new Map(before.map((w) => [key(w), w]));
  const b = new Map(after.map((w) => [key(w), w]));
  const out: WaypointChange[] = [];
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(k);
    const y = b.get(k);
    const [namespace, name] = k.split('/') as [string, string];
    if (!x || !y) {
      out.push({ namespace, name, changes: [{ field: 'present', before: x ? 'yes' : 'no', after: y ? 'yes' : 'no' }] });
      continue;
    }
    const changes: WaypointChange['changes'] = [];
    for (const field of ['ready', 'programmed', 'addresses', 'sync', 'versions'] as const) {
      // Sync names the istiod pod it is synced with: by workload, so an istiod rollout is not a change.
      const text = (w: WaypointState) => field === 'sync' ? [...new Set(w.sync.map((s) => s.split(' ').map(podWorkload).join(' ')))].join(', ')
        : Array.isArray(w[field]) ? (w[field] as string[]).join(', ') : String(w[field]);
      if (text(x) !== text(y)) changes.push({ field, before: text(x), after: text(y) });
    }
    if (changes.length) out.push({ namespace, name, changes });
  }
  return out;
}

export function compareResources(before: readonly ResourceState[], after: readonly ResourceState[]): ResourceChange[] {
  const key = (r: ResourceState) => `${r.kind}/${r.namespace ?? ''}/${r.name}`;
  const a = new Map(before.map((r) => [key(r), r]));
  const b = new Map(after.map((r) => [key(r), r]));
  const out: ResourceChange[] = [];
  for (const k of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(k);
    const y = b.get(k);
    const id = (x ?? y)!;
    const change = !x ? 'added' : !y ? 'removed' : x.digest !== y.digest ? 'changed' : undefined;
    if (change) out.push({ kind: id.kind, ...(id.namespace ? { namespace: id.namespace } : {}), name: id.name, change });
  }
  return out.sort((p, q) => `${p.kind}/${p.namespace ?? ''}/${p.name}`.localeCompare(`${q.kind}/${q.namespace ?? ''}/${q.name}`));
}

export function compareVersions(before: Record<VersionChange['component'], string[]>, after: Record<VersionChange['component'], string[]>): VersionChange[] {
  const out: VersionChange[] = [];
  for (const component of ['istiod', 'ztunnel', 'waypoints', 'kubernetes'] as const) {
    const x = [...(before[component] ?? [])].sort();
    const y = [...(after[component] ?? [])].sort();
    if (x.join(',') !== y.join(',')) out.push({ component, before: x, after: y });
  }
  return out;
}

export type { StateDigest };
