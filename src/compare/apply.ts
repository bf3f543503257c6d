/**
 * Applying fixes-as-data (rules/types.ts `Change`) to a bundle's parsed Kubernetes objects, never to a
 * cluster. The result is a new list of parsed files for the same snapshot builder, so what depends on the
 * objects (expected waypoints, attachments, allowed routes) is derived again by the code that derived it
 * the first time. Captured observations (ztunnel tables, proxy-status, Envoy dumps, logs) are left as they
 * were: only a new capture can show how they changed (what-if.ts says which).
 */
import { InputError } from '../errors.js';
import type { ParsedFile } from '../parse/index.js';
import type { KubeCondition, KubeObject, Provenance } from '../parse/types.js';
import { conditionStatus } from '../parse/yaml.js';
import type { Change, ChangeTarget } from '../rules/types.js';

/** Where a changed value came from, for evidence: the change itself. */
export const WHAT_IF_FILE = 'what-if';

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `set-label Gateway default/waypoint istio.io/waypoint-for=all`: one line per change, for output and evidence. */
export function describeChange(change: Change): string {
  switch (change.op) {
    case 'set-label':
    case 'set-annotation':
      return `${change.op} ${targetText(change.target)} ${change.key}=${change.value}`;
    case 'remove-label':
    case 'remove-annotation':
      return `${change.op} ${targetText(change.target)} ${change.key}`;
    case 'merge-patch':
      return `merge-patch ${targetText(change.target)} ${JSON.stringify(change.patch)}`;
    case 'create':
      return `create ${targetText(createdTarget(change.object))}`;
  }
}

export function targetText(t: ChangeTarget): string {
  return `${t.kind} ${t.namespace ? `${t.namespace}/` : ''}${t.name}`;
}

export function createdTarget(object: Json): ChangeTarget {
  const metadata = isRecord(object['metadata']) ? object['metadata'] : {};
  const target: ChangeTarget = { kind: String(object['kind'] ?? ''), name: String(metadata['name'] ?? '') };
  if (typeof metadata['namespace'] === 'string') target.namespace = metadata['namespace'];
  return target;
}

const sameObject = (o: KubeObject, t: ChangeTarget) =>
  o.kind === t.kind && o.name === t.name && (o.namespace ?? '') === (t.namespace ?? '') && (!t.apiVersion || !o.apiVersion || o.apiVersion === t.apiVersion);

/**
 * The files with every change applied, in order. A change naming an object the bundle does not hold, or
 * creating one it already holds, is a bad input (InputError): nothing is guessed.
 */
export function applyChanges(files: readonly ParsedFile[], changes: readonly Change[]): ParsedFile[] {
  let out = files.map((f) => f);
  for (const change of changes) {
    const provenance: Provenance = { file: WHAT_IF_FILE, excerpt: describeChange(change) };
    if (change.op === 'create') {
      const target = createdTarget(change.object);
      if (!target.kind || !target.name) throw new InputError(`what-if: a created object needs kind and metadata.name (${describeChange(change)})`);
      if (out.some((f) => f.records.kubeObjects?.some((o) => sameObject(o, target)))) throw new InputError(`what-if: cannot create ${targetText(target)}: the bundle already holds it`);
      const object = objectFromManifest(change.object, provenance);
      out.push({ file: `${WHAT_IF_FILE}/${target.kind}/${target.namespace ?? ''}/${target.name}`, kind: 'kube-resources', bytes: 0, context: {}, records: { kubeObjects: [object] }, diagnostics: [], summary: `created by what-if: ${targetText(target)}` });
      continue;
    }
    let found = false;
    out = out.map((file) => {
      const objects = file.records.kubeObjects;
      if (!objects?.some((o) => sameObject(o, change.target))) return file;
      found = true;
      return { ...file, records: { ...file.records, kubeObjects: objects.map((o) => (sameObject(o, change.target) ? changed(o, change, provenance) : o)) } };
    });
    if (!found) throw new InputError(`what-if: ${targetText(change.target)} is not in the bundle (${describeChange(change)})`);
  }
  return out;
}

/** A copy of the object with one change made; the copy's changed labels point at the change as their source. */
function changed(object: KubeObject, change: Exclude<Change, { op: 'create' }>, provenance: Provenance): KubeObject {
  const copy: KubeObject = { ...object, labels: { ...object.labels }, annotations: { ...object.annotations }, labelSources: { ...object.labelSources } };
  switch (change.op) {
    case 'set-label':
      copy.labels[change.key] = change.value;
      copy.labelSources[change.key] = provenance;
      return copy;
    case 'remove-label':
      delete copy.labels[change.key];
      delete copy.labelSources[change.key];
      return copy;
    case 'set-annotation':
      copy.annotations[change.key] = change.value;
      return copy;
    case 'remove-annotation':
      delete copy.annotations[change.key];
      return copy;
    case 'merge-patch':
      return patched(copy, change.patch, provenance);
  }
}

function patched(object: KubeObject, patch: Json, provenance: Provenance): KubeObject {
  const metadataPatch = isRecord(patch['metadata']) ? patch['metadata'] : {};
  for (const key of ['name', 'namespace'] as const) {
    if (metadataPatch[key] !== undefined && metadataPatch[key] !== object[key]) throw new InputError(`what-if: a patch cannot change metadata.${key} of ${targetText(object)}`);
  }
  for (const key of ['apiVersion', 'kind'] as const) {
    if (patch[key] !== undefined && patch[key] !== object[key] && !(key === 'apiVersion' && object.apiVersion === '')) throw new InputError(`what-if: a patch cannot change ${key} of ${targetText(object)}`);
  }
  const before = { labels: object.labels, annotations: object.annotations };
  const document = mergePatch({ metadata: before, spec: object.spec, status: object.status }, patch) as Json;
  const metadata = isRecord(document['metadata']) ? document['metadata'] : {};
  object.labels = stringMap(metadata['labels']);
  object.annotations = stringMap(metadata['annotations']);
  for (const key of Object.keys(object.labelSources)) if (!(key in object.labels)) delete object.labelSources[key];
  for (const [key, value] of Object.entries(object.labels)) if (before.labels[key] !== value) object.labelSources[key] = provenance;
  object.spec = isRecord(document['spec']) ? document['spec'] : {};
  if (patch['status'] !== undefined) {
    object.status = isRecord(document['status']) ? document['status'] : {};
    object.conditions = conditionsOf(object.status, provenance);
  }
  if (patch['spec'] !== undefined && object.specSources) {
    // The patched keys' lines in the capture no longer hold their value: point them at the change.
    object.specSources = { ...object.specSources };
    for (const key of Object.keys(isRecord(patch['spec']) ? patch['spec'] : {})) object.specSources[key] = { ...provenance, path: `spec.${key}` };
  }
  return object;
}

/** RFC 7386: objects merge key by key, `null` deletes, anything else (arrays too) replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return structuredClone(patch);
  const out: Json = isRecord(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/** A manifest (as `kubectl apply` takes it) as the parser's KubeObject, every field sourced at the change. */
export function objectFromManifest(manifest: Json, provenance: Provenance): KubeObject {
  const metadata = isRecord(manifest['metadata']) ? manifest['metadata'] : {};
  const labels = stringMap(metadata['labels']);
  const status = isRecord(manifest['status']) ? manifest['status'] : {};
  const object: KubeObject = {
    apiVersion: typeof manifest['apiVersion'] === 'string' ? manifest['apiVersion'] : '',
    kind: String(manifest['kind'] ?? ''),
    name: String(metadata['name'] ?? ''),
    labels,
    annotations: stringMap(metadata['annotations']),
    spec: isRecord(manifest['spec']) ? structuredClone(manifest['spec']) : {},
    status: structuredClone(status),
    source: provenance,
    labelSources: Object.fromEntries(Object.keys(labels).map((k) => [k, provenance])),
    conditions: conditionsOf(status, provenance),
  };
  if (typeof metadata['namespace'] === 'string') object.namespace = metadata['namespace'];
  return object;
}

function conditionsOf(status: Json, source: Provenance): KubeCondition[] {
  const raw = Array.isArray(status['conditions']) ? status['conditions'] : [];
  return raw.filter(isRecord).filter((c) => typeof c['type'] === 'string').map((c) => ({
    type: String(c['type']),
    status: conditionStatus(c['status']),
    ...(typeof c['reason'] === 'string' ? { reason: c['reason'] } : {}),
    ...(typeof c['message'] === 'string' ? { message: c['message'] } : {}),
    source,
  }));
}

function stringMap(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [k, String(v)]));
}
