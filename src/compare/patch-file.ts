/**
 * `what-if --apply PATCH.yaml`: the changes a file asks for. A document with `op` is a change as the JSON
 * report writes it (docs/changes.md); a Kubernetes manifest (apiVersion, kind, metadata.name) is a merge
 * patch of the object it names, which must be in the bundle: a new object is written `op: create`.
 * Anything else is refused with one line naming the file and the document.
 */
import yaml from 'js-yaml';
import { InputError } from '../errors.js';
import type { Change, ChangeTarget } from '../rules/types.js';

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseChangeFile(text: string, file: string): Change[] {
  let documents: unknown[];
  try {
    documents = yaml.loadAll(text);
  } catch (err) {
    throw new InputError(`${file}: not valid YAML (${(err as Error).message.split('\n')[0]})`, { cause: err });
  }
  const changes: Change[] = [];
  documents.forEach((doc, i) => {
    if (doc === null || doc === undefined) return;
    const where = `${file}: document ${i + 1}`;
    for (const item of Array.isArray(doc) ? doc : [doc]) changes.push(toChange(item, where));
  });
  if (changes.length === 0) throw new InputError(`${file}: holds no change`);
  return changes;
}

function toChange(value: unknown, where: string): Change {
  if (!isRecord(value)) throw new InputError(`${where}: expected a mapping (a change with op, or a Kubernetes object)`);
  if (value['op'] === undefined) return manifestPatch(value, where);
  const op = String(value['op']);
  if (op === 'create') {
    const object = value['object'];
    if (!isRecord(object) || typeof object['kind'] !== 'string' || !isRecord(object['metadata']) || typeof object['metadata']['name'] !== 'string') {
      throw new InputError(`${where}: op create needs object with kind and metadata.name`);
    }
    return { op, object };
  }
  const target = toTarget(value['target'], where);
  switch (op) {
    case 'set-label':
    case 'set-annotation':
      if (typeof value['key'] !== 'string' || !value['key']) throw new InputError(`${where}: op ${op} needs key`);
      if (typeof value['value'] !== 'string') throw new InputError(`${where}: op ${op} needs value, a string (quote numbers and true/false)`);
      return { op, target, key: value['key'], value: value['value'] };
    case 'remove-label':
    case 'remove-annotation':
      if (typeof value['key'] !== 'string' || !value['key']) throw new InputError(`${where}: op ${op} needs key`);
      return { op, target, key: value['key'] };
    case 'merge-patch':
      if (!isRecord(value['patch'])) throw new InputError(`${where}: op merge-patch needs patch, a mapping`);
      return { op, target, patch: value['patch'] };
    default:
      throw new InputError(`${where}: unknown op ${JSON.stringify(value['op'])} (set-label, remove-label, set-annotation, remove-annotation, merge-patch, create)`);
  }
}

function toTarget(value: unknown, where: string): ChangeTarget {
  if (!isRecord(value) || typeof value['kind'] !== 'string' || typeof value['name'] !== 'string') throw new InputError(`${where}: target needs kind and name`);
  const target: ChangeTarget = { kind: value['kind'], name: value['name'] };
  if (typeof value['namespace'] === 'string') target.namespace = value['namespace'];
  if (typeof value['apiVersion'] === 'string') target.apiVersion = value['apiVersion'];
  return target;
}

/** A manifest as `kubectl apply` would merge it into the object it names: labels, annotations and spec. */
function manifestPatch(manifest: Json, where: string): Change {
  const metadata = manifest['metadata'];
  if (typeof manifest['kind'] !== 'string' || !isRecord(metadata) || typeof metadata['name'] !== 'string') {
    throw new InputError(`${where}: neither a change (op) nor a Kubernetes object (kind, metadata.name)`);
  }
  const target: ChangeTarget = { kind: manifest['kind'], name: metadata['name'] };
  if (typeof metadata['namespace'] === 'string') target.namespace = metadata['namespace'];
  if (typeof manifest['apiVersion'] === 'string') target.apiVersion = manifest['apiVersion'];
  const patch: Json = {};
  const meta: Json = {};
  if (metadata['labels'] !== undefined) meta['labels'] = metadata['labels'];
  if (metadata['annotations'] !== undefined) meta['annotations'] = metadata['annotations'];
  if (Object.keys(meta).length) patch['metadata'] = meta;
  if (manifest['spec'] !== undefined) patch['spec'] = manifest['spec'];
  if (Object.keys(patch).length === 0) throw new InputError(`${where}: ${target.kind} ${target.name} changes nothing (no labels, annotations or spec)`);
  return { op: 'merge-patch', target, patch };
}
