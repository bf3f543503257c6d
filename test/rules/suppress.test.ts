import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { applySuppressions, CONFIG_FILE_NAME, findConfig, loadConfig, parseSuppression, type Suppression } from '../../src/rules/suppress.js';
import type { Finding } from '../../src/rules/types.js';

const work = mkdtempSync(join(tmpdir(), 'wa-suppress-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function finding(ruleId: string, subject?: Finding['subject'], status: Finding['status'] = 'fail'): Finding {
  return { ruleId, severity: 'error', status, title: 't', message: `${ruleId} on ${subject?.name ?? 'nothing'}`, evidence: [{ file: 'f', line: 1 }], ...(subject ? { subject } : {}) };
}

const FINDINGS: Finding[] = [
  finding('WP001', { kind: 'Service', namespace: 'default', name: 'ratings' }),
  finding('WP004', { kind: 'Pod', namespace: 'default', name: 'reviews-v2' }),
  finding('WP004', { kind: 'Pod', namespace: 'shop', name: 'reviews-v2' }),
  finding('WP004', { kind: 'WorkloadEntry', namespace: 'default', name: 'reviews-v2' }),
  finding('WP010', { kind: 'Namespace', name: 'default' }),
  finding('WP037', undefined, 'inconclusive'),
  finding('IST0171', { kind: 'Service', namespace: 'default', name: 'ratings' }),
];

const keptBy = (...specs: string[]) => {
  const { kept, suppressed } = applySuppressions(FINDINGS, specs.map((s) => parseSuppression(s)));
  expect(kept.length + suppressed.length).toBe(FINDINGS.length);
  return suppressed.map((s) => `${s.ruleId} ${s.subject ?? '-'}`);
};

describe('parseSuppression and matching', () => {
  it.each([
    [['WP004'], ['WP004 Pod/default/reviews-v2', 'WP004 Pod/shop/reviews-v2', 'WP004 WorkloadEntry/default/reviews-v2']],
    [['wp004:default/reviews-v2'], ['WP004 Pod/default/reviews-v2', 'WP004 WorkloadEntry/default/reviews-v2']],
    [['WP004:Pod/default/reviews-v2'], ['WP004 Pod/default/reviews-v2']],
    [['WP004:pod/default/reviews-v2'], ['WP004 Pod/default/reviews-v2']],
    [['WP004:*/reviews-v2'], ['WP004 Pod/default/reviews-v2', 'WP004 Pod/shop/reviews-v2', 'WP004 WorkloadEntry/default/reviews-v2']],
    [['WP004:default/reviews-*', 'WP001:default/ratings'], ['WP001 Service/default/ratings', 'WP004 Pod/default/reviews-v2', 'WP004 WorkloadEntry/default/reviews-v2']],
    [['WP010:default'], ['WP010 Namespace/default']],
    [['WP010:Namespace/default'], ['WP010 Namespace/default']],
    [['WP004:reviews-v2'], []],
    [['WP037'], ['WP037 -']],
    [['WP037:default/x'], []],
    [['IST*'], ['IST0171 Service/default/ratings']],
    [['*:default/ratings'], ['WP001 Service/default/ratings', 'IST0171 Service/default/ratings']],
    [['WP00'], []],
  ])('%j', (specs, expected) => {
    expect(keptBy(...specs)).toEqual(expected);
  });

  it('names what suppressed each finding, and keeps severity, status and message', () => {
    const { kept, suppressed } = applySuppressions(FINDINGS, [parseSuppression('WP037'), parseSuppression('WP001:default/ratings', '/b/.waypoint-analyze.yaml')]);
    expect(suppressed).toEqual([
      { ruleId: 'WP001', severity: 'error', status: 'fail', subject: 'Service/default/ratings', message: 'WP001 on ratings', reason: '/b/.waypoint-analyze.yaml: ignore WP001:default/ratings' },
      { ruleId: 'WP037', severity: 'error', status: 'inconclusive', message: 'WP037 on nothing', reason: '--ignore WP037' },
    ]);
    expect(kept.map((f) => f.ruleId)).toEqual(['WP004', 'WP004', 'WP004', 'WP010', 'IST0171']);
  });

  it('keeps everything without suppressions', () => {
    expect(applySuppressions(FINDINGS, [])).toEqual({ kept: FINDINGS, suppressed: [] });
  });

  it.each(['', 'WP004:', 'WP004:a/b/c/d', 'WP004:a//b', 'WP 004', 'WP004:ns/na me', ':default/x', 'WP004:a:b'])('refuses %j', (spec) => {
    expect(() => parseSuppression(spec)).toThrow(InputError);
    expect(() => parseSuppression(spec)).toThrow(`--ignore '${spec}' is not RULE, RULE:namespace/name or RULE:Kind/namespace/name`);
  });
});

describe('.waypoint-analyze.yaml', () => {
  let n = 0;
  const configFile = (text: string, name = CONFIG_FILE_NAME) => {
    const dir = join(work, `c${++n}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('reads ignore and rules (relative to the file)', async () => {
    const file = configFile('# ours\nignore:\n  - WP004\n  - WP001:default/ratings\nrules: ./support-rules\n');
    const config = await loadConfig(file);
    expect(config.file).toBe(file);
    expect(config.rules).toBe(join(file, '..', 'support-rules'));
    expect(config.ignore.map((s: Suppression) => [s.text, s.origin])).toEqual([['WP004', file], ['WP001:default/ratings', file]]);
  });

  it('an empty file is an empty config', async () => {
    expect(await loadConfig(configFile(''))).toEqual({ file: expect.any(String), ignore: [] });
  });

  it.each([
    ['ignore: WP004\n', '/ignore must be array'],
    ['ignores: [WP004]\n', "/ must NOT have additional properties (unknown key 'ignores')"],
    ['ignore: ["WP004:"]\n', '/ignore/0 is not RULE, RULE:namespace/name or RULE:Kind/namespace/name'],
    ['rules: 3\n', '/rules must be string'],
    ['ignore: [WP004\n', 'line 2 column 1: invalid YAML (unexpected end of the stream within a flow collection)'],
  ])('refuses %j', async (text, message) => {
    const file = configFile(text);
    const err = await loadConfig(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe(`${file}: ${message}`);
  });

  it('a missing --config file', async () => {
    await expect(loadConfig(join(work, 'none.yaml'))).rejects.toThrow(`no such file or directory: ${join(work, 'none.yaml')}`);
  });

  it('is found inside a bundle folder, and beside a bundle file', async () => {
    const file = configFile('ignore: [WP004]\n');
    const dir = join(file, '..');
    expect(await findConfig(dir)).toBe(file);
    expect(await findConfig(join(dir, 'bundle.tgz'))).toBe(file);
    expect(await findConfig(join(work, 'elsewhere.tgz'))).toBeUndefined();
    expect(await findConfig('/no/such/bundle.tgz')).toBeUndefined();
  });
});
