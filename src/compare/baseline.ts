/**
 * `analyze --baseline OLD`: each finding of this run is marked new or known against an earlier bundle or
 * JSON report, matched as `diff` matches (rule and subject, pods by workload); the baseline's findings
 * that are gone are listed as resolved.
 */
import type { BundleLimits } from '../bundle/types.js';
import type { AnalysisResult } from '../pipeline.js';
import type { Rule } from '../rules/types.js';
import { loadSide } from './diff.js';
import { findingName, matchFindings } from './match.js';

export async function applyBaseline(result: AnalysisResult, path: string, limits: BundleLimits, rules: readonly Rule[]): Promise<void> {
  const baseline = await loadSide(path, limits, rules);
  const matched = matchFindings(baseline.findings, result.findings);
  const known = new Set(matched.persisting);
  for (const f of result.findings) if (f.status === 'fail') f.baseline = known.has(f) ? 'known' : 'new';
  result.baseline = {
    path,
    known: matched.persisting.length,
    new: matched.introduced.length,
    resolved: matched.resolved.map((f) => ({ ruleId: f.ruleId, severity: f.severity, name: findingName(f), message: f.message })),
  };
}
