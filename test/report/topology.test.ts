/**
 * The topology picture: read back through a tiny strict XML reader (tags balanced, attributes quoted,
 * only XML's entities), so each test asserts on elements, classes, links and titles rather than on
 * substrings of markup.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findingAnchors } from '../../src/anchors.js';
import { DEFAULT_LIMITS } from '../../src/bundle/types.js';
import { analyzeBundle, type AnalysisResult, type BindingRow, type WaypointRow } from '../../src/pipeline.js';
import { MAX_NODES, renderTopology, topologyInput, type TopologyInput } from '../../src/report/topology.js';
import { BUILTIN_RULES } from '../../src/rules/index.js';
import type { Finding } from '../../src/rules/types.js';
import { ROOT } from '../helpers.js';

interface El { name: string; attrs: Record<string, string>; children: (El | string)[] }

const ENTITY: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&([^;]*);?/g, (whole, name: string) => {
    if (!whole.endsWith(';')) throw new Error(`bare & in ${JSON.stringify(text.slice(0, 60))}`);
    if (/^#\d+$/.test(name)) return String.fromCodePoint(Number(name.slice(1)));
    if (/^#x[0-9a-f]+$/i.test(name)) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (!(name in ENTITY)) throw new Error(`unknown entity &${name};`);
    return ENTITY[name]!;
  });
}

/** Well-formed XML or an exception: one root, balanced tags, quoted unique attributes, no `<` or stray `&` in text. */
function parseXml(text: string): El {
  const doc: El = { name: '#document', attrs: {}, children: [] };
  const stack = [doc];
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[A-Za-z_:][\w:.-]*="[^"<]*")*)\s*(\/?)>/y;
  for (let i = 0; i < text.length; ) {
    const lt = text.indexOf('<', i);
    const chunk = text.slice(i, lt === -1 ? text.length : lt);
    if (chunk) stack.at(-1)!.children.push(decode(chunk));
    if (lt === -1) break;
    tag.lastIndex = lt;
    const m = tag.exec(text);
    if (!m) throw new Error(`not a tag at ${lt}: ${text.slice(lt, lt + 60)}`);
    const [, closing, name, attrText, selfClosing] = m;
    if (closing) {
      const open = stack.pop();
      if (open?.name !== name || attrText || selfClosing) throw new Error(`</${name}> closes <${open?.name}>`);
    } else {
      const el: El = { name: name!, attrs: {}, children: [] };
      for (const [, k, v] of attrText!.matchAll(/([A-Za-z_:][\w:.-]*)="([^"]*)"/g)) {
        if (k! in el.attrs) throw new Error(`duplicate attribute ${k}`);
        el.attrs[k!] = decode(v!);
      }
      stack.at(-1)!.children.push(el);
      if (!selfClosing) stack.push(el);
    }
    i = tag.lastIndex;
  }
  const roots = doc.children.filter((c): c is El => typeof c !== 'string');
  if (stack.length !== 1 || roots.length !== 1 || roots.length !== doc.children.length) throw new Error('not one balanced root element');
  return roots[0]!;
}

function* walk(el: El): Generator<El> {
  yield el;
  for (const c of el.children) if (typeof c !== 'string') yield* walk(c);
}
const classesOf = (el: El) => (el.attrs['class'] ?? '').split(' ').filter(Boolean);
const withClass = (root: El, ...classes: string[]) => [...walk(root)].filter((e) => classes.every((c) => classesOf(e).includes(c)));
const textOf = (el: El): string => el.children.map((c) => (typeof c === 'string' ? c : textOf(c))).join('');
/** What a reader sees: the text elements' content, without tooltips. */
const shown = (el: El) => [...walk(el)].filter((e) => e.name === 'text').map(textOf).join('');
const titleOf = (el: El) => textOf(el.children.find((c): c is El => typeof c !== 'string' && c.name === 'title') ?? { name: '', attrs: {}, children: [] });
const hrefs = (el: El) => [...walk(el)].map((e) => e.attrs['href']).filter((h): h is string => h !== undefined);
/** The nodes of the picture itself (the legend draws swatches with the same classes). */
const drawn = (svg: El, ...classes: string[]) => withClass(svg, 'topo-nodes').flatMap((g) => withClass(g, 'topo-node', ...classes));
const edges = (svg: El) => withClass(svg, 'topo-edges').flatMap((g) => withClass(g, 'topo-edge'));
const nodeOf = (svg: El, href: string) => drawn(svg).find((n) => n.children.some((c) => typeof c !== 'string' && c.name === 'a' && c.attrs['href'] === href));
const edgeTitled = (svg: El, start: string) => edges(svg).find((e) => titleOf(e).startsWith(start));

const SOURCE = { file: 'kubectl/services.json', line: 3 };

function row(kind: string, namespace: string, name: string, extra: Partial<BindingRow> = {}): BindingRow {
  return { kind, namespace, name, state: 'no-label', requested: '', expected: '', explanation: 'test', source: SOURCE, ...extra };
}

/** A healthy binding: the labels ask for `waypoint` (namespace/name) and ztunnel shows it. */
function bound(kind: string, namespace: string, name: string, waypoint: string, extra: Partial<BindingRow> = {}): BindingRow {
  const wpName = waypoint.split('/')[1]!;
  return row(kind, namespace, name, { state: 'bound', requested: waypoint, expected: wpName, observed: wpName, agrees: true, ...extra });
}

function waypoint(namespace: string, name: string, extra: Partial<WaypointRow> = {}): WaypointRow {
  return {
    namespace,
    name,
    inferred: false,
    evidence: [{ via: 'Gateway', note: 'Gateway of class istio-waypoint', source: SOURCE }],
    proxies: [{ pod: `${name}-7d9f8c6b5d-x2x4q`, inferred: false, sync: 'synced with istiod-5d8f7c9b4-k2j9x', synced: true }],
    ...extra,
  };
}

function finding(ruleId: string, kind: string, namespace: string, name: string, extra: Partial<Finding> = {}): Finding {
  return { ruleId, severity: 'error', status: 'fail', title: ruleId, message: 'test', subject: { kind, namespace, name }, evidence: [SOURCE], ...extra };
}

function input(bindings: BindingRow[], waypoints: WaypointRow[], findings: Finding[] = []): TopologyInput {
  return { bindings, waypoints, findings, findingAnchors: findingAnchors(findings) };
}

const render = (i: TopologyInput) => parseXml(renderTopology(i));

describe('the broken bookinfo sample', () => {
  let svg: El;
  let text: string;
  let result: AnalysisResult;
  beforeAll(async () => {
    result = await analyzeBundle(join(ROOT, 'samples', 'bookinfo-broken'), { limits: DEFAULT_LIMITS, rules: BUILTIN_RULES });
    text = renderTopology(topologyInput(result));
    svg = parseXml(text);
  });

  it('draws ratings broken, with an edge to the missing ratings-waypoint that links to WP001', () => {
    const ratings = nodeOf(svg, '#svc-default-ratings')!;
    expect(classesOf(ratings)).toEqual(['topo-node', 'topo-client', 'topo-broken']);
    expect(hrefs(ratings)).toEqual(['#svc-default-ratings', '#WP001-default-ratings']);
    const edge = edgeTitled(svg, 'Service default/ratings ->')!;
    expect(titleOf(edge)).toBe('Service default/ratings -> waypoint default/ratings-waypoint (broken)');
    expect(classesOf(edge)).toEqual(['topo-edge', 'topo-broken']);
    expect(edge.attrs['href']).toBe('#WP001-default-ratings');
    const missing = nodeOf(svg, '#wp-default-ratings-waypoint')!;
    expect(classesOf(missing)).toEqual(['topo-node', 'topo-waypoint', 'topo-broken', 'topo-missing']);
    expect(titleOf(missing)).toBe('waypoint default/ratings-waypoint: named, but not in the bundle');
  });

  it("draws reviews-v2's pod broken (its own label names a service-only waypoint), linking to WP004", () => {
    const pod = nodeOf(svg, '#pod-default-reviews-v2-rdlrklvjsl-wv7j2')!;
    expect(classesOf(pod)).toContain('topo-broken');
    expect(hrefs(pod)).toContain('#WP004-default-reviews-v2-rdlrklvjsl-wv7j2');
    expect(classesOf(edgeTitled(svg, 'Pod default/reviews-v2-rdlrklvjsl-wv7j2 ->')!)).toContain('topo-broken');
  });

  it('links the healthy services to their rows, and marks the out-of-sync waypoint through its pod\'s WP037', () => {
    for (const name of ['details', 'productpage', 'reviews', 'sleep']) expect(classesOf(nodeOf(svg, `#svc-default-${name}`)!)).toContain('topo-ok');
    expect(titleOf(edgeTitled(svg, 'Service default/details ->')!)).toBe('Service default/details -> waypoint default/waypoint (ok)');
    const wp = nodeOf(svg, '#wp-default-waypoint')!;
    expect(classesOf(wp)).toContain('topo-broken');
    expect(hrefs(wp)).toEqual(['#wp-default-waypoint', '#WP037-default-waypoint-hxzdgnszt2-m5q8z']);
    // WP026 is information: a badge on productpage, not a broken node.
    expect(withClass(nodeOf(svg, '#svc-default-productpage')!, 'topo-badge', 'topo-info')).toHaveLength(1);
  });

  it('has a legend, a summary for screen readers, and nothing outside itself', () => {
    expect(svg.name).toBe('svg');
    expect(svg.attrs['role']).toBe('img');
    const services = result.bindings.filter((b) => b.kind === 'Service').length;
    const pods = result.bindings.length - services;
    expect(svg.attrs['aria-label']).toBe(`Waypoint topology: ${services} services, ${pods} pod${pods === 1 ? '' : 's'}, 4 waypoints (1 missing); 2 broken bindings, 0 unexpected, 0 contradicted`);
    expect(titleOf(svg)).toBe(svg.attrs['aria-label']);
    const legendText = textOf(withClass(svg, 'topo-legend')[0]!);
    for (const words of ['broken:', 'unexpected:', 'contradicted:', 'waypoint named but not in the bundle', 'healthy clients folded']) expect(legendText).toContain(words);
    expect([...walk(svg)].map((e) => e.name).filter((n) => ['script', 'foreignObject', 'image', 'use'].includes(n))).toEqual([]);
    expect(text).not.toMatch(/url\(|@import|@font-face|https?:\/\/(?!www\.w3\.org\/2000\/svg")/);
    expect(shown(render(input([], [])))).toContain('No Service or Pod uses a waypoint, and the bundle shows no waypoint.');
  });
});

describe('states', () => {
  it('marks a binding unexpected when ztunnel uses another waypoint, with an edge to each', () => {
    const svg = render(input([bound('Service', 'shop', 'cart', 'shop/waypoint', { observed: 'cart-waypoint', agrees: false })], [waypoint('shop', 'waypoint'), waypoint('shop', 'cart-waypoint')]));
    expect(classesOf(nodeOf(svg, '#svc-shop-cart')!)).toContain('topo-unexpected');
    expect(edges(svg).map(titleOf)).toEqual([
      'Service shop/cart -> waypoint shop/waypoint (unexpected)',
      'ztunnel sends Service shop/cart -> waypoint shop/cart-waypoint (unexpected)',
    ]);
  });

  it('marks what only ztunnel shows (no object in the bundle) as unexpected, and draws nothing for "None"', () => {
    const svg = render(input([
      row('Pod', 'shop', 'orphan-5f6d7c8b9-abcde', { state: 'observed-only', observed: 'waypoint' }),
      row('Service', 'shop', 'legacy', { state: 'observed-only', observed: 'None' }),
    ], [waypoint('shop', 'waypoint')]));
    expect(classesOf(nodeOf(svg, '#pod-shop-orphan-5f6d7c8b9-abcde')!)).toContain('topo-unexpected');
    expect(nodeOf(svg, '#svc-shop-legacy')).toBeUndefined();
    expect(shown(withClass(svg, 'topo-ns')[0]!)).toBe('namespace shop1 more without a waypoint');
  });

  it('counts pods that only inherit a service-only namespace waypoint (no waypoint by design), and draws them only with a finding', () => {
    const inherited = (name: string) => row('Pod', 'shop', name, { state: 'inherited-service-only', requested: 'shop/waypoint', expected: 'None', observed: 'None', agrees: true });
    const svg = render(input([bound('Service', 'shop', 'cart', 'shop/waypoint'), inherited('cart-6d5f4c3b2-abcde'), inherited('web-6d5f4c3b2-fghij')], [waypoint('shop', 'waypoint')], [finding('WP016', 'Pod', 'shop', 'web-6d5f4c3b2-fghij', { severity: 'warning' })]));
    expect(nodeOf(svg, '#pod-shop-cart-6d5f4c3b2-abcde')).toBeUndefined();
    const web = nodeOf(svg, '#pod-shop-web-6d5f4c3b2-fghij')!;
    expect(classesOf(web)).toContain('topo-broken');
    expect(edges(svg).map(titleOf)).toEqual(['Service shop/cart -> waypoint shop/waypoint (ok)']);
    expect(shown(withClass(svg, 'topo-ns')[0]!)).toContain('1 more without a waypoint');
  });

  it('marks a finding with evidence against it contradicted, on the node and its edge', () => {
    const against = [{ file: 'istioctl/ztunnel-config-service.txt', line: 4, note: 'ztunnel uses waypoint' }];
    const f = finding('WP001', 'Service', 'shop', 'cart', { against });
    const svg = render(input([row('Service', 'shop', 'cart', { state: 'waypoint-missing', requested: 'shop/gone', expected: 'None', observed: 'None', agrees: true })], [], [f]));
    const cart = nodeOf(svg, '#svc-shop-cart')!;
    expect(classesOf(cart)).toContain('topo-contradicted');
    expect(hrefs(cart)).toEqual(['#svc-shop-cart', '#WP001-shop-cart']);
    expect(classesOf(edgeTitled(svg, 'Service shop/cart')!)).toEqual(['topo-edge', 'topo-contradicted']);
    expect(classesOf(nodeOf(svg, '#wp-shop-gone')!)).toContain('topo-missing');
  });

  it('draws a not-ready waypoint broken, and a cross-namespace edge between boxes', () => {
    const svg = render(input([
      row('Service', 'web', 'front', { state: 'waypoint-not-ready', requested: 'mesh/shared', expected: 'None' }),
      bound('Service', 'api', 'orders', 'mesh/shared'),
    ], [waypoint('mesh', 'shared', { proxies: [] })]));
    expect(classesOf(nodeOf(svg, '#wp-mesh-shared')!)).toContain('topo-broken');
    expect(edges(svg).map(titleOf)).toEqual(['Service api/orders -> waypoint mesh/shared (ok)', 'Service web/front -> waypoint mesh/shared (broken)']);
    expect(withClass(svg, 'topo-ns').map(titleOf)).toEqual(['namespace api', 'namespace mesh', 'namespace web']);
  });

  it('folds a busy waypoint\'s healthy clients into "+ N healthy", and never a broken one', () => {
    const rows = Array.from({ length: 20 }, (_, i) => bound('Service', 'shop', `svc-${String(i).padStart(2, '0')}`, 'shop/waypoint'));
    rows.push(row('Service', 'shop', 'zz-broken', { state: 'attachment-denied', requested: 'shop/waypoint', expected: 'None' }));
    const svg = render(input(rows, [waypoint('shop', 'waypoint')]));
    const clients = drawn(svg, 'topo-client');
    expect(clients.map((c) => hrefs(c)[0])).toEqual(['#svc-shop-svc-00', '#svc-shop-svc-01', '#svc-shop-svc-02', '#svc-shop-svc-03', '#svc-shop-svc-04', '#svc-shop-zz-broken']);
    const more = drawn(svg, 'topo-more')[0]!;
    expect(shown(more)).toBe('+ 15 healthy');
    expect(hrefs(more)).toEqual(['#inventory']);
    expect(svg.attrs['aria-label']).toContain('15 clients grouped');
  });
});

describe('hostile names', () => {
  const evil = '<img src=x onerror=alert(1)>';
  const svg = renderTopology({
    ...input(
      [row('Service', evil, `"><script>alert(1)</script>`, { state: 'waypoint-missing', requested: `${evil}/a'b&c`, expected: 'None' }), bound('Pod', evil, 'p\u0001\uD800q', `${evil}/wp`)],
      [waypoint(evil, 'wp')],
      [finding('WP001', 'Service', evil, `"><script>alert(1)</script>`)],
    ),
    findingAnchors: ['javascript:alert(1)" onload="x'],
  });

  it('comes out as well-formed, inert XML', () => {
    const root = parseXml(svg);
    expect([...walk(root)].map((e) => e.name).filter((n) => !['svg', 'title', 'style', 'g', 'a', 'rect', 'text', 'tspan', 'path'].includes(n))).toEqual([]);
    expect([...walk(root)].flatMap((e) => Object.keys(e.attrs)).filter((k) => /^on/i.test(k))).toEqual([]);
    expect(shown(root)).toContain(`namespace ${evil}`);
    expect(svg).not.toMatch(/[\u0001\uD800]/);
  });

  it('holds nothing in an href but # and a safe id', () => {
    const links = hrefs(parseXml(svg));
    expect(links.length).toBeGreaterThan(4);
    for (const h of links) expect(h).toMatch(/^#[A-Za-z0-9_.-]+$/);
    expect(links).toContain('#javascript_alert_1___onload__x');
    expect(links).toContain('#svc-_img_src_x_onerror_alert_1__-___script_alert_1___script_');
  });
});

describe('deterministic', () => {
  it('gives the same bytes for the same rows in any order', () => {
    const rows = [bound('Service', 'b', 'two', 'b/waypoint'), bound('Service', 'a', 'one', 'a/waypoint'), bound('Pod', 'a', 'zero-6d5f4c3b2-abcde', 'a/pod-wp')];
    const wps = [waypoint('b', 'waypoint'), waypoint('a', 'waypoint'), waypoint('a', 'pod-wp')];
    const first = renderTopology(input(rows, wps));
    expect(renderTopology(input([...rows].reverse(), [...wps].reverse()))).toBe(first);
    expect(renderTopology(input(rows, wps))).toBe(first);
  });
});

/**
 * A generated cluster: `namespaces` namespaces of `services` Services each; even namespaces send all
 * through `waypoint`, odd ones a quarter through `api-waypoint`; every namespace has 10 pods that
 * inherit the service-only waypoint. `broken` namespaces have one Service naming a missing waypoint.
 */
function cluster(namespaces: number, services: number, broken: (ns: number) => boolean): TopologyInput {
  const rows: BindingRow[] = [];
  const wps: WaypointRow[] = [];
  const findings: Finding[] = [];
  for (let n = 0; n < namespaces; n++) {
    const ns = `team-${String(n).padStart(3, '0')}`;
    wps.push(waypoint(ns, 'waypoint'));
    if (n % 2) wps.push(waypoint(ns, 'api-waypoint'));
    for (let s = 0; s < services; s++) rows.push(bound('Service', ns, `svc-${String(s).padStart(4, '0')}`, n % 2 && s % 4 === 0 ? `${ns}/api-waypoint` : `${ns}/waypoint`));
    for (let p = 0; p < 10; p++) rows.push(row('Pod', ns, `app-${p}-6d5f4c3b2-abcde`, { state: 'inherited-service-only', requested: `${ns}/waypoint`, expected: 'None', observed: 'None', agrees: true }));
    if (broken(n)) {
      rows.push(row('Service', ns, 'payments', { state: 'waypoint-missing', requested: `${ns}/payments-waypoint`, expected: 'None' }));
      findings.push(finding('WP001', 'Service', ns, 'payments'));
    }
  }
  return input(rows, wps, findings);
}

describe('at scale', () => {
  it('draws 2,000 services in 50 namespaces in at most MAX_NODES nodes, folding the healthy namespaces', () => {
    const text = renderTopology(cluster(50, 40, (n) => n % 17 === 3));
    const svg = parseXml(text);
    expect(text.length).toBeLessThan(200_000);
    const nodes = drawn(svg);
    expect(nodes.length).toBeLessThanOrEqual(MAX_NODES);
    // 47 one-line namespaces; team-003 and team-037: 3 waypoints (one missing), 17 clients and "+ N"; team-020: 2 and 7.
    expect(nodes.length).toBe(47 + 20 + 20 + 9);
    // team-003, team-020 and team-037 have a broken Service: drawn, each with its own edge and finding.
    expect(drawn(svg, 'topo-client', 'topo-broken').map((n) => hrefs(n))).toEqual(['team-003', 'team-020', 'team-037'].map((ns) => [`#svc-${ns}-payments`, `#WP001-${ns}-payments`]));
    expect(svg.attrs['aria-label']).toBe('Waypoint topology: 2003 services, 500 pods, 78 waypoints (3 missing); 3 broken bindings, 0 unexpected, 0 contradicted; 47 of 50 namespaces folded; 85 clients grouped');
    const folded = drawn(svg, 'topo-summary');
    expect(folded).toHaveLength(47);
    expect(shown(folded[0]!)).toBe('namespace team-000: 40 services, all through waypoint waypoint; 10 without a waypoint');
    expect(shown(folded[1]!)).toBe('namespace team-001: 40 services, through 2 waypoints; 10 without a waypoint');
    expect(hrefs(folded[0]!)).toEqual(['#ns-team-000']);
  });

  it('keeps 20,000 bindings under 1 MB and MAX_NODES nodes', () => {
    const text = renderTopology(cluster(400, 40, (n) => n % 10 === 0));
    expect(text.length).toBeLessThan(1_000_000);
    const svg = parseXml(text);
    expect(drawn(svg).length).toBeLessThanOrEqual(MAX_NODES);
    expect(drawn(svg, 'topo-client', 'topo-broken')).toHaveLength(40);
    expect(svg.attrs['aria-label']).toMatch(/; 360 of 400 namespaces folded;/);
  });

  it('stays bounded when everything is broken: problems beyond the budget fold too, and say so', () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => row('Service', `ns-${String(i % 1000).padStart(4, '0')}`, `svc-${i}`, { state: 'waypoint-missing', requested: `ns-${String(i % 1000).padStart(4, '0')}/gone`, expected: 'None' }));
    const text = renderTopology(input(rows, []));
    expect(text.length).toBeLessThan(1_000_000);
    const svg = parseXml(text);
    expect(drawn(svg).length).toBeLessThanOrEqual(MAX_NODES);
    const merged = drawn(svg, 'topo-merged');
    expect(merged).toHaveLength(1);
    expect(shown(merged[0]!)).toBe(`+ ${1000 - (MAX_NODES - 1)} more namespaces: ${(1000 - (MAX_NODES - 1)) * 20} services and pods, ${1000 - (MAX_NODES - 1)} namespaces with problems`);
  });
});
