/**
 * ztunnel config dumps: `istioctl ztunnel-config all -o json` and ztunnel's admin `/config_dump`
 * (a bug-report `proxies/<ns>/<ztunnel-pod>/config_dump`), of every era:
 *
 * - 1.23+: `workloads`, `services`, `policies` are sorted lists.
 * - 1.22 (and istioctl's own testdata to this day): `workloads`/`services` are maps keyed by
 *   `network/ip`, `policies` a map keyed by `ns/name` (or already a list).
 * - 1.19-1.21: flattened stores `by_addr`/`by_uid`/`by_vip`/`by_host`/`workload_to_services`.
 * - 1.18: `workloads` keyed by IP (`workloadIp`, `waypointAddresses`), `vips`, `policies_by_namespace`.
 * - The 1.30 `ztunnel-config connections -o json` output (a list of `{state, connections, info}`).
 *
 * Records have the shape of the `ztunnel-config` table rows, with every column computed as istioctl
 * computes it (`istioctl/pkg/writer/ztunnel/configdump/*.go`), so rules need not care where they came
 * from. Certificate material (`pem`) is never copied, nor shown in an excerpt.
 */
import type { TextLines } from '../text/lines.js';
import { isRecord, yamlListItemOffsets } from './kube.js';
import { loadKubeYaml } from './yaml.js';
import { excerpt, type FileParser, type ParseInput } from './parser.js';
import type {
  Diagnostic,
  ParseResult,
  Provenance,
  ZtunnelCertificate,
  ZtunnelConnection,
  ZtunnelPolicy,
  ZtunnelService,
  ZtunnelWorkload,
} from './types.js';

type Rec = Record<string, unknown>;

type Era = 'lists' | 'maps' | 'stores' | 'legacy-1.18';

const ERA_LABEL: Record<Era, string> = {
  lists: '1.23+ lists',
  maps: '1.22 maps',
  stores: '1.19-1.21 stores',
  'legacy-1.18': '1.18 stores',
};

/** The flattened stores of ztunnel 1.19-1.21. */
const STORE_KEYS = ['by_addr', 'by_uid', 'by_vip', 'by_host', 'workload_to_services'] as const;
/** Top-level keys only ztunnel dumps of some era have. */
const DUMP_KEYS = [
  'workloads', 'services', 'policies', 'certificates', 'stagedServices', 'staticConfig', 'static_config',
  'workloadState', 'policies_by_namespace', 'workload_to_vip', 'vips',
] as const;

// ---------------------------------------------------------------------------------------------
// Detection

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** The first few values of a list or map, for shape checks. */
function sample(v: unknown, n = 3): unknown[] {
  if (Array.isArray(v)) return v.slice(0, n);
  if (isRecord(v)) {
    const out: unknown[] = [];
    for (const k in v) {
      out.push(v[k]);
      if (out.length >= n) break;
    }
    return out;
  }
  return [];
}

const looksLikeWorkload = (w: unknown) =>
  isRecord(w) && (Array.isArray(w['workloadIps']) || typeof w['workloadIp'] === 'string') && ('namespace' in w || 'name' in w);
const looksLikeService = (s: unknown) => isRecord(s) && Array.isArray(s['vips']) && typeof s['hostname'] === 'string';
const looksLikePolicy = (p: unknown) => isRecord(p) && typeof p['scope'] === 'string' && typeof p['action'] === 'string';
const looksLikeCert = (c: unknown) => isRecord(c) && typeof c['identity'] === 'string' && typeof c['state'] === 'string';
const isCollection = (v: unknown) => Array.isArray(v) || isRecord(v);

/** The era of a ztunnel dump object, or undefined when `json` is not one. */
function dumpEra(json: unknown): Era | undefined {
  if (!isRecord(json)) return undefined;
  // Kubernetes objects and Envoy dumps are someone else's.
  if ('kind' in json || 'apiVersion' in json || 'configs' in json) return undefined;
  if (STORE_KEYS.some((k) => isRecord(json[k]))) return 'stores';
  const workloads = json['workloads'];
  // istiod's /debug/ambientz is istiod's view (protobuf JSON, base64 `addresses`), not what a ztunnel holds.
  if (sample(workloads).some((w) => isRecord(w) && Array.isArray(w['addresses']) && !('workloadIps' in w))) return undefined;
  const legacy = isRecord(json['vips']) || isRecord(json['policies_by_namespace']) || isRecord(json['workload_to_vip']);
  if (isRecord(workloads) && (legacy || sample(workloads).some((w) => isRecord(w) && typeof w['workloadIp'] === 'string'))) {
    return 'legacy-1.18';
  }
  const evidence =
    sample(workloads).some(looksLikeWorkload) ||
    sample(json['services']).some(looksLikeService) ||
    sample(json['policies']).some(looksLikePolicy) ||
    (Array.isArray(json['certificates']) && sample(json['certificates']).some(looksLikeCert)) ||
    // An empty dump: the collections are there, and so is another key only ztunnel writes.
    (isCollection(workloads) && isCollection(json['services']) && DUMP_KEYS.filter((k) => k in json).length >= 3);
  if (!evidence) return undefined;
  const shaped = isCollection(workloads) ? workloads : json['services'];
  return isRecord(shaped) ? 'maps' : 'lists';
}

/** `ztunnel-config connections -o json` (1.30+): a list of `{state, connections: {inbound, outbound}, info}`. */
function isConnectionsDump(json: unknown): json is unknown[] {
  return (
    Array.isArray(json) &&
    json.length > 0 &&
    json.slice(0, 5).every((e) => {
      if (!isRecord(e) || !isRecord(e['info']) || !isRecord(e['connections'])) return false;
      const c = e['connections'];
      return Array.isArray(c['inbound']) || Array.isArray(c['outbound']);
    })
  );
}

// ---------------------------------------------------------------------------------------------
// JSON paths and where they are in the text

function memberPath(parent: string, key: string): string {
  const ident = /^[A-Za-z_$][\w$]*$/.test(key);
  if (parent === '') return ident ? key : `[${JSON.stringify(key)}]`;
  return ident ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

function elementPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

/** Members whose line is the one to cite for the object that holds them. */
const ANCHORS = new Set(['name', 'identity', 'serialNumber', 'serial_number', 'src']);
/** Members below the top two levels that hold records (certificates, connections). */
const STRUCTURAL = new Set(['certChain', 'rootCerts', 'ca_cert', 'cert_chain', 'connections', 'inbound', 'outbound']);
const MAX_CONTAINER_DEPTH = 5;
const MAX_ANCHOR_DEPTH = 6;

interface Frame {
  arr: boolean;
  /** Undefined below the depth whose paths are recorded. */
  path: string | undefined;
  depth: number;
  index: number;
  key: string;
  keyAt: number;
  expectKey: boolean;
}

/**
 * One forward pass over the JSON text: by path, the offset of the values of the first two levels
 * and of the containers below them that lead to records (for a member, the offset of its key),
 * and of their ANCHORS members.
 * Strings are skipped with indexOf. Text that is not the parsed document only costs lines.
 */
export function scanJsonOffsets(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const stack: Frame[] = [];
  const n = text.length;
  // A pasted command line may precede the document.
  let i = text.search(/^[ \t]*[[{]/m);
  if (i < 0) return out;

  const enter = (at: number, container: boolean): { path: string | undefined; depth: number } => {
    const parent = stack[stack.length - 1];
    if (!parent) return { path: '', depth: 0 };
    const depth = parent.depth + 1;
    if (parent.path === undefined) return { path: undefined, depth };
    // Scalars too near the top (`"workloads": "x"`, `services[0]: null`), for the line of a diagnostic.
    const scalar = !container && (depth <= 2 || (!parent.arr && depth <= MAX_ANCHOR_DEPTH && ANCHORS.has(parent.key)));
    // Below the top two levels, only the containers that lead to records: list elements
    // (`by_host[h][0]`, `certChain[1]`) and the few members on the way to them.
    const wanted = container && depth <= MAX_CONTAINER_DEPTH && (depth <= 2 || parent.arr || STRUCTURAL.has(parent.key));
    if (!wanted && !scalar) return { path: undefined, depth };
    const path = parent.arr ? elementPath(parent.path, parent.index) : memberPath(parent.path, parent.key);
    out.set(path, parent.arr ? at : parent.keyAt);
    return { path: container ? path : undefined, depth };
  };

  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 123 /* { */ || c === 91 /* [ */) {
      const { path, depth } = enter(i, true);
      stack.push({ arr: c === 91, path, depth, index: 0, key: '', keyAt: -1, expectKey: true });
      i++;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      stack.pop();
      if (stack.length === 0) break;
      i++;
    } else if (c === 44 /* , */) {
      const top = stack[stack.length - 1];
      if (top?.arr) top.index++;
      else if (top) top.expectKey = true;
      i++;
    } else if (c === 34 /* " */) {
      const end = stringEnd(text, i);
      if (end < 0) break;
      const top = stack[stack.length - 1];
      if (top && !top.arr && top.expectKey) {
        top.key = decodeKey(text, i, end);
        top.keyAt = i;
        top.expectKey = false;
      } else {
        enter(i, false);
      }
      i = end + 1;
    } else if (c === 32 || c === 10 || c === 13 || c === 9 || c === 58 /* : */) {
      i++;
    } else {
      // A number, true, false or null.
      enter(i, false);
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 44 || d === 93 || d === 125 || d === 32 || d === 10 || d === 13 || d === 9) break;
        i++;
      }
    }
  }
  return out;
}

/** The offset of the quote that closes the string opened at `start`, or -1. */
function stringEnd(text: string, start: number): number {
  let j = text.indexOf('"', start + 1);
  while (j !== -1) {
    let backslashes = 0;
    for (let k = j - 1; text.charCodeAt(k) === 92; k--) backslashes++;
    if (backslashes % 2 === 0) return j;
    j = text.indexOf('"', j + 1);
  }
  return -1;
}

function decodeKey(text: string, start: number, end: number): string {
  const raw = text.slice(start + 1, end);
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(text.slice(start, end + 1)) as string;
  } catch {
    return raw;
  }
}

/** A line shown as evidence: not a lone bracket, not a whole minified document, never certificate text. */
function safeExcerpt(line: string): string | undefined {
  const t = line.trim();
  if (t.length < 3 || t.length > 240) return undefined;
  if (/"pem"|-----BEGIN|PRIVATE KEY/i.test(t)) return undefined;
  return excerpt(t);
}

/** Provenance by JSON path, the offsets found in one scan made on first use. */
class Locator {
  private offsets: Map<string, number> | undefined;
  private lines: TextLines | undefined;

  /** `yaml`: the document is ztunnel's YAML local config; its list items are located, not JSON members. */
  constructor(private readonly input: ParseInput, private readonly yaml = false) {}

  source(path: string, anchor?: string): Provenance {
    const source: Provenance = { file: this.input.file, path };
    const line = this.line(path, anchor);
    if (line !== undefined) {
      source.line = line + 1;
      const text = safeExcerpt(this.lines!.get(line));
      if (text !== undefined) source.excerpt = text;
    }
    return source;
  }

  /** The 0-based line of `path` (of its `anchor` member when it has one). */
  private line(path: string, anchor: string | undefined): number | undefined {
    this.offsets ??= this.yaml ? yamlListItemOffsets(this.input.index, ['workloads', 'services', 'policies']) : scanJsonOffsets(this.input.text);
    const at = (anchor !== undefined ? this.offsets.get(memberPath(path, anchor)) : undefined) ?? this.offsets.get(path);
    if (at === undefined) return undefined;
    this.lines ??= this.input.index;
    return this.lines.lineOf(at);
  }

  diagnostic(path: string, message: string): Diagnostic {
    const line = path === '' ? undefined : this.line(path, undefined);
    return { file: this.input.file, ...(line !== undefined ? { line: line + 1 } : {}), message: `${path || 'document'}: ${message}` };
  }
}

// ---------------------------------------------------------------------------------------------
// Collections

interface Entry {
  path: string;
  value: Rec;
}

interface Ctx {
  loc: Locator;
  diagnostics: Diagnostic[];
}

function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** The objects of a list or map at `path`; anything else is reported and skipped. */
function entriesOf(value: unknown, path: string, what: string, ctx: Ctx): Entry[] {
  const out: Entry[] = [];
  const take = (v: unknown, p: string) => {
    if (isRecord(v)) out.push({ path: p, value: v });
    else ctx.diagnostics.push(ctx.loc.diagnostic(p, `${what} is ${describe(v)}, not an object; skipped`));
  };
  if (value === undefined || value === null) return out;
  if (Array.isArray(value)) value.forEach((v, i) => take(v, elementPath(path, i)));
  else if (isRecord(value)) for (const [k, v] of Object.entries(value)) take(v, memberPath(path, k));
  else ctx.diagnostics.push(ctx.loc.diagnostic(path, `is ${describe(value)}, not a list or map; skipped`));
  return out;
}

/** `by_host` (1.19-1.21) maps a hostname to the services of that hostname, one per namespace. */
function nestedEntriesOf(value: unknown, path: string, what: string, ctx: Ctx): Entry[] {
  if (!isRecord(value)) return entriesOf(value, path, what, ctx);
  const out: Entry[] = [];
  for (const [k, v] of Object.entries(value)) {
    const p = memberPath(path, k);
    if (Array.isArray(v)) out.push(...entriesOf(v, p, what, ctx));
    else if (isRecord(v)) out.push({ path: p, value: v });
    else ctx.diagnostics.push(ctx.loc.diagnostic(p, `${what} is ${describe(v)}, not an object; skipped`));
  }
  return out;
}

/** Keeps the first entry of each key: map-shaped dumps list a dual-stack workload or service once per address. */
function dedupe(entries: Entry[], key: (e: Rec) => string | undefined): Entry[] {
  const seen = new Set<string>();
  return entries.filter((e) => {
    const k = key(e.value);
    if (k === undefined || k === '') return true;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// The WAYPOINT column (istioctl `waypointName` / `serviceWaypointName`)

/** `waypoint.destination` as ztunnel holds it: `ns/hostname` or `network/ip`. */
function destinationString(d: unknown): string | undefined {
  if (typeof d === 'string') return d;
  if (!isRecord(d)) return undefined;
  // An externally tagged enum, as some serializations write it.
  for (const tag of ['Hostname', 'hostname', 'Address', 'address']) {
    if (isRecord(d[tag])) return destinationString(d[tag]);
  }
  const ns = str(d['namespace']);
  const host = str(d['hostname']);
  if (ns !== undefined && host !== undefined) return `${ns}/${host}`;
  const address = str(d['address']) ?? str(d['ip']);
  if (address !== undefined) return `${str(d['network']) ?? ''}/${address}`;
  return undefined;
}

interface Waypoint {
  /** Undefined when the object has no waypoint. */
  destination?: string;
  present: boolean;
}

function waypointOf(obj: Rec, legacy: boolean): Waypoint {
  if (legacy) {
    // 1.18: the waypoint's pod IPs, before waypoints had a service.
    const addrs = strings(obj['waypointAddresses']);
    return addrs.length ? { present: true, destination: addrs.join(',') } : { present: false };
  }
  const wp = obj['waypoint'];
  if (wp === undefined || wp === null) return { present: false };
  const destination = isRecord(wp) ? destinationString(wp['destination']) : destinationString(wp);
  return destination !== undefined ? { present: true, destination } : { present: true };
}

/** Service name by `ns/hostname` and by VIP; the first service in dump order wins, as in istioctl's loop. */
class ServiceIndex {
  private readonly byKey = new Map<string, { index: number; name: string }>();

  constructor(services: Rec[]) {
    services.forEach((s, index) => {
      const name = str(s['name']) ?? '';
      const keys = [`${str(s['namespace']) ?? ''}/${str(s['hostname']) ?? ''}`, ...strings(s['vips'])];
      for (const k of keys) if (!this.byKey.has(k)) this.byKey.set(k, { index, name });
    });
  }

  /** `None` without a waypoint, the matching service's name, else `NA`. */
  waypointName(wp: Waypoint): string {
    if (!wp.present) return 'None';
    if (wp.destination === undefined) return 'NA';
    return this.byKey.get(wp.destination)?.name ?? 'NA';
  }
}

// ---------------------------------------------------------------------------------------------
// Records

function workloadRecord(e: Entry, services: ServiceIndex, legacy: boolean, ctx: Ctx): ZtunnelWorkload | undefined {
  const w = e.value;
  const namespace = str(w['namespace']);
  const name = str(w['name']);
  if (!namespace || !name) {
    ctx.diagnostics.push(ctx.loc.diagnostic(e.path, 'workload has no namespace or name; skipped'));
    return undefined;
  }
  const ips = legacy && typeof w['workloadIp'] === 'string' ? [w['workloadIp']] : strings(w['workloadIps']);
  const wp = waypointOf(w, legacy);
  if (wp.present && wp.destination === undefined) {
    ctx.diagnostics.push(ctx.loc.diagnostic(e.path, 'waypoint has no readable destination; WAYPOINT is NA'));
  }
  const record: ZtunnelWorkload = {
    namespace,
    name,
    address: ips.join(',') || (str(w['hostname']) ?? ''),
    node: str(w['node']) ?? '',
    waypoint: legacy ? (wp.destination ?? 'None') : services.waypointName(wp),
    protocol: str(w['protocol']) ?? '',
    source: ctx.loc.source(e.path, 'name'),
  };
  if (wp.destination !== undefined) record.waypointDestination = wp.destination;
  const uid = str(w['uid']);
  if (uid) record.uid = uid;
  const sa = str(w['serviceAccount']);
  if (sa) record.serviceAccount = sa;
  return record;
}

/** `network/ip` -> `ip`, as the SERVICE VIP column prints it. */
function cutNetwork(vip: string): string {
  const slash = vip.indexOf('/');
  return slash === -1 ? vip : vip.slice(slash + 1);
}

function serviceRecord(e: Entry, services: ServiceIndex, statusByUid: Map<string, string>, ctx: Ctx): ZtunnelService | undefined {
  const s = e.value;
  const namespace = str(s['namespace']);
  const name = str(s['name']);
  if (!namespace || !name) {
    ctx.diagnostics.push(ctx.loc.diagnostic(e.path, 'service has no namespace or name; skipped'));
    return undefined;
  }
  if (s['vips'] !== undefined && !Array.isArray(s['vips'])) {
    ctx.diagnostics.push(ctx.loc.diagnostic(e.path, `vips is ${describe(s['vips'])}, not a list`));
  }
  const wp = waypointOf(s, false);
  if (wp.present && wp.destination === undefined) {
    ctx.diagnostics.push(ctx.loc.diagnostic(e.path, 'waypoint has no readable destination; WAYPOINT is NA'));
  }
  // ENDPOINTS: healthy when the endpoint's workload is known and Healthy (istioctl services.go).
  const eps = s['endpoints'];
  const list = Array.isArray(eps) ? eps : isRecord(eps) ? Object.values(eps) : [];
  if (eps !== undefined && eps !== null && !isCollection(eps)) {
    ctx.diagnostics.push(ctx.loc.diagnostic(e.path, `endpoints is ${describe(eps)}, not a map`));
  }
  let healthy = 0;
  for (const ep of list) {
    const uid = isRecord(ep) ? str(ep['workloadUid']) : undefined;
    if (uid !== undefined && statusByUid.get(uid) === 'Healthy') healthy++;
  }
  const record: ZtunnelService = {
    namespace,
    name,
    vip: strings(s['vips']).map(cutNetwork).join(','),
    waypoint: services.waypointName(wp),
    endpoints: { healthy, total: list.length },
    source: ctx.loc.source(e.path, 'name'),
  };
  const hostname = str(s['hostname']);
  if (hostname !== undefined) record.hostname = hostname;
  if (wp.destination !== undefined) record.waypointDestination = wp.destination;
  return record;
}

const SCOPES: Record<string, string> = { global: 'Global', namespace: 'Namespace', workloadselector: 'WorkloadSelector' };
const ACTIONS: Record<string, string> = { allow: 'Allow', deny: 'Deny', audit: 'Audit', custom: 'Custom' };

/** ztunnel writes `Namespace`, `WorkloadSelector`, `Allow`; other spellings are brought to that. */
function canonical(value: string, table: Record<string, string>): string {
  return table[value.replace(/[_\s-]/g, '').toLowerCase()] ?? value;
}

function policyRecord(e: Entry, ctx: Ctx): ZtunnelPolicy | undefined {
  const p = e.value;
  const name = str(p['name']);
  if (!name) {
    ctx.diagnostics.push(ctx.loc.diagnostic(e.path, 'policy has no name; skipped'));
    return undefined;
  }
  const record: ZtunnelPolicy = {
    namespace: str(p['namespace']) ?? '',
    name,
    action: canonical(str(p['action']) ?? '', ACTIONS),
    scope: canonical(str(p['scope']) ?? '', SCOPES),
    source: ctx.loc.source(e.path, 'name'),
  };
  const rules = p['rules'] ?? p['groups'];
  if (Array.isArray(rules)) record.rules = rules.length;
  else if (rules !== undefined && rules !== null) ctx.diagnostics.push(ctx.loc.diagnostic(e.path, `rules is ${describe(rules)}, not a list`));
  const dryRun = p['dryRun'] ?? p['dry_run'];
  if (typeof dryRun === 'boolean') record.dryRun = dryRun;
  return record;
}

/** SERIAL NUMBER: `%x` of the decimal string ztunnel writes. */
function hexSerial(serial: string | undefined, path: string, ctx: Ctx): string {
  if (serial === undefined || serial === '') return 'NA';
  if (/^\d+$/.test(serial)) return BigInt(serial).toString(16);
  ctx.diagnostics.push(ctx.loc.diagnostic(path, `serial number '${serial.slice(0, 64)}' is not decimal; kept as written`));
  return serial.toLowerCase();
}

function certificateRecords(e: Entry, ctx: Ctx): ZtunnelCertificate[] {
  const c = e.value;
  const name = str(c['identity']);
  if (!name) {
    ctx.diagnostics.push(ctx.loc.diagnostic(e.path, 'certificate has no identity; skipped'));
    return [];
  }
  const state = str(c['state']) ?? '';
  const status = state.includes('Unavailable') ? 'Unavailable' : state;
  const list = (key: string): { path: string; certs: unknown[] } => {
    const v = c[key];
    const path = memberPath(e.path, key);
    if (v !== undefined && v !== null && !Array.isArray(v)) {
      ctx.diagnostics.push(ctx.loc.diagnostic(path, `is ${describe(v)}, not a list; ignored`));
    }
    return { path, certs: Array.isArray(v) ? v : [] };
  };
  // ≤1.21 (snake_case): `CA` rows for ca_cert, then `Cert Chain` rows. 1.22+: certChain is
  // leaf-first; its last cert is the root unless the roots are listed apart (rootCerts, 1.26+).
  const snake = !('certChain' in c) && ('ca_cert' in c || 'cert_chain' in c);
  const groups: { path: string; certs: unknown[]; type: (i: number, n: number) => string }[] = [];
  if (snake) {
    groups.push({ ...list('ca_cert'), type: () => 'CA' }, { ...list('cert_chain'), type: () => 'Cert Chain' });
  } else {
    const chain = list('certChain');
    const roots = list('rootCerts');
    if (chain.certs.length > 0) {
      const legacy = roots.certs.length === 0;
      groups.push(
        { ...chain, type: (i, n) => (i === 0 ? 'Leaf' : i === n - 1 && legacy ? 'Root' : 'Intermediate') },
        { ...roots, type: () => 'Root' },
      );
    }
  }
  const out: ZtunnelCertificate[] = [];
  for (const group of groups) {
    group.certs.forEach((cert, i) => {
      const path = elementPath(group.path, i);
      if (!isRecord(cert)) {
        ctx.diagnostics.push(ctx.loc.diagnostic(path, `certificate is ${describe(cert)}, not an object; skipped`));
        return;
      }
      out.push({
        name,
        type: group.type(i, group.certs.length),
        status,
        serial: hexSerial(str(cert['serialNumber'] ?? cert['serial_number']), path, ctx),
        notAfter: str(cert['expirationTime'] ?? cert['expiration_time']) || 'NA',
        notBefore: str(cert['validFrom'] ?? cert['valid_from']) || 'NA',
        source: ctx.loc.source(path, snake ? 'serial_number' : 'serialNumber'),
      });
    });
  }
  // No chain: one NA row, as istioctl prints it.
  if (out.length === 0) {
    out.push({ name, type: 'NA', status, serial: 'NA', notAfter: 'NA', notBefore: 'NA', source: ctx.loc.source(e.path, 'identity') });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Connections (`workloadState` of a dump, or the connections dump), as the default table prints them

/** Go's net.SplitHostPort, enough for `ip:port` and `[ipv6]:port`. */
function splitHostPort(addr: string): [string, string] | undefined {
  if (addr.startsWith('[')) {
    const close = addr.indexOf(']:');
    return close === -1 ? undefined : [addr.slice(1, close), addr.slice(close + 2)];
  }
  const colon = addr.indexOf(':');
  if (colon === -1 || colon !== addr.lastIndexOf(':')) return undefined;
  return [addr.slice(0, colon), addr.slice(colon + 1)];
}

function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Replaces a service VIP by its hostname and a workload IP by `pod.ns`, as istioctl does without `--raw`. */
function addressNamer(services: Rec[], workloads: Rec[]): (addr: string) => string {
  const serviceNames = new Map<string, string>();
  for (const s of services) {
    const first = strings(s['vips'])[0];
    serviceNames.set((first !== undefined ? cutNetwork(first) : '') || 'None', str(s['hostname']) ?? '');
  }
  const workloadNames = new Map<string, string>();
  for (const w of workloads) {
    const ip = strings(w['workloadIps'])[0] ?? str(w['workloadIp']) ?? '';
    workloadNames.set(ip || 'None', `${str(w['name']) ?? ''}.${str(w['namespace']) ?? ''}`);
  }
  return (addr) => {
    const hp = splitHostPort(addr);
    if (!hp) return addr;
    const named = serviceNames.get(hp[0]) ?? workloadNames.get(hp[0]);
    return named !== undefined ? joinHostPort(named, hp[1]) : addr;
  };
}

/** Go's cmp.Compare on strings (code unit order, as istioctl sorts). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function connectionRecords(states: Entry[], name: (addr: string) => string, ctx: Ctx): ZtunnelConnection[] {
  const infoOf = (e: Entry) => (isRecord(e.value['info']) ? e.value['info'] : {});
  const sorted = [...states].sort((a, b) => {
    const ia = infoOf(a);
    const ib = infoOf(b);
    return compare(str(ia['namespace']) ?? '', str(ib['namespace']) ?? '') || compare(str(ia['name']) ?? '', str(ib['name']) ?? '');
  });
  const out: ZtunnelConnection[] = [];
  for (const e of sorted) {
    const info = infoOf(e);
    const workload = `${str(info['name']) ?? ''}.${str(info['namespace']) ?? ''}`;
    const connections = e.value['connections'];
    if (connections === undefined || connections === null) continue;
    const connectionsPath = memberPath(e.path, 'connections');
    if (!isRecord(connections)) {
      ctx.diagnostics.push(ctx.loc.diagnostic(connectionsPath, `is ${describe(connections)}, not an object; skipped`));
      continue;
    }
    for (const direction of ['inbound', 'outbound'] as const) {
      for (const c of entriesOf(connections[direction], memberPath(connectionsPath, direction), 'connection', ctx)) {
        const src = str(c.value['src']) ?? '';
        const actual = str(c.value['actualDst']) ?? '';
        const original = str(c.value['originalDst']) ?? '';
        const inbound = direction === 'inbound';
        out.push({
          workload,
          direction: inbound ? 'Inbound' : 'Outbound',
          local: name(inbound ? actual : src),
          remote: name(inbound ? src : actual),
          remoteTarget: inbound ? original : name(original),
          protocol: str(c.value['protocol']) ?? '',
          source: ctx.loc.source(c.path, 'src'),
        });
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The parser

function parseConnectionsDump(input: ParseInput, json: unknown[]): ParseResult {
  const ctx: Ctx = { loc: new Locator(input), diagnostics: [] };
  const states = entriesOf(json, '', 'workload state', ctx);
  const connections = connectionRecords(states, (a) => a, ctx);
  return {
    records: { ztunnelConnections: connections },
    diagnostics: ctx.diagnostics,
    summary: `ztunnel connections dump: ${states.length} workloads, ${connections.length} connections`,
  };
}

function parseDump(input: ParseInput, json: Rec, yaml = false): ParseResult {
  const ctx: Ctx = { loc: new Locator(input, yaml), diagnostics: [] };
  const era = dumpEra(json) ?? (isRecord(json['workloads']) ? 'maps' : 'lists');
  const legacy = era === 'legacy-1.18';

  let workloadEntries: Entry[];
  let serviceEntries: Entry[];
  if (era === 'stores') {
    const byUid = isRecord(json['by_uid']);
    workloadEntries = entriesOf(byUid ? json['by_uid'] : json['by_addr'], byUid ? 'by_uid' : 'by_addr', 'workload', ctx);
    serviceEntries = isRecord(json['by_host'])
      ? nestedEntriesOf(json['by_host'], 'by_host', 'service', ctx)
      : entriesOf(json['by_vip'], 'by_vip', 'service', ctx);
  } else {
    workloadEntries = entriesOf(json['workloads'], 'workloads', 'workload', ctx);
    // 1.18 kept services only as `vips` (VIP:port -> endpoints), without names.
    serviceEntries = legacy ? [] : entriesOf(json['services'], 'services', 'service', ctx);
  }
  workloadEntries = dedupe(workloadEntries, (w) => str(w['uid']));
  serviceEntries = dedupe(serviceEntries, (s) => {
    const host = str(s['hostname']);
    return host ? `${str(s['namespace']) ?? ''}/${host}` : undefined;
  });

  const serviceObjects = serviceEntries.map((e) => e.value);
  const services = new ServiceIndex(serviceObjects);
  const statusByUid = new Map<string, string>();
  for (const { value: w } of workloadEntries) {
    const uid = str(w['uid']);
    if (uid !== undefined) statusByUid.set(uid, str(w['status']) ?? '');
  }

  const workloads = workloadEntries.flatMap((e) => workloadRecord(e, services, legacy, ctx) ?? []);
  const serviceRecords = serviceEntries.flatMap((e) => serviceRecord(e, services, statusByUid, ctx) ?? []);
  const policies = entriesOf(json['policies'], 'policies', 'policy', ctx).flatMap((e) => policyRecord(e, ctx) ?? []);
  const certificates = entriesOf(json['certificates'], 'certificates', 'certificate', ctx).flatMap((e) => certificateRecords(e, ctx));
  const stateKey = 'workloadState' in json ? 'workloadState' : 'workloadstate';
  const connections = connectionRecords(
    entriesOf(json[stateKey], stateKey, 'workload state', ctx),
    addressNamer(serviceObjects, workloadEntries.map((e) => e.value)),
    ctx,
  );

  const records: ParseResult['records'] = {
    ztunnelWorkloads: workloads,
    ztunnelServices: serviceRecords,
    ztunnelPolicies: policies,
    ztunnelCertificates: certificates,
  };
  const counts = [
    `${workloads.length} workloads`,
    `${serviceRecords.length} services`,
    `${policies.length} policies`,
    `${certificates.length} certificates`,
  ];
  if (connections.length > 0) {
    records.ztunnelConnections = connections;
    counts.push(`${connections.length} connections`);
  }
  return { records, diagnostics: ctx.diagnostics, summary: `ztunnel dump (${ERA_LABEL[era]}): ${counts.join(', ')}` };
}

/**
 * ztunnel's local configuration file (`LOCAL_XDS_PATH`, src/xds.rs `LocalConfig`): YAML with top-level
 * `workloads`, `services` and `policies` lists, each item a dump's workload, service or policy.
 */
function looksLikeLocalConfig(head: readonly string[]): boolean {
  const top = new Set(head.map((l) => /^(workloads|services|policies):\s*(?:\[\])?\s*$/.exec(l)?.[1]).filter(Boolean));
  const member = head.some((l) => /^\s+(?:-\s+)?(?:workloadIps|hostname|vips|scope|serviceAccount|uid):/.test(l));
  return (top.has('workloads') || (top.has('services') && top.has('policies'))) && member && !head.some((l) => /^apiVersion:/.test(l));
}

export const ztunnelDumpParser: FileParser = {
  kind: 'ztunnel-config-dump',
  detect: ({ json, head }) => (dumpEra(json) !== undefined || isConnectionsDump(json) || (json === undefined && looksLikeLocalConfig(head)) ? 0 : -1),
  parse(input): ParseResult {
    if (input.json === undefined) return parseLocalConfig(input);
    const { json } = input;
    if (isConnectionsDump(json)) return parseConnectionsDump(input, json);
    if (!isRecord(json)) {
      return {
        records: {},
        diagnostics: [{ file: input.file, message: `not a ztunnel config dump: the document is ${describe(json)}, not an object` }],
        summary: 'not a ztunnel dump',
      };
    }
    return parseDump(input, json);
  },
};

function parseLocalConfig(input: ParseInput): ParseResult {
  let doc: unknown;
  try {
    doc = loadKubeYaml(input.text);
  } catch (err) {
    const line = (err as { mark?: { line?: number } }).mark?.line;
    return { records: {}, diagnostics: [{ file: input.file, ...(line !== undefined ? { line: line + 1 } : {}), message: `ztunnel local config: YAML could not be parsed: ${(err as Error).message.split('\n')[0]}` }], summary: 'unreadable' };
  }
  if (!isRecord(doc)) return { records: {}, diagnostics: [{ file: input.file, message: `not a ztunnel local config: the document is ${describe(doc)}` }], summary: 'not a ztunnel local config' };
  // Absent lists are empty (serde `default`), so the dump reader sees the 1.23+ list shape.
  const json: Rec = { workloads: [], services: [], policies: [], ...doc };
  const result = parseDump(input, json, true);
  return { ...result, summary: result.summary.replace(/^ztunnel dump \([^)]*\)/, 'ztunnel local config') };
}
