/**
 * The topology scene as SVG markup. Every captured string passes through `xml` (which also drops
 * characters XML cannot hold, so the picture always parses), every href is `#` plus an id re-cut by
 * anchorId, and the picture has no script, no font and no reference outside itself (the report's CSP
 * allows no network). Colours come from CSS variables the page may set, with fallbacks that read on
 * white and on dark backgrounds; states also differ by dash pattern, not by colour alone.
 */
import { anchorId } from '../../anchors.js';
import { CHAR_W, NODE_H, textWidth, type Badge, type PlacedEdge, type PlacedNamespace, type PlacedNode, type Scene } from './layout.js';

/** Characters XML 1.0 forbids (C0 controls but tab and newlines, lone surrogates, U+FFFE/F): a captured name may hold them. */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function xml(text: string): string {
  return text.replace(NOT_XML, '\uFFFD').replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** The only way an href is written: `#` and an id anchors.ts would produce (a hostile id is cut down to safe characters). */
const href = (id: string) => `#${anchorId(id)}`;
/** One decimal place at most: coordinates stay short and identical from run to run. */
const n = (v: number) => String(Math.round(v * 10) / 10);

export const STYLE = `
.topo{font:11px ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace}
.topo text{fill:var(--topo-text,currentColor)}
.topo-ok{--c:var(--topo-ok,#2e7d32)}
.topo-broken{--c:var(--topo-broken,#c62828)}
.topo-unexpected{--c:var(--topo-unexpected,#ef6c00)}
.topo-contradicted{--c:var(--topo-contradicted,#a855f7)}
.topo-info{--c:var(--topo-info,#1e88e5)}
.topo-ns>rect{fill:var(--topo-ns-bg,rgba(128,128,128,.07));stroke:var(--topo-ns,#8a8a8a)}
.topo-ns>a>text,.topo-waypoint text{font-weight:bold}
.topo-node rect{fill:var(--c);fill-opacity:.13;stroke:var(--c);stroke-width:1.5}
.topo-waypoint rect{stroke-width:2.5}
.topo-missing rect{stroke-dasharray:5 3;fill-opacity:0}
.topo-inferred rect{stroke-dasharray:1.5 2.5}
.topo-more rect{stroke-dasharray:2 2}
.topo-summary rect,.topo-merged rect{fill-opacity:.07}
.topo-edge path{fill:none;stroke:var(--c);stroke-width:1.3}
.topo-edge.topo-ok .topo-line{stroke-opacity:.8}
.topo-edge.topo-broken path{stroke-width:2.3}
.topo-edge.topo-unexpected .topo-line{stroke-dasharray:7 4;stroke-width:2}
.topo-edge.topo-contradicted .topo-line{stroke-dasharray:2 3;stroke-width:2.3}
.topo-edge .topo-hit{stroke:transparent;stroke-width:10}
.topo-badge rect{fill:var(--c);fill-opacity:1;stroke:none}
.topo-badge text{fill:var(--topo-badge-text,#fff);font-weight:bold}
.topo-tag,.topo-muted{fill-opacity:.65}
.topo a:hover rect,.topo a:focus rect{stroke-width:3}
`;

function badge(b: Badge, right: number, y: number): string {
  const w = textWidth(String(b.count)) + 10;
  const x = right - w - 4;
  const label = `${b.count} finding${b.count === 1 ? '' : 's'}: the first is ${b.href}`;
  return `<a class="topo-badge topo-${b.status}" href="${href(b.href)}"><title>${xml(label)}</title><rect x="${n(x)}" y="${n(y + 3)}" width="${n(w)}" height="${NODE_H - 6}" rx="7"/><text x="${n(x + 5)}" y="${n(y + 14)}">${b.count}</text></a>`;
}

export function drawNode(node: PlacedNode): string {
  const cls = ['topo-node', `topo-${node.role}`, `topo-${node.status}`, node.missing ? 'topo-missing' : '', node.inferred ? 'topo-inferred' : ''].filter(Boolean).join(' ');
  const tag = node.tag ? `<tspan class="topo-tag">${xml(node.tag)}</tspan> ` : '';
  const label = `<text x="${n(node.x + 8)}" y="${n(node.y + 14)}">${tag}${xml(node.text)}</text>`;
  const box = `<rect x="${n(node.x)}" y="${n(node.y)}" width="${n(node.w)}" height="${n(node.h)}" rx="${node.role === 'waypoint' ? 10 : 4}"/>`;
  return `<g class="${cls}"><title>${xml(node.title)}</title><a href="${href(node.href)}">${box}${label}</a>${node.badge ? badge(node.badge, node.x + node.w, node.y) : ''}</g>`;
}

export function drawNamespace(box: PlacedNamespace, namespaceHref: string): string {
  const frame = `<rect x="${n(box.x)}" y="${n(box.y)}" width="${n(box.w)}" height="${n(box.h)}" rx="8"/>`;
  const title = `<a href="${href(namespaceHref)}"><text x="${n(box.x + 12)}" y="${n(box.y + 19)}">${xml(box.text)}</text></a>`;
  const badgeRight = box.x + 12 + textWidth(box.text) + textWidth(String(box.badge?.count ?? '')) + 22;
  const footer = box.footer ? `<text class="topo-muted" x="${n(box.x + 12)}" y="${n(box.y + box.h - 14)}">${xml(box.footer)}</text>` : '';
  return `<g class="topo-ns"><title>${xml(`namespace ${box.name}`)}</title>${frame}${title}${box.badge ? badge(box.badge, badgeRight, box.y + 5) : ''}${footer}</g>`;
}

/**
 * A curve leaving the client on the side facing the waypoint, with a small arrowhead drawn as lines
 * (a marker would need an id and one per colour).
 */
function edgePath(from: PlacedNode, to: PlacedNode): { line: string; head: string } {
  const sy = from.y + from.h / 2;
  const ty = to.y + to.h / 2;
  let sx: number, tx: number, c1: number, c2: number, dir: number;
  if (to.x >= from.x + from.w) {
    [sx, tx, dir] = [from.x + from.w, to.x, 1];
    const dx = Math.max(20, (tx - sx) / 2);
    [c1, c2] = [sx + dx, tx - dx];
  } else if (to.x + to.w <= from.x) {
    [sx, tx, dir] = [from.x, to.x + to.w, -1];
    const dx = Math.max(20, (sx - tx) / 2);
    [c1, c2] = [sx - dx, tx + dx];
  } else {
    // One above the other: loop out to the right and come back in.
    [sx, tx, dir] = [from.x + from.w, to.x + to.w, -1];
    c1 = c2 = Math.max(sx, tx) + 48;
  }
  const line = `M${n(sx)} ${n(sy)}C${n(c1)} ${n(sy)} ${n(c2)} ${n(ty)} ${n(tx)} ${n(ty)}`;
  const head = `M${n(tx - 7 * dir)} ${n(ty - 4)}L${n(tx)} ${n(ty)}L${n(tx - 7 * dir)} ${n(ty + 4)}`;
  return { line, head };
}

export function drawEdge(edge: PlacedEdge): string {
  const { line, head } = edgePath(edge.from, edge.to);
  const paths = `<path class="topo-line" d="${line}"/><path class="topo-head" d="${head}"/>`;
  const title = `<title>${xml(edge.title)}</title>`;
  const cls = `topo-edge topo-${edge.status}`;
  // A wide transparent copy of the line makes a linked edge easy to click.
  if (edge.href) return `<a class="${cls}" href="${href(edge.href)}">${title}<path class="topo-hit" d="${line}"/>${paths}</a>`;
  return `<g class="${cls}">${title}${paths}</g>`;
}

interface LegendItem { kind: 'edge' | 'node'; classes: string; text: string }

const LEGEND: LegendItem[] = [
  { kind: 'edge', classes: 'topo-edge topo-ok', text: 'bound; ztunnel agrees or not captured' },
  { kind: 'edge', classes: 'topo-edge topo-broken', text: 'broken: waypoint missing, not ready or refusing the traffic, or an error or warning' },
  { kind: 'edge', classes: 'topo-edge topo-unexpected', text: 'unexpected: ztunnel uses another waypoint' },
  { kind: 'edge', classes: 'topo-edge topo-contradicted', text: 'contradicted: a finding other evidence disputes' },
  { kind: 'node', classes: 'topo-node topo-waypoint topo-ok', text: 'waypoint' },
  { kind: 'node', classes: 'topo-node topo-waypoint topo-broken topo-missing', text: 'waypoint named but not in the bundle' },
  { kind: 'node', classes: 'topo-node topo-waypoint topo-ok topo-inferred', text: 'waypoint inferred from names' },
  { kind: 'node', classes: 'topo-node topo-more topo-ok', text: 'healthy clients folded' },
];
const SWATCH = 30;
const LEGEND_ROW = 20;

function legendItem(item: LegendItem, x: number, y: number): string {
  const swatch = item.kind === 'edge'
    ? `<g class="${item.classes}"><path class="topo-line" d="M${n(x)} ${n(y + 6)}h${SWATCH - 6}"/></g>`
    : `<g class="${item.classes}"><rect x="${n(x)}" y="${n(y)}" width="${SWATCH - 6}" height="12" rx="${item.classes.includes('waypoint') ? 6 : 3}"/></g>`;
  return `${swatch}<text x="${n(x + SWATCH)}" y="${n(y + 10)}">${xml(item.text)}</text>`;
}

/** The legend, wrapped to the picture's width; its height, to push the picture down. */
export function legend(width: number, top: number): { markup: string; height: number } {
  const parts: string[] = [];
  let [x, y] = [0, top];
  for (const item of [...LEGEND, { kind: 'badge' as const, text: 'findings about it (links to the first)' }]) {
    const w = SWATCH + textWidth(item.text) + 24;
    if (x > 0 && x + w > width) [x, y] = [0, y + LEGEND_ROW];
    parts.push(item.kind === 'badge' ? badgeLegend(item.text, x, y) : legendItem(item, x, y));
    x += w;
  }
  return { markup: `<g class="topo-legend">${parts.join('')}</g>`, height: y + LEGEND_ROW - top };
}

function badgeLegend(text: string, x: number, y: number): string {
  return `<g class="topo-badge topo-broken"><rect x="${n(x)}" y="${n(y - 1)}" width="${n(CHAR_W + 10)}" height="14" rx="7"/><text x="${n(x + 5)}" y="${n(y + 10)}">2</text></g><text x="${n(x + SWATCH)}" y="${n(y + 10)}">${xml(text)}</text>`;
}
