import { policiesOf } from '../../model/policies.js';
import { evidence, subjectOf, type Evidence, type Rule } from '../types.js';
import { specEvidence } from '../wording.js';
import { policyReach, retargetFix, scopeEvidence } from './scope.js';

export const wp028: Rule = {
  meta: {
    id: 'WP028',
    title: 'CUSTOM, AUDIT or dry-run policy enforced by ztunnel, which does not support it',
    severity: 'warning',
    description:
      'ztunnel supports only ALLOW and DENY. An AuthorizationPolicy without targetRefs with action CUSTOM (external authorization) ' +
      'or AUDIT, or with the `istio.io/dry-run` annotation while ambient dry-run support is off, is not enforced for ambient pods: ' +
      'istiod marks it ZtunnelAccepted False, reason UnsupportedValue ("ztunnel does not support the CUSTOM action").',
    detection: 'istiod\'s ZtunnelAccepted False with reason UnsupportedValue; or, without status, a CUSTOM, AUDIT or dry-run policy without targetRefs selecting ambient pods.',
    fix: 'Attach CUSTOM or AUDIT policies to a waypoint with targetRefs; for dry-run, enable AMBIENT_ENABLE_DRY_RUN_AUTHORIZATION_POLICY on istiod.',
    docs: 'https://istio.io/latest/docs/ambient/usage/l4-policy/',
    needs: ['kube:AuthorizationPolicy'],
  },
  check(snapshot, context) {
    for (const policy of policiesOf(snapshot, 'AuthorizationPolicy')) {
      if (policy.targetRefs.length > 0) continue;
      const status = policy.object.conditions.find((c) => c.type === 'ZtunnelAccepted');
      const refused = status?.status === 'False' && status.reason === 'UnsupportedValue';
      const action = policy.action.toUpperCase();
      const unsupported = action === 'CUSTOM' || action === 'AUDIT' ? `the ${action} action` : policy.dryRun ? 'dry-run' : undefined;
      if (!refused && (!unsupported || (snapshot.captured.has('kube:Pod') && policyReach(snapshot, policy).ambient.length === 0))) continue;
      const items: Evidence[] = [scopeEvidence(snapshot, policy)];
      if (unsupported && unsupported !== 'dry-run') items.push(specEvidence(policy.object, 'action', `action ${action}`));
      if (policy.dryRun) items.push(evidence(policy.object.source, 'annotated istio.io/dry-run: "true"'));
      if (status) items.push(evidence(status.source, `istiod: ZtunnelAccepted ${status.status}${status.reason ? ` (${status.reason})` : ''}${status.message ? `: ${status.message}` : ''}`));
      context.report({
        subject: subjectOf(policy.object),
        message: `AuthorizationPolicy ${policy.object.namespace}/${policy.object.name} goes to ztunnel, which does not support ${unsupported ?? (status?.message ?? 'it')}: it is not enforced for ambient pods.`,
        evidence: items,
        fix: unsupported === 'dry-run'
          ? { text: 'Enable ambient dry-run on istiod (AMBIENT_ENABLE_DRY_RUN_AUTHORIZATION_POLICY=true), or attach the policy to a waypoint with targetRefs.' }
          : retargetFix(policy, policyReach(snapshot, policy), `its ${action} action`, `Attach the ${action} policy to the waypoint with targetRefs (kind Service or Gateway) so the waypoint enforces it.`),
      });
    }
  },
};
