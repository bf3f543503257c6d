/** Simulating every fix in analyze: within a time budget, errors first, fixes with the same changes once. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/bundle/types.js';
import { MAX_INFO_SIMULATIONS, simulateFixes } from '../../src/compare/fix-outcomes.js';
import { buildSnapshot } from '../../src/model/build.js';
import { readParsedFiles } from '../../src/pipeline.js';
import { BUILTIN_RULES } from '../../src/rules/index.js';
import { runRules } from '../../src/rules/engine.js';
import type { Finding } from '../../src/rules/types.js';
import { sample } from '../cli/run.js';

async function broken() {
  const { files } = await readParsedFiles(sample('bookinfo-broken.tgz'), DEFAULT_LIMITS);
  const snapshot = buildSnapshot(files);
  const findings = runRules(BUILTIN_RULES, snapshot).findings.filter((f) => f.status === 'fail');
  return { files, snapshot, findings };
}

describe('simulateFixes', () => {
  it('spends the budget on errors before info: with room for one simulation, the error\'s fix is the one simulated', async () => {
    const { files, snapshot, findings } = await broken();
    // Info first in the list, as the engine may order them.
    const ordered: Finding[] = [...findings].sort((a, b) => (a.severity === 'info' ? -1 : b.severity === 'info' ? 1 : 0));
    expect(ordered[0]!.severity).toBe('info');
    // The clock reads 0 at the start and at the first check, then a second later: room for one simulation.
    let reads = 0;
    simulateFixes(files, ordered, BUILTIN_RULES, { snapshot, findings }, 100, () => (reads++ < 2 ? 0 : 1000));
    const simulated = ordered.filter((f) => f.fix?.outcome && !f.fix.outcome.skipped);
    expect(simulated).toHaveLength(1);
    expect(simulated[0]!.severity).toBe('error');
    for (const f of ordered.filter((x) => x.fix?.changes?.length && x !== simulated[0])) {
      expect(f.fix!.outcome!.summary).toMatch(/^not simulated: the time budget/);
    }
  });

  it('with time enough, every fix that changes a resource gets its outcome', async () => {
    const { files, snapshot, findings } = await broken();
    simulateFixes(files, findings, BUILTIN_RULES, { snapshot, findings });
    const withChanges = findings.filter((f) => f.fix?.changes?.length);
    expect(withChanges.length).toBeGreaterThan(2);
    for (const f of withChanges) expect(f.fix!.outcome!.summary, f.ruleId).toMatch(/^resolves /);
  });

  it('info findings in bulk (more than 20 distinct changes) are not simulated one by one; errors still are', async () => {
    const { files, snapshot, findings } = await broken();
    const info = findings.find((f) => f.severity === 'info' && f.fix?.changes?.length)!;
    expect(info).toBeDefined();
    const many: Finding[] = Array.from({ length: MAX_INFO_SIMULATIONS + 1 }, (_, i) => ({
      ...info,
      fix: { ...info.fix!, changes: info.fix!.changes!.map((c) => ({ ...c, note: `copy ${i}` })) as NonNullable<Finding['fix']>['changes'] },
    }));
    const all = [...findings.filter((f) => f.severity !== 'info'), ...many];
    simulateFixes(files, all, BUILTIN_RULES, { snapshot, findings });
    for (const f of many) expect(f.fix!.outcome!.summary).toBe(`not simulated: ${MAX_INFO_SIMULATIONS + 1} info findings propose changes (run what-if on this finding to see its outcome)`);
    const errors = all.filter((f) => f.severity === 'error' && f.fix?.changes?.length);
    expect(errors.length).toBeGreaterThan(0);
    for (const f of errors) expect(f.fix!.outcome!.summary).toMatch(/^resolves /);
  });
});
