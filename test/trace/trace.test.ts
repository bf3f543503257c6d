/**
 * `waypoint-analyze trace` on the sample bundles: the first broken hop and its evidence for the
 * scenario of each fault the path shows, the healthy path hop by hop, and bad invocations.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run.js';
import { ROOT } from '../helpers.js';

const scenario = (name: string) => join(ROOT, 'samples', 'scenarios', name);
const HEALTHY = join(ROOT, 'samples', 'bookinfo-ambient');

/** The sleep pod of a bundle (its name differs where a scenario replaced pods). */
function sleepPod(bundle: string): string {
  const pods = JSON.parse(readFileSync(join(bundle, 'kubectl', 'pods.json'), 'utf8')) as { items: { metadata: { name: string; labels?: Record<string, string> } }[] };
  return `default/${pods.items.find((p) => p.metadata.labels?.['app'] === 'sleep')!.metadata.name}`;
}

interface Hop { step: string; status: string; summary: string; evidence: { file: string; line?: number; note?: string }[]; collect?: string[] }
interface TraceJson { from: string; to: string; hops: Hop[]; result: string; brokenAt?: string; stoppedBecause?: string }

async function trace(bundle: string, to: string, from = sleepPod(bundle)): Promise<{ code: number; trace: TraceJson; stderr: string }> {
  const r = await runCli('trace', bundle, '--from', from, '--to', to, '--format', 'json');
  return { code: r.code, stderr: r.stderr, trace: r.code === 2 ? ({} as TraceJson) : (JSON.parse(r.stdout) as TraceJson) };
}

const at = (t: TraceJson, step: string) => t.hops.find((h) => h.step === step)!;
const locations = (h: Hop) => h.evidence.map((e) => `${e.file}:${e.line ?? ''}`);

describe('trace on the healthy sample', () => {
  it('walks every hop from sleep to productpage, each ok with its evidence, and exits 0', async () => {
    const { code, trace: t } = await trace(HEALTHY, 'productpage:9080');
    expect(code).toBe(0);
    expect(t.result).toBe('ok');
    expect(t.hops.map((h) => [h.step, h.status])).toEqual([
      ['source', 'ok'], ['address', 'ok'], ['waypoint', 'ok'], ['ztunnel', 'ok'], ['gateway', 'ok'], ['sync', 'ok'],
      ['listener', 'ok'], ['route', 'ok'], ['cluster', 'ok'], ['endpoints', 'ok'], ['policy', 'ok'], ['destination', 'ok'],
    ]);
    expect(at(t, 'ztunnel').summary).toMatch(/^ztunnel sends it to waypoint waypoint/);
    expect(locations(at(t, 'ztunnel'))).toEqual(['istioctl/ztunnel-config-service.txt:6']);
    expect(at(t, 'policy').summary).toMatch(/ALLOW productpage-viewer admits it for requests matching methods/);
    expect(at(t, 'destination').summary).toMatch(/admits the waypoint's identity cluster\.local\/ns\/default\/sa\/waypoint/);
    for (const h of t.hops.filter((x) => !['policy', 'destination'].includes(x.step) || x.evidence.length)) expect(h.evidence.length, h.step).toBeGreaterThan(0);
  });

  it('takes the Service by its VIP as by its name', async () => {
    const byName = await trace(HEALTHY, 'productpage.default:9080');
    const byIp = await trace(HEALTHY, '10.43.172.254:9080');
    expect(byIp.trace.hops.map((h) => h.status)).toEqual(byName.trace.hops.map((h) => h.status));
    expect(byIp.trace.to).toBe('default/productpage:9080');
  });

  it('prints text for a terminal', async () => {
    const r = await runCli('trace', HEALTHY, '--from', sleepPod(HEALTHY), '--to', 'reviews');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^trace default\/sleep-\S+ -> default\/reviews:9080\n/);
    expect(r.stdout).toMatch(/\n {2}ok {6}waypoint {4}Expected waypoint: default\/reviews-svc-waypoint/);
    expect(r.stdout).toMatch(/\nresult: every hop checked is ok\n$/);
  });
});

describe('trace stops at the first broken hop of each scenario', () => {
  it.each([
    ['wp001-missing-waypoint', 'ratings', 'waypoint', /names Gateway default\/ratings-waypoint, which is not in the bundle/, 'kubectl/services.json:'],
    ['wp003-waypoint-no-healthy-pods', 'productpage', 'gateway', /No pod of waypoint default\/waypoint is ready/, 'kubectl/pods.json:'],
    ['wp020-ztunnel-cannot-resolve-waypoint', 'reviews', 'ztunnel', /ztunnel shows WAYPOINT NA/, 'istioctl/ztunnel-config-service.txt:'],
    ['wp037-waypoint-not-synced', 'productpage', 'sync', /CDS STALE/, 'istioctl/proxy-status.txt:'],
    ['wp040-service-missing-from-waypoint', 'ratings', 'listener', /no chain for ratings\.default\.svc\.cluster\.local port 9080/, undefined],
    ['wp034-tcp-port', 'ratings', 'route', /served as TCP, so HTTPRoute ratings-timeout cannot apply/, 'kubectl/httproutes.json:'],
    ['wp041-policy-missing-from-waypoint', 'productpage', 'policy', /ALLOW productpage-viewer should be enforced here, but chain \S+ has no RBAC policy of it/, 'config-dumps/default/'],
    ['wp023-l4-policy-denies-waypoint', 'ratings', 'destination', /admits no connection from the waypoint's identity cluster\.local\/ns\/default\/sa\/waypoint \(ALLOW ratings-from-reviews/, 'kubectl/authorizationpolicies.json:'],
  ])('%s: %s is broken at %s', async (name, to, step, summary, evidenceIn) => {
    const { code, trace: t } = await trace(scenario(name), to);
    expect(code).toBe(1);
    expect(t.result).toBe('broken');
    expect(t.brokenAt).toBe(step);
    const last = t.hops[t.hops.length - 1]!;
    expect(last.step).toBe(step);
    expect(last.summary).toMatch(summary);
    expect(t.hops.slice(0, -1).every((h) => h.status !== 'broken')).toBe(true);
    if (evidenceIn) expect(locations(last).some((l) => l.startsWith(evidenceIn)), locations(last).join(', ')).toBe(true);
  });

  it('a Service opted out of the namespace waypoint: ok, and the walk ends with no waypoint', async () => {
    const { code, trace: t } = await trace(scenario('wp010-opted-out-of-namespace-waypoint'), 'details');
    expect(code).toBe(0);
    expect(t.stoppedBecause).toBe('no waypoint in the path');
    expect(at(t, 'waypoint').summary).toMatch(/^No waypoint: /);
  });
});

describe('trace with only the guide\'s pasted tables', () => {
  it('decides what ztunnel shows and says what to collect for the rest', async () => {
    const { code, trace: t } = await trace(join(ROOT, 'samples', 'guide-outputs'), 'productpage', 'default/details-v1-698d88b-wwsnv');
    expect(code).toBe(0);
    expect(t.result).toBe('unknown');
    expect(at(t, 'source').status).toBe('ok');
    expect(at(t, 'waypoint').status).toBe('unknown');
    expect(at(t, 'waypoint').collect).toEqual(['kubectl get services,pods,namespaces -A -o yaml']);
  });
});

describe('bad invocations exit 2 with one line', () => {
  it.each([
    [['--from', 'default/nope', '--to', 'productpage'], /^waypoint-analyze: --from default\/nope: the bundle has no such pod/],
    [['--from', 'sleep', '--to', 'productpage'], /^waypoint-analyze: --from 'sleep' is not NAMESPACE\/POD\n$/],
    [['--from', 'PLACEHOLDER', '--to', 'nosuch.default'], /^waypoint-analyze: --to nosuch\.default: the bundle has no such Service/],
    [['--from', 'PLACEHOLDER', '--to', 'http://x/'], /^waypoint-analyze: --to 'http:\/\/x\/' is not SERVICE\[\.NAMESPACE\]\[:PORT\] or IP:PORT\n$/],
    [['--from', 'PLACEHOLDER', '--to', '10.9.9.9:80'], /^waypoint-analyze: --to 10\.9\.9\.9:80: no Service VIP or pod IP 10\.9\.9\.9 in the bundle\n$/],
    [['--to', 'productpage'], /^waypoint-analyze: required option '--from <namespace\/pod>' not specified\n$/],
  ])('%j', async (args, message) => {
    const r = await runCli('trace', HEALTHY, ...args.map((a) => (a === 'PLACEHOLDER' ? sleepPod(HEALTHY) : a)));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });
});
