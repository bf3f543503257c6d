/** The bundle model (one cluster's files as data), deterministic ids, and line references for scenario.md. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type K, type Table, ZS_COLUMNS, ZW_COLUMNS, envoyJson, istioctlJson, kubectlJson, kubectlYaml, loadYaml, parseTable, renderTable } from './serializers.js';
import type { Call, Outage } from './traffic.js';

export const SAMPLES = fileURLToPath(new URL('../../samples/', import.meta.url));
export const BASE = join(SAMPLES, 'bookinfo-ambient');
export const OUT = join(SAMPLES, 'scenarios');

// =====================================================================================================
// Deterministic ids
// =====================================================================================================

export function digest(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

export function uuid(seed: string): string {
  const h = digest(`uid:${seed}`);
  const variant = '89ab'[parseInt(h[16]!, 16) % 4];
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Kubernetes' SafeEncodeString alphabet: pod-template-hash and generated name suffixes. */
export const SAFE = 'bcdfghjklmnpqrstvwxz2456789';
export function safeString(seed: string, length: number): string {
  const h = digest(`safe:${seed}`);
  let out = '';
  for (let i = 0; i < length; i++) out += SAFE[parseInt(h.slice(i * 2, i * 2 + 2), 16) % SAFE.length];
  return out;
}

export const containerId = (seed: string) => `containerd://${digest(`cid:${seed}`)}`;
export const imageDigest = (seed: string) => digest(`img:${seed}`);

// =====================================================================================================
// The bundle model
// =====================================================================================================

export const KUBE_JSON = [
  'authorizationpolicies', 'deployments', 'destinationrules', 'grpcroutes', 'httproutes', 'pods', 'serviceentries',
  'requestauthentications', 'services', 'telemetries', 'virtualservices', 'workloadentries',
] as const;
export const KUBE_YAML = ['gatewayclasses', 'gateways', 'namespaces'] as const;
export type KubeFile = (typeof KUBE_JSON)[number] | (typeof KUBE_YAML)[number];

/** Byte order, as Go's sort.Strings and the API server's key order. */
export const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export const LEVEL_RANK: Record<string, number> = { Error: 0, Warning: 1, Info: 2 };
export const NO_ISSUES = '\n✔ No validation issues found when analyzing all namespaces.\n';
/** What istioctl prints (stderr, captured with stdout) after its messages when one is at the failure threshold (Error). */
export const ANALYZE_FAILED = [
  'Error: Analyzers found issues when analyzing all namespaces.',
  'See https://istio.io/v1.26/docs/reference/config/analysis for more information about causing an analyzer message.',
];

export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort().flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

/** A waypoint whose Envoy config lags behind istiod: Services and policies (`ns/name`) its dump does not have. */
export interface Stale {
  services: string[];
  policies: string[];
}

export class Bundle {
  kube = {} as Record<KubeFile, K>;
  ps: Table;
  zs: Table;
  zw: Table;
  analyze: string[];
  version: K;
  /** `kubectl get configmap istio -n istio-system -o json`. */
  mesh: K;
  /** `config-dumps/<ns>/<pod>.json`: `istioctl proxy-config all -o json` of each waypoint, as data. */
  dumps = new Map<string, K>();
  /** `logs/<ns>/<pod>.log`, as text. */
  logs = new Map<string, string>();
  /** The requests clients made in the capture window (see traffic.ts); the logs are generated from them. */
  traffic: Call[] = [];
  /** Waypoints (`ns/name`) whose config is behind istiod's. */
  stale = new Map<string, Stale>();
  /** Pods that refused connections for a while. */
  outages: Outage[] = [];
  /** istiod's last push (every proxy's config version): `SYNCED (14m)` in proxy-status counts from it. */
  lastPush = '2025-10-14T09:24:41Z';
  pushVersion = 27;
  extra = new Map<string, string>();

  constructor(dir: string) {
    for (const f of KUBE_JSON) this.kube[f] = JSON.parse(readFileSync(join(dir, 'kubectl', `${f}.json`), 'utf8'));
    for (const f of KUBE_YAML) this.kube[f] = loadYaml(readFileSync(join(dir, 'kubectl', `${f}.yaml`), 'utf8'));
    const ps = readFileSync(join(dir, 'istioctl/proxy-status.txt'), 'utf8');
    // Padding 5: header labels are separated by at least five spaces.
    this.ps = parseTable(ps, ps.slice(0, ps.indexOf('\n')).trim().split(/\s{2,}/), 5);
    this.zs = parseTable(readFileSync(join(dir, 'istioctl/ztunnel-config-service.txt'), 'utf8'), ZS_COLUMNS, 1);
    this.zw = parseTable(readFileSync(join(dir, 'istioctl/ztunnel-config-workload.txt'), 'utf8'), ZW_COLUMNS, 1);
    const analyze = readFileSync(join(dir, 'istioctl/analyze.txt'), 'utf8');
    this.analyze = analyze === NO_ISSUES ? [] : analyze.replace(/\n$/, '').split('\n').filter((l) => !ANALYZE_FAILED.includes(l));
    this.version = JSON.parse(readFileSync(join(dir, 'istioctl/version.json'), 'utf8'));
    this.mesh = JSON.parse(readFileSync(join(dir, 'kubectl/configmap-istio.json'), 'utf8'));
    for (const f of filesUnder(join(dir, 'config-dumps'))) this.dumps.set(relative(dir, f).split('\\').join('/'), JSON.parse(readFileSync(f, 'utf8')));
    for (const f of filesUnder(join(dir, 'logs'))) this.logs.set(relative(dir, f).split('\\').join('/'), readFileSync(f, 'utf8'));
  }

  /** The mesh config (the `mesh` key of the istio ConfigMap), as data. */
  meshConfig(): K {
    return loadYaml(this.mesh.data.mesh);
  }

  /** Helm writes the mesh config with `|-`: no final newline. */
  setMeshConfig(config: K): void {
    this.mesh.data.mesh = kubectlYaml(config).replace(/\n$/, '');
  }

  items(file: KubeFile): K[] {
    return this.kube[file].items;
  }

  get(file: KubeFile, namespace: string | undefined, name: string): K {
    const found = this.items(file).find((o) => o.metadata.name === name && o.metadata.namespace === namespace);
    if (!found) throw new Error(`${file}: no ${namespace}/${name}`);
    return found;
  }

  add(file: KubeFile, object: K): K {
    this.items(file).push(object);
    return object;
  }

  remove(file: KubeFile, namespace: string | undefined, name: string): void {
    const list = this.items(file);
    const i = list.findIndex((o) => o.metadata.name === name && o.metadata.namespace === namespace);
    if (i < 0) throw new Error(`${file}: no ${namespace}/${name} to remove`);
    list.splice(i, 1);
  }

  // ---- tables
  private row(t: Table, match: (r: string[]) => boolean, what: string): string[] {
    const r = t.rows.find(match);
    if (!r) throw new Error(`no row ${what}`);
    return r;
  }

  zsRow(ns: string, name: string): string[] {
    return this.row(this.zs, (r) => r[0] === ns && r[1] === name, `service ${ns}/${name}`);
  }

  zwRow(ns: string, pod: string): string[] {
    return this.row(this.zw, (r) => r[0] === ns && r[1] === pod, `workload ${ns}/${pod}`);
  }

  psRow(id: string): string[] {
    return this.row(this.ps, (r) => r[0] === id, `proxy ${id}`);
  }

  /** ztunnel WAYPOINT column of a service. */
  setServiceWaypoint(ns: string, name: string, waypoint: string): void {
    this.zsRow(ns, name)[3] = waypoint;
  }

  removeRow(t: Table, match: (r: string[]) => boolean): void {
    const i = t.rows.findIndex(match);
    if (i < 0) throw new Error('no row to remove');
    t.rows.splice(i, 1);
  }

  // ---- proxies: proxy-status and istioctl version agree on the proxy list
  removeProxy(id: string): void {
    this.removeRow(this.ps, (r) => r[0] === id);
    const dp: K[] = this.version.dataPlaneVersion;
    dp.splice(dp.findIndex((p) => p.ID === id), 1);
  }

  addProxy(row: string[], type: string): void {
    this.ps.rows.push(row);
    this.version.dataPlaneVersion.push({ ID: row[0], IstioVersion: row[8], Type: type });
  }

  renameProxy(oldId: string, newId: string): void {
    this.psRow(oldId)[0] = newId;
    this.version.dataPlaneVersion.find((p: K) => p.ID === oldId).ID = newId;
  }

  // ---- istioctl analyze
  addAnalyze(level: 'Error' | 'Warning' | 'Info', code: string, origin: string, message: string): void {
    this.analyze.push(`${level} [${code}] (${origin}) ${message}`);
  }

  versionText(): string {
    const v = this.version;
    const lines = [`client version: ${v.clientVersion.version}`];
    const mesh: K[] = v.meshVersion;
    if (mesh.every((m) => m.Info.version === mesh[0].Info.version)) lines.push(`control plane version: ${mesh[0].Info.version}`);
    else for (const m of mesh) lines.push(`${m.Component} version: ${m.Info.version}`);
    const counts = new Map<string, number>();
    for (const p of v.dataPlaneVersion as K[]) counts.set(p.IstioVersion, (counts.get(p.IstioVersion) ?? 0) + 1);
    const rendered = [...counts.keys()].sort().map((ver) => `${ver} (${counts.get(ver)} proxies)`);
    lines.push(`data plane version: ${rendered.join(', ')}`);
    return lines.join('\n') + '\n';
  }

  /** The files exactly as they are written, by bundle-relative path. */
  render(): Map<string, string> {
    const files = new Map<string, string>();
    const byNsName = (a: K, b: K) =>
      cmp(a.metadata.namespace ?? '', b.metadata.namespace ?? '') || cmp(a.metadata.name, b.metadata.name);
    for (const f of KUBE_JSON) {
      this.items(f).sort(byNsName);
      files.set(`kubectl/${f}.json`, kubectlJson(this.kube[f]));
    }
    for (const f of KUBE_YAML) {
      this.items(f).sort(byNsName);
      files.set(`kubectl/${f}.yaml`, kubectlYaml(this.kube[f]));
    }
    this.ps.rows.sort((a, b) => cmp(a[0]!, b[0]!));
    this.zs.rows.sort((a, b) => cmp(a[0]!, b[0]!) || cmp(a[1]!, b[1]!));
    this.zw.rows.sort((a, b) => cmp(`${a[0]}.${a[1]}`, `${b[0]}.${b[1]}`) || cmp(a[3]!, b[3]!));
    (this.version.dataPlaneVersion as K[]).sort((a, b) => cmp(a.ID, b.ID));
    files.set('istioctl/proxy-status.txt', renderTable(this.ps));
    files.set('istioctl/ztunnel-config-service.txt', renderTable(this.zs));
    files.set('istioctl/ztunnel-config-workload.txt', renderTable(this.zw));
    const sorted = [...this.analyze].sort((a, b) => {
      const pa = /^(\w+) \[(IST\d+)\] \(([^)]*)\)/.exec(a)!;
      const pb = /^(\w+) \[(IST\d+)\] \(([^)]*)\)/.exec(b)!;
      return LEVEL_RANK[pa[1]!]! - LEVEL_RANK[pb[1]!]! || cmp(pa[2]!, pb[2]!) || cmp(pa[3]!, pb[3]!);
    });
    const failed = sorted.some((l) => l.startsWith('Error '));
    files.set('istioctl/analyze.txt', sorted.length ? [...sorted, ...(failed ? ANALYZE_FAILED : [])].join('\n') + '\n' : NO_ISSUES);
    files.set('istioctl/version.txt', this.versionText());
    files.set('istioctl/version.json', istioctlJson(this.version));
    files.set('kubectl/configmap-istio.json', kubectlJson(this.mesh));
    for (const [path, dump] of [...this.dumps].sort(([a], [b]) => cmp(a, b))) files.set(path, envoyJson(dump));
    for (const [path, text] of [...this.logs].sort(([a], [b]) => cmp(a, b))) files.set(path, text);
    for (const [path, text] of this.extra) files.set(path, text);
    return files;
  }
}


// =====================================================================================================
// Line references for scenario.md, computed from the files as written
// =====================================================================================================

export const FILE_OF: Record<string, KubeFile> = {};
for (const f of KUBE_JSON) FILE_OF[`kubectl/${f}.json`] = f;
for (const f of KUBE_YAML) FILE_OF[`kubectl/${f}.yaml`] = f;

export class Refs {
  constructor(private b: Bundle, private files: Map<string, string>) {}

  private lines(file: string): string[] {
    const text = this.files.get(file);
    if (text === undefined) throw new Error(`no file ${file}`);
    return text.split('\n');
  }

  private ref(file: string, index: number): string {
    return `\`${file}:${index + 1}\``;
  }

  /** The nth line holding `needle` inside one object of a kubectl List. */
  obj(file: string, ns: string | undefined, name: string, needle: string, nth = 1): string {
    const kind = FILE_OF[file]!;
    const index = this.b.items(kind).findIndex((o) => o.metadata.name === name && o.metadata.namespace === ns);
    if (index < 0) throw new Error(`${file}: no ${ns}/${name}`);
    const lines = this.lines(file);
    const start = file.endsWith('.json') ? /^ {8}\{$/ : /^- /;
    const starts = lines.flatMap((l, i) => (start.test(l) ? [i] : []));
    const from = starts[index]!;
    const to = starts[index + 1] ?? lines.length;
    let seen = 0;
    for (let i = from; i < to; i++) if (lines[i]!.includes(needle) && ++seen === nth) return this.ref(file, i);
    throw new Error(`${file}: ${ns}/${name} has no line with ${needle}`);
  }

  /** The table row whose leading cells are `cells`. */
  row(file: string, ...cells: string[]): string {
    const lines = this.lines(file);
    const table = file.includes('ztunnel-config-service') ? this.b.zs : file.includes('ztunnel-config-workload') ? this.b.zw : this.b.ps;
    const i = table.rows.findIndex((r) => cells.every((c, j) => r[j] === c));
    if (i < 0) throw new Error(`${file}: no row ${cells.join(' ')}`);
    if (!lines[i + 1]!.includes(cells[cells.length - 1]!)) throw new Error(`${file}: row ${i} is not ${cells.join(' ')}`);
    return this.ref(file, i + 1);
  }

  /** The first line holding `needle` after the nth line holding `anchor`. */
  after(file: string, anchor: string, needle: string, nth = 1): string {
    const lines = this.lines(file);
    let seen = 0;
    const from = lines.findIndex((l) => l.includes(anchor) && ++seen === nth);
    if (from < 0) throw new Error(`${file}: no line with ${anchor}`);
    for (let i = from; i < lines.length; i++) if (lines[i]!.includes(needle)) return this.ref(file, i);
    throw new Error(`${file}: no line with ${needle} after ${anchor}`);
  }

  /** The nth line that is exactly `text` once indentation is removed. */
  exact(file: string, text: string, nth = 1): string {
    let seen = 0;
    const lines = this.lines(file);
    for (let i = 0; i < lines.length; i++) if (lines[i]!.trim() === text && ++seen === nth) return this.ref(file, i);
    throw new Error(`${file}: no line ${text}`);
  }

  /** The route named `route` in the inline route config of filter chain `chain` (a config dump). */
  route(file: string, chain: string, route: string): string {
    const lines = this.lines(file);
    const from = lines.findIndex((l, i) => l.trim() === `"name": "${chain}",` && lines[i + 1]?.includes('"virtual_hosts"'));
    if (from < 0) throw new Error(`${file}: no route config ${chain}`);
    for (let i = from; i < lines.length; i++) if (lines[i]!.trim().startsWith(`"name": "${route}"`)) return this.ref(file, i);
    throw new Error(`${file}: no route ${route} in ${chain}`);
  }

  /** How many lines hold `needle`. */
  count(file: string, needle: string): number {
    return this.lines(file).filter((l) => l.includes(needle)).length;
  }

  line(file: string, needle: string, nth = 1): string {
    let seen = 0;
    const lines = this.lines(file);
    for (let i = 0; i < lines.length; i++) if (lines[i]!.includes(needle) && ++seen === nth) return this.ref(file, i);
    throw new Error(`${file}: no line with ${needle}`);
  }
}

// =====================================================================================================
// Scenarios
// =====================================================================================================

export interface Scenario {
  name: string;
  /** Rule ids that must fail with severity error or warning. */
  expected: string[];
  title: string;
  /** Edits the objects, tables and traffic; dumps and logs are then regenerated from them. */
  build(b: Bundle): void;
  /** Edits the regenerated dumps and logs as data, when the fault lives in them. */
  edit?(b: Bundle): void;
  doc(r: Refs, b: Bundle): string[];
}

export const SVC = 'kubectl/services.json';
export const PODS = 'kubectl/pods.json';
export const GWS = 'kubectl/gateways.yaml';
export const DEPS = 'kubectl/deployments.json';
export const NSS = 'kubectl/namespaces.yaml';
export const ZS = 'istioctl/ztunnel-config-service.txt';
export const ZW = 'istioctl/ztunnel-config-workload.txt';
export const PS = 'istioctl/proxy-status.txt';
export const AN = 'istioctl/analyze.txt';
export const VER = 'istioctl/version.txt';
export const VERJ = 'istioctl/version.json';
