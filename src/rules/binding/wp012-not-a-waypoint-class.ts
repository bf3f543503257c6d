import { gatewayClassName, isWaypointGateway } from '../../model/objects.js';
import { evidence, type Rule } from '../types.js';
import { bindingEvidence, byCarrier } from './bindings.js';
import { listNames } from '../wording.js';
import { againstField, boundAfterAll } from '../corroboration.js';
import { fixOf, kindOf, nameOf, nsOf, sh } from '../shell.js';
import { createObject, removeLabel, setLabel, waypointGateway, withChanges } from '../changes.js';
import { getObject } from '../../model/snapshot.js';
import { USE_WAYPOINT, USE_WAYPOINT_NAMESPACE } from '../../model/waypoint.js';

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
      const { carrier } = group;
      // A waypoint named `waypoint` in the carrier's own namespace: no cross-namespace attachment to allow.
      const ns = carrier.kind === 'Namespace' ? carrier.name : carrier.namespace ?? '';
      const workload = carrier.kind === 'Pod' || carrier.kind === 'WorkloadEntry';
      const exists = getObject(snapshot, 'Gateway', ns, 'waypoint');
      context.report({
        subject: group.subject,
        message: `${group.carrier.kind} ${group.carrier.namespace ? `${group.carrier.namespace}/` : ''}${group.carrier.name} uses Gateway ` +
          `${gateway.namespace}/${gateway.name} as its waypoint, but that Gateway is of class ${gatewayClassName(gateway) || '(none)'}, not istio-waypoint` +
          ` (affects ${listNames(group.bindings.map((b) => b.subject))}).`,
        evidence: [...bindingEvidence(group.bindings[0]!, 'uses'), evidence(gateway.source, `gatewayClassName: ${gatewayClassName(gateway)}`)],
        ...againstField(group.bindings.flatMap(boundAfterAll).slice(0, 3)),
        fix: withChanges(fixOf('Point istio.io/use-waypoint at a waypoint (class istio-waypoint) in its own namespace, creating one if needed.', [
          ...(exists ? [] : [workload ? sh`istioctl waypoint apply -n ${nsOf(ns)} --name waypoint --for workload` : sh`istioctl waypoint apply -n ${nsOf(ns)} --name waypoint`]),
          carrier.kind === 'Namespace'
            ? sh`kubectl label namespace ${nameOf(carrier)} ${USE_WAYPOINT}=waypoint ${USE_WAYPOINT_NAMESPACE}- --overwrite`
            : sh`kubectl label ${kindOf(carrier.kind)} ${nameOf(carrier)} -n ${nsOf(ns)} ${USE_WAYPOINT}=waypoint ${USE_WAYPOINT_NAMESPACE}- --overwrite`,
        ]), exists ? undefined : createObject(waypointGateway(ns, 'waypoint', workload ? 'workload' : undefined)), setLabel(carrier, USE_WAYPOINT, 'waypoint'),
        carrier.labels[USE_WAYPOINT_NAMESPACE] !== undefined ? removeLabel(carrier, USE_WAYPOINT_NAMESPACE) : undefined),
      });
    }
  },
};
