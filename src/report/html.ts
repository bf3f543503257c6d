/**
 * The self-contained HTML report: one file, inline CSS, no script and no external URL, with a
 * Content-Security-Policy that forbids both. Every captured string goes through Handlebars'
 * escaping (`{{ }}`); the template never uses triple braces.
 */
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import type { AnalysisResult } from '../pipeline.js';
import type { Provenance } from '../parse/types.js';

const TEMPLATE_URL = new URL('../../templates/report.html.hbs', import.meta.url);

let compiled: Handlebars.TemplateDelegate | undefined;

function template(): Handlebars.TemplateDelegate {
  if (compiled) return compiled;
  const hb = Handlebars.create();
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('location', (p: Provenance) => formatLocation(p));
  hb.registerHelper('subject', (s?: { kind: string; namespace?: string; name: string }) =>
    s ? `${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name}` : '');
  hb.registerHelper('plural', (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`);
  compiled = hb.compile(readFileSync(TEMPLATE_URL, 'utf8'), { strict: false, noEscape: false });
  return compiled;
}

export function formatLocation(p: Provenance): string {
  return `${p.file}${p.line ? `:${p.line}` : ''}${p.path ? ` (${p.path})` : ''}`;
}

export function renderHtml(result: AnalysisResult): string {
  const failures = result.findings.filter((f) => f.status === 'fail');
  const inconclusive = result.findings.filter((f) => f.status === 'inconclusive');
  return template()({
    ...result,
    failures,
    inconclusive,
    recognized: result.files.filter((f) => f.kind !== 'unknown').length,
  });
}
