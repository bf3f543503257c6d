/** `what-if` and `analyze --baseline` through the CLI: outputs, exit codes, and bad input (exit 2, one line). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonReport, runCli, sample } from '../cli/run.js';
import { validateReport } from '../report/schema.js';

const WP004 = join('scenarios', 'wp004-pod-waypoint-service-only');
const dir = mkdtempSync(join(tmpdir(), 'wa-what-if-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('what-if', () => {
  it('applies the fix of a finding named as --ignore names it, and lists resolved, introduced and persisting', async () => {
    const r = await runCli('what-if', sample(WP004), '--apply', 'WP004:default/reviews-v2', '--format', 'json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.command).toBe('what-if');
    expect(out.applied).toEqual(['set-label Gateway default/reviews-v2-pod-waypoint istio.io/waypoint-for=all']);
    expect(out.resolved.map((f: { name: string }) => f.name)).toEqual(['WP004:default/reviews-v2']);
    expect(out.introduced).toEqual([]);
    expect(out.persisting).toEqual([]);
  });

  it('applies a change file: a manifest merges into the object it names; exit 1 when the change makes things worse', async () => {
    const patch = file('to-service.yaml', 'apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata:\n  name: reviews-svc-waypoint\n  namespace: default\n  labels:\n    istio.io/waypoint-for: workload\n');
    const r = await runCli('what-if', sample(WP004), '--apply', patch, '--format', 'json');
    const out = JSON.parse(r.stdout);
    expect(out.applied[0]).toMatch(/^merge-patch Gateway default\/reviews-svc-waypoint /);
    expect(out.introduced.map((f: { name: string }) => f.name)).toEqual(['WP005:default/reviews']);
    expect(out.persisting.map((f: { name: string }) => f.name)).toEqual(['WP004:default/reviews-v2']);
    expect(r.code).toBe(1);
  });

  it('writes text and HTML too', async () => {
    const text = await runCli('what-if', sample(WP004), '--apply', 'WP004:default/reviews-v2');
    expect(text.stdout).toMatch(/nothing was sent to a cluster/);
    expect(text.stdout).toMatch(/Resolved \(1\)\n  error   WP004:default\/reviews-v2/);
    const html = await runCli('what-if', sample(WP004), '--apply', 'WP004:default/reviews-v2', '--format', 'html');
    expect(html.stdout).toContain('<h2>Resolved (1)</h2>');
    expect(html.stdout).toMatch(/Content-Security-Policy" content="default-src 'none'/);
  });

  it.each([
    ['a patch naming an object not in the bundle', () => file('missing.yaml', 'op: set-label\ntarget: {kind: Gateway, namespace: default, name: nope}\nkey: istio.io/waypoint-for\nvalue: all\n'), /Gateway default\/nope is not in the bundle/],
    ['a manifest naming an object not in the bundle', () => file('missing-manifest.yaml', 'kind: Service\nmetadata: {name: nope, namespace: default, labels: {a: b}}\n'), /Service default\/nope is not in the bundle/],
    ['malformed YAML', () => file('bad.yaml', 'op: set-label\ntarget: [unclosed\n'), /bad\.yaml: not valid YAML/],
    ['an unknown op', () => file('op.yaml', 'op: delete\ntarget: {kind: Gateway, name: x}\n'), /unknown op "delete"/],
    ['a label value that is not a string', () => file('num.yaml', 'op: set-label\ntarget: {kind: Gateway, namespace: default, name: waypoint}\nkey: x\nvalue: 3\n'), /needs value, a string/],
    ['a finding the bundle does not have', () => 'WP001:default/nope', /no failing finding of the bundle has that name/],
    ['neither a file nor a finding', () => 'no-such-file.yaml', /neither a file nor a finding/],
  ])('refuses %s with one line and exit 2', async (_what, make, message) => {
    const r = await runCli('what-if', sample(WP004), '--apply', make());
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });
});

it('refuses a finding whose fix changes no resource (a restart is not a change), with one line and exit 2', async () => {
  const r = await runCli('what-if', sample(join('scenarios', 'wp003-waypoint-no-healthy-pods')), '--apply', 'WP003:default/waypoint');
  expect(r.code).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(/--apply WP003:default\/waypoint: its fix changes no resource, so there is nothing to apply/);
});

describe('analyze: fixes as data, their simulated outcome, --baseline', () => {
  it('carries each fix\'s change and its outcome in JSON and in the HTML report', async () => {
    const { report } = await jsonReport(sample(WP004));
    expect(validateReport(report)).toEqual([]);
    const f = report.findings.find((x: { ruleId: string }) => x.ruleId === 'WP004');
    expect(f.fix.changes).toEqual([{ op: 'set-label', target: { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', namespace: 'default', name: 'reviews-v2-pod-waypoint' }, key: 'istio.io/waypoint-for', value: 'all' }]);
    expect(f.fix.outcome.summary).toBe('resolves WP004 on default/reviews-v2; introduces nothing');
    const html = await runCli(sample(WP004), '-o', '-');
    expect(html.stdout).toContain('Simulated on this bundle:</strong> resolves WP004 on default/reviews-v2; introduces nothing');
  });

  it('--no-simulate leaves outcomes out', async () => {
    const { report } = await jsonReport(sample(WP004), '--no-simulate');
    expect(report.findings.find((x: { ruleId: string }) => x.ruleId === 'WP004').fix.outcome).toBeUndefined();
  });

  it('--baseline marks each finding new or known, and lists what the baseline had that is gone', async () => {
    const { report } = await jsonReport(sample('bookinfo-broken'), '--baseline', sample('bookinfo-ambient'));
    expect(validateReport(report)).toEqual([]);
    const failing = report.findings.filter((f: { status: string }) => f.status === 'fail');
    expect(failing.every((f: { baseline: string }) => f.baseline === 'new')).toBe(true);
    expect(report.baseline).toMatchObject({ known: 0, new: 4, resolved: [] });
    const again = await jsonReport(sample('bookinfo-broken'), '--baseline', sample('bookinfo-broken'));
    expect(again.report.baseline).toMatchObject({ known: 4, new: 0 });
    expect(again.report.findings.filter((f: { status: string }) => f.status === 'fail').every((f: { baseline: string }) => f.baseline === 'known')).toBe(true);
    const html = await runCli(sample('bookinfo-broken'), '--baseline', sample('bookinfo-ambient'), '-o', '-');
    expect(html.stdout).toContain('Against the baseline');
    expect(html.stdout).toContain('new since the baseline');
  });
});
