/**
 * The parts of an Envoy config dump that are lists of resources, read in both places they appear:
 * inside `istioctl proxy-config all -o json` (EndpointsConfigDump, EcdsConfigDump) and on their own,
 * as `istioctl proxy-config endpoint -o json|yaml` (a list of ClusterLoadAssignments) and
 * `istioctl proxy-config ecds -o json|yaml` (`ecdsFilters`). Endpoints are reduced to counts.
 */
import { field, NameLocator, rec, str, type Rec } from './envoy-fields.js';
import { isRecord } from './kube.js';
import type { FileParser, ParseInput } from './parser.js';
import type { Diagnostic, EnvoyConfigSummary, EnvoyEndpoints, ParseResult } from './types.js';
import { loadKubeYaml } from './yaml.js';

export interface ReadContext {
  file: string;
  locate: NameLocator;
  diagnostics: Diagnostic[];
}

/** Statuses Envoy routes to; a missing status is UNKNOWN. */
const USABLE = new Set(['HEALTHY', 'UNKNOWN', '']);

/** One ClusterLoadAssignment (`endpoint_config` of the dump, or an item of `pc endpoint -o json`). */
export function readLoadAssignment(cla: Rec, path: string, ctx: ReadContext): EnvoyEndpoints | undefined {
  const cluster = str(cla, 'cluster_name');
  if (cluster === undefined) {
    ctx.diagnostics.push({ file: ctx.file, message: `${path}: endpoints without a cluster_name; skipped` });
    return undefined;
  }
  let healthy = 0;
  let total = 0;
  for (const locality of list(field(cla, 'endpoints'))) {
    for (const lb of list(isRecord(locality) ? field(locality, 'lb_endpoints') : undefined)) {
      if (!isRecord(lb)) continue;
      total++;
      if (USABLE.has(str(lb, 'health_status') ?? '')) healthy++;
    }
  }
  return { cluster, healthy, total, source: { file: ctx.file, path, ...ctx.locate.find(cluster, ['cluster_name', 'clusterName']) } };
}

/** One ECDS entry: `{ecds_filter: {name, typed_config: {@type}}, last_updated}`. */
export function readEcdsFilter(entry: Rec, path: string, ctx: ReadContext): EnvoyConfigSummary['ecdsFilters'][number] | undefined {
  const filter = rec(entry, 'ecds_filter') ?? entry;
  const name = str(filter, 'name');
  if (name === undefined) {
    ctx.diagnostics.push({ file: ctx.file, message: `${path}: ECDS filter without a name; skipped` });
    return undefined;
  }
  const typed = rec(filter, 'typed_config');
  const type = typed && typeof typed['@type'] === 'string' ? typed['@type'].replace(/^type\.googleapis\.com\//, '') : undefined;
  return { name, ...(type ? { type } : {}), source: { file: ctx.file, path, ...ctx.locate.find(name) } };
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** `pc endpoint -o json`: a list whose items have a cluster name and endpoints. */
function isLoadAssignmentList(doc: unknown): doc is Rec[] {
  return Array.isArray(doc) && doc.length > 0 && doc.every((d) => isRecord(d) && typeof field(d, 'cluster_name') === 'string' && ('endpoints' in d || 'policy' in d));
}

/** `pc ecds -o json|yaml`: `{ecdsFilters: [...]}` (the EcdsConfigDump without its @type). */
function isEcdsDump(doc: unknown): doc is Rec {
  return isRecord(doc) && Array.isArray(field(doc, 'ecds_filters')) && Object.keys(doc).every((k) => k === 'ecdsFilters' || k === 'ecds_filters' || k === '@type');
}

const YAML_HEAD = /^(?:- clusterName: \S|ecdsFilters:\s*$)/;

function documentOf(input: ParseInput): unknown {
  if (input.json !== undefined) return input.json;
  try {
    return loadKubeYaml(input.text);
  } catch {
    return undefined;
  }
}

/** The pod a pasted `istioctl pc endpoint <pod>[.ns] [-n ns]` command names, when it does. */
function podOfCommand(command: string | undefined): EnvoyConfigSummary['node'] | undefined {
  if (!command || !/(?:^|\/|\s)istioctl\s/.test(command)) return undefined;
  const words = command.split(/\s+/);
  const at = words.findIndex((w) => /^(?:endpoints?|ep|eds|ecds)$/.test(w));
  const target = words.slice(at + 1).find((w) => !w.startsWith('-') && !/^(?:json|yaml)$/.test(w));
  if (at === -1 || !target || target.includes('/')) return undefined;
  const nsFlag = words.findIndex((w) => w === '-n' || w === '--namespace');
  const dot = target.lastIndexOf('.');
  const pod = dot > 0 ? target.slice(0, dot) : target;
  const namespace = dot > 0 ? target.slice(dot + 1) : nsFlag !== -1 ? words[nsFlag + 1] : undefined;
  return { id: target, pod, ...(namespace ? { namespace } : {}) };
}

export const envoyResourceListParser: FileParser = {
  kind: 'envoy-config-dump',
  detect(input) {
    if (input.json !== undefined) return isLoadAssignmentList(input.json) || isEcdsDump(input.json) ? 0 : -1;
    return input.head.findIndex((l) => YAML_HEAD.test(l)) === 0 ? 0 : -1;
  },
  parse(input): ParseResult {
    const doc = documentOf(input);
    const ctx: ReadContext = { file: input.file, locate: new NameLocator(input), diagnostics: [] };
    const summary: EnvoyConfigSummary = { listeners: [], clusters: [], routeConfigs: [], secrets: [], endpoints: [], ecdsFilters: [], source: { file: input.file, line: input.firstLine + 1 } };
    const node = podOfCommand(input.command);
    if (node) summary.node = node;
    if (isLoadAssignmentList(doc)) {
      doc.forEach((cla, i) => {
        const read = readLoadAssignment(cla, `[${i}]`, ctx);
        if (read) summary.endpoints.push(read);
      });
    } else if (isEcdsDump(doc)) {
      list(field(doc, 'ecds_filters')).forEach((entry, i) => {
        const read = isRecord(entry) ? readEcdsFilter(entry, `ecdsFilters[${i}]`, ctx) : undefined;
        if (read) summary.ecdsFilters.push(read);
      });
    } else {
      return { records: {}, diagnostics: [{ file: input.file, message: 'endpoints or ECDS output that could not be parsed' }], summary: 'unreadable' };
    }
    const who = node?.pod ? ` of ${node.pod}` : '';
    const what = summary.endpoints.length
      ? `endpoints of ${summary.endpoints.length} clusters (${summary.endpoints.reduce((n, e) => n + e.total, 0)} endpoints, ${summary.endpoints.reduce((n, e) => n + e.total - e.healthy, 0)} not healthy)`
      : `${summary.ecdsFilters.length} ECDS filters`;
    return { records: { envoyConfigs: [summary] }, diagnostics: ctx.diagnostics, summary: `Envoy ${what}${who}` };
  },
};
