/**
 * Each proposed fix, proved: `analyze` applies every fix's changes to the snapshot (what-if.ts) and writes
 * under the fix what it would do ("resolves WP004 on default/reviews-v2; introduces nothing"). Fixes that
 * share their changes are simulated once. A large bundle costs a rebuild per fix, so simulation stops at a
 * time budget and the fixes left say so rather than slowing every report down.
 */
import type { ParsedFile } from '../parse/index.js';
import type { ClusterSnapshot } from '../model/snapshot.js';
import type { Finding, FixOutcome, Rule } from '../rules/types.js';
import { findingName, type FindingRef } from './match.js';
import { whatIf, type WhatIfResult } from './what-if.js';

export const SIMULATION_BUDGET_MS = 10_000;

export function simulateFixes(files: readonly ParsedFile[], findings: readonly Finding[], rules: readonly Rule[], before: { snapshot: ClusterSnapshot; findings: readonly Finding[] }, budgetMs = SIMULATION_BUDGET_MS): void {
  const started = Date.now();
  const done = new Map<string, FixOutcome>();
  for (const f of findings) {
    const changes = f.fix?.changes;
    if (!f.fix || !changes?.length) continue;
    const key = JSON.stringify(changes);
    let outcome = done.get(key);
    if (!outcome) {
      if (Date.now() - started > budgetMs) {
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
