/**
 * Builds one scenario bundle per rule under samples/scenarios/<name>/: a copy of samples/bookinfo-ambient
 * (the healthy Istio 1.26.2 cluster) with the few edits a real cluster would show for that fault, in every
 * file that would show it. Objects are edited as data and written back the way the tools print them:
 * kubectl JSON (keys sorted, 4-space indent, Go's HTML escaping), kubectl YAML (go-yaml v2 style: sorted
 * keys, sequences not indented, no line wrapping), Go tabwriter tables re-rendered from their rows, and
 * `istioctl version -o json` (2-space indent, struct order). Also writes samples/scenarios/expected.json
 * and a scenario.md per folder whose line numbers are computed from the files as written.
 *
 * Run with `npx tsx scripts/make-scenarios.ts`. The output is deterministic: ids, hashes and container ids
 * are derived from fixed seeds, so a re-run rewrites the same bytes.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type K = any;

const SAMPLES = fileURLToPath(new URL('../samples/', import.meta.url));
const BASE = join(SAMPLES, 'bookinfo-ambient');
const OUT = join(SAMPLES, 'scenarios');

// =====================================================================================================
// Serializers
// =====================================================================================================

/** Go's encoding/json escapes these even inside strings; they only ever occur inside strings. */
function goEscape(text: string): string {
  return text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function sortKeysDeep(value: K): K {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value && typeof value === 'object') {
    const out: K = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeysDeep(value[key]);
    return out;
  }
  return value;
}

/** `kubectl get -o json`: unstructured objects, so every map's keys are sorted; 4-space indent. */
export function kubectlJson(value: K): string {
  return goEscape(JSON.stringify(sortKeysDeep(value), null, 4)) + '\n';
}

/** `istioctl version -o json`: json.MarshalIndent(v, "", "  ") of Go structs (field order kept). */
function istioctlJson(value: K): string {
  return goEscape(JSON.stringify(value, null, 2)) + '\n';
}

// ---- go-yaml v2 (what kubectl -o yaml prints through sigs.k8s.io/yaml) ---------------------------------

const isLetter = (c: string) => /\p{L}/u.test(c);
const isDigit = (c: string) => c >= '0' && c <= '9';

/** yaml.v2 keyList.Less: letters after non-letters, digit runs compared as numbers. */
function goYamlKeyCompare(a: string, b: string): number {
  const ar = [...a];
  const br = [...b];
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ac = ar[i]!;
    const bc = br[i]!;
    if (ac === bc) continue;
    const al = isLetter(ac);
    const bl = isLetter(bc);
    if (al && bl) return ac < bc ? -1 : 1;
    if (al || bl) return bl ? -1 : 1;
    let an = 0;
    let bn = 0;
    if (ac === '0' || bc === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]!); j--) {
        if (ar[j] !== '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    let bi = i;
    for (; ai < ar.length && isDigit(ar[ai]!); ai++) an = an * 10 + (ar[ai]!.charCodeAt(0) - 48);
    for (; bi < br.length && isDigit(br[bi]!); bi++) bn = bn * 10 + (br[bi]!.charCodeAt(0) - 48);
    if (an !== bn) return an < bn ? -1 : 1;
    if (ai !== bi) return ai < bi ? -1 : 1;
    return ac < bc ? -1 : 1;
  }
  return ar.length - br.length;
}

const YAML11_SPECIAL = new Set([
  'y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no', 'No', 'NO', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE',
  'on', 'On', 'ON', 'off', 'Off', 'OFF', '', '~', 'null', 'Null', 'NULL', '.nan', '.NaN', '.NAN', '.inf', '.Inf',
  '.INF', '+.inf', '+.Inf', '+.INF', '-.inf', '-.Inf', '-.INF', '<<',
]);

/** Whether yaml.v2's resolve() would read the plain scalar as something other than a string. */
function resolvesToNonString(s: string): boolean {
  if (YAML11_SPECIAL.has(s)) return true;
  const c = s[0]!;
  if (c === '.') return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(s);
  if (!(isDigit(c) || c === '+' || c === '-')) return false;
  if (/^\d{4}-\d{1,2}-\d{1,2}(([Tt]\d{1,2}:\d{1,2}:\d{1,2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))|( \d{1,2}:\d{1,2}:\d{1,2}(\.\d+)?))?$/.test(s)) return true;
  const plain = s.replace(/_/g, '');
  if (/^[-+]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[0-9]+)$/.test(plain)) return true;
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(plain)) return true;
  if (/^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/.test(s)) return true; // base 60 float
  return false;
}

const isPrintable = (code: number) =>
  code === 0x0a || (code >= 0x20 && code <= 0x7e) || code === 0x85 || (code >= 0xa0 && code <= 0xd7ff) ||
  (code >= 0xe000 && code <= 0xfffd && code !== 0xfeff) || (code >= 0x10000 && code <= 0x10ffff);

/** libyaml's yaml_emitter_analyze_scalar, block context only. */
function analyzeScalar(s: string) {
  let blockIndicators = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  let lineBreaks = false;
  let special = false;
  const chars = [...s];
  if (s.startsWith('---') || s.startsWith('...')) blockIndicators = true;
  let precededByWhitespace = true;
  let followedByWhitespace = chars.length <= 1 || /[\s]/.test(chars[1]!);
  chars.forEach((ch, i) => {
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) blockIndicators = true;
      if ((ch === '?' || ch === ':') && followedByWhitespace) blockIndicators = true;
      if (ch === '-' && followedByWhitespace) blockIndicators = true;
    } else {
      if (ch === ':' && followedByWhitespace) blockIndicators = true;
      if (ch === '#' && precededByWhitespace) blockIndicators = true;
    }
    if (!isPrintable(ch.codePointAt(0)!)) special = true;
    if (ch === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (ch === '\n') {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousBreak = true;
      previousSpace = false;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = /[\s]/.test(ch);
    followedByWhitespace = i + 2 >= chars.length || /[\s]/.test(chars[i + 2]!);
  });
  let blockPlain = true;
  let singleQuoted = true;
  let block = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlain = false;
  if (trailingSpace) block = false;
  if (breakSpace) blockPlain = singleQuoted = false;
  if (spaceBreak || special) blockPlain = singleQuoted = block = false;
  if (lineBreaks) blockPlain = false;
  if (blockIndicators) blockPlain = false;
  return { blockPlain, singleQuoted, block };
}

function doubleQuoted(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (!isPrintable(code) || code === 0xfeff) out += code <= 0xff ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}` : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}

/** One string scalar: inline text, or a literal block (first line `|`/`|-`/`|+`, then the content lines). */
function yamlString(s: string, isKey: boolean): { inline: string } | { header: string; lines: string[] } {
  if (s.includes('\n')) {
    const a = analyzeScalar(s);
    if (!isKey && a.block) {
      const trailing = /\n+$/.exec(s)?.[0].length ?? 0;
      const chomp = trailing === 0 ? '-' : trailing > 1 || s.length === trailing ? '+' : '';
      const indentHint = s[0] === ' ' || s[0] === '\n' ? '2' : '';
      const body = trailing ? s.slice(0, s.length - 1) : s;
      return { header: `|${indentHint}${chomp}`, lines: body.split('\n') };
    }
    return { inline: doubleQuoted(s) };
  }
  if (resolvesToNonString(s)) return { inline: doubleQuoted(s) };
  const a = analyzeScalar(s);
  if (a.blockPlain) return { inline: s };
  if (a.singleQuoted) return { inline: `'${s.replace(/'/g, "''")}'` };
  return { inline: doubleQuoted(s) };
}

function scalarText(value: K): string | undefined {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return String(value);
  return undefined;
}

function emitYamlValue(value: K, indent: number, out: string[], prefix: string): void {
  const pad = ' '.repeat(indent);
  const scalar = scalarText(value);
  if (scalar !== undefined) {
    out.push(`${prefix} ${scalar}`);
    return;
  }
  if (typeof value === 'string') {
    const s = yamlString(value, false);
    if ('inline' in s) out.push(`${prefix} ${s.inline}`);
    else {
      out.push(`${prefix} ${s.header}`);
      for (const line of s.lines) out.push(line === '' ? '' : `${pad}  ${line}`);
    }
    return;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) out.push(`${prefix} []`);
    else {
      out.push(prefix);
      emitYamlSequence(value, indent, out);
    }
    return;
  }
  if (Object.keys(value).length === 0) out.push(`${prefix} {}`);
  else {
    out.push(prefix);
    emitYamlMapping(value, indent + 2, out);
  }
}

function emitYamlMapping(obj: K, indent: number, out: string[]): void {
  const pad = ' '.repeat(indent);
  for (const key of Object.keys(obj).sort(goYamlKeyCompare)) {
    const k = yamlString(key, true);
    emitYamlValue(obj[key], indent, out, `${pad}${'inline' in k ? k.inline : key}:`);
  }
}

function emitYamlSequence(items: K[], indent: number, out: string[]): void {
  const pad = ' '.repeat(indent);
  for (const item of items) {
    if (item && typeof item === 'object' && !Array.isArray(item) && Object.keys(item).length > 0) {
      const sub: string[] = [];
      emitYamlMapping(item, indent + 2, sub);
      sub[0] = `${pad}- ${sub[0]!.slice(indent + 2)}`;
      out.push(...sub);
    } else if (Array.isArray(item) && item.length > 0) {
      const sub: string[] = [];
      emitYamlSequence(item, indent + 2, sub);
      sub[0] = `${pad}- ${sub[0]!.slice(indent + 2)}`;
      out.push(...sub);
    } else {
      const lines: string[] = [];
      emitYamlValue(item, indent, lines, `${pad}-`);
      out.push(...lines);
    }
  }
}

/** `kubectl get -o yaml`. */
export function kubectlYaml(value: K): string {
  const out: string[] = [];
  emitYamlMapping(value, 0, out);
  return out.join('\n') + '\n';
}

function loadYaml(text: string): K {
  // CORE_SCHEMA: timestamps stay strings, as kubectl means them.
  return yaml.load(text, { schema: yaml.CORE_SCHEMA });
}

// ---- Go tabwriter ----------------------------------------------------------------------------------

interface Table {
  columns: string[];
  rows: string[][];
  padding: number;
}

/** Cuts rows at the header labels' offsets (real tabwriter output: columns start at the same offset). */
function parseTable(text: string, columns: string[], padding: number): Table {
  const lines = text.replace(/\n$/, '').split('\n');
  const header = lines[0]!;
  const starts: number[] = [];
  let from = 0;
  for (const c of columns) {
    const at = header.indexOf(c, from);
    if (at < 0) throw new Error(`column ${c} not in header ${header}`);
    starts.push(at);
    from = at + c.length;
  }
  const rows = lines.slice(1).map((line) => {
    const chars = [...line];
    return starts.map((s, i) => chars.slice(s, i + 1 < starts.length ? starts[i + 1] : undefined).join('').trimEnd());
  });
  return { columns, rows, padding };
}

function renderTable(t: Table): string {
  const all = [t.columns, ...t.rows];
  const width = (s: string) => [...s].length;
  const widths = t.columns.map((_, i) => Math.max(...all.map((r) => width(r[i]!))) + t.padding);
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - width(c)))).join('')).join('\n') + '\n';
}

const ZS_COLUMNS = ['NAMESPACE', 'SERVICE NAME', 'SERVICE VIP', 'WAYPOINT', 'ENDPOINTS'];
const ZW_COLUMNS = ['NAMESPACE', 'POD NAME', 'ADDRESS', 'NODE', 'WAYPOINT', 'PROTOCOL'];

// =====================================================================================================
// Deterministic ids
// =====================================================================================================

function digest(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

function uuid(seed: string): string {
  const h = digest(`uid:${seed}`);
  const variant = '89ab'[parseInt(h[16]!, 16) % 4];
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Kubernetes' SafeEncodeString alphabet: pod-template-hash and generated name suffixes. */
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';
function safeString(seed: string, length: number): string {
  const h = digest(`safe:${seed}`);
  let out = '';
  for (let i = 0; i < length; i++) out += SAFE[parseInt(h.slice(i * 2, i * 2 + 2), 16) % SAFE.length];
  return out;
}

const containerId = (seed: string) => `containerd://${digest(`cid:${seed}`)}`;
const imageDigest = (seed: string) => digest(`img:${seed}`);

// =====================================================================================================
// The bundle model
// =====================================================================================================

const KUBE_JSON = [
  'authorizationpolicies', 'deployments', 'destinationrules', 'grpcroutes', 'httproutes', 'pods', 'serviceentries',
  'services', 'virtualservices', 'workloadentries',
] as const;
const KUBE_YAML = ['gatewayclasses', 'gateways', 'namespaces'] as const;
type KubeFile = (typeof KUBE_JSON)[number] | (typeof KUBE_YAML)[number];

/** Byte order, as Go's sort.Strings and the API server's key order. */
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const LEVEL_RANK: Record<string, number> = { Error: 0, Warning: 1, Info: 2 };
const NO_ISSUES = '\n✔ No validation issues found when analyzing all namespaces.\n';

class Bundle {
  kube = {} as Record<KubeFile, K>;
  ps: Table;
  zs: Table;
  zw: Table;
  analyze: string[];
  version: K;
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
    this.analyze = analyze === NO_ISSUES ? [] : analyze.replace(/\n$/, '').split('\n');
    this.version = JSON.parse(readFileSync(join(dir, 'istioctl/version.json'), 'utf8'));
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
    files.set('istioctl/analyze.txt', sorted.length ? sorted.join('\n') + '\n' : NO_ISSUES);
    files.set('istioctl/version.txt', this.versionText());
    files.set('istioctl/version.json', istioctlJson(this.version));
    for (const [path, text] of this.extra) files.set(path, text);
    return files;
  }
}


// =====================================================================================================
// Editing helpers: each keeps the files of one cluster consistent with each other
// =====================================================================================================

const clone = <T>(value: T): T => structuredClone(value);

/** The healthy capture: `SYNCED (14m)` counts from istiod's last push, at 09:24:41 (AuthorizationPolicy productpage-viewer). */
const at = (hms: string) => `2025-10-14T${hms}Z`;

function plus(ts: string, seconds: number): string {
  return new Date(Date.parse(ts) + seconds * 1000).toISOString().replace('.000Z', 'Z');
}

const NODE_IP: Record<string, string> = { 'k3d-k3s-default-server-0': '172.18.0.2', 'k3d-k3s-default-agent-0': '172.18.0.3' };
const SERVER = 'k3d-k3s-default-server-0';
const AGENT = 'k3d-k3s-default-agent-0';

const USE_WAYPOINT = 'istio.io/use-waypoint';
const WAYPOINT_FOR = 'istio.io/waypoint-for';
const WAYPOINT_BOUND = 'istio.io/WaypointBound';

function waypointBound(object: K, status: 'True' | 'False', reason: string, message: string, since: string): void {
  object.status.conditions = [{ lastTransitionTime: since, message, reason, status, type: WAYPOINT_BOUND }];
}

/** What istiod writes when a binding fails, and the IST0171 line `istioctl analyze` prints for it. */
function bindingFailed(b: Bundle, svc: K, reason: string, message: string, since: string): void {
  waypointBound(svc, 'False', reason, message, since);
  b.addAnalyze('Warning', 'IST0171', `Service ${svc.metadata.namespace}/${svc.metadata.name}`,
    `A condition with a negative status is present: type=${WAYPOINT_BOUND}, reason=${reason}, message=${message}.`);
  b.setServiceWaypoint(svc.metadata.namespace, svc.metadata.name, 'None');
}

const notReady = (ns: string, name: string) => `waypoint "${ns}/${name}" is not ready`;

/** productpage-viewer targets Service productpage: once that Service has no waypoint, istiod says so on the policy. */
function policyAncestorNotBound(b: Bundle): void {
  const ap = b.get('authorizationpolicies', 'default', 'productpage-viewer');
  const message = 'Service default/productpage is not bound to a waypoint';
  Object.assign(ap.status.conditions[0], { message, reason: 'AncestorNotBound', status: 'False' });
  b.addAnalyze('Warning', 'IST0171', 'AuthorizationPolicy default/productpage-viewer',
    `A condition with a negative status is present: type=WaypointAccepted, reason=AncestorNotBound, message=${message}.`);
}

/** Services of `default` that get their waypoint from the namespace label (not a waypoint's own Service). */
function namespaceBoundServices(b: Bundle): K[] {
  return b.items('services').filter((s) => s.metadata.namespace === 'default' && !s.metadata.labels?.[USE_WAYPOINT] &&
    s.metadata.labels?.['gateway.istio.io/managed'] !== 'istio.io-mesh-controller');
}

/** Objects changed at 09:23, after the waypoints (2087) and before productpage-viewer (2152). */
let resourceVersion = 2095;
const nextRv = () => String(resourceVersion++);

function lastApplied(manifest: K): string {
  return JSON.stringify(sortKeysDeep(manifest)) + '\n';
}

/** A pod created at `created` that became Ready at `ready`: what the kubelet writes. */
function podStatusTimes(pod: K, created: string, ready: string): void {
  const times: Record<string, string> = {
    PodReadyToStartContainers: plus(created, 2), Initialized: created, Ready: ready, ContainersReady: ready, PodScheduled: created,
  };
  for (const c of pod.status.conditions) c.lastTransitionTime = times[c.type] ?? c.lastTransitionTime;
  pod.status.startTime = created;
  for (const cs of pod.status.containerStatuses) {
    cs.containerID = containerId(`${pod.metadata.namespace}/${pod.metadata.name}/${cs.name}`);
    if (cs.state.running) cs.state.running.startedAt = plus(ready, -1);
  }
}

function placePod(pod: K, node: string, ip: string): void {
  pod.spec.nodeName = node;
  pod.status.hostIP = NODE_IP[node];
  pod.status.hostIPs = [{ ip: NODE_IP[node] }];
  pod.status.podIP = ip;
  pod.status.podIPs = [{ ip }];
  if (pod.spec.affinity?.nodeAffinity) pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].values = [node];
}

/** Renames the projected service-account token volume, as every new pod gets its own. */
function renameTokenVolume(pod: K, seed: string): void {
  const old = pod.spec.volumes.find((v: K) => v.name.startsWith('kube-api-access-'))?.name;
  if (!old) return;
  const fresh = `kube-api-access-${safeString(seed, 5)}`;
  const fix = (list: K[] | undefined) => list?.forEach((m) => { if (m.name === old) m.name = fresh; });
  fix(pod.spec.volumes);
  for (const c of [...pod.spec.containers, ...(pod.spec.initContainers ?? [])]) fix(c.volumeMounts);
  for (const cs of [...pod.status.containerStatuses, ...(pod.status.initContainerStatuses ?? [])]) fix(cs.volumeMounts);
}

interface NewPod {
  deployment: string;
  /** Fixed pod-template-hash and name suffix, when a scenario needs a known pod name. */
  hash?: string;
  suffix?: string;
  namespace?: string;
  node: string;
  ip: string;
  created: string;
  ready: string;
}

/** A new pod of a Deployment's new ReplicaSet, cloned from `template` (a pod of the same shape). */
function newPod(template: K, p: NewPod): K {
  const ns = p.namespace ?? template.metadata.namespace;
  const hash = p.hash ?? safeString(`rs:${ns}/${p.deployment}/${p.created}`, 10);
  const name = `${p.deployment}-${hash}-${p.suffix ?? safeString(`pod:${ns}/${p.deployment}/${p.created}`, 5)}`;
  const pod = clone(template);
  const m = pod.metadata;
  m.name = name;
  m.namespace = ns;
  m.generateName = `${p.deployment}-${hash}-`;
  m.labels['pod-template-hash'] = hash;
  m.uid = uuid(`pod:${ns}/${name}`);
  m.resourceVersion = nextRv();
  m.creationTimestamp = p.created;
  m.ownerReferences = [{ ...m.ownerReferences[0], name: `${p.deployment}-${hash}`, uid: uuid(`rs:${ns}/${p.deployment}-${hash}`) }];
  renameTokenVolume(pod, name);
  placePod(pod, p.node, p.ip);
  podStatusTimes(pod, p.created, p.ready);
  return pod;
}

/** A Deployment rolled to a new ReplicaSet (new pod template): generation and revision move on. */
function rollDeployment(dep: K, pod: K, ready: string): void {
  dep.metadata.generation += 1;
  const rev = Number(dep.metadata.annotations['deployment.kubernetes.io/revision']) + 1;
  dep.metadata.annotations['deployment.kubernetes.io/revision'] = String(rev);
  dep.metadata.resourceVersion = nextRv();
  dep.status.observedGeneration = dep.metadata.generation;
  const progressing = dep.status.conditions.find((c: K) => c.type === 'Progressing');
  progressing.lastUpdateTime = ready;
  progressing.message = `ReplicaSet "${pod.metadata.ownerReferences[0].name}" has successfully progressed.`;
}

/** A Deployment whose only pod is not ready. */
function deploymentUnavailable(dep: K, since: string): void {
  delete dep.status.availableReplicas;
  delete dep.status.readyReplicas;
  dep.status.unavailableReplicas = 1;
  dep.metadata.resourceVersion = nextRv();
  const available = dep.status.conditions.find((c: K) => c.type === 'Available');
  Object.assign(available, {
    lastTransitionTime: since, lastUpdateTime: since, message: 'Deployment does not have minimum availability.',
    reason: 'MinimumReplicasUnavailable', status: 'False',
  });
}

/** Replaces a proxy pod everywhere a proxy appears: pods.json, proxy-status, version.json, ztunnel workloads. */
function replaceProxyPod(b: Bundle, oldPod: K, pod: K): void {
  const ns = oldPod.metadata.namespace;
  b.remove('pods', ns, oldPod.metadata.name);
  b.add('pods', pod);
  b.renameProxy(`${oldPod.metadata.name}.${ns}`, `${pod.metadata.name}.${ns}`);
  const row = b.zwRow(ns, oldPod.metadata.name);
  row[1] = pod.metadata.name;
  row[2] = pod.status.podIP;
  row[3] = pod.spec.nodeName;
}

/**
 * The Gateway's `istio.io/waypoint-for` label changed: istiod copies Gateway labels to the waypoint's
 * Deployment (template too) and Service, so the Deployment rolls and the waypoint pod is replaced.
 */
function relabelWaypointFor(b: Bundle, gwName: string, value: string, changed: string, ip: string): K {
  const gw = b.get('gateways', 'default', gwName);
  gw.metadata.labels = { ...gw.metadata.labels, [WAYPOINT_FOR]: value };
  gw.metadata.resourceVersion = nextRv();
  const svc = b.get('services', 'default', gwName);
  svc.metadata.labels[WAYPOINT_FOR] = value;
  svc.metadata.resourceVersion = nextRv();
  const dep = b.get('deployments', 'default', gwName);
  dep.metadata.labels[WAYPOINT_FOR] = value;
  dep.spec.template.metadata.labels[WAYPOINT_FOR] = value;
  const old = b.items('pods').find((p) => p.metadata.labels['gateway.networking.k8s.io/gateway-name'] === gwName);
  const ready = plus(changed, 5);
  const pod = newPod(old, { deployment: gwName, node: old.spec.nodeName, ip, created: plus(changed, 1), ready });
  pod.metadata.labels[WAYPOINT_FOR] = value;
  rollDeployment(dep, pod, ready);
  replaceProxyPod(b, old, pod);
  return pod;
}

/** Maps every string value of an object (deeply). */
function mapStrings(value: K, f: (s: string) => string): K {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f));
  if (value && typeof value === 'object') {
    const out: K = {};
    for (const [k, v] of Object.entries(value)) out[k] = mapStrings(v, f);
    return out;
  }
  return value;
}

/** A waypoint named `name` in `ns`, as istiod deploys it: Gateway-owned Service, Deployment and pod. */
function deployWaypoint(b: Bundle, ns: string, name: string, gw: K, vip: string, pod: NewPod): K {
  const rename = (s: string) =>
    s === 'waypoint' ? name
      : s === 'waypoint.$(POD_NAMESPACE)' ? `${name}.$(POD_NAMESPACE)`
        : s === 'kubernetes://apis/apps/v1/namespaces/default/deployments/waypoint' ? `kubernetes://apis/apps/v1/namespaces/${ns}/deployments/${name}`
          : s;
  const owner = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', name, uid: gw.metadata.uid };
  // `proxy waypoint` is the proxy type, not the Gateway's name.
  const proxyType = (podSpec: K) => { podSpec.containers[0].args[1] = 'waypoint'; };

  const svc = mapStrings(clone(b.get('services', 'default', 'waypoint')), rename);
  Object.assign(svc.metadata, { namespace: ns, creationTimestamp: plus(pod.created, -1), resourceVersion: nextRv(), uid: uuid(`svc:${ns}/${name}`), ownerReferences: [owner] });
  svc.spec.clusterIP = vip;
  svc.spec.clusterIPs = [vip];
  b.add('services', svc);

  const dep = mapStrings(clone(b.get('deployments', 'default', 'waypoint')), rename);
  Object.assign(dep.metadata, { namespace: ns, creationTimestamp: plus(pod.created, -1), resourceVersion: nextRv(), uid: uuid(`deploy:${ns}/${name}`), ownerReferences: [owner] });
  proxyType(dep.spec.template.spec);
  const p = newPod(mapStrings(clone(b.items('pods').find((x) => x.metadata.name.startsWith('waypoint-'))), rename), { ...pod, namespace: ns });
  proxyType(p.spec);
  const times = dep.status.conditions;
  times.find((c: K) => c.type === 'Available').lastTransitionTime = pod.ready;
  times.find((c: K) => c.type === 'Available').lastUpdateTime = pod.ready;
  Object.assign(times.find((c: K) => c.type === 'Progressing'), {
    lastTransitionTime: dep.metadata.creationTimestamp, lastUpdateTime: pod.ready,
    message: `ReplicaSet "${p.metadata.ownerReferences[0].name}" has successfully progressed.`,
  });
  b.add('deployments', dep);
  b.add('pods', p);
  return p;
}

const WAYPOINT_PS = (id: string, istiod = 'istiod-nd49fnlq5d-mnsrx', eds = 'IGNORED') =>
  [id, 'Kubernetes', 'SYNCED (14m)', 'SYNCED (14m)', eds, 'IGNORED', 'IGNORED', istiod, '1.26.2'];

/** A waypoint Gateway as `kubectl apply` leaves it once istiod reconciled it and its pod became ready. */
function waypointGateway(b: Bundle, ns: string, name: string, listener: K, created: string, ready: string): K {
  const gw = clone(b.get('gateways', 'default', 'waypoint'));
  const applied = { apiVersion: gw.apiVersion, kind: 'Gateway', metadata: { annotations: {}, name, namespace: ns }, spec: { gatewayClassName: 'istio-waypoint', listeners: [listener] } };
  gw.metadata = {
    annotations: { 'gateway.istio.io/controller-version': '5', 'kubectl.kubernetes.io/last-applied-configuration': lastApplied(applied) },
    creationTimestamp: created, generation: 1, name, namespace: ns, resourceVersion: nextRv(), uid: uuid(`gw:${ns}/${name}`),
  };
  // The CRD defaults an omitted allowedRoutes to `namespaces: {from: Same}`.
  gw.spec.listeners = [{ allowedRoutes: { namespaces: { from: 'Same' } }, ...listener }];
  gw.status.addresses = [{ type: 'Hostname', value: `${name}.${ns}.svc.cluster.local` }];
  for (const c of gw.status.conditions) c.lastTransitionTime = c.type === 'Programmed' ? ready : plus(created, 1);
  gw.status.conditions.find((c: K) => c.type === 'Programmed').message = `Resource programmed, assigned to service(s) ${name}.${ns}.svc.cluster.local:15008`;
  for (const c of gw.status.listeners[0].conditions) c.lastTransitionTime = plus(created, 1);
  return b.add('gateways', gw);
}

function addNamespace(b: Bundle, name: string, created: string, labels: Record<string, string>): void {
  b.add('namespaces', {
    apiVersion: 'v1', kind: 'Namespace',
    metadata: { creationTimestamp: created, labels: { ...labels, 'kubernetes.io/metadata.name': name }, name, resourceVersion: nextRv(), uid: uuid(`ns:${name}`) },
    spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' },
  });
}

/** `kubectl apply` of a one-container Deployment like sleep's, and the pod it runs. */
function clientDeployment(b: Bundle, ns: string, name: string, created: string, ready: string, node: string, ip: string, podLabels: Record<string, string>, podName?: { hash: string; suffix: string }): { dep: K; pod: K } {
  const dep = clone(b.get('deployments', 'default', 'sleep'));
  const applied = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { annotations: {}, labels: { app: name }, name, namespace: ns },
    spec: {
      replicas: 1, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name, ...podLabels } }, spec: { containers: [{ command: ['/bin/sleep', 'infinity'], image: 'curlimages/curl', imagePullPolicy: 'IfNotPresent', name: 'curl' }], serviceAccountName: name } },
    },
  };
  dep.metadata = {
    annotations: { 'deployment.kubernetes.io/revision': '1', 'kubectl.kubernetes.io/last-applied-configuration': lastApplied(applied) },
    creationTimestamp: created, generation: 1, labels: { app: name }, name, namespace: ns, resourceVersion: nextRv(), uid: uuid(`deploy:${ns}/${name}`),
  };
  dep.spec.selector.matchLabels = { app: name };
  dep.spec.template.metadata.labels = { app: name, ...podLabels };
  const tpl = dep.spec.template.spec;
  tpl.containers = [{ ...tpl.containers[0], name: 'curl', volumeMounts: undefined }];
  delete tpl.containers[0].volumeMounts;
  delete tpl.volumes;
  tpl.serviceAccount = tpl.serviceAccountName = name;

  const sleepPod = b.items('pods').find((p) => p.metadata.name.startsWith('sleep-'));
  const pod = newPod(sleepPod, { deployment: name, namespace: ns, node, ip, created: plus(created, 1), ready, ...podName });
  delete pod.metadata.annotations;
  pod.metadata.labels = { app: name, ...podLabels, 'pod-template-hash': pod.metadata.labels['pod-template-hash'] };
  const c = pod.spec.containers[0];
  c.name = 'curl';
  c.volumeMounts = c.volumeMounts.filter((m: K) => m.name !== 'secret-volume');
  pod.spec.volumes = pod.spec.volumes.filter((v: K) => v.name !== 'secret-volume');
  pod.spec.serviceAccount = pod.spec.serviceAccountName = name;
  const cs = pod.status.containerStatuses[0];
  cs.name = 'curl';
  cs.volumeMounts = cs.volumeMounts.filter((m: K) => m.name !== 'secret-volume');
  cs.containerID = containerId(`${ns}/${pod.metadata.name}/curl`);

  const progressing = dep.status.conditions.find((x: K) => x.type === 'Progressing');
  Object.assign(progressing, { lastTransitionTime: created, lastUpdateTime: ready, message: `ReplicaSet "${pod.metadata.ownerReferences[0].name}" has successfully progressed.` });
  Object.assign(dep.status.conditions.find((x: K) => x.type === 'Available'), { lastTransitionTime: ready, lastUpdateTime: ready });
  b.add('deployments', dep);
  b.add('pods', pod);
  return { dep, pod };
}

// =====================================================================================================
// Line references for scenario.md, computed from the files as written
// =====================================================================================================

const FILE_OF: Record<string, KubeFile> = {};
for (const f of KUBE_JSON) FILE_OF[`kubectl/${f}.json`] = f;
for (const f of KUBE_YAML) FILE_OF[`kubectl/${f}.yaml`] = f;

class Refs {
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

interface Scenario {
  name: string;
  /** Rule ids that must fail with severity error or warning. */
  expected: string[];
  title: string;
  build(b: Bundle): void;
  doc(r: Refs, b: Bundle): string[];
}

const SVC = 'kubectl/services.json';
const PODS = 'kubectl/pods.json';
const GWS = 'kubectl/gateways.yaml';
const DEPS = 'kubectl/deployments.json';
const NSS = 'kubectl/namespaces.yaml';
const ZS = 'istioctl/ztunnel-config-service.txt';
const ZW = 'istioctl/ztunnel-config-workload.txt';
const PS = 'istioctl/proxy-status.txt';
const AN = 'istioctl/analyze.txt';
const VER = 'istioctl/version.txt';
const VERJ = 'istioctl/version.json';

const waypointPodName = (b: Bundle, gw: string, ns = 'default') =>
  b.items('pods').find((p) => p.metadata.namespace === ns && p.metadata.labels['gateway.networking.k8s.io/gateway-name'] === gw).metadata.name;

/** WP005 / WP006: the service waypoint relabelled so it no longer takes service traffic. */
function serviceWaypointRelabelled(b: Bundle, value: string): void {
  relabelWaypointFor(b, 'reviews-svc-waypoint', value, at('09:23:41'), '10.42.0.17');
  const reviews = b.get('services', 'default', 'reviews');
  reviews.metadata.resourceVersion = nextRv();
  bindingFailed(b, reviews, 'UnsupportedTrafficType',
    'attempting to bind to traffic type "service" which the waypoint "default/reviews-svc-waypoint" does not support', at('09:23:43'));
  // No service is bound to it any more, so the waypoint has no EDS clusters left to subscribe to.
  b.psRow(`${waypointPodName(b, 'reviews-svc-waypoint')}.default`)[4] = 'IGNORED';
}

function serviceWaypointRelabelledDoc(r: Refs, b: Bundle, value: string, why: string): string[] {
  const pod = waypointPodName(b, 'reviews-svc-waypoint');
  return [
    `- The Gateway \`default/reviews-svc-waypoint\` has the label \`istio.io/waypoint-for: ${value}\` (${r.obj(GWS, 'default', 'reviews-svc-waypoint', 'istio.io/waypoint-for')}). ${why}`,
    `- Service \`default/reviews\` still asks for it: \`istio.io/use-waypoint: reviews-svc-waypoint\` (${r.obj(SVC, 'default', 'reviews', USE_WAYPOINT)}).`,
    `- istiod refuses the binding: \`istio.io/WaypointBound\` is \`"False"\` (${r.obj(SVC, 'default', 'reviews', '"status": "False"')}) with reason \`UnsupportedTrafficType\` (${r.obj(SVC, 'default', 'reviews', 'UnsupportedTrafficType')}); \`istioctl analyze\` reports it as IST0171 (${r.line(AN, 'Service default/reviews')}).`,
    `- ztunnel shows WAYPOINT \`None\` for \`reviews\` (${r.row(ZS, 'default', 'reviews')}), so calls to reviews skip every waypoint.`,
    `- istiod copied the new label to the waypoint's Service (${r.obj(SVC, 'default', 'reviews-svc-waypoint', 'istio.io/waypoint-for')}) and Deployment (${r.obj(DEPS, 'default', 'reviews-svc-waypoint', 'istio.io/waypoint-for')}), so the waypoint pod was replaced: \`${pod}\` (${r.obj(PODS, 'default', pod, '"name": "' + pod)}), in proxy-status at ${r.row(PS, `${pod}.default`)}. With no service bound, its EDS is \`IGNORED\`.`,
  ];
}

/** WP008 / WP009: a shared waypoint in namespace `infra`. */
function sharedWaypoint(b: Bundle, allowAll: boolean): void {
  addNamespace(b, 'infra', at('09:22:58'), {});
  const listener: K = { name: 'mesh', port: 15008, protocol: 'HBONE' };
  if (allowAll) listener.allowedRoutes = { namespaces: { from: 'All' } };
  const gw = waypointGateway(b, 'infra', 'shared-waypoint', listener, at('09:23:00'), at('09:23:06'));
  const pod = deployWaypoint(b, 'infra', 'shared-waypoint', gw, '10.43.57.112', { deployment: 'shared-waypoint', node: AGENT, ip: '10.42.1.9', created: at('09:23:01'), ready: at('09:23:05') });
  b.addProxy(WAYPOINT_PS(`${pod.metadata.name}.infra`), 'waypoint');
  b.zs.rows.push(['infra', 'shared-waypoint', '10.43.57.112', 'None', '1/1']);
  b.zw.rows.push(['infra', pod.metadata.name, '10.42.1.9', AGENT, 'None', 'TCP']);
  // A namespace with neither injection nor ambient: istioctl analyze says so, at Info level.
  b.addAnalyze('Info', 'IST0102', 'Namespace infra',
    "The namespace is not enabled for Istio injection. Run 'kubectl label namespace infra istio-injection=enabled' to enable it, or 'kubectl label namespace infra istio-injection=disabled' to explicitly mark it as not needing injection.");
  // reviews-svc-waypoint keeps running but no service is bound to it any more.
  b.psRow(`${waypointPodName(b, 'reviews-svc-waypoint')}.default`)[4] = 'IGNORED';
}

function sharedWaypointDoc(r: Refs, b: Bundle): string {
  const pod = waypointPodName(b, 'shared-waypoint', 'infra');
  return `- Namespace \`infra\` (${r.obj(NSS, undefined, 'infra', 'name: infra')}) runs the waypoint \`shared-waypoint\` (${r.obj(GWS, 'infra', 'shared-waypoint', 'name: shared-waypoint')}): ` +
    `its Gateway has \`status.addresses\` (${r.obj(GWS, 'infra', 'shared-waypoint', 'value: shared-waypoint.infra.svc.cluster.local')}), its pod \`${pod}\` is ready and in proxy-status (${r.row(PS, `${pod}.infra`)}), ` +
    `and ztunnel knows its Service (${r.row(ZS, 'infra', 'shared-waypoint')}). \`infra\` is neither injected nor ambient, which \`istioctl analyze\` notes at Info level (${r.line(AN, 'IST0102')}); that is fine for a namespace that only hosts a waypoint.`;
}

const scenarios: Scenario[] = [
  {
    name: 'wp001-missing-waypoint',
    expected: ['WP001'],
    title: 'WP001: `use-waypoint` names a waypoint that does not exist',
    build(b) {
      const ratings = b.get('services', 'default', 'ratings');
      ratings.metadata.labels[USE_WAYPOINT] = 'ratings-waypoint';
      ratings.metadata.resourceVersion = nextRv();
      bindingFailed(b, ratings, 'WaypointIsNotReady', notReady('default', 'ratings-waypoint'), at('09:23:31'));
    },
    doc: (r) => [
      `- Service \`default/ratings\` has the label \`istio.io/use-waypoint: ratings-waypoint\` (${r.obj(SVC, 'default', 'ratings', USE_WAYPOINT)}). There is no Gateway \`ratings-waypoint\` in ${'`' + GWS + '`'}.`,
      `- istiod: \`istio.io/WaypointBound\` \`"False"\` (${r.obj(SVC, 'default', 'ratings', '"status": "False"')}), reason \`WaypointIsNotReady\` (${r.obj(SVC, 'default', 'ratings', 'WaypointIsNotReady')}), message \`waypoint "default/ratings-waypoint" is not ready\` (${r.obj(SVC, 'default', 'ratings', 'is not ready')}).`,
      `- \`istioctl analyze\`: IST0171 for \`Service default/ratings\` (${r.line(AN, 'Service default/ratings')}).`,
      `- ztunnel: WAYPOINT \`None\` for \`ratings\` (${r.row(ZS, 'default', 'ratings')}). Istio does not fall back to the namespace waypoint \`waypoint\`, so ratings traffic skips L7 processing.`,
    ],
  },
  {
    name: 'wp002-waypoint-not-ready',
    expected: ['WP002'],
    title: 'WP002: the namespace waypoint exists but never became ready',
    build(b) {
      const image = 'registry.example.internal/istio/proxyv2:1.26.2';
      const gw = b.get('gateways', 'default', 'waypoint');
      const applied = { apiVersion: gw.apiVersion, kind: 'Gateway', metadata: { annotations: { 'sidecar.istio.io/proxyImage': image }, name: 'waypoint', namespace: 'default' }, spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] } };
      gw.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'] = lastApplied(applied);
      gw.metadata.annotations['sidecar.istio.io/proxyImage'] = image;
      delete gw.status.addresses; // only set once the waypoint's Deployment has a ready pod
      const dep = b.get('deployments', 'default', 'waypoint');
      dep.spec.template.spec.containers[0].image = image;
      deploymentUnavailable(dep, dep.metadata.creationTimestamp);
      dep.metadata.resourceVersion = '2198'; // ProgressDeadlineExceeded written at 09:30:15
      const rs = `ReplicaSet "${b.items('pods').find((p) => p.metadata.name.startsWith('waypoint-')).metadata.ownerReferences[0].name}"`;
      Object.assign(dep.status.conditions.find((c: K) => c.type === 'Progressing'), {
        lastTransitionTime: at('09:30:15'), lastUpdateTime: at('09:30:15'), message: `${rs} has timed out progressing.`, reason: 'ProgressDeadlineExceeded', status: 'False',
      });
      const pod = b.get('pods', 'default', waypointPodName(b, 'waypoint'));
      pod.spec.containers[0].image = image;
      pod.status.phase = 'Pending';
      pod.metadata.resourceVersion = '2231'; // the kubelet keeps updating the back-off message;
      for (const c of pod.status.conditions) {
        if (c.type === 'Ready' || c.type === 'ContainersReady') Object.assign(c, { lastTransitionTime: at('09:20:15'), message: 'containers with unready status: [istio-proxy]', reason: 'ContainersNotReady', status: 'False' });
      }
      const cs = pod.status.containerStatuses[0];
      delete cs.containerID;
      Object.assign(cs, {
        image, imageID: '', ready: false, started: false,
        state: { waiting: { message: `Back-off pulling image "${image}": ErrImagePull: failed to pull and unpack image "${image}": failed to resolve reference "${image}": failed to do request: Head "https://registry.example.internal/v2/istio/proxyv2/manifests/1.26.2": dial tcp: lookup registry.example.internal on 10.43.0.10:53: no such host`, reason: 'ImagePullBackOff' } },
      });
      b.removeProxy(`${pod.metadata.name}.default`);
      b.zsRow('default', 'waypoint')[4] = '0/1';
      for (const svc of namespaceBoundServices(b)) bindingFailed(b, svc, 'WaypointIsNotReady', notReady('default', 'waypoint'), at('09:20:41'));
      policyAncestorNotBound(b);
    },
    doc: (r, b) => {
      const pod = waypointPodName(b, 'waypoint');
      return [
        `- Gateway \`default/waypoint\` (${r.obj(GWS, 'default', 'waypoint', 'name: waypoint')}) was applied with the annotation \`sidecar.istio.io/proxyImage\` (${r.obj(GWS, 'default', 'waypoint', 'sidecar.istio.io/proxyImage: registry')}), an image from a registry the cluster cannot reach. istiod still reports it \`Accepted\` and \`Programmed\` True (${r.obj(GWS, 'default', 'waypoint', 'type: Programmed')}) but it has no \`status.addresses\`: they are only written once the waypoint has a ready pod.`,
        `- Its pod \`${pod}\` is \`Pending\` (${r.obj(PODS, 'default', pod, '"phase": "Pending"')}) with the container waiting in \`ImagePullBackOff\` (${r.obj(PODS, 'default', pod, 'ImagePullBackOff')}); the Deployment has \`ProgressDeadlineExceeded\` (${r.obj(DEPS, 'default', 'waypoint', 'ProgressDeadlineExceeded')}). The pod is not in proxy-status (${r.line(PS, 'NAME')} onwards), and \`istioctl version\` counts 5 proxies (${r.line(VER, 'data plane')}).`,
        `- Every Service that inherits the namespace waypoint has \`WaypointBound\` False with \`WaypointIsNotReady\`, e.g. productpage (${r.obj(SVC, 'default', 'productpage', 'WaypointIsNotReady')}); \`istioctl analyze\` lists one IST0171 per service (${r.line(AN, 'Service default/bookinfo-gateway-istio')} to ${r.line(AN, 'Service default/sleep')}).`,
        `- ztunnel: WAYPOINT \`None\` for those services (e.g. ${r.row(ZS, 'default', 'productpage')}); the waypoint's own Service has no healthy endpoint (\`0/1\`, ${r.row(ZS, 'default', 'waypoint')}). Traffic goes straight to the pods: no L7 policy applies. \`reviews\` keeps its own waypoint.`,
        `- AuthorizationPolicy \`productpage-viewer\` targets Service \`productpage\`, which now has no waypoint: istiod reports \`WaypointAccepted\` False, \`AncestorNotBound\` (${r.obj('kubectl/authorizationpolicies.json', 'default', 'productpage-viewer', 'AncestorNotBound')}), also an IST0171 line (${r.line(AN, 'AuthorizationPolicy default/productpage-viewer')}). The policy is enforced nowhere.`,
      ];
    },
  },
  {
    name: 'wp003-waypoint-no-healthy-pods',
    expected: ['WP003'],
    title: 'WP003: the namespace waypoint was ready, now it has no healthy pod',
    build(b) {
      const name = waypointPodName(b, 'waypoint');
      const pod = b.get('pods', 'default', name);
      pod.metadata.resourceVersion = '2240'; // last restart at 09:34;
      for (const c of pod.status.conditions) {
        if (c.type === 'Ready' || c.type === 'ContainersReady') Object.assign(c, { lastTransitionTime: at('09:23:48'), message: 'containers with unready status: [istio-proxy]', reason: 'ContainersNotReady', status: 'False' });
      }
      const cs = pod.status.containerStatuses[0];
      Object.assign(cs, {
        containerID: containerId(`${name}/istio-proxy/7`),
        lastState: { terminated: { containerID: containerId(`${name}/istio-proxy/7`), exitCode: 255, finishedAt: at('09:34:27'), reason: 'Error', startedAt: at('09:34:25') } },
        ready: false, restartCount: 7, started: false,
        state: { waiting: { message: `back-off 5m0s restarting failed container=istio-proxy pod=${name}_default(${pod.metadata.uid})`, reason: 'CrashLoopBackOff' } },
      });
      deploymentUnavailable(b.get('deployments', 'default', 'waypoint'), at('09:23:48'));
      b.removeProxy(`${name}.default`);
      b.zsRow('default', 'waypoint')[4] = '0/1';
    },
    doc: (r, b) => {
      const pod = waypointPodName(b, 'waypoint');
      return [
        `- Gateway \`default/waypoint\` was ready once: it keeps its \`status.addresses\` (${r.obj(GWS, 'default', 'waypoint', 'value: waypoint.default.svc.cluster.local')}), which istiod never removes, so every service of \`default\` stays bound to it (\`WaypointBound\` True, e.g. ${r.obj(SVC, 'default', 'productpage', 'WaypointAccepted')}; ztunnel WAYPOINT \`waypoint\`, e.g. ${r.row(ZS, 'default', 'productpage')}).`,
        `- Its only pod \`${pod}\` is \`Running\` but not ready: \`CrashLoopBackOff\` (${r.obj(PODS, 'default', pod, 'CrashLoopBackOff')}) after 7 restarts (${r.obj(PODS, 'default', pod, '"restartCount": 7')}); the Deployment has \`MinimumReplicasUnavailable\` (${r.obj(DEPS, 'default', 'waypoint', 'MinimumReplicasUnavailable')}). It is not in proxy-status and \`istioctl version\` counts 5 proxies (${r.line(VER, 'data plane')}).`,
        `- ztunnel shows the waypoint's own Service with ENDPOINTS \`0/1\` (${r.row(ZS, 'default', 'waypoint')}): traffic to productpage, details, ratings and the others is sent to a waypoint with no healthy endpoint, so it fails (blackhole) instead of bypassing.`,
      ];
    },
  },
  {
    name: 'wp004-pod-waypoint-service-only',
    expected: ['WP004'],
    title: 'WP004: a pod is labelled for a waypoint that only handles service traffic',
    build(b) {
      relabelWaypointFor(b, 'reviews-v2-pod-waypoint', 'service', at('09:23:40'), '10.42.1.9');
      b.zwRow('default', 'reviews-v2-rdlrklvjsl-wv7j2')[4] = 'None';
    },
    doc: (r, b) => {
      const pod = waypointPodName(b, 'reviews-v2-pod-waypoint');
      return [
        `- Pod \`reviews-v2-rdlrklvjsl-wv7j2\` has the label \`istio.io/use-waypoint: reviews-v2-pod-waypoint\` (${r.obj(PODS, 'default', 'reviews-v2-rdlrklvjsl-wv7j2', USE_WAYPOINT)}).`,
        `- Gateway \`reviews-v2-pod-waypoint\` has been relabelled \`istio.io/waypoint-for: service\` (${r.obj(GWS, 'default', 'reviews-v2-pod-waypoint', 'istio.io/waypoint-for')}), so it no longer takes workload (pod-IP) traffic. istiod copied the label to the waypoint's Service (${r.obj(SVC, 'default', 'reviews-v2-pod-waypoint', 'istio.io/waypoint-for')}) and Deployment (${r.obj(DEPS, 'default', 'reviews-v2-pod-waypoint', 'istio.io/waypoint-for')}), and the waypoint pod was replaced by \`${pod}\` (proxy-status ${r.row(PS, `${pod}.default`)}).`,
        `- ztunnel shows WAYPOINT \`None\` for the reviews-v2 pod (${r.row(ZW, 'default', 'reviews-v2-rdlrklvjsl-wv7j2')}). Pods carry no status condition, so nothing else in the cluster reports it; \`istioctl analyze\` is clean.`,
      ];
    },
  },
  {
    name: 'wp005-service-waypoint-workload-only',
    expected: ['WP005'],
    title: 'WP005: a Service is bound to a waypoint that only takes workload traffic',
    build: (b) => serviceWaypointRelabelled(b, 'workload'),
    doc: (r, b) => serviceWaypointRelabelledDoc(r, b, 'workload', 'A waypoint for `workload` traffic does not accept service-addressed traffic.'),
  },
  {
    name: 'wp006-invalid-waypoint-for',
    expected: ['WP006'],
    title: 'WP006: `istio.io/waypoint-for` has an invalid value',
    build: (b) => serviceWaypointRelabelled(b, 'services'),
    doc: (r, b) => serviceWaypointRelabelledDoc(r, b, 'services', '`services` (plural) is not one of `service`, `workload`, `all`, `none`; Istio stores it as-is and the waypoint then accepts no traffic at all.'),
  },
  {
    name: 'wp007-headless-service',
    expected: ['WP007'],
    title: 'WP007: a waypoint-bound Service is headless',
    build(b) {
      const ratings = b.get('services', 'default', 'ratings');
      const applied = JSON.parse(ratings.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
      applied.spec = { clusterIP: 'None', ...applied.spec };
      ratings.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'] = lastApplied(applied);
      Object.assign(ratings.metadata, { creationTimestamp: at('09:23:10'), resourceVersion: nextRv(), uid: uuid('svc:default/ratings/headless') });
      ratings.spec.clusterIP = 'None';
      ratings.spec.clusterIPs = ['None'];
      waypointBound(ratings, 'True', 'WaypointAccepted', 'Successfully attached to waypoint default/waypoint', at('09:23:11'));
      b.zsRow('default', 'ratings')[2] = '';
    },
    doc: (r) => [
      `- Service \`default/ratings\` was recreated headless: \`clusterIP: None\` (${r.obj(SVC, 'default', 'ratings', '"clusterIP": "None"')}). Namespace \`default\` uses the waypoint \`waypoint\` (${r.obj(NSS, undefined, 'default', USE_WAYPOINT)}), and istiod binds the Service (\`WaypointBound\` True, ${r.obj(SVC, 'default', 'ratings', 'WaypointAccepted')}).`,
      `- ztunnel shows an empty SERVICE VIP for \`ratings\` and WAYPOINT \`waypoint\` (${r.row(ZS, 'default', 'ratings')}). Clients resolve \`ratings\` to the pod IP, and pod-addressed traffic only uses a *workload* waypoint: the service waypoint is skipped.`,
    ],
  },
  {
    name: 'wp008-cross-namespace-without-namespace-label',
    expected: ['WP008'],
    title: 'WP008: a waypoint in another namespace, referenced without `use-waypoint-namespace`',
    build(b) {
      sharedWaypoint(b, true);
      const reviews = b.get('services', 'default', 'reviews');
      reviews.metadata.labels[USE_WAYPOINT] = 'shared-waypoint';
      reviews.metadata.resourceVersion = nextRv();
      bindingFailed(b, reviews, 'WaypointIsNotReady', notReady('default', 'shared-waypoint'), at('09:23:20'));
    },
    doc: (r, b) => [
      sharedWaypointDoc(r, b) + ` Its HBONE listener allows routes from all namespaces (${r.obj(GWS, 'infra', 'shared-waypoint', 'from: All')}).`,
      `- Service \`default/reviews\` has \`istio.io/use-waypoint: shared-waypoint\` (${r.obj(SVC, 'default', 'reviews', USE_WAYPOINT)}) but no \`istio.io/use-waypoint-namespace\`, so Istio looks for \`default/shared-waypoint\`, which does not exist.`,
      `- istiod: \`WaypointBound\` False, \`WaypointIsNotReady\`, \`waypoint "default/shared-waypoint" is not ready\` (${r.obj(SVC, 'default', 'reviews', 'is not ready')}); \`istioctl analyze\` IST0171 (${r.line(AN, 'Service default/reviews')}); ztunnel WAYPOINT \`None\` for reviews (${r.row(ZS, 'default', 'reviews')}).`,
    ],
  },
  {
    name: 'wp009-cross-namespace-not-allowed',
    expected: ['WP009'],
    title: 'WP009: a waypoint in another namespace does not allow attachment from the Service\'s namespace',
    build(b) {
      sharedWaypoint(b, false);
      const reviews = b.get('services', 'default', 'reviews');
      reviews.metadata.labels[USE_WAYPOINT] = 'shared-waypoint';
      reviews.metadata.labels['istio.io/use-waypoint-namespace'] = 'infra';
      reviews.metadata.resourceVersion = nextRv();
      bindingFailed(b, reviews, 'AttachmentDenied', 'we are not permitted to attach to waypoint "infra/shared-waypoint" (missing allowedRoutes?)', at('09:23:20'));
    },
    doc: (r, b) => [
      sharedWaypointDoc(r, b) + ` It was applied without \`allowedRoutes\` (see its last-applied-configuration), so the Gateway API default \`from: Same\` applies (${r.obj(GWS, 'infra', 'shared-waypoint', 'from: Same')}).`,
      `- Service \`default/reviews\` has \`istio.io/use-waypoint: shared-waypoint\` (${r.obj(SVC, 'default', 'reviews', '"istio.io/use-waypoint"')}) and \`istio.io/use-waypoint-namespace: infra\` (${r.obj(SVC, 'default', 'reviews', 'use-waypoint-namespace')}).`,
      `- istiod refuses the attachment: \`WaypointBound\` False, reason \`AttachmentDenied\` (${r.obj(SVC, 'default', 'reviews', 'AttachmentDenied')}), message \`we are not permitted to attach to waypoint "infra/shared-waypoint" (missing allowedRoutes?)\`; \`istioctl analyze\` IST0171 (${r.line(AN, 'Service default/reviews')}); ztunnel WAYPOINT \`None\` (${r.row(ZS, 'default', 'reviews')}).`,
    ],
  },
  {
    name: 'wp010-opted-out-of-namespace-waypoint',
    expected: ['WP010'],
    title: 'WP010: a Service opts out of its namespace\'s waypoint',
    build(b) {
      const details = b.get('services', 'default', 'details');
      details.metadata.labels[USE_WAYPOINT] = 'none';
      details.metadata.resourceVersion = nextRv();
      delete details.status.conditions; // no waypoint and no error: istiod prunes WaypointBound
      b.setServiceWaypoint('default', 'details', 'None');
    },
    doc: (r) => [
      `- Namespace \`default\` uses the waypoint \`waypoint\` (${r.obj(NSS, undefined, 'default', USE_WAYPOINT)}), but Service \`default/details\` has \`istio.io/use-waypoint: none\` (${r.obj(SVC, 'default', 'details', USE_WAYPOINT)}).`,
      `- That is a valid opt-out, so istiod reports no error: it removed the \`WaypointBound\` condition (the Service's status is only \`loadBalancer: {}\`, ${r.obj(SVC, 'default', 'details', '"loadBalancer"')}) and \`istioctl analyze\` is clean. ztunnel shows WAYPOINT \`None\` for details (${r.row(ZS, 'default', 'details')}): the namespace's L7 policies no longer apply to it.`,
    ],
  },
  {
    name: 'wp011-waypoint-never-reconciled',
    expected: ['WP011'],
    title: 'WP011: the waypoint Gateway names an istiod revision that does not exist',
    build(b) {
      const gw = b.get('gateways', 'default', 'waypoint');
      gw.metadata.labels = { 'istio.io/rev': 'canary' };
      delete gw.metadata.annotations; // gateway.istio.io/controller-version is written by the istiod that deploys it
      gw.status = {
        conditions: ['Accepted', 'Programmed'].map((type) => ({ lastTransitionTime: '1970-01-01T00:00:00Z', message: 'Waiting for controller', reason: 'Pending', status: 'Unknown', type })),
      };
      const podName = waypointPodName(b, 'waypoint');
      b.remove('pods', 'default', podName);
      b.remove('deployments', 'default', 'waypoint');
      b.remove('services', 'default', 'waypoint');
      b.removeProxy(`${podName}.default`);
      b.removeRow(b.zw, (r) => r[1] === podName);
      b.removeRow(b.zs, (r) => r[0] === 'default' && r[1] === 'waypoint');
      for (const svc of namespaceBoundServices(b)) bindingFailed(b, svc, 'WaypointIsNotReady', notReady('default', 'waypoint'), at('09:20:41'));
      policyAncestorNotBound(b);
    },
    doc: (r) => [
      `- Gateway \`default/waypoint\` has the label \`istio.io/rev: canary\` (${r.obj(GWS, 'default', 'waypoint', 'istio.io/rev: canary')}), but the only istiod is the \`default\` revision (its pod has \`istio.io/rev: default\`, ${r.obj(PODS, 'istio-system', 'istiod-nd49fnlq5d-mnsrx', '"istio.io/rev"')}). No controller reconciles the Gateway.`,
      `- Its status is still the Gateway API CRD default: \`Accepted\` and \`Programmed\` \`Unknown\`, reason \`Pending\`, \`Waiting for controller\` (${r.obj(GWS, 'default', 'waypoint', 'Waiting for controller')}), no addresses and no listener status. No waypoint Deployment, Service or pod was ever created (none named \`waypoint\` in ${'`' + DEPS + '`'}, ${'`' + SVC + '`'} or ${'`' + PODS + '`'}; no waypoint row in proxy-status, ${r.line(PS, 'NAME')}).`,
      `- The namespace still asks for it (${r.obj(NSS, undefined, 'default', USE_WAYPOINT)}), so every Service of \`default\` without its own label has \`WaypointBound\` False \`WaypointIsNotReady\` (e.g. ${r.obj(SVC, 'default', 'productpage', 'WaypointIsNotReady')}), IST0171 lines in ${r.line(AN, 'Service default/bookinfo-gateway-istio')} to ${r.line(AN, 'Service default/sleep')}, and ztunnel WAYPOINT \`None\` (e.g. ${r.row(ZS, 'default', 'productpage')}).`,
      `- AuthorizationPolicy \`productpage-viewer\` targets Service \`productpage\`, which now has no waypoint: istiod reports \`WaypointAccepted\` False, \`AncestorNotBound\` (${r.obj('kubectl/authorizationpolicies.json', 'default', 'productpage-viewer', 'AncestorNotBound')}), also an IST0171 line (${r.line(AN, 'AuthorizationPolicy default/productpage-viewer')}). The policy is enforced nowhere.`,
    ],
  },
  {
    name: 'wp012-ingress-gateway-as-waypoint',
    expected: ['WP012'],
    title: 'WP012: a Service uses an ingress Gateway as its waypoint',
    build(b) {
      const reviews = b.get('services', 'default', 'reviews');
      reviews.metadata.labels[USE_WAYPOINT] = 'bookinfo-gateway';
      reviews.metadata.resourceVersion = nextRv();
      waypointBound(reviews, 'True', 'WaypointAccepted', 'Successfully attached to waypoint default/bookinfo-gateway', at('09:23:25'));
      b.setServiceWaypoint('default', 'reviews', 'bookinfo-gateway-istio');
      b.psRow(`${waypointPodName(b, 'reviews-svc-waypoint')}.default`)[4] = 'IGNORED';
    },
    doc: (r) => [
      `- Service \`default/reviews\` has \`istio.io/use-waypoint: bookinfo-gateway\` (${r.obj(SVC, 'default', 'reviews', USE_WAYPOINT)}). \`bookinfo-gateway\` is the ingress Gateway of class \`istio\` (${r.obj(GWS, 'default', 'bookinfo-gateway', 'gatewayClassName: istio')}), not an \`istio-waypoint\`.`,
      `- Because that Gateway has \`status.addresses\` (${r.obj(GWS, 'default', 'bookinfo-gateway', 'value: 10.43.164.194')}), istiod binds the Service anyway: \`WaypointBound\` True, \`Successfully attached to waypoint default/bookinfo-gateway\` (${r.obj(SVC, 'default', 'reviews', 'attached to waypoint default/bookinfo-gateway')}). \`istioctl analyze\` is clean.`,
      `- ztunnel sends reviews traffic to the ingress Envoy: WAYPOINT \`bookinfo-gateway-istio\` (${r.row(ZS, 'default', 'reviews')}), which has no HBONE listener on 15008.`,
    ],
  },
  {
    name: 'wp013-waypoint-listener-not-hbone',
    expected: ['WP013'],
    title: 'WP013: the waypoint\'s listener is not 15008/HBONE',
    build(b) {
      const gw = b.get('gateways', 'default', 'reviews-svc-waypoint');
      gw.metadata.generation = 2;
      gw.metadata.resourceVersion = nextRv();
      gw.spec.listeners[0].protocol = 'HTTP';
      for (const c of gw.status.conditions) c.observedGeneration = 2;
      const listener = gw.status.listeners[0];
      for (const c of listener.conditions) c.observedGeneration = 2;
      Object.assign(listener.conditions.find((c: K) => c.type === 'Accepted'), {
        lastTransitionTime: at('09:23:37'), message: 'Expected a single listener on port 15008 with protocol "HBONE"', reason: 'UnsupportedProtocol', status: 'False',
      });
      listener.supportedKinds = [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }, { group: 'gateway.networking.k8s.io', kind: 'GRPCRoute' }];
      const svc = b.get('services', 'default', 'reviews-svc-waypoint');
      svc.spec.ports.find((p: K) => p.port === 15008).appProtocol = 'http';
      svc.metadata.resourceVersion = nextRv();
    },
    doc: (r) => [
      `- Gateway \`default/reviews-svc-waypoint\` was edited (generation 2): its listener is \`port: 15008\`, \`protocol: HTTP\` (${r.obj(GWS, 'default', 'reviews-svc-waypoint', 'protocol: HTTP')}).`,
      `- istiod marks the listener \`Accepted\` False, reason \`UnsupportedProtocol\`, \`Expected a single listener on port 15008 with protocol "HBONE"\` (${r.obj(GWS, 'default', 'reviews-svc-waypoint', 'UnsupportedProtocol')}), and advertises HTTPRoute/GRPCRoute kinds for it. The Gateway-level \`Accepted\` and \`Programmed\` stay True (a listener error does not make the Gateway invalid), and \`istioctl analyze\` 1.26 does not look at Gateway conditions, so it is clean.`,
      `- istiod rewrote the waypoint Service's port from \`appProtocol: all\` to \`http\` (${r.obj(SVC, 'default', 'reviews-svc-waypoint', '"appProtocol": "http"')}). The binding still works (ztunnel ${r.row(ZS, 'default', 'reviews')}) because waypoints get their HBONE listener from istiod, not from the Gateway spec; but a non-HBONE listener also drops any \`allowedRoutes\` it carries.`,
    ],
  },
  {
    name: 'wp014-waypoint-not-programmed',
    expected: ['WP014'],
    title: 'WP014: the waypoint Gateway is not Programmed',
    build(b) {
      const gw = b.get('gateways', 'default', 'waypoint');
      gw.metadata.resourceVersion = nextRv();
      Object.assign(gw.status.conditions.find((c: K) => c.type === 'Programmed'), {
        lastTransitionTime: at('09:23:52'), message: 'Failed to assign to any requested addresses: hostname "waypoint.default.svc.cluster.local" not found', reason: 'AddressNotUsable', status: 'False',
      });
    },
    doc: (r, b) => [
      `- Gateway \`default/waypoint\` has \`Programmed\` False, reason \`AddressNotUsable\`, \`Failed to assign to any requested addresses: hostname "waypoint.default.svc.cluster.local" not found\` (${r.obj(GWS, 'default', 'waypoint', 'AddressNotUsable')}). It keeps its \`status.addresses\` (${r.obj(GWS, 'default', 'waypoint', 'value: waypoint.default.svc.cluster.local')}) and \`Accepted\` True.`,
      `- istiod writes this when the waypoint's Service \`waypoint.default.svc.cluster.local\` is not in its registry at the moment it computes the Gateway status. The capture shows that status next to a cluster in which everything else is healthy: the Service exists (${r.obj(SVC, 'default', 'waypoint', '"clusterIP"')}), the waypoint pod is ready and in proxy-status (${r.row(PS, `${waypointPodName(b, 'waypoint')}.default`)}), and the services stay bound (ztunnel ${r.row(ZS, 'default', 'productpage')}). \`istioctl analyze\` 1.26 does not look at Gateway conditions, so it is clean. Programmed=True would not prove the pods ready either; this scenario isolates the condition itself.`,
    ],
  },
];

/** A sidecar-injected pod as istiod 1.26's injector writes it (istio-cni present, so istio-validation). */
function injectSidecar(pod: K, dep: K, b: Bundle): void {
  const ns = pod.metadata.namespace;
  const name = dep.metadata.name;
  const waypointPod = b.items('pods').find((p) => p.metadata.name.startsWith('waypoint-'));
  const wp = waypointPod.spec.containers[0];
  const status = { initContainers: ['istio-validation'], containers: ['istio-proxy'], volumes: ['workload-socket', 'credential-socket', 'workload-certs', 'istio-envoy', 'istio-data', 'istio-podinfo', 'istio-token', 'istiod-ca-cert'], imagePullSecrets: null, revision: 'default' };
  pod.metadata.annotations = {
    'istio.io/rev': 'default',
    'kubectl.kubernetes.io/default-container': 'curl',
    'kubectl.kubernetes.io/default-logs-container': 'curl',
    'prometheus.io/path': '/stats/prometheus',
    'prometheus.io/port': '15020',
    'prometheus.io/scrape': 'true',
    'sidecar.istio.io/interceptionMode': 'REDIRECT',
    'sidecar.istio.io/status': JSON.stringify(status),
    'traffic.sidecar.istio.io/excludeInboundPorts': '15020',
    'traffic.sidecar.istio.io/includeInboundPorts': '*',
    'traffic.sidecar.istio.io/includeOutboundIPRanges': '*',
  };
  Object.assign(pod.metadata.labels, {
    'security.istio.io/tlsMode': 'istio', 'service.istio.io/canonical-name': name, 'service.istio.io/canonical-revision': 'latest',
  });
  const token = pod.spec.volumes.find((v: K) => v.name.startsWith('kube-api-access-')).name;
  const env = (n: string) => wp.env.find((e: K) => e.name === n);
  const proxyMounts = [
    { mountPath: '/var/run/secrets/workload-spiffe-uds', name: 'workload-socket' },
    { mountPath: '/var/run/secrets/credential-uds', name: 'credential-socket' },
    { mountPath: '/var/run/secrets/workload-spiffe-credentials', name: 'workload-certs' },
    { mountPath: '/var/run/secrets/istio', name: 'istiod-ca-cert' },
    { mountPath: '/var/lib/istio/data', name: 'istio-data' },
    { mountPath: '/etc/istio/proxy', name: 'istio-envoy' },
    { mountPath: '/var/run/secrets/tokens', name: 'istio-token' },
    { mountPath: '/etc/istio/pod', name: 'istio-podinfo' },
    { mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', name: token, readOnly: true },
  ];
  const proxy = {
    args: ['proxy', 'sidecar', '--domain', '$(POD_NAMESPACE).svc.cluster.local', '--proxyLogLevel=warning', '--proxyComponentLogLevel=misc:error', '--log_output_level=default:info'],
    env: [
      env('PILOT_CERT_PROVIDER'), env('CA_ADDR'), env('POD_NAME'), env('POD_NAMESPACE'), env('INSTANCE_IP'), env('SERVICE_ACCOUNT'), env('HOST_IP'), env('ISTIO_CPU_LIMIT'), env('PROXY_CONFIG'),
      { name: 'ISTIO_META_POD_PORTS', value: '[\n]' },
      { name: 'ISTIO_META_APP_CONTAINERS', value: 'curl' },
      env('GOMEMLIMIT'), env('GOMAXPROCS'), env('ISTIO_META_CLUSTER_ID'), env('ISTIO_META_NODE_NAME'), env('ISTIO_META_INTERCEPTION_MODE'),
      { name: 'ISTIO_META_WORKLOAD_NAME', value: name },
      { name: 'ISTIO_META_OWNER', value: `kubernetes://apis/apps/v1/namespaces/${ns}/deployments/${name}` },
      env('ISTIO_META_MESH_ID'), env('TRUST_DOMAIN'),
    ],
    image: wp.image, imagePullPolicy: 'IfNotPresent', name: 'istio-proxy',
    ports: [{ containerPort: 15090, name: 'http-envoy-prom', protocol: 'TCP' }],
    readinessProbe: { failureThreshold: 4, httpGet: { path: '/healthz/ready', port: 15021, scheme: 'HTTP' }, periodSeconds: 15, successThreshold: 1, timeoutSeconds: 3 },
    resources: wp.resources,
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false, readOnlyRootFilesystem: true, runAsGroup: 1337, runAsNonRoot: true, runAsUser: 1337 },
    startupProbe: { failureThreshold: 600, httpGet: { path: '/healthz/ready', port: 15021, scheme: 'HTTP' }, periodSeconds: 1, successThreshold: 1, timeoutSeconds: 3 },
    terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
    volumeMounts: proxyMounts,
  };
  const validation = {
    args: ['istio-iptables', '-p', '15001', '-z', '15006', '-u', '1337', '-m', 'REDIRECT', '-i', '*', '-x', '', '-b', '*', '-d', '15090,15021,15020', '--log_output_level=default:info', '--run-validation', '--skip-rule-apply'],
    image: wp.image, imagePullPolicy: 'IfNotPresent', name: 'istio-validation', resources: wp.resources,
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false, readOnlyRootFilesystem: true, runAsGroup: 1337, runAsNonRoot: true, runAsUser: 1337 },
    terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
    volumeMounts: [{ mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', name: token, readOnly: true }],
  };
  pod.spec.initContainers = [validation];
  pod.spec.containers.push(proxy);
  pod.spec.volumes = [
    { emptyDir: {}, name: 'workload-socket' },
    { emptyDir: {}, name: 'credential-socket' },
    { emptyDir: {}, name: 'workload-certs' },
    { emptyDir: { medium: 'Memory' }, name: 'istio-envoy' },
    { emptyDir: {}, name: 'istio-data' },
    waypointPod.spec.volumes.find((v: K) => v.name === 'istio-podinfo'),
    waypointPod.spec.volumes.find((v: K) => v.name === 'istio-token'),
    waypointPod.spec.volumes.find((v: K) => v.name === 'istiod-ca-cert'),
    ...pod.spec.volumes,
  ];
  const created = pod.metadata.creationTimestamp;
  pod.status.initContainerStatuses = [{
    containerID: containerId(`${ns}/${pod.metadata.name}/istio-validation`), image: wp.image, imageID: waypointPod.status.containerStatuses[0].imageID,
    lastState: {}, name: 'istio-validation', ready: true, restartCount: 0, started: false,
    state: { terminated: { containerID: containerId(`${ns}/${pod.metadata.name}/istio-validation`), exitCode: 0, finishedAt: plus(created, 2), reason: 'Completed', startedAt: plus(created, 2) } },
    volumeMounts: [{ mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', name: token, readOnly: true, recursiveReadOnly: 'Disabled' }],
  }];
  const ready = pod.status.conditions.find((c: K) => c.type === 'Ready').lastTransitionTime;
  pod.status.containerStatuses.push({
    containerID: containerId(`${ns}/${pod.metadata.name}/istio-proxy`), image: wp.image, imageID: waypointPod.status.containerStatuses[0].imageID,
    lastState: {}, name: 'istio-proxy', ready: true, restartCount: 0, started: true, state: { running: { startedAt: plus(ready, -2) } },
    volumeMounts: proxyMounts.map((m) => (m.readOnly ? { ...m, recursiveReadOnly: 'Disabled' } : m)),
  });
  pod.status.qosClass = 'Burstable';
  // Sandbox, then the init container, then the containers.
  const times: Record<string, string> = { PodReadyToStartContainers: plus(created, 1), Initialized: plus(created, 2) };
  for (const c of pod.status.conditions) c.lastTransitionTime = times[c.type] ?? c.lastTransitionTime;
  const init = pod.status.initContainerStatuses[0].state.terminated;
  init.startedAt = plus(created, 1);
  init.finishedAt = plus(created, 2);
  pod.status.containerStatuses[0].state.running.startedAt = plus(created, 2);
  // The Deployment's template is the user's: injection happens at pod admission, not in the Deployment.
  void dep;
}

scenarios.push(
  {
    name: 'wp015-client-not-in-ambient',
    expected: ['WP015'],
    title: 'WP015: a client pod is not in the ambient mesh',
    build(b) {
      const { pod } = clientDeployment(b, 'default', 'curl', at('09:23:15'), at('09:23:19'), SERVER, '10.42.0.17', { 'istio.io/dataplane-mode': 'none' }, { hash: '5b8f9c7d6', suffix: 'x2x9k' });
      b.zw.rows.push(['default', pod.metadata.name, '10.42.0.17', SERVER, 'None', 'TCP']);
    },
    doc: (r, b) => {
      const pod = b.items('pods').find((p) => p.metadata.name.startsWith('curl-')).metadata.name;
      return [
        `- A new client pod \`default/${pod}\` (Deployment \`curl\`, no Service selects it) has the label \`istio.io/dataplane-mode: none\` (${r.obj(PODS, 'default', pod, 'dataplane-mode')}), which overrides the namespace's \`ambient\` (${r.obj(NSS, undefined, 'default', 'dataplane-mode')}). It has no \`ambient.istio.io/redirection\` annotation: istio-cni did not capture it.`,
        `- ztunnel lists it with PROTOCOL \`TCP\` (${r.row(ZW, 'default', pod)}). Its requests leave the pod unredirected, so no ztunnel sends them to a waypoint: L7 policy on the services it calls is bypassed.`,
      ];
    },
  },
  {
    name: 'wp016-destination-not-captured',
    expected: ['WP016'],
    title: 'WP016: a destination pod in an ambient namespace is not captured',
    build(b) {
      const pod = b.get('pods', 'default', 'ratings-v1-pmhk8wsqv-zlmfd');
      delete pod.metadata.annotations;
      b.zwRow('default', 'ratings-v1-pmhk8wsqv-zlmfd')[5] = 'TCP';
    },
    doc: (r) => [
      `- Namespace \`default\` is ambient (${r.obj(NSS, undefined, 'default', 'dataplane-mode')}), but pod \`ratings-v1-pmhk8wsqv-zlmfd\` has no \`ambient.istio.io/redirection: enabled\` annotation (its metadata, ${r.obj(PODS, 'default', 'ratings-v1-pmhk8wsqv-zlmfd', '"creationTimestamp"')}, has no annotations at all): istio-cni never set up its redirection, e.g. because it started while the node agent on agent-0 was restarting.`,
      `- ztunnel lists it with PROTOCOL \`TCP\` (${r.row(ZW, 'default', 'ratings-v1-pmhk8wsqv-zlmfd')}): the destination ztunnel cannot enforce anything for it, and the waypoint reaches it in plaintext. Service \`ratings\` itself is still bound (${r.row(ZS, 'default', 'ratings')}).`,
    ],
  },
  {
    name: 'wp017-sidecar-client',
    expected: ['WP017'],
    title: 'WP017: a sidecar-injected client calls waypoint-bound services',
    build(b) {
      addNamespace(b, 'legacy', at('09:22:40'), { 'istio-injection': 'enabled' });
      const { dep, pod } = clientDeployment(b, 'legacy', 'legacy-client', at('09:23:05'), at('09:23:09'), AGENT, '10.42.1.9', {});
      injectSidecar(pod, dep, b);
      b.addProxy([`${pod.metadata.name}.legacy`, 'Kubernetes', 'SYNCED (14m)', 'SYNCED (14m)', 'SYNCED (14m)', 'SYNCED (14m)', 'IGNORED', 'istiod-nd49fnlq5d-mnsrx', '1.26.2'], 'sidecar');
      b.zw.rows.push(['legacy', pod.metadata.name, '10.42.1.9', AGENT, 'None', 'TCP']);
    },
    doc: (r, b) => {
      const pod = b.items('pods').find((p) => p.metadata.name.startsWith('legacy-client-')).metadata.name;
      return [
        `- Namespace \`legacy\` has \`istio-injection: enabled\` (${r.obj(NSS, undefined, 'legacy', 'istio-injection')}) and no ambient label. Its pod \`${pod}\` was injected: annotation \`sidecar.istio.io/status\` (${r.obj(PODS, 'legacy', pod, 'sidecar.istio.io/status')}) and containers \`curl\` and \`istio-proxy\` (${r.obj(PODS, 'legacy', pod, '"name": "istio-proxy"')}).`,
        `- proxy-status lists it as an ordinary sidecar with RDS (${r.row(PS, `${pod}.legacy`)}); ztunnel lists it with PROTOCOL \`TCP\` (${r.row(ZW, 'legacy', pod)}).`,
        `- Sidecars route to service endpoints themselves and never send to waypoints, so its calls to \`productpage\`, \`reviews\` and the others skip their waypoints' L7 policies.`,
      ];
    },
  },
  {
    name: 'wp018-ingress-bypasses-waypoint',
    expected: ['WP018'],
    title: 'WP018: ingress traffic to a waypoint-bound service bypasses the waypoint',
    build(b) {
      b.get('gateways', 'default', 'bookinfo-gateway').status.listeners[0].attachedRoutes = 1;
      const applied = {
        apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { annotations: {}, name: 'bookinfo', namespace: 'default' },
        spec: {
          parentRefs: [{ name: 'bookinfo-gateway' }],
          rules: [{
            backendRefs: [{ name: 'productpage', port: 9080 }],
            matches: [
              { path: { type: 'Exact', value: '/productpage' } }, { path: { type: 'PathPrefix', value: '/static' } },
              { path: { type: 'Exact', value: '/login' } }, { path: { type: 'Exact', value: '/logout' } },
              { path: { type: 'PathPrefix', value: '/api/v1/products' } },
            ],
          }],
        },
      };
      const parent = { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'bookinfo-gateway' };
      b.add('httproutes', {
        apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute',
        metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied(applied) }, creationTimestamp: at('09:13:05'), generation: 1, name: 'bookinfo', namespace: 'default', resourceVersion: '1194', uid: uuid('httproute:default/bookinfo') },
        spec: {
          parentRefs: [parent],
          rules: [{ backendRefs: [{ group: '', kind: 'Service', name: 'productpage', port: 9080, weight: 1 }], matches: applied.spec.rules[0]!.matches }],
        },
        status: {
          parents: [{
            conditions: [
              { lastTransitionTime: at('09:13:06'), message: 'Route was valid', observedGeneration: 1, reason: 'Accepted', status: 'True', type: 'Accepted' },
              { lastTransitionTime: at('09:13:06'), message: 'All references resolved', observedGeneration: 1, reason: 'ResolvedRefs', status: 'True', type: 'ResolvedRefs' },
            ],
            controllerName: 'istio.io/gateway-controller', parentRef: parent,
          }],
        },
      });
    },
    doc: (r) => [
      `- HTTPRoute \`default/bookinfo\` (${r.obj('kubectl/httproutes.json', 'default', 'bookinfo', '"name": "bookinfo"')}) attaches to the ingress Gateway \`bookinfo-gateway\` (parentRef ${r.obj('kubectl/httproutes.json', 'default', 'bookinfo', '"name": "bookinfo-gateway"')}; the listener counts it, ${r.obj(GWS, 'default', 'bookinfo-gateway', 'attachedRoutes: 1')}) and sends to Service \`productpage\` port 9080 (${r.obj('kubectl/httproutes.json', 'default', 'bookinfo', '"name": "productpage"')}). istio.io/gateway-controller accepted it and resolved its refs (${r.obj('kubectl/httproutes.json', 'default', 'bookinfo', 'All references resolved')}).`,
      `- \`productpage\` is bound to the namespace waypoint (${r.row(ZS, 'default', 'productpage')}), but neither the Service nor namespace \`default\` has \`istio.io/ingress-use-waypoint: "true"\` (${r.obj(NSS, undefined, 'default', 'labels:')} onwards). Ingress gateways only route through a waypoint when asked to, so requests from the internet reach productpage without its L7 policy (such as \`productpage-viewer\`).`,
    ],
  },
  {
    name: 'wp019-serviceentry-without-vip',
    expected: ['WP019'],
    title: 'WP019: a waypoint-bound ServiceEntry has no VIP',
    build(b) {
      const applied = {
        apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry',
        metadata: { annotations: {}, labels: { [USE_WAYPOINT]: 'waypoint', 'networking.istio.io/enable-autoallocate-ip': 'false' }, name: 'external-api', namespace: 'default' },
        spec: { hosts: ['api.example.com'], location: 'MESH_EXTERNAL', ports: [{ name: 'http', number: 80, protocol: 'HTTP' }], resolution: 'DNS' },
      };
      b.add('serviceentries', {
        apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry',
        metadata: {
          annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied(applied) }, creationTimestamp: at('09:23:20'), generation: 1,
          labels: applied.metadata.labels, name: 'external-api', namespace: 'default', resourceVersion: nextRv(), uid: uuid('se:default/external-api'),
        },
        spec: applied.spec,
        status: { conditions: [{ lastTransitionTime: at('09:23:21'), message: 'Successfully attached to waypoint default/waypoint', observedGeneration: '1', reason: 'WaypointAccepted', status: 'True', type: WAYPOINT_BOUND }] },
      });
      // ztunnel names a ServiceEntry's service after the ServiceEntry; a DNS ServiceEntry without endpoints
      // gets one workload per host, addressed by hostname (no IP, no node).
      b.zs.rows.push(['default', 'external-api', '', 'waypoint', '1/1']);
      b.zw.rows.push(['default', 'external-api', 'api.example.com', '', 'None', 'TCP']);
    },
    doc: (r) => [
      `- ServiceEntry \`default/external-api\` for \`api.example.com\` (hosts at ${r.obj('kubectl/serviceentries.json', 'default', 'external-api', '"hosts": [')}) has \`istio.io/use-waypoint: waypoint\` (${r.obj('kubectl/serviceentries.json', 'default', 'external-api', '"istio.io/use-waypoint": "waypoint"')}) and \`resolution: DNS\` (${r.obj('kubectl/serviceentries.json', 'default', 'external-api', '"resolution": "DNS"')}), but no \`addresses\`, and it opted out of IP auto-allocation (${r.obj('kubectl/serviceentries.json', 'default', 'external-api', '"networking.istio.io/enable-autoallocate-ip": "false"')}). istiod binds it (\`WaypointBound\` True, ${r.obj('kubectl/serviceentries.json', 'default', 'external-api', 'WaypointAccepted')}).`,
      `- ztunnel has its service (named after the ServiceEntry, \`external-api\`) with an empty SERVICE VIP and WAYPOINT \`waypoint\` (${r.row(ZS, 'default', 'external-api')}), and one workload addressed by hostname (${r.row(ZW, 'default', 'external-api')}). Clients resolve \`api.example.com\` to its real public IP, which ztunnel does not recognise, so the waypoint (and its egress policy) is never used.`,
    ],
  },
  {
    name: 'wp020-ztunnel-cannot-resolve-waypoint',
    expected: ['WP020'],
    title: 'WP020: ztunnel cannot resolve a service\'s waypoint',
    build(b) {
      b.setServiceWaypoint('default', 'reviews', 'NA');
      b.removeRow(b.zs, (r) => r[0] === 'default' && r[1] === 'reviews-svc-waypoint');
      b.extra.set('logs/istio-system/ztunnel-9f46c.log', ztunnelLog());
    },
    doc: (r) => [
      `- ztunnel \`ztunnel-9f46c\` (node server-0, which \`istioctl ztunnel-config\` read) shows WAYPOINT \`NA\` for \`reviews\` (${r.row(ZS, 'default', 'reviews')}): the service has a waypoint (\`default/reviews-svc-waypoint.default.svc.cluster.local\`), but that hostname matches no service in this ztunnel's state. The waypoint's own Service is missing from its table (compare \`bookinfo-ambient\`), although it exists in the cluster (${r.obj(SVC, 'default', 'reviews-svc-waypoint', '"clusterIP"')}) and istiod reports the binding (${r.obj(SVC, 'default', 'reviews', 'WaypointAccepted')}).`,
      `- The ztunnel log shows every call from productpage to reviews failing: \`connection failed ... error="unknown waypoint: waypoint reviews-svc-waypoint.default.svc.cluster.local not found"\` (${r.line('logs/istio-system/ztunnel-9f46c.log', 'unknown waypoint')} onwards), logged at \`warn\` as ztunnel's early-deny line. Calls to productpage and details through the namespace waypoint succeed.`,
    ],
  },
  {
    name: 'wp037-waypoint-not-synced',
    expected: ['WP037'],
    title: 'WP037: a waypoint is not in sync with istiod',
    build(b) {
      const ap = b.get('authorizationpolicies', 'default', 'productpage-viewer');
      ap.metadata.creationTimestamp = at('09:26:52');
      ap.status.conditions[0].lastTransitionTime = at('09:26:53');
      for (const row of b.ps.rows) for (let i = 2; i < 7; i++) row[i] = row[i]!.replace('(14m)', '(12m)');
      const wp = b.psRow(`${waypointPodName(b, 'waypoint')}.default`);
      wp[2] = 'STALE (12m)';
      wp[4] = 'STALE (12m)';
    },
    doc: (r, b) => [
      `- istiod's last push went out at 09:26:53 (AuthorizationPolicy \`productpage-viewer\` created, ${r.obj('kubectl/authorizationpolicies.json', 'default', 'productpage-viewer', '"creationTimestamp"')}), 12 minutes before the capture. Every proxy acknowledged it except the namespace waypoint, which shows CDS \`STALE (12m)\` and EDS \`STALE (12m)\` (${r.row(PS, `${waypointPodName(b, 'waypoint')}.default`)}; header on line 1). Its LDS is \`SYNCED (12m)\`; RDS and ECDS \`IGNORED\` are normal for a waypoint.`,
    ],
  },
  {
    name: 'wp038-version-skew',
    expected: ['WP038'],
    title: 'WP038: ztunnel is two minor versions behind istiod',
    build(b) {
      const ds = '1.24.3';
      for (const pod of b.items('pods').filter((p) => p.metadata.name.startsWith('ztunnel-'))) {
        pod.metadata.labels['app.kubernetes.io/version'] = ds;
        pod.metadata.labels['helm.sh/chart'] = `ztunnel-${ds}`;
        pod.metadata.labels['controller-revision-hash'] = 'd7bc8f9c5';
        pod.spec.containers[0].image = `docker.io/istio/ztunnel:${ds}`;
        const cs = pod.status.containerStatuses[0];
        cs.image = `docker.io/istio/ztunnel:${ds}`;
        cs.imageID = `docker.io/istio/ztunnel@sha256:${imageDigest(`ztunnel:${ds}`)}`;
        b.psRow(`${pod.metadata.name}.istio-system`)[8] = ds;
        b.version.dataPlaneVersion.find((p: K) => p.ID === `${pod.metadata.name}.istio-system`).IstioVersion = ds;
      }
    },
    doc: (r) => [
      `- istiod is 1.26.2 (${r.line(VER, 'control plane')}), but the ztunnel DaemonSet was left on 1.24.3: both ztunnel pods run \`docker.io/istio/ztunnel:1.24.3\` (${r.obj(PODS, 'istio-system', 'ztunnel-9f46c', '"image": "docker.io/istio/ztunnel:1.24.3"')}) from chart \`ztunnel-1.24.3\`.`,
      `- proxy-status shows VERSION \`1.24.3\` for them (${r.row(PS, 'ztunnel-8j9n9.istio-system')}, ${r.row(PS, 'ztunnel-9f46c.istio-system')}); \`istioctl version\` prints \`data plane version: 1.24.3 (2 proxies), 1.26.2 (4 proxies)\` (${r.line(VER, 'data plane')}; versions sorted as istioctl sorts them) and \`version.json\` lists each proxy (${r.line(VERJ, '"IstioVersion": "1.24.3"')}). ztunnel supports a control plane at most one minor version newer.`,
    ],
  },
  {
    name: 'wp039-unexpected-istiod-revision',
    expected: ['WP039'],
    title: 'WP039: the waypoint is served by an unexpected istiod revision',
    build(b) {
      // A canary control plane (same version) installed with `--set revision=canary`.
      const istiod = b.get('deployments', 'istio-system', 'istiod');
      const canary = clone(istiod);
      const relabel = (labels: K) => Object.assign(labels, { istio: 'istiod', 'istio.io/rev': 'canary' });
      Object.assign(canary.metadata, { name: 'istiod-canary', creationTimestamp: at('09:07:30'), resourceVersion: '611', uid: uuid('deploy:istio-system/istiod-canary') });
      canary.metadata.annotations['meta.helm.sh/release-name'] = 'istiod-canary';
      relabel(canary.metadata.labels);
      relabel(canary.spec.template.metadata.labels);
      canary.spec.selector.matchLabels = { app: 'istiod', 'istio.io/rev': 'canary' };
      const tpl = canary.spec.template.spec;
      tpl.serviceAccount = tpl.serviceAccountName = 'istiod-canary';
      tpl.containers[0].env.find((e: K) => e.name === 'REVISION').value = 'canary';
      const oldPod = b.get('pods', 'istio-system', 'istiod-nd49fnlq5d-mnsrx');
      const pod = newPod(oldPod, { deployment: 'istiod-canary', node: AGENT, ip: '10.42.1.3', created: at('09:07:31'), ready: at('09:07:39') });
      relabel(pod.metadata.labels);
      pod.metadata.resourceVersion = '607';
      pod.spec.serviceAccount = pod.spec.serviceAccountName = 'istiod-canary';
      pod.spec.containers[0].env.find((e: K) => e.name === 'REVISION').value = 'canary';
      Object.assign(canary.status.conditions.find((c: K) => c.type === 'Available'), { lastTransitionTime: at('09:07:39'), lastUpdateTime: at('09:07:39') });
      Object.assign(canary.status.conditions.find((c: K) => c.type === 'Progressing'), {
        lastTransitionTime: at('09:07:30'), lastUpdateTime: at('09:07:39'), message: `ReplicaSet "${pod.metadata.ownerReferences[0].name}" has successfully progressed.`,
      });
      b.add('deployments', canary);
      b.add('pods', pod);
      const svc = clone(b.get('services', 'istio-system', 'istiod'));
      Object.assign(svc.metadata, { name: 'istiod-canary', creationTimestamp: at('09:07:30'), resourceVersion: '598', uid: uuid('svc:istio-system/istiod-canary') });
      relabel(svc.metadata.labels);
      svc.spec.clusterIP = '10.43.77.15';
      svc.spec.clusterIPs = ['10.43.77.15'];
      svc.spec.selector = { app: 'istiod', 'istio.io/rev': 'canary' };
      b.add('services', svc);
      b.zs.rows.push(['istio-system', 'istiod-canary', '10.43.77.15', 'None', '1/1']);
      b.zw.rows.push(['istio-system', pod.metadata.name, '10.42.1.3', AGENT, 'None', 'TCP']);
      const info = b.version.meshVersion[0].Info;
      b.version.meshVersion.unshift({ Component: 'pilot', Revision: 'canary', Info: clone(info) });

      // While testing the canary, someone pointed the namespace waypoint's proxy at it through the
      // Gateway's infrastructure annotations (no istio.io/rev anywhere), and forgot to remove it.
      const proxyConfig = '{"discoveryAddress":"istiod-canary.istio-system.svc:15012"}';
      const gw = b.get('gateways', 'default', 'waypoint');
      gw.spec.infrastructure = { annotations: { 'proxy.istio.io/config': proxyConfig } };
      gw.metadata.generation = 2;
      gw.metadata.resourceVersion = nextRv();
      for (const c of [...gw.status.conditions, ...gw.status.listeners[0].conditions]) c.observedGeneration = 2;
      const dep = b.get('deployments', 'default', 'waypoint');
      dep.metadata.annotations['proxy.istio.io/config'] = proxyConfig;
      dep.spec.template.metadata.annotations['proxy.istio.io/config'] = proxyConfig;
      const old = b.get('pods', 'default', waypointPodName(b, 'waypoint'));
      const wp = newPod(old, { deployment: 'waypoint', node: SERVER, ip: '10.42.0.17', created: at('09:23:51'), ready: at('09:23:56') });
      wp.metadata.annotations['proxy.istio.io/config'] = proxyConfig;
      rollDeployment(dep, wp, at('09:23:56'));
      replaceProxyPod(b, old, wp);
      b.psRow(`${wp.metadata.name}.default`)[7] = pod.metadata.name;
    },
    doc: (r, b) => {
      const canary = b.items('pods').find((p) => p.metadata.name.startsWith('istiod-canary-')).metadata.name;
      const wp = waypointPodName(b, 'waypoint');
      return [
        `- Two control planes run: the default revision \`istiod-nd49fnlq5d-mnsrx\` and a canary \`${canary}\` (label \`istio.io/rev: canary\`, ${r.obj(PODS, 'istio-system', canary, '"istio.io/rev"')}; \`version.json\` lists both revisions, ${r.line(VERJ, '"Revision": "canary"')}).`,
        `- Neither namespace \`default\` (${r.obj(NSS, undefined, 'default', 'labels:')}) nor Gateway \`default/waypoint\` (${r.obj(GWS, 'default', 'waypoint', 'name: waypoint')}) has an \`istio.io/rev\` label, so the waypoint belongs to the default revision, which also deployed it (pod annotation \`istio.io/rev: default\`, ${r.obj(PODS, 'default', wp, '"istio.io/rev"')}).`,
        `- Yet proxy-status shows the waypoint pod \`${wp}\` connected to the canary (ISTIOD \`${canary}\`, ${r.row(PS, `${wp}.default`)}), while every other proxy uses \`istiod-nd49fnlq5d-mnsrx\`. The cause is in the Gateway: \`spec.infrastructure.annotations\` sets \`proxy.istio.io/config\` with \`discoveryAddress: istiod-canary...\` (${r.obj(GWS, 'default', 'waypoint', 'proxy.istio.io/config')}), copied to the pod (${r.obj(PODS, 'default', wp, 'proxy.istio.io/config')}). The waypoint gets its configuration from a control plane whose config may differ.`,
      ];
    },
  },
);

/** `kubectl logs ztunnel-9f46c -c istio-proxy`: startup, then traffic from sleep through productpage. */
function ztunnelLog(): string {
  const t0 = '2025-10-14T09:05:56';
  const lines = [
    `${t0}.412805Z\tinfo\tztunnel\tversion: version.BuildInfo{Version:"1.26.2", GitRevision:"6f1e5c0a9d84b2e7c3a1f08d5b6e4c29a7d3f15e", RustVersion:"1.86.0", BuildProfile:"release", BuildStatus:"Clean", GitTag:"1.26.2", IstioVersion:"1.26.2"}`,
    `${t0}.413377Z\tinfo\tztunnel\trunning with config: proxy: true`,
    'dnsProxy: true', 'windowSize: 4194304', 'connectionWindowSize: 16777216', 'frameSize: 1048576', 'adminAddr:', '  Localhost:', '  - true', '  - 15000',
    'statsAddr:', "  SocketAddr: '[::]:15020'", 'readinessAddr:', "  SocketAddr: '[::]:15021'", "inboundAddr: '[::]:15008'",
    "inboundPlaintextAddr: '[::]:15006'", "outboundAddr: '[::]:15001'", 'dnsProxyAddr:', '  Localhost:', '  - true', '  - 15053',
    "network: ''", `localNode: ${SERVER}`, 'proxyMode: Shared', 'clusterId: Kubernetes', 'clusterDomain: cluster.local',
    'xdsAddress: https://istiod.istio-system.svc:15012', 'caAddress: https://istiod.istio-system.svc:15012', 'numWorkerThreads: 2',
    'inpodEnabled: true', 'inpodUds: /var/run/ztunnel/ztunnel.sock', 'packetMark: 1337',
    `${t0}.415102Z\tinfo\thyper_util\tlistener established\taddress=127.0.0.1:15000 component="admin"`,
    `${t0}.415398Z\tinfo\thyper_util\tlistener established\taddress=[::]:15020 component="stats"`,
    `${t0}.415511Z\tinfo\thyper_util\tlistener established\taddress=[::]:15021 component="readiness"`,
    `${t0}.416069Z\tinfo\tdns::server\tlistener established\taddress=127.0.0.1:15053 component="dns-udp"`,
    `2025-10-14T09:05:57.201227Z\tinfo\txds::client:xds{id=1}\tStream established`,
    `2025-10-14T09:05:57.210815Z\tinfo\txds::client:xds{id=1}\treceived response\ttype_url="type.googleapis.com/istio.workload.Address" size=14 removes=0`,
    `2025-10-14T09:05:57.211104Z\tinfo\txds::client:xds{id=1}\treceived response\ttype_url="type.googleapis.com/istio.security.Authorization" size=0 removes=0`,
    `2025-10-14T09:05:57.212910Z\tinfo\tinpod::statemanager\tztunnel connected to CNI agent`,
    `2025-10-14T09:05:57.218570Z\tinfo\treadiness\tTask 'state manager' complete (0.806000s), marking server ready`,
    `2025-10-14T09:05:58.003411Z\tinfo\treadiness\tready in 1.591s`,
  ];
  const id = (sa: string) => `"spiffe://cluster.local/ns/default/sa/${sa}"`;
  const conn = (ts: string, level: string, src: [string, string, string], dst: string, hbone: string, svc: string, dstWl: string, dstSa: string, dir: string, sent: number, recv: number, ms: number) =>
    `${ts}\t${level}\taccess\tconnection complete\tsrc.addr=${src[0]} src.workload="${src[1]}" src.namespace="default" src.identity=${id(src[2])} ` +
    `dst.addr=${dst} dst.hbone_addr=${hbone} dst.service="${svc}.default.svc.cluster.local" dst.workload="${dstWl}" dst.namespace="default" dst.identity=${id(dstSa)} ` +
    `direction="${dir}" bytes_sent=${sent} bytes_recv=${recv} duration="${ms}ms"`;
  const WP = 'waypoint-mxvtrsgdrp-cspts';
  const minute = (m: number) => `2025-10-14T09:${String(m).padStart(2, '0')}`;
  let port = 40211;
  const p = () => (port = (port * 7 + 13) % 25000 + 33000);
  for (let m = 32; m <= 38; m++) {
    const base = minute(m);
    lines.push(conn(`${base}:12.000731Z`, 'info', [`10.42.0.12:${p()}`, 'sleep-5mfps72bwt-9ggt7', 'sleep'], '10.42.0.15:15008', '10.43.172.254:9080', 'productpage', WP, 'waypoint', 'outbound', 84, 4294 + m, 38 + (m % 5)));
    lines.push(conn(`${base}:12.003412Z`, 'info', [`10.42.0.15:${p()}`, WP, 'waypoint'], '10.42.0.11:15008', '10.42.0.11:9080', 'productpage', 'productpage-v1-gg66htgq2-bjdxq', 'bookinfo-productpage', 'inbound', 4294 + m, 1211, 35 + (m % 5)));
    lines.push(conn(`${base}:12.009118Z`, 'info', [`10.42.0.11:${p()}`, 'productpage-v1-gg66htgq2-bjdxq', 'bookinfo-productpage'], '10.42.0.15:15008', '10.43.160.119:9080', 'details', WP, 'waypoint', 'outbound', 213, 358, 4));
    lines.push(conn(`${base}:12.010204Z`, 'info', [`10.42.0.15:${p()}`, WP, 'waypoint'], '10.42.0.9:15008', '10.42.0.9:9080', 'details', 'details-v1-vhxj2wn7x5-5h6fc', 'bookinfo-details', 'inbound', 358, 1104, 3));
    lines.push(`${base}:12.015632Z\twarn\taccess\tconnection failed\tsrc.addr=10.42.0.11:${p()} dst.addr=10.43.162.105:9080 direction="outbound" error="unknown waypoint: waypoint reviews-svc-waypoint.default.svc.cluster.local not found"`);
  }
  return lines.join('\n') + '\n';
}

// =====================================================================================================
// Main
// =====================================================================================================

function filesUnder(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

/** Every written file must read back: JSON parses, YAML loads, tables re-render to the same bytes. */
function validate(name: string, files: Map<string, string>): void {
  for (const [path, text] of files) {
    const where = `${name}/${path}`;
    if (path.endsWith('.json')) JSON.parse(text);
    if (path.endsWith('.yaml')) {
      const value = loadYaml(text);
      if (kubectlYaml(value) !== text) throw new Error(`${where}: YAML does not round-trip`);
    }
    if (/ztunnel-config|proxy-status/.test(path)) {
      const header = text.slice(0, text.indexOf('\n'));
      const columns = path.includes('service') ? ZS_COLUMNS : path.includes('workload') ? ZW_COLUMNS : header.trim().split(/\s{2,}/);
      const t = parseTable(text, columns, path.includes('proxy-status') ? 5 : 1);
      if (renderTable(t) !== text) throw new Error(`${where}: table does not round-trip`);
      if (/ +$/m.test(text)) throw new Error(`${where}: trailing spaces`);
    }
  }
}

function main(): void {
  // The base must render back to itself byte for byte, or the serializers are not kubectl's/istioctl's.
  const base = new Bundle(BASE);
  for (const [path, text] of base.render()) {
    if (readFileSync(join(BASE, path), 'utf8') !== text) throw new Error(`bookinfo-ambient/${path} does not round-trip`);
  }
  const baseFiles = filesUnder(BASE).map((f) => relative(BASE, f).split('\\').join('/'));

  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const expected: Record<string, string[]> = {};
  for (const s of scenarios) {
    resourceVersion = 2095;
    const b = new Bundle(BASE);
    s.build(b);
    const files = b.render();
    for (const f of baseFiles) if (!files.has(f)) throw new Error(`${s.name}: ${f} not rendered`);
    validate(s.name, files);
    const dir = join(OUT, s.name);
    for (const [path, text] of files) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const r = new Refs(b, files);
    const md = [
      `# ${s.title}`,
      '',
      `Built by \`scripts/make-scenarios.ts\` from \`samples/bookinfo-ambient\` (Istio 1.26.2 on k3d; captured at 09:39 UTC, ` +
        'istiod\'s last push 14 minutes earlier). Only what this fault changes differs from that healthy sample; every file shows it ' +
        'as the real cluster would.',
      '',
      '## What is wrong, and where it shows',
      '',
      ...s.doc(r, b),
      '',
      `## Expected findings`,
      '',
      `${s.expected.join(', ')} fails (see \`../expected.json\`). No other rule of WP001-WP020 and WP037-WP039 should fail. ` +
        '`istioctl analyze` messages in `istioctl/analyze.txt` are reported under their IST codes as well.',
      '',
    ].join('\n');
    writeFileSync(join(dir, 'scenario.md'), md);
    expected[s.name] = s.expected;
    console.log(`${relative(process.cwd(), dir)}: ${files.size + 1} files`);
  }
  writeFileSync(join(OUT, 'expected.json'), JSON.stringify(expected, null, 2) + '\n');
  if (!existsSync(join(OUT, 'expected.json'))) throw new Error('expected.json not written');
  void cpSync;
}

main();
