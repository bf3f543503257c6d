/**
 * `diff` on pairs of bundles with the exact resolved / introduced / persisting sets: broken -> fixed,
 * fixed -> broken, a rollout that renamed every pod, two unrelated clusters; and the same from JSON
 * reports written earlier.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonReport, runCli, sample } from '../cli/run.js';
import { otherCluster, rolledOut } from './bundles.js';

interface Ref { name: string; severity: string }
interface Diff {
  command: string;
  resolved: Ref[];
  introduced: Ref[];
  persisting: Ref[];
  bindings: { kind: string; namespace: string; name: string; before?: { state: string; expected: string; observed?: string }; after?: { state: string; expected: string; observed?: string } }[];
  waypoints: { namespace: string; name: string; changes: { field: string; before: string; after: string }[] }[];
  resources: { kind: string; namespace?: string; name: string; change: string }[];
  versions: { component: string; before: string[]; after: string[] }[];
  notes: string[];
}

const names = (refs: Ref[]) => refs.map((r) => r.name).sort();
const diff = async (before: string, after: string) => {
  const r = await runCli('diff', before, after, '--format', 'json');
  return { code: r.code, stderr: r.stderr, diff: JSON.parse(r.stdout) as Diff };
};

const BROKEN = ['WP001:default/ratings', 'WP004:default/reviews-v2', 'WP026:default/productpage', 'WP037:default/waypoint'];

describe('diff', () => {
  it('broken -> fixed: every finding resolved, nothing new, the waypoint changes listed; exit 0', async () => {
    const { code, diff: d } = await diff(sample('bookinfo-broken'), sample('bookinfo-ambient'));
    expect(code).toBe(0);
    expect(d.command).toBe('diff');
    expect(names(d.resolved)).toEqual(BROKEN);
    expect(d.introduced).toEqual([]);
    expect(d.persisting).toEqual([]);
    // Expected and observed waypoints that changed, per Service and per pod (by workload).
    expect(d.bindings.find((b) => b.kind === 'Service' && b.name === 'ratings')).toMatchObject({ before: { state: 'waypoint-missing', expected: 'None' }, after: { state: 'bound', expected: 'waypoint', observed: 'waypoint' } });
    expect(d.bindings.find((b) => b.kind === 'Pod' && b.name === 'reviews-v2')).toMatchObject({ before: { state: 'traffic-type-unsupported' }, after: { state: 'bound', expected: 'reviews-v2-pod-waypoint' } });
    expect(d.waypoints.find((w) => w.name === 'waypoint')?.changes.map((c) => c.field)).toContain('sync');
    expect(d.resources).toEqual([{ kind: 'AuthorizationPolicy', namespace: 'default', name: 'productpage-require-waypoint', change: 'added' }]);
    expect(d.versions.map((v) => v.component).sort()).toEqual(['istiod', 'waypoints', 'ztunnel']);
    expect(d.notes).toEqual([]);
  });

  it('fixed -> broken: the same findings introduced, and exit 1 for the new errors', async () => {
    const { code, diff: d } = await diff(sample('bookinfo-ambient'), sample('bookinfo-broken'));
    expect(code).toBe(1);
    expect(names(d.introduced)).toEqual(BROKEN);
    expect(d.resolved).toEqual([]);
    expect(d.persisting).toEqual([]);
    expect(d.resources).toEqual([{ kind: 'AuthorizationPolicy', namespace: 'default', name: 'productpage-require-waypoint', change: 'removed' }]);
  });

  it('a rollout that renamed every pod: the same subjects, so everything persists and no binding changed', async () => {
    const { dir, renamed } = rolledOut(sample('bookinfo-broken'));
    expect(renamed.get('reviews-v2-rdlrklvjsl-wv7j2')).toMatch(/^reviews-v2-[a-z0-9]+-[a-z0-9]{5}$/);
    expect(renamed.get('reviews-v2-rdlrklvjsl-wv7j2')).not.toBe('reviews-v2-rdlrklvjsl-wv7j2');
    const { code, diff: d } = await diff(sample('bookinfo-broken'), dir);
    expect(code).toBe(0);
    expect(names(d.persisting)).toEqual(BROKEN);
    expect(d.resolved).toEqual([]);
    expect(d.introduced).toEqual([]);
    expect(d.bindings).toEqual([]);
    expect(d.waypoints).toEqual([]);
    expect(d.resources).toEqual([]);
  });

  it('two unrelated clusters: all resolved on one side, all new on the other, and a note says so', async () => {
    const { code, diff: d } = await diff(sample('bookinfo-broken'), otherCluster(sample('bookinfo-broken')));
    expect(code).toBe(1);
    expect(names(d.resolved)).toEqual(BROKEN);
    expect(names(d.introduced)).toEqual(BROKEN.map((n) => n.replace('default/', 'shop/')));
    expect(d.persisting).toEqual([]);
    expect(d.notes.join(' ')).toMatch(/share no Service: they look like different clusters/);
  });

  it('reads JSON reports written earlier as it reads bundles', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wa-diff-'));
    const before = join(dir, 'before.json');
    const after = join(dir, 'after.json');
    writeFileSync(before, (await jsonReport(sample('bookinfo-broken'))).stdout);
    writeFileSync(after, (await jsonReport(sample('bookinfo-ambient'))).stdout);
    const fromReports = await diff(before, after);
    const fromBundles = await diff(sample('bookinfo-broken'), sample('bookinfo-ambient'));
    expect(fromReports.code).toBe(0);
    for (const key of ['resolved', 'introduced', 'persisting', 'bindings', 'waypoints', 'resources', 'versions'] as const) expect(fromReports.diff[key]).toEqual(fromBundles.diff[key]);
    // A report against a bundle works too.
    expect(names((await diff(before, sample('bookinfo-ambient'))).diff.resolved)).toEqual(BROKEN);
  });

  it('shows the same in the terminal and in HTML (escaped, self-contained)', async () => {
    const text = await runCli('diff', sample('bookinfo-broken'), sample('bookinfo-ambient'));
    expect(text.stdout).toContain('Resolved (4)');
    expect(text.stdout).toContain('WP004:default/reviews-v2');
    expect(text.stdout).toMatch(/Pod default\/reviews-v2: traffic-type-unsupported, expected None, observed None -> bound/);
    const html = await runCli('diff', sample('bookinfo-ambient'), sample('bookinfo-broken'), '--format', 'html');
    expect(html.code).toBe(1);
    expect(html.stdout).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'/);
    expect(html.stdout).toContain('<h2>Introduced (4)</h2>');
    expect(html.stdout).not.toMatch(/src="http|href="http/);
  });

  it('refuses a side that is neither a bundle nor a report with one line (exit 2)', async () => {
    const r = await runCli('diff', sample('bookinfo-broken'), join(tmpdir(), 'no-such-bundle.tgz'));
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
