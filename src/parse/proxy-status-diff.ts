/**
 * `istioctl proxy-status <pod>`: not a table but istiod's config compared with the proxy's
 * (istioctl/pkg/writer/compare): `Clusters Match`, `Listeners Match`, `Routes Match (RDS last loaded
 * at ...)`, or a unified diff under `--- Istiod Clusters` / `+++ Envoy Clusters`. Recognized and
 * summarized; it names no pod by itself, so it adds no proxy-status row.
 */
import type { FileParser } from './parser.js';
import type { ParseResult } from './types.js';

const VERDICT = /^(Clusters|Listeners|Routes) (Match|Don't Match)\b/;
const DIFF_HEADER = /^(?:---|\+\+\+) (?:Istiod|Pilot|Envoy) (Clusters|Listeners|Routes)\b/;

export const proxyStatusDiffParser: FileParser = {
  kind: 'proxy-status-diff',
  detect: ({ head }) => head.findIndex((l) => VERDICT.test(l) || DIFF_HEADER.test(l)),
  parse({ lines }): ParseResult {
    const verdicts = new Map<string, string>();
    for (const line of lines) {
      const v = VERDICT.exec(line);
      if (v) verdicts.set(v[1]!, v[2] === 'Match' ? 'match' : 'differ');
      const d = DIFF_HEADER.exec(line);
      if (d) verdicts.set(d[1]!, 'differ');
    }
    const summary = [...verdicts].map(([what, verdict]) => `${what.toLowerCase()} ${verdict}`).join(', ');
    return { records: {}, diagnostics: [], summary: `istiod's config against the proxy's: ${summary}` };
  },
};
