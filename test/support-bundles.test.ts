/**
 * Bundles written by other support tools, laid out as their sources write them (test/support/
 * support-bundles.ts, docs/support-bundles.md): Replicated troubleshoot before and since v0.133.0
 * (custom resources as a bare JSON array, the `.yaml` beside it a YAML sequence or a symlink), and
 * OpenShift must-gather with the Istio gather script. The healthy sample cluster in each must read
 * whole, with no finding, every tool file known.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../src/bundle/types.js';
import { buildSnapshot } from '../src/model/build.js';
import { objectsOf } from '../src/model/snapshot.js';
import { analyzeBundle, readParsedFiles } from '../src/pipeline.js';
import { BUILTIN_RULES } from '../src/rules/index.js';
import { mustGatherBundle, mustGatherExpected, troubleshootBundle, troubleshootExpected, type ExpectedContents } from './support/support-bundles.js';
import { alarms } from './helpers.js';

const work = mkdtempSync(join(tmpdir(), 'wa-support-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const bundles: [string, () => Promise<Buffer>, () => ExpectedContents][] = [
  ['troubleshoot v0.133+ (symlinked .yaml)', () => troubleshootBundle({ symlinks: true }), troubleshootExpected],
  ['troubleshoot before v0.133 (YAML sequence)', () => troubleshootBundle({ symlinks: false }), troubleshootExpected],
  ['must-gather with the Istio gather script', mustGatherBundle, mustGatherExpected],
];

const keys = (snapshot: ReturnType<typeof buildSnapshot>, kind: string) =>
  [...objectsOf(snapshot, kind)].map((o) => (o.namespace ? `${o.namespace}/${o.name}` : o.name)).sort();

describe.each(bundles)('%s', (name, build, expectedOf) => {
  const path = join(work, `${name.replace(/\W+/g, '-')}.tgz`);
  beforeAll(async () => writeFileSync(path, await build()));

  it('reads every object the tool collected, by kind', async () => {
    const expected = expectedOf();
    const { files } = await readParsedFiles(path, DEFAULT_LIMITS);
    const snapshot = buildSnapshot(files);
    expect(keys(snapshot, 'Namespace')).toEqual([...expected.namespaces].sort());
    expect(keys(snapshot, 'Service')).toEqual([...expected.services].sort());
    expect(keys(snapshot, 'Pod')).toEqual([...expected.pods].sort());
    expect(keys(snapshot, 'Gateway')).toEqual([...expected.gateways].sort());
    expect(keys(snapshot, 'AuthorizationPolicy')).toEqual([...expected.authorizationPolicies].sort());
    expect(snapshot.waypoints.filter((w) => !w.inferred).map((w) => `${w.namespace}/${w.name}`).sort()).toEqual(
      expected.gateways.filter((g) => !g.endsWith('bookinfo-gateway')).sort(),
    );
  });

  it('knows the tool\'s own files, and reads nothing as a parse problem', async () => {
    const { files } = await readParsedFiles(path, DEFAULT_LIMITS);
    const kindOf = new Map(files.map((f) => [f.file, f.kind]));
    for (const file of expectedOf().bookkeeping) expect(kindOf.get(file), file).not.toBe('unknown');
    expect(files.filter((f) => f.kind === 'unknown').map((f) => f.file)).toEqual([]);
    expect(files.flatMap((f) => f.diagnostics)).toEqual([]);
    // The waypoint's access log, wherever the tool put it, with kubelet timestamps in must-gather.
    const log = files.find((f) => f.kind === 'envoy-log')!;
    expect(log.records.logs![0]!.accessEntries).toHaveLength(3);
    expect(log.context.pod?.name).toMatch(/^waypoint-/);
  });

  it('gives the healthy cluster no error or warning, and runs the binding checks', async () => {
    const result = await analyzeBundle(path, { limits: DEFAULT_LIMITS, rules: BUILTIN_RULES });
    expect(alarms(result.findings)).toEqual([]);
    for (const id of ['WP001', 'WP002', 'WP003', 'WP004', 'WP005', 'WP008', 'WP009', 'WP014']) {
      expect(result.rules.find((r) => r.id === id)?.outcome, id).toBe('pass');
    }
  });
});

describe('troubleshoot v0.133+ symlinks', () => {
  it('reads each custom resource once, the .yaml link listed as its alias', async () => {
    const path = join(work, 'links.tgz');
    writeFileSync(path, await troubleshootBundle({ symlinks: true }));
    const result = await analyzeBundle(path, { limits: DEFAULT_LIMITS, rules: BUILTIN_RULES });
    expect(result.skipped).toEqual([]);
    expect(result.aliases.map((a) => a.path.split('/').slice(-2).join('/'))).toEqual([
      'gateways.gateway.networking.k8s.io/default.yaml',
      'authorizationpolicies.security.istio.io/default.yaml',
      'custom-resources/gatewayclasses.gateway.networking.k8s.io.yaml',
      'waypoint-mxvtrsgdrp-cspts/istio-proxy.log',
    ]);
    expect(result.files.filter((f) => f.path.endsWith('.yaml') && f.path.includes('custom-resources'))).toEqual([]);
  });
});
