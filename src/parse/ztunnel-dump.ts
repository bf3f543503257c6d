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
 * This file tells the eras apart and finds their entries; ztunnel-dump-records.ts makes the records, in the
 * shape of the `ztunnel-config` table rows, so rules need not care where they came from; json-locator.ts
 * finds their lines. Certificate material (`pem`) is never copied, nor shown in an excerpt.
 */
import { Locator } from './json-locator.js';
import { isRecord } from './kube.js';
import {
  addressNamer, certificateRecords, connectionRecords, dedupe, describe, entriesOf, isCollection, nestedEntriesOf, policyRecord,
  serviceRecord, ServiceIndex, str, workloadRecord, type Ctx, type Entry, type Rec,
} from './ztunnel-dump-records.js';
import { loadKubeYaml } from './yaml.js';
import type { FileParser, ParseInput } from './parser.js';
import type { ParseResult } from './types.js';



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
