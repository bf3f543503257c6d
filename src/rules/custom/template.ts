/**
 * Message and fix templates: `{{ path }}`, nothing else (no helpers). A path starts at the record
 * (`{{name}}`, `{{labels["app"]}}`) or at a variable the rule's kind offers (`{{object.name}}`,
 * `{{namespaceObject.labels["istio.io/use-waypoint"]}}`, `{{waypoint.name}}`, `{{binding.reason}}`).
 * Text is filled in as it is (reports escape on output). Values come from the captured bundle, so a
 * value filled into a command is shell-quoted for where it sits, and YAML is filled so that no value
 * can add a key, an item or a document: when the values do not fit the template that way, the fix
 * gives no YAML and says why.
 */
import yaml from 'js-yaml';
import { fillShellTemplate } from '../shell.js';

// ---------------------------------------------------------------------------------------------
// Field paths: `a.b.c`, `labels["istio.io/use-waypoint"]`, `labels['app']`, `conditions[0].type`

export type PathSegment = string | number;

const PATH_TOKEN = /\.?([A-Za-z_][A-Za-z0-9_-]*)|\[(?:([0-9]+)|"([^"]*)"|'([^']*)')\]/y;

/** Parses a path as the schema's `path` pattern accepts it; undefined when it is not one. */
export function parsePath(path: string): PathSegment[] | undefined {
  const segments: PathSegment[] = [];
  PATH_TOKEN.lastIndex = 0;
  let at = 0;
  while (at < path.length) {
    PATH_TOKEN.lastIndex = at;
    const m = PATH_TOKEN.exec(path);
    if (!m) return undefined;
    // A leading dot, or a name right after another without a dot, is not a path.
    if (m[1] !== undefined && (at === 0) === m[0].startsWith('.')) return undefined;
    segments.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : (m[3] ?? m[4])!));
    at = PATH_TOKEN.lastIndex;
  }
  return segments.length > 0 ? segments : undefined;
}

/** The value at a path, or undefined; only own properties are read (no `constructor`, `__proto__`). */
export function resolvePath(value: unknown, segments: readonly PathSegment[]): unknown {
  let current = value;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    if (Array.isArray(current)) {
      if (typeof segment !== 'number') return undefined;
      current = current[segment];
    } else {
      const key = String(segment);
      if (!Object.prototype.hasOwnProperty.call(current, key)) return undefined;
      current = (current as Record<string, unknown>)[key];
    }
  }
  return current;
}


// ---------------------------------------------------------------------------------------------
// Templates

const PLACEHOLDER = /\{\{\s*(.*?)\s*\}\}/g;

/** What a template's text becomes: prose, a shell command, or YAML (undefined when it cannot be filled safely). */
export type Template = (view: unknown) => string;
export type YamlTemplate = (view: unknown) => string | undefined;

export function parseTemplate(text: string): { literals: string[]; paths: PathSegment[][] } | { bad: string } {
  const literals: string[] = [];
  const paths: PathSegment[][] = [];
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    const path = parsePath(m[1]!);
    if (!path) return { bad: m[0] };
    literals.push(text.slice(last, m.index));
    paths.push(path);
    last = m.index + m[0].length;
  }
  literals.push(text.slice(last));
  return { literals, paths };
}

export function compileTemplate(text: string, fill: 'text' | 'shell' = 'text'): Template | { bad: string } {
  const t = parseTemplate(text);
  if ('bad' in t) return t;
  const { literals, paths } = t;
  return (view) => {
    const values = paths.map((p) => stringify(resolvePath(view, p)));
    return fill === 'shell' ? fillShellTemplate(literals, values) : literals.map((l, i) => (i < values.length ? l + values[i] : l)).join('');
  };
}

export function compileYamlTemplate(text: string): YamlTemplate | { bad: string } {
  const t = parseTemplate(text);
  if ('bad' in t) return t;
  return (view) => fillYamlTemplate(t.literals, t.paths.map((p) => resolvePath(view, p)));
}

/** Characters a YAML double-quoted scalar must escape beyond JSON's (YAML 1.1 readers such as kubectl's take NEL, LS and PS for line breaks). */
const YAML_UNSAFE = /[\u007f-\u009f\u2028\u2029\ufeff]/g;
const escapeYamlUnsafe = (text: string) => text.replace(YAML_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
/** Line breaks to YAML 1.1 readers: CR, LF, NEL, LS, PS. */
const YAML_BREAKS = /[\r\n\u0085\u2028\u2029]+/g;
/** Words YAML 1.1 (kubectl's reader) takes for booleans or null: a string value among them is quoted. */
const YAML11_WORDS = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL)$/;

/**
 * Fills a YAML template so that every value stays one scalar (or, for a list or map, the one collection it
 * is) where the template puts it: a string at the start of a plain scalar is written as it is when it is a
 * plain word, else double-quoted (JSON's escapes); inside the author's quotes it is escaped for them; in a
 * comment its line breaks become spaces. The result is then read back and compared, node for node, with the
 * template filled with inert words: any difference (a value that added a key, an item or a document, or
 * changed a scalar's type) and the YAML is not given (undefined).
 */
function fillYamlTemplate(literals: readonly string[], values: readonly unknown[]): string | undefined {
  const probes = values.map((_, i) => `wpvalue${i}x`);
  const filled = fillYaml(literals, values);
  let template: unknown[];
  try {
    template = yaml.loadAll(fillYaml(literals, probes));
  } catch {
    // A template that is YAML only once filled: nothing to compare with, the quoting has to do.
    return filled;
  }
  try {
    return sameShape(template, yaml.loadAll(filled), probes, values) ? filled : undefined;
  } catch {
    return undefined;
  }
}

function fillYaml(literals: readonly string[], values: readonly unknown[]): string {
  let out = '';
  let line = '';
  let state: 'plain' | 'single' | 'double' | 'double-escape' | 'comment' = 'plain';
  const emit = (text: string) => {
    out += text;
    const nl = text.lastIndexOf('\n');
    line = nl < 0 ? line + text : text.slice(nl + 1);
  };
  // Where a scalar starts: the line's start, after `: `, `- `, `? `, `[`, `{`, `,`. A quote opens a quoted scalar only there.
  const atScalarStart = () => {
    const t = line.trimEnd();
    return t.trim() === '' || /[[{,]$/.test(t) || (/[:?-]$/.test(t) && line !== t);
  };
  literals.forEach((literal, i) => {
    for (let j = 0; j < literal.length; j++) {
      const c = literal[j]!;
      if (state === 'double-escape') state = 'double';
      else if (state === 'double') state = c === '\\' ? 'double-escape' : c === '"' ? 'plain' : 'double';
      else if (state === 'single' && c === "'") {
        if (literal[j + 1] === "'") emit(literal[j++]!);
        else state = 'plain';
      } else if (state === 'comment' && c === '\n') state = 'plain';
      else if (state === 'plain' && c === '#' && (line === '' || /\s$/.test(line))) state = 'comment';
      else if (state === 'plain' && (c === '"' || c === "'") && atScalarStart()) state = c === '"' ? 'double' : 'single';
      emit(c);
    }
    if (i >= values.length) return;
    const value = values[i];
    const text = stringify(value);
    if (state === 'double' || state === 'double-escape') emit(escapeYamlUnsafe(JSON.stringify(text).slice(1, -1)));
    else if (state === 'single') emit(text.replace(/'/g, "''").replace(YAML_BREAKS, ' '));
    else if (state === 'comment') emit(text.replace(YAML_BREAKS, ' '));
    else if (value !== undefined && value !== null && typeof value !== 'string') emit(escapeYamlUnsafe(text));
    else if (!atScalarStart()) emit(text);
    else emit(/^[A-Za-z][A-Za-z0-9_./-]*$/.test(text) && !YAML11_WORDS.test(text) ? text : escapeYamlUnsafe(JSON.stringify(text)));
  });
  return out;
}

/** Whether `actual` is `template` with each probe word replaced by its value: the same keys, items and scalars. */
function sameShape(template: unknown, actual: unknown, probes: readonly string[], values: readonly unknown[]): boolean {
  if (typeof template === 'string') {
    const whole = probes.indexOf(template);
    if (whole >= 0 && values[whole] !== undefined && values[whole] !== null && typeof values[whole] !== 'string') {
      return JSON.stringify(actual) === JSON.stringify(JSON.parse(stringify(values[whole])));
    }
    return actual === probes.reduce((t, p, i) => t.split(p).join(stringify(values[i])), template);
  }
  if (Array.isArray(template)) {
    return Array.isArray(actual) && actual.length === template.length && template.every((t, i) => sameShape(t, actual[i], probes, values));
  }
  if (template !== null && typeof template === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
    const keys = Object.keys(template);
    const actualKeys = Object.keys(actual);
    return keys.length === actualKeys.length && keys.every((k, i) => {
      const expected = probes.reduce((t, p, j) => t.split(p).join(stringify(values[j])), k);
      return actualKeys[i] === expected && sameShape((template as Record<string, unknown>)[k], (actual as Record<string, unknown>)[expected], probes, values);
    });
  }
  return Object.is(template, actual) || (template instanceof Date && actual instanceof Date && template.getTime() === actual.getTime());
}

/** Values as text: strings as they are, `<none>` for a missing value, lists and maps as JSON. */
export function stringify(value: unknown): string {
  if (value === undefined || value === null) return '<none>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  try {
    return JSON.stringify(value, (key, v: unknown) => (key === 'source' || key === 'labelSources' ? undefined : v));
  } catch {
    return String(value);
  }
}

/** Renders a template against a record, as findings do. Exposed for tests and docs. */
export function renderTemplate(text: string, view: unknown): string {
  const t = compileTemplate(text);
  return typeof t === 'function' ? t(view) : text;
}


/** The names the placeholders of `text` start at (`object`, `waypoint`, `name`, ...). */
export function templateRoots(text: string): string[] {
  const t = parseTemplate(text);
  return 'bad' in t ? [] : t.paths.map((p) => String(p[0]));
}
