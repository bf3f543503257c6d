import { isWaypointGateway } from '../../model/objects.js';
import { objectsOf } from '../../model/snapshot.js';
import { evidence, subjectOf, type Rule } from '../types.js';
import { fixOf, nameOf, nsOf, sh } from '../shell.js';

export const wp014: Rule = {
  meta: {
    id: 'WP014',
    title: 'Waypoint Gateway not Accepted or not Programmed',
    severity: 'error',
    description:
      'istiod reports a waypoint Gateway it cannot serve with Accepted=False (e.g. ListenersNotValid, InvalidParameters) or ' +
      'Programmed=False (AddressNotUsable, AddressNotAssigned, UnsupportedAddress). Remember that Programmed=True does not ' +
      'prove the pods are ready (see WP002).',
    detection:
      'For every Gateway of class istio-waypoint with condition Accepted=False or Programmed=False.',
    fix: 'Act on the condition\'s reason; for deployment errors read istiod\'s log.',
    docs: 'https://istio.io/latest/docs/ambient/usage/troubleshoot-waypoint/',
    needs: ['kube:Gateway'],
    readsRuntimeState: true,
  },
  check(snapshot, context) {
    for (const gateway of objectsOf(snapshot, 'Gateway')) {
      if (!isWaypointGateway(gateway)) continue;
      const failed = gateway.conditions.filter((c) => (c.type === 'Accepted' || c.type === 'Programmed') && c.status === 'False');
      if (failed.length === 0) continue;
      context.report({
        subject: subjectOf(gateway),
        message: `Waypoint ${gateway.namespace}/${gateway.name}: ${failed.map((c) => `${c.type} False (${c.reason ?? 'no reason'}${c.message ? `: ${c.message}` : ''})`).join('; ')}.`,
        evidence: failed.map((c) => evidence(c.source, `${c.type} False${c.reason ? `, ${c.reason}` : ''}`)),
        fix: fixOf('Act on the reason; for deployment errors (template, RBAC, quota) read istiod\'s log.', [
          sh`kubectl describe gateway ${nameOf(gateway)} -n ${nsOf(gateway)}`,
          sh`kubectl logs -n istio-system -l app=istiod --tail=200`,
        ]),
      });
    }
  },
};
