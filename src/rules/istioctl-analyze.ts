import type { AnalyzeLevel } from '../parse/types.js';
import { evidence, type Rule, type Severity, type Subject } from './types.js';

const SEVERITY: Record<AnalyzeLevel, Severity> = { Error: 'error', Warning: 'warning', Info: 'info' };

/** Every `istioctl analyze` message becomes a finding under its own IST code, with istioctl's level. */
export const istioctlAnalyze: Rule = {
  meta: {
    id: 'IST',
    title: 'istioctl analyze messages',
    severity: 'warning',
    description:
      'Messages that `istioctl analyze` reported when the bundle was collected, each under its IST code. They are ' +
      'istiod\'s own validation of the configuration; many waypoint problems also show up here (e.g. IST0171 for a ' +
      'false status condition).',
    detection:
      'Reads the captured `istioctl analyze` output; every message becomes a finding under its own IST code and level; messages that confirm a WP finding on the same object are folded into it as evidence.',
    fix: 'Follow the resolution Istio documents for the code: https://istio.io/latest/docs/reference/config/analysis/<code>/',
    docs: 'https://istio.io/latest/docs/reference/config/analysis/',
    needs: ['analyze'],
  },
  check(snapshot, context) {
    for (const m of snapshot.records.analyzeMessages) {
      const subject: Subject | undefined = m.origin ? { kind: m.origin.kind, name: m.origin.name, ...(m.origin.namespace ? { namespace: m.origin.namespace } : {}) } : undefined;
      context.report({
        ruleId: m.code,
        severity: SEVERITY[m.level],
        title: `istioctl analyze ${m.code}`,
        message: m.message,
        ...(subject ? { subject } : {}),
        evidence: [evidence(m.source, m.cluster ? `reported for cluster ${m.cluster}` : undefined)],
        fix: { text: `Follow the resolution that Istio documents for ${m.code}: ${docs(m.code)}` },
        docs: docs(m.code),
      });
    }
  },
};

function docs(code: string): string {
  return `https://istio.io/latest/docs/reference/config/analysis/${code.toLowerCase()}/`;
}
