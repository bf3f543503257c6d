/**
 * The records of a ztunnel config dump, in the shape of the `ztunnel-config` table rows, every column computed
 * as istioctl computes it (`istioctl/pkg/writer/ztunnel/configdump/*.go`): workloads with their WAYPOINT,
 * services with WAYPOINT and ENDPOINTS, policies, certificates (never their `pem`), and connections.
 * ztunnel-dump.ts finds the entries of every era and hands them here.
 */
import { isRecord } from './kube.js';
import { elementPath, memberPath, type Locator } from './json-locator.js';
import type { Diagnostic, ZtunnelCertificate, ZtunnelConnection, ZtunnelPolicy, ZtunnelService, ZtunnelWorkload } from './types.js';

export type Rec = Record<string, unknown>;

export const isCollection = (v: unknown): boolean => Array.isArray(v) || isRecord(v);

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** The first few values of a list or map, for shape checks. */
export interface Entry {
  path: string;
  value: Rec;
}

export interface Ctx {
  loc: Locator;
  diagnostics: Diagnostic[];
}

// ---------------------------------------------------------------------------------------------
// Collections

export function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** The objects of a list or map at `path`; anything else is reported and skipped. */
export function entriesOf(value: unknown, path: string, what: string, ctx: Ctx): Entry[] {
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
export function nestedEntriesOf(value: unknown, path: string, what: string, ctx: Ctx): Entry[] {
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
export function dedupe(entries: Entry[], key: (e: Rec) => string | undefined): Entry[] {
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
export class ServiceIndex {
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

export function workloadRecord(e: Entry, services: ServiceIndex, legacy: boolean, ctx: Ctx): ZtunnelWorkload | undefined {
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

export function serviceRecord(e: Entry, services: ServiceIndex, statusByUid: Map<string, string>, ctx: Ctx): ZtunnelService | undefined {
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

export function policyRecord(e: Entry, ctx: Ctx): ZtunnelPolicy | undefined {
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

export function certificateRecords(e: Entry, ctx: Ctx): ZtunnelCertificate[] {
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
export function addressNamer(services: Rec[], workloads: Rec[]): (addr: string) => string {
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

export function connectionRecords(states: Entry[], name: (addr: string) => string, ctx: Ctx): ZtunnelConnection[] {
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
