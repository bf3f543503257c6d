/**
 * CEL for custom rules (@marcbachmann/cel-js, docs/custom-rules.md#cel): one environment per record
 * kind, with the variables that kind offers (variables.ts) declared for the type checker, and three
 * helper functions that never fail on odd data (`textOf`, `numberOf`, `listOf`). Expressions are parsed
 * and type-checked once, when the rule file loads; evaluation is metered (steps, size of each value,
 * time) so a pathological expression ends as an error the rule reports as inconclusive.
 */
import v8 from 'node:v8';
import { Environment } from '@marcbachmann/cel-js';
import type { VariableSpec } from './variables.js';

// JavaScript's backtracking regex engine can take exponential time on `matches` (CEL's own is RE2,
// linear). This flag only makes V8's linear-time engine available, through the `l` flag, which the
// expressions' regexes get (LinearRegExp below). Not `...-on-excessive-backtracks`: that one changes every
// regex of the process, and the analyzer's own scans of large captures then fell back to the linear
// engine and took 1.5 GB.
v8.setFlagsFromString('--enable-experimental-regexp-engine');

const NativeRegExp = RegExp;
/**
 * The RegExp the CEL library's `matches` builds (`new RegExp(pattern)`) while an expression is evaluated:
 * linear time, and, as in RE2, no backreferences or lookarounds (those become an evaluation error).
 */
class LinearRegExp extends NativeRegExp {
  constructor(pattern: string | RegExp, flags?: string) {
    super(pattern, `${flags ?? ''}l`);
  }
}

/** Limits of one evaluation of one expression on one record. */
export interface CostLimits {
  /** Expression nodes evaluated (each step of a comprehension counts its nodes again). */
  steps: number;
  /** Characters of any string, and items of any list or map, the expression builds or reads. */
  size: number;
  /** Wall-clock milliseconds. */
  millis: number;
}

export const DEFAULT_LIMITS: CostLimits = { steps: 1_000_000, size: 1_000_000, millis: 2_000 };

/** Thrown when an evaluation passes one of its limits; the rule becomes inconclusive. */
export class CostLimitError extends Error {}

interface Meter {
  steps: number;
  limits: CostLimits;
  deadline: number;
}

let meter: Meter | undefined;

function overSize(value: unknown, limit: number): boolean {
  if (typeof value === 'string') return value.length > limit;
  if (Array.isArray(value)) return value.length > limit;
  if (value instanceof Map) return value.size > limit;
  return false;
}

function charge(value: unknown): void {
  const m = meter;
  if (!m) return;
  if (++m.steps > m.limits.steps) throw new CostLimitError(`evaluation passed its cost limit of ${m.limits.steps} steps`);
  if ((m.steps & 1023) === 0 && performance.now() > m.deadline) throw new CostLimitError(`evaluation passed its time limit of ${m.limits.millis} ms`);
  if (overSize(value, m.limits.size)) throw new CostLimitError(`evaluation built a value of more than ${m.limits.size} items or characters`);
}

/**
 * The library evaluates every sub-expression through its evaluator's `run(ast, ctx)`, but offers no
 * cost hook: wrap that method (found from the evaluator a root node is handed) so each node charges
 * the meter. The version is pinned, and test/rules/custom-cel.test.ts proves the meter still counts.
 */
function installMeter(env: Environment): void {
  const probe = env.parse('true');
  const root = probe.ast as unknown as { evaluate: (ev: object, ...rest: unknown[]) => unknown };
  let evaluator: object | undefined;
  const original = root.evaluate;
  root.evaluate = function (this: unknown, ev: object, ...rest: unknown[]) {
    evaluator = ev;
    return original.call(this, ev, ...rest);
  };
  probe({});
  const proto = evaluator && (Object.getPrototypeOf(evaluator) as { run?: (ast: unknown, ctx: unknown) => unknown; metered?: boolean });
  if (!proto || typeof proto.run !== 'function') throw new Error('@marcbachmann/cel-js: no evaluator run() to meter');
  if (proto.metered) return;
  const run = proto.run;
  proto.run = function (this: unknown, ast: unknown, ctx: unknown) {
    const value = run.call(this, ast, ctx);
    if (meter) charge(value);
    return value;
  };
  proto.metered = true;
}

function textOf(value: unknown): string | null {
  const v = unwrapOptional(value);
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'boolean') return String(v);
  return null;
}

function numberOf(value: unknown): number {
  const v = unwrapOptional(value);
  if (typeof v === 'number') return Number.isFinite(v) ? v : Number.NaN;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return Number.NaN;
}

function listOf(value: unknown): unknown[] {
  const v = unwrapOptional(value);
  return Array.isArray(v) ? v : [];
}

/** An `optional` (from `?.` selection) holds its value; an empty one is missing. */
function unwrapOptional(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && value.constructor?.name === 'Optional') {
    const o = value as { hasValue(): boolean; value(): unknown };
    return o.hasValue() ? o.value() : undefined;
  }
  return value;
}

/** The helper functions, documented beside the variables. */
export const CEL_FUNCTIONS: readonly { signature: string; description: string }[] = [
  { signature: 'textOf(dyn): dyn', description: 'A string, number or boolean (or an optional holding one) as text; `null` for anything else or a missing value. `textOf(object.?code) == \'403\'` holds for `403` and `"403"`.' },
  { signature: 'numberOf(dyn): double', description: 'A number, or a string holding one, as a double; NaN otherwise (so every comparison with it is false).' },
  { signature: 'listOf(dyn): list', description: 'A list as it is; an empty list for anything else or a missing value.' },
];

const HANDLERS: Record<string, (value: unknown) => unknown> = { textOf, numberOf, listOf };

/** A CEL environment declaring `variables`; built once per set of variables. */
export function celEnvironment(variables: readonly VariableSpec[]): Environment {
  const env = new Environment({ enableOptionalTypes: true, homogeneousAggregateLiterals: false });
  for (const f of CEL_FUNCTIONS) env.registerFunction(f.signature, HANDLERS[f.signature.slice(0, f.signature.indexOf('('))]!);
  for (const v of variables) env.registerVariable(v.name, v.celType);
  installMeter(env);
  return env;
}

/** A compiled expression: evaluate it on the variables of one record. */
export interface CelProgram {
  source: string;
  /** The variables the expression reads. */
  reads: Set<string>;
  /** The label keys it reads (`labels["k"]`, `labels.k`), for evidence. */
  labels: string[];
  /** The string literals it holds (a status condition's type, say), for evidence. */
  literals: Set<string>;
  evaluate(variables: Record<string, unknown>, limits?: CostLimits): unknown;
}

/** Where a compile error is: 1-based line and column in the expression. */
export interface CelCompileError {
  line: number;
  column: number;
  message: string;
}

/** Compiles and type-checks; the result must be a bool. */
export function compileCel(env: Environment, source: string): CelProgram | CelCompileError {
  let parsed: ReturnType<Environment['parse']>;
  try {
    parsed = env.parse(source);
  } catch (err) {
    return compileError(source, err);
  }
  const checked = parsed.check();
  if (!checked.valid) return compileError(source, checked.error);
  if (checked.type !== 'bool' && checked.type !== 'dyn') return { line: 1, column: 1, message: `the expression must be a bool, not ${checked.type}` };
  const reads = new Set<string>();
  const labels: string[] = [];
  const literals = new Set<string>();
  walk(parsed.ast, (node) => {
    if (node.op === 'id') reads.add(node.args as string);
    if (node.op === 'value' && typeof node.args === 'string') literals.add(node.args);
    const key = labelKey(node);
    if (key !== undefined && !labels.includes(key)) labels.push(key);
  });
  return {
    source,
    reads,
    labels,
    literals,
    evaluate(variables, limits = DEFAULT_LIMITS) {
      const outer = meter;
      meter = { steps: 0, limits, deadline: performance.now() + limits.millis };
      // Evaluation is synchronous: only the library's code sees the linear RegExp.
      globalThis.RegExp = LinearRegExp as RegExpConstructor;
      try {
        return parsed(variables);
      } finally {
        globalThis.RegExp = NativeRegExp;
        meter = outer;
      }
    },
  };
}

interface Node {
  op: string;
  args: unknown;
}

function walk(node: unknown, visit: (node: Node) => void): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const n of node) walk(n, visit);
    return;
  }
  const n = node as Node;
  if (typeof n.op !== 'string') return;
  visit(n);
  walk(n.args, visit);
}

/** `x.labels["k"]`, `x.?labels[?"k"]`, `x.labels.k`: the key `k`. */
function labelKey(node: Node): string | undefined {
  if (node.op !== '[]' && node.op !== '[?]' && node.op !== '.' && node.op !== '.?') return undefined;
  const [target, key] = node.args as [Node, unknown];
  const isLabels = (target.op === '.' || target.op === '.?') && (target.args as [Node, unknown])[1] === 'labels';
  if (!isLabels) return undefined;
  if (node.op === '.' || node.op === '.?') return typeof key === 'string' ? key : undefined;
  const k = key as Node;
  return k.op === 'value' && typeof k.args === 'string' ? k.args : undefined;
}

function compileError(source: string, err: unknown): CelCompileError {
  const e = err as { summary?: string; message?: string; range?: { start: number } };
  const at = Math.min(e.range?.start ?? 0, source.length);
  const before = source.slice(0, at);
  const line = before.split('\n').length;
  const column = at - (before.lastIndexOf('\n') + 1) + 1;
  const message = (e.summary ?? e.message ?? String(err)).split('\n')[0]!;
  // The issue and Kubernetes docs say `namespace`; CEL reserves the word: say what to write instead.
  const hint = /Reserved identifier: namespace$/.test(message) ? ' (CEL reserves the word: the record\'s Namespace is namespaceObject, as in ValidatingAdmissionPolicy)' : '';
  return { line, column, message: message + hint };
}
