import { policiesOf, resolveTargetRef } from '../../model/policies.js';
import { evidence, subjectOf, type Evidence, type Rule } from '../types.js';
import { listNames, specEvidence } from '../wording.js';
import { policyReach, scopeEvidence, uniqueServices } from './scope.js';
import { fixOf, kindOf, nameOf, nsOf, sh } from '../shell.js';
import { mergePatch, withChanges } from '../changes.js';

const KINDS = ['RequestAuthentication', 'Telemetry', 'WasmPlugin', 'EnvoyFilter'] as const;

export const wp027: Rule = {
  meta: {
    id: 'WP027',
    title: 'RequestAuthentication, Telemetry, WasmPlugin or EnvoyFilter selected by labels: the waypoint ignores it',
    severity: 'warning',
    description:
      'Like AuthorizationPolicies, these resources reach a waypoint only through targetRefs (policyattachment.go; EnvoyFilter has ' +
      'no targetRefs for waypoints at all). One that selects pods by labels does nothing for traffic through a waypoint: JWTs are ' +
      'not validated (a targetRefs policy requiring request principals then answers 403 `rbac_access_denied_matched_policy[none]`), ' +
      'telemetry settings and Wasm plugins are not applied. istioctl analyze reports IST0166 when the selector matches a waypoint\'s pods.',
    detection:
      'Every RequestAuthentication, Telemetry, WasmPlugin or EnvoyFilter without targetRefs whose selector matches a waypoint\'s ' +
      'pods or ambient pods behind a waypoint-bound Service; and a namespace-wide RequestAuthentication (no selector) where a ' +
      'targetRefs AuthorizationPolicy at a waypoint of that namespace relies on request principals.',
    fix: 'Attach it with targetRefs to the Service or the waypoint Gateway.',
    docs: 'https://istio.io/latest/docs/ambient/usage/l7-features/',
    needs: ['kube:Pod'],
    needsAnyOf: ['kube:RequestAuthentication', 'kube:Telemetry', 'kube:WasmPlugin', 'kube:EnvoyFilter'],
  },
  check(snapshot, context) {
    const waypointJwtPolicies = policiesOf(snapshot, 'AuthorizationPolicy').filter((p) =>
      p.targetRefs.some((ref) => resolveTargetRef(snapshot, p, ref).attaches) && /"(notR|r)equestPrincipals"|"request\.auth\./.test(JSON.stringify(p.rules)));
    for (const kind of KINDS) {
      for (const policy of policiesOf(snapshot, kind)) {
        if (policy.targetRefs.length > 0) continue;
        const reach = policyReach(snapshot, policy);
        const services = uniqueServices(reach.served);
        const dependents = policy.selector || kind !== 'RequestAuthentication'
          ? []
          : waypointJwtPolicies.filter((p) => p.object.namespace === policy.object.namespace);
        if (policy.selector ? reach.waypointPods.length === 0 && services.length === 0 : dependents.length === 0) continue;
        const items: Evidence[] = [scopeEvidence(snapshot, policy)];
        if (reach.waypointPods.length) items.push(evidence(reach.waypointPods[0]!.source, `selects waypoint pod ${reach.waypointPods[0]!.name}`));
        for (const s of services.slice(0, 3)) items.push(evidence(s.binding.request!.label, `Service ${s.service.namespace}/${s.service.name} goes through waypoint ${s.binding.request!.name}`));
        for (const d of dependents.slice(0, 3)) items.push(specEvidence(d.object, 'rules', `AuthorizationPolicy ${d.object.name} at the waypoint requires request principals, which only a RequestAuthentication attached to the waypoint provides`));
        const what = kind === 'RequestAuthentication' ? 'JWTs are not validated there' : kind === 'Telemetry' ? 'its telemetry settings are not applied there' : kind === 'WasmPlugin' ? 'the plugin does not run there' : 'the patch is not applied there';
        context.report({
          subject: subjectOf(policy.object),
          message: `${kind} ${policy.object.namespace}/${policy.object.name} has no targetRefs, so waypoints ignore it: ${what}, for ${services.length ? `Services ${listNames(services.map((s) => s.service))}` : reach.waypointPods.length ? `waypoint pods ${listNames(reach.waypointPods)}` : `the waypoint enforcing ${listNames(dependents.map((d) => d.object))}`}.`,
          evidence: items,
          fix: kind === 'EnvoyFilter'
            ? { text: 'EnvoyFilters do not apply to waypoints; use the Gateway API or a WasmPlugin with targetRefs instead.' }
            : withChanges(fixOf(`Replace the selector by targetRefs naming the ${services.length ? 'Service' : 'waypoint Gateway'}.`, [sh`kubectl edit ${kindOf(kind)} ${nameOf(policy.object)} -n ${nsOf(policy.object)}`]),
              policy.selector ? mergePatch(policy.object, { spec: { selector: null, targetRefs: services.length
                ? [...new Set(services.filter((s) => s.service.namespace === policy.object.namespace).map((s) => s.service.name))].map((name) => ({ kind: 'Service', group: '', name }))
                : [...new Set(reach.waypointPods.map((p) => p.labels['gateway.networking.k8s.io/gateway-name']))].map((name) => ({ kind: 'Gateway', group: 'gateway.networking.k8s.io', name })) } }) : undefined),
        });
      }
    }
  },
};
