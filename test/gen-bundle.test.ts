/**
 * scripts/gen-bundle: the large-bundle generator. Small bundles (300 pods, 60 Services, 4 waypoints) keep it fast:
 * the same arguments write the same bytes, the analyzer reads every file without a problem and finds nothing wrong
 * in a healthy bundle, each planted fault gives exactly its rule, the files agree with each other, and pods are
 * sized like real ones. The 2,000-pod run prints its time and sizes (numbers, not assertions).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import yaml from 'js-yaml';
import { extract } from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeBundle, type AnalysisResult } from '../src/pipeline.js';
import { BUILTIN_RULES } from '../src/rules/index.js';
import { DEFAULT_LIMITS } from '../src/bundle/types.js';
import { kubectlJson, kubectlYaml } from '../scripts/scenarios/serializers.js';
import { generateBundle, type Generated } from '../scripts/gen-bundle/generate.js';
import { PLANTS, type Options, type Plant } from '../scripts/gen-bundle/plan.js';
import { appPod, appService } from '../scripts/gen-bundle/apps.js';
import { makePlan } from '../scripts/gen-bundle/plan.js';
import { jsonList, yamlList } from '../scripts/gen-bundle/writer.js';

const TMP = mkdtempSync(join(tmpdir(), 'gen-bundle-test-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const SMALL: Options = { pods: 300, services: 60, waypoints: 4, seed: 'test', format: 'yaml', plants: [] };
let n = 0;
const generate = (opts: Partial<Options>): Promise<Generated> => generateBundle({ ...SMALL, ...opts }, join(TMP, `b${n++}.tgz`));
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const analyze = (file: string) => analyzeBundle(file, { limits: DEFAULT_LIMITS, rules: BUILTIN_RULES });

/** Rule ids of the failing error and warning findings (IST codes are istioctl's own). */
const failing = (r: AnalysisResult) =>
  [...new Set(r.findings.filter((f) => f.status === 'fail' && f.severity !== 'info' && f.ruleId.startsWith('WP')).map((f) => f.ruleId))].sort();

function readsCleanly(r: AnalysisResult, g: Generated): void {
  expect(r.diagnostics).toEqual([]);
  expect(r.skipped).toEqual([]);
  const unknown = r.files.filter((f) => f.kind === 'unknown').map((f) => f.path.slice(g.root.length + 1));
  expect(unknown).toEqual([]);
  expect(r.files.length).toBe(g.files.length + 1);
  expect(r.collection?.commands).toBe(g.files.length);
  expect(r.collection?.problems).toEqual([]);
}

async function entries(file: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const ex = extract();
  Readable.from(readFileSync(file)).pipe(createGunzip()).pipe(ex);
  for await (const entry of ex) {
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    if (entry.header.type === 'file') out.set(entry.header.name.slice(entry.header.name.indexOf('/') + 1), Buffer.concat(chunks).toString('utf8'));
  }
  return out;
}

describe('gen-bundle', () => {
  it('writes the same bytes for the same arguments, other bytes for another seed', async () => {
    const a = await generate({});
    const b = await generate({});
    const c = await generate({ seed: 'other' });
    expect(sha(b.file)).toBe(sha(a.file));
    expect(sha(c.file)).not.toBe(sha(a.file));
  });

  it('writes Lists in chunks exactly as kubectl prints the whole List', () => {
    const plan = makePlan(SMALL);
    const objects = plan.services.slice(0, 5).flatMap((s) => [appService('x', s), ...s.pods.map((p) => appPod('x', s, p))]);
    const list = (items: unknown[]) => ({ apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } });
    expect([...yamlList(objects)].join('')).toBe(kubectlYaml(list(objects)));
    expect([...jsonList(objects)].join('')).toBe(kubectlJson(list(objects)));
    expect([...yamlList([])].join('')).toBe(kubectlYaml(list([])));
    expect([...jsonList([])].join('')).toBe(kubectlJson(list([])));
  });

  it.each(['yaml', 'json'] as const)('a healthy bundle (kubectl -o %s) reads cleanly and has no error or warning', async (format) => {
    const g = await generate({ format });
    const r = await analyze(g.file);
    readsCleanly(r, g);
    expect(failing(r)).toEqual([]);
    const kinds = r.files.map((f) => f.kind);
    expect(kinds.filter((k) => k === 'envoy-config-dump')).toHaveLength(SMALL.waypoints);
    expect(kinds.filter((k) => k === 'envoy-log')).toHaveLength(SMALL.waypoints);
    expect(kinds.filter((k) => k === 'ztunnel-log').length).toBeGreaterThan(0);
    expect(r.waypoints).toHaveLength(SMALL.waypoints);
  });

  const expected: Record<Plant, string> = {
    'missing-waypoint': 'WP001', 'not-synced': 'WP037', 'pod-waypoint-service-only': 'WP004', 'service-missing-from-dump': 'WP040', bypass: 'WP044',
  };
  it.each(PLANTS.map((p) => [p, expected[p]]))('planting %s fails exactly %s', async (plant, rule) => {
    const g = await generate({ plants: [plant as Plant] });
    const r = await analyze(g.file);
    readsCleanly(r, g);
    expect(failing(r)).toEqual([rule]);
  });

  it('plants all five faults in one bundle, each found', async () => {
    const g = await generate({ plants: [...PLANTS], seed: 'all' });
    const r = await analyze(g.file);
    readsCleanly(r, g);
    expect(failing(r)).toEqual(Object.values(expected).sort());
  });

  it('names the same pods, IPs and nodes in every file', async () => {
    const g = await generate({});
    const files = await entries(g.file);
    const pods = (yaml.load(files.get('kubectl/pods.yaml')!, { schema: yaml.CORE_SCHEMA }) as { items: { metadata: { name: string; namespace: string; uid: string }; spec: { nodeName: string }; status: { podIP: string } }[] }).items;
    const byName = new Map(pods.map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p]));
    expect(new Set(pods.map((p) => p.metadata.uid)).size).toBe(pods.length);
    const rows = files.get('istioctl/ztunnel-config-workload.txt')!.trim().split('\n').slice(1).map((l) => l.split(/\s+/));
    expect(rows.length).toBeGreaterThan(250);
    for (const [ns, name, ip, node] of rows) {
      const pod = byName.get(`${ns}/${name}`);
      expect(pod, `${ns}/${name}`).toBeDefined();
      expect([pod!.status.podIP, pod!.spec.nodeName]).toEqual([ip, node]);
    }
    const dumps = [...files.keys()].filter((f) => f.startsWith('config-dumps/'));
    expect(dumps).toHaveLength(SMALL.waypoints);
    for (const d of dumps) {
      const [, ns, file] = d.split('/');
      const pod = byName.get(`${ns}/${file!.replace(/\.json$/, '')}`)!;
      expect(files.get(d)).toContain(`"id": "waypoint~${pod.status.podIP}~${pod.metadata.name}.${ns}~${ns}.svc.cluster.local"`);
      const log = files.get(`logs/${ns}/${pod.metadata.name}.log`)!;
      const upstream = [...log.matchAll(/"envoy:\/\/connect_originate\/([\d.]+):\d+"/g)].map((m) => m[1]);
      expect(upstream.length).toBeGreaterThan(900);
      const ips = new Set(pods.map((p) => p.status.podIP));
      for (const ip of upstream) expect(ips.has(ip!)).toBe(true);
    }
    const manifest = JSON.parse(files.get('manifest.json')!) as { commands: { file: string; bytes: number }[] };
    for (const c of manifest.commands) expect(Buffer.byteLength(files.get(c.file)!)).toBe(c.bytes);
  });

  // 2,600 pods make a pods.yaml over 8 MiB, which the analyzer reads item by item as it streams (kube-stream.ts).
  it('sizes pods like real ones at 2,600 pods, and the streamed pods List reads cleanly (and prints time and sizes)', async () => {
    const started = performance.now();
    const g = await generateBundle({ ...SMALL, pods: 2600, services: 500, waypoints: 20, seed: '1' }, join(TMP, 'two-thousand.tgz'));
    const seconds = (performance.now() - started) / 1000;
    const podsBytes = g.files.find((f) => f.file === 'kubectl/pods.yaml')!.bytes;
    const perPod = podsBytes / 2600;
    expect(podsBytes).toBeGreaterThan(8 * 1024 * 1024);
    const analyzed = performance.now();
    const r = await analyze(g.file);
    const mb = (b: number) => `${(b / 1024 ** 2).toFixed(1)} MB`;
    console.log(`gen-bundle 2,600 pods: ${seconds.toFixed(1)} s, ${mb(g.textBytes)} of text, ${mb(readFileSync(g.file).length)} gzipped, ` +
      `pods.yaml ${mb(podsBytes)} (${(perPod / 1024).toFixed(2)} KiB a pod); analyzed in ${((performance.now() - analyzed) / 1000).toFixed(1)} s`);
    expect(perPod).toBeGreaterThan(3 * 1024);
    expect(perPod).toBeLessThan(4 * 1024);
    readsCleanly(r, g);
    expect(failing(r)).toEqual([]);
    const podsFile = r.files.find((f) => f.path.endsWith('kubectl/pods.yaml'))!;
    expect(podsFile.summary).toMatch(/^2600 Pod$/);
  });
});
