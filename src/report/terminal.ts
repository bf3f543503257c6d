/** The short summary printed after a run: counts, one line per failing finding, the report path. */
import type { AnalysisResult } from '../pipeline.js';

const MAX_LINES = 20;

export function renderSummary(result: AnalysisResult, color: boolean): string {
  const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const sev = { error: (s: string) => paint('1;31', s), warning: (s: string) => paint('33', s), info: (s: string) => paint('36', s) };
  const { counts, files } = result;
  const recognized = files.filter((f) => f.kind !== 'unknown').length;
  const out: string[] = [
    `${result.tool.name} ${result.tool.version}: ${result.bundle.path}`,
    `  ${plural(files.length, 'file')} read (${recognized} recognized), ${plural(result.diagnostics.length, 'parse problem')}, ${result.skipped.length} skipped`,
    `  ${sev.error(plural(counts.error, 'error'))}, ${sev.warning(plural(counts.warning, 'warning'))}, ${counts.info} info, ${counts.inconclusive} inconclusive` +
      (result.suppressed.length ? `, ${result.suppressed.length} suppressed (listed in the report)` : ''),
  ];
  if (result.notChecked.length) {
    out.push(`  ${plural(counts.notChecked, 'check')} not run for lack of: ${result.notChecked.map((g) => g.what).join('; ')} (what to collect is in the report)`);
  }
  // Custom rule ids can be long; the column fits the longest shown.
  const idWidth = Math.max(7, ...result.findings.map((f) => f.ruleId.length));
  const failures = result.findings.filter((f) => f.status === 'fail');
  for (const f of failures.slice(0, MAX_LINES)) {
    const subject = f.subject ? `${f.subject.kind} ${f.subject.namespace ? `${f.subject.namespace}/` : ''}${f.subject.name}: ` : '';
    // istioctl's messages have generic titles; their own text says more.
    const what = f.ruleId.startsWith('IST') ? truncate(f.message, 100) : f.title;
    const contradicted = f.against?.length ? ' (contradicted: see the evidence against it)' : '';
    out.push(`  ${sev[f.severity](f.severity.toUpperCase().padEnd(7))} ${f.ruleId.padEnd(idWidth)} ${subject}${what}${contradicted}${f.baseline === 'new' ? ' (new)' : ''}`);
  }
  if (failures.length > MAX_LINES) out.push(`  ... and ${failures.length - MAX_LINES} more in the report`);
  return `${out.join('\n')}\n`;
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 3)}...` : s;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
