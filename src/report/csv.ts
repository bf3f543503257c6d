import Papa from 'papaparse';
import type { AnalysisResult } from '../pipeline.js';
import { formatLocation } from './html.js';

/** One row per finding, for spreadsheets and ticket systems; evidence locations joined by `; ` (those against it last). */
export function renderCsv(result: AnalysisResult): string {
  const rows = result.findings.map((f) => ({
    rule: f.ruleId,
    severity: f.severity,
    status: f.status,
    kind: f.subject?.kind ?? '',
    namespace: f.subject?.namespace ?? '',
    name: f.subject?.name ?? '',
    title: f.title,
    message: f.message,
    evidence: f.evidence.map(formatLocation).join('; '),
    fix: [f.fix?.text, ...(f.fix?.commands ?? []), ...(f.collect ?? [])].filter(Boolean).join(' | '),
    against: (f.against ?? []).map(formatLocation).join('; '),
  }));
  // escapeFormulae: captured names starting with = + - @ must not run as spreadsheet formulas.
  return `${Papa.unparse(rows, { escapeFormulae: true, columns: ['rule', 'severity', 'status', 'kind', 'namespace', 'name', 'title', 'message', 'evidence', 'fix', 'against'] })}\n`;
}

/** One row per Service and per Pod with a waypoint of its own: the report's inventory, for spreadsheets. */
export function renderInventoryCsv(result: AnalysisResult): string {
  const rows = result.bindings.map((b) => ({
    kind: b.kind,
    namespace: b.namespace,
    name: b.name,
    verdict: b.verdict,
    requested: b.requested,
    expected: b.expected,
    observed: b.observed ?? '',
    agrees: b.agrees === undefined ? '' : String(b.agrees),
    synced: b.synced === undefined ? '' : String(b.synced),
    istiod: b.istiod ?? '',
    policies: b.policies.join(' '),
    routes: b.routes.join(' '),
    findings: b.findings.join(' '),
    explanation: b.explanation,
    source: formatLocation(b.source),
  }));
  return `${Papa.unparse(rows, { escapeFormulae: true, columns: ['kind', 'namespace', 'name', 'verdict', 'requested', 'expected', 'observed', 'agrees', 'synced', 'istiod', 'policies', 'routes', 'findings', 'explanation', 'source'] })}\n`;
}
