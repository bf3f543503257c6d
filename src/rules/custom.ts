/**
 * Custom rules for support teams, without TypeScript: YAML or JSON files validated against
 * schemas/custom-rule.schema.json, each rule compiled into the same `Rule` interface as the built-in
 * ones (so the engine's inconclusive handling and the reports work unchanged). docs/custom-rules.md
 * describes the format. A rule selects records of one kind, keeps those its `where` condition accepts,
 * and reports one finding per record (or, with `count`, one finding for the lot).
 *
 * Loading fails with an InputError of ONE line naming the file and the place in it; evaluating never
 * throws on odd data: a missing field is simply undefined.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import yaml from 'js-yaml';
import { pathContext } from '../bundle/layout.js';
import { InputError } from '../errors.js';
import type { Capture } from '../model/captures.js';
import { objectsOf, objectKey, getObject, type ClusterSnapshot } from '../model/snapshot.js';
import type { KubeObject, Provenance } from '../parse/types.js';
import { fillShellTemplate } from './shell.js';
import { evidence, subjectOf, type Evidence, type Fix, type Rule, type Severity, type Subject } from './types.js';

// ---------------------------------------------------------------------------------------------
// The rule file, as the schema describes it

export type Scalar = string | number | boolean | null;

export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | LeafCondition;

export interface LeafCondition {
  field: string;
  equals?: Scalar;
  notEquals?: Scalar;
  matches?: string;
  exists?: boolean;
  in?: Scalar[];
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  some?: Condition;
}

export interface CountTest {
  equals?: number;
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

export interface CustomRuleSpec {
  id: string;
  title: string;
  severity: Severity;
  description: string;
  docs?: string;
  select: { kind: string };
  where?: Condition;
  count?: CountTest;
  message: string;
  fix: { text: string; commands?: string[]; yaml?: string };
  needs?: Capture[];
}

/** A compiled custom rule: a `Rule`, plus where it was defined and its source form (for `explain`). */
export interface CustomRule extends Rule {
  origin: { file: string; pointer: string };
  spec: CustomRuleSpec;
}

// ---------------------------------------------------------------------------------------------
// What a rule can select

/** One selected record: the object conditions and templates read, and what a finding needs. */
interface Selected {
  view: Record<string, unknown>;
  source: Provenance;
  subject?: Subject;
  labelSources?: Record<string, Provenance>;
}

interface RecordKind {
  capture?: Capture;
  /** What the kind is called in messages ("Pod objects", "access log entries"). */
  describe: string;
  select(snapshot: ClusterSnapshot): Iterable<Selected>;
}

function tableSubject(kind: string, namespace: unknown, name: unknown): Subject | undefined {
  if (typeof name !== 'string' || name === '') return undefined;
  return typeof namespace === 'string' && namespace !== '' ? { kind, namespace, name } : { kind, name };
}

function* plain<T extends { source: Provenance }>(records: Iterable<T>, subject: (r: T) => Subject | undefined): Iterable<Selected> {
  for (const r of records) {
    const s = subject(r);
    yield { view: r as unknown as Record<string, unknown>, source: r.source, ...(s ? { subject: s } : {}) };
  }
}

function firstByName<T extends { namespace: string; name: string }>(records: readonly T[]): T[] {
  const seen = new Map<string, T>();
  for (const r of records) if (!seen.has(objectKey(r.namespace, r.name))) seen.set(objectKey(r.namespace, r.name), r);
  return [...seen.values()];
}

function* logEntries(snapshot: ClusterSnapshot, which: 'accessEntries' | 'ztunnelEntries'): Iterable<Selected> {
  for (const log of snapshot.records.logs) {
    const { pod } = pathContext(log.file);
    const subject = pod && pod.namespace ? { kind: 'Pod', namespace: pod.namespace, name: pod.name } : undefined;
    for (const entry of log[which]) {
      yield { view: { ...entry, file: log.file, ...(pod ? { pod } : {}) }, source: entry.source, ...(subject ? { subject } : {}) };
    }
  }
}

/** The record lists a rule can select besides Kubernetes kinds, with the capture each needs. */
export const RECORD_KINDS: Record<string, RecordKind> = {
  ztunnelWorkload: {
    capture: 'ztunnel-workloads',
    describe: 'ztunnel workloads',
    // One row per pod: the same pod is listed once per ztunnel captured.
    select: (s) => plain(s.ztunnel.workloadByPod.values(), (r) => tableSubject('Workload', r.namespace, r.name)),
  },
  ztunnelService: {
    capture: 'ztunnel-services',
    describe: 'ztunnel services',
    select: (s) => plain(s.ztunnel.serviceByName.values(), (r) => tableSubject('Service', r.namespace, r.name)),
  },
  ztunnelPolicy: {
    capture: 'ztunnel-policies',
    describe: 'ztunnel policies',
    select: (s) => plain(firstByName(s.records.ztunnelPolicies), (r) => tableSubject('Policy', r.namespace, r.name)),
  },
  ztunnelCertificate: {
    capture: 'ztunnel-certificates',
    describe: 'ztunnel certificates',
    select: (s) => plain(s.records.ztunnelCertificates, () => undefined),
  },
  proxyStatus: {
    capture: 'proxy-status',
    describe: 'proxy-status rows',
    select: (s) => plain(s.records.proxyStatus, (r) => tableSubject('Pod', r.namespace, r.pod)),
  },
  analyzeMessage: {
    capture: 'analyze',
    describe: 'istioctl analyze messages',
    select: (s) => plain(s.records.analyzeMessages, (r) => (r.origin ? tableSubject(r.origin.kind, r.origin.namespace, r.origin.name) : undefined)),
  },
  accessLog: {
    capture: 'logs',
    describe: 'access log entries',
    select: (s) => logEntries(s, 'accessEntries'),
  },
  ztunnelLog: {
    capture: 'logs',
    describe: 'ztunnel log entries',
    select: (s) => logEntries(s, 'ztunnelEntries'),
  },
};

function* kubeObjects(snapshot: ClusterSnapshot, kind: string): Iterable<Selected> {
  for (const o of objectsOf(snapshot, kind)) yield { view: kubeView(snapshot, o), source: o.source, subject: subjectOf(o), labelSources: o.labelSources };
}

/**
 * A Kubernetes object as conditions see it: the parsed object (kind, name, namespace, labels,
 * annotations, spec, status, conditions), `metadata` as kubectl shows it, and the labels of its
 * Namespace (when captured) as `namespaceLabels`.
 */
function kubeView(snapshot: ClusterSnapshot, o: KubeObject): Record<string, unknown> {
  const ns = o.namespace ? getObject(snapshot, 'Namespace', undefined, o.namespace) : undefined;
  return {
    ...o,
    metadata: { name: o.name, ...(o.namespace ? { namespace: o.namespace } : {}), labels: o.labels, annotations: o.annotations },
    ...(ns ? { namespaceLabels: ns.labels } : {}),
  };
}

function kindOf(kind: string): RecordKind {
  return RECORD_KINDS[kind] ?? { capture: `kube:${kind}`, describe: `${kind} objects`, select: (s) => kubeObjects(s, kind) };
}

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
// Conditions

/** A condition compiled once: paths parsed, regexes built. */
type Compiled =
  | { op: 'all' | 'any'; items: Compiled[] }
  | { op: 'not'; item: Compiled }
  | { op: 'some'; path: PathSegment[]; item: Compiled }
  | { op: 'test'; path: PathSegment[]; test: (value: unknown) => boolean };

function compileCondition(c: Condition): Compiled {
  if ('all' in c) return { op: 'all', items: c.all.map(compileCondition) };
  if ('any' in c) return { op: 'any', items: c.any.map(compileCondition) };
  if ('not' in c) return { op: 'not', item: compileCondition(c.not) };
  const path = parsePath(c.field)!;
  if (c.some !== undefined) return { op: 'some', path, item: compileCondition(c.some) };
  return { op: 'test', path, test: leafTest(c) };
}

function leafTest(c: LeafCondition): (value: unknown) => boolean {
  if (c.equals !== undefined) return (v) => looselyEqual(v, c.equals!);
  if (c.notEquals !== undefined) return (v) => !looselyEqual(v, c.notEquals!);
  if (c.matches !== undefined) {
    const re = new RegExp(c.matches, 'u');
    return (v) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && re.test(String(v));
  }
  if (c.exists !== undefined) return (v) => (v !== undefined && v !== null) === c.exists;
  if (c.in !== undefined) return (v) => c.in!.some((x) => looselyEqual(v, x));
  for (const op of ['gt', 'gte', 'lt', 'lte'] as const) {
    const limit = c[op];
    if (limit !== undefined) return (v) => compareNumber(toNumber(v), op, limit);
  }
  // The schema requires one test; a condition without any matches nothing.
  return () => false;
}

/** Equal as JSON scalars, or as text when one side is a string (`"true"` equals `true`, `"403"` equals `403`). */
function looselyEqual(value: unknown, expected: Scalar): boolean {
  if (value === expected) return true;
  if (value === undefined || value === null || expected === null) return false;
  if (typeof value === 'object') return false;
  return (typeof value === 'string' || typeof expected === 'string') && String(value) === String(expected);
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function compareNumber(n: number | undefined, op: 'equals' | 'gt' | 'gte' | 'lt' | 'lte', limit: number): boolean {
  if (n === undefined) return false;
  switch (op) {
    case 'equals': return n === limit;
    case 'gt': return n > limit;
    case 'gte': return n >= limit;
    case 'lt': return n < limit;
    case 'lte': return n <= limit;
  }
}

/**
 * Evaluates a condition against a record. `hits` collects the sources of list items a `some`
 * matched (e.g. the status condition that made the rule fire), for evidence; they are kept only
 * from branches that decided the result.
 */
function evaluate(c: Compiled, value: unknown, hits: Provenance[]): boolean {
  switch (c.op) {
    case 'all': {
      const mine: Provenance[] = [];
      for (const item of c.items) if (!evaluate(item, value, mine)) return false;
      hits.push(...mine);
      return true;
    }
    case 'any': {
      for (const item of c.items) {
        const mine: Provenance[] = [];
        if (evaluate(item, value, mine)) {
          hits.push(...mine);
          return true;
        }
      }
      return false;
    }
    case 'not':
      return !evaluate(c.item, value, []);
    case 'some': {
      const list = resolvePath(value, c.path);
      if (!Array.isArray(list)) return false;
      let found = false;
      for (const element of list) {
        const mine: Provenance[] = [];
        if (evaluate(c.item, element, mine)) {
          found = true;
          const source = provenanceOf(element);
          if (source) hits.push(source);
          hits.push(...mine);
        }
      }
      return found;
    }
    case 'test':
      return c.test(resolvePath(value, c.path));
  }
}

function provenanceOf(element: unknown): Provenance | undefined {
  if (element === null || typeof element !== 'object') return undefined;
  const source = (element as { source?: unknown }).source;
  if (source === null || typeof source !== 'object' || typeof (source as Provenance).file !== 'string') return undefined;
  const e = element as { type?: unknown; status?: unknown; reason?: unknown };
  // Status conditions (`type`, `status`, `reason`) get a note saying which one it is.
  if (typeof e.type === 'string' && typeof e.status === 'string') {
    return evidence(source as Provenance, `condition ${e.type}=${e.status}${typeof e.reason === 'string' ? ` (${e.reason})` : ''}`);
  }
  return source as Provenance;
}

/** The label keys a condition reads (`labels[...]`, `metadata.labels[...]`, outside `some`), for label evidence. */
function labelKeys(c: Condition, into: Set<string>): Set<string> {
  if ('all' in c) c.all.forEach((x) => labelKeys(x, into));
  else if ('any' in c) c.any.forEach((x) => labelKeys(x, into));
  else if ('not' in c) labelKeys(c.not, into);
  else {
    const path = parsePath(c.field) ?? [];
    const at = path[0] === 'metadata' ? 1 : 0;
    if (path[at] === 'labels' && typeof path[at + 1] === 'string' && path.length === at + 2) into.add(path[at + 1] as string);
  }
  return into;
}

// ---------------------------------------------------------------------------------------------
// Templates: `{{ path }}`, nothing else (no helpers). Text is filled in as it is (reports escape on
// output). Values come from the captured bundle, so a value filled into a command is shell-quoted for
// where it sits, and YAML is filled so that no value can add a key, an item or a document: when the
// values do not fit the template that way, the fix gives no YAML and says why.

const PLACEHOLDER = /\{\{\s*(.*?)\s*\}\}/g;

/** What a template's text becomes: prose, a shell command, or YAML (undefined when it cannot be filled safely). */
type Template = (view: unknown) => string;
type YamlTemplate = (view: unknown) => string | undefined;

function parseTemplate(text: string): { literals: string[]; paths: PathSegment[][] } | { bad: string } {
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

function compileTemplate(text: string, fill: 'text' | 'shell' = 'text'): Template | { bad: string } {
  const t = parseTemplate(text);
  if ('bad' in t) return t;
  const { literals, paths } = t;
  return (view) => {
    const values = paths.map((p) => stringify(resolvePath(view, p)));
    return fill === 'shell' ? fillShellTemplate(literals, values) : literals.map((l, i) => (i < values.length ? l + values[i] : l)).join('');
  };
}

function compileYamlTemplate(text: string): YamlTemplate | { bad: string } {
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

// ---------------------------------------------------------------------------------------------
// Compiling a rule

const MAX_COUNT_EVIDENCE = 10;

function compileRule(spec: CustomRuleSpec, file: string, pointer: string): CustomRule {
  const fail = (where: string, message: string): never => {
    throw new InputError(`${file}: ${pointer}${where} ${message}`);
  };
  const checked = <T>(where: string, t: T | { bad: string }): T => {
    if (typeof t !== 'function') fail(where, `has a placeholder that is not a field path: ${(t as { bad: string }).bad}`);
    return t as T;
  };
  const template = (where: string, text: string, fill: 'text' | 'shell' = 'text'): Template => checked(where, compileTemplate(text, fill));
  const message = template('/message', spec.message);
  const fixText = template('/fix/text', spec.fix.text);
  const fixCommands = (spec.fix.commands ?? []).map((c, i) => template(`/fix/commands/${i}`, c, 'shell'));
  const fixYaml = spec.fix.yaml !== undefined ? checked('/fix/yaml', compileYamlTemplate(spec.fix.yaml)) : undefined;
  const kind = kindOf(spec.select.kind);
  const where = spec.where ? compileCondition(spec.where) : undefined;
  const labels = spec.where ? [...labelKeys(spec.where, new Set())] : [];
  const needs = [...new Set<Capture>([...(kind.capture ? [kind.capture] : []), ...(spec.needs ?? [])])];

  const fix = (view: unknown): Fix => {
    const f: Fix = { text: fixText(view) };
    if (fixCommands.length) f.commands = fixCommands.map((c) => c(view));
    const filled = fixYaml?.(view);
    if (filled !== undefined) f.yaml = filled;
    else if (fixYaml) f.text += ' The YAML of this fix is not given: values from the bundle do not fit its template as single values; write it by hand.';
    return f;
  };

  return {
    origin: { file, pointer },
    spec,
    meta: {
      id: spec.id,
      title: spec.title,
      severity: spec.severity,
      description: spec.description,
      ...(spec.docs ? { docs: spec.docs } : {}),
      needs,
    },
    check(snapshot, context) {
      const matched: { record: Selected; hits: Provenance[] }[] = [];
      let selected = 0;
      let firstSelected: Selected | undefined;
      for (const record of kind.select(snapshot)) {
        selected++;
        firstSelected ??= record;
        const hits: Provenance[] = [];
        if (!where || evaluate(where, record.view, hits)) matched.push({ record, hits });
      }

      if (spec.count) {
        if (!countPasses(matched.length, spec.count)) return;
        const first = matched[0]?.record.view;
        const view = { count: matched.length, selected, kind: spec.select.kind, ...(first ? { first } : {}) };
        const items: Evidence[] = matched.slice(0, MAX_COUNT_EVIDENCE).map(({ record }) => evidence(record.source));
        if (matched.length > MAX_COUNT_EVIDENCE) {
          items[items.length - 1] = evidence(matched[MAX_COUNT_EVIDENCE - 1]!.record.source, `and ${matched.length - MAX_COUNT_EVIDENCE} more matching ${kind.describe}`);
        }
        if (items.length === 0) {
          // Nothing matched (a `lt`/`equals: 0` rule): point at what was read instead.
          items.push(firstSelected
            ? evidence(firstSelected.source, `none of the ${selected} ${kind.describe} matched`)
            : { file: '(bundle)', note: `the bundle has no ${kind.describe}` });
        }
        context.report({ message: message(view), evidence: items, fix: fix(view) });
        return;
      }

      for (const { record, hits } of matched) {
        const items: Evidence[] = [evidence(record.source)];
        for (const key of labels) {
          const at = record.labelSources?.[key];
          const value = (record.view['labels'] as Record<string, string> | undefined)?.[key];
          if (at) items.push(evidence(at, `label ${key}=${value ?? ''}`));
        }
        items.push(...hits);
        context.report({
          ...(record.subject ? { subject: record.subject } : {}),
          message: message(record.view),
          evidence: dedupe(items),
          fix: fix(record.view),
        });
      }
    },
  };
}

function countPasses(n: number, test: CountTest): boolean {
  return (['equals', 'gt', 'gte', 'lt', 'lte'] as const).every((op) => test[op] === undefined || compareNumber(n, op, test[op]!));
}

function dedupe(items: Evidence[]): Evidence[] {
  const seen = new Set<string>();
  return items.filter((e) => {
    const key = `${e.file}:${e.line ?? ''}:${e.path ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// Reading and validating files

const SCHEMA_DIR = new URL('../../schemas/', import.meta.url);
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

export function isCustomRule(rule: Rule): rule is CustomRule {
  return 'origin' in rule && 'spec' in rule;
}
