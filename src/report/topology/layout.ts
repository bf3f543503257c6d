/**
 * Geometry of the topology picture, from text lengths alone (a monospace font and an approximate
 * character width: the report embeds no font and measures nothing). Inside a namespace box, clients
 * sit in the left column grouped by the waypoint they use and each waypoint sits level with its
 * group on the right, so most edges are short and horizontal; boxes are packed into a few columns.
 */
import { namespaceAnchor, podAnchor, serviceAnchor, waypointAnchor } from '../../anchors.js';
import { allHealthy, isServiceKind, type ClientNode, type FindingLink, type NamespaceGroup, type TopoStatus, type TopologyGraph, type WaypointNode } from './graph.js';
import type { DetailPlan, Entry, NamespacePlan } from './plan.js';

/** Where the inventory table is; "+ N healthy" and folded groups link there. */
export const INVENTORY_ANCHOR = 'inventory';

/** Advance of one character of the 11px monospace font, rounded up so labels never overflow. */
export const CHAR_W = 6.8;
export const NODE_H = 20;
const ROW = 27;
const PAD = 12;
const HEADER = 30;
const LINE = 16;
const COL_GAP = 72;
export const GAP = 24;
/** A wider picture gets scaled down by the page until it is unreadable: columns stop at this width. */
const TARGET_WIDTH = 1400;
const MAX_COLUMNS = 4;
const MAX_LABEL = 40;
const MAX_SUMMARY = 110;

export interface Rect { x: number; y: number; w: number; h: number }

export interface Badge { count: number; href: string; status: TopoStatus | 'info' }

export interface PlacedNode extends Rect {
  role: 'client' | 'waypoint' | 'more' | 'overflow' | 'summary' | 'merged';
  status: TopoStatus;
  /** `svc`, `pod`, `wp`: the kind, before the name. */
  tag: string;
  /** What is drawn: the label, cut to fit. */
  text: string;
  /** The whole story, as a tooltip. */
  title: string;
  href: string;
  badge?: Badge;
  missing?: boolean;
  inferred?: boolean;
}

export interface PlacedNamespace extends Rect {
  name: string;
  text: string;
  badge?: Badge;
  footer?: string;
}

export interface PlacedEdge { from: PlacedNode; to: PlacedNode; status: TopoStatus; title: string; href?: string }

export interface Scene {
  width: number;
  height: number;
  boxes: PlacedNamespace[];
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

export const textWidth = (text: string): number => [...text].length * CHAR_W;

/** Cut by code points (never half a surrogate pair), marking the cut. */
function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : word.endsWith('s') ? 'es' : 's'}`;

const TAGS: Record<string, string> = { Service: 'svc', ServiceEntry: 'se', Pod: 'pod', WorkloadEntry: 'we' };

function badgeOf(link: FindingLink | undefined, status: TopoStatus): Badge | undefined {
  return link && { count: link.count, href: link.first, status: status === 'ok' ? 'info' : status };
}

const badgeWidth = (badge: Badge | undefined) => (badge ? textWidth(String(badge.count)) + 16 : 0);

function node(role: PlacedNode['role'], status: TopoStatus, tag: string, label: string, title: string, href: string, badge?: Badge, max = MAX_LABEL): PlacedNode {
  const text = clip(label, max);
  const w = Math.ceil(16 + textWidth(tag ? `${tag} ${text}` : text) + badgeWidth(badge));
  const placed: PlacedNode = { role, status, tag, text, title, href, x: 0, y: 0, w, h: NODE_H };
  if (badge) placed.badge = badge;
  return placed;
}

/** The inventory row's id, as the report gives it (WorkloadEntries share the pods' form). */
function clientAnchor(c: ClientNode): string {
  return isServiceKind(c.kind) ? serviceAnchor(c.namespace, c.name, c.kind) : podAnchor(c.namespace, c.name);
}

function clientNodeOf(c: ClientNode): PlacedNode {
  return node('client', c.status, TAGS[c.kind] ?? c.kind, c.name, c.tooltip, clientAnchor(c), badgeOf(c.findings, c.status));
}

function waypointNodeOf(w: WaypointNode): PlacedNode {
  const placed = node('waypoint', w.status, 'wp', w.name, w.tooltip, waypointAnchor(w.namespace, w.name), badgeOf(w.findings, w.status));
  if (w.missing) placed.missing = true;
  if (w.inferred) placed.inferred = true;
  return placed;
}

function entryNode(e: Entry): PlacedNode {
  if (e.type === 'client') return clientNodeOf(e.client);
  if (e.type === 'more') return node('more', 'ok', '', `+ ${e.count} healthy`, `${plural(e.count, 'healthy client')} of waypoint ${e.uses} (listed in the inventory)`, INVENTORY_ANCHOR);
  return node('overflow', 'broken', '', `+ ${e.count} more with problems`, `${plural(e.count, 'more client')} with problems in this namespace, folded to keep the picture small (listed in the inventory)`, INVENTORY_ANCHOR);
}

/** A namespace box in its own coordinates, before it is placed. */
interface LocalBox {
  box: PlacedNamespace | undefined;
  w: number;
  h: number;
  nodes: PlacedNode[];
  /** Waypoint keys drawn here, and namespaces folded here, for the edges' ends. */
  waypointNodes: Map<string, PlacedNode>;
  folded: string[];
  entries: { entry: Entry; node: PlacedNode }[];
}

function detailBox(plan: DetailPlan): LocalBox {
  const { ns } = plan;
  const entries = plan.entries.map((entry) => ({ entry, node: entryNode(entry) }));
  const waypoints = ns.waypoints.map((w) => ({ key: w.key, node: waypointNodeOf(w) }));
  const leftW = Math.max(0, ...entries.map((e) => e.node.w));
  const rightX = PAD + (leftW ? leftW + COL_GAP : 0);
  entries.forEach((e, i) => Object.assign(e.node, { x: PAD, y: HEADER + i * ROW }));
  let free = HEADER;
  for (const w of waypoints) {
    const rows = entries.filter((e) => (e.entry.type === 'client' && e.entry.client.uses === w.key) || (e.entry.type === 'more' && e.entry.uses === w.key));
    const level = rows.length ? (rows[0]!.node.y + rows[rows.length - 1]!.node.y) / 2 : free;
    Object.assign(w.node, { x: rightX, y: Math.max(free, Math.round(level)) });
    free = w.node.y + ROW;
  }
  const bottom = Math.max(HEADER - 6, ...[...entries.map((e) => e.node), ...waypoints.map((w) => w.node)].map((n) => n.y + NODE_H));
  const footer = ns.without ? `${ns.without} more without a waypoint` : undefined;
  const text = `namespace ${clip(ns.name, MAX_LABEL)}`;
  const badge = badgeOf(ns.findings, ns.findings?.contradicted ? 'contradicted' : ns.findings?.alarm ? 'broken' : 'ok');
  const w = Math.ceil(Math.max(rightX + Math.max(0, ...waypoints.map((x) => x.node.w)), PAD + textWidth(text) + badgeWidth(badge) + 8, footer ? PAD + textWidth(footer) : 0) + PAD);
  const h = bottom + (footer ? LINE + 4 : 0) + PAD;
  const box: PlacedNamespace = { name: ns.name, text, x: 0, y: 0, w, h };
  if (badge) box.badge = badge;
  if (footer) box.footer = footer;
  const nodes = [...entries.map((e) => e.node), ...waypoints.map((x) => x.node)];
  return { box, w, h, nodes, waypointNodes: new Map(waypoints.map((x) => [x.key, x.node])), folded: [], entries };
}

/** "namespace shop: 120 services, all through waypoint shop/waypoint", or its problems. */
function summaryText(ns: NamespaceGroup): string {
  const services = ns.clients.filter((c) => isServiceKind(c.kind)).length;
  const counts = [services && plural(services, 'service'), ns.clients.length - services && plural(ns.clients.length - services, 'pod')].filter(Boolean).join(', ');
  const without = ns.without ? `${ns.without} without a waypoint` : '';
  if (!allHealthy(ns)) {
    const by = (s: TopoStatus) => ns.clients.filter((c) => c.status === s).length + ns.waypoints.filter((w) => w.status === s).length;
    const problems = (['broken', 'unexpected', 'contradicted'] as const).map((s) => by(s) && `${by(s)} ${s}`).filter(Boolean).join(', ');
    return `namespace ${ns.name}: ${[counts, problems || 'findings', without].filter(Boolean).join('; ')} (folded)`;
  }
  const targets = [...new Set(ns.clients.flatMap((c) => (c.uses ? [c.uses] : [])))].map((k) => (k.startsWith(`${ns.name}/`) ? k.slice(ns.name.length + 1) : k));
  const through = targets.length === 1 ? `all through waypoint ${targets[0]}` : targets.length > 1 ? `through ${targets.length} waypoints` : ns.waypoints.length ? `waypoint ${ns.waypoints.map((w) => w.name).join(', ')}, no clients` : '';
  return `namespace ${ns.name}: ${[[counts, through].filter(Boolean).join(', '), without].filter(Boolean).join('; ')}`;
}

/** Worst first: a definite break outranks a disputed one. */
const RANK: Record<TopoStatus, number> = { ok: 0, unexpected: 1, contradicted: 2, broken: 3 };
const worst = (statuses: TopoStatus[]): TopoStatus => statuses.reduce<TopoStatus>((a, b) => (RANK[b] > RANK[a] ? b : a), 'ok');

function statusOf(ns: NamespaceGroup): TopoStatus {
  return worst([...ns.clients.map((c) => c.status), ...ns.waypoints.map((w) => w.status), ns.findings?.alarm ? 'broken' : 'ok']);
}

/** The first finding of a folded namespace, and how many it has. */
function foldedBadge(groups: NamespaceGroup[], status: TopoStatus): Badge | undefined {
  const links = groups.flatMap((g) => [g.findings, ...g.waypoints.map((w) => w.findings), ...g.clients.map((c) => c.findings)]).filter((l): l is FindingLink => l !== undefined);
  return links[0] && { count: links.reduce((n, l) => n + l.count, 0), href: links[0].first, status: status === 'ok' ? 'info' : status };
}

function foldedBox(groups: NamespaceGroup[], merged: boolean): LocalBox {
  const status = worst(groups.map(statusOf));
  const label = merged ? mergedText(groups) : summaryText(groups[0]!);
  const href = merged ? INVENTORY_ANCHOR : namespaceAnchor(groups[0]!.name);
  const placed = node(merged ? 'merged' : 'summary', status, '', label, label, href, foldedBadge(groups, status), MAX_SUMMARY);
  return { box: undefined, w: placed.w, h: placed.h, nodes: [placed], waypointNodes: new Map(), folded: groups.map((g) => g.name), entries: [] };
}

function mergedText(groups: NamespaceGroup[]): string {
  const clients = groups.reduce((n, g) => n + g.clients.length, 0);
  const withProblems = groups.filter((g) => !allHealthy(g)).length;
  return `+ ${plural(groups.length, 'more namespace')}: ${clients} services and pods${withProblems ? `, ${withProblems} namespaces with problems` : ', all healthy'}`;
}

/** Boxes in columns, each to the shortest column so far (same input, same places). */
function arrange(boxes: LocalBox[]): { width: number; height: number } {
  const widest = Math.max(1, ...boxes.map((b) => b.w));
  const columns = Math.max(1, Math.min(MAX_COLUMNS, boxes.length, Math.floor(TARGET_WIDTH / (widest + GAP))));
  const heights = new Array<number>(columns).fill(0);
  const widths = new Array<number>(columns).fill(0);
  const placed = boxes.map((b) => {
    const column = heights.indexOf(Math.min(...heights));
    const y = heights[column]!;
    heights[column] = y + b.h + GAP;
    widths[column] = Math.max(widths[column]!, b.w);
    return { b, column, y };
  });
  const xs = widths.map((_, i) => widths.slice(0, i).reduce((a, w) => a + w + GAP, 0));
  for (const { b, column, y } of placed) {
    const dx = xs[column]!;
    if (b.box) Object.assign(b.box, { x: dx, y });
    for (const n of b.nodes) Object.assign(n, { x: n.x + dx, y: n.y + y });
  }
  return { width: Math.ceil(widths.reduce((a, w) => a + w + GAP, 0) - GAP), height: Math.max(0, ...heights) - GAP };
}

export function layoutScene(plans: NamespacePlan[], graph: TopologyGraph): Scene {
  const boxes = plans.map((p) => (p.type === 'detail' ? detailBox(p) : foldedBox(p.type === 'summary' ? [p.ns] : p.namespaces, p.type === 'merged')));
  const { width, height } = arrange(boxes);
  const waypointNode = new Map(boxes.flatMap((b) => [...b.waypointNodes]));
  const foldedNode = new Map(boxes.flatMap((b) => b.folded.map((ns) => [ns, b.nodes[0]!] as const)));
  const endOf = (key: string) => waypointNode.get(key) ?? foldedNode.get(graph.waypointsByKey.get(key)?.namespace ?? '');
  const edges: PlacedEdge[] = [];
  for (const { entry, node: from } of boxes.flatMap((b) => b.entries)) {
    const add = (key: string | undefined, status: TopoStatus, what: string, href?: string) => {
      const to = key === undefined ? undefined : endOf(key);
      if (!to) return;
      const edge: PlacedEdge = { from, to, status, title: `${what} -> waypoint ${key} (${status})` };
      if (href) edge.href = href;
      edges.push(edge);
    };
    if (entry.type === 'more') add(entry.uses, 'ok', `${plural(entry.count, 'healthy client')}`);
    if (entry.type !== 'client') continue;
    const c = entry.client;
    add(c.uses, c.status, `${c.kind} ${c.namespace}/${c.name}`, c.findings?.first);
    add(c.observedUses, 'unexpected', `ztunnel sends ${c.kind} ${c.namespace}/${c.name}`, c.findings?.first);
  }
  return { width, height, boxes: boxes.flatMap((b) => (b.box ? [b.box] : [])), nodes: boxes.flatMap((b) => b.nodes), edges };
}
