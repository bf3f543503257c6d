/**
 * The report's topology picture: namespaces as boxes, the Services and Pods that use a waypoint (or
 * have a problem) with an edge to the waypoint they use, and what is broken, unexpected (ztunnel uses
 * another waypoint) or contradicted standing out, as one inline SVG string. It answers "what is bound
 * where, and what is broken" at a glance, before the reader goes through the tables; every node links
 * to its inventory row and, when a finding names it, to the first such finding.
 *
 * It is built for the report's constraints: no script, no font, nothing outside the string (the CSP
 * allows no network), every captured string escaped, the same input giving the same bytes, and a
 * bounded size however large the bundle (at most MAX_NODES nodes: healthy groups and namespaces fold).
 *
 * graph.ts reads the states, plan.ts decides what folds, layout.ts places, svg.ts writes markup.
 */
import { findingAnchors, namespaceAnchor } from '../anchors.js';
import type { AnalysisResult } from '../pipeline.js';
import { buildGraph, isServiceKind, type TopologyGraph, type TopologyInput } from './topology/graph.js';
import { GAP, INVENTORY_ANCHOR, layoutScene, plural, textWidth, type Scene } from './topology/layout.js';
import { MAX_NODES, planNamespaces, type NamespacePlan } from './topology/plan.js';
import { drawEdge, drawNamespace, drawNode, legend, STYLE, xml } from './topology/svg.js';

export type { TopologyInput, TopoStatus } from './topology/graph.js';
export { INVENTORY_ANCHOR, MAX_NODES };

const MARGIN = 8;
const CAPTION_H = 20;
const MIN_WIDTH = 640;

/** The input from an analysis result, with each finding's report anchor (the pipeline's id, else recomputed the same way). */
export function topologyInput(result: Pick<AnalysisResult, 'bindings' | 'waypoints' | 'findings'>): TopologyInput {
  const ids = findingAnchors(result.findings);
  return { bindings: result.bindings, waypoints: result.waypoints, findings: result.findings, findingAnchors: result.findings.map((f, i) => f.id ?? ids[i]!) };
}

export function renderTopology(input: TopologyInput): string {
  const graph = buildGraph(input);
  const plans = planNamespaces(graph.namespaces);
  const scene = layoutScene(plans, graph);
  const caption = summarize(input, graph, plans);
  const width = Math.ceil(Math.max(MIN_WIDTH, scene.width, textWidth(caption)));
  const key = legend(width, CAPTION_H + 4);
  const top = CAPTION_H + 4 + key.height + GAP / 2;
  const body = graph.namespaces.length ? drawScene(scene) : `<text x="0" y="14">No Service or Pod uses a waypoint, and the bundle shows no waypoint.</text>`;
  const height = top + (graph.namespaces.length ? scene.height : 20);
  const [w, h] = [width + 2 * MARGIN, height + 2 * MARGIN];
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="topo" role="img" aria-label="${xml(caption)}" viewBox="${-MARGIN} ${-MARGIN} ${w} ${h}" width="${w}" height="${h}">` +
    `<title>${xml(caption)}</title><style>${STYLE}</style>` +
    `<text class="topo-caption" x="0" y="14">${xml(caption)}</text>${key.markup}` +
    `<g transform="translate(0 ${top})">${body}</g></svg>`
  );
}

/** Boxes first, then edges over them (cross-namespace ones stay visible), then nodes over the edges. */
function drawScene(scene: Scene): string {
  return [
    `<g class="topo-namespaces">${scene.boxes.map((b) => drawNamespace(b, namespaceAnchor(b.name))).join('')}</g>`,
    `<g class="topo-edges">${scene.edges.map(drawEdge).join('')}</g>`,
    `<g class="topo-nodes">${scene.nodes.map(drawNode).join('')}</g>`,
  ].join('');
}

/** "12 services, 9 pods, 3 waypoints (1 missing); 2 broken bindings, 1 unexpected, 0 contradicted; ..." */
function summarize(input: TopologyInput, graph: TopologyGraph, plans: NamespacePlan[]): string {
  const services = input.bindings.filter((b) => isServiceKind(b.kind)).length;
  const waypoints = [...graph.waypointsByKey.values()];
  const missing = waypoints.filter((w) => w.missing).length;
  const clients = graph.namespaces.flatMap((g) => g.clients);
  const count = (status: string) => clients.filter((c) => c.status === status).length;
  const parts = [
    `${plural(services, 'service')}, ${plural(input.bindings.length - services, 'pod')}, ${plural(waypoints.length, 'waypoint')}${missing ? ` (${missing} missing)` : ''}`,
    `${plural(count('broken'), 'broken binding')}, ${count('unexpected')} unexpected, ${count('contradicted')} contradicted`,
  ];
  // A namespace with nothing but rows without a waypoint is one line anyway: not counted as folded.
  const folded = plans.reduce((n, p) => n + (p.type === 'merged' ? p.namespaces.length : p.type === 'summary' && (p.ns.clients.length || p.ns.waypoints.length) ? 1 : 0), 0);
  const grouped = plans.reduce((n, p) => n + (p.type === 'detail' ? p.entries.reduce((m, e) => m + (e.type === 'client' ? 0 : e.count), 0) : 0), 0);
  if (folded) parts.push(`${folded} of ${plural(graph.namespaces.length, 'namespace')} folded`);
  if (grouped) parts.push(`${grouped} clients grouped`);
  return `Waypoint topology: ${parts.join('; ')}`;
}
