/**
 * Each proposed fix, proved: `analyze` applies every fix's changes to the snapshot (what-if.ts) and writes
 * under the fix what it would do ("resolves WP004 on default/reviews-v2; introduces nothing"). Fixes that
 * share their changes are simulated once. A large bundle costs a rebuild per fix (about a second at 20,000
 * pods), so simulation stops at a time budget, errors first, then warnings, then info, and the fixes left say
 * so rather than slowing every report down.
 */
import type { ParsedFile } from '../parse/index.js';
import type { ClusterSnapshot } from '../model/snapshot.js';
import type { Finding, FixOutcome, Rule } from '../rules/types.js';
import { findingName, type FindingRef } from './match.js';
import { whatIf, type WhatIfResult } from './what-if.js';

export const SIMULATION_BUDGET_MS = 3_000;

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;
/**
 * Info findings by the hundred (a guard policy advised for each of 900 Services) are advice in bulk: past this
 * many distinct changes they are not simulated one by one, and say how to see one's outcome.
 */
export const MAX_INFO_SIMULATIONS = 20;

export function simulateFixes(files: readonly ParsedFile[], findings: readonly Finding[], rules: readonly Rule[], before: { snapshot: ClusterSnapshot; findings: readonly Finding[] }, budgetMs = SIMULATION_BUDGET_MS, now: () => number = Date.now): void {
  const started = now();
  const done = new Map<string, FixOutcome>();
  const bySeverity = [...findings].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  const infoChanges = new Set(findings.filter((f) => f.severity === 'info' && f.fix?.changes?.length).map((f) => JSON.stringify(f.fix!.changes)));
  const bulkInfo = infoChanges.size > MAX_INFO_SIMULATIONS;
  for (const f of bySeverity) {
    const changes = f.fix?.changes;
    if (!f.fix || !changes?.length) continue;
    const key = JSON.stringify(changes);
    let outcome = done.get(key);
    if (!outcome) {
      if (bulkInfo && f.severity === 'info') {
        const why = `${infoChanges.size} info findings propose changes`;
        outcome = { summary: `not simulated: ${why} (run what-if on this finding to see its outcome)`, resolved: [], introduced: [], needsCapture: [], skipped: why };
      } else if (now() - started > budgetMs) {
        outcome = { summary: 'not simulated: the time budget for simulating fixes ran out (run what-if on this finding)', resolved: [], introduced: [], needsCapture: [], skipped: 'time budget' };
      } else {
        try {
          outcome = outcomeOf(whatIf(files, rules, changes, before));
        } catch (err) {
          outcome = { summary: `not simulated: ${(err as Error).message}`, resolved: [], introduced: [], needsCapture: [], skipped: (err as Error).message };
        }
      }
      done.set(key, outcome);
    }
    f.fix.outcome = { ...outcome, summary: outcome.skipped ? outcome.summary : summaryFor(findingName(f), outcome) };
  }
}

function outcomeOf(r: WhatIfResult): FixOutcome {
  return { summary: '', resolved: r.resolved.map((x) => x.name), introduced: r.introduced.filter((x) => x.severity !== 'info').map((x) => x.name).concat(r.introduced.filter((x) => x.severity === 'info').map((x) => `${x.name} (info)`)), needsCapture: r.needsCapture.map((x) => x.name) };
}

/** `resolves WP004 on default/reviews-v2; introduces nothing`, this finding named first. */
export function summaryFor(self: string, o: FixOutcome): string {
  const on = (name: string) => name.replace(/^([^:]+):(.+)$/, '$1 on $2');
  const resolved = [...o.resolved].sort((a, b) => (a === self ? -1 : b === self ? 1 : a.localeCompare(b)));
  const parts = [
    resolved.length ? `resolves ${resolved.map(on).join(', ')}` : `does not resolve ${on(self)}`,
    o.introduced.length ? `introduces ${o.introduced.map(on).join(', ')}` : 'introduces nothing',
  ];
  if (o.needsCapture.length) parts.push(`a new capture must confirm ${o.needsCapture.map(on).join(', ')}`);
  return parts.join('; ');
}

export type { FindingRef };
