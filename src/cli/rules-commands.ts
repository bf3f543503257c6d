/**
 * `waypoint-analyze rules` (what is checked, and what each check needs) and `waypoint-analyze explain ID`
 * (a rule's documentation), both with custom rules when `--rules` is given; and the rule and
 * suppression set-up of `analyze` (`--rules`, `--ignore`, `--config` / `.waypoint-analyze.yaml`).
 */
import { Command, Option } from 'commander';
import yaml from 'js-yaml';
import { InputError } from '../errors.js';
import { collectCommand, describeCapture, type Capture } from '../model/captures.js';
import { isCustomRule, loadCustomRules, translateRuleFile } from '../rules/custom.js';
import { BUILTIN_RULES } from '../rules/index.js';
import { findConfig, loadConfig, parseSuppression, type Suppression } from '../rules/suppress.js';
import type { Rule, RuleMeta } from '../rules/types.js';
import type { Io } from './io.js';

/** The built-in rules, then the custom ones of `rulesPath` (a file or folder) when given. */
export async function loadRules(rulesPath?: string): Promise<Rule[]> {
  return [...BUILTIN_RULES, ...(rulesPath ? await loadCustomRules(rulesPath) : [])];
}

export interface RuleSetupFlags {
  rules?: string;
  ignore?: string[];
  config?: string;
}

export interface RuleSetup {
  rules: Rule[];
  suppressions: Suppression[];
  /** The config file read, if any. */
  config?: string;
}

/**
 * What `analyze` runs and suppresses: `--config FILE`, else `.waypoint-analyze.yaml` beside the bundle
 * (inside a bundle folder; beside a bundle file); `--rules` replaces the config's `rules:`, and
 * `--ignore` adds to its `ignore:`.
 */
export async function analyzeSetup(bundle: string, flags: RuleSetupFlags): Promise<RuleSetup> {
  const configPath = flags.config ?? (await findConfig(bundle));
  const config = configPath ? await loadConfig(configPath) : undefined;
  const suppressions = [...(config?.ignore ?? []), ...(flags.ignore ?? []).map((s) => parseSuppression(s))];
  const rules = await loadRules(flags.rules ?? config?.rules);
  return { rules, suppressions, ...(configPath ? { config: configPath } : {}) };
}

/** Collects a repeatable option's values. */
export function collectValues(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Adds `rules` and `explain` to the program; `setExit` receives their exit code. */
export function registerRulesCommands(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('rules')
    .description('list the rules: id, severity, title and the captures each needs')
    .option('--rules <path>', 'also list the custom rules of this file or folder')
    .option('--to-cel <file>', 'print this custom rule file with its declarative conditions translated to CEL (YAML), and list nothing')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--debug', 'show stack traces of errors')
    .action(async (flags: { rules?: string; toCel?: string; format: 'text' | 'json' }) => {
      if (flags.toCel !== undefined) {
        io.stdout(await translateRuleFile(flags.toCel));
        setExit(0);
        return;
      }
      const rules = await loadRules(flags.rules);
      io.stdout(flags.format === 'json' ? `${JSON.stringify(rules.map(ruleSummary), null, 2)}\n` : renderRuleTable(rules));
      setExit(0);
    });

  program
    .command('explain <id>')
    .description('print a rule\'s documentation: what it checks, why, how, what it needs, and the fix')
    .option('--rules <path>', 'also look among the custom rules of this file or folder')
    .option('--debug', 'show stack traces of errors')
    .action(async (id: string, flags: { rules?: string }) => {
      const rules = await loadRules(flags.rules);
      io.stdout(explainRule(findRule(rules, id), id));
      setExit(0);
    });
}

// ---------------------------------------------------------------------------------------------
// rules

export interface RuleSummary {
  id: string;
  severity: RuleMeta['severity'];
  title: string;
  needs: Capture[];
  needsAnyOf?: Capture[];
  /** Custom rules: the file that defines it. */
  file?: string;
}

function ruleSummary(rule: Rule): RuleSummary {
  const { id, severity, title, needs, needsAnyOf } = rule.meta;
  return { id, severity, title, needs, ...(needsAnyOf ? { needsAnyOf } : {}), ...(isCustomRule(rule) ? { file: rule.origin.file } : {}) };
}

export function needsText(meta: RuleMeta): string {
  const parts: string[] = [...meta.needs];
  if (meta.needsAnyOf?.length) parts.push(meta.needsAnyOf.length === 1 ? meta.needsAnyOf[0]! : `one of ${meta.needsAnyOf.join('|')}`);
  return parts.join(', ') || '-';
}

function renderRuleTable(rules: readonly Rule[]): string {
  const rows = [['ID', 'SEVERITY', 'TITLE', 'NEEDS'], ...rules.map((r) => [r.meta.id, r.meta.severity, r.meta.title, needsText(r.meta)])];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
  const lines = rows.map((row) => row.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]! + 2) : cell)).join('').trimEnd());
  const custom = rules.filter(isCustomRule);
  if (custom.length) lines.push('', `${custom.length} custom rule${custom.length === 1 ? '' : 's'} from ${[...new Set(custom.map((r) => r.origin.file))].join(', ')}`);
  lines.push('', 'IST: every `istioctl analyze` message is reported under its own code (IST0101, ...).', 'waypoint-analyze explain <id> prints a rule\'s documentation.');
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// explain

function findRule(rules: readonly Rule[], id: string): Rule {
  const wanted = id.toUpperCase();
  const rule = rules.find((r) => r.meta.id.toUpperCase() === wanted) ??
    // IST0171 and friends are findings of the istioctl analyze rule.
    (/^IST\d{4}$/.test(wanted) ? rules.find((r) => r.meta.id === 'IST') : undefined);
  if (!rule) throw new InputError(`unknown rule '${id}' (see waypoint-analyze rules)`);
  return rule;
}

function wrap(text: string, indent = '  ', width = 100): string {
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      if (line && indent.length + line.length + 1 + word.length > width) {
        out.push(indent + line);
        line = word;
      } else {
        line = line ? `${line} ${word}` : word;
      }
    }
    out.push(indent + line);
  }
  return out.join('\n');
}

function captureLine(c: Capture): string {
  return `    - ${describeCapture(c)}: ${collectCommand(c)}`;
}

export function explainRule(rule: Rule, asked = rule.meta.id): string {
  const meta = rule.meta;
  const istCode = meta.id === 'IST' && /^IST\d{4}$/i.test(asked) ? asked.toUpperCase() : undefined;
  const out: string[] = [`${istCode ?? meta.id}: ${meta.title}`, `Severity: ${meta.severity}${istCode ? ' (each message keeps istioctl\'s own level)' : ''}`];
  if (isCustomRule(rule)) out.push(`Custom rule, defined in ${rule.origin.file}${rule.origin.pointer ? ` at ${rule.origin.pointer}` : ''}`);

  out.push('', 'What and why:', wrap(meta.description));

  out.push('', 'How it is detected:');
  if (isCustomRule(rule)) {
    const { spec } = rule;
    out.push(`  Selects ${spec.select.kind} records${spec.where ? ' where:' : ' (all of them)'}`);
    if (typeof spec.where === 'string') out.push(...spec.where.trimEnd().split('\n').map((l) => `    ${l}`));
    else if (spec.where) {
      out.push(...yaml.dump(spec.where, { lineWidth: -1 }).trimEnd().split('\n').map((l) => `    ${l}`));
      if (rule.cel) out.push('  which is, in CEL:', `    ${rule.cel}`);
    }
    if (spec.count) out.push(`  and fires once when their number is ${Object.entries(spec.count).map(([op, n]) => `${op} ${n}`).join(' and ')}.`);
    else out.push('  and reports each of them.');
  } else if (meta.detection) {
    out.push(wrap((meta.detection)!));
  }
  if (meta.needs.length) {
    out.push('  Needs these captures (without them the rule is inconclusive):', ...meta.needs.map(captureLine));
  }
  if (meta.needsAnyOf?.length) out.push('  And at least one of:', ...meta.needsAnyOf.map(captureLine));

  out.push('', 'Fix:');
  if (isCustomRule(rule)) {
    out.push(wrap(rule.spec.fix.text));
    for (const c of rule.spec.fix.commands ?? []) out.push(`    $ ${c}`);
  } else {
    const fix = meta.fix;
    out.push(wrap(fix ?? 'Each finding carries its own fix, naming the objects to change.'));
  }

  const docs = istCode ? `https://istio.io/latest/docs/reference/config/analysis/${istCode.toLowerCase()}/` : meta.docs;
  if (docs) out.push('', `Docs: ${docs}`);
  return `${out.join('\n')}\n`;
}
