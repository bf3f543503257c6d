/**
 * What the picture draws one by one and what it folds, so it stays readable and bounded however
 * large the bundle: healthy clients of a busy waypoint fold into "+ N healthy", then namespaces with
 * nothing wrong fold into one line each, then every healthy client folds, then the healthy one-line
 * namespaces beyond the budget merge into one box; only then (problems alone overflow) each namespace
 * keeps a fair share of its problem clients, whole namespaces fold, largest first, and the rest merge.
 * Problems are the last thing folded because they are what the picture is for.
 */
import { allHealthy, byText, type ClientNode, type NamespaceGroup, type WaypointNode } from './graph.js';

/** Nodes drawn at the most (clients, waypoints, "+ N" nodes, folded namespaces), so 20,000 rows still make a small, legible SVG. */
export const MAX_NODES = 400;
/** A waypoint with more healthy clients than this shows only the first GROUP_SHOWN of them. */
const GROUP_MAX = 12;
const GROUP_SHOWN = 5;

export type Entry =
  | { type: 'client'; client: ClientNode }
  /** Healthy clients of one waypoint, folded. */
  | { type: 'more'; count: number; uses: string }
  /** Problem clients over the namespace's share of the budget. */
  | { type: 'overflow'; count: number };

export interface DetailPlan {
  type: 'detail';
  ns: NamespaceGroup;
  /** The left column, top to bottom: clients grouped by the waypoint they use. */
  entries: Entry[];
}
export interface SummaryPlan {
  type: 'summary';
  ns: NamespaceGroup;
}
/** Folded namespaces beyond what the budget can list one by one. */
export interface MergedPlan {
  type: 'merged';
  namespaces: NamespaceGroup[];
}
export type NamespacePlan = DetailPlan | SummaryPlan | MergedPlan;

interface Detail {
  /** A waypoint group with more healthy clients than this folds them. */
  groupMax: number;
  shown: number;
  /** Problem clients kept per namespace. */
  problemCap: number;
}

const FULL: Detail = { groupMax: GROUP_MAX, shown: GROUP_SHOWN, problemCap: Infinity };
/** Every healthy client folded into its waypoint's "+ N healthy" node. */
const PROBLEMS_ONLY: Detail = { groupMax: 1, shown: 0, problemCap: Infinity };

function costOf(plan: NamespacePlan): number {
  return plan.type === 'detail' ? plan.entries.length + plan.ns.waypoints.length : 1;
}
const total = (plans: NamespacePlan[]) => plans.reduce((n, p) => n + costOf(p), 0);

export function planNamespaces(namespaces: NamespaceGroup[], maxNodes = MAX_NODES): NamespacePlan[] {
  // A namespace with nothing to draw but its count of rows without a waypoint is one line from the start.
  let plans: NamespacePlan[] = namespaces.map((ns) => (ns.clients.length || ns.waypoints.length || ns.findings ? detail(ns, FULL) : { type: 'summary', ns }));
  const over = () => total(plans) > maxNodes;
  if (over()) plans = plans.map((p) => (p.type === 'detail' && allHealthy(p.ns) ? { type: 'summary', ns: p.ns } : p));
  if (over()) plans = redetail(plans, PROBLEMS_ONLY);
  if (over()) plans = mergeSummaries(plans, maxNodes, allHealthy);
  if (over()) plans = redetail(plans, { ...PROBLEMS_ONLY, problemCap: fairShare(plans, maxNodes) });
  if (over()) plans = foldLargest(plans, maxNodes);
  if (over()) plans = mergeSummaries(plans, maxNodes, () => true);
  return plans;
}

function redetail(plans: NamespacePlan[], level: Detail): NamespacePlan[] {
  return plans.map((p) => (p.type === 'detail' ? detail(p.ns, level) : p));
}

/** What the budget leaves for problem clients, split evenly over the namespaces drawn in detail. */
function fairShare(plans: NamespacePlan[], maxNodes: number): number {
  const detailed = plans.filter((p): p is DetailPlan => p.type === 'detail');
  const fixed = total(plans) - detailed.reduce((n, p) => n + p.entries.filter((e) => e.type === 'client').length, 0);
  // Each namespace may add one "+ N more with problems" node.
  return Math.max(1, Math.floor((maxNodes - fixed - detailed.length) / Math.max(1, detailed.length)));
}

/** The last resort (thousands of waypoints, say): fold the costliest namespaces whole. */
function foldLargest(plans: NamespacePlan[], maxNodes: number): NamespacePlan[] {
  const out = [...plans];
  let sum = total(out);
  const candidates = out.flatMap((p, i) => (p.type === 'detail' ? [{ i, ns: p.ns, cost: costOf(p) }] : [])).sort((a, b) => b.cost - a.cost || a.i - b.i);
  for (const { i, ns, cost } of candidates) {
    if (sum <= maxNodes) break;
    out[i] = { type: 'summary', ns };
    sum -= cost - 1;
  }
  return out;
}

/**
 * More one-line namespaces than the budget lists: merge those `mergeable` allows into one box, keeping
 * as many as fit, those with problems first (then by name).
 */
function mergeSummaries(plans: NamespacePlan[], maxNodes: number, mergeable: (ns: NamespaceGroup) => boolean): NamespacePlan[] {
  const candidates = plans.filter((p): p is SummaryPlan => p.type === 'summary' && mergeable(p.ns));
  const already = plans.filter((p): p is MergedPlan => p.type === 'merged');
  const room = Math.max(0, maxNodes - (total(plans) - candidates.length - already.length) - 1);
  if (candidates.length <= room) return plans;
  const mergeableNow = new Set<NamespacePlan>(candidates);
  const keep = new Set([...candidates].sort((a, b) => Number(allHealthy(a.ns)) - Number(allHealthy(b.ns))).slice(0, room));
  const folded = [...already.flatMap((m) => m.namespaces), ...candidates.filter((c) => !keep.has(c)).map((c) => c.ns)];
  const merged: MergedPlan = { type: 'merged', namespaces: folded.sort((a, b) => byText(a.name, b.name)) };
  return [...plans.filter((p) => p.type === 'detail' || (p.type === 'summary' && (keep.has(p) || !mergeableNow.has(p)))), merged];
}

/** Local waypoints' groups first, in the order the waypoints are drawn, then other namespaces' waypoints, then none. */
function detail(ns: NamespaceGroup, level: Detail): DetailPlan {
  const byTarget = new Map<string, ClientNode[]>();
  for (const c of ns.clients) {
    const k = c.uses ?? '';
    const group = byTarget.get(k);
    if (group) group.push(c);
    else byTarget.set(k, [c]);
  }
  const local = ns.waypoints.map((w: WaypointNode) => w.key).filter((k) => byTarget.has(k));
  const foreign = [...byTarget.keys()].filter((k) => k !== '' && !local.includes(k)).sort(byText);
  const entries: Entry[] = [];
  let problemsLeft = level.problemCap;
  let overflow = 0;
  for (const k of [...local, ...foreign, ...(byTarget.has('') ? [''] : [])]) {
    const group = byTarget.get(k)!;
    const problems = group.filter((c) => c.problem);
    const healthy = group.filter((c) => !c.problem);
    const kept = problems.slice(0, Math.max(0, problemsLeft));
    problemsLeft -= kept.length;
    overflow += problems.length - kept.length;
    const shown = healthy.length > level.groupMax ? healthy.slice(0, level.shown) : healthy;
    const drawn = [...kept, ...shown].sort((a, b) => byText(a.name, b.name) || byText(a.kind, b.kind));
    entries.push(...drawn.map((client): Entry => ({ type: 'client', client })));
    if (shown.length < healthy.length) entries.push({ type: 'more', count: healthy.length - shown.length, uses: k });
  }
  if (overflow) entries.push({ type: 'overflow', count: overflow });
  return { type: 'detail', ns, entries };
}
