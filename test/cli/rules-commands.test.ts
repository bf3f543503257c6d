import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonReport as cliJsonReport, runCli as run, sample } from './run.js';
import { validateReport } from '../report/schema.js';
import { alarms } from '../helpers.js';

const work = mkdtempSync(join(tmpdir(), 'wa-rules-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));


interface Report {
  findings: { ruleId: string; status: string; severity: string; subject?: { kind: string; namespace?: string; name: string } }[];
  suppressed: { ruleId: string; subject?: string; reason: string; status: string }[];
  counts: { error: number };
  rules: { id: string; outcome: string; missing?: string[][] }[];
  notChecked: { id: string; commands: string[]; rules: string[] }[];
}


const jsonReport = (...args: string[]) => cliJsonReport<Report>(...args);

const failingIds = (report: Report) => alarms(report.findings).map((f) => f.ruleId).sort();

describe('waypoint-analyze rules', () => {
  it('lists id, severity, title and needs of every built-in rule', async () => {
    const { code, stdout, stderr } = await run('rules');
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^ID\s+SEVERITY\s+TITLE\s+NEEDS$/);
    expect(lines.find((l) => l.startsWith('WP001 '))).toMatch(/^WP001\s+error\s+use-waypoint names a waypoint that does not exist\s+kube:Gateway, one of kube:Namespace\|kube:Service\|kube:Pod$/);
    expect(lines.find((l) => l.startsWith('WP004 '))).toMatch(/^WP004\s+error\s+Pod labelled with a waypoint that only accepts service traffic\s+kube:Pod, kube:Gateway$/);
    expect(lines.find((l) => l.startsWith('WP037 '))).toMatch(/^WP037\s+error\s+.+\s+proxy-status$/);
  });

  it('--format json', async () => {
    const { code, stdout } = await run('rules', '--format', 'json');
    expect(code).toBe(0);
    const rules = JSON.parse(stdout) as { id: string; needs: string[]; needsAnyOf?: string[] }[];
    expect(rules.find((r) => r.id === 'WP004')).toEqual({ id: 'WP004', severity: 'error', title: 'Pod labelled with a waypoint that only accepts service traffic', needs: ['kube:Pod', 'kube:Gateway'] });
    expect(rules.find((r) => r.id === 'WP001')).toMatchObject({ needs: ['kube:Gateway'], needsAnyOf: ['kube:Namespace', 'kube:Service', 'kube:Pod'] });
    expect(rules.find((r) => r.id === 'WP037')).toMatchObject({ needs: ['proxy-status'] });
  });

  it('--rules adds the custom rules, with the file they come from', async () => {
    const { code, stdout } = await run('rules', '--rules', sample('rules'));
    expect(code).toBe(0);
    expect(stdout).toMatch(/^WAYPOINT-POD-NOT-RUNNING\s+error\s+Waypoint pod is not running and ready\s+kube:Pod$/m);
    expect(stdout).toMatch(/^RBAC-DENIED-REQUESTS\s+warning\s+Requests denied by an AuthorizationPolicy\s+logs$/m);
    expect(stdout).toContain(`6 custom rules from ${join(sample('rules'), 'namespace-waypoint-no-ready-pod.yaml')}`);
    const json = JSON.parse((await run('rules', '--rules', sample('rules'), '-f', 'json')).stdout) as { id: string; file?: string }[];
    expect(json.find((r) => r.id === 'SERVICE-WAYPOINT-NOT-BOUND')?.file).toBe(join(sample('rules'), 'service-waypoint-not-bound.json'));
  });

  it('a bad rule file exits 2 with one line', async () => {
    const bad = join(work, 'bad.yaml');
    writeFileSync(bad, 'id: ACME-1\ntitle: t\nseverity: fatal\ndescription: d\nselect: {kind: Pod}\nmessage: m\nfix: {text: f}\n');
    const { code, stderr, stdout } = await run('rules', '--rules', bad);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`waypoint-analyze: ${bad}: /severity must be equal to one of the allowed values (error, warning, info)\n`);
  });
});

describe('waypoint-analyze explain', () => {
  it('prints WP004\'s title, severity, description, detection with collect commands, fix and docs', async () => {
    const { code, stdout } = await run('explain', 'WP004');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^WP004: Pod labelled with a waypoint that only accepts service traffic\nSeverity: error\n/);
    const flat = stdout.replace(/\s+/g, ' ');
    expect(flat).toContain('A Pod (or WorkloadEntry) carries its own `istio.io/use-waypoint`, which governs traffic addressed to the pod IP.');
    expect(stdout).toContain('- Pod objects: kubectl get pods -A -o json');
    expect(stdout).toContain('- Gateway objects: kubectl get gateways.gateway.networking.k8s.io -A -o json');
    expect(flat).toContain('Fix: `kubectl label gateway <name> -n <namespace> istio.io/waypoint-for=all --overwrite`');
    expect(flat).toContain('or label the Service instead.');
    expect(stdout).toContain('Docs: https://istio.io/latest/docs/ambient/usage/troubleshoot-waypoint/');
  });

  it('is case-insensitive, and explains istioctl codes through the analyze rule', async () => {
    expect((await run('explain', 'wp001')).stdout).toMatch(/^WP001: use-waypoint names a waypoint that does not exist/);
    const ist = await run('explain', 'IST0171');
    expect(ist.code).toBe(0);
    expect(ist.stdout).toMatch(/^IST0171: istioctl analyze messages/);
    expect(ist.stdout).toContain('Docs: https://istio.io/latest/docs/reference/config/analysis/ist0171/');
  });

  it('exits 2 for an unknown rule', async () => {
    const { code, stdout, stderr } = await run('explain', 'UNKNOWN');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe("waypoint-analyze: unknown rule 'UNKNOWN' (see waypoint-analyze rules)\n");
  });

  it('explains custom rules with --rules', async () => {
    expect((await run('explain', 'WAYPOINT-POD-NOT-RUNNING')).code).toBe(2);
    const { code, stdout } = await run('explain', 'WAYPOINT-POD-NOT-RUNNING', '--rules', sample('rules'));
    expect(code).toBe(0);
    expect(stdout).toContain(`Custom rule, defined in ${join(sample('rules'), 'waypoint-pod-not-running.yaml')}`);
    expect(stdout).toContain('Selects Pod records where:');
    expect(stdout).toContain(`    all:\n      - field: labels["gateway.istio.io/managed"]\n        equals: istio.io-mesh-controller\n`);
    expect(stdout).toContain('- Pod objects: kubectl get pods -A -o json');
    expect(stdout).toContain('$ kubectl describe pod {{name}} -n {{namespace}}');
    const count = await run('explain', 'RBAC-DENIED-REQUESTS', '--rules', sample('rules'));
    expect(count.stdout).toContain('and fires once when their number is gte 1.');
  });
});

describe('suppressions on analyze', () => {
  it('--ignore WP004: exit 1, WP004 out of the failing findings and listed as suppressed', async () => {
    const { code, report, stderr } = await jsonReport(sample('bookinfo-broken.tgz'), '--ignore', 'WP004');
    expect(code).toBe(1);
    expect(failingIds(report)).toEqual(['WP001', 'WP037']);
    expect(report.suppressed).toEqual([expect.objectContaining({ ruleId: 'WP004', status: 'fail', subject: expect.stringMatching(/^Pod\/default\/reviews-v2-/), reason: '--ignore WP004' })]);
    expect(report.counts.error).toBe(2);
    expect(stderr).toMatch(/, 1 suppressed \(listed in the report\)\n/);
    expect(validateReport(report)).toEqual([]);
  });

  it('--ignore WP001:default/ratings, repeated with another', async () => {
    const { code, report } = await jsonReport(sample('bookinfo-broken.tgz'), '--ignore', 'WP001:default/ratings', '--ignore', 'WP037:Pod/default/waypoint-*');
    expect(code).toBe(1);
    expect(failingIds(report)).toEqual(['WP004']);
    expect(report.suppressed.map((s) => [s.ruleId, s.subject, s.reason])).toEqual([
      ['WP001', 'Service/default/ratings', '--ignore WP001:default/ratings'],
      ['WP037', expect.stringMatching(/^Pod\/default\/waypoint-/), '--ignore WP037:Pod/default/waypoint-*'],
    ]);
    expect(validateReport(report)).toEqual([]);
  });

  it('suppressing every error exits 0', async () => {
    const { code, report } = await jsonReport(sample('bookinfo-broken'), '--ignore', 'WP*');
    expect(code).toBe(0);
    expect(report.suppressed).toHaveLength(4);
  });

  it('an --ignore that is not RULE[:ns/name] exits 2', async () => {
    const { code, stderr } = await run(sample('bookinfo-broken'), '--ignore', 'WP004:', '-f', 'json', '-o', '-');
    expect(code).toBe(2);
    expect(stderr).toBe("waypoint-analyze: --ignore 'WP004:' is not RULE, RULE:namespace/name or RULE:Kind/namespace/name\n");
  });

  it('picks up .waypoint-analyze.yaml inside a bundle folder, and beside a bundle archive', async () => {
    const copy = join(work, 'bookinfo-broken');
    cpSync(sample('bookinfo-broken'), copy, { recursive: true });
    writeFileSync(join(copy, '.waypoint-analyze.yaml'), 'ignore:\n  - WP037\n  - WP001:default/ratings\n');
    const { code, report } = await jsonReport(copy, '--ignore', 'WP004');
    expect(code).toBe(0);
    expect(failingIds(report)).toEqual([]);
    expect(report.suppressed.map((s) => [s.ruleId, s.reason])).toEqual([
      ['WP001', `${join(copy, '.waypoint-analyze.yaml')}: ignore WP001:default/ratings`],
      ['WP004', '--ignore WP004'],
      ['WP037', `${join(copy, '.waypoint-analyze.yaml')}: ignore WP037`],
    ]);

    const beside = join(work, 'archive');
    cpSync(sample('bookinfo-broken.tgz'), join(beside, 'bundle.tgz'));
    writeFileSync(join(beside, '.waypoint-analyze.yaml'), `ignore: [WP004]\nrules: ${sample('rules')}\n`);
    const archived = await jsonReport(join(beside, 'bundle.tgz'));
    expect(archived.report.suppressed.map((s) => s.ruleId)).toEqual(['WP004']);
    expect(failingIds(archived.report)).toContain('SERVICE-WAYPOINT-NOT-BOUND');
  });

  it('--config names the file instead; a bad one exits 2 naming it', async () => {
    const config = join(work, 'team.yaml');
    writeFileSync(config, 'ignore: [WP037]\n');
    const { report } = await jsonReport(sample('bookinfo-broken.tgz'), '--config', config);
    expect(report.suppressed.map((s) => s.ruleId)).toEqual(['WP037']);
    writeFileSync(config, 'ignore: [WP037]\nrule: ./x\n');
    const bad = await run(sample('bookinfo-broken.tgz'), '--config', config);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`waypoint-analyze: ${config}: / must NOT have additional properties (unknown key 'rule')\n`);
  });

  it('the HTML report shows the number suppressed and a table', async () => {
    const out = join(work, 'suppressed.html');
    const { code, stdout } = await run(sample('bookinfo-broken.tgz'), '--ignore', 'WP004', '-o', out);
    expect(code).toBe(1);
    expect(stdout).toContain('1 suppressed');
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('<span class="inconclusive">1 suppressed</span>');
    expect(html).toContain('<section id="suppressed">');
    expect(html).toMatch(/<td class="mono">WP004<\/td><td class="mono">Pod\/default\/reviews-v2-[^<]+<\/td>/);
    expect(html).toContain('<td class="mono">--ignore WP004</td>');
  });

  it('no suppression: an empty list, no section', async () => {
    const { report } = await jsonReport(sample('bookinfo-ambient.tgz'));
    expect(report.suppressed).toEqual([]);
    const out = join(work, 'plain.html');
    await run(sample('bookinfo-ambient.tgz'), '-o', out);
    expect(readFileSync(out, 'utf8')).not.toContain('id="suppressed"');
  });
});

describe('custom rules on analyze', () => {
  it('--rules samples/rules adds the example rules\' findings', async () => {
    const { code, report } = await jsonReport(sample('bookinfo-broken.tgz'), '--rules', sample('rules'));
    expect(code).toBe(1);
    expect(failingIds(report)).toEqual(['SERVICE-WAYPOINT-NOT-BOUND', 'WP001', 'WP004', 'WP037']);
    const bound = report.findings.find((f) => f.ruleId === 'SERVICE-WAYPOINT-NOT-BOUND')!;
    expect(bound).toMatchObject({ severity: 'warning', subject: { kind: 'Service', namespace: 'default', name: 'ratings' } });
    // No logs in this bundle: the access log rule did not run, and the report says what to collect.
    expect(report.rules.find((r) => r.id === 'RBAC-DENIED-REQUESTS')).toMatchObject({ outcome: 'not-checked', missing: [['logs']] });
    expect(report.notChecked.find((g) => g.id === 'logs')).toMatchObject({ commands: ['kubectl logs <pod> -n <namespace> --since 1h'], rules: expect.arrayContaining(['RBAC-DENIED-REQUESTS']) });
    // All waypoint pods run: silent.
    expect(report.findings.some((f) => f.ruleId === 'WAYPOINT-POD-NOT-RUNNING')).toBe(false);
    expect(validateReport(report)).toEqual([]);
  });

  it('custom findings can be suppressed like any other', async () => {
    const { report } = await jsonReport(sample('bookinfo-broken.tgz'), '--rules', sample('rules'), '--ignore', 'SERVICE-WAYPOINT-NOT-BOUND:default/ratings', '--ignore', 'RBAC-*');
    expect(report.suppressed.map((s) => [s.ruleId, s.status])).toEqual([['SERVICE-WAYPOINT-NOT-BOUND', 'fail']]);
    // An ignored rule that could not run is not asked for either.
    expect(report.notChecked.flatMap((g) => g.rules)).not.toContain('RBAC-DENIED-REQUESTS');
  });

  it('a bad rule file exits 2 naming the file and the schema path', async () => {
    const dir = join(work, 'rules-bad');
    cpSync(sample('rules'), dir, { recursive: true });
    writeFileSync(join(dir, 'zz-bad.yaml'), 'rules:\n  - id: ACME-1\n    title: t\n    severity: urgent\n    description: d\n    select: {kind: Pod}\n    message: m\n    fix: {text: f}\n');
    const { code, stderr, stdout } = await run(sample('bookinfo-broken.tgz'), '--rules', dir, '-o', join(work, 'never.html'));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`waypoint-analyze: ${join(dir, 'zz-bad.yaml')}: /rules/0/severity must be equal to one of the allowed values (error, warning, info)\n`);
  });
});
