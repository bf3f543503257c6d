/**
 * In-memory support bundles laid out as two third-party tools write them, holding the healthy
 * bookinfo-ambient sample (samples/bookinfo-ambient, read at call time):
 *
 * - Replicated troubleshoot `support-bundle` (replicatedhq/troubleshoot), and
 * - OpenShift `oc adm must-gather` running the OSSM 3 Istio gather script
 *   (openshift-service-mesh/istio-must-gather gather_istio.sh, which calls `oc adm inspect`).
 *
 * Every path, file shape and bookkeeping file is documented, with its source, in
 * docs/support-bundles.md. Contents that the tools would take from a live cluster and that the
 * sample does not have (CRDs, nodes, events, Envoy config dumps...) are left out; see LAYOUT_NOTES.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import yaml from 'js-yaml';
import { pack } from 'tar-stream';

type Obj = Record<string, unknown>;

/** What a reader of the bundle should find in it. */
export interface ExpectedContents {
  namespaces: string[];
  services: string[];
  pods: string[];
  /** ns/name */
  gateways: string[];
  httpRoutes: string[];
  authorizationPolicies: string[];
  /** Archive paths of the tool's own files (not cluster data). */
  bookkeeping: string[];
}

export const LAYOUT_NOTES = {
  troubleshoot:
    'support-bundle-<2006-01-02T15_04_05>/ holding only file and symlink entries (no directory entries; ' +
    'ArchiveBundle in pkg/collect/result.go). version.yaml (troubleshoot.sh/v1beta2 SupportBundle), ' +
    'analysis.json, execution-data/summary.txt (a .txt, not .json). cluster-resources/namespaces.json is a ' +
    'NamespaceList; pods/<ns>.json, services/<ns>.json, deployments/<ns>.json are typed *List objects ' +
    '({"kind":"PodList","apiVersion":"v1","metadata":{...},"items":[...]}). Custom resources: ' +
    'cluster-resources/custom-resources/<plural>.<group>/<ns>.json (bare JSON array) and, for cluster-scoped ' +
    'kinds, custom-resources/<plural>.<group>.json; the sibling .yaml is, since v0.133.0 (PR #2117), a symlink ' +
    'to the .json in the same directory (relative target "<ns>.json"), before that a YAML sequence of the same ' +
    'objects. Pod logs: cluster-resources/pods/logs/<ns>/<pod>/<container>.log (raw lines, no timestamps); a ' +
    'named logs collector adds <collector-name>/<pod>/<container>.log as a relative symlink to it (since ' +
    'v0.49, PR #821). This fixture omits that alias when symlinks=false, so that mode has no symlink at all. ' +
    'Host run collector: host-collectors/run-host/<name>.txt (stdout) and <name>-info.json; there is no ' +
    '-stderr.txt (stderr only lands in info.json "error" on a non-zero exit). Empty lists and CR kinds ' +
    'without objects (HTTPRoutes here) produce no file; *-errors.json only when there were errors.',
  mustGather:
    'must-gather.local.<int63>/ with must-gather.logs, timestamp (Go time.Now() %v lines) and event-filter.html ' +
    'at the top, then one folder per plug-in image named from the pod\'s imageID with [^A-Za-z0-9]+ -> "-" ' +
    '(registry-...-sha256-<hex>/) holding gather.logs (OCP 4.16+), the script\'s version file, an ' +
    'event-filter.html, and what `oc adm inspect` wrote: namespaces/<ns>/<ns>.yaml, ' +
    'namespaces/<ns>/<group|core>/<plural>.yaml (a List: kind PodList etc.), namespaces/<ns>/pods/<pod>/<pod>.yaml, ' +
    'namespaces/<ns>/pods/<pod>/<container>/<container>/logs/{current,previous,previous.insecure}.log ' +
    '(kubelet --timestamps lines "<RFC3339 with 9 fraction digits>Z <line>"; previous*.log empty when there is ' +
    'no previous container), one file per custom resource namespaces/<ns>/<group>/<plural>/<name>.yaml and ' +
    'cluster-scoped-resources/<group>/<plural>/<name>.yaml. YAML keys are sorted; every file after the first ' +
    'one an `oc adm inspect` run prints starts with "---". Only the namespaces the script inspects are present ' +
    '(control plane istio-system, and data-plane namespaces with pods annotated istio.io/rev: default). The ' +
    'script\'s config_dump_proxy.json / config_dump_istiod.json / proxy_stats (namespaces/<ns>/pods/<pod>/) ' +
    'are not generated: a faithful waypoint config dump is not small, so they are left out.',
} as const;

// ---------------------------------------------------------------- sample

const SAMPLE = fileURLToPath(new URL('../../samples/bookinfo-ambient/', import.meta.url));

interface Sample {
  namespaces: Obj[];
  services: Obj[];
  pods: Obj[];
  deployments: Obj[];
  gateways: Obj[];
  gatewayClasses: Obj[];
  httpRoutes: Obj[];
  authorizationPolicies: Obj[];
  proxyStatus: string;
}

function items(file: string): Obj[] {
  const text = readFileSync(SAMPLE + file, 'utf8');
  const doc = (file.endsWith('.json') ? JSON.parse(text) : yaml.load(text)) as { items?: Obj[] };
  return doc.items ?? [];
}

function loadSample(): Sample {
  return {
    namespaces: items('kubectl/namespaces.yaml'),
    services: items('kubectl/services.json'),
    pods: items('kubectl/pods.json'),
    deployments: items('kubectl/deployments.json'),
    gateways: items('kubectl/gateways.yaml'),
    gatewayClasses: items('kubectl/gatewayclasses.yaml'),
    httpRoutes: items('kubectl/httproutes.json'),
    authorizationPolicies: items('kubectl/authorizationpolicies.json'),
    proxyStatus: readFileSync(SAMPLE + 'istioctl/proxy-status.txt', 'utf8'),
  };
}

function meta(o: Obj): { name: string; namespace: string } {
  const m = (o.metadata ?? {}) as { name?: string; namespace?: string };
  return { name: m.name ?? '', namespace: m.namespace ?? '' };
}
const nsOf = (o: Obj): string => meta(o).namespace;
const nameOf = (o: Obj): string => meta(o).name;
const key = (o: Obj): string => `${nsOf(o)}/${nameOf(o)}`;

function byNamespace(objs: Obj[]): Map<string, Obj[]> {
  const out = new Map<string, Obj[]>();
  for (const o of objs) {
    const list = out.get(nsOf(o)) ?? [];
    list.push(o);
    out.set(nsOf(o), list);
  }
  return new Map([...out.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

function containers(pod: Obj): string[] {
  const spec = (pod.spec ?? {}) as { containers?: { name: string }[]; initContainers?: { name: string }[] };
  return [...(spec.containers ?? []), ...(spec.initContainers ?? [])].map((c) => c.name);
}

// ---------------------------------------------------------------- encoders

/** encoding/json: HTML-safe escaping of <, >, & (and U+2028/9); MarshalIndent adds no trailing newline. */
function goJson(value: unknown, indent: string): string {
  return JSON.stringify(value, null, indent).replace(
    /[<>&\u2028\u2029]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
  );
}

/** A Go map[string]interface{} (unstructured object) marshals with sorted keys. */
function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Obj)
        .sort()
        .map((k) => [k, sortDeep((value as Obj)[k])]),
    );
  }
  return value;
}

/** A typed object marshals in struct order: TypeMeta (kind, apiVersion) first, then metadata, spec, status. */
function typedOrder(o: Obj): Obj {
  const first = ['kind', 'apiVersion', 'metadata', 'spec', 'status'];
  const out: Obj = {};
  for (const k of first) if (k in o) out[k] = o[k];
  for (const [k, v] of Object.entries(o)) if (!first.includes(k)) out[k] = v;
  return out;
}

/** A typed List as client-go returns it after troubleshoot sets its GVK (TypeMeta, ListMeta, items). */
function typedList(kind: string, objs: Obj[], resourceVersion: string): Obj {
  return { kind, apiVersion: 'v1', metadata: { resourceVersion }, items: objs.map(typedOrder) };
}

/** sigs.k8s.io/yaml and gopkg.in/yaml.v2 style: sorted keys, sequences not indented under their key. */
function goYaml(value: unknown): string {
  return yaml.dump(value, { sortKeys: true, noArrayIndent: true, lineWidth: -1, noRefs: true, quotingType: '"' });
}

/**
 * One `oc adm inspect` process: its YAMLPrinter is shared by every file it writes and prints "---\n"
 * before every object but the first (k8s.io/cli-runtime pkg/printers/yaml.go).
 */
class InspectRun {
  private count = 0;
  print(obj: unknown): string {
    this.count += 1;
    return (this.count > 1 ? '---\n' : '') + goYaml(obj);
  }
}

// ---------------------------------------------------------------- tar

interface TarEntry {
  name: string;
  type: 'file' | 'directory' | 'symlink';
  body?: string | Buffer;
  linkname?: string;
  mode: number;
}

async function tgz(entries: TarEntry[], mtime: Date): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const finished = new Promise<void>((resolve, reject) => {
    p.on('data', (c: unknown) => chunks.push(c as Buffer));
    p.on('end', () => resolve());
    p.on('error', reject);
  });
  for (const e of entries) {
    await new Promise<void>((resolve, reject) => {
      const header = {
        name: e.name,
        type: e.type,
        mode: e.mode,
        mtime,
        uid: 1000,
        gid: 1000,
        ...(e.linkname !== undefined ? { linkname: e.linkname } : {}),
      };
      const done = (err?: Error | null): void => (err ? reject(err) : resolve());
      if (e.type === 'file') p.entry(header, e.body ?? '', done);
      else p.entry(header, done);
    });
  }
  p.finalize();
  await finished;
  return gzipSync(Buffer.concat(chunks));
}

/** GNU tar of a folder: every directory has its own entry, before what it holds. */
function withDirectories(files: TarEntry[], dirMode: number): TarEntry[] {
  const dirs = new Set<string>();
  for (const f of files) {
    let d = posix.dirname(f.name);
    while (d !== '.' && d !== '/') {
      dirs.add(d + '/');
      d = posix.dirname(d);
    }
  }
  const all: TarEntry[] = [...[...dirs].map((name) => ({ name, type: 'directory' as const, mode: dirMode })), ...files];
  return all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

// ---------------------------------------------------------------- shared content

const WAYPOINT_POD = 'waypoint-mxvtrsgdrp-cspts';
const WAYPOINT_NS = 'default';
const WAYPOINT_CONTAINER = 'istio-proxy';

/** Istio's default text access log format, as the `waypoint` waypoint would log bookinfo traffic. */
const ACCESS_LOG: { at: string; line: string }[] = [
  {
    at: '2025-10-14T09:27:12.418',
    line:
      '[2025-10-14T09:27:12.412Z] "GET /productpage HTTP/1.1" 200 - via_upstream - "-" 0 5293 38 37 "-" "curl/8.5.0" ' +
      '"8f0e2c1a-3b7d-4e59-9a61-2f4c8d7e1b03" "productpage:9080" "10.42.0.11:9080" ' +
      'inbound-vip|9080|http|productpage.default.svc.cluster.local 10.42.0.15:52644 10.43.172.254:9080 ' +
      '10.42.0.12:41822 - default',
  },
  {
    at: '2025-10-14T09:27:12.426',
    line:
      '[2025-10-14T09:27:12.421Z] "GET /details/0 HTTP/1.1" 200 - via_upstream - "-" 0 178 4 3 "-" ' +
      '"python-requests/2.32.3" "8f0e2c1a-3b7d-4e59-9a61-2f4c8d7e1b03" "details:9080" "10.42.0.9:9080" ' +
      'inbound-vip|9080|http|details.default.svc.cluster.local 10.42.0.15:36210 10.43.160.119:9080 ' +
      '10.42.0.11:55512 - default',
  },
  {
    at: '2025-10-14T09:27:12.439',
    line:
      '[2025-10-14T09:27:12.433Z] "GET /ratings/0 HTTP/1.1" 200 - via_upstream - "-" 0 48 3 2 "-" ' +
      '"Apache-CXF/3.1.18" "8f0e2c1a-3b7d-4e59-9a61-2f4c8d7e1b03" "ratings:9080" "10.42.1.4:9080" ' +
      'inbound-vip|9080|http|ratings.default.svc.cluster.local 10.42.0.15:47302 10.43.71.236:9080 ' +
      '10.42.1.5:39874 - default',
  },
];

/** kubelet `--timestamps` prefix: RFC 3339 with a fixed 9-digit fraction, in UTC (millis + 6 more digits). */
function kubeletTimestamp(isoMillis: string, microNanos: string): string {
  return `${isoMillis}${microNanos}Z`;
}

// ---------------------------------------------------------------- troubleshoot

const TS_TOP = 'support-bundle-2025-10-14T09_28_04';
const TS_TIME = new Date('2025-10-14T09:28:04Z');
const TS_VERSION = 'v0.133.0';
const TS_PRE_SYMLINK_VERSION = 'v0.132.2';
const TS_LOGS_COLLECTOR = 'istio-waypoints';
const TS_HOST_RUN = 'istioctl-proxy-status';

/** Custom resource folder names: the CRD's metadata.name, <plural>.<group>. */
const CRD = {
  gateways: 'gateways.gateway.networking.k8s.io',
  gatewayClasses: 'gatewayclasses.gateway.networking.k8s.io',
  httpRoutes: 'httproutes.gateway.networking.k8s.io',
  authorizationPolicies: 'authorizationpolicies.security.istio.io',
} as const;

function troubleshootBookkeeping(): string[] {
  return [`${TS_TOP}/version.yaml`, `${TS_TOP}/analysis.json`, `${TS_TOP}/execution-data/summary.txt`];
}

export function troubleshootExpected(): ExpectedContents {
  const s = loadSample();
  return {
    namespaces: s.namespaces.map(nameOf),
    services: s.services.map(key),
    pods: s.pods.map(key),
    gateways: s.gateways.map(key),
    httpRoutes: s.httpRoutes.map(key),
    authorizationPolicies: s.authorizationPolicies.map(key),
    bookkeeping: troubleshootBookkeeping(),
  };
}

export async function troubleshootBundle(opts: { symlinks: boolean }): Promise<Buffer> {
  const s = loadSample();
  const files: TarEntry[] = [];
  const file = (rel: string, body: string): void => {
    files.push({ name: `${TS_TOP}/${rel}`, type: 'file', body, mode: 0o644 });
  };
  const link = (rel: string, target: string): void => {
    // ArchiveBundle stores the target relative to the link's folder.
    const linkname = posix.relative(posix.dirname(rel), target);
    files.push({ name: `${TS_TOP}/${rel}`, type: 'symlink', linkname, mode: 0o777 });
  };

  // clusterResources: namespaces listed from the cluster -> a NamespaceList.
  file('cluster-resources/namespaces.json', goJson(typedList('NamespaceList', s.namespaces, '1877'), '  '));
  for (const [ns, pods] of byNamespace(s.pods)) {
    file(`cluster-resources/pods/${ns}.json`, goJson(typedList('PodList', pods, '1877'), '  '));
  }
  for (const [ns, svcs] of byNamespace(s.services)) {
    file(`cluster-resources/services/${ns}.json`, goJson(typedList('ServiceList', svcs, '1877'), '  '));
  }
  for (const [ns, deps] of byNamespace(s.deployments)) {
    const list = { ...typedList('DeploymentList', deps, '1877'), apiVersion: 'apps/v1' };
    file(`cluster-resources/deployments/${ns}.json`, goJson(list, '  '));
  }

  // clusterResources: custom resources, <crd>/<ns>.json + .yaml, or <crd>.json + .yaml when cluster-scoped.
  const customResource = (base: string, objs: Obj[]): void => {
    if (objs.length === 0) return; // crsV1 skips CRDs without objects
    const rel = `cluster-resources/custom-resources/${base}`;
    const sorted = objs.map(sortDeep);
    file(`${rel}.json`, goJson(sorted, '  '));
    if (opts.symlinks) link(`${rel}.yaml`, `${rel}.json`);
    else file(`${rel}.yaml`, goYaml(sorted));
  };
  for (const [ns, objs] of byNamespace(s.gateways)) customResource(`${CRD.gateways}/${ns}`, objs);
  for (const [ns, objs] of byNamespace(s.httpRoutes)) customResource(`${CRD.httpRoutes}/${ns}`, objs);
  for (const [ns, objs] of byNamespace(s.authorizationPolicies)) customResource(`${CRD.authorizationPolicies}/${ns}`, objs);
  customResource(CRD.gatewayClasses, s.gatewayClasses);

  // logs collector {name: istio-waypoints, selector: gateway.networking.k8s.io/gateway-name=waypoint,
  // namespace: default, containerNames: [istio-proxy]}: the log under cluster-resources, plus a symlink.
  const logRel = `cluster-resources/pods/logs/${WAYPOINT_NS}/${WAYPOINT_POD}/${WAYPOINT_CONTAINER}.log`;
  file(logRel, ACCESS_LOG.map((l) => l.line + '\n').join(''));
  if (opts.symlinks) link(`${TS_LOGS_COLLECTOR}/${WAYPOINT_POD}/${WAYPOINT_CONTAINER}.log`, logRel);

  // run host collector {collectorName: istioctl-proxy-status, command: istioctl, args: [proxy-status],
  // ignoreParentEnvs: true}: stdout in <name>.txt, HostRunInfo in <name>-info.json (json.Marshal, compact).
  const runInfo = {
    command: '/usr/local/bin/istioctl proxy-status',
    exitCode: '0',
    error: '',
    outputDir: '',
    input: '',
    env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'KUBECONFIG=/root/.kube/config', 'PWD=/root'],
  };
  file(`host-collectors/run-host/${TS_HOST_RUN}-info.json`, goJson(runInfo, ''));
  file(`host-collectors/run-host/${TS_HOST_RUN}.txt`, s.proxyStatus);

  // Bookkeeping written by CollectSupportBundleFromSpec after the collectors.
  file(
    'version.yaml',
    'apiVersion: troubleshoot.sh/v1beta2\nkind: SupportBundle\nspec:\n' +
      `  versionNumber: ${opts.symlinks ? TS_VERSION : TS_PRE_SYMLINK_VERSION}\n`,
  );
  const title = 'Required Kubernetes Version';
  const name = title.toLowerCase().replace(/[^a-zA-Z0-9]+/g, '.');
  const icon = { iconKey: 'kubernetes', iconUri: 'https://troubleshoot.sh/images/analyzer-icons/kubernetes.svg?w=16&h=16' };
  const analysis = [
    {
      name,
      labels: { desiredPosition: '1', ...icon },
      insight: {
        name,
        labels: icon,
        primary: title,
        detail: 'Your cluster meets the recommended and required versions of Kubernetes',
        severity: 'debug',
      },
      severity: 'debug',
      analyzerSpec: '',
    },
  ];
  file('analysis.json', goJson(analysis, '    '));
  file(
    'execution-data/summary.txt',
    summary({
      collectors: [
        ['cluster-resources', 1204],
        [`logs/${TS_LOGS_COLLECTOR}`, 162],
        ['cluster-info', 21],
      ],
      redactors: [['In-cluster collectors', 95]],
      analysers: [[title, 3]],
      totalMs: 1733,
    }),
  );

  return tgz(files, TS_TIME);
}

/** internal/traces/exporter.go GetSummary: sections sorted by duration, names padded to the longest. */
function summary(s: {
  collectors: [string, number][];
  redactors: [string, number][];
  analysers: [string, number][];
  totalMs: number;
}): string {
  const ms = (n: number): string => n.toLocaleString('en-US');
  const section = (title: string, rows: [string, number][], none: string): string => {
    if (rows.length === 0) return `========= ${title} summary ==========\n${none}\n`;
    const pad = Math.max(...rows.map(([n]) => n.length));
    const sorted = [...rows].sort((a, b) => b[1] - a[1]);
    return `========= ${title} summary ==========\n` + sorted.map(([n, d]) => `${n.padEnd(pad)} : ${ms(d)}ms\n`).join('');
  };
  return (
    section('Collectors', s.collectors, 'No collectors executed') +
    '\n' +
    section('Redactors', s.redactors, 'No redactors executed') +
    '\n' +
    section('Analysers', s.analysers, 'No analysers executed') +
    `\nDuration: ${ms(s.totalMs)}ms\n`
  );
}

// ---------------------------------------------------------------- must-gather

const MG_TOP = 'must-gather.local.5578347153447316423';
const MG_TIME = new Date('2025-10-14T09:28:12Z');
const MG_IMAGE = 'registry.redhat.io/openshift-service-mesh/istio-must-gather-rhel9:3.1';
const MG_DIGEST = createHash('sha256').update(MG_IMAGE).digest('hex');
const MG_IMAGE_ID = `registry.redhat.io/openshift-service-mesh/istio-must-gather-rhel9@sha256:${MG_DIGEST}`;
/** copyFilesFromPod: the pod's imageID with every run of non-alphanumerics replaced by "-". */
const MG_IMAGE_DIR = MG_IMAGE_ID.replace(/[^A-Za-z0-9]+/g, '-');
const MG_CONTROL_PLANE = 'istio-system';
const MG_REVISION = 'default';

/** Namespaces gather_istio.sh inspects: the control plane, and those with pods annotated istio.io/rev. */
function inspectedNamespaces(s: Sample): string[] {
  const dataPlane = s.pods
    .filter((p) => ((p.metadata as { annotations?: Record<string, string> }).annotations ?? {})['istio.io/rev'] === MG_REVISION)
    .map(nsOf);
  return [...new Set([MG_CONTROL_PLANE, ...dataPlane])].sort();
}

function mustGatherBookkeeping(): string[] {
  return [
    `${MG_TOP}/must-gather.logs`,
    `${MG_TOP}/timestamp`,
    `${MG_TOP}/event-filter.html`,
    `${MG_TOP}/${MG_IMAGE_DIR}/gather.logs`,
    `${MG_TOP}/${MG_IMAGE_DIR}/version`,
    `${MG_TOP}/${MG_IMAGE_DIR}/event-filter.html`,
  ];
}

export function mustGatherExpected(): ExpectedContents {
  const s = loadSample();
  const inNs = (o: Obj): boolean => inspectedNamespaces(s).includes(nsOf(o));
  return {
    namespaces: inspectedNamespaces(s),
    services: s.services.filter(inNs).map(key),
    pods: s.pods.filter(inNs).map(key),
    gateways: s.gateways.filter(inNs).map(key),
    httpRoutes: s.httpRoutes.filter(inNs).map(key),
    authorizationPolicies: s.authorizationPolicies.filter(inNs).map(key),
    bookkeeping: mustGatherBookkeeping(),
  };
}

/** Minimal stand-in for oc's event filter page (a Bootstrap table of all gathered events); no events here. */
const EVENT_FILTER_HTML =
  '\n<!doctype html>\n<html lang="en">\n  <head>\n    <meta charset="utf-8">\n    <title>Events</title>\n  </head>\n' +
  '  <body>\n<table id="events" class="table table-bordered table-hover table-sm" data-toggle="table">\n' +
  '  <thead>\n    <tr>\n      <th data-field="time">Time</th>\n      <th data-field="namespace">Namespace</th>\n' +
  '      <th data-field="component">Component</th>\n      <th data-field="reason">Reason</th>\n' +
  '      <th data-field="message">Message</th>\n    </tr>\n  </thead>\n  <tbody>\n    \n  </tbody>\n</table>\n' +
  '  </body>\n</html>\n';

export async function mustGatherBundle(): Promise<Buffer> {
  const s = loadSample();
  const namespaces = inspectedNamespaces(s);
  const files: TarEntry[] = [];
  const top = (rel: string, body: string, mode = 0o644): void => {
    files.push({ name: `${MG_TOP}/${rel}`, type: 'file', body, mode });
  };
  // Files rsync'd from the gather pod's /must-gather; oc adm inspect's simpleFileWriter creates them 0755.
  const gathered = (rel: string, body: string, mode = 0o755): void => top(`${MG_IMAGE_DIR}/${rel}`, body, mode);
  const list = (kind: string, apiVersion: string, objs: Obj[]): Obj => ({
    apiVersion,
    items: objs,
    kind,
    metadata: { resourceVersion: '1877' },
  });

  // main(): the version file.
  gathered('version', 'openshift-service-mesh/must-gather\n3.1.0\n', 0o644);

  // inspect "crd/<crd>" for every istio.io, sailoperator.io, kiali.io, gateway.networking.k8s.io CRD would add
  // cluster-scoped-resources/apiextensions.k8s.io/customresourcedefinitions/<crd>.yaml: no CRDs in the sample.

  for (const ns of namespaces) {
    // inspectNamespace: inspect "ns/<ns>" (one oc adm inspect run).
    const run = new InspectRun();
    const nsObj = s.namespaces.find((n) => nameOf(n) === ns);
    if (nsObj) gathered(`namespaces/${ns}/${ns}.yaml`, run.print(nsObj));
    const pods = s.pods.filter((p) => nsOf(p) === ns);
    for (const pod of pods) {
      const dir = `namespaces/${ns}/pods/${nameOf(pod)}`;
      gathered(`${dir}/${nameOf(pod)}.yaml`, run.print(pod));
      for (const c of containers(pod)) {
        const logs = `${dir}/${c}/${c}/logs`;
        const isWaypoint = ns === WAYPOINT_NS && nameOf(pod) === WAYPOINT_POD && c === WAYPOINT_CONTAINER;
        const current = isWaypoint
          ? ACCESS_LOG.map((l, i) => `${kubeletTimestamp(l.at, String(203081 + i * 1111).padStart(6, '0'))} ${l.line}\n`).join('')
          : '';
        gathered(`${logs}/current.log`, current);
        // No previous container: the file is created, the stream fails, the insecure retry does the same.
        gathered(`${logs}/previous.log`, '');
        gathered(`${logs}/previous.insecure.log`, '');
      }
    }
    // namespaceResourcesToCollect(): "all" and friends, each type written as one List per group folder.
    gathered(`namespaces/${ns}/core/pods.yaml`, run.print(list('PodList', 'v1', pods)));
    gathered(`namespaces/${ns}/core/services.yaml`, run.print(list('ServiceList', 'v1', s.services.filter((o) => nsOf(o) === ns))));
    gathered(
      `namespaces/${ns}/apps/deployments.yaml`,
      run.print(list('DeploymentList', 'apps/v1', s.deployments.filter((o) => nsOf(o) === ns))),
    );
    gathered(`namespaces/${ns}/core/events.yaml`, run.print(list('EventList', 'v1', [])));

    // inspect "<crd>" -n <ns> for each CRD: one run each, Flatten() -> one file per object.
    const perObject = (objs: Obj[], group: string, plural: string): void => {
      const crRun = new InspectRun();
      for (const o of objs) {
        const base = nsOf(o) ? `namespaces/${nsOf(o)}/${group}/${plural}` : `cluster-scoped-resources/${group}/${plural}`;
        gathered(`${base}/${nameOf(o)}.yaml`, crRun.print(o));
      }
    };
    perObject(s.gateways.filter((o) => nsOf(o) === ns), 'gateway.networking.k8s.io', 'gateways');
    perObject(s.httpRoutes.filter((o) => nsOf(o) === ns), 'gateway.networking.k8s.io', 'httproutes');
    perObject(s.authorizationPolicies.filter((o) => nsOf(o) === ns), 'security.istio.io', 'authorizationpolicies');
  }
  // GatewayClasses are cluster-scoped: every per-namespace inspect writes (and rewrites) the same files.
  {
    const run = new InspectRun();
    for (const gc of s.gatewayClasses) {
      gathered(`cluster-scoped-resources/gateway.networking.k8s.io/gatewayclasses/${nameOf(gc)}.yaml`, run.print(gc));
    }
  }
  // oc adm inspect also writes an event filter page into its --dest-dir (/must-gather).
  gathered('event-filter.html', EVENT_FILTER_HTML, 0o644);

  // gather container log, fetched with timestamps (OCP 4.16+).
  const gatherLog = [
    ['09:27:41.203117844', ''],
    ['09:27:41.203198511', 'Executing Istio gather script'],
    ['09:27:41.203201390', ''],
    // The control plane namespace is inspected first, then the data-plane namespaces.
    ...[MG_CONTROL_PLANE, ...namespaces.filter((n) => n !== MG_CONTROL_PLANE)].flatMap((ns, i) => [
      [`09:27:4${3 + 2 * i}.512093317`, `Inspecting resource ns/${ns}`],
      [`09:27:4${3 + 2 * i}.874410246`, `Gathering data for ns/${ns}...`],
      [`09:27:4${4 + 2 * i}.905126551`, 'Wrote inspect data to /must-gather.'],
    ]),
    ['09:28:01.330871002', 'Done'],
  ].map(([t, text]) => `2025-10-14T${t}Z ${text}\n`);
  gathered('gather.logs', gatherLog.join(''));

  // Written by oc on the workstation.
  const pod = 'must-gather-5xk8d';
  top(
    'must-gather.logs',
    [
      `[must-gather      ] OUT 2025-10-14T09:27:31.498765432Z Using must-gather plug-in image: ${MG_IMAGE}`,
      '[must-gather      ] OUT 2025-10-14T09:27:31.587654321Z namespace/openshift-must-gather-x7k2p created',
      '[must-gather      ] OUT 2025-10-14T09:27:31.601234567Z clusterrolebinding.rbac.authorization.k8s.io/must-gather-q9w4z created',
      `[must-gather      ] OUT 2025-10-14T09:27:31.654321098Z pod for plug-in image ${MG_IMAGE} created`,
      `[${pod}] OUT 2025-10-14T09:28:05.112233445Z waiting for gather to complete`,
      `[${pod}] OUT 2025-10-14T09:28:05.223344556Z downloading gather output`,
      '[must-gather      ] OUT 2025-10-14T09:28:12.334455667Z namespace/openshift-must-gather-x7k2p deleted',
    ].join('\n') + '\n',
  );
  top(
    'timestamp',
    '2025-10-14 09:27:31.712345678 +0000 UTC m=+0.298765432\n2025-10-14 09:28:12.301234567 +0000 UTC m=+40.887654321\n',
  );
  top('event-filter.html', EVENT_FILTER_HTML);

  return tgz(withDirectories(files, 0o755), MG_TIME);
}
