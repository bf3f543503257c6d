import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { runRule } from '../../src/rules/engine.js';
import { loadCustomRules, parsePath, renderTemplate, resolvePath, type CustomRule } from '../../src/rules/custom.js';
import type { Finding } from '../../src/rules/types.js';
import { ROOT, tabwrite } from '../helpers.js';
import { kubeList, namespace, pod, service, snapshotOf, waypointPod, type Files } from './rule-tester.js';

const work = mkdtempSync(join(tmpdir(), 'wa-custom-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let seq = 0;
/** Writes rule files into a fresh folder and returns its path. */
function ruleDir(files: Record<string, string>): string {
  const dir = join(work, `d${++seq}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

async function rulesFrom(text: string, name = 'rule.yaml'): Promise<CustomRule[]> {
  return loadCustomRules(join(ruleDir({ [name]: text }), name));
}

async function loadError(files: Record<string, string>, target?: string): Promise<string> {
  const dir = ruleDir(files);
  try {
    await loadCustomRules(target ? join(dir, target) : dir);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    const message = (err as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    return message.split(dir + '/').join('');
  }
  throw new Error('expected the rules to be refused');
}

const sampleRule = async (name: string) => {
  const rules = await loadCustomRules(join(ROOT, 'samples', 'rules', name));
  expect(rules).toHaveLength(1);
  return rules[0]!;
};

const failing = (findings: Finding[]) => findings.filter((f) => f.status === 'fail');
const subjects = (findings: Finding[]) => failing(findings).map((f) => `${f.subject?.kind} ${f.subject?.namespace ? `${f.subject.namespace}/` : ''}${f.subject?.name}`);
const locations = (f: Finding) => f.evidence.map((e) => `${e.file}:${e.line ?? ''}`);

// ---- Access log lines in Istio's text format (as in test/parse/logs.test.ts) --------------------

const DENY = '[2024-05-07T10:00:00.123Z] "GET /reviews/0 HTTP/1.1" 403 - rbac_access_denied_matched_policy[ns[default]-policy[deny-reviews]-rule[0]] - "-" 0 19 0 - "-" "curl/8.5.0" "7f6b1c2e-0c2a-4b8a-9f1e-2d3c4b5a6f70" "reviews.default.svc.cluster.local:9080" "-" inbound-vip|9080|http|reviews.default.svc.cluster.local - 10.96.45.12:9080 10.244.1.7:48812 - default';
const DENY_NONE = '[2024-05-07T10:00:00.456Z] "POST /reviews HTTP/1.1" 403 - rbac_access_denied_matched_policy[none] - "-" 120 19 1 - "-" "python-requests/2.31.0" "0d5e3b2a-11aa-4c3b-9d2e-7f8a9b0c1d2e" "reviews:9080" "-" inbound-vip|9080|http|reviews.default.svc.cluster.local - 10.96.45.12:9080 10.244.1.9:40112 - default';
const OK = '[2024-05-07T10:00:01.000Z] "GET /reviews/1 HTTP/1.1" 200 - via_upstream - "-" 0 358 12 11 "-" "Mozilla/5.0" "a4c2e9f0-5b1d-4e7a-8c3f-6d2b1a0e9f8c" "reviews:9080" "envoy://connect_originate/10.244.1.15:9080" inbound-vip|9080|http|reviews.default.svc.cluster.local envoy://internal_client_address/ 10.96.45.12:9080 10.244.1.7:48814 - default';
const UH = '[2024-05-07T10:00:02.000Z] "GET /ratings/0 HTTP/1.1" 503 UH no_healthy_upstream - "-" 0 19 0 - "-" "curl/8.5.0" "c9d8e7f6-a5b4-4c3d-2e1f-0a9b8c7d6e5f" "ratings:9080" "-" inbound-vip|9080|http|ratings.default.svc.cluster.local - 10.96.33.4:9080 10.244.1.7:48820 - default';
/** An application's own 403: not an RBAC deny. */
const APP_403 = '[2024-05-07T10:00:03.000Z] "GET /admin HTTP/1.1" 403 - via_upstream - "-" 0 9 2 2 "-" "curl/8.5.0" "e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b" "productpage:9080" "envoy://connect_originate/10.244.1.20:9080" inbound-vip|9080|http|productpage.default.svc.cluster.local - 10.96.1.1:9080 10.244.1.7:48830 - default';

const WAYPOINT_LOG = 'logs/default/waypoint-6f7b9c8d4-6hppr.log';

// ---- The three example rules ------------------------------------------------------------------

describe('samples/rules/waypoint-pod-not-running.yaml', () => {
  const pending = () => ({ ...waypointPod('default', 'waypoint', 'waypoint-6f7b9c8d4-6hppr'), status: { phase: 'Pending' } });
  const crashing = () => ({
    ...waypointPod('default', 'reviews-svc-waypoint', 'reviews-svc-waypoint-5d8c-x2'),
    status: { phase: 'Running', containerStatuses: [{ name: 'istio-proxy', ready: false, restartCount: 7 }] },
  });

  it('fires on a Pending waypoint pod, with the pod and its managed-by label as evidence, and renders the fix', async () => {
    const rule = await sampleRule('waypoint-pod-not-running.yaml');
    const files: Files = { 'pods.yaml': kubeList([pending(), pod('default', 'productpage-v1-1')]) };
    const findings = runRule(rule, snapshotOf(files));
    expect(subjects(findings)).toEqual(['Pod default/waypoint-6f7b9c8d4-6hppr']);
    const f = findings[0]!;
    expect(f).toMatchObject({ ruleId: 'WAYPOINT-POD-NOT-RUNNING', severity: 'error', title: 'Waypoint pod is not running and ready' });
    expect(f.message).toBe('Waypoint pod default/waypoint-6f7b9c8d4-6hppr (Gateway waypoint) is not serving: phase Pending, container ready <none>, restarts <none>.');
    expect(locations(f)).toEqual(['pods.yaml:9', 'pods.yaml:8']);
    expect(f.evidence[1]!.note).toBe('label gateway.istio.io/managed=istio.io-mesh-controller');
    expect(f.fix!.commands).toEqual([
      'kubectl describe pod waypoint-6f7b9c8d4-6hppr -n default',
      'kubectl logs waypoint-6f7b9c8d4-6hppr -n default --previous',
      'kubectl rollout restart deployment waypoint -n default',
    ]);
    expect(f.docs).toBe('https://istio.io/latest/docs/ambient/usage/troubleshoot-waypoint/');
  });

  it('fires on a Running waypoint pod whose container is not ready', async () => {
    const rule = await sampleRule('waypoint-pod-not-running.yaml');
    const findings = runRule(rule, snapshotOf({ 'pods.yaml': kubeList([crashing()]) }));
    expect(subjects(findings)).toEqual(['Pod default/reviews-svc-waypoint-5d8c-x2']);
    expect(findings[0]!.message).toMatch(/phase Running, container ready false, restarts 7\.$/);
  });

  it('stays silent on running waypoint pods and on other pods that are not running', async () => {
    const rule = await sampleRule('waypoint-pod-not-running.yaml');
    const other = { ...pod('default', 'batch-job-1'), status: { phase: 'Failed' } };
    const ready = { ...waypointPod('default', 'waypoint', 'waypoint-1'), status: { phase: 'Running', containerStatuses: [{ ready: true }] } };
    const files: Files = { 'pods.yaml': kubeList([waypointPod('default', 'waypoint', 'waypoint-0'), ready, other]) };
    expect(runRule(rule, snapshotOf(files))).toEqual([]);
  });

  it('is inconclusive without pods', async () => {
    const rule = await sampleRule('waypoint-pod-not-running.yaml');
    const findings = runRule(rule, snapshotOf({ 'services.yaml': kubeList([service('default', 'reviews')]) }));
    expect(findings).toMatchObject([{ status: 'inconclusive', collect: ['kubectl get pods -A -o json'] }]);
  });
});

describe('samples/rules/too-many-denies.yaml', () => {
  it('fires once with the number of RBAC denies and the first of them', async () => {
    const rule = await sampleRule('too-many-denies.yaml');
    const findings = runRule(rule, snapshotOf({ [WAYPOINT_LOG]: [OK, DENY, UH, DENY_NONE, APP_403].join('\n') + '\n' }));
    expect(failing(findings)).toHaveLength(1);
    const f = findings[0]!;
    expect(f.subject).toBeUndefined();
    expect(f.severity).toBe('warning');
    expect(f.message).toBe(
      '2 request(s) in the captured access logs were denied by an AuthorizationPolicy; the first: GET ' +
      `reviews.default.svc.cluster.local:9080/reviews/0 in ${WAYPOINT_LOG} (rbac_access_denied_matched_policy[ns[default]-policy[deny-reviews]-rule[0]]).`,
    );
    expect(locations(f)).toEqual([`${WAYPOINT_LOG}:2`, `${WAYPOINT_LOG}:4`]);
    expect(f.fix!.commands).toEqual(['kubectl get authorizationpolicies -A -o yaml']);
  });

  it('stays silent when no request was denied by a policy (an application 403 is not one)', async () => {
    const rule = await sampleRule('too-many-denies.yaml');
    expect(runRule(rule, snapshotOf({ [WAYPOINT_LOG]: [OK, UH, APP_403].join('\n') + '\n' }))).toEqual([]);
  });

  it('is inconclusive without logs', async () => {
    const rule = await sampleRule('too-many-denies.yaml');
    expect(runRule(rule, snapshotOf({ 'pods.yaml': kubeList([]) }))).toMatchObject([{ status: 'inconclusive', collect: ['kubectl logs <pod> -n <namespace> --since 1h'] }]);
  });
});

describe('samples/rules/service-waypoint-not-bound.json', () => {
  const bound = (status: string, reason: string) => ({
    ...service('default', 'ratings', { 'istio.io/use-waypoint': 'ratings-waypoint' }),
    status: { conditions: [{ type: 'istio.io/WaypointBound', status, reason, message: 'waypoint "default/ratings-waypoint" is not ready' }] },
  });

  it('fires on a Service with WaypointBound=False, citing the condition and the namespace waypoint', async () => {
    const rule = await sampleRule('service-waypoint-not-bound.json');
    const files: Files = {
      'namespaces.yaml': kubeList([namespace('default', { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' })]),
      'services.yaml': kubeList([bound('False', 'WaypointIsNotReady'), service('default', 'details')]),
    };
    const findings = runRule(rule, snapshotOf(files));
    expect(subjects(findings)).toEqual(['Service default/ratings']);
    const f = findings[0]!;
    expect(f.message).toBe('istiod did not bind Service default/ratings to a waypoint (istio.io/WaypointBound=False). Its label asks for ratings-waypoint, its namespace\'s for waypoint.');
    expect(f.evidence.map((e) => e.note)).toEqual([undefined, 'condition istio.io/WaypointBound=False (WaypointIsNotReady)']);
    expect(locations(f)[1]).toMatch(/^services\.yaml:\d+$/);
  });

  it('stays silent when istiod bound the Service, or wrote no condition', async () => {
    const rule = await sampleRule('service-waypoint-not-bound.json');
    const files: Files = { 'services.yaml': kubeList([bound('True', 'WaypointAccepted'), service('default', 'details')]) };
    expect(runRule(rule, snapshotOf(files))).toEqual([]);
  });

  it('the samples folder loads as six rules, sorted by file name', async () => {
    const rules = await loadCustomRules(join(ROOT, 'samples', 'rules'));
    expect(rules.map((r) => r.meta.id)).toEqual(['NAMESPACE-WAYPOINT-NO-READY-POD', 'SERVICE-WAYPOINT-NOT-BOUND', 'RBAC-DENIED-REQUESTS', 'WAYPOINT-POD-NOT-RUNNING', 'WAYPOINT-PODS-ON-ONE-NODE', 'ZTUNNEL-NAMES-UNKNOWN-WAYPOINT']);
    expect(rules.map((r) => r.meta.needs)).toEqual([['kube:Service', 'kube:Namespace', 'kube:Pod'], ['kube:Service'], ['logs'], ['kube:Pod'], ['kube:Service', 'kube:Pod', 'kube:Gateway'], ['kube:Service', 'kube:Gateway', 'ztunnel-services']]);
  });
});

// ---- The condition language, operator by operator ---------------------------------------------

describe('conditions', () => {
  const files: Files = {
    'namespaces.yaml': kubeList([namespace('shop', { 'istio.io/dataplane-mode': 'ambient' }), namespace('legacy')]),
    'pods.yaml': kubeList([
      { ...pod('shop', 'pod-a', { app: 'a', 'istio.io/use-waypoint': 'wp', tier: '3', 'sidecar.istio.io/inject': 'false' }), status: { phase: 'Running', containerStatuses: [{ name: 'app', ready: true, restartCount: 0 }, { name: 'log', ready: false, restartCount: 12 }] } },
      { ...pod('shop', 'pod-b', { app: 'b' }), status: { phase: 'Pending' } },
      { ...pod('legacy', 'pod-c', { app: 'c', 'istio.io/use-waypoint': 'none' }), status: { phase: 'Failed', containerStatuses: [] } },
    ]),
  };
  const snapshot = snapshotOf(files);

  async function matching(where: string): Promise<string[]> {
    const [rule] = await rulesFrom(`id: T\ntitle: t\nseverity: info\ndescription: d\nselect: {kind: Pod}\nwhere: ${where}\nmessage: m\nfix: {text: f}\n`);
    return runRule(rule!, snapshot).map((f) => f.subject!.name);
  }

  it.each([
    ['equals', `{field: 'labels["istio.io/use-waypoint"]', equals: wp}`, ['pod-a']],
    ['equals, single quotes', `{field: "labels['istio.io/use-waypoint']", equals: none}`, ['pod-c']],
    ['equals a string label to a number', '{field: labels.tier, equals: 3}', ['pod-a']],
    ['equals a string label to a boolean', `{field: 'labels["sidecar.istio.io/inject"]', equals: false}`, ['pod-a']],
    ['equals null never matches a missing field', '{field: labels.nothing, equals: null}', []],
    ['notEquals (true for a missing field)', `{field: 'labels["istio.io/use-waypoint"]', notEquals: wp}`, ['pod-b', 'pod-c']],
    ['matches', '{field: name, matches: "^pod-[ab]$"}', ['pod-a', 'pod-b']],
    ['matches is unanchored', '{field: status.phase, matches: ail}', ['pod-c']],
    ['exists: true', `{field: 'labels["istio.io/use-waypoint"]', exists: true}`, ['pod-a', 'pod-c']],
    ['exists: false', `{field: 'labels["istio.io/use-waypoint"]', exists: false}`, ['pod-b']],
    ['in', '{field: status.phase, in: [Pending, Failed]}', ['pod-b', 'pod-c']],
    ['gt on a numeric string', '{field: labels.tier, gt: 2}', ['pod-a']],
    ['gte', '{field: labels.tier, gte: 3}', ['pod-a']],
    ['lt', '{field: labels.tier, lt: 3}', []],
    ['lte', `{field: 'status.containerStatuses[1].restartCount', lte: 12}`, ['pod-a']],
    ['gt on text that is not a number', '{field: status.phase, gt: 0}', []],
    ['some', '{field: status.containerStatuses, some: {field: ready, equals: false}}', ['pod-a']],
    ['some on an empty list or a missing field', '{field: status.containerStatuses, some: {field: ready, exists: true}}', ['pod-a']],
    ['all', '{all: [{field: namespace, equals: shop}, {field: status.phase, notEquals: Running}]}', ['pod-b']],
    ['any', '{any: [{field: name, equals: pod-a}, {field: namespace, equals: legacy}]}', ['pod-a', 'pod-c']],
    ['not', '{not: {field: namespace, equals: shop}}', ['pod-c']],
    ['metadata, as kubectl shows it', '{field: metadata.labels.app, in: [a, c]}', ['pod-a', 'pod-c']],
    ['the namespace labels', `{field: 'namespaceLabels["istio.io/dataplane-mode"]', equals: ambient}`, ['pod-a', 'pod-b']],
    ['a list item by position', `{field: 'spec.containers[0].name', equals: app}`, ['pod-a', 'pod-b', 'pod-c']],
    ['a deep missing path is just missing', `{field: 'spec.no.such.path[3].x', exists: false}`, ['pod-a', 'pod-b', 'pod-c']],
    ['inherited properties are not fields', '{field: labels.constructor, exists: true}', []],
  ])('%s', async (_name, where, expected) => {
    expect(await matching(where)).toEqual(expected);
  });

  it('cites the lines of the istio.io labels a condition tested', async () => {
    const [rule] = await rulesFrom('id: T\ntitle: t\nseverity: info\ndescription: d\nselect: {kind: Pod}\nwhere: {field: \'labels["istio.io/use-waypoint"]\', equals: wp}\nmessage: m\nfix: {text: f}\n');
    const [f] = runRule(rule!, snapshot);
    expect(f!.evidence.map((e) => e.note)).toEqual([undefined, 'label istio.io/use-waypoint=wp']);
    expect(f!.evidence[1]!.excerpt).toBe('istio.io/use-waypoint: wp');
  });

  it('count rules fire once when the number passes every comparison', async () => {
    const rule = (count: string, where = '{field: namespace, equals: shop}') =>
      rulesFrom(`id: T\ntitle: t\nseverity: warning\ndescription: d\nselect: {kind: Pod}\nwhere: ${where}\ncount: ${count}\nmessage: "{{count}} of {{selected}} {{kind}}s, first {{first.name}}"\nfix: {text: f}\n`);
    const run = async (count: string, where?: string) => runRule((await rule(count, where))[0]!, snapshot);
    expect((await run('{gte: 2}')).map((f) => f.message)).toEqual(['2 of 3 Pods, first pod-a']);
    expect(await run('{gt: 2}')).toEqual([]);
    expect(await run('{gte: 1, lt: 2}')).toEqual([]);
    expect((await run('{equals: 2}'))).toHaveLength(1);
    const none = await run('{equals: 0}', '{field: namespace, equals: nowhere}');
    expect(none.map((f) => f.message)).toEqual(['0 of 3 Pods, first <none>']);
    expect(none[0]!.evidence).toEqual([expect.objectContaining({ file: 'pods.yaml', note: 'none of the 3 Pod objects matched' })]);
  });

  it('selects table records: ztunnel workloads (one per pod) and proxy-status rows', async () => {
    const zw = tabwrite([
      ['NAMESPACE', 'POD NAME', 'ADDRESS', 'NODE', 'WAYPOINT', 'PROTOCOL'],
      ['shop', 'pod-a', '10.244.1.17', 'node-1', 'None', 'TCP'],
      ['shop', 'pod-b', '10.244.1.18', 'node-1', 'wp', 'HBONE'],
    ], 1);
    const [rule] = await rulesFrom('id: T\ntitle: t\nseverity: info\ndescription: d\nselect: {kind: ztunnelWorkload}\nwhere: {field: protocol, equals: TCP}\nmessage: "{{name}} on {{node}}"\nfix: {text: "istioctl ztunnel-config workload --workload-namespace {{namespace}}"}\n');
    // Two ztunnels list the same pods: still one finding per pod.
    const findings = runRule(rule!, snapshotOf({ 'zw-node1.txt': zw, 'zw-node2.txt': zw }));
    expect(findings.map((f) => [f.subject, f.message, locations(f)])).toEqual([[{ kind: 'Workload', namespace: 'shop', name: 'pod-a' }, 'pod-a on node-1', ['zw-node1.txt:2']]]);
    expect(rule!.meta.needs).toEqual(['ztunnel-workloads']);
  });

  it('adds declared needs to the kind\'s own, and is inconclusive without them', async () => {
    const [rule] = await rulesFrom('id: T\ntitle: t\nseverity: info\ndescription: d\nselect: {kind: Pod}\nneeds: [kube:Gateway, kube:Pod]\nmessage: m\nfix: {text: f}\n');
    expect(rule!.meta.needs).toEqual(['kube:Pod', 'kube:Gateway']);
    expect(runRule(rule!, snapshot)).toMatchObject([{ status: 'inconclusive', message: 'Not checked: the bundle has no Gateway objects.' }]);
  });

  it('accepts a list of rules in JSON, and a single rule without where (every record)', async () => {
    const rules = await rulesFrom(JSON.stringify({ rules: [
      { id: 'A-1', title: 't', severity: 'info', description: 'd', select: { kind: 'Namespace' }, message: '{{name}}', fix: { text: 'f' } },
      { id: 'A-2', title: 't', severity: 'info', description: 'd', select: { kind: 'Namespace' }, where: { field: 'labels["istio.io/dataplane-mode"]', exists: false }, message: '{{name}}', fix: { text: 'f' } },
    ] }), 'rules.json');
    expect(rules.map((r) => runRule(r, snapshot).map((f) => f.message))).toEqual([['shop', 'legacy'], ['legacy']]);
    expect(rules[1]!.origin.pointer).toBe('/rules/1');
  });
});

describe('paths and templates', () => {
  it('parses dotted names, quoted keys and positions', () => {
    expect(parsePath('status.phase')).toEqual(['status', 'phase']);
    expect(parsePath('labels["istio.io/use-waypoint"]')).toEqual(['labels', 'istio.io/use-waypoint']);
    expect(parsePath("metadata.labels['app'].x")).toEqual(['metadata', 'labels', 'app', 'x']);
    expect(parsePath('spec.ports[0].port')).toEqual(['spec', 'ports', 0, 'port']);
    expect(parsePath('["a.b"]')).toEqual(['a.b']);
    for (const bad of ['', '.a', 'a..b', 'a.', 'labels.istio.io/x', 'a[b]', 'a["x"', 'a b']) expect(parsePath(bad), bad).toBeUndefined();
  });

  it('resolves own properties only', () => {
    expect(resolvePath({ a: [{ b: 1 }] }, ['a', 0, 'b'])).toBe(1);
    expect(resolvePath({ a: {} }, ['a', 'toString'])).toBeUndefined();
    expect(resolvePath({ a: 'text' }, ['a', 'length'])).toBeUndefined();
    expect(resolvePath(null, ['a'])).toBeUndefined();
  });

  it('renders values as text, <none> for missing ones, lists and maps as JSON without sources', () => {
    const view = { n: 3, b: false, s: 'x', list: ['a', 1], map: { k: 'v', source: { file: 'f' } }, nil: null };
    expect(renderTemplate('{{n}} {{ b }} {{s}} {{list}} {{map}} {{nil}} {{missing.deep}} {{list[1]}}', view)).toBe('3 false x ["a",1] {"k":"v"} <none> <none> 1');
    expect(renderTemplate('no placeholders {', view)).toBe('no placeholders {');
  });
});

// ---- Bad files --------------------------------------------------------------------------------

const GOOD = 'id: ACME-001\ntitle: t\nseverity: warning\ndescription: d\nselect:\n  kind: Pod\nmessage: m\nfix:\n  text: f\n';

describe('bad rule files exit 2 with one line naming the file and the place', () => {
  it('wrong severity', async () => {
    const text = `rules:\n  - ${GOOD.replace('severity: warning', 'severity: critical').split('\n').join('\n    ').trimEnd()}\n`;
    expect(await loadError({ 'bad.yaml': text })).toBe('bad.yaml: /rules/0/severity must be equal to one of the allowed values (error, warning, info)');
  });

  it('unknown key', async () => {
    expect(await loadError({ 'bad.yaml': `${GOOD}colour: red\n` })).toBe("bad.yaml: / must NOT have additional properties (unknown key 'colour')");
    expect(await loadError({ 'bad.yaml': GOOD.replace('  text: f', '  text: f\n  txt: g') })).toBe("bad.yaml: /fix must NOT have additional properties (unknown key 'txt')");
  });

  it('bad regex', async () => {
    expect(await loadError({ 'bad.yaml': `${GOOD}where:\n  field: name\n  matches: "("\n` }))
      .toBe('bad.yaml: /where/matches is not a valid regular expression: Invalid regular expression: /(/u: Unterminated group');
  });

  it('duplicate id, across files and within one', async () => {
    expect(await loadError({ 'a.yaml': GOOD, 'b.yaml': GOOD })).toMatch(/^b\.yaml: \/id duplicate rule id 'ACME-001' \(first defined in a\.yaml\)$/);
    const two = JSON.stringify({ rules: [JSON.parse(JSON.stringify({ id: 'X-1', title: 't', severity: 'info', description: 'd', select: { kind: 'Pod' }, message: 'm', fix: { text: 'f' } })), { id: 'X-1', title: 't', severity: 'info', description: 'd', select: { kind: 'Pod' }, message: 'm', fix: { text: 'f' } }] });
    expect(await loadError({ 'two.json': two })).toMatch(/^two\.json: \/rules\/1\/id duplicate rule id 'X-1' \(first defined in two\.json\)$/);
  });

  it('YAML syntax error, with its line', async () => {
    expect(await loadError({ 'bad.yaml': 'id: ACME-001\ntitle: t\n  severity: error\n' })).toBe('bad.yaml: line 3 column 11: invalid YAML (bad indentation of a mapping entry)');
    expect(await loadError({ 'dup.yaml': `${GOOD}title: again\n` })).toBe('dup.yaml: line 10 column 1: invalid YAML (duplicated mapping key)');
  });

  it('JSON syntax error, with its line', async () => {
    expect(await loadError({ 'bad.json': '{\n  "id": "A-1",\n  "title": "t",,\n}\n' })).toMatch(/^bad\.json: line 3 column 16: invalid JSON \(.+\)$/);
  });

  it.each([
    ['a reserved id', GOOD.replace('ACME-001', 'WP999'), '/id must not start with WP or IST: those ids are reserved for built-in rules and istioctl analyze'],
    ['a malformed id', GOOD.replace('ACME-001', 'acme 1'), '/id must be upper-case letters, digits and dashes, starting with a letter (e.g. ACME-001)'],
    ['a missing key', GOOD.replace('message: m\n', ''), "/ must have required property 'message'"],
    ['an unknown record kind', GOOD.replace('kind: Pod', 'kind: ztunnelWorkloads'), '/select/kind must be a Kubernetes kind (Pod, Service, Gateway, ...) or one of ztunnelWorkload, ztunnelService, ztunnelPolicy, ztunnelCertificate, proxyStatus, analyzeMessage, accessLog, ztunnelLog'],
    ['a label path written with dots', `${GOOD}where:\n  field: labels.istio.io/use-waypoint\n  exists: true\n`, '/where/field is not a field path: join names with dots (status.phase) and quote keys that hold dots or slashes (labels["istio.io/use-waypoint"])'],
    ['two tests on one field', `${GOOD}where: {field: name, equals: a, exists: true}\n`, '/where must have "field" and exactly one test (equals, notEquals, matches, exists, in, gt, gte, lt, lte, some), nothing else'],
    ['a field without a test', `${GOOD}where: {field: name}\n`, '/where must have "field" and exactly one test (equals, notEquals, matches, exists, in, gt, gte, lt, lte, some), nothing else'],
    ['a test without a field', `${GOOD}where: {equals: a}\n`, '/where must be one of {all: [...]}, {any: [...]}, {not: ...} or a test on a "field"'],
    ['all beside a test', `${GOOD}where: {all: [{field: name, equals: a}], field: name, equals: b}\n`, '/where must have "field" and exactly one test (equals, notEquals, matches, exists, in, gt, gte, lt, lte, some), nothing else'],
    ['a nested bad test', `${GOOD}where: {not: {any: [{field: name, gt: many}]}}\n`, '/where/not/any/0/gt must be number'],
    ['an empty count', `${GOOD}count: {}\n`, '/count must NOT have fewer than 1 properties'],
    ['an unknown capture', `${GOOD}needs: [kube:Gateway, ztunnel]\n`, '/needs/1 must be kube:<Kind> or one of ztunnel-workloads, ztunnel-services, ztunnel-policies, ztunnel-certificates, proxy-status, analyze, envoy-config, versions, logs'],
    ['a placeholder that is not a path', GOOD.replace('message: m', 'message: "{{labels.istio.io/x}} is set"'), '/message has a placeholder that is not a field path: {{labels.istio.io/x}}'],
    ['an empty file', '', '/ must be object'],
    ['an empty rule list', 'rules: []\n', '/rules must NOT have fewer than 1 items'],
  ])('%s', async (_name, text, expected) => {
    expect(await loadError({ 'bad.yaml': text })).toBe(`bad.yaml: ${expected}`);
  });

  it('a missing path, and a folder without rule files', async () => {
    await expect(loadCustomRules(join(work, 'nope'))).rejects.toThrow(`no such file or directory: ${join(work, 'nope')}`);
    const empty = ruleDir({ 'README.md': '# notes', '.hidden.yaml': GOOD });
    await expect(loadCustomRules(empty)).rejects.toThrow(`${empty}: no .yaml, .yml or .json rule file in this folder`);
  });
});

describe('evaluation never throws on odd data', () => {
  it('handles records whose fields have unexpected types', async () => {
    const [rule] = await rulesFrom(`${GOOD}where:\n  any:\n    - {field: spec.containers, some: {field: \'ports[0].containerPort\', gt: 80}}\n    - {field: status.phase, some: {field: x, exists: true}}\n    - {field: spec, matches: x}\n    - {field: labels, equals: x}\n`);
    const odd = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'odd', namespace: 'x' }, spec: { containers: 'not a list' }, status: { phase: ['a', 'list'] } };
    const findings = runRule(rule!, snapshotOf({ 'pods.yaml': kubeList([odd]) }));
    expect(findings).toEqual([]);
  });
});
