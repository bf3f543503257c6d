/**
 * The promise of redaction, over every sample and scenario bundle: the redacted bundle diagnoses
 * exactly like the original (same rules, statuses, severities, evidence files and lines, subjects
 * that the map turns back into the original ones), and no name or address of the original is left.
 */
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/bundle/types.js';
import { analyzeBundle } from '../../src/pipeline.js';
import { BUILTIN_RULES } from '../../src/rules/index.js';
import { ROOT } from '../helpers.js';
import { mustGatherBundle, troubleshootBundle } from '../support/support-bundles.js';
import { findingKey, findingsOf, leaks, redactTo, restorer } from './helpers.js';

const SAMPLES = join(ROOT, 'samples');
const SCENARIOS = join(SAMPLES, 'scenarios');
const bundles = [
  ...['bookinfo-ambient.tgz', 'bookinfo-broken.tgz', 'bug-report.tar.gz', 'guide-outputs'].map((b) => join(SAMPLES, b)),
  ...readdirSync(SCENARIOS, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(SCENARIOS, e.name)),
];

describe('a redacted bundle diagnoses like the original', () => {
  it('covers the samples and all 44 scenarios', () => {
    expect(bundles.length).toBe(48);
  });

  it.each(bundles.map((b) => [b.slice(SAMPLES.length + 1), b]))('%s', async (_name, bundle) => {
    const redacted = await redactTo(bundle);
    const original = await findingsOf(bundle);
    const after = await findingsOf(redacted.output);
    const restore = restorer(redacted.map);
    // A folder is packed under its name, which an archive's paths carry already.
    const folder = !/\.(?:tgz|tar\.gz)$/.test(bundle);
    expect(after.map((f) => findingKey(f, restore, folder)).sort()).toEqual(original.map((f) => findingKey(f)).sort());
    expect(after.length).toBe(original.length);
    // The subjects really were pseudonymized: no finding about a customer name reads the same.
    const restoredMessages = after.map((f) => restore(f.message)).sort();
    expect(restoredMessages).toEqual(original.map((f) => f.message).sort());

    const names = [...redacted.map.forward].filter(([name]) => redacted.map.kinds.get(name) !== 'hash').map(([name]) => name);
    expect(await leaks(bundle, redacted.output, names)).toEqual([]);
  }, 60_000);
});

describe('other support tools\' bundles of the healthy cluster redact the same way', () => {
  const work = mkdtempSync(join(tmpdir(), 'wa-redact-support-'));
  it.each([
    ['troubleshoot v0.133+ (symlinked .yaml)', () => troubleshootBundle({ symlinks: true })],
    ['troubleshoot before v0.133', () => troubleshootBundle({ symlinks: false })],
    ['must-gather', () => mustGatherBundle()],
  ] as const)('%s', async (name, build) => {
    const bundle = join(work, `${name.replace(/\W+/g, '-')}.tgz`);
    writeFileSync(bundle, await build());
    const redacted = await redactTo(bundle);
    const original = await findingsOf(bundle);
    const after = await findingsOf(redacted.output);
    const restore = restorer(redacted.map);
    expect(after.map((f) => findingKey(f, restore, false)).sort()).toEqual(original.map((f) => findingKey(f)).sort());
    // A healthy cluster has no finding to compare: every file must read as the same kind, and every rule decide alike.
    const [a, b] = await Promise.all([bundle, redacted.output].map((p) => analyzeBundle(p, { limits: DEFAULT_LIMITS, rules: BUILTIN_RULES })));
    expect(b!.files.map((f) => f.kind).sort()).toEqual(a!.files.map((f) => f.kind).sort());
    expect(b!.rules.map((r) => `${r.id} ${r.outcome}`)).toEqual(a!.rules.map((r) => `${r.id} ${r.outcome}`));
    expect(a!.rules.filter((r) => r.outcome === 'pass').length).toBeGreaterThan(10);
    const names = [...redacted.map.forward].filter(([n]) => redacted.map.kinds.get(n) !== 'hash').map(([n]) => n);
    expect(names.length).toBeGreaterThan(10);
    expect(await leaks(bundle, redacted.output, names)).toEqual([]);
  }, 60_000);
});

describe('a generated cluster with every fault planted redacts the same way, certificates included', () => {
  it('300 pods, 60 Services, 4 waypoints (each dump with its workload certificates): same findings, no parse problem', async () => {
    const { generateBundle } = await import('../../scripts/gen-bundle/generate.js');
    const work = mkdtempSync(join(tmpdir(), 'wa-redact-gen-'));
    const g = await generateBundle({ pods: 300, services: 60, waypoints: 4, seed: 'redact', format: 'yaml', plants: ['missing-waypoint', 'not-synced', 'pod-waypoint-service-only', 'bypass'] }, join(work, 'gen.tgz'));
    const redacted = await redactTo(g.file);
    const [a, b] = await Promise.all([g.file, redacted.output].map((p) => analyzeBundle(p, { limits: DEFAULT_LIMITS, rules: BUILTIN_RULES })));
    // Certificates that no longer parse would show here (the dumps' secrets are read with X509Certificate).
    expect(b!.diagnostics).toEqual(a!.diagnostics);
    expect(a!.diagnostics).toEqual([]);
    const restore = restorer(redacted.map);
    expect(b!.findings.map((f) => findingKey(f, restore, false)).sort()).toEqual(a!.findings.map((f) => findingKey(f)).sort());
    expect(a!.findings.some((f) => f.status === 'fail' && f.severity === 'error')).toBe(true);
    const names = [...redacted.map.forward].filter(([n]) => redacted.map.kinds.get(n) !== 'hash').map(([n]) => n);
    expect(await leaks(g.file, redacted.output, names)).toEqual([]);
  }, 120_000);
});
