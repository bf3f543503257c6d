/**
 * A rule file's rule compiled into the engine's `Rule`: its `where` compiled and type-checked as CEL
 * (a declarative condition translated first), its templates parsed, the variables it reads known. A
 * record on which the expression fails, or passes its cost limits, is not a match: the rule reports
 * it once, as an inconclusive finding, and never throws.
 */
import type { Environment } from '@marcbachmann/cel-js';
import { InputError } from '../../errors.js';
import type { Capture } from '../../model/captures.js';
import type { Provenance } from '../../parse/types.js';
import { evidence, type Evidence, type Fix, type RuleContext } from '../types.js';
import { celEnvironment, compileCel, CostLimitError, DEFAULT_LIMITS, type CelProgram, type CostLimits } from './cel.js';
import { kindOf, type Selected } from './kinds.js';
import type { CountTest, CustomRule, CustomRuleSpec } from './spec.js';
import { compileTemplate, compileYamlTemplate, templateRoots, type Template } from './template.js';
import { conditionToCel } from './translate.js';
import { variablesFor, VariableScope } from './variables.js';

const MAX_COUNT_EVIDENCE = 10;

const environments = new Map<string, Environment>();

/** One CEL environment per set of variables (every kind but Services and Pods shares one). */
function environmentFor(kind: string): { env: Environment; names: Set<string> } {
  const variables = variablesFor(kind);
  const key = variables.map((v) => v.name).join(',');
  let env = environments.get(key);
  if (!env) environments.set(key, (env = celEnvironment(variables)));
  return { env, names: new Set(variables.map((v) => v.name)) };
}

export function compileRule(spec: CustomRuleSpec, file: string, pointer: string, limits: CostLimits = DEFAULT_LIMITS): CustomRule {
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
  const { env, names } = environmentFor(spec.select.kind);
  const cel = spec.where === undefined ? undefined : typeof spec.where === 'string' ? spec.where : conditionToCel(spec.where);
  let program: CelProgram | undefined;
  if (cel !== undefined) {
    const compiled = compileCel(env, cel);
    if (!('evaluate' in compiled)) {
      const where = typeof spec.where === 'string' ? '' : ' (its translation to CEL)';
      throw new InputError(`${file}: ${pointer}/where${where} (rule ${spec.id}): line ${compiled.line} column ${compiled.column}: ${compiled.message}`);
    }
    program = compiled;
  }
  const templates = [spec.message, spec.fix.text, ...(spec.fix.commands ?? []), ...(spec.fix.yaml !== undefined ? [spec.fix.yaml] : [])];
  // Variables read by the expression, or by a template (`{{waypoint.name}}`; `{{namespace}}` is the record's field).
  const rootsInTemplates = new Set(templates.flatMap(templateRoots));
  const reads = new Set([...(program?.reads ?? []), ...rootsInTemplates].filter((n) => names.has(n) && n !== 'object'));
  // `{{object.name}}` as well as `{{name}}`: templates see the same variables as the expression.
  const templatesReadVariables = reads.size > 0 || rootsInTemplates.has('object');
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
    ...(cel !== undefined ? { cel } : {}),
    meta: {
      id: spec.id,
      title: spec.title,
      severity: spec.severity,
      description: spec.description,
      ...(spec.docs ? { docs: spec.docs } : {}),
      ...(cel !== undefined ? { detection: `Selects ${kind.describe} where: ${cel}` } : {}),
      needs,
    },
    check(snapshot, context) {
      const scope = new VariableScope(snapshot, reads);
      const matched: { record: Selected; view: Record<string, unknown> }[] = [];
      const failures = { count: 0, first: undefined as { record: Selected; message: string } | undefined, costly: false };
      let selected = 0;
      let firstSelected: Selected | undefined;
      for (const record of kind.select(snapshot)) {
        selected++;
        firstSelected ??= record;
        const variables = scope.of(record.view, record.object);
        // Templates read the record's fields, and the variables by name.
        const view = templatesReadVariables ? { ...record.view, ...variables } : record.view;
        if (!program) {
          matched.push({ record, view });
          continue;
        }
        try {
          if (program.evaluate(variables, limits) === true) matched.push({ record, view });
        } catch (err) {
          failures.count++;
          failures.costly ||= err instanceof CostLimitError;
          failures.first ??= { record, message: firstLine(err) };
        }
      }
      if (failures.first) reportFailures(context, failures.first, failures.count, failures.costly, kind.describe);

      if (spec.count) {
        if (!countPasses(matched.length, spec.count)) return;
        const first = matched[0]?.view;
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

      for (const { record, view } of matched) {
        context.report({
          ...(record.subject ? { subject: record.subject } : {}),
          message: message(view),
          evidence: dedupe([evidence(record.source), ...citedLines(record, program)]),
          fix: fix(view),
        });
      }
    },
  };
}

function firstLine(err: unknown): string {
  const e = err as { summary?: string; message?: string };
  return (e.summary ?? e.message ?? String(err)).split('\n')[0]!;
}

/** Records the expression could not decide: one inconclusive finding, naming the first and why. */
function reportFailures(context: RuleContext, first: { record: Selected; message: string }, count: number, costly: boolean, describe: string): void {
  const who = first.record.subject ? `${first.record.subject.kind} ${first.record.subject.namespace ? `${first.record.subject.namespace}/` : ''}${first.record.subject.name}` : 'the first';
  const what = costly ? 'passed its evaluation limits' : 'failed';
  context.report({
    status: 'inconclusive',
    ...(first.record.subject ? { subject: first.record.subject } : {}),
    message: `The rule's expression ${what} on ${count} of the ${describe} (${who}: ${first.message}); those were not checked.`,
    evidence: [evidence(first.record.source, first.message)],
  });
}

/**
 * The lines that show why a record matched: each label the expression reads (`labels["k"]`), and each
 * status condition whose type the expression names (`c.type == 'istio.io/WaypointBound'`).
 */
function citedLines(record: Selected, program: CelProgram | undefined): Evidence[] {
  if (!program) return [];
  const items: Evidence[] = [];
  const labels = record.view['labels'] as Record<string, string> | undefined;
  for (const key of program.labels) {
    const at = record.labelSources?.[key];
    if (at) items.push(evidence(at, `label ${key}=${labels?.[key] ?? ''}`));
  }
  const conditions = record.view['conditions'];
  if (Array.isArray(conditions)) {
    for (const c of conditions as { type?: unknown; status?: unknown; reason?: unknown; source?: Provenance }[]) {
      if (typeof c.type !== 'string' || !program.literals.has(c.type) || !c.source) continue;
      items.push(evidence(c.source, `condition ${c.type}=${String(c.status)}${typeof c.reason === 'string' ? ` (${c.reason})` : ''}`));
    }
  }
  return items;
}

function countPasses(n: number, test: CountTest): boolean {
  return (['equals', 'gt', 'gte', 'lt', 'lte'] as const).every((op) => {
    const limit = test[op];
    if (limit === undefined) return true;
    return op === 'equals' ? n === limit : op === 'gt' ? n > limit : op === 'gte' ? n >= limit : op === 'lt' ? n < limit : n <= limit;
  });
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
