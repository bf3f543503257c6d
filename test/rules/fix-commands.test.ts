/**
 * Fix commands are pasted into a shell, and the names in them come from the captured bundle: untrusted
 * text. A bundle in the real capture formats (kubectl Lists in YAML and JSON, proxy-status and version
 * JSON, a config dump, access logs) is built twice, once with ordinary names and once with names and
 * label values holding shell payloads, and every built-in rule (and the sample custom rules) runs on it.
 * Every command is then read by a real shell, `set --` in front so that it only expands and runs nothing
 * (in a scratch folder that is also $HOME): the words it gets back must be exactly the command's own, no
 * file may appear, and no payload may be in a command of a built-in rule at all. A finding that lost a
 * command to an invalid name says why in its text; YAML in a fix parses to one document whose keys are
 * the rule's own.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCustomRules, type CustomRule } from '../../src/rules/custom.js';
import { runRule } from '../../src/rules/engine.js';
import { BUILTIN_RULES } from '../../src/rules/index.js';
import type { Finding, Rule } from '../../src/rules/types.js';
import { ROOT } from '../helpers.js';
import { waypointDump } from './config-and-logs/dump.js';
import { accessLine, lines, STARTUP } from './config-and-logs/logs.js';
import { ambientPod, appService, authorizationPolicy, httpRoute, kubeList, namespace, pod, snapshotOf, waypoint, type Files } from './rule-tester.js';

/** Every name and label value the bundle holds. */
interface Names {
  ns: string; other: string;
  gw: string; gwWorkload: string; gwUnreconciled: string; gwBadFor: string; gwNotReady: string; gwIngressClass: string; gwListener: string; gwNotProgrammed: string; shared: string; ingress: string;
  svc: string; svcHttp: string; svcMissing: string; svcWorkload: string; svcHeadless: string; svcOptOut: string; svcCross: string; svcCrossNs: string; svcWrongClass: string; svcTcp: string; se: string;
  app: string; appHttp: string; ghost: string;
  pod: string; podHttp: string; podNoCni: string; client: string; podOwn: string; sidecar: string; wpPod: string; wpPod2: string;
  policy: string; policyL4: string; policyTarget: string; policyCustom: string; policyAtWaypoint: string; policyNs: string; deniedNs: string; deniedPolicy: string; requestAuth: string;
  route: string; routeGw: string; routeMissing: string; routePort: string; routeBackend: string; routeTcp: string; routeIngress: string;
  vs: string; dr: string;
}

const NORMAL: Names = {
  ns: 'shop', other: 'infra',
  gw: 'waypoint', gwWorkload: 'wl-waypoint', gwUnreconciled: 'canary-waypoint', gwBadFor: 'typo-waypoint', gwNotReady: 'pending-waypoint', gwIngressClass: 'ingress-class', gwListener: 'odd-listener', gwNotProgrammed: 'unprogrammed', shared: 'shared-waypoint', ingress: 'public-gateway',
  svc: 'ratings', svcHttp: 'productpage', svcMissing: 'reviews', svcWorkload: 'details', svcHeadless: 'headless', svcOptOut: 'optout', svcCross: 'cross', svcCrossNs: 'cross-ns', svcWrongClass: 'wrong-class', svcTcp: 'tcpsvc', se: 'external-api',
  app: 'ratings', appHttp: 'productpage', ghost: 'ghost-waypoint',
  pod: 'ratings-v1-6484c4d9bb-crjtt', podHttp: 'productpage-v1-5c6b9d-h4kzn', podNoCni: 'ratings-v2-7f9c8d-qq2xz', client: 'sleep-7656cf8794-9v2gz', podOwn: 'own-5d9f-x8k2p', sidecar: 'legacy-6c5d-zz7km', wpPod: 'waypoint-6f7b665c89-6hppr', wpPod2: 'wl-waypoint-5c4b-7xq2w',
  policy: 'ratings-get', policyL4: 'ratings-l4', policyTarget: 'bad-target', policyCustom: 'ext-authz', policyAtWaypoint: 'ratings-at-waypoint', policyNs: 'deny-legacy', deniedNs: 'shop', deniedPolicy: 'deny-admin', requestAuth: 'jwt',
  route: 'ratings-route', routeGw: 'to-gateway', routeMissing: 'to-nowhere', routePort: 'wrong-port', routeBackend: 'bad-backend', routeTcp: 'tcp-route', routeIngress: 'from-ingress',
  vs: 'ratings-vs', dr: 'ratings-dr',
};

/** What a hostile bundle holds instead: each a payload a shell would run if it were pasted unquoted. */
const PAYLOADS = [
  '$(touch pwned-subst)',
  '`touch pwned-backtick`',
  'x; touch pwned-semicolon',
  'x | touch pwned-pipe',
  'x && touch pwned-and',
  'ratings\ntouch pwned-newline',
  'waypoint; curl evil',
  "x'; touch pwned-quote; echo '",
  'x"; touch pwned-dquote; echo "',
  '-rf --pwned-option',
  '~/pwned-tilde',
  '$HOME/pwned-var',
  '*pwned-glob*',
  '{pwned-a,pwned-b}',
  '; rm -rf ~',
  'x > pwned-redirect',
  'ünïcödé-pwned',
  '',
];
/** Payloads that survive a log line (no spaces, quotes or brackets: the access log is space-separated). */
const LOG_PAYLOADS = ['$(touch${IFS}pwned-log)', '`touch${IFS}pwned-log2`', 'x;touch${IFS}pwned-log3'];
/** Every hostile value carries one of these, so a command holding one is found by a substring. */
const MARKERS = /pwned|evil|rm -rf/;

function hostile(i: number): string {
  const p = PAYLOADS[i % PAYLOADS.length]!;
  // Distinct values for distinct objects; the empty one stays empty once, then gets a marker.
  return p === '' ? (i < PAYLOADS.length ? '' : `pwned-empty-${i}`) : i < PAYLOADS.length ? p : `${p}-${i}`;
}

/** The names with the fields given made hostile (all of them when none are given). */
function hostileNames(fields: (keyof Names)[] = Object.keys(NORMAL) as (keyof Names)[]): Names {
  const names = { ...NORMAL };
  fields.forEach((f, i) => {
    names[f] = f === 'deniedNs' || f === 'deniedPolicy' ? LOG_PAYLOADS[i % LOG_PAYLOADS.length]! : hostile(i + 1);
  });
  return names;
}

const ISTIOD = 'istiod-5d6f8b9c7-x2x9k';
const CANARY_ISTIOD = 'istiod-canary-7c9d8-k2j4l';
/** A path segment for a file named after a pod: what a collector writes (no `/`). */
const segment = (s: string) => s.replace(/[/\n]/g, '_') || '_';

function meta(name: string, ns: string | undefined, labels: Record<string, string> = {}, annotations?: Record<string, string>): object {
  return { ...(annotations ? { annotations } : {}), labels, name, ...(ns !== undefined ? { namespace: ns } : {}) };
}

function gateway(ns: string, name: string, opts: { labels?: Record<string, string>; className?: string; listener?: object; ready?: boolean; conditions?: object[]; allowedFrom?: string } = {}): object {
  const listener = opts.listener ?? { name: 'mesh', port: 15008, protocol: 'HBONE', ...(opts.allowedFrom ? { allowedRoutes: { namespaces: { from: opts.allowedFrom } } } : {}) };
  return {
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: meta(name, ns, opts.labels ?? {}),
    spec: { gatewayClassName: opts.className ?? 'istio-waypoint', listeners: [listener] },
    status: { ...(opts.ready === false ? {} : { addresses: [{ type: 'Hostname', value: `${name}.${ns}.svc.cluster.local` }] }), conditions: opts.conditions ?? [{ type: 'Accepted', status: 'True', reason: 'Accepted' }, { type: 'Programmed', status: 'True', reason: 'Programmed' }] },
  };
}

function service(ns: string, name: string, labels: Record<string, string> = {}, spec: Record<string, unknown> = {}, conditions?: object[]): object {
  const s = appService(ns, name, labels) as { metadata: object; spec: Record<string, unknown> };
  return { ...s, spec: { ...s.spec, ...spec }, ...(conditions ? { status: { conditions } } : {}) };
}

function proxyStatusJson(pods: [string, string][]): string {
  return JSON.stringify({
    versionInfo: '1.26.2',
    resources: pods.map(([p, ns]) => ({
      '@type': 'type.googleapis.com/envoy.service.status.v3.ClientConfig',
      node: { id: `waypoint~10.42.0.24~${p}.${ns}~${ns}.svc.cluster.local`, metadata: { CLUSTER_ID: 'Kubernetes', ISTIO_VERSION: '1.28.0' } },
      genericXdsConfigs: [
        { typeUrl: 'type.googleapis.com/envoy.config.cluster.v3.Cluster', configStatus: 'STALE' },
        { typeUrl: 'type.googleapis.com/envoy.config.listener.v3.Listener', configStatus: 'SYNCED' },
      ],
    })),
    typeUrl: 'type.googleapis.com/envoy.service.status.v3.ClientConfig',
    controlPlane: { identifier: JSON.stringify({ Component: 'istiod', ID: CANARY_ISTIOD, Info: { version: '1.26.2' } }) },
  }, null, 4);
}

/** A broken ambient cluster, in kubectl's formats, that makes most rules report with these names. */
function bundle(n: Names): Files {
  const bound = { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': n.gw };
  const unbound = [{ type: 'istio.io/WaypointBound', status: 'False', reason: 'WaypointIsNotReady', message: 'waypoint not found' }];
  const sidecarStatus = { 'sidecar.istio.io/status': '{"containers":["istio-proxy"],"revision":"default"}' };
  const waypointPodOf = (ns: string, gw: string, name: string) => pod(ns, name, { 'gateway.networking.k8s.io/gateway-name': gw, 'gateway.istio.io/managed': 'istio.io-mesh-controller' });
  const mesh = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio', namespace: 'istio-system' }, data: { mesh: 'rootNamespace: istio-system\n' } }, null, 4);
  const denied = `rbac_access_denied_matched_policy[ns[${n.deniedNs}]-policy[${n.deniedPolicy}]-rule[0]]`;
  return {
    'kubectl/namespaces.yaml': kubeList([namespace(n.ns, bound), namespace(n.other, { 'istio.io/dataplane-mode': 'ambient' }), namespace('istio-system')]),
    'kubectl/gatewayclasses.yaml': kubeList([{ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: meta('istio-waypoint', undefined), spec: { controllerName: 'istio.io/mesh-controller' } }]),
    // Gateways as JSON, as `kubectl get gateways -A -o json` prints them.
    'kubectl/gateways.json': JSON.stringify({
      apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: [
        gateway(n.ns, n.gw),
        gateway(n.ns, n.gwWorkload, { labels: { 'istio.io/waypoint-for': 'workload' } }),
        gateway(n.ns, n.gwBadFor, { labels: { 'istio.io/waypoint-for': 'services' } }),
        gateway(n.ns, n.gwNotReady, { ready: false }),
        gateway(n.ns, n.gwUnreconciled, { labels: { 'istio.io/rev': 'retired' }, ready: false, conditions: [{ type: 'Accepted', status: 'Unknown', reason: 'Pending', message: 'Waiting for controller' }] }),
        gateway(n.ns, n.gwIngressClass, { className: 'istio' }),
        gateway(n.ns, n.gwListener, { listener: { name: 'http', port: 80, protocol: 'HTTP' } }),
        gateway(n.ns, n.gwNotProgrammed, { conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted' }, { type: 'Programmed', status: 'False', reason: 'AddressNotAssigned' }] }),
        gateway(n.other, n.shared, { allowedFrom: 'Same' }),
        gateway(n.other, n.ingress, { className: 'istio', listener: { name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } } }),
      ],
    }, null, 4),
    // Services as JSON too.
    'kubectl/services.json': JSON.stringify({
      apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: [
        { ...service(n.ns, n.svc) as object, spec: { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 9080, protocol: 'TCP', targetPort: 9080 }], selector: { app: n.app }, type: 'ClusterIP' } },
        { ...service(n.ns, n.svcHttp) as object, spec: { clusterIP: '10.96.0.21', ports: [{ name: 'http', port: 9080, protocol: 'TCP', targetPort: 9080 }], selector: { app: n.appHttp }, type: 'ClusterIP' } },
        service(n.ns, n.svcMissing, { 'istio.io/use-waypoint': n.ghost }, {}, unbound),
        service(n.ns, n.svcWorkload, { 'istio.io/use-waypoint': n.gwWorkload }),
        service(n.ns, n.svcHeadless, {}, { clusterIP: 'None' }),
        service(n.ns, n.svcOptOut, { 'istio.io/use-waypoint': 'none' }),
        service(n.ns, n.svcCross, { 'istio.io/use-waypoint': n.shared }),
        service(n.ns, n.svcCrossNs, { 'istio.io/use-waypoint': n.shared, 'istio.io/use-waypoint-namespace': n.other }),
        service(n.ns, n.svcWrongClass, { 'istio.io/use-waypoint': n.gwIngressClass }),
        service(n.ns, n.svcTcp, {}, { ports: [{ name: 'tcp-data', port: 9000, protocol: 'TCP', targetPort: 9000 }] }),
      ],
    }, null, 4),
    'kubectl/serviceentries.yaml': kubeList([{ apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: meta(n.se, n.ns), spec: { hosts: ['api.example.com'], ports: [{ name: 'https', number: 443, protocol: 'TLS' }], resolution: 'DNS' } }]),
    'kubectl/pods.yaml': kubeList([
      ambientPod(n.ns, n.pod, { app: n.app }),
      ambientPod(n.ns, n.podHttp, { app: n.appHttp }),
      pod(n.ns, n.podNoCni, { app: n.app }),
      pod(n.ns, n.client, { app: 'sleep', 'istio.io/dataplane-mode': 'none' }),
      ambientPod(n.ns, n.podOwn, { app: 'own', 'istio.io/use-waypoint': n.gw }),
      { ...pod(n.ns, n.sidecar, { app: 'legacy' }) as object, metadata: meta(n.sidecar, n.ns, { app: 'legacy' }, sidecarStatus) },
      waypointPodOf(n.ns, n.gw, n.wpPod),
      waypointPodOf(n.ns, n.gwWorkload, n.wpPod2),
      pod('istio-system', ISTIOD, { app: 'istiod' }),
      pod('istio-system', CANARY_ISTIOD, { app: 'istiod', 'istio.io/rev': 'canary' }),
    ]),
    'kubectl/authorizationpolicies.yaml': kubeList([
      authorizationPolicy(n.ns, n.policy, { selector: { matchLabels: { app: n.appHttp } }, action: 'ALLOW', rules: [{ to: [{ operation: { methods: ['GET'] } }] }] }),
      authorizationPolicy(n.ns, n.policyL4, { selector: { matchLabels: { app: n.app } }, action: 'ALLOW', rules: [{ from: [{ source: { principals: [`cluster.local/ns/${n.ns}/sa/sleep`] } }] }] }),
      authorizationPolicy(n.ns, n.policyTarget, { targetRefs: [{ kind: 'Service', group: '', name: 'no-such-service' }], action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin'] } }] }] }),
      authorizationPolicy(n.ns, n.policyCustom, { selector: { matchLabels: { app: n.app } }, action: 'CUSTOM', provider: { name: 'ext-authz' }, rules: [{}] }),
      authorizationPolicy(n.ns, n.policyAtWaypoint, { targetRefs: [{ kind: 'Service', group: '', name: n.svc }], action: 'DENY', rules: [{ to: [{ operation: { paths: ['/private'] } }] }] }),
      authorizationPolicy(n.ns, n.policyNs, { action: 'DENY', rules: [{ from: [{ source: { namespaces: ['legacy'] } }] }] }),
    ]),
    'kubectl/requestauthentications.yaml': kubeList([{ apiVersion: 'security.istio.io/v1', kind: 'RequestAuthentication', metadata: meta(n.requestAuth, n.ns), spec: { selector: { matchLabels: { app: n.app } }, jwtRules: [{ issuer: 'https://issuer.example.com' }] } }]),
    'kubectl/httproutes.yaml': kubeList([
      httpRoute(n.ns, n.route, [{ group: 'gateway.networking.k8s.io', kind: 'Service', name: n.svc }], [{ name: n.svc, port: 9080 }]),
      httpRoute(n.ns, n.routeGw, [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: n.gw }], [{ name: n.svc, port: 9080 }]),
      httpRoute(n.ns, n.routeMissing, [{ group: '', kind: 'Service', name: 'no-such-service' }], [{ name: n.svc, port: 9080 }]),
      httpRoute(n.ns, n.routePort, [{ group: '', kind: 'Service', name: n.svc, port: 8080 }], [{ name: n.svc, port: 9080 }]),
      httpRoute(n.ns, n.routeBackend, [{ group: '', kind: 'Service', name: n.svc }], [{ name: 'no-such-backend', port: 9080 }]),
      httpRoute(n.ns, n.routeTcp, [{ group: '', kind: 'Service', name: n.svcTcp }], [{ name: n.svcTcp, port: 9000 }]),
      httpRoute(n.other, n.routeIngress, [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: n.ingress, namespace: n.other }], [{ name: n.svc, namespace: n.ns, port: 9080 }]),
    ]),
    'kubectl/virtualservices.yaml': kubeList([{ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: meta(n.vs, n.other), spec: { hosts: [`${n.svc}.${n.ns}.svc.cluster.local`], http: [{ route: [{ destination: { host: `${n.svc}.${n.ns}.svc.cluster.local` } }] }] } }]),
    'kubectl/destinationrules.yaml': kubeList([{ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: meta(n.dr, n.ns), spec: { host: n.svc, subsets: [{ name: 'v9', labels: { version: 'v9' } }] } }]),
    'kubectl/telemetries.yaml': kubeList([]),
    'kubectl/configmap-istio.json': mesh,
    'istioctl/proxy-status.json': proxyStatusJson([[n.wpPod, n.ns]]),
    'istioctl/version.json': JSON.stringify({ clientVersion: { version: '1.26.2', revision: '6a1c0e3b', golang_version: 'go1.24.4', status: 'Clean', tag: '1.26.2' }, meshVersion: [{ Component: 'pilot', Revision: 'default', Info: { version: '1.26.2', revision: '6a1c0e3b', golang_version: 'go1.24.4', status: 'Clean', tag: '1.26.2' } }], dataPlaneVersion: [{ ID: `${n.wpPod}.${n.ns}`, IstioVersion: '1.28.0', Type: 'waypoint' }] }, null, 2),
    [`config-dumps/${segment(n.ns)}/${segment(n.wpPod)}.json`]: waypointDump(n.ns, n.wpPod, '10.42.0.24', [{ host: `${n.svcHeadless}.${n.ns}.svc.cluster.local`, port: 9080, rbac: [`ns[${n.deniedNs}]-policy[${n.deniedPolicy}]-rule[0]`] }]),
    [`logs/${segment(n.ns)}/${segment(n.wpPod)}.log`]: lines(...Array.from({ length: 5 }, () => accessLine()), accessLine({ code: 403, details: denied, path: '/admin' })),
    [`logs/${segment(n.ns)}/${segment(n.wpPod2)}.log`]: lines(STARTUP),
  };
}

let customRules: Rule[] = [];
const sandbox = mkdtempSync(join(tmpdir(), 'wp-fix-commands-'));

beforeAll(async () => {
  customRules = await loadCustomRules(join(ROOT, 'samples/rules'));
});
afterAll(() => rmSync(sandbox, { recursive: true, force: true }));

function findingsOf(names: Names, rules: readonly Rule[] = BUILTIN_RULES): Finding[] {
  const snapshot = snapshotOf(bundle(names));
  return rules.flatMap((rule) => runRule(rule, snapshot)).filter((f) => f.status === 'fail');
}

/**
 * The words a command is, read as a POSIX shell reads quotes and backslashes but refusing everything else a
 * shell would act on outside quotes (expansions, globs, operators, a line break): what a command that is
 * safe to paste must be made of.
 */
function plainWords(command: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (c === ' ' || c === '\t') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === '#' && word === undefined) {
      break;
    } else if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated quote in ${command}`);
      word = (word ?? '') + command.slice(i + 1, end);
      i = end;
    } else if (c === '\\') {
      word = (word ?? '') + command[++i]!;
    } else if (c === '"') {
      const end = command.indexOf('"', i + 1);
      const inner = command.slice(i + 1, end);
      if (end < 0 || /[$`\\]/.test(inner)) throw new Error(`double quotes the shell would expand in ${command}`);
      word = (word ?? '') + inner;
      i = end;
    } else if (/[$`*?[{}~;|&<>()\n\r]/.test(c)) {
      throw new Error(`unquoted ${JSON.stringify(c)} in ${JSON.stringify(command)}`);
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

const SHELLS = ['sh', 'bash'].filter((s) => spawnSync(s, ['-c', 'true']).status === 0);
const checked = new Map<string, string[]>();
/**
 * The words a real shell makes of a command, read with `set --` in front so nothing runs, in a scratch
 * folder that is also $HOME and holds a canary file: expanding a payload would create or remove files there.
 */
function shellWords(shell: string, command: string): string[] {
  const key = `${shell}\0${command}`;
  const cached = checked.get(key);
  if (cached) return cached;
  const dir = mkdtempSync(join(sandbox, 'run-'));
  writeFileSync(join(dir, 'canary'), 'still here\n');
  const r = spawnSync(shell, ['-c', `set -- ${command}\nprintf '%s\\0' "$@"`], { cwd: dir, env: { PATH: '/usr/bin:/bin', HOME: dir }, encoding: 'utf8' });
  expect(r.stderr, command).toBe('');
  expect(r.status, command).toBe(0);
  expect(readdirSync(dir), `files after ${shell} read ${JSON.stringify(command)}`).toEqual(['canary']);
  const words = r.stdout.split('\0').slice(0, -1);
  checked.set(key, words);
  return words;
}

/** A command is only words: the shells read exactly the words its quotes say, and nothing else. */
function expectShellSafe(command: string): string[] {
  const words = plainWords(command);
  expect(['kubectl', 'istioctl'], command).toContain(words[0]);
  for (const shell of SHELLS) expect(shellWords(shell, command), `${shell}: ${command}`).toEqual(words);
  return words;
}

function expectSafeYaml(finding: Finding): void {
  const text = finding.fix?.yaml;
  if (text === undefined) return;
  const docs = yaml.loadAll(text);
  expect(docs, `${finding.ruleId}: one YAML document`).toHaveLength(1);
  const keys: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { keys.push(k); walk(x); }
  };
  walk(docs[0]);
  expect(keys.filter((k) => MARKERS.test(k)), `${finding.ruleId}: keys from the bundle`).toEqual([]);
}

describe('fix commands on ordinary names', () => {
  it('every rule that gives a command gives it readable and unquoted, as before', () => {
    const findings = findingsOf(NORMAL);
    const withCommands = new Set(findings.filter((f) => f.fix?.commands?.length).map((f) => f.ruleId));
    // The bundle reaches most rules: the test below is only as good as this list.
    expect([...withCommands].sort()).toEqual(expect.arrayContaining([
      'WP001', 'WP002', 'WP003', 'WP004', 'WP005', 'WP006', 'WP007', 'WP008', 'WP009', 'WP010', 'WP011', 'WP012', 'WP013', 'WP014', 'WP015', 'WP016', 'WP017', 'WP018',
      'WP021', 'WP022', 'WP023', 'WP024', 'WP027', 'WP028', 'WP030', 'WP031', 'WP032', 'WP033', 'WP034', 'WP035', 'WP036', 'WP037', 'WP038', 'WP039', 'WP040', 'WP041', 'WP042',
    ]));
    const withYaml = new Set(findings.filter((f) => f.fix?.yaml).map((f) => f.ruleId));
    expect([...withYaml].sort()).toEqual(expect.arrayContaining(['WP009', 'WP013', 'WP019', 'WP021', 'WP023', 'WP025', 'WP026', 'WP029', 'WP043']));
    for (const f of findings) {
      for (const c of f.fix?.commands ?? []) expectShellSafe(c);
      expect(f.fix?.text ?? '').not.toMatch(/not a valid Kubernetes name/);
    }
    const all = findings.flatMap((f) => f.fix?.commands ?? []);
    expect(all).toContain('kubectl label service reviews -n shop istio.io/use-waypoint-');
    expect(all).toContain('kubectl get pods -n shop -l app=ratings --show-labels');
    expect(all).toContain('kubectl delete pod ratings-v2-7f9c8d-qq2xz -n shop  # its controller recreates it');
    expect(all).toContain(`kubectl patch service tcpsvc -n shop --type json -p '[{"op":"replace","path":"/spec/ports/0/appProtocol","value":"http"}]'`);
  });
});

describe('fix commands on hostile names', () => {
  let reference: Finding[] | undefined;
  const normal = () => (reference ??= findingsOf(NORMAL));

  /** Checks every finding of a run; returns how many explained a command they could not give. */
  function checkRun(names: Names, reference: Finding[]): number {
    const findings = findingsOf(names);
    let explained = 0;
    const byRule = (list: Finding[], id: string) => list.filter((f) => f.ruleId === id);
    for (const f of findings) {
      for (const c of f.fix?.commands ?? []) {
        expect(c, `${f.ruleId} command`).not.toMatch(MARKERS);
        expectShellSafe(c);
      }
      for (const c of f.collect ?? []) {
        expect(c, `${f.ruleId} collect`).not.toMatch(MARKERS);
        expectShellSafe(c);
      }
      expectSafeYaml(f);
      if (/is not a valid Kubernetes name|is not in the bundle|does not allow|is not a Kubernetes kind/.test(f.fix?.text ?? '')) {
        explained++;
        expect(f.fix!.text).toMatch(/so (no command is given|the commands? that would use it (is|are) left out); make that change by hand\.$/);
      }
    }
    // Finding for finding (when a rule found as much as with ordinary names): fewer commands must be explained.
    for (const id of new Set(reference.map((f) => f.ruleId))) {
      const [before, after] = [byRule(reference, id), byRule(findings, id)];
      if (before.length !== after.length) continue;
      after.forEach((f, i) => {
        const lost = (before[i]!.fix?.commands?.length ?? 0) - (f.fix?.commands?.length ?? 0);
        if (lost > 0) expect(f.fix?.text, `${id}: a command left out is explained`).toMatch(/is not a valid Kubernetes name|is not in the bundle|does not allow|is not a Kubernetes kind/);
      });
    }
    return explained;
  }

  it('with every name and label value hostile, no payload reaches a command, and the fixes say why', () => {
    const names = hostileNames();
    const findings = findingsOf(names);
    expect(findings.length).toBeGreaterThan(15);
    expect(checkRun(names, normal())).toBeGreaterThan(15);
    // The label value `waypoint; curl evil` and its kin: a waypoint name no Gateway can have.
    const wp001 = findings.filter((f) => f.ruleId === 'WP001');
    expect(wp001.length).toBeGreaterThan(0);
    for (const f of wp001) expect(f.fix!.commands ?? []).toEqual([]);
    expect(wp001.map((f) => f.fix!.text).join('\n')).toMatch(/the namespace ".*" is not a valid Kubernetes name \(a DNS-1123 label/i);
  });

  const fields = Object.keys(NORMAL) as (keyof Names)[];
  it.each(fields)('with only %s hostile, the other commands are still given', (field) => {
    const names = hostileNames([field]);
    checkRun(names, normal());
    // Commands that name nothing hostile stay.
    const kept = findingsOf(names).flatMap((f) => f.fix?.commands ?? []);
    expect(kept.length).toBeGreaterThan(0);
  });

  it('a partly hostile fix keeps the command that names only valid things, and says which was left out', () => {
    const names = { ...NORMAL, client: '$(touch pwned-client)' };
    const wp015 = findingsOf(names).find((f) => f.ruleId === 'WP015')!;
    expect(wp015.fix!.commands).toEqual(['kubectl label namespace shop istio.io/dataplane-mode=ambient']);
    expect(wp015.fix!.text).toMatch(/ The Pod's name "\$\(touch pwned-client\)" is not a valid Kubernetes name \(a DNS-1123 subdomain: .*\), so the command that would use it is left out; make that change by hand\.$/);
  });

  it('hostile names in fix YAML stay single scalars (WP009, WP043)', () => {
    const names = hostileNames();
    const findings = findingsOf(names);
    const wp009 = findings.find((f) => f.ruleId === 'WP009')!;
    expect(yaml.load(wp009.fix!.yaml!)).toMatchObject({ listeners: [{ allowedRoutes: { namespaces: { selector: { matchLabels: { 'kubernetes.io/metadata.name': names.ns } } } } }] });
    const wp043 = findings.find((f) => f.ruleId === 'WP043')!;
    expect(yaml.load(wp043.fix!.yaml!)).toEqual({
      apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry',
      metadata: { name: `${names.gwWorkload}-access-log`, namespace: names.ns },
      spec: { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: names.gwWorkload }], accessLogging: [{ providers: [{ name: 'envoy' }] }] },
    });
  });

  it('custom rules quote what their templates fill into commands: the shell reads back the hostile names whole', () => {
    const names = hostileNames();
    const findings = findingsOf(names, customRules);
    const custom = findings.filter((f) => f.fix?.commands?.some((c) => MARKERS.test(c)));
    expect(custom.length).toBeGreaterThan(0);
    for (const f of custom) {
      const templates = (customRules.find((r) => r.meta.id === f.ruleId) as CustomRule).spec.fix.commands!;
      for (const [i, c] of f.fix!.commands!.entries()) {
        const words = expectShellSafe(c);
        // A command written about the subject (`{{name}}`, `{{namespace}}`) names it whole.
        if (f.subject && c.startsWith('kubectl') && templates[i]!.includes('{{name}}')) {
          expect(words, c).toContain(f.subject.name);
          expect(words, c).toContain(f.subject.namespace);
        }
      }
    }
  });

  it('custom rules write the values they fill into YAML as single scalars, wherever the template puts them', async () => {
    const dir = mkdtempSync(join(sandbox, 'rules-'));
    const rule = (id: string, plain: string) => [
      `id: ${id}`,
      'title: Label it',
      'severity: info',
      'description: A rule whose fix fills names into every place a YAML template can hold them.',
      'select: {kind: Service}',
      'message: Service {{namespace}}/{{name}}',
      'fix:',
      '  text: Apply this.',
      '  commands: ["kubectl label service {{name}} -n \'{{namespace}}\' team=\\"{{labels.app}}\\""]',
      '  yaml: |',
      '    # for {{name}}',
      '    metadata:',
      '      name: {{name}}',
      '      namespace: "{{namespace}}"',
      `      labels: {app: '{{labels.app}}', plain: ${plain}}`,
      '    spec:',
      '      ports: {{spec.ports}}',
      '      items:',
      '      - {{name}}',
      '',
    ].join('\n');
    writeFileSync(join(dir, 'a.yaml'), rule('ACME-SCALARS', 'x'));
    // A value in the middle of a plain scalar cannot be quoted: the YAML is given only when it reads back as written.
    writeFileSync(join(dir, 'b.yaml'), rule('ACME-MID-SCALAR', 'x-{{name}}'));
    const rules = await loadCustomRules(dir);
    let refused = 0;
    for (const names of [NORMAL, hostileNames()]) {
      const findings = findingsOf(names, rules);
      expect(findings.length).toBeGreaterThan(10);
      for (const f of findings) {
        const [svc, ns] = [f.subject!.name, f.subject!.namespace!];
        const words = expectShellSafe(f.fix!.commands![0]!);
        expect(words.slice(0, 6)).toEqual(['kubectl', 'label', 'service', svc, '-n', ns]);
        if (f.fix!.yaml === undefined) {
          expect(f.ruleId).toBe('ACME-MID-SCALAR');
          expect(names).not.toBe(NORMAL);
          expect(f.fix!.text).toMatch(/The YAML of this fix is not given: values from the bundle do not fit its template as single values; write it by hand\.$/);
          refused++;
          continue;
        }
        const docs = yaml.loadAll(f.fix!.yaml);
        expect(docs).toHaveLength(1);
        const doc = docs[0] as { metadata: { name: string; namespace: string; labels: Record<string, string> }; spec: { ports: unknown[]; items: string[] } };
        expect(Object.keys(doc)).toEqual(['metadata', 'spec']);
        expect(Object.keys(doc.metadata)).toEqual(['name', 'namespace', 'labels']);
        expect(doc.metadata).toMatchObject({ name: svc, namespace: ns });
        expect(Object.keys(doc.metadata.labels)).toEqual(['app', 'plain']);
        expect(doc.metadata.labels['plain']).toBe(f.ruleId === 'ACME-SCALARS' ? 'x' : `x-${svc}`);
        expect(doc.spec.items).toEqual([svc]);
        expect(Array.isArray(doc.spec.ports)).toBe(true);
      }
    }
    expect(refused).toBeGreaterThan(0);
  });

  it('leaves the scratch folders as they were: nothing ran', () => {
    expect(existsSync(sandbox)).toBe(true);
    for (const run of readdirSync(sandbox).filter((d) => d.startsWith('run-'))) expect(readdirSync(join(sandbox, run))).toEqual(['canary']);
  });
});
