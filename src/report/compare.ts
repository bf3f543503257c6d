/**
 * `diff` and `what-if` output: terminal text, JSON (the result with its three lists named `resolved`,
 * `introduced`, `persisting`) and a self-contained HTML page escaped by Handlebars, under the same CSP as
 * the report. Renderers only lay out what compare/ computed.
 */
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import type { DiffResult } from '../compare/diff.js';
import type { FindingRef } from '../compare/match.js';
import type { WhatIfResult } from '../compare/what-if.js';
import type { BindingChange } from '../compare/state-changes.js';
import { withCsp } from './html.js';

const TEMPLATES = new URL('../../templates/', import.meta.url);
export const COMPARE_SCHEMA_VERSION = 1;

export function renderDiffJson(result: DiffResult): string {
  return `${JSON.stringify({ schemaVersion: COMPARE_SCHEMA_VERSION, command: 'diff', ...result }, null, 2)}\n`;
}

export function renderWhatIfJson(result: WhatIfResult & { bundle: string }): string {
  return `${JSON.stringify({ schemaVersion: COMPARE_SCHEMA_VERSION, command: 'what-if', ...result }, null, 2)}\n`;
}

const line = (f: FindingRef & { collect?: string[]; simulated?: string }) =>
  `  ${f.severity.padEnd(7)} ${f.name}  ${f.message}${f.simulated ? ` [simulation alone: ${f.simulated}; confirm with: ${f.collect?.join(' ; ')}]` : ''}\n`;

function list(title: string, items: readonly (FindingRef & { collect?: string[]; simulated?: string })[]): string {
  return `${title} (${items.length})\n${items.length ? items.map(line).join('') : '  none\n'}`;
}

function bindingLines(bindings: readonly BindingChange[]): string {
  if (!bindings.length) return '';
  const side = (s: BindingChange['before']) => (s ? `${s.state}, expected ${s.expected || '?'}${s.observed !== undefined ? `, observed ${s.observed}` : ''}` : 'absent');
  return `Waypoints per Service and Pod (${bindings.length} changed)\n${bindings.map((b) => `  ${b.kind} ${b.namespace}/${b.name}: ${side(b.before)} -> ${side(b.after)}\n`).join('')}`;
}

export function renderDiffText(r: DiffResult): string {
  let out = `diff ${r.before.path} -> ${r.after.path}\n`;
  for (const n of r.notes) out += `note: ${n}\n`;
  out += list('Resolved', r.resolved) + list('Introduced', r.introduced) + list('Persisting', r.persisting);
  out += bindingLines(r.bindings);
  if (r.waypoints.length) out += `Waypoints (${r.waypoints.length} changed)\n${r.waypoints.map((w) => `  ${w.namespace}/${w.name}: ${w.changes.map((c) => `${c.field} ${c.before || '-'} -> ${c.after || '-'}`).join('; ')}\n`).join('')}`;
  if (r.resources.length) out += `Policies and routes (${r.resources.length} changed)\n${r.resources.map((c) => `  ${c.change} ${c.kind} ${c.namespace ? `${c.namespace}/` : ''}${c.name}\n`).join('')}`;
  if (r.versions.length) out += `Istio versions\n${r.versions.map((v) => `  ${v.component}: ${v.before.join(', ') || '-'} -> ${v.after.join(', ') || '-'}\n`).join('')}`;
  return out;
}

export function renderWhatIfText(r: WhatIfResult & { bundle: string }): string {
  let out = `what-if on ${r.bundle} (simulated on the snapshot; nothing was sent to a cluster)\n${r.applied.map((a) => `  applied: ${a}\n`).join('')}`;
  out += list('Resolved', r.resolved) + list('Introduced', r.introduced) + list('Persisting', r.persisting);
  out += list('Needs a new capture to confirm', r.needsCapture);
  if (r.assumptions.length) out += `Assumed\n${r.assumptions.map((a) => `  ${a}\n`).join('')}`;
  return out + bindingLines(r.bindings);
}

let compiled: Handlebars.TemplateDelegate | undefined;

function template(): Handlebars.TemplateDelegate {
  if (!compiled) {
    const hb = Handlebars.create();
    hb.registerHelper('join', (items: string[]) => items.join(', '));
    compiled = hb.compile(readFileSync(new URL('compare.html.hbs', TEMPLATES), 'utf8'), { strict: false });
  }
  return compiled;
}

const css = () => readFileSync(new URL('report.css', TEMPLATES), 'utf8');

export function renderDiffHtml(r: DiffResult): string {
  return withCsp(template()({
    ...r,
    command: 'diff',
    isDiff: true,
    title: `${r.before.path} -> ${r.after.path}`,
    css: css(),
    sections: [
      { id: 'introduced', heading: 'Introduced', items: r.introduced },
      { id: 'resolved', heading: 'Resolved', items: r.resolved },
      { id: 'persisting', heading: 'Persisting', items: r.persisting },
    ],
  }));
}

export function renderWhatIfHtml(r: WhatIfResult & { bundle: string }): string {
  return withCsp(template()({
    ...r,
    command: 'what-if',
    title: r.bundle,
    css: css(),
    sections: [
      { id: 'resolved', heading: 'Resolved', items: r.resolved },
      { id: 'introduced', heading: 'Introduced', items: r.introduced },
      { id: 'persisting', heading: 'Persisting', items: r.persisting },
      { id: 'needs-capture', heading: 'Needs a new capture to confirm', items: r.needsCapture, collectColumn: true },
    ],
  }));
}
