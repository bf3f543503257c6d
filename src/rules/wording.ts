/**
 * What findings of every section say alike: an object named as `Kind ns/name`, lists of names cut
 * short, evidence pointing at a spec field, and YAML a fix shows (printed as kubectl prints YAML).
 */
import yaml from 'js-yaml';
import type { KubeObject } from '../parse/types.js';
import { evidence, type Evidence } from './types.js';

export function describeObject(o: KubeObject): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}

/** "details, productpage and 3 more" */
export function listNames(objects: readonly { name: string }[], max = 4): string {
  const names = objects.map((o) => o.name);
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/** Evidence at a top-level spec field (`selector`, `targetRefs`...), or at the object when the field's line is unknown. */
export function specEvidence(object: KubeObject, key: string, note: string): Evidence {
  const at = object.specSources?.[key];
  if (at) return evidence(at, note);
  const { excerpt: _, ...where } = object.source;
  return evidence({ ...where, path: `${object.source.path ? `${object.source.path}.` : ''}spec.${key}` }, note);
}

/** A manifest for a fix, as `kubectl apply -f -` takes it. */
export function yamlOf(value: unknown): string {
  return yaml.dump(value, { lineWidth: -1, noRefs: true, quotingType: '"' });
}
