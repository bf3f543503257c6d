/**
 * The self-contained HTML report: one file, its CSS and its one script inline, no external URL. The
 * Content-Security-Policy allows only those inline blocks, by hash, and no network at all. Every captured
 * string goes through Handlebars' escaping (`{{ }}`); triple braces are used only for the page's own
 * CSS and script and for the topology SVG, which renderTopology builds escaping every name it draws.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { namespaceAnchor, podAnchor, serviceAnchor, waypointAnchor } from '../anchors.js';
import type { AnalysisResult } from '../pipeline.js';
import type { Provenance } from '../parse/types.js';
import type { Evidence, Finding } from '../rules/types.js';
import { renderTopology, topologyInput } from './topology.js';

const TEMPLATES = new URL('../../templates/', import.meta.url);

/** Rows the inventory shows before its script pages it (report.js PAGE). */
const FIRST_PAGE = 100;
const SHORT_STEP: Record<string, string> = { analyze: 'analyze', waypoints: 'which waypoint', sync: 'sync', logs: 'logs', config: 'Envoy config' };
const VERDICT_TEXT: Record<string, string> = { fine: 'fine', problem: 'problem', 'not-captured': 'not captured' };

let compiled: Handlebars.TemplateDelegate | undefined;

function template(): Handlebars.TemplateDelegate {
  if (compiled) return compiled;
  const hb = Handlebars.create();
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('location', (p: Provenance) => formatLocation(p));
  hb.registerHelper('join', (list: string[]) => list.join(', '));
  hb.registerHelper('subject', (s?: { kind: string; namespace?: string; name: string }) =>
    s ? `${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name}` : '');
  hb.registerHelper('plural', (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`);
  const partials = new URL('partials/', TEMPLATES);
  for (const file of readdirSync(partials)) {
    if (file.endsWith('.hbs')) hb.registerPartial(file.slice(0, -4), readFileSync(new URL(file, partials), 'utf8'));
  }
  compiled = hb.compile(readFileSync(new URL('report.html.hbs', TEMPLATES), 'utf8'), { strict: false, noEscape: false });
  return compiled;
}

export function formatLocation(p: Provenance): string {
  return `${p.file}${p.line ? `:${p.line}` : ''}${p.path ? ` (${p.path})` : ''}`;
}

/** Optional pieces the page can hold (the topology picture), rendered by their own modules. */
export interface HtmlExtras {
  topology?: string;
}

export function renderHtml(result: AnalysisResult, extras: HtmlExtras = {}): string {
  const failures = result.findings.filter((f) => f.status === 'fail').map(findingView);
  const inconclusive = result.findings.filter((f) => f.status === 'inconclusive');
  const byId = new Map(failures.map((f) => [f.id, f]));
  const { rows, reasons } = inventoryView(result);
  const html = template()({
    ...result,
    css: readFileSync(new URL('report.css', TEMPLATES), 'utf8'),
    script: readFileSync(new URL('report.js', TEMPLATES), 'utf8').replace(/<\//g, '<\\/'),
    csp: '',
    failures,
    inconclusive,
    recognized: result.files.filter((f) => f.kind !== 'unknown').length,
    cluster: result.collection?.cluster ?? result.collection?.context,
    captured: result.collection ? `${result.collection.startedAt} to ${result.collection.finishedAt}` : undefined,
    steps: result.steps.map((s) => ({
      ...s,
      short: SHORT_STEP[s.id],
      verdictText: VERDICT_TEXT[s.verdict],
      findingLinks: s.findings.map((id) => ({ id, ruleId: byId.get(id)?.ruleId ?? '', label: byId.get(id)?.subjectText ?? '' })),
    })),
    inventory: rows,
    reasons,
    waypoints: result.waypoints.map((w) => ({ ...w, anchor: waypointAnchor(w.namespace, w.name) })),
    topology: extras.topology ?? (result.bindings.length || result.waypoints.length ? renderTopology(topologyInput(result)) : undefined),
  });
  return withCsp(html);
}

function findingView(f: Finding) {
  const s = f.subject;
  const subjectLink = s && s.namespace ? (s.kind === 'Pod' ? podAnchor(s.namespace, s.name) : s.kind === 'Service' || s.kind === 'ServiceEntry' ? serviceAnchor(s.namespace, s.name, s.kind) : s.kind === 'Namespace' ? namespaceAnchor(s.name) : undefined) : undefined;
  return {
    ...f,
    id: f.id ?? '',
    subjectText: s ? `${s.namespace ? `${s.namespace}/` : ''}${s.name}` : '',
    ...(subjectLink ? { subjectLink } : {}),
    evidence: f.evidence.map(evidenceView),
    ...(f.against ? { against: f.against.map(evidenceView) } : {}),
  };
}

/** The context lines of an evidence item, numbered, the cited one marked. */
function evidenceView(e: Evidence) {
  if (!e.context) return e;
  return { ...e, contextRows: e.context.lines.map((text, i) => ({ n: e.context!.first + i, text, hit: e.context!.first + i === e.line })) };
}

/** Inventory rows with their anchors, and each distinct reason written once, numbered. */
function inventoryView(result: AnalysisResult) {
  const numbers = new Map<string, number>();
  const counts = new Map<string, number>();
  const rows = result.bindings.map((b) => {
    if (!numbers.has(b.explanation)) numbers.set(b.explanation, numbers.size + 1);
    counts.set(b.explanation, (counts.get(b.explanation) ?? 0) + 1);
    const anchor = b.kind === 'Pod' || b.kind === 'WorkloadEntry' ? podAnchor(b.namespace, b.name) : serviceAnchor(b.namespace, b.name, b.kind);
    return { ...b, anchor, reason: numbers.get(b.explanation)! };
  });
  // Rows past the first page start hidden, so a 20,000-row table is laid out once, not twice; the script pages them.
  rows.forEach((r, i) => Object.assign(r, { later: i >= FIRST_PAGE }));
  const reasons = [...numbers].map(([text, number]) => ({ number, text, count: counts.get(text)! }));
  return { rows, reasons };
}

/** Allows exactly the page's inline style and script blocks, by hash; nothing from anywhere else. */
export function withCsp(html: string): string {
  const hashes = (tag: string) => [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => `'sha256-${createHash('sha256').update(m[1]!, 'utf8').digest('base64')}'`);
  const csp = `default-src 'none'; style-src ${hashes('style').join(' ')}; script-src ${hashes('script').join(' ')}; img-src data:; base-uri 'none'; form-action 'none'`;
  return html.replace('<meta http-equiv="Content-Security-Policy" content="">', `<meta http-equiv="Content-Security-Policy" content="${csp}">`);
}
