/**
 * Each kind of damage a paste suffers, on samples written in the real formats (tabwriter layout
 * from `tabwrite`, values as istioctl prints them), with the values read asserted. The real pastes
 * are in pasted.test.ts; these cover classes the public corpus has few of.
 */
import { describe, expect, it } from 'vitest';
import { commandIntent, commandOf, splitAtCommands, stripCommonPrefix } from '../../src/parse/paste.js';
import { alignTokens, knownShape } from '../../src/parse/row-shapes.js';
import type { ProxyStatusRow, ZtunnelService, ZtunnelWorkload } from '../../src/parse/types.js';
import { parseText, tabwrite } from '../helpers.js';

const WORKLOADS = tabwrite([
  ['NAMESPACE', 'POD NAME', 'ADDRESS', 'NODE', 'WAYPOINT', 'PROTOCOL'],
  ['default', 'details-v1-698d88b-wwsnv', '10.42.2.4', 'k3d-k3s-default-server-0', 'None', 'HBONE'],
  ['default', 'reviews-svc-waypoint-c49f9f569-b492t', '10.42.2.10', 'k3d-k3s-default-server-0', 'None', 'TCP'],
  ['default', 'reviews-v2-5b667bcbf8-gj7nz', '10.42.0.5', 'k3d-k3s-default-agent-0', 'reviews-v2-pod-waypoint', 'HBONE'],
], 1);

const PROXY_STATUS = tabwrite([
  ['NAME', 'CLUSTER', 'CDS', 'LDS', 'EDS', 'RDS', 'ECDS', 'ISTIOD', 'VERSION'],
  ['reviews-svc-waypoint-c49f9f569-b492t.default', 'Kubernetes', 'SYNCED (6m40s)', 'SYNCED (6m40s)', 'SYNCED (6m40s)', 'NOT SENT', 'NOT SENT', 'istiod-795d55fc6d-vqtjx', '1.24.2'],
  ['waypoint-6f7b665c89-6hppr.default', 'Kubernetes', 'STALE (Never Acknowledged)', 'SYNCED (78s)', 'SYNCED (78s)', 'NOT SENT', 'NOT SENT', 'istiod-795d55fc6d-vqtjx', '1.24.2'],
], 5);

const names = (rows: { name: string }[] | undefined) => rows?.map((r) => r.name);
const workloads = (text: string) => parseText('w.txt', text).records.ztunnelWorkloads as ZtunnelWorkload[];
const proxies = (text: string) => parseText('ps.txt', text).records.proxyStatus as ProxyStatusRow[];
const xds = (row: ProxyStatusRow | undefined) => Object.fromEntries(Object.entries(row?.xds ?? {}).map(([t, s]) => [t, s.status]));
const prefix = (text: string, p: string) => text.split('\n').map((l) => (l ? p + l : l)).join('\n');
const collapse = (text: string) => text.split('\n').map((l) => l.trim().replace(/\s+/g, ' ')).join('\n');

describe('undoing the paste', () => {
  it.each([
    ['four spaces (a markdown list)', '    '],
    ['a tab', '\t'],
    ['`# ` comments', '# '],
    ['`> ` quotes', '> '],
    ['`// ` comments', '// '],
    ['a quote around an indent', '>     '],
  ])('reads a table indented or prefixed by %s, lines unchanged', (_what, p) => {
    const parsed = parseText('w.txt', prefix(`$ istioctl ztunnel-config workload\n${WORKLOADS}`, p));
    expect(parsed.kind).toBe('ztunnel-workloads');
    expect((parsed.records.ztunnelWorkloads as ZtunnelWorkload[]).map((w) => [w.name, w.waypoint, w.protocol, w.source.line])).toEqual([
      ['details-v1-698d88b-wwsnv', 'None', 'HBONE', 3],
      ['reviews-svc-waypoint-c49f9f569-b492t', 'None', 'TCP', 4],
      ['reviews-v2-5b667bcbf8-gj7nz', 'reviews-v2-pod-waypoint', 'HBONE', 5],
    ]);
  });

  it('keeps a block whose lines share no prefix as it is', () => {
    const lines = ['NAME  A', '  x   1'];
    expect(stripCommonPrefix(lines)).toBe(lines);
  });

  it('blanks markdown fences and Hugo shortcodes, as istio.io pages carry them', () => {
    const parsed = parseText('w.txt', `{{< text bash >}}\n$ istioctl zc workload\n${WORKLOADS}{{< /text >}}\n`);
    expect(names(parsed.records.ztunnelWorkloads)).toHaveLength(3);
    const fenced = parseText('w.txt', `\`\`\`console\n${WORKLOADS}\`\`\`\n`);
    expect(fenced.diagnostics).toEqual([]);
    expect(names(fenced.records.ztunnelWorkloads)).toHaveLength(3);
  });
});

describe('command lines', () => {
  it.each([
    ['$ istioctl proxy-status', 'istioctl proxy-status'],
    ['# istioctl proxy-status', 'istioctl proxy-status'],
    ['% istioctl ps', 'istioctl ps'],
    ['user@host:~/istio$ istioctl ps', 'istioctl ps'],
    ['root@dockerone:/opt/istio# istioctl ps', 'istioctl ps'],
    ['[ec2-user@ip-10-0-0-1 ~]$ istioctl ps', 'istioctl ps'],
    ['PS C:\\Users\\me> istioctl ps', 'istioctl ps'],
    ['❯ istioctl  x ps | grep reviews', 'istioctl  x ps | grep reviews'],
    ['➜  istio git:(master) ✗ istioctl ps', 'istioctl ps'],
    ['istioctl proxy-status', 'istioctl proxy-status'],
    ['kubectl exec -n istio-system deploy/istiod -- istioctl ps', 'kubectl exec -n istio-system deploy/istiod -- istioctl ps'],
    ['kubectl get gateway waypoint -o yaml', 'kubectl get gateway waypoint -o yaml'],
    ['$', ''],
  ])('%s', (line, command) => {
    expect(commandOf(line)).toBe(command);
  });

  it.each(['# Expected output:', '> This is a quote', '% of requests', 'NAME CLUSTER CDS', '  # a YAML comment: kubectl get pods', 'kubectl get pods shows them all'])('is not fooled by %s', (line) => {
    expect(commandOf(line)).toBeUndefined();
  });

  it.each([
    ['istioctl proxy-status', 'proxy-status', false],
    ['istioctl ps -o json', 'proxy-status-json', false],
    ['istioctl x ztunnel-config workloads', 'ztunnel-workloads', false],
    ['kubectl exec -n istio-system deploy/istiod -- istioctl zc svc', 'ztunnel-services', false],
    ['docker exec -it kind-control-plane istioctl ztunnel-config policy', 'ztunnel-policies', false],
    ['istioctl --context=prod -i istio-system proxy-status | grep waypoint', 'proxy-status', true],
    ['istioctl pc workload ztunnel-6vmmm.istio-system', 'ztunnel-workloads', false],
    ['istioctl pc cluster deploy/waypoint', 'proxy-config-table', false],
    ['istioctl zc all -o json', 'ztunnel-config-dump', false],
    ['istioctl analyze -A', 'analyze', false],
    ['kubectl get gateways -A -o yaml', 'kube-resources', false],
    ['kubectl logs deploy/waypoint', 'log', false],
    ['CGO_ENABLED=0 go run istioctl/cmd/istioctl/main.go proxy-config workload ztunnel-g6xmf', 'ztunnel-workloads', false],
  ])('%s prints %s', (command, kind, filtered) => {
    expect(commandIntent(command)).toEqual({ kind, filtered });
  });

  it('splits a paste at its command lines and drops `echo $?` and a trailing prompt', () => {
    const lines = ['$ istioctl ps', 'NAME CDS', '$ istioctl analyze', '✔ No validation issues found', '$ echo $?', '0', '$'];
    expect(splitAtCommands(lines, 100)).toEqual([
      { command: 'istioctl ps', commandLine: 0, start: 1, end: 2 },
      { command: 'istioctl analyze', commandLine: 2, start: 3, end: 4 },
    ]);
  });

  it('joins a command continued with backslashes', () => {
    expect(splitAtCommands(['$ istioctl ztunnel-config workload \\', '    --namespace default', 'NAMESPACE'], 100)).toEqual([
      { command: 'istioctl ztunnel-config workload --namespace default', commandLine: 0, start: 2, end: 3 },
    ]);
  });
});

describe('several outputs in one file', () => {
  const paste = [
    '$ istioctl analyze',
    '✔ No validation issues found when analyzing namespace: default.',
    '$ istioctl ztunnel-config workload',
    WORKLOADS.trimEnd(),
    '$ istioctl proxy-status',
    PROXY_STATUS.trimEnd(),
    '$ istioctl waypoint list',
    'Error: unable to find any Istiod instances',
    '',
  ].join('\n');

  it('reads each under its own kind, keeping the file\'s line numbers', () => {
    const parsed = parseText('guide.txt', paste);
    expect(parsed.kind).toBe('several-outputs');
    expect(parsed.parts?.map((p) => [p.line, p.command, p.kind])).toEqual([
      [1, 'istioctl analyze', 'analyze'],
      [3, 'istioctl ztunnel-config workload', 'ztunnel-workloads'],
      [8, 'istioctl proxy-status', 'proxy-status'],
      [12, 'istioctl waypoint list', 'command-error'],
    ]);
    expect(parsed.records.analyzeMessages).toEqual([]);
    expect((parsed.records.ztunnelWorkloads as ZtunnelWorkload[]).map((w) => w.source.line)).toEqual([5, 6, 7]);
    expect((parsed.records.proxyStatus as ProxyStatusRow[]).map((p) => [p.pod, p.source.line])).toEqual([
      ['reviews-svc-waypoint-c49f9f569-b492t', 10],
      ['waypoint-6f7b665c89-6hppr', 11],
    ]);
    expect(parsed.records.captureErrors).toEqual([
      { command: 'istioctl waypoint list', message: 'Error: unable to find any Istiod instances', source: { file: 'guide.txt', line: 13, excerpt: 'Error: unable to find any Istiod instances' } },
    ]);
  });

  it('takes an empty output under `istioctl analyze` for a clean analysis (its ✔ line goes to stderr)', () => {
    const parsed = parseText('a.txt', '$ istioctl analyze -n default\n$ istioctl ps\n' + PROXY_STATUS);
    expect(parsed.parts?.[0]).toMatchObject({ kind: 'analyze', summary: 'no validation issues (empty output)' });
  });
});

describe('collapsed whitespace', () => {
  it('reads a workload table from its values when every run of spaces became one', () => {
    expect(workloads(collapse(WORKLOADS)).map((w) => [w.namespace, w.name, w.address, w.node, w.waypoint, w.protocol])).toEqual([
      ['default', 'details-v1-698d88b-wwsnv', '10.42.2.4', 'k3d-k3s-default-server-0', 'None', 'HBONE'],
      ['default', 'reviews-svc-waypoint-c49f9f569-b492t', '10.42.2.10', 'k3d-k3s-default-server-0', 'None', 'TCP'],
      ['default', 'reviews-v2-5b667bcbf8-gj7nz', '10.42.0.5', 'k3d-k3s-default-agent-0', 'reviews-v2-pod-waypoint', 'HBONE'],
    ]);
  });

  it('reads multi-word values and ages in proxy-status', () => {
    const rows = proxies(collapse(PROXY_STATUS));
    expect(rows.map((r) => [r.proxy, xds(r), r.istiod, r.version])).toEqual([
      ['reviews-svc-waypoint-c49f9f569-b492t.default', { CDS: 'SYNCED', LDS: 'SYNCED', EDS: 'SYNCED', RDS: 'NOT SENT', ECDS: 'NOT SENT' }, 'istiod-795d55fc6d-vqtjx', '1.24.2'],
      ['waypoint-6f7b665c89-6hppr.default', { CDS: 'STALE (Never Acknowledged)', LDS: 'SYNCED', EDS: 'SYNCED', RDS: 'NOT SENT', ECDS: 'NOT SENT' }, 'istiod-795d55fc6d-vqtjx', '1.24.2'],
    ]);
    expect(rows[0]!.xds!['CDS']!.age).toBe('6m40s');
  });

  it('reads the 1.27+ SUBSCRIBED TYPES column', () => {
    const rows = proxies('NAME CLUSTER ISTIOD VERSION SUBSCRIBED TYPES\nwaypoint-6f7b665c89-6hppr.default Kubernetes istiod-795d55fc6d-vqtjx 1.28.0 4 (CDS,LDS,EDS,WDS)\nztunnel-x2k9q.istio-system Kubernetes istiod-795d55fc6d-vqtjx 1.28.0 2 (WADS,WDS)\n');
    expect(rows.map((r) => [r.pod, r.subscribed])).toEqual([
      ['waypoint-6f7b665c89-6hppr', { count: 4, types: ['CDS', 'LDS', 'EDS', 'WDS'] }],
      ['ztunnel-x2k9q', { count: 2, types: ['WADS', 'WDS'] }],
    ]);
  });

  it('reads a headless service (empty VIP) and endpoints', () => {
    const parsed = parseText('s.txt', 'NAMESPACE SERVICE NAME SERVICE VIP WAYPOINT ENDPOINTS\ndefault reviews 10.96.1.2 reviews-svc-waypoint 3/3\ndefault headless None 0/2\n');
    expect((parsed.records.ztunnelServices as ZtunnelService[]).map((s) => [s.name, s.vip, s.waypoint, s.endpoints])).toEqual([
      ['reviews', '10.96.1.2', 'reviews-svc-waypoint', { healthy: 3, total: 3 }],
      ['headless', '', 'None', { healthy: 0, total: 2 }],
    ]);
  });

  it('reports a row that reads two ways instead of guessing', () => {
    // Two statuses for the four core types of a 1.22-1.26 table: which two did the proxy subscribe to?
    const parsed = parseText('ps.txt', 'NAME CLUSTER CDS LDS EDS RDS ECDS ISTIOD VERSION\na.default Kubernetes SYNCED SYNCED istiod-1 1.24.0\n');
    expect(parsed.records.proxyStatus).toEqual([]);
    expect(parsed.diagnostics).toEqual([{ file: 'ps.txt', line: 2, message: expect.stringMatching(/^row can be read two ways \((?:[A-Z]+=(?:\(empty\)|SYNCED)(?:, )?)+ or (?:[A-Z]+=(?:\(empty\)|SYNCED)(?:, )?)+\); skipped$/) }]);
  });

  it('reads one value per column when no shape fits, and says which values look wrong', () => {
    const parsed = parseText('zs.txt', 'NAMESPACE SERVICE NAME SERVICE VIP WAYPOINT ENDPOINTS\ndefault a 10.0.0.1 None lots\n');
    expect((parsed.records.ztunnelServices as ZtunnelService[]).map((s) => [s.name, s.vip, s.waypoint])).toEqual([['a', '10.0.0.1', 'None']]);
    expect(parsed.diagnostics.map((d) => d.message)).toEqual([
      "row read one value per column, but ENDPOINTS 'lots' is not what istioctl prints there",
      "ENDPOINTS 'lots' is not healthy/total",
    ]);
  });

  it('skips and reports a row glued to prose rather than misreading it', () => {
    const rows = proxies('NAME CDS LDS EDS RDS ISTIOD\napp-1.default SYNCED SYNCED SYNCED SYNCED istiod-6b8c5d-xyz\napp-2.default STALE SYNCED SYNCED SYNCED istiod-6b8c5d-xyzThe columns represent xDS types:\n');
    expect(rows.map((r) => r.proxy)).toEqual(['app-1.default']);
  });
});

describe('rows without a header', () => {
  const grepped = PROXY_STATUS.split('\n').filter((l) => l.includes('waypoint-6f7b')).join('\n');

  it('reads `istioctl proxy-status | grep x` rows by the command above them', () => {
    const rows = proxies(`$ istioctl proxy-status | grep waypoint-6f7b\n${grepped}\n`);
    expect(rows.map((r) => [r.pod, r.namespace, xds(r)['CDS'], r.istiod])).toEqual([['waypoint-6f7b665c89-6hppr', 'default', 'STALE (Never Acknowledged)', 'istiod-795d55fc6d-vqtjx']]);
  });

  it('reads rows with no command line when their values fit exactly one table', () => {
    const parsed = parseText('rows.txt', WORKLOADS.split('\n').slice(1).join('\n'));
    expect(parsed.kind).toBe('ztunnel-workloads');
    expect(names(parsed.records.ztunnelWorkloads)).toEqual(['details-v1-698d88b-wwsnv', 'reviews-svc-waypoint-c49f9f569-b492t', 'reviews-v2-5b667bcbf8-gj7nz']);
  });

  it('says an output its command line names could not be read, rather than "not recognized"', () => {
    const parsed = parseText('x.txt', '$ istioctl ztunnel-config workload\n(the table scrolled off the screen)\n');
    expect(parsed).toMatchObject({ kind: 'ztunnel-workloads', summary: 'not read', records: {} });
    expect(parsed.diagnostics).toEqual([{ file: 'x.txt', line: 2, message: 'the output of `istioctl ztunnel-config workload` could not be read as ztunnel-workloads' }]);
  });

  it('does not take prose or a single grepped value for rows', () => {
    expect(parseText('x.txt', 'the waypoint is not ready yet\nplease advise\n').kind).toBe('unknown');
    expect(parseText('x.txt', "$ istioctl proxy-status | grep x | awk '{print $7}'\nistiod-canary-6956db645c-vwhsk\n").kind).toBe('unknown');
  });
});

describe('hand-edited tables', () => {
  it('reads a header with a column removed and rows cut with an elision mark', () => {
    const rows = proxies('NAME                                 CDS        LDS        EDS        RDS        ISTIOD\nwaypoint-6f7b665c89-6hppr.default    SYNCED     SYNCED     SYNCED     NOT SENT   istiod-1\nreviews-v1-5b5d6494f4-nrvfx.default  SYNCED ...\n…\n');
    expect(rows.map((r) => [r.pod, xds(r), r.istiod])).toEqual([
      ['waypoint-6f7b665c89-6hppr', { CDS: 'SYNCED', LDS: 'SYNCED', EDS: 'SYNCED', RDS: 'NOT SENT' }, 'istiod-1'],
      ['reviews-v1-5b5d6494f4-nrvfx', { CDS: 'SYNCED' }, ''],
    ]);
  });

  it('reads a real row cut at a width up to the cut, drops a value cut in half, and says so', () => {
    const [header, ...rows] = PROXY_STATUS.split('\n');
    const parsed = parseText('ps.txt', [header, ...rows.map((l) => l.slice(0, 139))].join('\n'));
    const read = parsed.records.proxyStatus as ProxyStatusRow[];
    expect(read[0]!.proxy).toBe('reviews-svc-waypoint-c49f9f569-b492t.default');
    expect(xds(read[0])).toEqual({ CDS: 'SYNCED', LDS: 'SYNCED', EDS: 'SYNCED' }); // RDS cut to `NOT S`
    expect(parsed.diagnostics[0]).toMatchObject({ line: 2, message: expect.stringMatching(/^row ends in column RDS \(cut\?\); read up to there$/) });
  });

  it('reads rows shifted off the header by hand', () => {
    const shifted = WORKLOADS.split('\n').map((l, i) => (i === 2 ? ` ${l.replace(/ {2,}/g, ' ')}` : l)).join('\n');
    expect(workloads(shifted).map((w) => [w.name, w.protocol])).toEqual([
      ['details-v1-698d88b-wwsnv', 'HBONE'],
      ['reviews-svc-waypoint-c49f9f569-b492t', 'TCP'],
      ['reviews-v2-5b667bcbf8-gj7nz', 'HBONE'],
    ]);
  });

  it('keeps real tabwriter output with a value of a shape it does not know (a newer istioctl)', () => {
    const future = PROXY_STATUS.replace('NOT SENT', 'DEFERRED');
    expect(xds(proxies(future)[0])['RDS']).toBe('DEFERRED');
  });
});

describe('errors printed instead of an output', () => {
  it.each([
    ['$ istioctl proxy-status\nError: unable to find any Istiod instances\n', 'Error: unable to find any Istiod instances'],
    ['$ kubectl get gateways.gateway.networking.k8s.io -A -o yaml\nerror: the server doesn\'t have a resource type "gateways"\n', 'error: the server doesn\'t have a resource type "gateways"'],
    ['Error from server (NotFound): pods "waypoint-x" not found\n', 'Error from server (NotFound): pods "waypoint-x" not found'],
    ['2021-11-15T04:15:12.095484Z     error   klog    an error occurred forwarding 45635 -> 15014\nError: failure running port forward process\n', 'Error: failure running port forward process'],
  ])('%s', (text, message) => {
    const parsed = parseText('e.txt', text);
    expect(parsed.kind).toBe('command-error');
    expect(parsed.records.captureErrors?.[0]?.message.split('\n')[0]).toBe(message);
  });

  it("leaves analyze's own failure summary to the analyze reader", () => {
    expect(parseText('a.txt', 'Error: Analyzers found issues when analyzing namespace: default.\n').kind).not.toBe('command-error');
  });
});

describe('istioctl analyze of every era and shape', () => {
  const analyze = (text: string) => parseText('a.txt', text).records.analyzeMessages!.map((m) => [m.level, m.code, m.origin?.kind, m.origin?.namespace, m.origin?.name, m.message]);

  it.each([
    ['Error [IST0101] (VirtualService default/httpbin) Referenced host not found: "httpbin"', ['Error', 'IST0101', 'VirtualService', 'default', 'httpbin', 'Referenced host not found: "httpbin"']],
    ['Error [IST0101] (VirtualService httpbin.default) Referenced host not found', ['Error', 'IST0101', 'VirtualService', 'default', 'httpbin', 'Referenced host not found']],
    ['Error [IST0101](VirtualService/default/httpbin) Referenced host not found', ['Error', 'IST0101', 'VirtualService', 'default', 'httpbin', 'Referenced host not found']],
    ['Warn [IST0102] (Namespace default) The namespace is not enabled for Istio injection.', ['Warning', 'IST0102', 'Namespace', undefined, 'default', 'The namespace is not enabled for Istio injection.']],
    ['- `Warning [IST0102] (Namespace default) not enabled`', ['Warning', 'IST0102', 'Namespace', undefined, 'default', 'not enabled']],
    ['Info [IST0118] [cluster-2] (Service ratings.default) Port name ...', ['Info', 'IST0118', 'Service', 'default', 'ratings', 'Port name ...']],
  ])('%s', (line, expected) => {
    expect(analyze(`${line}\n`)).toEqual([expected]);
  });

  it('joins a message wrapped over several lines', () => {
    const text = 'Warning [IST0174] (Service default/reviews) The service default/reviews is bound to waypoint\n  default/waypoint, which does not exist.\n';
    expect(analyze(text)[0]![5]).toBe('The service default/reviews is bound to waypoint default/waypoint, which does not exist.');
  });
});

describe('value shapes', () => {
  it('prefers filling CDS/LDS/EDS/RDS and leaving a rarer type empty', () => {
    const labels = ['NAME', 'CLUSTER', 'CDS', 'LDS', 'EDS', 'RDS', 'ECDS', 'ISTIOD', 'VERSION'];
    const shape = (l: string) => knownShape(l) ?? (l === 'ECDS' ? { value: /^SYNCED$/, optional: true } : { value: /^SYNCED$/, optional: true, rarelyEmpty: true });
    const read = alignTokens('a.default Kubernetes SYNCED SYNCED SYNCED SYNCED istiod-1 1.24.0'.split(' '), labels, shape);
    expect(read).toEqual({ kind: 'one', cells: { NAME: 'a.default', CLUSTER: 'Kubernetes', CDS: 'SYNCED', LDS: 'SYNCED', EDS: 'SYNCED', RDS: 'SYNCED', ECDS: '', ISTIOD: 'istiod-1', VERSION: '1.24.0' } });
  });
});
