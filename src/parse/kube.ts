/**
 * Kubernetes and Istio objects as `kubectl get ... -o yaml|json` prints them: a `List`, a single
 * object, or multi-document YAML. Each object keeps the line where it starts and the lines of its
 * Istio labels, so a finding can quote `istio.io/use-waypoint: x` from the file.
 */
import yaml from 'js-yaml';
import { excerpt, type FileParser, type ParseInput } from './parser.js';
import type { Diagnostic, KubeCondition, KubeObject, ParseResult, Provenance } from './types.js';

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

export function kindFromFileName(file: string): string | undefined {
  const base = file.split('/').pop() ?? '';
  const plural = base.replace(/\.(json|ya?ml|txt)$/i, '').split('.')[0]!.toLowerCase();
  return PLURAL_TO_KIND[plural];
}

/** kubectl sorts keys, so `kind:` may follow a long `data:` block: look for it in the whole text. */
function looksLikeYamlObjects(lines: string[], text: string): boolean {
  return lines.slice(0, 80).some((l) => /^(- )?apiVersion: \S/.test(l)) && /^\s*(- )?kind: [A-Z]/m.test(text);
}

function isKubeJson(json: unknown): boolean {
  if (!isRecord(json)) return false;
  return typeof json['kind'] === 'string' && (typeof json['apiVersion'] === 'string' || Array.isArray(json['items']));
}

export const kubeResourceParser: FileParser = {
  kind: 'kube-resources',
  detect: ({ json, lines, text }) => ((json !== undefined ? isKubeJson(json) : looksLikeYamlObjects(lines, text)) ? 0 : -1),
  parse(input: ParseInput): ParseResult {
    const diagnostics: Diagnostic[] = [];
    const objects: KubeObject[] = [];
    let sawList = false;
    const collect = (value: unknown, range: LineRange, path: string) => {
      if (!isRecord(value)) return;
      if (Array.isArray(value['items']) && typeof value['kind'] === 'string' && value['kind'].endsWith('List')) {
        sawList = true;
        const itemLines = listItemLines(input.lines, range, input.json !== undefined);
        value['items'].forEach((item, i) => {
          const start = itemLines[i] ?? range.start;
          const end = itemLines[i + 1] ?? range.end;
          const object = toKubeObject(item, input, { start, end }, `${path}items[${i}]`, diagnostics);
          if (object) objects.push(object);
        });
        return;
      }
      const object = toKubeObject(value, input, range, path || undefined, diagnostics);
      if (object) objects.push(object);
    };

    if (input.json !== undefined) {
      collect(input.json, { start: 0, end: input.lines.length }, '');
    } else {
      for (const doc of yamlDocuments(input.lines)) {
        let value: unknown;
        try {
          // CORE_SCHEMA: timestamps stay strings and `<<` is not a merge, as kubectl means them.
          value = yaml.load(doc.text, { schema: yaml.CORE_SCHEMA, json: true });
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

    const fileKind = kindFromFileName(input.file);
    const capturedKinds = new Set(objects.map((o) => o.kind));
    if (sawList && fileKind) capturedKinds.add(fileKind);
    const counts = new Map<string, number>();
    for (const o of objects) counts.set(o.kind, (counts.get(o.kind) ?? 0) + 1);
    const summary = objects.length === 0
      ? `no objects${fileKind && sawList ? ` (empty ${fileKind} list)` : ''}`
      : [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
    return { records: { kubeObjects: objects }, diagnostics, capturedKinds: [...capturedKinds], summary };
  },
};

/** A half-open 0-based line range [start, end). */
interface LineRange {
  start: number;
  end: number;
}

/** Splits multi-document YAML at `---` lines, keeping each document's first line for provenance. */
function yamlDocuments(lines: string[]): { text: string; range: LineRange }[] {
  const docs: { text: string; range: LineRange }[] = [];
  let start = 0;
  const push = (end: number) => {
    if (lines.slice(start, end).some((l) => l.trim() !== '' && !l.startsWith('#'))) {
      docs.push({ text: lines.slice(start, end).join('\n'), range: { start, end } });
    }
  };
  for (let i = 0; i < lines.length; i++) {
    if (/^---(\s|$)/.test(lines[i]!) || lines[i] === '...') {
      push(i);
      start = i + 1;
    }
  }
  push(lines.length);
  return docs;
}

/** 0-based lines where each element of a List's `items` starts, for YAML or pretty-printed JSON. */
function listItemLines(lines: string[], range: LineRange, isJson: boolean): number[] {
  return isJson ? jsonArrayElementLines(lines, range, 'items') : yamlSequenceItemLines(lines, range, 'items');
}

function yamlSequenceItemLines(lines: string[], range: LineRange, key: string): number[] {
  const starts: number[] = [];
  let i = range.start;
  while (i < range.end && !new RegExp(`^${key}:\\s*$`).test(lines[i]!)) i++;
  let indent = -1;
  for (i++; i < range.end; i++) {
    const line = lines[i]!;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const lead = line.length - line.trimStart().length;
    if (indent < 0) {
      if (!line.trimStart().startsWith('-')) break;
      indent = lead;
    }
    if (lead < indent || (lead === indent && !line.trimStart().startsWith('-'))) break;
    if (lead === indent) starts.push(i);
  }
  return starts;
}

/** Scans JSON text (strings and escapes respected) for the start lines of `key`'s array elements at depth 1. */
function jsonArrayElementLines(lines: string[], range: LineRange, key: string): number[] {
  const starts: number[] = [];
  let depth = 0;
  let inString = false;
  let lastKey = '';
  let stringStart = 0;
  let arrayKeyAtDepth1 = '';
  for (let ln = range.start; ln < range.end; ln++) {
    const line = lines[ln]!;
    for (let i = 0; i < line.length; i++) {
      const ch = line[i];
      if (inString) {
        if (ch === '\\') i++;
        else if (ch === '"') {
          inString = false;
          if (depth === 1) lastKey = line.slice(stringStart, i);
        }
        continue;
      }
      if (ch === '"') {
        inString = true;
        stringStart = i + 1;
      } else if (ch === '{' || ch === '[') {
        if (depth === 1 && ch === '[') arrayKeyAtDepth1 = lastKey;
        if (depth === 2 && arrayKeyAtDepth1 === key) starts.push(ln);
        depth++;
      } else if (ch === '}' || ch === ']') {
        depth--;
      }
    }
  }
  return starts;
}

function toKubeObject(value: unknown, input: ParseInput, range: LineRange, path: string | undefined, diagnostics: Diagnostic[]): KubeObject | undefined {
  const file = input.file;
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
  const lines = locateMetadataLines(input.lines, range);
  const startLine = lines.name ?? range.start;
  const source: Provenance = { file, line: startLine + 1, excerpt: excerpt(input.lines[startLine] ?? '') };
  if (path) source.path = path;
  const labels = stringMap(metadata['labels']);
  const labelSources: Record<string, Provenance> = {};
  for (const key of Object.keys(labels)) {
    if (!TRACKED_LABEL_PREFIXES.some((p) => key.startsWith(p))) continue;
    const line = lines.labels.get(key);
    const at = line ?? startLine;
    const labelSource: Provenance = { file, line: at + 1, excerpt: excerpt(input.lines[at] ?? '') };
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
    conditions: readConditions(status, input.lines, range, file, path),
  };
  if (typeof metadata['namespace'] === 'string') object.namespace = metadata['namespace'];
  // ConfigMaps and similar carry `data` rather than spec; keep it where rules may need it.
  if (!isRecord(value['spec']) && isRecord(value['data'])) object.spec = { data: value['data'] };
  return object;
}

/**
 * Finds, inside one object's lines, the line of `metadata.name` and of each `metadata.labels` key.
 * Works for kubectl's YAML and pretty JSON, where every key sits on its own line.
 */
function locateMetadataLines(lines: string[], range: LineRange): { name?: number; labels: Map<string, number> } {
  const labels = new Map<string, number>();
  let i = range.start;
  while (i < range.end && !/^\s*(- )?"?metadata"?:/.test(lines[i]!)) i++;
  if (i >= range.end) return { labels };
  const metaIndent = indentOf(lines[i]!.replace(/^(\s*)- /, '$1  '));
  let name: number | undefined;
  for (i++; i < range.end; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const lead = indentOf(line);
    if (lead <= metaIndent) break;
    const trimmed = line.trimStart();
    if (name === undefined && /^"?name"?:/.test(trimmed)) name = i;
    if (/^"?labels"?:/.test(trimmed)) {
      for (i++; i < range.end && (lines[i]!.trim() === '' || indentOf(lines[i]!) > lead); i++) {
        const m = /^"?([^"\s:]+)"?\s*:/.exec(lines[i]!.trimStart());
        if (m && !labels.has(m[1]!)) labels.set(m[1]!, i);
      }
      i--;
    }
  }
  const result: { name?: number; labels: Map<string, number> } = { labels };
  if (name !== undefined) result.name = name;
  return result;
}

/** `status.conditions` with the line of each condition's `type`, searched after the `status` key. */
function readConditions(status: Record<string, unknown>, lines: string[], range: LineRange, file: string, path: string | undefined): KubeCondition[] {
  const raw = Array.isArray(status['conditions']) ? status['conditions'] : [];
  let from = range.start;
  while (from < range.end && !/^\s*(- )?"?status"?:\s*[{]?\s*$/.test(lines[from]!)) from++;
  const conditions: KubeCondition[] = [];
  raw.forEach((c: unknown, i) => {
    if (!isRecord(c) || typeof c['type'] !== 'string') return;
    const type = c['type'];
    const typeLine = new RegExp(`^\\s*(- )?"?type"?:\\s*"?${escapeRegExp(type)}"?,?\\s*$`);
    let at = from;
    while (at < range.end && !typeLine.test(lines[at]!)) at++;
    const line = at < range.end ? at : range.start;
    const source: Provenance = { file, line: line + 1, excerpt: excerpt(lines[line] ?? '') };
    if (path) source.path = `${path}.status.conditions[${i}]`;
    const condition: KubeCondition = { type, status: String(c['status'] ?? ''), source };
    if (typeof c['reason'] === 'string') condition.reason = c['reason'];
    if (typeof c['message'] === 'string') condition.message = c['message'];
    conditions.push(condition);
  });
  return conditions;
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
  for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = String(v);
  return out;
}
