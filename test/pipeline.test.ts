import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../src/bundle/types.js';
import { analyzeBundle, readParsedFiles } from '../src/pipeline.js';
import { BUILTIN_RULES } from '../src/rules/index.js';
import { ROOT } from './helpers.js';

const work = mkdtempSync(join(tmpdir(), 'wa-pipeline-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const ACCESS_OK = '[2026-11-24T10:00:00.000Z] "GET /reviews/0 HTTP/1.1" 200 - via_upstream - "-" 0 358 4 3 "-" "curl/8.5.0" "5a1d2c3e-aaaa-4bbb-8ccc-0123456789ab" "reviews:9080" "envoy://connect_originate/10.244.1.17:9080" inbound-vip|9080|http|reviews.default.svc.cluster.local envoy://internal_client_address/ 10.43.162.105:9080 10.244.1.12:51234 - default';
const ACCESS_DENIED = ACCESS_OK.replace('" 200 - via_upstream -', '" 403 - rbac_access_denied_matched_policy[none] -');

describe('logs larger than the sniffing head stream through the parser', () => {
  it('counts every line, samples the failures and knows the pod from the path', async () => {
    const dir = join(work, 'bundle');
    mkdirSync(join(dir, 'logs', 'default'), { recursive: true });
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) lines.push(i % 100 === 0 ? ACCESS_DENIED : ACCESS_OK);
    writeFileSync(join(dir, 'logs', 'default', 'waypoint-6f7b665c89-6hppr.log'), `${lines.join('\n')}\n`);
    const { files } = await readParsedFiles(dir, DEFAULT_LIMITS);
    const [log] = files;
    expect(log!.bytes).toBeGreaterThan(64 * 1024);
    expect(log).toMatchObject({ kind: 'envoy-log', context: { pod: { namespace: 'default', name: 'waypoint-6f7b665c89-6hppr' } } });
    const summary = log!.records.logs![0]!;
    expect(summary.lines).toBe(3000);
    expect(summary.byCode).toEqual({ 200: 2970, 403: 30 });
    const denied = summary.accessEntries.filter((e) => e.code === 403);
    expect(denied).toHaveLength(30);
    expect(denied[0]).toMatchObject({ details: 'rbac_access_denied_matched_policy[none]', upstreamCluster: 'inbound-vip|9080|http|reviews.default.svc.cluster.local', source: { line: 1 } });
    expect(denied[1]!.source.line).toBe(101);
  });
});

describe('a capture the collector tried and failed', () => {
  it('is named beside the capture it would have given, with what the command printed', async () => {
    const dir = join(work, 'forbidden');
    cpSync(join(ROOT, 'samples', 'bookinfo-broken'), dir, { recursive: true });
    rmSync(join(dir, 'kubectl', 'gateways.yaml'));
    mkdirSync(join(dir, 'stderr'));
    writeFileSync(join(dir, 'stderr', '11.txt'), 'Error from server (Forbidden): gateways.gateway.networking.k8s.io is forbidden: User "support" cannot list resource "gateways"\n');
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({
      schemaVersion: 1, collector: { name: 'waypoint-collect', version: '0.1.0' },
      startedAt: '2026-11-24T10:00:00Z', finishedAt: '2026-11-24T10:01:00Z', context: 'k3d-bookinfo', namespaces: ['default', 'istio-system'],
      redactions: { 'private-key': 0, 'bearer-token': 0, authorization: 0, jwt: 0 }, interrupted: false,
      commands: [{ argv: ['kubectl', '--context', 'k3d-bookinfo', 'get', 'gateways.gateway.networking.k8s.io', '-A', '-o', 'json'], file: 'kubectl/gateways.json', exitCode: 1, durationMs: 210, bytes: 0, timedOut: false, stderrFile: 'stderr/11.txt' }],
    }, null, 2));
    const result = await analyzeBundle(dir, { limits: DEFAULT_LIMITS, rules: BUILTIN_RULES });
    expect(result.rules.find((r) => r.id === 'WP001')).toMatchObject({ outcome: 'not-checked', missing: [['kube:Gateway']] });
    const objects = result.notChecked.find((g) => g.id === 'kubernetes-objects')!;
    expect(objects.rules).toContain('WP001');
    expect(objects.attempts).toEqual(['The collector ran `kubectl --context k3d-bookinfo get gateways.gateway.networking.k8s.io -A -o json`, which failed with exit 1: Error from server (Forbidden): gateways.gateway.networking.k8s.io is forbidden: User "support" cannot list resource "gateways".']);
    expect(result.collection?.problems).toHaveLength(1);
  });
});
