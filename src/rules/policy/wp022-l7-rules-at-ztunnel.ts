import { namespaceOf } from '../../model/objects.js';
import { policiesOf, ruleHttpAttributes, type PolicyView } from '../../model/policies.js';
import { evidence, subjectOf, type Evidence, type Rule } from '../types.js';
import { listNames, specEvidence } from '../wording.js';
import { policyReach, policyRejections, retargetFix, scopeEvidence } from './scope.js';

/** What istiod writes on ZtunnelAccepted when it strips HTTP attributes (authorization.go boilerplates). */
const STRIPPED = /ztunnel does not support HTTP attributes/;
const RESTRICTIVE = /rules matching HTTP attributes are omitted|more restrictive than requested/;
const NO_EFFECT = /has no enforceable rules at ztunnel|will have no effect/;

export const wp022: Rule = {
  meta: {
    id: 'WP022',
    title: 'HTTP rules enforced by ztunnel: an ALLOW denies all, a DENY does nothing',
    severity: 'error',
    description:
      'ztunnel enforces every AuthorizationPolicy without targetRefs on the pods it selects, but it cannot see HTTP: it drops the ' +
      'rules that use HTTP attributes. An ALLOW policy whose rules all use them then allows nothing (every connection to the pods ' +
      'is refused, "allow policies exist, but none allowed"); a DENY policy whose rules all use them denies nothing. istiod says so ' +
      'in the policy\'s ZtunnelAccepted condition, whose status stays True: the message is the signal (older releases wrongly ' +
      'described such a DENY as "more restrictive", istio/istio#61126).',
    detection:
      'Every AuthorizationPolicy without targetRefs that selects ambient-captured pods and uses HTTP attributes: from its rules, and ' +
      'from istiod\'s ZtunnelAccepted message when present; ztunnel log lines of connections rejected by policy at those pods ' +
      'corroborate an ALLOW.',
    fix: 'Attach the HTTP rules to a waypoint with targetRefs (WP021) and keep only L4 rules (principals, namespaces, ports) in policies ztunnel enforces.',
    docs: 'https://istio.io/latest/docs/ambient/usage/l4-policy/',
    needs: ['kube:AuthorizationPolicy'],
  },
  check(snapshot, context) {
    for (const policy of policiesOf(snapshot, 'AuthorizationPolicy')) {
      if (policy.targetRefs.length > 0) continue;
      const ztunnel = policy.object.conditions.find((c) => c.type === 'ZtunnelAccepted');
      const stated = ztunnel?.message !== undefined && STRIPPED.test(ztunnel.message);
      if (policy.httpAttributes.length === 0 && !stated) continue;
      const action = policy.action.toUpperCase();
      if (action !== 'ALLOW' && action !== 'DENY') continue; // CUSTOM/AUDIT: WP028
      const reach = policyReach(snapshot, policy);
      const podsCaptured = snapshot.captured.has('kube:Pod');
      const ns = namespaceOf(snapshot, policy.object);
      if (podsCaptured ? reach.ambient.length === 0 : ns?.labels['istio.io/dataplane-mode'] !== 'ambient' && !stated) continue;
      const effect = effectOf(policy, action, ztunnel?.message);
      if (!effect) continue;
      const items: Evidence[] = [scopeEvidence(snapshot, policy), specEvidence(policy.object, 'rules', `HTTP attributes ztunnel drops: ${policy.httpAttributes.join(', ') || 'as istiod says'}`)];
      if (ztunnel?.message) items.push(evidence(ztunnel.source, `istiod: ZtunnelAccepted ${ztunnel.status}: ${ztunnel.message}`));
      if (action === 'ALLOW') for (const e of policyRejections(snapshot, reach.ambient)) items.push(evidence(e.source, `ztunnel refused a connection to ${e.fields['dst.workload'] ?? ''}: ${e.error}`));
      const pods = reach.ambient.length ? ` (pods ${listNames(reach.ambient)})` : '';
      context.report({
        subject: subjectOf(policy.object),
        message: `AuthorizationPolicy ${policy.object.namespace}/${policy.object.name} is enforced by ztunnel${pods}, which drops its HTTP rules: ${effect}`,
        evidence: items,
        fix: retargetFix(policy, reach, 'its HTTP rules', 'Move the HTTP rules to a policy with targetRefs on the Service or waypoint, and keep only L4 conditions (principals, namespaces, ports) in this one.'),
      });
    }
  },
};

/** What the policy does at ztunnel, or undefined when it keeps enough L4 rules to mean what it says. */
function effectOf(policy: PolicyView, action: string, message: string | undefined): string | undefined {
  const l4Rules = policy.rules.filter((r) => ruleHttpAttributes(r).length === 0);
  if (action === 'ALLOW') {
    if (message && RESTRICTIVE.test(message) || l4Rules.length < policy.rules.length) {
      return l4Rules.length === 0
        ? 'with no rule left, this ALLOW policy allows nothing: every connection to these pods is refused.'
        : `only its ${l4Rules.length} L4 rule${l4Rules.length > 1 ? 's are' : ' is'} kept, so it is more restrictive than written.`;
    }
    return undefined;
  }
  if (message && NO_EFFECT.test(message) || (policy.rules.length > 0 && l4Rules.length === 0)) return 'with no rule left, this DENY policy denies nothing.';
  return undefined;
}

