/**
 * The topology picture's facts, before any geometry: for each namespace, the waypoints it holds
 * and the Services and Pods that use one or have a problem, each with a state (ok, broken,
 * unexpected, contradicted) and its findings. The state is read from the inventory rows and the
 * rules' findings; nothing is diagnosed here (renderers never compute diagnoses).
 */
import type { BindingRow, WaypointRow } from '../../inventory.js';
import type { Finding, Severity } from '../../rules/types.js';

export type TopoStatus = 'ok' | 'broken' | 'unexpected' | 'contradicted';

export interface TopologyInput {
  /** One per Service, ServiceEntry, Pod, WorkloadEntry the bundle shows (`AnalysisResult.bindings`). */
  bindings: BindingRow[];
  /** Known and inferred waypoints with their pods and sync state (`AnalysisResult.waypoints`). */
  waypoints: WaypointRow[];
  /** The report's findings; only failing ones mark the picture. */
  findings: Finding[];
  /** The deep-link id of each finding, same order (`findingAnchors` of anchors.ts). */
  findingAnchors: string[];
}

/** The findings about one thing in the picture: how many, the first to link to, and what they say. */
export interface FindingLink {
  count: number;
  first: string;
  /** An error or warning names it (info findings are advice: a badge, not a broken node). */
  alarm: boolean;
  contradicted: boolean;
}

export interface ClientNode {
  kind: string;
  namespace: string;
  name: string;
  status: TopoStatus;
  /** `namespace/name` of the waypoint the labels send it to, or the one ztunnel uses when the labels are not known. */
  uses?: string;
  /** The waypoint ztunnel uses when it is another one than `uses`. */
  observedUses?: string;
  findings?: FindingLink;
  /** Never folded into a "+ N healthy" node. */
  problem: boolean;
  tooltip: string;
}

export interface WaypointNode {
  key: string;
  namespace: string;
  name: string;
  status: TopoStatus;
  /** Named by a label or by ztunnel, but not among the bundle's waypoints: drawn dashed so the broken edge has an end. */
  missing: boolean;
  inferred: boolean;
  findings?: FindingLink;
  tooltip: string;
}

export interface NamespaceGroup {
  name: string;
  waypoints: WaypointNode[];
  /** Clients drawn one by one unless collapsed: those that use a waypoint or have a problem, by name. */
  clients: ClientNode[];
  /** Rows with no waypoint and no problem: counted, not drawn. */
  without: number;
  /** Findings on the namespace itself or on objects the picture does not draw (policies, routes). */
  findings?: FindingLink;
}

export interface TopologyGraph {
  namespaces: NamespaceGroup[];
  waypointsByKey: Map<string, WaypointNode>;
}

/** States in which the labels ask for a waypoint that does not take the traffic (see BindingState). */
const BROKEN_STATES = new Set(['waypoint-missing', 'waypoint-not-ready', 'traffic-type-unsupported', 'attachment-denied']);
/**
 * `inherited-service-only` is left out on purpose: a Pod in a namespace whose waypoint takes only
 * service traffic (Istio's default) gets no workload waypoint by design, so a healthy ambient
 * namespace would otherwise show every pod broken. A finding on such a pod still marks it.
 */
const NO_WAYPOINT_FOR_PODS = 'inherited-service-only';
/** ztunnel WAYPOINT values that name no waypoint (as in model/known-waypoints.ts). */
const NO_WAYPOINT = new Set(['', 'None', '<none>']);
/** ztunnel could not resolve the waypoint: a problem, but not a node to draw an edge to. */
const UNRESOLVED = 'NA';
const ALARM: ReadonlySet<Severity> = new Set(['error', 'warning']);
const SERVICE_KINDS = new Set(['Service', 'ServiceEntry']);
const CLIENT_KINDS = new Set([...SERVICE_KINDS, 'Pod', 'WorkloadEntry']);

/** Code-unit order, so the picture does not depend on the machine's locale. */
export const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
export const isServiceKind = (kind: string): boolean => SERVICE_KINDS.has(kind);
const key = (...parts: string[]) => parts.join('/');

export function buildGraph(input: TopologyInput): TopologyGraph {
  const known = new Map(input.waypoints.map((w) => [key(w.namespace, w.name), w]));
  const namespacesOf = new Map<string, string[]>();
  for (const w of input.waypoints) {
    const list = namespacesOf.get(w.name);
    if (list) list.push(w.namespace);
    else namespacesOf.set(w.name, [w.namespace]);
  }
  const proxyOwner = new Map(input.waypoints.flatMap((w) => w.proxies.map((p) => [key(w.namespace, p.pod), key(w.namespace, w.name)] as const)));
  const clientKeys = new Set(input.bindings.map((b) => key(b.kind, b.namespace, b.name)));
  const findings = indexFindings(input, (kind, ns, name) => {
    if (CLIENT_KINDS.has(kind) && clientKeys.has(key(kind, ns, name))) return key(kind, ns, name);
    // A waypoint is named by its Gateway, one of its pods, or its own Service.
    const owner = kind === 'Gateway' || kind === 'Service' ? key(ns, name) : kind === 'Pod' ? proxyOwner.get(key(ns, name)) : undefined;
    if (owner && known.has(owner)) return key('waypoint', owner);
    return key('Namespace', ns);
  });
  const clients = input.bindings.map((row) => clientNode(row, findings, known, namespacesOf));
  const waypointsByKey = waypointNodes(input.waypoints, clients, input.bindings, findings);
  return { namespaces: groupByNamespace(clients, waypointsByKey, findings), waypointsByKey };
}

function clientNode(row: BindingRow, findings: Map<string, FindingLink>, known: Map<string, WaypointRow>, namespacesOf: Map<string, string[]>): ClientNode {
  const link = findings.get(key(row.kind, row.namespace, row.name));
  const requested = row.requested && row.requested !== 'none' && row.state !== NO_WAYPOINT_FOR_PODS ? row.requested : undefined;
  const observed = row.observed !== undefined && !NO_WAYPOINT.has(row.observed) && row.observed !== UNRESOLVED ? resolveObserved(row, requested, known, namespacesOf) : undefined;
  const uses = requested ?? observed;
  const ztunnelDisagrees = row.agrees === false || (row.state === 'observed-only' && row.observed !== undefined && !NO_WAYPOINT.has(row.observed));
  const status: TopoStatus = link?.contradicted ? 'contradicted'
    : BROKEN_STATES.has(row.state) || link?.alarm ? 'broken'
    : ztunnelDisagrees ? 'unexpected'
    : 'ok';
  const node: ClientNode = { kind: row.kind, namespace: row.namespace, name: row.name, status, problem: status !== 'ok' || link !== undefined, tooltip: clientTooltip(row) };
  if (uses) node.uses = uses;
  if (observed && observed !== uses) node.observedUses = observed;
  if (link) node.findings = link;
  return node;
}

/**
 * ztunnel's WAYPOINT column holds a bare name: the waypoint of that name the labels ask for, else
 * one in the row's namespace, else the only known one of that name anywhere.
 */
function resolveObserved(row: BindingRow, requested: string | undefined, known: Map<string, WaypointRow>, namespacesOf: Map<string, string[]>): string {
  const observed = row.observed!;
  if (observed.includes('/')) return observed;
  const requestedNs = requested?.split('/')[0];
  for (const ns of [requestedNs, row.namespace]) if (ns !== undefined && known.has(key(ns, observed))) return key(ns, observed);
  const elsewhere = namespacesOf.get(observed) ?? [];
  return key(elsewhere.length === 1 ? elsewhere[0]! : row.namespace, observed);
}

function clientTooltip(row: BindingRow): string {
  const parts = [`${row.kind} ${row.namespace}/${row.name}: ${row.state}`];
  if (row.requested) parts.push(`labels ask for ${row.requested}`);
  if (row.expected) parts.push(`Istio should use ${row.expected}`);
  parts.push(row.observed !== undefined ? `ztunnel shows ${row.observed}` : 'ztunnel not captured');
  if (row.istiod) parts.push(`istiod WaypointBound ${row.istiod}`);
  return parts.join('; ');
}

/** Failing findings by the picture's key of what they name (client, waypoint or namespace). */
function indexFindings(input: TopologyInput, keyOf: (kind: string, ns: string, name: string) => string): Map<string, FindingLink> {
  const out = new Map<string, FindingLink>();
  input.findings.forEach((f, i) => {
    const anchor = input.findingAnchors[i] ?? f.id;
    if (f.status !== 'fail' || !f.subject || !anchor) return;
    const { kind, namespace, name } = f.subject;
    const k = kind === 'Namespace' ? key('Namespace', name) : namespace !== undefined ? keyOf(kind, namespace, name) : undefined;
    if (k === undefined) return;
    const link = out.get(k) ?? { count: 0, first: anchor, alarm: false, contradicted: false };
    link.count++;
    link.alarm ||= ALARM.has(f.severity);
    link.contradicted ||= (f.against?.length ?? 0) > 0;
    out.set(k, link);
  });
  return out;
}

function waypointNodes(rows: WaypointRow[], clients: ClientNode[], bindings: BindingRow[], findings: Map<string, FindingLink>): Map<string, WaypointNode> {
  const nodes = new Map<string, WaypointNode>();
  for (const w of rows) {
    const k = key(w.namespace, w.name);
    const pods = w.proxies.length ? w.proxies.map((p) => `${p.pod} (${p.sync})`).join(', ') : 'no pod in the bundle';
    nodes.set(k, { key: k, namespace: w.namespace, name: w.name, status: 'ok', missing: false, inferred: w.inferred, tooltip: `waypoint ${k}${w.inferred ? ' (inferred from names)' : ''}: ${pods}` });
  }
  for (const c of clients) {
    for (const target of [c.uses, c.observedUses]) {
      if (target === undefined || nodes.has(target)) continue;
      const [namespace = '', name = ''] = target.split('/');
      nodes.set(target, { key: target, namespace, name, status: 'broken', missing: true, inferred: false, tooltip: `waypoint ${target}: named, but not in the bundle` });
    }
  }
  // A Gateway without addresses is the waypoint's own problem, not the pairing's.
  const notReady = new Set(bindings.filter((b) => b.state === 'waypoint-not-ready').map((b) => b.requested));
  for (const node of nodes.values()) {
    const link = findings.get(key('waypoint', node.key));
    if (link) node.findings = link;
    if (link?.contradicted) node.status = 'contradicted';
    else if (node.missing || link?.alarm || notReady.has(node.key)) node.status = 'broken';
  }
  return nodes;
}

function groupByNamespace(clients: ClientNode[], waypoints: Map<string, WaypointNode>, findings: Map<string, FindingLink>): NamespaceGroup[] {
  const groups = new Map<string, NamespaceGroup>();
  const group = (name: string) => {
    let g = groups.get(name);
    if (!g) groups.set(name, (g = { name, waypoints: [], clients: [], without: 0 }));
    return g;
  };
  for (const w of waypoints.values()) group(w.namespace).waypoints.push(w);
  for (const c of clients) {
    if (c.uses !== undefined || c.problem) group(c.namespace).clients.push(c);
    else group(c.namespace).without++;
  }
  for (const [k, link] of findings) {
    if (k.startsWith('Namespace/')) group(k.slice('Namespace/'.length)).findings = link;
  }
  const sorted = [...groups.values()].sort((a, b) => byText(a.name, b.name));
  for (const g of sorted) {
    g.waypoints.sort((a, b) => byText(a.name, b.name));
    g.clients.sort((a, b) => byText(a.name, b.name) || byText(a.kind, b.kind));
  }
  return sorted;
}

/** Nothing in the namespace needs a look: it can be drawn as one line. */
export function allHealthy(g: NamespaceGroup): boolean {
  return !g.findings && g.clients.every((c) => !c.problem) && g.waypoints.every((w) => w.status === 'ok');
}
