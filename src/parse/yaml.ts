/**
 * YAML as Kubernetes reads it. kubectl and the API server use go-yaml v2 (YAML 1.1), where unquoted
 * `yes`, `on`, `y`, `True` are booleans; js-yaml's core schema (YAML 1.2) reads `yes` as a string.
 * Hand-written and other tools' YAML relies on the 1.1 reading, so captures are read with it.
 * Timestamps stay strings and `<<` is not a merge, as in the core schema.
 */
import yaml from 'js-yaml';

/** go-yaml v2's resolve table for booleans. */
const TRUE_WORDS = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSE_WORDS = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);

const yaml11Bool = new yaml.Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && (TRUE_WORDS.has(data) || FALSE_WORDS.has(data)),
  construct: (data: string) => TRUE_WORDS.has(data),
  predicate: (object: unknown) => typeof object === 'boolean',
  represent: { lowercase: (object: object) => (object ? 'true' : 'false') },
  defaultStyle: 'lowercase',
});

/** js-yaml exports its built-in types at run time; @types/js-yaml does not declare them. */
const builtin = (yaml as unknown as { types: Record<'null' | 'int' | 'float', yaml.Type> }).types;

export const KUBE_YAML_SCHEMA = yaml.FAILSAFE_SCHEMA.extend({
  implicit: [builtin.null, yaml11Bool, builtin.int, builtin.float],
});

/** Parses one YAML document as Kubernetes would; throws js-yaml's error (with `mark`) on bad syntax. */
export function loadKubeYaml(text: string): unknown {
  return yaml.load(text, { schema: KUBE_YAML_SCHEMA, json: true });
}

/**
 * A condition status as the API means it: `True`, `False` or `Unknown`, whatever the capture wrote
 * (`true`, `"true"`, `yes`, a JSON boolean). Anything else is kept as written.
 */
export function conditionStatus(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  const text = String(value ?? '').trim();
  if (TRUE_WORDS.has(text)) return 'True';
  if (FALSE_WORDS.has(text)) return 'False';
  return /^unknown$/i.test(text) ? 'Unknown' : text;
}

/** A label or annotation value as a string: YAML booleans and numbers written unquoted read as kubectl would print them. */
export function labelValue(value: unknown): string {
  return typeof value === 'boolean' ? (value ? 'true' : 'false') : String(value);
}
