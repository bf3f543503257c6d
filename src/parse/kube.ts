/**
 * Kubernetes and Istio objects as `kubectl get ... -o yaml|json` prints them: a `List`, a single
 * object, or multi-document YAML. Each object keeps the line where it starts and the lines of its
 * Istio labels, so a finding can quote `istio.io/use-waypoint: x` from the file.
 */
import type { TextLines } from '../text/lines.js';
import { excerpt, type FileParser, type ParseInput } from './parser.js';
import type { Diagnostic, KubeCondition, KubeObject, ParseResult, Provenance } from './types.js';
import { conditionStatus, labelValue, loadKubeYaml } from './yaml.js';
import { readKubeYaml } from './kube-yaml.js';
import { jsonArrayElementLines, prettyJsonItemLines, topLevelJsonElementLines, topLevelYamlItemLines, yamlDocuments, yamlSequenceItemLines, type LineRange } from './kube-lines.js';
import { KEEP_OF, slimObject } from './kube-keep.js';

/** Label prefixes whose lines are located for evidence; other labels are kept without a line. */
const TRACKED_LABEL_PREFIXES = ['istio.io/', 'gateway.networking.k8s.io/', 'gateway.istio.io/', 'ambient.istio.io/', 'topology.istio.io/'];

/** `kubectl get <plural>` file names, so an empty List still says which kind was captured. */
const PLURAL_TO_KIND: Record<string, string> = {
  namespaces: 'Namespace', services: 'Service', pods: 'Pod', gateways: 'Gateway', gatewayclasses: 'GatewayClass',
  httproutes: 'HTTPRoute', grpcroutes: 'GRPCRoute', tcproutes: 'TCPRoute', tlsroutes: 'TLSRoute',
  referencegrants: 'ReferenceGrant', authorizationpolicies: 'AuthorizationPolicy',
  requestauthentications: 'RequestAuthentication', peerauthentications: 'PeerAuthentication',
  serviceentries: 'ServiceEntry', workloadentries: 'WorkloadEntry', destinationrules: 'DestinationRule',
  virtualservices: 'VirtualService', telemetries: 'Telemetry', wasmplugins: 'WasmPlugin', envoyfilters: 'EnvoyFilter',
  sidecars: 'Sidecar', deployments: 'Deployment', endpointslices: 'EndpointSlice', events: 'Event', configmaps: 'ConfigMap',
};

/**
 * `istioctl bug-report` dumps whole families of kinds into one file (docs/BUG-REPORT.md §3): a kind
 * of the family with no object in the file was captured and found absent, not left uncollected.
 */
const BUG_REPORT_FILES: Record<string, string[]> = {
  crs: [
    'Gateway', 'GatewayClass', 'HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute', 'ReferenceGrant', 'AuthorizationPolicy',
    'RequestAuthentication', 'PeerAuthentication', 'ServiceEntry', 'WorkloadEntry', 'DestinationRule', 'VirtualService',
    'Telemetry', 'WasmPlugin', 'EnvoyFilter', 'Sidecar',
  ],
  'k8s-resources': ['Service', 'Pod', 'Deployment', 'ConfigMap', 'EndpointSlice'],
  'k8s-cluster-resources': ['Namespace'],
};

export function kindsFromFileName(file: string): string[] {
  const base = file.split('/').pop() ?? '';
  return BUG_REPORT_FILES[base] ?? [kindFromFileName(file)].filter((k): k is string => k !== undefined);
}

/**
 * The kind a file lists, from its name (`pods.json`, `gateways.gateway.networking.k8s.io.yaml`), or
 * else its folder's: troubleshoot writes `cluster-resources/pods/<ns>.json` and
 * `custom-resources/<plural>.<group>/<ns>.json`.
 */
export function kindFromFileName(file: string): string | undefined {
  const parts = file.split('/');
  const pluralOf = (segment: string) => segment.replace(/\.(json|ya?ml|txt)$/i, '').split('.')[0]!.toLowerCase();
  return PLURAL_TO_KIND[pluralOf(parts[parts.length - 1] ?? '')] ?? (parts.length > 1 ? PLURAL_TO_KIND[pluralOf(parts[parts.length - 2]!)] : undefined);
}

/** kubectl sorts keys, so `kind:` may follow a long `data:` block: look for it in the whole text. */
function looksLikeYamlObjects(head: string[], text: string): boolean {
  return head.some((l) => /^(- )?apiVersion: \S/.test(l)) && /^\s*(- )?kind: [A-Z]/m.test(text);
}

function isKubeObject(value: unknown): boolean {
  return isRecord(value) && typeof value['kind'] === 'string' && (typeof value['apiVersion'] === 'string' || Array.isArray(value['items']));
}

/** A List or an object, or (troubleshoot's custom resources) a bare array of objects. */
function isKubeJson(json: unknown): boolean {
  if (Array.isArray(json)) return json.length > 0 && json.slice(0, 3).every((item) => isKubeObject(item) && isRecord((item as Record<string, unknown>)['metadata']));
  return isKubeObject(json);
}

export const kubeResourceParser: FileParser = {
  kind: 'kube-resources',
  detect: ({ json, head, text }) => ((json !== undefined ? isKubeJson(json) : looksLikeYamlObjects(head, text)) ? 0 : -1),
  parse(input: ParseInput): ParseResult {
    const diagnostics: Diagnostic[] = [];
    const objects: KubeObject[] = [];
    const lines = input.index;
    let sawList = false;
    const collect = (value: unknown, range: LineRange, path: string) => {
      if (Array.isArray(value)) {
        // A bare array (JSON) or sequence (YAML) of objects: troubleshoot's custom-resources files.
        sawList = true;
        const itemLines = input.json !== undefined ? topLevelJsonElementLines(lines, range) : topLevelYamlItemLines(lines, range);
        value.forEach((item, i) => {
          const object = toKubeObject(item, input.file, lines, { start: itemLines[i] ?? range.start, end: itemLines[i + 1] ?? range.end }, `${path}[${i}]`, diagnostics);
          if (object) objects.push(object);
        });
        return;
      }
      if (!isRecord(value)) return;
      if (Array.isArray(value['items']) && typeof value['kind'] === 'string' && value['kind'].endsWith('List')) {
        sawList = true;
        const itemLines = input.json !== undefined
          ? prettyJsonItemLines(lines, value['items'].length) ?? jsonArrayElementLines(lines, range, 'items')
          : yamlSequenceItemLines(lines, range, 'items');
        value['items'].forEach((item, i) => {
          const start = itemLines[i] ?? range.start;
          const end = itemLines[i + 1] ?? range.end;
          const object = toKubeObject(item, input.file, lines, { start, end }, `${path}items[${i}]`, diagnostics);
          if (object) objects.push(object);
        });
        return;
      }
      const object = toKubeObject(value, input.file, lines, range, path || undefined, diagnostics);
      if (object) objects.push(object);
    };

    if (input.json !== undefined) {
      collect(input.json, { start: 0, end: lines.length }, '');
    } else {
      for (const doc of yamlDocuments(lines)) {
        let value: unknown;
        try {
          // kubectl's own form through the fast reader; anything else through js-yaml.
          value = readKubeYaml(doc.text, KEEP_OF) ?? loadKubeYaml(doc.text);
        } catch (err) {
          const mark = (err as { mark?: { line?: number } }).mark;
          const line = doc.range.start + 1 + (mark?.line ?? 0);
          diagnostics.push({ file: input.file, line, message: `YAML document could not be parsed: ${(err as Error).message.split('\n')[0]}` });
          continue;
        }
        if (value == null) continue;
        collect(value, doc.range, '');
      }
    }

    return kubeParseResult(input.file, objects, sawList, diagnostics);
  },
};

/** What a file of objects gives: the objects, the kinds it captured (a List captures its kind even empty), a summary. */
export function kubeParseResult(file: string, objects: KubeObject[], sawList: boolean, diagnostics: Diagnostic[]): ParseResult {
  const fileKind = kindFromFileName(file);
  const capturedKinds = new Set(objects.map((o) => o.kind));
  if (sawList) for (const kind of kindsFromFileName(file)) capturedKinds.add(kind);
  const counts = new Map<string, number>();
  for (const o of objects) counts.set(o.kind, (counts.get(o.kind) ?? 0) + 1);
  const summary = objects.length === 0
    ? `no objects${fileKind && sawList ? ` (empty ${fileKind} list)` : ''}`
    : [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
  return { records: { kubeObjects: objects }, diagnostics, capturedKinds: [...capturedKinds], summary };
}

export function toKubeObject(value: unknown, file: string, lines: TextLines, range: LineRange, path: string | undefined, diagnostics: Diagnostic[]): KubeObject | undefined {
  if (!isRecord(value)) {
    diagnostics.push({ file, line: range.start + 1, message: 'item is not an object; skipped' });
    return undefined;
  }
  const metadata = isRecord(value['metadata']) ? value['metadata'] : {};
  const kind = typeof value['kind'] === 'string' ? value['kind'] : '';
  const name = typeof metadata['name'] === 'string' ? metadata['name'] : '';
  if (!kind || !name) {
    diagnostics.push({ file, line: range.start + 1, message: `object without ${kind ? 'metadata.name' : 'kind'}; skipped` });
    return undefined;
  }
  // JSON captures arrive whole; the fields nothing reads are dropped here (YAML skips them while reading).
  slimObject(value);
  const located = locateMetadataLines(lines, range);
  const startLine = located.name ?? range.start;
  const source: Provenance = { file, line: startLine + 1, excerpt: excerpt(lines.get(startLine)) };
  if (path) source.path = path;
  const labels = stringMap(metadata['labels']);
  const labelSources: Record<string, Provenance> = {};
  for (const key of Object.keys(labels)) {
    if (!TRACKED_LABEL_PREFIXES.some((p) => key.startsWith(p))) continue;
    const at = located.labels.get(key) ?? startLine;
    const labelSource: Provenance = { file, line: at + 1, excerpt: excerpt(lines.get(at)) };
    if (path) labelSource.path = `${path}.metadata.labels["${key}"]`;
    labelSources[key] = labelSource;
  }
  const status = isRecord(value['status']) ? value['status'] : {};
  const object: KubeObject = {
    apiVersion: typeof value['apiVersion'] === 'string' ? value['apiVersion'] : '',
    kind,
    name,
    labels,
    annotations: stringMap(metadata['annotations']),
    spec: isRecord(value['spec']) ? value['spec'] : {},
    status,
    source,
    labelSources,
    conditions: readConditions(status, lines, range, file, path),
  };
  if (typeof metadata['namespace'] === 'string') object.namespace = metadata['namespace'];
  if (isRecord(value['spec']) && !UNLOCATED_SPEC_KINDS.has(kind)) {
    const specLines = locateSpecKeys(lines, range);
    if (specLines.size) {
      object.specSources = {};
      for (const [key, at] of specLines) {
        object.specSources[key] = { file, line: at + 1, excerpt: excerpt(lines.get(at)), ...(path ? { path: `${path}.spec.${key}` } : { path: `spec.${key}` }) };
      }
    }
  }
  // ConfigMaps and similar carry `data` rather than spec; keep it where rules may need it.
  // Secrets' data is never kept, whatever a capture held (bug-report `--full-secrets`).
  if (!isRecord(value['spec']) && isRecord(value['data']) && kind !== 'Secret') object.spec = { data: value['data'] };
  return object;
}

/**
 * Finds, inside one object's lines, the line of `metadata.name` and of each `metadata.labels` key.
 * Works for kubectl's YAML and pretty JSON, where every key sits on its own line.
 */
function locateMetadataLines(lines: TextLines, range: LineRange): { name?: number; labels: Map<string, number> } {
  const labels = new Map<string, number>();
  let i = range.start;
  while (i < range.end && !/^\s*(- )?"?metadata"?:/.test(lines.get(i))) i++;
  if (i >= range.end) return { labels };
  const metaIndent = indentOf(lines.get(i).replace(/^(\s*)- /, '$1  '));
  let name: number | undefined;
  for (i++; i < range.end; i++) {
    const line = lines.get(i);
    if (line.trim() === '') continue;
    const lead = indentOf(line);
    if (lead <= metaIndent) break;
    const trimmed = line.trimStart();
    if (name === undefined && /^"?name"?:/.test(trimmed)) name = i;
    if (/^"?labels"?:/.test(trimmed)) {
      for (i++; i < range.end && (lines.get(i).trim() === '' || indentOf(lines.get(i)) > lead); i++) {
        const m = /^"?([^"\s:]+)"?\s*:/.exec(lines.get(i).trimStart());
        if (m && !labels.has(m[1]!)) labels.set(m[1]!, i);
      }
      i--;
    }
  }
  const result: { name?: number; labels: Map<string, number> } = { labels };
  if (name !== undefined) result.name = name;
  return result;
}

/** Kinds whose spec lines are not located: large and many (a cluster's pods), and no rule quotes their spec. */
const UNLOCATED_SPEC_KINDS = new Set(['Pod', 'Deployment', 'ReplicaSet', 'DaemonSet', 'StatefulSet', 'Job', 'CronJob', 'ConfigMap', 'Event', 'EndpointSlice', 'Endpoints', 'Node']);

/** The 0-based line of each top-level key of `spec`, in kubectl's YAML or pretty JSON. */
function locateSpecKeys(lines: TextLines, range: LineRange): Map<string, number> {
  const keys = new Map<string, number>();
  let i = range.start;
  while (i < range.end && !/^\s*(- )?"?spec"?:/.test(lines.get(i))) i++;
  if (i >= range.end) return keys;
  const specIndent = indentOf(lines.get(i).replace(/^(\s*)- /, '$1  '));
  let keyIndent = -1;
  for (i++; i < range.end; i++) {
    const line = lines.get(i);
    if (line.trim() === '') continue;
    const lead = indentOf(line);
    if (lead <= specIndent) break;
    if (keyIndent === -1) keyIndent = lead;
    if (lead !== keyIndent) continue;
    const m = /^"?([A-Za-z][\w-]*)"?\s*:/.exec(line.trimStart());
    if (m && !keys.has(m[1]!)) keys.set(m[1]!, i);
  }
  return keys;
}

/** `status.conditions` with the line of each condition's `type`, searched after the `status` key. */
function readConditions(status: Record<string, unknown>, lines: TextLines, range: LineRange, file: string, path: string | undefined): KubeCondition[] {
  const raw = Array.isArray(status['conditions']) ? status['conditions'] : [];
  if (raw.length === 0) return [];
  // `status` is the last key kubectl prints, so it is found quickest from the object's end.
  const from = findStatusLine(lines, range);
  const conditions: KubeCondition[] = [];
  raw.forEach((c: unknown, i) => {
    if (!isRecord(c) || typeof c['type'] !== 'string') return;
    const type = c['type'];
    const typeLine = new RegExp(`^\\s*(- )?"?type"?:\\s*"?${escapeRegExp(type)}"?,?\\s*$`);
    let at = from;
    while (at < range.end && !typeLine.test(lines.get(at))) at++;
    const line = at < range.end ? at : range.start;
    const source: Provenance = { file, line: line + 1, excerpt: excerpt(lines.get(line)) };
    if (path) source.path = `${path}.status.conditions[${i}]`;
    const condition: KubeCondition = { type, status: conditionStatus(c['status']), source };
    if (typeof c['reason'] === 'string') condition.reason = c['reason'];
    if (typeof c['message'] === 'string') condition.message = c['message'];
    conditions.push(condition);
  });
  return conditions;
}

function findStatusLine(lines: TextLines, range: LineRange): number {
  const statusKey = /^\s*(- )?"?status"?:\s*[{]?\s*$/;
  const { text } = lines;
  const start = lines.offsetOf(range.start);
  for (let at = text.lastIndexOf('status', lines.offsetOf(range.end)); at >= start; at = text.lastIndexOf('status', at - 1)) {
    const line = lines.lineOf(at);
    if (statusKey.test(lines.get(line))) return line;
    if (at === 0) break;
  }
  return range.start;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(value)) return out;
  for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = labelValue(v);
  return out;
}
