/**
 * Custom rules in CEL (issue #14): the three CEL sample rules on the scenario bundles, compile errors
 * with their exact messages, the cost limits on pathological expressions, and the same findings from
 * each declarative sample rule and its translation to CEL (`rules --to-cel`).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS as BUNDLE_LIMITS } from '../../src/bundle/types.js';
import type { ClusterSnapshot } from '../../src/model/snapshot.js';
import { loadSnapshot } from '../../src/pipeline.js';
import { compileRule, conditionToCel, CEL_FUNCTIONS, loadCustomRules, VARIABLES, type CustomRuleSpec } from '../../src/rules/custom.js';
import { runRule } from '../../src/rules/engine.js';
import type { Finding } from '../../src/rules/types.js';
import { runCli } from '../cli/run.js';
import { ROOT } from '../helpers.js';
import { ambientNamespace, appService, kubeList, snapshotOf, waypoint, waypointPod, type Files } from './rule-tester.js';

const work = mkdtempSync(join(tmpdir(), 'wa-cel-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let seq = 0;

const RULES = join(ROOT, 'samples', 'rules');
const failing = (findings: Finding[]) => findings.filter((f) => f.status === 'fail');
const subjects = (findings: Finding[]) => failing(findings).map((f) => `${f.subject?.namespace}/${f.subject?.name}`);

const BUNDLES = [
  ...readdirSync(join(ROOT, 'samples', 'scenarios')).filter((n) => statSync(join(ROOT, 'samples', 'scenarios', n)).isDirectory()).map((n) => `scenarios/${n}`),
  'bookinfo-ambient',
  'bookinfo-broken',
];
const snapshots = new Map<string, ClusterSnapshot>();
beforeAll(async () => {
  for (const b of BUNDLES) snapshots.set(b, await loadSnapshot(join(ROOT, 'samples', b), BUNDLE_LIMITS));
}, 120_000);

/** Where a sample rule fires over every scenario bundle: `bundle: namespace/name`, sorted. */
async function firesOn(file: string): Promise<string[]> {
  const [rule] = await loadCustomRules(join(RULES, file));
  const out: string[] = [];
  for (const [b, snapshot] of snapshots) {
    const findings = runRule(rule!, snapshot);
    expect(findings.filter((f) => f.status === 'inconclusive' && !f.missing), b).toEqual([]);
    for (const s of subjects(findings)) out.push(`${b}: ${s}`);
  }
  return out.sort();
}

const BOOKINFO = ['bookinfo-gateway-istio', 'details', 'kubernetes', 'notsleep', 'productpage', 'ratings', 'sleep'];

describe('the CEL sample rules on the scenario bundles', () => {
  it('NAMESPACE-WAYPOINT-NO-READY-POD fires for the Services of a namespace whose waypoint has no ready pod (pending, crash-looping, never created), nowhere else', async () => {
    expect(await firesOn('namespace-waypoint-no-ready-pod.yaml')).toEqual(
      ['wp002-waypoint-not-ready', 'wp003-waypoint-no-healthy-pods', 'wp011-waypoint-never-reconciled'].flatMap((s) => BOOKINFO.map((n) => `scenarios/${s}: default/${n}`)),
    );
  });

  it('ZTUNNEL-NAMES-UNKNOWN-WAYPOINT fires where ztunnel sends a Service to a waypoint that has no Gateway, nowhere else', async () => {
    expect(await firesOn('ztunnel-names-unknown-waypoint.yaml')).toEqual(['scenarios/wp012-ingress-gateway-as-waypoint: default/reviews']);
  });

  it('WAYPOINT-PODS-ON-ONE-NODE is silent on every scenario (one waypoint pod each)', async () => {
    expect(await firesOn('waypoint-pods-on-one-node.yaml')).toEqual([]);
  });

  describe('WAYPOINT-PODS-ON-ONE-NODE on a waypoint of two pods', () => {
    const onNode = (name: string, node: string) => {
      const p = waypointPod('shop', 'waypoint', name) as { spec: Record<string, unknown>; status?: unknown };
      return { ...p, spec: { ...p.spec, nodeName: node }, status: { phase: 'Running', containerStatuses: [{ name: 'istio-proxy', ready: true }] } };
    };
    const files = (nodes: [string, string]): Files => ({
      'namespaces.yaml': kubeList([ambientNamespace('shop', { 'istio.io/use-waypoint': 'waypoint' })]),
      'gateways.yaml': kubeList([waypoint('shop', 'waypoint')]),
      'services.yaml': kubeList([appService('shop', 'cart'), appService('shop', 'waypoint', { 'gateway.networking.k8s.io/gateway-name': 'waypoint' })]),
      'pods.yaml': kubeList([onNode('waypoint-7d9f-a', nodes[0]), onNode('waypoint-7d9f-b', nodes[1])]),
    });

    it('fires when both pods run on one node, naming the node and the waypoint', async () => {
      const [rule] = await loadCustomRules(join(RULES, 'waypoint-pods-on-one-node.yaml'));
      const findings = runRule(rule!, snapshotOf(files(['node-a', 'node-a'])));
      expect(subjects(findings)).toEqual(['shop/cart']);
      expect(findings[0]!.message).toBe('Service shop/cart goes through waypoint shop/waypoint, whose pods all run on node node-a.');
      expect(findings[0]!.fix!.commands).toEqual(['kubectl get pods -n shop -l gateway.networking.k8s.io/gateway-name=waypoint -o wide']);
    });

    it('is silent when they are spread over two nodes', async () => {
      const [rule] = await loadCustomRules(join(RULES, 'waypoint-pods-on-one-node.yaml'));
      expect(runRule(rule!, snapshotOf(files(['node-a', 'node-b'])))).toEqual([]);
    });
  });

  it('the samples folder loads as six rules', async () => {
    const rules = await loadCustomRules(RULES);
    expect(rules.map((r) => r.meta.id)).toEqual([
      'NAMESPACE-WAYPOINT-NO-READY-POD', 'SERVICE-WAYPOINT-NOT-BOUND', 'RBAC-DENIED-REQUESTS', 'WAYPOINT-POD-NOT-RUNNING', 'WAYPOINT-PODS-ON-ONE-NODE', 'ZTUNNEL-NAMES-UNKNOWN-WAYPOINT',
    ]);
  });
});

describe('a declarative rule and its translation to CEL give the same findings', () => {
  it.each(['service-waypoint-not-bound.json', 'too-many-denies.yaml', 'waypoint-pod-not-running.yaml'])('%s', async (file) => {
    const { code, stdout } = await runCli('rules', '--to-cel', join(RULES, file));
    expect(code).toBe(0);
    const translated = join(work, `t${++seq}.yaml`);
    writeFileSync(translated, stdout);
    const [original] = await loadCustomRules(join(RULES, file));
    const [cel] = await loadCustomRules(translated);
    expect(typeof cel!.spec.where).toBe('string');
    let fired = 0;
    for (const [b, snapshot] of snapshots) {
      const want = runRule(original!, snapshot);
      fired += failing(want).length;
      expect(runRule(cel!, snapshot), b).toEqual(want);
    }
    expect(fired).toBeGreaterThan(0);
  });

  it('translates each test as the old engine meant it', () => {
    expect(conditionToCel({ field: 'conditions', some: { all: [{ field: 'type', equals: 'istio.io/WaypointBound' }, { field: 'status', equals: 'False' }] } }))
      .toBe('listOf(object.?conditions).exists(x, textOf(x.?type) == "istio.io/WaypointBound" && textOf(x.?status) == "False")');
    expect(conditionToCel({ field: 'labels["istio.io/use-waypoint"]', exists: true })).toBe('object.?labels[?"istio.io/use-waypoint"].orValue(null) != null');
    expect(conditionToCel({ not: { field: 'namespace', in: ['kube-system', null] } }))
      .toBe('!((textOf(object.?namespace) in ["kube-system"] || (object.?namespace.hasValue() && object.?namespace.value() == null)))');
    expect(conditionToCel({ field: 'spec.ports[0].port', gte: 8080 })).toBe('numberOf(object.?spec.?ports[?0].?port) >= 8080.0');
    expect(conditionToCel({ field: 'status.in', notEquals: 3 })).toBe('textOf(object.?status[?"in"]) != "3"');
  });
});

// ---- Compile errors ---------------------------------------------------------------------------

const rule = (where: string, kind = 'Service', extra = '') =>
  `rules:\n  - id: ACME-001\n    title: t\n    severity: warning\n    description: d\n    select: {kind: ${kind}}\n    where: ${JSON.stringify(where)}\n    message: m\n    fix: {text: f}\n${extra}`;

async function loadError(text: string): Promise<string> {
  const dir = join(work, `e${++seq}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'x.yaml'), text);
  const { code, stderr } = await runCli('rules', '--rules', join(dir, 'x.yaml'));
  expect(code).toBe(2);
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  return stderr.trimEnd().split(`${dir}/`).join('');
}

describe('a CEL syntax or type error exits 2 naming the file, the rule and the position', () => {
  it.each([
    ['a syntax error', "object.conditions.exists(c, c.type == 'x' &&)", 'line 1 column 45: Unexpected token: RPAREN'],
    ['a reserved word (use namespaceObject)', "namespace.name == 'default'", "line 1 column 1: Reserved identifier: namespace (CEL reserves the word: the record's Namespace is namespaceObject, as in ValidatingAdmissionPolicy)"],
    ['an unknown variable', "pod.name == 'default'", 'line 1 column 1: Unknown variable: pod'],
    ['a variable its kind does not offer', "waypoint != null", 'line 1 column 1: Unknown variable: waypoint', 'Gateway'],
    ['a type error', "size(object.labels) > 'a'", 'line 1 column 1: no such overload: int > string'],
    ['a type error on a later line', "object.name == 'a' ||\n  size(object.labels) > 'b'", 'line 2 column 3: no such overload: int > string'],
    ['a result that is not a bool', 'size(object.labels)', 'line 1 column 1: the expression must be a bool, not int'],
  ])('%s', async (_name, where, message, kind = 'Service') => {
    expect(await loadError(rule(where, kind))).toBe(`waypoint-analyze: x.yaml: /rules/0/where (rule ACME-001): ${message}`);
  });

  it('an empty expression is refused by the schema', async () => {
    expect(await loadError(rule(''))).toBe('waypoint-analyze: x.yaml: /rules/0/where must NOT have fewer than 1 characters');
  });
});

// ---- Bounded evaluation -----------------------------------------------------------------------

describe('evaluation is bounded: a pathological expression becomes an inconclusive finding', () => {
  const spec = (where: string): CustomRuleSpec => ({ id: 'ACME-002', title: 't', severity: 'warning', description: 'd', select: { kind: 'Service' }, where, message: '{{name}}', fix: { text: 'f' } });
  const snapshot = snapshotOf({
    'services.yaml': kubeList([appService('shop', 'cart', Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, 'a'.repeat(40)])))]),
  });
  const run = (where: string) => {
    const started = performance.now();
    const findings = runRule(compileRule(spec(where), 'x.yaml', ''), snapshot);
    return { findings, millis: performance.now() - started };
  };

  it('nested comprehensions over a large list stop at the step limit', () => {
    const { findings, millis } = run('object.labels.all(a, object.labels.all(b, object.labels.all(c, a + b + c != "")))');
    expect(findings).toEqual([expect.objectContaining({
      status: 'inconclusive',
      subject: { kind: 'Service', namespace: 'shop', name: 'cart' },
      message: `The rule's expression passed its evaluation limits on 1 of the Service objects (Service shop/cart: evaluation passed its cost limit of ${DEFAULT_LIMITS_STEPS} steps); those were not checked.`,
    })]);
    expect(millis).toBeLessThan(10_000);
  });

  it('a string grown by doubling stops at the size limit', () => {
    const doubling = Array.from({ length: 22 }, (_, i) => `cel.bind(s${i + 1}, s${i} + s${i}, `).join('');
    const where = `cel.bind(s0, object.name + object.name, ${doubling}size(s22) > 0${')'.repeat(22)})`;
    const { findings } = run(where);
    expect(findings.map((f) => [f.status, f.message.replace(/ on 1 .*\(Service shop\/cart: /, ': ')])).toEqual([
      ['inconclusive', "The rule's expression passed its evaluation limits: evaluation built a value of more than 1000000 items or characters); those were not checked."],
    ]);
  });

  it('a regex that backtracks exponentially in JavaScript is run in linear time', () => {
    const { findings, millis } = run(`(object.name + "${'a'.repeat(40)}!").matches("^(a|aa)+$")`);
    expect(findings).toEqual([]);
    expect(millis).toBeLessThan(5_000);
  });

  it('only the expression\'s regexes are linear: RE2 has no backreferences, and the process\'s own RegExp is untouched', () => {
    const { findings } = run(`object.name.matches("(c)\\\\1")`);
    expect(findings.map((f) => f.status)).toEqual(['inconclusive']);
    expect(findings[0]!.message).toMatch(/Invalid regular expression/);
    expect(new RegExp('a').flags).toBe('');
    expect(RegExp.name).toBe('RegExp');
  });

  it('an expression that fails on a record (no such key) makes it inconclusive, not a crash', () => {
    const { findings } = run("object.labels['nope'] == 'x'");
    expect(findings.map((f) => [f.status, f.message])).toEqual([['inconclusive', "The rule's expression failed on 1 of the Service objects (Service shop/cart: No such key: nope); those were not checked."]]);
  });

  it('the meter counts: a tiny step limit stops an ordinary expression', () => {
    const findings = runRule(compileRule(spec("object.labels.exists(k, k == 'zzz')"), 'x.yaml', '', { steps: 50, size: 1000, millis: 1000 }), snapshot);
    expect(findings[0]!.message).toContain('evaluation passed its cost limit of 50 steps');
  });
});
const DEFAULT_LIMITS_STEPS = 1_000_000;

// ---- Variables: one table, the docs list every one ---------------------------------------------

describe('the variables and functions are documented', () => {
  const docs = readFileSync(join(ROOT, 'docs', 'custom-rules.md'), 'utf8');
  it.each(VARIABLES.map((v) => [v.name, v]))('%s is in the table of docs/custom-rules.md', (_name, v) => {
    expect(docs).toContain(`| \`${v.name}\` | \`${v.celType}\` | ${v.kinds === 'all' ? 'every kind' : 'Service, Pod'} | ${v.description} |`);
  });
  it.each(CEL_FUNCTIONS.map((f) => [f.signature, f]))('%s is documented', (_sig, f) => {
    expect(docs).toContain(`| \`${f.signature}\` | ${f.description} |`);
  });
});

describe('templates see the same variables as the expression', () => {
  it('{{object.name}}, {{name}} and {{namespaceObject.name}} fill in alike', () => {
    const snapshot = snapshotOf({ 'services.yaml': kubeList([appService('shop', 'cart')]), 'namespaces.yaml': kubeList([ambientNamespace('shop')]) });
    const spec: CustomRuleSpec = { id: 'ACME-003', title: 't', severity: 'info', description: 'd', select: { kind: 'Service' }, where: "object.name == 'cart'", message: '{{object.name}} / {{name}} in {{namespaceObject.name}}', fix: { text: 'look at {{object.namespace}}/{{object.name}}' } };
    const [finding] = runRule(compileRule(spec, 'x.yaml', ''), snapshot);
    expect(finding!.message).toBe('cart / cart in shop');
    expect(finding!.fix?.text).toBe('look at shop/cart');
  });
});
