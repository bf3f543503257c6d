/**
 * Which finding of one side is which finding of the other. A finding is its rule and its subject; a pod
 * is known by its workload, not its name, because a rollout renames every pod (`reviews-v2-7d4b9c-x2x9z`
 * becomes `reviews-v2-5f6c8d-q7k2m`) while it stays the same subject for the person reading the diff.
 */
import { subjectText } from '../rules/suppress.js';
import type { Finding, Severity, Subject } from '../rules/types.js';

/** Characters Kubernetes uses for generated name suffixes (k8s.io/apimachinery/pkg/util/rand: no vowels, no 0, 1, 3). */
const SAFE = '[bcdfghjklmnpqrstvwxz2456789]';
/** `<deployment>-<replicaset hash>-<5>` */
const DEPLOYMENT_POD = new RegExp(`^(.+)-${SAFE}{5,10}-${SAFE}{5}$`);
/** `<daemonset or job>-<5>`; StatefulSet pods (`<name>-<ordinal>`) keep their names across rollouts. */
const SUFFIXED_POD = new RegExp(`^(.+)-${SAFE}{5}$`);

/**
 * The workload a pod belongs to, read from its name as its controllers generate it. Only the name is
 * used, so a bundle and a JSON report written from it give the same answer.
 */
export function podWorkload(name: string): string {
  return DEPLOYMENT_POD.exec(name)?.[1] ?? SUFFIXED_POD.exec(name)?.[1] ?? name;
}

/** The subject as the diff knows it: a Pod by its workload (`Pod/default/reviews-v2`), anything else by name. */
export function subjectKey(subject: Subject | undefined): string {
  if (!subject) return '';
  return subjectText(subject.kind === 'Pod' ? { ...subject, name: podWorkload(subject.name) } : subject);
}

/** One finding, as a diff lists it. */
export interface FindingRef {
  ruleId: string;
  severity: Severity;
  title: string;
  /** `Kind/namespace/name` as this side names it (the pod's own name). */
  subject?: string;
  /** What `--ignore` and `what-if --apply` take: `WP004:default/reviews-v2` (a pod by its workload). */
  name: string;
  message: string;
}

/** What `--ignore` and `--apply` accept for a finding: `RULE:namespace/name`, `RULE:name` cluster-scoped, `RULE` alone. */
export function findingName(f: Pick<Finding, 'ruleId' | 'subject'>): string {
  const s = f.subject;
  if (!s) return f.ruleId;
  const name = s.kind === 'Pod' ? podWorkload(s.name) : s.name;
  return `${f.ruleId}:${s.namespace ? `${s.namespace}/` : ''}${name}`;
}

export function findingRef(f: Finding): FindingRef {
  return {
    ruleId: f.ruleId,
    severity: f.severity,
    title: f.title,
    ...(f.subject ? { subject: subjectText(f.subject) } : {}),
    name: findingName(f),
    message: f.message,
  };
}

export interface Matched<T> {
  resolved: T[];
  introduced: T[];
  /** The after side's finding, for each pair. */
  persisting: T[];
}

const keyOf = (f: Finding) => `${f.ruleId}|${subjectKey(f.subject)}`;

/**
 * Pairs failing findings of two sides by rule and subject. When a workload's pods share a key, they are
 * paired one for one: two failing pods before and one after is one resolved, one persisting. Inconclusive
 * findings say what a bundle could not decide and are not compared.
 */
export function matchFindings(before: readonly Finding[], after: readonly Finding[]): Matched<Finding> {
  const failing = (list: readonly Finding[]) => list.filter((f) => f.status === 'fail');
  const remaining = new Map<string, Finding[]>();
  for (const f of failing(before)) {
    const list = remaining.get(keyOf(f));
    if (list) list.push(f);
    else remaining.set(keyOf(f), [f]);
  }
  const result: Matched<Finding> = { resolved: [], introduced: [], persisting: [] };
  for (const f of failing(after)) {
    const earlier = remaining.get(keyOf(f));
    if (earlier?.length) {
      earlier.shift();
      result.persisting.push(f);
    } else {
      result.introduced.push(f);
    }
  }
  for (const list of remaining.values()) result.resolved.push(...list);
  return result;
}

/** Whether a finding fails with an error: what makes `diff` exit 1 when it is new. */
export function isFailingError(f: { severity: Severity; status?: string }): boolean {
  return f.severity === 'error' && (f.status === undefined || f.status === 'fail');
}
