/** The guide's five steps answered from the sample bundles: verdicts, summaries and the findings behind them. */
import { describe, expect, it } from 'vitest';
import { jsonReport, sample } from './cli/run.js';

interface Step { number: number; id: string; verdict: string; summary: string; findings: string[] }
const steps = async (bundle: string) => (await jsonReport<{ steps: Step[]; findings: { id: string; ruleId: string }[] }>(sample(bundle))).report;

describe('the guide\'s steps', () => {
  it('the healthy sample: every step captured and fine, with the numbers behind it', async () => {
    const { steps: s } = await steps('bookinfo-ambient');
    expect(s.map((x) => [x.number, x.id, x.verdict])).toEqual([[1, 'analyze', 'fine'], [2, 'waypoints', 'fine'], [3, 'sync', 'fine'], [4, 'logs', 'fine'], [5, 'config', 'fine']]);
    expect(s[1]!.summary).toBe('The labels bind 8 Services and 1 pod to a waypoint; ztunnel sends 8 Services and 1 workload to a waypoint; compared with the labels for 17: all agree.');
    expect(s[2]!.summary).toBe('3 waypoint pods: 3 in proxy-status, 0 not in sync.');
    expect(s[3]!.summary).toMatch(/^3 waypoint logs: 30 requests, 30 served without error; ztunnel logged \d+ connections\.$/);
  });

  it('the broken sample: problems where the faults are, each linked to its findings; logs and dumps not captured', async () => {
    const { steps: s, findings } = await steps('bookinfo-broken');
    expect(s.map((x) => x.verdict)).toEqual(['problem', 'problem', 'problem', 'not-captured', 'not-captured']);
    // istioctl analyze's IST0171 on ratings is carried by WP001: step 1 links to it.
    expect(s[0]!.findings).toEqual(['WP001-default-ratings']);
    expect(s[1]!.findings).toEqual(['WP001-default-ratings', expect.stringMatching(/^WP004-default-reviews-v2-/)]);
    expect(s[2]!.findings).toEqual(['WP037-default-waypoint-hxzdgnszt2-m5q8z']);
    expect(s[3]!.summary).toBe('Not in the bundle: kubectl logs deploy/waypoint, kubectl logs -n istio-system ds/ztunnel.');
    for (const id of s.flatMap((x) => x.findings)) expect(findings.map((f) => f.id)).toContain(id);
  });

  it('only the guide\'s pasted tables: what they answer, and what they cannot', async () => {
    const { steps: s } = await steps('guide-outputs');
    expect(s.map((x) => x.verdict)).toEqual(['fine', 'fine', 'fine', 'not-captured', 'not-captured']);
    // istioctl prints bookinfo-gateway-istio four times (one row per port in that version): counted once.
    expect(s[1]!.summary).toBe('ztunnel sends 6 Services and 1 workload to a waypoint.');
  });
});
