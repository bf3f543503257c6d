import { gatewayClassName, isWaypointGateway } from '../../model/objects.js';
import { evidence, type Rule } from '../types.js';
import { bindingEvidence, byCarrier } from './bindings.js';
import { listNames } from '../wording.js';
import { againstField, boundAfterAll } from '../corroboration.js';
import { fixOf, nsOf, sh } from '../shell.js';

export const wp012: Rule = {
  meta: {
    id: 'WP012',
    title: 'use-waypoint names a Gateway that is not a waypoint',
    severity: 'error',
    description:
      'The Gateway named by `istio.io/use-waypoint` must be of class `istio-waypoint`. An ingress Gateway (class `istio`) gets ' +
      'status.addresses too, so the binding "succeeds", but traffic then hits an ingress Envoy on port 15008 and fails; a ' +
      'Gateway of another implementation\'s class makes Istio skip the HTTPRoutes of the bound services.',
    detection:
      'For every binding whose named Gateway is not of class istio-waypoint (e.g. an ingress Gateway of class istio).',
    fix: 'Name a waypoint Gateway in `istio.io/use-waypoint`.',
    docs: 'https://istio.io/latest/docs/ambient/usage/waypoint/',
    needs: ['kube:Gateway'],
    needsAnyOf: ['kube:Namespace', 'kube:Service', 'kube:Pod'],
  },
  check(snapshot, context) {
    const wrong = snapshot.bindings.filter((b) => b.gateway && !isWaypointGateway(b.gateway));
    for (const group of byCarrier(snapshot, wrong)) {
      const gateway = group.bindings[0]!.gateway!;
      context.report({
        subject: group.subject,
        message: `${group.carrier.kind} ${group.carrier.namespace ? `${group.carrier.namespace}/` : ''}${group.carrier.name} uses Gateway ` +
          `${gateway.namespace}/${gateway.name} as its waypoint, but that Gateway is of class ${gatewayClassName(gateway) || '(none)'}, not istio-waypoint` +
          ` (affects ${listNames(group.bindings.map((b) => b.subject))}).`,
        evidence: [...bindingEvidence(group.bindings[0]!, 'uses'), evidence(gateway.source, `gatewayClassName: ${gatewayClassName(gateway)}`)],
        ...againstField(group.bindings.flatMap(boundAfterAll).slice(0, 3)),
        fix: fixOf('Point istio.io/use-waypoint at a waypoint (class istio-waypoint), creating one if needed.', [
          sh`istioctl waypoint apply -n ${nsOf(gateway)} --name waypoint`,
        ]),
      });
    }
  },
};
