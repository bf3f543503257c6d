/**
 * The rule contract, after ESLint's: a rule is `meta` (what it is, what it needs) plus `check`, which
 * reads the snapshot and reports findings through the context. Messages and fixes live with the rule.
 */
import type { Capture } from '../model/captures.js';
import type { ClusterSnapshot } from '../model/snapshot.js';
import type { KubeObject, Provenance } from '../parse/types.js';

export type Severity = 'error' | 'warning' | 'info';
export type FindingStatus = 'fail' | 'inconclusive';

export interface Subject {
  kind: string;
  namespace?: string;
  name: string;
}

/** A line (or JSON path) that proves part of a finding, with what it shows. */
export interface Evidence extends Provenance {
  note?: string;
  /** Lines around `line` in the captured file (set by the pipeline for the report): the first one's number, and the lines. */
  context?: { first: number; lines: string[] };
}

/** The object a change names; `apiVersion` only where the kind alone is ambiguous. */
export interface ChangeTarget {
  apiVersion?: string;
  kind: string;
  namespace?: string;
  name: string;
}

/**
 * A fix as data (docs/changes.md): what `kubectl label/annotate/patch/apply` would do to one object, so
 * `what-if` can apply it to the snapshot and prove it. Label and annotation values are strings, as in Kubernetes.
 */
export type Change =
  | { op: 'set-label' | 'set-annotation'; target: ChangeTarget; key: string; value: string }
  | { op: 'remove-label' | 'remove-annotation'; target: ChangeTarget; key: string }
  /** An RFC 7386 JSON merge patch of the object (`metadata.labels`, `spec`...); `null` removes a key. */
  | { op: 'merge-patch'; target: ChangeTarget; patch: Record<string, unknown> }
  /** A new object, as `kubectl apply` would create it (apiVersion, kind, metadata, spec). */
  | { op: 'create'; object: Record<string, unknown> };

/** What applying a fix's changes to the snapshot showed (`what-if`), set by the CLI for the report. */
export interface FixOutcome {
  /** `resolves WP004 on default/reviews-v2; introduces nothing`. */
  summary: string;
  resolved: string[];
  introduced: string[];
  /** Findings that rest on observations of what the change touches: only a new capture can confirm them. */
  needsCapture: string[];
  /** The change could not be simulated (time budget, or a target missing from the bundle). */
  skipped?: string;
}

export interface Fix {
  text: string;
  commands?: string[];
  yaml?: string;
  /** The fix as structured changes, applied together; absent when the fix changes no resource (diagnostics, restarts). */
  changes?: Change[];
  outcome?: FixOutcome;
}

export interface Finding {
  /** Set by the pipeline: the finding's deep-link id in the report (`WP004-default-reviews-v2`). */
  id?: string;
  ruleId: string;
  severity: Severity;
  status: FindingStatus;
  title: string;
  message: string;
  subject?: Subject;
  evidence: Evidence[];
  fix?: Fix;
  docs?: string;
  /** For inconclusive findings: the commands whose output would decide the question. */
  collect?: string[];
  /**
   * Evidence against the finding: another source that disagrees (a log showing traffic served while the
   * pods look down, istiod's condition saying otherwise). The report shows it beside the evidence for,
   * and marks the finding contradicted.
   */
  against?: Evidence[];
  /**
   * Set by the engine when the rule could not run for lack of captures: each entry is a set of
   * alternatives, one of which would do. The engine reports these grouped by capture, not as findings.
   */
  missing?: Capture[][];
  /** Set by `analyze --baseline`: whether the baseline had this finding (same rule and subject, a pod by its workload). */
  baseline?: 'new' | 'known';
}

export interface RuleMeta {
  /** `WP0xx`, as in docs/failure-modes.md. */
  id: string;
  title: string;
  severity: Severity;
  /** What goes wrong and why it matters; `waypoint-analyze explain` prints it. */
  description: string;
  /** How the rule decides, from which records; for `explain`. */
  detection?: string;
  /** The general fix (each finding's own fix names the objects); for `explain`. */
  fix?: string;
  docs?: string;
  /** Captures without which the rule cannot decide anything: if one is absent, the rule is inconclusive. */
  needs: Capture[];
  /** Captures of which at least one must be present (e.g. Services or Pods to check). */
  needsAnyOf?: Capture[];
  /**
   * The rule decides from what controllers and the node agents wrote into objects (status conditions and
   * addresses, pod readiness, istio-cni's redirection or the injector's sidecar annotation), not only from
   * what the user configured. After a simulated change (`what-if`) only a new capture shows that state.
   */
  readsRuntimeState?: boolean;
}

/** What a rule reports; rule id, title, severity and docs default to the rule's meta. */
export type ReportedFinding = Omit<Finding, 'ruleId' | 'title' | 'severity' | 'status'> &
  Partial<Pick<Finding, 'ruleId' | 'title' | 'severity' | 'status'>>;

export interface RuleContext {
  report(finding: ReportedFinding): void;
}

export interface Rule {
  meta: RuleMeta;
  check(snapshot: ClusterSnapshot, context: RuleContext): void;
}

export function subjectOf(object: KubeObject): Subject {
  const subject: Subject = { kind: object.kind, name: object.name };
  if (object.namespace) subject.namespace = object.namespace;
  return subject;
}

export function evidence(source: Provenance, note?: string): Evidence {
  return note ? { ...source, note } : { ...source };
}
