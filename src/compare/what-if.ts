/**
 * `what-if`: apply a fix's changes to the snapshot, derive again with the same builder, run the same
 * rules, and compare. Observations cannot change without a cluster, so a finding whose rule rests on
 * them (its declared inputs include ztunnel's tables, proxy-status, an Envoy dump, logs or istioctl
 * analyze) is not called resolved or introduced when it is about something the change touches: it is
 * listed under `needsCapture`, with the commands that would confirm it.
 */
import { bindingRows } from '../inventory.js';
import { collectCommand, type Capture } from '../model/captures.js';
import { buildSnapshot } from '../model/build.js';
import { bindingKey, objectKey, objectsIn, objectsOf, type ClusterSnapshot } from '../model/snapshot.js';
import type { ParsedFile } from '../parse/index.js';
import { runRules } from '../rules/engine.js';
import type { Change, Finding, Rule, RuleMeta } from '../rules/types.js';
import { applyChanges, createdTarget, describeChange } from './apply.js';
import { reconcileCreated, reconcileEnrollment } from './controllers.js';
import { compareBindings, type BindingChange } from './state-changes.js';
import { findingRef, matchFindings, subjectKey, type FindingRef } from './match.js';

/** Captures that show the running cluster rather than its configuration: only a new capture changes them. */
const OBSERVED: ReadonlySet<Capture> = new Set<Capture>(['ztunnel-workloads', 'ztunnel-services', 'ztunnel-policies', 'ztunnel-certificates', 'proxy-status', 'envoy-config', 'logs', 'analyze']);

/**
 * The commands whose new output would confirm a rule's verdict after a change, when the rule rests on
 * observations: the observed captures it cannot decide without, or (rules that read runtime state
 * written into objects) a fresh `kubectl get` of the objects. Empty: it decides from configuration alone.
 */
export function confirmingCaptures(meta: RuleMeta, subject?: Finding['subject']): string[] {
  const needed = meta.needs.filter((c) => OBSERVED.has(c));
  const anyOf = meta.needsAnyOf ?? [];
  if (anyOf.length && anyOf.every((c) => OBSERVED.has(c))) needed.push(...anyOf);
  const commands = needed.map(collectCommand);
  if (meta.readsRuntimeState) {
    const kinds = [...new Set([...(subject ? [subject.kind] : []), ...meta.needs.filter((c) => c.startsWith('kube:')).map((c) => c.slice(5))])];
    commands.push(...kinds.map((k) => collectCommand(`kube:${k}`)));
  }
  return [...new Set(commands)];
}

export interface NeedsCapture extends FindingRef {
  /** What the simulation alone would have said. */
  simulated: 'resolved' | 'introduced' | 'persisting';
  /** Commands whose new output would confirm it. */
  collect: string[];
}

export interface WhatIfResult {
  changes: Change[];
  /** One line per change: `set-label Gateway default/waypoint istio.io/waypoint-for=all`. */
  applied: string[];
  resolved: FindingRef[];
  introduced: FindingRef[];
  persisting: FindingRef[];
  needsCapture: NeedsCapture[];
  /** What the simulation took for granted (a created waypoint becomes ready, as istiod would make it). */
  assumptions: string[];
  /** Services and pods whose expected waypoint (or binding state) the change alters. */
  bindings: BindingChange[];
}

export interface Baseline {
  snapshot: ClusterSnapshot;
  findings: readonly Finding[];
}

export function baselineOf(files: readonly ParsedFile[], rules: readonly Rule[]): Baseline {
  const snapshot = buildSnapshot(files);
  return { snapshot, findings: runRules(rules, snapshot).findings };
}

/** Applies the changes to the files and re-runs the rules; throws InputError when a change does not apply. */
export function whatIf(files: readonly ParsedFile[], rules: readonly Rule[], changes: readonly Change[], before: Baseline = baselineOf(files, rules)): WhatIfResult {
  const enrolled = reconcileEnrollment(applyChanges(files, changes), changes);
  const applied = enrolled.files;
  const assumptions = [...reconcileCreated(applied, changes), ...enrolled.assumptions];
  const snapshot = buildSnapshot(applied);
  const after = runRules(rules, snapshot).findings;
  const bindings = compareBindings(bindingRows(before.snapshot), bindingRows(snapshot));
  const touched = touchedSubjects(before.snapshot, snapshot, changes);
  const metas = new Map(rules.map((r) => [r.meta.id, r.meta]));
  // istioctl analyze's findings carry their IST code as rule id: they are istiod's view at capture time.
  const metaOf = (ruleId: string) => metas.get(ruleId) ?? (ruleId.startsWith('IST') ? metas.get('IST') : undefined);
  const result: WhatIfResult = { changes: [...changes], applied: changes.map(describeChange), resolved: [], introduced: [], persisting: [], needsCapture: [], assumptions, bindings };
  const matched = matchFindings(before.findings, after);
  for (const [list, kind] of [[matched.resolved, 'resolved'], [matched.introduced, 'introduced'], [matched.persisting, 'persisting']] as const) {
    for (const f of list) {
      const meta = metaOf(f.ruleId);
      const collect = meta ? confirmingCaptures(meta, f.subject) : [];
      // What the new configuration alone resolves is resolved; what the old observations still (or now) support waits
      // for a capture. A finding without a subject cannot be shown untouched.
      if (kind !== 'resolved' && collect.length && (!f.subject || touched.has(subjectKey(f.subject)))) {
        result.needsCapture.push({ ...findingRef(f), simulated: kind, collect });
      } else {
        result[kind].push(findingRef(f));
      }
    }
  }
  return result;
}

/**
 * What a change touches: the objects it changes or creates, every Service and Pod whose binding it
 * alters, the waypoints on either side of those bindings, and their pods. Keys as match.ts `subjectKey`.
 */
function touchedSubjects(before: ClusterSnapshot, after: ClusterSnapshot, changes: readonly Change[]): Set<string> {
  const touched = new Set<string>();
  const add = (kind: string, namespace: string | undefined, name: string) => touched.add(subjectKey({ kind, name, ...(namespace ? { namespace } : {}) }));
  const gateways = new Set<string>();
  for (const c of changes) {
    const t = c.op === 'create' ? createdTarget(c.object) : c.target;
    add(t.kind, t.namespace, t.name);
    if (t.kind === 'Gateway') gateways.add(objectKey(t.namespace, t.name));
    // A namespace's labels reach everything in it (ambient enrollment, injection, waypoints).
    if (t.kind === 'Namespace') for (const kind of ['Pod', 'Service']) for (const o of objectsIn(after, kind, t.name)) add(kind, o.namespace, o.name);
  }
  for (const b of after.bindings) {
    const was = before.bindingOf.get(bindingKey(b.subject));
    if (was && was.state === b.state && was.expected === b.expected && was.gateway?.name === b.gateway?.name) continue;
    add(b.subject.kind, b.subject.namespace, b.subject.name);
    for (const g of [was?.gateway, b.gateway]) if (g) gateways.add(objectKey(g.namespace, g.name));
  }
  for (const key of gateways) {
    const [namespace, name] = key.split('/') as [string, string];
    add('Gateway', namespace, name);
    for (const pod of objectsOf(after, 'Pod')) {
      if (pod.namespace === namespace && pod.labels['gateway.networking.k8s.io/gateway-name'] === name) add('Pod', namespace, pod.name);
    }
  }
  return touched;
}
