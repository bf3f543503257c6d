import { policiesOf, resolveTargetRef, rulesMatchSource, type PolicyView } from '../../model/policies.js';
import { objectKey } from '../../model/snapshot.js';
import { evidence, subjectOf, type Rule } from '../types.js';
import { yamlOf } from '../wording.js';
import { boundServicesByPod, policyReach } from './scope.js';
import type { WaypointBinding } from '../../model/types.js';
import { createObject, withChanges } from '../changes.js';

export const wp026: Rule = {
  meta: {
    id: 'WP026',
    title: 'L7 policy on the waypoint, but nothing makes traffic go through the waypoint',
    severity: 'info',
    description:
      'A policy with targetRefs is enforced by the waypoint only. A client that reaches the pods another way (one outside ambient, ' +
      'a sidecar, an ingress gateway without ingress-use-waypoint, a headless Service, a pod IP) skips it. The istio.io guide ' +
      'recommends a ztunnel-enforced ALLOW policy on the pods that admits only the waypoint ("require waypoint"), so a bypass ' +
      'fails closed. This is hardening, not a fault.',
    detection:
      'Every Service bound to a waypoint with an AuthorizationPolicy attached by targetRefs (to it or its waypoint), whose pods no ' +
      'ztunnel-enforced ALLOW policy restricts to identities that include the waypoint\'s (a wildcard does not count).',
    fix: 'Add an ALLOW policy selecting the Service\'s pods whose only principal is the waypoint\'s (and those of clients that may legitimately bypass it).',
    docs: 'https://istio.io/latest/docs/ambient/usage/waypoint/#require-traffic-through-the-waypoint',
    needs: ['kube:AuthorizationPolicy', 'kube:Pod'],
  },
  check(snapshot, context) {
    const policies = policiesOf(snapshot, 'AuthorizationPolicy');
    const guarded = guardedPods(snapshot, policies);
    const reported = new Set<string>();
    const byPod = boundServicesByPod(snapshot);
    const podsOf = new Map<string, string[]>();
    for (const [pod, services] of byPod) {
      for (const s of services) {
        const key = objectKey(s.service.namespace, s.service.name);
        const list = podsOf.get(key);
        if (list) list.push(pod);
        else podsOf.set(key, [pod]);
      }
    }
    // Bound Services by their waypoint, indexed once: a policy on a waypoint reaches them without a scan.
    const boundTo = new Map<string, WaypointBinding[]>();
    for (const b of snapshot.bindings) {
      if (b.subject.kind !== 'Service' || b.state !== 'bound' || !b.request) continue;
      const key = objectKey(b.request.namespace, b.request.name);
      const list = boundTo.get(key);
      if (list) list.push(b);
      else boundTo.set(key, [b]);
    }
    for (const policy of policies) {
      if (policy.targetRefs.length === 0) continue;
      for (const ref of policy.targetRefs) {
        const r = resolveTargetRef(snapshot, policy, ref);
        if (!r.attaches) continue;
        const reached = r.waypoints.flatMap((w) => boundTo.get(objectKey(w.namespace, w.name)) ?? []);
        for (const s of reached) {
          if (!s.request) continue;
          if (ref.kind === 'Service' && r.target !== s.subject) continue;
          const key = objectKey(s.subject.namespace, s.subject.name);
          const pods = podsOf.get(key) ?? [];
          if (reported.has(key) || pods.length === 0 || pods.every((p) => guarded.has(p))) continue;
          reported.add(key);
          const principal = byPod.get(pods[0]!)?.find((b) => b.service === s.subject)?.principal ?? '';
          context.report({
            subject: subjectOf(s.subject),
            message: `Service ${key} is protected by ${policy.object.kind} ${policy.object.namespace}/${policy.object.name} at waypoint ${s.request.name}, but no ztunnel policy on its pods admits only the waypoint: a client that bypasses the waypoint is not checked.`,
            evidence: [evidence(ref.source, `${policy.object.name} targets ${ref.kind} ${ref.name}`), evidence(s.request.label, `bound to waypoint ${s.request.name}`)],
            fix: withChanges({
              text: `Require the waypoint: an ALLOW policy on the pods of ${s.subject.name} admitting ${principal} (add any client that may call the pods directly).`,
              yaml: yamlOf(requireWaypoint(s.subject.namespace ?? '', s.subject.name, s.subject.spec['selector'], principal)),
            }, createObject(requireWaypoint(s.subject.namespace ?? '', s.subject.name, s.subject.spec['selector'], principal))),
          });
        }
      }
    }
  },
};

/** Pods an ALLOW policy without targetRefs restricts to named identities that include their waypoint's. */
function guardedPods(snapshot: Parameters<Rule['check']>[0], policies: readonly PolicyView[]): Set<string> {
  const guarded = new Set<string>();
  for (const p of policies) {
    if (p.targetRefs.length > 0 || p.action.toUpperCase() !== 'ALLOW' || p.rules.length === 0 || JSON.stringify(p.rules).includes('"*"')) continue;
    for (const { pod, services } of policyReach(snapshot, p).served) {
      if (services.every((s) => rulesMatchSource(p.rules, s.principal, /\/ns\/([^/]+)\//.exec(s.principal)?.[1] ?? '')) && !rulesMatchSource(p.rules, 'cluster.local/ns/__any__/sa/__any__', '__any__')) {
        guarded.add(objectKey(pod.namespace, pod.name));
      }
    }
  }
  return guarded;
}

function requireWaypoint(namespace: string, service: string, selector: unknown, principal: string): Record<string, unknown> {
  return {
    apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy',
    metadata: { name: `${service}-require-waypoint`, namespace },
    spec: { selector: { matchLabels: selector ?? { app: service } }, action: 'ALLOW', rules: [{ from: [{ source: { principals: [principal] } }] }] },
  };
}
