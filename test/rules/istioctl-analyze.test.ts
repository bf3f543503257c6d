import { expect, it } from 'vitest';
import { runRule } from '../../src/rules/engine.js';
import { istioctlAnalyze } from '../../src/rules/istioctl-analyze.js';
import { ruleTester, snapshotOf } from './rule-tester.js';

const ANALYZE = [
  'Warning [IST0171] (Service default/ratings) The status condition istio.io/WaypointBound is False (reason WaypointIsNotReady)',
  'Info [IST0118] (Service default/details) Port name  (port: 9080, targetPort: 9080) doesn\'t follow the naming convention of Istio port.',
  '',
].join('\n');

ruleTester(istioctlAnalyze, {
  valid: [{ name: 'a clean run', files: { 'analyze.txt': '\n✔ No validation issues found when analyzing all namespaces.\n' } }],
  invalid: [{
    name: 'each message becomes a finding',
    files: { 'analyze.txt': ANALYZE },
    findings: [
      { subject: 'Service default/ratings', message: /WaypointBound is False/, evidence: ['analyze.txt:1'] },
      { subject: 'Service default/details', evidence: ['analyze.txt:2'] },
    ],
  }],
});

it('keeps the IST code, the level and a link to its documentation', () => {
  const [a, b] = runRule(istioctlAnalyze, snapshotOf({ 'analyze.txt': ANALYZE }));
  expect([a!.ruleId, a!.severity, b!.ruleId, b!.severity]).toEqual(['IST0171', 'warning', 'IST0118', 'info']);
  expect(a!.docs).toBe('https://istio.io/latest/docs/reference/config/analysis/ist0171/');
});
