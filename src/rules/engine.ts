/**
 * Runs rules over a snapshot. Because each rule declares what it needs, the engine (not the rule)
 * knows when a capture is missing: the rule does not run, and the report says once, per capture,
 * what to collect and which checks it would decide (coverage.ts).
 */
import { collectCommand, describeCapture, type Capture } from '../model/captures.js';
import type { ClusterSnapshot } from '../model/snapshot.js';
import { linkAnalyzeFindings } from './ist-links.js';
import type { Finding, Rule, RuleMeta } from './types.js';

/** `not-checked`: a capture it needs is missing, so it did not run. */
export type RuleOutcome = 'fail' | 'pass' | 'inconclusive' | 'not-checked';

export interface RuleResult {
  id: string;
  title: string;
  severity: RuleMeta['severity'];
  outcome: RuleOutcome;
  findings: number;
  /** For `not-checked`: what is missing, each entry a set of alternatives. */
  missing?: Capture[][];
}

export interface EngineResult {
  findings: Finding[];
  rules: RuleResult[];
}

/** What a rule lacks: each entry a set of alternatives (a `needs` capture alone, or the `needsAnyOf` set). */
export function missingCaptures(meta: RuleMeta, captured: ReadonlySet<Capture>): Capture[][] {
  const missing = meta.needs.filter((c) => !captured.has(c)).map((c) => [c]);
  if (meta.needsAnyOf && !meta.needsAnyOf.some((c) => captured.has(c))) missing.push([...meta.needsAnyOf]);
  return missing;
}

export function runRule(rule: Rule, snapshot: ClusterSnapshot): Finding[] {
  const { meta } = rule;
  const base = { ruleId: meta.id, title: meta.title, severity: meta.severity, ...(meta.docs ? { docs: meta.docs } : {}) };
  const missing = missingCaptures(meta, snapshot.captured);
  if (missing.length > 0) {
    return [{
      ...base,
      status: 'inconclusive',
      message: `Not checked: the bundle has no ${missing.map((alternatives) => alternatives.map(describeCapture).join(' or ')).join(', ')}.`,
      evidence: [],
      collect: missing.flat().map(collectCommand),
      missing,
    }];
  }
  const findings: Finding[] = [];
  try {
    rule.check(snapshot, {
      report(reported) {
        findings.push({ ...base, status: 'fail', ...reported });
      },
    });
  } catch (err) {
    // A rule bug must not cost the user the rest of the report; it is shown, not hidden.
    findings.push({ ...base, status: 'inconclusive', message: `Rule failed with an internal error: ${(err as Error).message}`, evidence: [] });
  }
  return findings;
}

export function runRules(rules: readonly Rule[], snapshot: ClusterSnapshot): EngineResult {
  const findings: Finding[] = [];
  const results: RuleResult[] = [];
  for (const rule of rules) {
    const ruleFindings = runRule(rule, snapshot);
    const result: RuleResult = { id: rule.meta.id, title: rule.meta.title, severity: rule.meta.severity, outcome: 'pass', findings: 0 };
    const notRun = ruleFindings.find((f) => f.missing);
    if (notRun) {
      results.push({ ...result, outcome: 'not-checked', missing: notRun.missing! });
      continue;
    }
    findings.push(...ruleFindings);
    const failed = ruleFindings.filter((f) => f.status === 'fail').length;
    result.outcome = failed > 0 ? 'fail' : ruleFindings.length > 0 ? 'inconclusive' : 'pass';
    result.findings = ruleFindings.length;
    results.push(result);
  }
  return { findings: sortFindings(linkAnalyzeFindings(findings)), rules: results };
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;
const STATUS_ORDER = { fail: 0, inconclusive: 1 } as const;

/** Failures first, most severe first, then by rule and subject, so reports are stable. */
export function sortFindings(findings: Finding[]): Finding[] {
  const subject = (f: Finding) => (f.subject ? `${f.subject.namespace ?? ''}/${f.subject.kind}/${f.subject.name}` : '');
  return findings.sort((a, b) =>
    STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    a.ruleId.localeCompare(b.ruleId) ||
    subject(a).localeCompare(subject(b)));
}
