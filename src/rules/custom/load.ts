/**
 * Reading rule files: YAML or JSON, validated against schemas/custom-rule.schema.json, each rule
 * compiled (rule.ts). Loading fails with an InputError of ONE line naming the file and the place in it.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import yaml from 'js-yaml';
import { InputError } from '../../errors.js';
import { compileRule } from './rule.js';
import type { CustomRule, CustomRuleSpec } from './spec.js';
import { resolvePath, type PathSegment } from './template.js';
import { ruleFileToCel } from './translate.js';

const SCHEMA_DIR = new URL('../../../schemas/', import.meta.url);
const validators = new Map<string, ValidateFunction>();

/** A validator for one of the repository's schemas: ajv strict, every error, with `x-messages` texts. */
export async function schemaValidator(name: string): Promise<ValidateFunction> {
  let v = validators.get(name);
  if (!v) {
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true });
    addFormats.default(ajv);
    ajv.addKeyword('x-messages');
    v = ajv.compile(JSON.parse(await readFile(new URL(name, SCHEMA_DIR), 'utf8')));
    validators.set(name, v);
  }
  return v;
}

/**
 * The one error worth showing, as `<pointer> <message>`: summaries of `if` dropped, the branches of
 * a failed `oneOf` folded into it, and this tool's own wording (`x-messages`) when the schema has one.
 */
export function describeSchemaErrors(errors: readonly ErrorObject[], data: unknown): string {
  const failedOneOf = errors.filter((e) => e.keyword === 'oneOf');
  const useful = errors.filter((e) =>
    e.keyword !== 'if' &&
    !failedOneOf.some((o) => o !== e && o.instancePath === e.instancePath && e.schemaPath.startsWith(`${o.schemaPath}/`)));
  const e = useful[0] ?? errors[0];
  if (!e) return '/ is not valid';
  const pointer = e.instancePath || '/';
  const own = (e.parentSchema as { 'x-messages'?: Record<string, string> } | undefined)?.['x-messages']?.[e.keyword];
  let message = own ?? e.message ?? 'is not valid';
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'additionalProperties') message = `must NOT have additional properties (unknown key '${String(params['additionalProperty'])}')`;
  else if (e.keyword === 'enum' && Array.isArray(params['allowedValues'])) message += ` (${params['allowedValues'].join(', ')})`;
  else if (e.keyword === 'format' && params['format'] === 'regex') {
    const value = resolvePath(data, e.instancePath.split('/').slice(1).map(unescapePointer));
    try {
      new RegExp(String(value), 'u');
    } catch (err) {
      message += `: ${(err as Error).message}`;
    }
  }
  return `${pointer} ${message}`;
}

function unescapePointer(s: string): PathSegment {
  const key = s.replace(/~1/g, '/').replace(/~0/g, '~');
  return /^(0|[1-9][0-9]*)$/.test(key) ? Number(key) : key;
}

/** Reads a YAML or JSON document; a syntax error becomes an InputError naming the file and line. */
export async function readDocument(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? `no such file or directory: ${file}` : `cannot read ${file} (${(err as Error).message})`, { cause: err });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (extname(file).toLowerCase() === '.json') {
    try {
      return JSON.parse(text);
    } catch (err) {
      const raw = (err as Error).message;
      const at = /at position (\d+)/.exec(raw);
      const what = raw.replace(/\s*in JSON at position \d+.*$/s, '').replace(/^JSON\.parse: /, '');
      if (!at) throw new InputError(`${file}: invalid JSON (${what})`, { cause: err });
      const before = text.slice(0, Number(at[1]));
      const line = before.split('\n').length;
      const column = before.length - before.lastIndexOf('\n');
      throw new InputError(`${file}: line ${line} column ${column}: invalid JSON (${what})`, { cause: err });
    }
  }
  try {
    return yaml.load(text, { schema: yaml.CORE_SCHEMA, filename: file });
  } catch (err) {
    if (err instanceof yaml.YAMLException) {
      const mark = err.mark as { line?: number; column?: number } | undefined;
      const where = mark && typeof mark.line === 'number' ? ` line ${mark.line + 1} column ${(mark.column ?? 0) + 1}:` : '';
      throw new InputError(`${file}:${where} invalid YAML (${err.reason})`, { cause: err });
    }
    throw err;
  }
}

const RULE_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** The rule files a path names: the file itself, or a folder's `.yaml`/`.yml`/`.json` files (not hidden ones), sorted. */
async function ruleFiles(path: string): Promise<string[]> {
  const st = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new InputError(err.code === 'ENOENT' ? `no such file or directory: ${path}` : `cannot read ${path} (${err.message})`, { cause: err });
  });
  if (!st.isDirectory()) return [path];
  const names = (await readdir(path)).filter((n) => !n.startsWith('.') && RULE_EXTENSIONS.has(extname(n).toLowerCase())).sort();
  if (names.length === 0) throw new InputError(`${path}: no .yaml, .yml or .json rule file in this folder`);
  return names.map((n) => join(path, n));
}

/**
 * Loads custom rules from a file or a folder of files (sorted by name), validating each file against
 * schemas/custom-rule.schema.json. Throws an InputError of one line for the first problem:
 * `<file>: <pointer> <message>`, a syntax error with its line, or an id defined twice.
 */
export async function loadCustomRules(path: string): Promise<CustomRule[]> {
  const validate = await schemaValidator('custom-rule.schema.json');
  const rules: CustomRule[] = [];
  const defined = new Map<string, string>();
  for (const file of await ruleFiles(path)) {
    const data = await readDocument(file);
    if (!validate(data)) throw new InputError(`${file}: ${describeSchemaErrors(validate.errors ?? [], data)}`);
    const list = 'rules' in (data as object) ? (data as { rules: CustomRuleSpec[] }).rules.map((r, i) => [r, `/rules/${i}`] as const) : [[data as CustomRuleSpec, ''] as const];
    for (const [spec, pointer] of list) {
      const first = defined.get(spec.id);
      if (first !== undefined) throw new InputError(`${file}: ${pointer}/id duplicate rule id '${spec.id}' (first defined in ${first})`);
      defined.set(spec.id, file);
      rules.push(compileRule(spec, file, pointer));
    }
  }
  return rules;
}


/**
 * A rule file with every declarative condition translated to CEL, as YAML (what `rules --to-cel`
 * prints). The file is loaded first, so a bad one is refused as `--rules` would refuse it.
 */
export async function translateRuleFile(file: string): Promise<string> {
  await loadCustomRules(file);
  return ruleFileToCel(await readDocument(file));
}
