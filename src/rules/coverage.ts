/**
 * What the bundle could not show, said once per capture: the checks that did not run for lack of a
 * capture are grouped by what would let them run, with the command that collects it. All missing
 * Kubernetes objects are one capture (one `kubectl get` lists them all).
 */
import { collectCommand, kubeResourceName, type Capture } from '../model/captures.js';
import type { RuleResult } from './engine.js';

export interface CaptureToCollect {
  /** `kubernetes-objects` or the capture's own name (`proxy-status`, `envoy-config`, ...). */
  id: string;
  /** In words: `Kubernetes objects: Gateway, Namespace, Pod`. */
  what: string;
  commands: string[];
  /** The captures it stands for (several Kubernetes kinds are one `kubectl get`). */
  captures: Capture[];
  /** The checks it would let run, by id. */
  rules: string[];
  /** Checks for which it is one way among others (`Namespace, Service or Pod objects`). */
  alternativeFor: string[];
  /** When the bundle shows this capture was tried and how it failed (the collector's manifest, a pasted error). */
  attempts: string[];
}

const KUBE = 'kubernetes-objects';

function groupOf(capture: Capture): string {
  return capture.startsWith('kube:') ? KUBE : capture;
}

/** Groups the not-checked rules' missing captures; the most useful capture (deciding most checks) first. */
export function capturesToCollect(results: readonly RuleResult[]): CaptureToCollect[] {
  const groups = new Map<string, { captures: Set<Capture>; rules: Set<string>; alternativeFor: Set<string> }>();
  for (const result of results) {
    for (const alternatives of result.missing ?? []) {
      for (const capture of alternatives) {
        const id = groupOf(capture);
        let g = groups.get(id);
        if (!g) groups.set(id, (g = { captures: new Set(), rules: new Set(), alternativeFor: new Set() }));
        g.captures.add(capture);
        (alternatives.length > 1 ? g.alternativeFor : g.rules).add(result.id);
      }
    }
  }
  const list = [...groups].map(([id, g]): CaptureToCollect => {
    const captures = [...g.captures].sort();
    const rules = [...g.rules].sort();
    const alternativeFor = [...g.alternativeFor].filter((r) => !g.rules.has(r)).sort();
    if (id === KUBE) {
      const kinds = captures.map((c) => c.slice('kube:'.length));
      return {
        id,
        captures,
        what: `Kubernetes objects: ${kinds.join(', ')}`,
        commands: [`kubectl get ${kinds.map(kubeResourceName).join(',')} -A -o yaml`],
        rules,
        alternativeFor,
        attempts: [],
      };
    }
    return { id, captures, what: whatCapture(captures[0]!), commands: [collectCommand(captures[0]!)], rules, alternativeFor, attempts: [] };
  });
  return list.sort((a, b) => b.rules.length + b.alternativeFor.length - (a.rules.length + a.alternativeFor.length) || a.id.localeCompare(b.id));
}

function whatCapture(capture: Capture): string {
  switch (capture) {
    case 'ztunnel-workloads': return "ztunnel's workload table";
    case 'ztunnel-services': return "ztunnel's service table";
    case 'ztunnel-policies': return "ztunnel's policy table";
    case 'ztunnel-certificates': return "ztunnel's certificates";
    case 'proxy-status': return 'proxy-status (sync state of every proxy)';
    case 'analyze': return "istioctl analyze's messages";
    case 'envoy-config': return "the waypoints' Envoy configuration";
    case 'versions': return 'the Istio versions of every component';
    case 'logs': return 'waypoint and ztunnel logs';
    default: return capture;
  }
}
