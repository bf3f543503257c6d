/**
 * Suppressions: `--ignore WP004`, `--ignore WP004:default/reviews-v2`, `--ignore WP004:Pod/default/reviews-v2`,
 * or the same under `ignore:` in a `.waypoint-analyze.yaml` (schemas/config.schema.json). A suppressed
 * finding leaves the findings and the counts, but is listed in the report with what suppressed it:
 * nothing is hidden silently.
 */
import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { describeSchemaErrors, readDocument, schemaValidator } from './custom.js';
import type { Finding, FindingStatus, Severity } from './types.js';

export const CONFIG_FILE_NAME = '.waypoint-analyze.yaml';

export interface Suppression {
  /** As written, e.g. `WP004:default/reviews-v2`. */
  text: string;
  /** Where it was given: `--ignore`, or the config file's path. */
  origin: string;
  ruleId: RegExp;
  /** Absent: every finding of the rule. */
  subject?: { kind?: RegExp; namespace?: RegExp; name: RegExp; clusterScoped: boolean };
}

export interface SuppressedFinding {
  ruleId: string;
  severity: Severity;
  status: FindingStatus;
  /** `Kind/namespace/name` (`Kind/name` when cluster-scoped), as `--ignore` accepts it. */
  subject?: string;
  message: string;
  /** What suppressed it: `--ignore WP004`, or `<config file>: ignore WP004:default/x`. */
  reason: string;
}

export interface WaypointConfig {
  file: string;
  ignore: Suppression[];
  /** `rules:` resolved against the config file's folder. */
  rules?: string;
}

const SYNTAX = 'RULE, RULE:namespace/name or RULE:Kind/namespace/name';
const RULE_PART = /^[A-Za-z*][A-Za-z0-9_.*-]*$/;
const SUBJECT_PART = /^[^/:\s]+$/;

/** A glob of one part: `*` matches any run of characters; the rest is literal. */
function glob(part: string, flags = ''): RegExp {
  return new RegExp(`^${part.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, flags);
}

/**
 * Parses `RULE`, `RULE:namespace/name`, `RULE:Kind/namespace/name`, or for cluster-scoped subjects
 * `RULE:name` and `RULE:Kind/name` (two parts are `Kind/name` when the first starts upper-case, as kinds
 * do and namespaces cannot). Rule ids and kinds are matched case-insensitively.
 */
export function parseSuppression(text: string, origin = '--ignore'): Suppression {
  const bad = () => new InputError(`${origin === '--ignore' ? '--ignore' : `${origin}: ignore`} '${text}' is not ${SYNTAX}`);
  const colon = text.indexOf(':');
  const rule = colon === -1 ? text : text.slice(0, colon);
  if (!RULE_PART.test(rule)) throw bad();
  const suppression: Suppression = { text, origin, ruleId: glob(rule, 'i') };
  if (colon === -1) return suppression;
  const parts = text.slice(colon + 1).split('/');
  if (parts.length > 3 || !parts.every((p) => SUBJECT_PART.test(p))) throw bad();
  let kind: string | undefined;
  let namespace: string | undefined;
  let name: string;
  if (parts.length === 3) [kind, namespace, name] = parts as [string, string, string];
  else if (parts.length === 2 && /^[A-Z]/.test(parts[0]!)) [kind, name] = parts as [string, string];
  else if (parts.length === 2) [namespace, name] = parts as [string, string];
  else name = parts[0]!;
  suppression.subject = {
    ...(kind ? { kind: glob(kind, 'i') } : {}),
    ...(namespace ? { namespace: glob(namespace) } : {}),
    name: glob(name),
    clusterScoped: namespace === undefined,
  };
  return suppression;
}

export function subjectText(subject: NonNullable<Finding['subject']>): string {
  return `${subject.kind}/${subject.namespace ? `${subject.namespace}/` : ''}${subject.name}`;
}

function matches(s: Suppression, f: Finding): boolean {
  if (!s.ruleId.test(f.ruleId)) return false;
  if (!s.subject) return true;
  const subject = f.subject;
  if (!subject) return false;
  if (s.subject.kind && !s.subject.kind.test(subject.kind)) return false;
  if (s.subject.clusterScoped ? subject.namespace !== undefined && subject.namespace !== '' : !s.subject.namespace!.test(subject.namespace ?? '')) return false;
  return s.subject.name.test(subject.name);
}

function reason(s: Suppression): string {
  return s.origin === '--ignore' ? `--ignore ${s.text}` : `${s.origin}: ignore ${s.text}`;
}

/** Splits findings into those kept and those a suppression matches (the first that matches is named). */
export function applySuppressions(findings: readonly Finding[], suppressions: readonly Suppression[]): { kept: Finding[]; suppressed: SuppressedFinding[] } {
  const kept: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  for (const f of findings) {
    const by = suppressions.find((s) => matches(s, f));
    if (!by) {
      kept.push(f);
      continue;
    }
    suppressed.push({
      ruleId: f.ruleId,
      severity: f.severity,
      status: f.status,
      ...(f.subject ? { subject: subjectText(f.subject) } : {}),
      message: f.message,
      reason: reason(by),
    });
  }
  return { kept, suppressed };
}

/** Whether a suppression silences a whole rule (no subject): a rule the user ignores is not asked for either. */
export function isRuleIgnored(ruleId: string, suppressions: readonly Suppression[]): boolean {
  return suppressions.some((s) => !s.subject && s.ruleId.test(ruleId));
}

/** Reads and validates a `.waypoint-analyze.yaml` (schemas/config.schema.json). An empty file is an empty config. */
export async function loadConfig(path: string): Promise<WaypointConfig> {
  const data = (await readDocument(path)) ?? {};
  const validate = await schemaValidator('config.schema.json');
  if (!validate(data)) throw new InputError(`${path}: ${describeSchemaErrors(validate.errors ?? [], data)}`);
  const raw = data as { ignore?: string[]; rules?: string };
  const config: WaypointConfig = { file: path, ignore: (raw.ignore ?? []).map((text) => parseSuppression(text, path)) };
  if (raw.rules !== undefined) config.rules = resolve(dirname(path), raw.rules);
  return config;
}

/** Where the default config sits for a bundle: inside a bundle folder, else beside the bundle file. Undefined when absent. */
export async function findConfig(bundlePath: string): Promise<string | undefined> {
  const st = await stat(bundlePath).catch(() => undefined);
  const candidate = join(st?.isDirectory() ? bundlePath : dirname(bundlePath), CONFIG_FILE_NAME);
  const found = await stat(candidate).catch(() => undefined);
  return found?.isFile() ? candidate : undefined;
}
