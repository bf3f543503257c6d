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
