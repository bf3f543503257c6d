import { policiesOf, rulesMatchSource, ztunnelRules, type PolicyView } from '../../model/policies.js';
import { objectKey } from '../../model/snapshot.js';
import type { KubeObject } from '../../parse/types.js';
import { evidence, subjectOf, type Evidence, type Rule } from '../types.js';
import { listNames, yamlOf } from '../wording.js';
import { policyReach, policyRejections, scopeEvidence, type BoundService } from './scope.js';
import { fixOf, nameOf, nsOf, sh } from '../shell.js';
import { mergePatch, withChanges } from '../changes.js';

interface Blocked {
  pod: KubeObject;
  service: BoundService;
  /** The policies that refuse the waypoint's identity: the ALLOWs none of which admits it, or a DENY that names it. */
  by: PolicyView[];
  how: 'not-allowed' | 'denied';
}

export const wp023: Rule = {
  meta: {
    id: 'WP023',
    title: "An L4 policy at the destination refuses the waypoint's identity",
    severity: 'error',
    description:
      'When a Service is bound to a waypoint, its pods receive connections from the waypoint, and ztunnel at the destination ' +
      'checks its policies against the waypoint\'s identity (`<trust domain>/ns/<waypoint ns>/sa/<waypoint>`), not the client\'s. ' +
      'An ALLOW policy without targetRefs that lists only client identities, or an empty one (allow-nothing), then refuses every ' +
      'request the waypoint forwards; so does a DENY that names the waypoint. Requests fail with 503 (UF, connection refused) ' +
      'at the waypoint.',
    detection:
      'For every ambient pod behind a Service bound to a waypoint: the AuthorizationPolicies without targetRefs that select it; it ' +
      'is refused when ALLOW policies exist and none admits the waypoint\'s principal (principals, namespaces, their `not` forms, ' +
      'wildcards), or a DENY policy matches it. ztunnel log lines of policy rejections at those pods corroborate.',
    fix: 'Admit the waypoint\'s principal in the L4 policy, and check client identities in a targetRefs policy on the waypoint instead.',
    docs: 'https://istio.io/latest/docs/ambient/usage/authorization-policy/',
    needs: ['kube:AuthorizationPolicy', 'kube:Pod'],
  },
  check(snapshot, context) {
    const ztunnelPolicies = policiesOf(snapshot, 'AuthorizationPolicy').filter((p) => p.targetRefs.length === 0 && !p.dryRun);
    // Per pod: the ALLOW and DENY policies that select it (ztunnel's verdict needs all of them).
    const byPod = new Map<string, { pod: KubeObject; services: BoundService[]; allow: PolicyView[]; deny: PolicyView[] }>();
    for (const policy of ztunnelPolicies) {
      const action = policy.action.toUpperCase();
      if (action !== 'ALLOW' && action !== 'DENY') continue;
      for (const { pod, services } of policyReach(snapshot, policy).served) {
        const key = objectKey(pod.namespace, pod.name);
        let entry = byPod.get(key);
        if (!entry) byPod.set(key, (entry = { pod, services, allow: [], deny: [] }));
        (action === 'ALLOW' ? entry.allow : entry.deny).push(policy);
      }
    }
    const blocked = new Map<string, Blocked[]>();
    for (const { pod, services, allow, deny } of byPod.values()) {
      // An ALLOW whose every rule ztunnel drops allows nothing to anyone: WP022 reports that, not the waypoint's case.
      if (allow.some((p) => p.rules.length > 0 && ztunnelRules(p).length === 0)) continue;
      for (const service of services) {
        const [, wpNamespace = ''] = /\/ns\/([^/]+)\//.exec(service.principal) ?? [];
        const denies = deny.filter((p) => rulesMatchSource(ztunnelRules(p), service.principal, wpNamespace));
        const notAllowed = allow.length > 0 && !allow.some((p) => rulesMatchSource(ztunnelRules(p), service.principal, wpNamespace));
        if (!denies.length && !notAllowed) continue;
        const item: Blocked = { pod, service, by: denies.length ? denies : allow, how: denies.length ? 'denied' : 'not-allowed' };
        const key = `${item.how}|${item.by.map((p) => objectKey(p.object.namespace, p.object.name)).join(',')}|${service.principal}`;
        blocked.set(key, [...(blocked.get(key) ?? []), item]);
      }
    }
    for (const group of blocked.values()) {
      const { by, how, service } = group[0]!;
      const pods = [...new Map(group.map((g) => [g.pod.name, g.pod])).values()];
      const svcNames = [...new Set(group.map((g) => `${g.service.service.namespace}/${g.service.service.name}`))];
      const policy = by[0]!;
      const items: Evidence[] = by.map((p) => scopeEvidence(snapshot, p));
      items.push(evidence(service.binding.request!.label, `Service ${service.service.namespace}/${service.service.name} is bound to waypoint ${service.binding.request!.name}: its pods receive connections from ${service.principal}`));
      for (const e of policyRejections(snapshot, pods)) items.push(evidence(e.source, `ztunnel refused a connection from ${e.fields['src.identity'] ?? e.fields['src.workload'] ?? 'the waypoint'}: ${e.error}`));
      const what = how === 'denied'
        ? `DENY policy ${listNames(by.map((p) => p.object))} matches the waypoint's identity ${service.principal}`
        : `${by.length > 1 ? `ALLOW policies ${listNames(by.map((p) => p.object))} select` : `ALLOW policy ${policy.object.namespace}/${policy.object.name} selects`} these pods and ${by.length > 1 ? 'none admits' : 'does not admit'} the waypoint's identity ${service.principal}`;
      const edit = sh`kubectl edit authorizationpolicy ${nameOf(policy.object)} -n ${nsOf(policy.object)}`;
      context.report({
        subject: subjectOf(policy.object),
        message: `Service${svcNames.length > 1 ? 's' : ''} ${svcNames.join(', ')} ${svcNames.length > 1 ? 'go' : 'goes'} through waypoint ${service.binding.request!.namespace}/${service.binding.request!.name}, but ztunnel at ${listNames(pods)} refuses the waypoint: ${what}. Every request through the waypoint fails.`,
        evidence: items,
        fix: how === 'denied'
          ? fixOf(`Exclude the waypoint's identity ${service.principal} from the DENY policy, or enforce it on the waypoint with targetRefs.`, [edit])
          : withChanges(fixOf(`Admit the waypoint's identity in the L4 policy and check the clients in a targetRefs policy on the waypoint (where their real identity is seen).`, [edit], yamlOf(admitWaypoint(policy, service.principal))),
            mergePatch(policy.object, { spec: { rules: admitWaypoint(policy, service.principal).spec.rules } })),
      });
    }
  },
};

/** The ALLOW policy with a rule admitting the waypoint's principal added. */
function admitWaypoint(policy: PolicyView, principal: string): Record<string, unknown> & { spec: { rules: unknown[] } } {
  const rules = [...policy.rules, { from: [{ source: { principals: [principal] } }] }];
  return { apiVersion: policy.object.apiVersion || 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: policy.object.name, namespace: policy.object.namespace }, spec: { ...policy.object.spec, rules } };
}
