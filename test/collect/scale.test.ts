/**
 * waypoint-collect at scale, on small stand-ins: captures run --parallel at once yet the manifest keeps their
 * order; --max-time and the size budgets cut cleanly and say so; ztunnel's cluster-wide state is captured
 * once, the other ztunnels reduced to what can differ with checksums of the rest; -A queries replace the
 * per-namespace ones for a large scope. The big-cluster stub (STUB_CLUSTER=big) runs here at a few hundred
 * pods; test/collect/big-cluster.ts measures it at 20,000.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type Io } from '../../src/cli/main.js';
import { CLUSTER, cleanupRuns, collect, manifestErrors, maxConcurrency, readCollected, words, type Bundle, type Run } from './harness.js';

const LONG = 120_000;
const PROGRESS = /^\[(\d+)\/(\d+)\] (.*)$/;

/** A big-cluster stub small enough for a test: 4 namespaces with a waypoint each, 6 nodes, 400 pods. */
const MINI = {
  STUB_CLUSTER: 'big',
  STUB_BIG_PODS: '400',
  STUB_BIG_SERVICES: '40',
  STUB_BIG_WAYPOINTS: '4',
  STUB_BIG_NODES: '6',
  STUB_BIG_LOG_LINES: '40',
};
/** Pods in all, and in one application namespace (big-cluster.cjs: 6 ztunnels, istiod, 17 kube-system pods). */
const MINI_PODS = 400;
const MINI_PODS_PER_NS = Math.floor((400 - 6 - 1 - 17) / 4);

const runs: Record<string, Promise<Run>> = {};

beforeAll(() => {
  // Answers spread over 0.05-0.6 s: captures finish in another order than they start.
  runs['parallel'] = collect('parallel', ['--output', 'OUT', '--timeout', '20', '--parallel', '8'], { env: { STUB_LATENCY: '0.05-0.6' } });
  runs['parallel-dry'] = collect('parallel-dry', ['--dry-run', '--output', 'OUT']);
  runs['max-time'] = collect('max-time', ['--output', 'OUT', '--timeout', '10', '--max-time', '10', '--parallel', '2'], { env: { STUB_LATENCY: '0.2' } });
  runs['budgets'] = collect('budgets', ['--output', 'OUT', '--timeout', '10', '--max-log-bytes', '8K', '--max-dump-bytes', '60K']);
  runs['full'] = collect('full', ['--output', 'OUT', '--timeout', '10']);
  // One ztunnel (node-003's) misses the last namespace's workloads.
  runs['mini-wide'] = collect('mini-wide', ['--output', 'OUT', '--timeout', '20', '--per-namespace-max', '2'], { env: { ...MINI, STUB_BIG_STALE: '3' } });
  runs['mini-dry'] = collect('mini-dry', ['--dry-run', '--output', 'OUT'], { env: MINI });
  runs['mini-dry-max'] = collect('mini-dry-max', ['--dry-run', '--per-namespace-max', '2', '--output', 'OUT'], { env: MINI });
  runs['mini-dry-all'] = collect('mini-dry-all', ['--dry-run', '-A', '--output', 'OUT'], { env: MINI });
  runs['mini-dry-one'] = collect('mini-dry-one', ['--dry-run', '--namespace', 'app-001', '--output', 'OUT'], { env: MINI });
  for (const p of Object.values(runs)) p.catch(() => {});
});

afterAll(() => cleanupRuns());

async function bundleOf(name: string): Promise<{ run: Run; bundle: Bundle }> {
  const r = await runs[name]!;
  expect(r.code, `${name}: exit ${r.code}\n${r.stderr.slice(-2000)}`).toBe(0);
  return { run: r, bundle: await readCollected(r.output) };
}

function text(bundle: Bundle, file: string): string {
  const data = bundle.files.get(file);
  if (!data) throw new Error(`${file} is not in the bundle`);
  return data.toString('utf8');
}

const label = (c: { argv: string[]; skipped?: string }) => (c.skipped ? `# skipped (${c.skipped}): ${c.argv.join(' ')}` : c.argv.join(' '));

describe('--parallel', () => {
  it('runs up to N captures at once, and the manifest keeps the order of --dry-run whatever order they finished in', async () => {
    const { run: r, bundle } = await bundleOf('parallel');
    const m = bundle.manifest;
    expect(manifestErrors(m)).toEqual([]);
    expect(m.options?.parallel).toBe(8);
    const dry = (await runs['parallel-dry']!).stdout.split('\n').filter(Boolean);
    expect(m.commands.map(label)).toEqual(dry);
    // Progress lines are in order, one per capture.
    const progress = r.stderr.split('\n').filter((l) => PROGRESS.test(l)).map((l) => Number(PROGRESS.exec(l)![1]));
    expect(progress).toEqual(m.commands.map((_, i) => i + 1));
    // They did overlap, never more than 8 at once (discovery runs one query at a time).
    const most = maxConcurrency(r.calls);
    expect(most).toBeGreaterThanOrEqual(4);
    expect(most).toBeLessThanOrEqual(8);
    // And finished out of order: some capture ended before one started earlier.
    const capture = (c: (typeof m.commands)[number]) => r.calls.find((k) => k.tool === c.argv[0] && k.argv.join(' ') === c.argv.slice(1).join(' '));
    const ends = m.commands.filter((c) => c.skipped === undefined).map((c) => capture(c)?.end ?? 0);
    expect(ends.some((e, i) => i > 0 && e < ends[i - 1]!)).toBe(true);
    // Every file that ran is there, with the size the manifest says.
    for (const c of m.commands.filter((x) => x.skipped === undefined)) expect(bundle.files.get(c.file)?.length, c.file).toBe(c.bytes);
  }, LONG);
});

describe('--max-time', () => {
  it('starts nothing after the budget, lets running captures finish, and writes a valid partial bundle that says what was cut', async () => {
    const { run: r, bundle } = await bundleOf('max-time');
    const m = bundle.manifest;
    expect(manifestErrors(m)).toEqual([]);
    expect(m.options?.maxTimeSeconds).toBe(10);
    expect(m.budgets?.timeReached).toBe(true);
    expect(m.interrupted).toBe(false);
    const first = m.commands.findIndex((c) => /time budget/.test(c.skipped ?? ''));
    expect(first).toBeGreaterThan(0);
    // Everything from the first capture cut on is cut, with the reason, and nothing of it is in the bundle.
    for (const c of m.commands.slice(first)) {
      // (What this istioctl cannot run still says so.)
      expect(c.skipped, c.file).toMatch(/^time budget: --max-time 10 was reached$|^unsupported: /);
      expect(c).toMatchObject({ exitCode: null, bytes: 0, timedOut: false, stderrFile: null });
      expect(bundle.files.has(c.file), c.file).toBe(false);
    }
    // What started before ran to its end.
    for (const c of m.commands.slice(0, first).filter((x) => x.skipped === undefined)) {
      expect(c.exitCode, c.file).not.toBeNull();
      expect(c.timedOut, c.file).toBe(false);
      expect(bundle.files.get(c.file)?.length, c.file).toBe(c.bytes);
    }
    expect(r.stderr).toMatch(/^\[\d+\/\d+\] skipped \(time budget: --max-time 10 was reached\): /m);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/--max-time reached: partial bundle/);
    // The budget, plus the captures running then (each at most 0.2 s here), plus packing.
    expect(r.ms).toBeLessThan(25_000);
    expect(r.leftovers).toEqual([]);
  }, LONG);
});

describe('--max-log-bytes and --max-dump-bytes', () => {
  it('keep logs and dumps within their totals, logs cut to their latest whole lines, dumps that do not fit left out', async () => {
    const { bundle } = await bundleOf('budgets');
    const { bundle: full } = await bundleOf('full');
    const m = bundle.manifest;
    expect(manifestErrors(m)).toEqual([]);
    expect(m.options).toMatchObject({ maxLogBytes: 8192, maxDumpBytes: 61440 });
    expect(m.budgets?.sizeReached).toBe(true);

    const logs = m.commands.filter((c) => c.file.startsWith('logs/'));
    expect(logs.length).toBe(CLUSTER.waypointPods.length + CLUSTER.ztunnels.length + 1);
    const logBytes = logs.reduce((n, c) => n + c.bytes, 0);
    expect(logBytes).toBeLessThanOrEqual(8192);
    expect(m.budgets?.logBytes).toBe(logBytes);
    const cut = logs.filter((c) => c.truncated !== undefined);
    expect(cut.length).toBeGreaterThan(0);
    for (const c of cut) {
      expect(c.truncated).toMatch(/^size budget: the latest \d+ of \d+ bytes, this log's share of --max-log-bytes 8K$/);
      const kept = text(bundle, c.file);
      const whole = text(full, c.file);
      expect(kept.length).toBe(c.bytes);
      expect(kept.length).toBeLessThan(whole.length);
      // Its latest lines, whole.
      expect(whole.endsWith(`\n${kept}`), c.file).toBe(true);
    }
    for (const c of logs.filter((x) => x.truncated === undefined && x.skipped === undefined)) expect(text(bundle, c.file)).toBe(text(full, c.file));

    const dumps = m.commands.filter((c) => c.file.startsWith('config-dumps/') || c.file.endsWith('/all.json'));
    let used = 0;
    for (const c of dumps) {
      if (c.skipped === undefined) {
        used += c.bytes;
        expect(text(bundle, c.file)).toBe(text(full, c.file));
        continue;
      }
      // Left out only when it did not fit in what was left.
      const size = Number(/this dump \((\d+) bytes\)/.exec(c.skipped)?.[1]);
      expect(c.skipped).toMatch(/^size budget: /);
      expect(used + size).toBeGreaterThan(61440);
      expect(c.bytes).toBe(0);
      expect(bundle.files.has(c.file), c.file).toBe(false);
    }
    expect(used).toBeLessThanOrEqual(61440);
    expect(m.budgets?.dumpBytes).toBe(used);
    expect(dumps.filter((c) => c.skipped !== undefined).length).toBeGreaterThan(0);
    expect(dumps.filter((c) => c.skipped === undefined).length).toBeGreaterThan(0);
    // The redaction counts are still those of what is in the bundle.
    expect(m.redactions).toEqual({ 'private-key': 0, 'bearer-token': 0, authorization: 0, jwt: 0 });
  }, LONG);
});

describe('ztunnel state at scale', () => {
  it('bookinfo: one ztunnel, on a waypoint node, is captured whole; the other is reduced, with checksums that agree', async () => {
    const { bundle } = await bundleOf('full');
    const m = bundle.manifest;
    const dumps = m.commands.filter((c) => c.file.startsWith('ztunnel/') && c.file.endsWith('.json'));
    expect(dumps.map((c) => c.file)).toEqual([`ztunnel/istio-system/${CLUSTER.primaryZtunnel}/all.json`]);
    expect(m.ztunnels?.map((z) => [z.pod, z.primary, z.differsFromPrimary])).toEqual([
      [CLUSTER.primaryZtunnel, true, []],
      ...CLUSTER.ztunnels.filter((z) => z !== CLUSTER.primaryZtunnel).map((z) => [z, false, []]),
    ]);
    const [primary, other] = m.ztunnels!;
    expect(primary!.tables.workloads?.rows).toBe(18);
    expect(other!.tables).toEqual(primary!.tables);
    // kube-system is not in scope here: the other ztunnel's tables say they lost rows.
    expect(text(bundle, other!.file)).toContain('\n...\n');
    expect(text(bundle, primary!.file)).not.toContain('...');
  }, LONG);

  it('a big cluster: the primary whole, the others only their node\'s workloads and certificates, and the ztunnel that disagrees shows', async () => {
    const { bundle } = await bundleOf('mini-wide');
    const m = bundle.manifest;
    expect(manifestErrors(m)).toEqual([]);
    expect(m.allNamespaceQueries).toBe(true);
    const zts = m.ztunnels!;
    expect(zts).toHaveLength(6);
    const primary = zts[0]!;
    expect(primary).toMatchObject({ primary: true, node: 'node-000', kept: 'every row', differsFromPrimary: [] });
    expect(zts.filter((z) => z.primary)).toHaveLength(1);
    expect(primary.image).toBe('docker.io/istio/ztunnel:1.28.1');
    // Whole state once: the primary's dump and tables.
    expect(m.commands.filter((c) => /ztunnel-config all \S+ -o json$/.test(c.argv.join(' '))).map((c) => c.file)).toEqual([`ztunnel/istio-system/${primary.pod}/all.json`]);
    expect(primary.tables.workloads?.rows).toBe(MINI_PODS);
    const primaryText = text(bundle, primary.file);
    expect(primaryText.split('\n').filter((l) => / (HBONE|TCP)$/.test(l))).toHaveLength(MINI_PODS);
    for (const z of zts.slice(1)) {
      const t = text(bundle, z.file);
      const [workloads, services, policies, certificates] = t.split('\n\n').map((s) => s.trim().split('\n'));
      // Its node's workloads only, and a mark that rows were left out.
      const rows = workloads!.slice(1).filter((l) => l !== '...');
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((l) => l.split(/\s+/)[3] === z.node), z.pod).toBe(true);
      expect(workloads!.at(-1)).toBe('...');
      expect(services).toEqual([expect.stringMatching(/^NAMESPACE +SERVICE NAME/), '...']);
      expect(policies).toEqual([expect.stringMatching(/^NAMESPACE +POLICY NAME/), '...']);
      expect(certificates!.length).toBeGreaterThan(1);
      expect(t.length).toBeLessThan(primaryText.length / 3);
      expect(z.kept).toBe('the workloads on its node and every certificate');
      // Checksums of the whole tables, streamed: node-003's ztunnel misses a namespace.
      if (z.node === 'node-003') {
        expect(z.differsFromPrimary).toEqual(['workloads']);
        expect(z.tables.workloads?.rows).toBe(MINI_PODS - MINI_PODS_PER_NS);
      } else {
        expect(z.differsFromPrimary).toEqual([]);
        expect(z.tables).toEqual(primary.tables);
      }
    }
    // -A queries, no per-namespace ones.
    expect(m.commands.filter((c) => / -n app-/.test(c.argv.join(' ')) && c.argv[1] === 'get')).toEqual([]);
    for (const kind of ['services', 'pods', 'endpointslices', 'deployments', 'events']) {
      expect(m.commands.find((c) => c.file === `kubectl/${kind}.json`)?.argv.join(' ')).toBe(`kubectl get ${kind} -A -o json`);
    }
  }, LONG);

  it('the analyzer reads that bundle without a parse problem and sees every workload once', async () => {
    const r = await runs['mini-wide']!;
    let stdout = '';
    let stderr = '';
    const io: Io = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), color: false };
    const code = await main([r.output, '--format', 'json', '-o', '-'], io);
    expect([0, 1], stderr).toContain(code);
    const report = JSON.parse(stdout);
    expect(report.diagnostics).toEqual([]);
  }, LONG);
});

describe('-A or per-namespace queries', () => {
  const lines = async (name: string) => (await runs[name]!).stdout.split('\n').filter(Boolean);
  const kubectlCalls = async (name: string) => (await runs[name]!).calls.filter((c) => c.tool === 'kubectl');

  it('a scope of a few namespaces is listed namespace by namespace', async () => {
    const l = await lines('mini-dry');
    for (const ns of ['app-000', 'app-003', 'istio-system']) expect(l).toContain(`kubectl get pods -n ${ns} -o json`);
    expect(l).not.toContain('kubectl get pods -A -o json');
  }, LONG);

  it('a scope past --per-namespace-max, or every namespace, with one -A query per kind, and discovery that does not grow with it', async () => {
    for (const name of ['mini-dry-max', 'mini-dry-all']) {
      const l = await lines(name);
      for (const kind of ['services', 'pods', 'endpointslices', 'deployments', 'events']) expect(l).toContain(`kubectl get ${kind} -A -o json`);
      expect(l.filter((x) => / get \S+ -n app-/.test(x))).toEqual([]);
      // Discovery: a fixed handful of queries, none per namespace.
      const calls = await kubectlCalls(name);
      expect(calls.filter((c) => c.argv.includes('-n') && words(c.argv)[0] === 'get' && c.argv[c.argv.indexOf('-n') + 1] !== 'istio-system')).toEqual([]);
      expect(calls.length).toBeLessThanOrEqual(10);
    }
    // -A takes in every namespace, the system ones too.
    expect((await runs['mini-dry-all']!).stderr).toMatch(/for namespaces app-000 .*kube-system .*with -A queries/);
  }, LONG);

  it('--namespace keeps to that namespace, per namespace', async () => {
    const l = await lines('mini-dry-one');
    expect(l).toContain('kubectl get pods -n app-001 -o json');
    expect(l).toContain('kubectl get pods -n istio-system -o json');
    expect(l.filter((x) => / -n app-00[023]\b/.test(x))).toEqual([]);
    expect(l.filter((x) => x.startsWith('istioctl proxy-config all'))).toEqual([expect.stringMatching(/^istioctl proxy-config all waypoint-\S+\.app-001 -o json$/)]);
  }, LONG);
});
