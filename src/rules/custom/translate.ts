/**
 * The declarative conditions of the first rule format (`{field, equals}`, `{all: [...]}`, `some`, ...)
 * translated to CEL, so one evaluator runs every rule: rule files in that format keep loading, and
 * `waypoint-analyze rules --to-cel FILE` prints them in CEL for authors to migrate. The translation
 * keeps the old meaning exactly, odd data included: a missing field, a string where a number was
 * expected or a map where a list was expected makes a test false (optional selection `.?`, and the
 * helpers `textOf`, `numberOf`, `listOf` that never fail), and values compare as text (`equals: 403`
 * matches `"403"`).
 */
import yaml from 'js-yaml';
import type { Condition, CustomRuleSpec, LeafCondition, Scalar } from './spec.js';
import { parsePath } from './template.js';

/** Words CEL reserves: a field of that name is selected as `[?"name"]`. */
const RESERVED = new Set(['as', 'break', 'const', 'continue', 'else', 'false', 'for', 'function', 'if', 'import', 'in', 'let', 'loop', 'package', 'return', 'true', 'var', 'void', 'while', 'null']);

const literal = (s: string) => JSON.stringify(s);

/** A path from `root` as an optional value: `object.?status.?phase`, `object.?labels[?"istio.io/use-waypoint"]`. */
function celPath(root: string, field: string): string {
  const segments = parsePath(field);
  if (!segments) throw new Error(`not a field path: ${field}`);
  return root + segments.map((s) => (typeof s === 'number' ? `[?${s}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) && !RESERVED.has(s) ? `.?${s}` : `[?${literal(s)}]`)).join('');
}

function number(n: number): string {
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

/** `equals V` as the old engine meant it: null only equals a present null; anything else compares as text. */
function equalsTest(path: string, value: Scalar): string {
  if (value === null) return `(${path}.hasValue() && ${path}.value() == null)`;
  return `textOf(${path}) == ${literal(String(value))}`;
}

function leaf(c: LeafCondition, root: string, depth: number): string {
  const path = celPath(root, c.field);
  if (c.some !== undefined) {
    const item = depth === 0 ? 'x' : `x${depth + 1}`;
    return `listOf(${path}).exists(${item}, ${bare(condition(c.some, item, depth + 1))})`;
  }
  if (c.equals !== undefined) return equalsTest(path, c.equals);
  if (c.notEquals !== undefined) return c.notEquals === null ? `!${equalsTest(path, null)}` : `textOf(${path}) != ${literal(String(c.notEquals))}`;
  if (c.matches !== undefined) return `(textOf(${path}) != null && textOf(${path}).matches(${literal(c.matches)}))`;
  if (c.exists !== undefined) return `${path}.orValue(null) ${c.exists ? '!=' : '=='} null`;
  if (c.in !== undefined) {
    const texts = c.in.filter((v) => v !== null).map((v) => literal(String(v)));
    const tests = texts.length ? [`textOf(${path}) in [${texts.join(', ')}]`] : [];
    if (c.in.includes(null)) tests.push(equalsTest(path, null));
    return tests.length === 1 ? tests[0]! : `(${tests.join(' || ')})`;
  }
  for (const [op, sym] of [['gt', '>'], ['gte', '>='], ['lt', '<'], ['lte', '<=']] as const) {
    if (c[op] !== undefined) return `numberOf(${path}) ${sym} ${number(c[op])}`;
  }
  // The schema requires a test; a condition without one matches nothing.
  return 'false';
}

function condition(c: Condition, root: string, depth: number): string {
  if ('all' in c) return c.all.length === 1 ? condition(c.all[0]!, root, depth) : `(${c.all.map((x) => condition(x, root, depth)).join(' && ')})`;
  if ('any' in c) return c.any.length === 1 ? condition(c.any[0]!, root, depth) : `(${c.any.map((x) => condition(x, root, depth)).join(' || ')})`;
  if ('not' in c) return `!(${condition(c.not, root, depth)})`;
  return leaf(c, root, depth);
}

/** A declarative condition as one CEL expression on `object`. */
export function conditionToCel(c: Condition): string {
  return bare(condition(c, 'object', 0));
}

/** Without the outermost parentheses of an all/any, which say nothing there. */
function bare(text: string): string {
  return text.startsWith('(') && matchingParen(text) === text.length - 1 ? text.slice(1, -1) : text;
}

function matchingParen(text: string): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return i;
  }
  return -1;
}

/** A rule file's rules with every declarative `where` in CEL: what `rules --to-cel` prints, as YAML. */
export function ruleFileToCel(data: unknown): string {
  const toCel = (rule: CustomRuleSpec): CustomRuleSpec => (rule.where !== undefined && typeof rule.where !== 'string' ? { ...rule, where: conditionToCel(rule.where) } : rule);
  const doc = data as { rules?: CustomRuleSpec[] } & CustomRuleSpec;
  const out = Array.isArray(doc.rules) ? { ...doc, rules: doc.rules.map(toCel) } : toCel(doc);
  return yaml.dump(out, { lineWidth: 110, noRefs: true, quotingType: '"' });
}
