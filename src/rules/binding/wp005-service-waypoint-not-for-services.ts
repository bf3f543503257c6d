import { describeWaypointFor, WAYPOINT_FOR } from '../../model/waypoint.js';
import { evidence, type Rule } from '../types.js';
import { bindingEvidence, byCarrier } from './bindings.js';
import { describeObject, listNames } from '../wording.js';
import { againstField, boundAfterAll } from '../corroboration.js';
import { fixOf, nameOf, nsOf, sh } from '../shell.js';
import { setLabel, withChanges } from '../changes.js';

export const wp005: Rule = {
  meta: {
    id: 'WP005',
    title: 'Service bound to a waypoint that does not take service traffic',
    severity: 'error',
    description:
      'A Service or ServiceEntry (directly or through its namespace\'s label) uses a waypoint whose `istio.io/waypoint-for` is ' +
      '`workload` or `none`. istiod refuses the binding (WaypointBound False, UnsupportedTrafficType) and ztunnel shows ' +
      'WAYPOINT None: traffic to the service name skips the waypoint.',
    detection:
      'For every Service and ServiceEntry bound (directly or by its namespace) to a waypoint whose `istio.io/waypoint-for` is `workload` or `none`; one finding per labelled object.',
    fix: '`kubectl label gateway <name> -n <namespace> istio.io/waypoint-for=all --overwrite`.',
    docs: 'https://istio.io/latest/docs/ambient/usage/waypoint/#waypoint-traffic-types',
    needs: ['kube:Gateway'],
    needsAnyOf: ['kube:Service', 'kube:ServiceEntry'],
  },
  check(snapshot, context) {
    const refused = snapshot.bindings.filter((b) => b.trafficType === 'service' && b.state === 'traffic-type-unsupported'
      && (b.waypointFor?.value === 'workload' || b.waypointFor?.value === 'none'));
    for (const group of byCarrier(snapshot, refused)) {
      const first = group.bindings[0]!;
      const gateway = first.gateway!;
      const affected = group.bindings.map((b) => b.subject);
      context.report({
        subject: group.subject,
        message: `${describeObject(group.carrier)} binds ${affected.length === 1 && affected[0] === group.carrier ? 'itself' : `${listNames(affected)}`} to waypoint ${gateway.namespace}/${gateway.name}, ` +
          `which takes ${describeWaypointFor(first.waypointFor!)}: service-addressed traffic skips the waypoint.`,
        evidence: [...bindingEvidence(first, 'uses'), evidence(first.waypointFor!.source ?? gateway.source, `${WAYPOINT_FOR}=${first.waypointFor!.value}`)],
        ...againstField(group.bindings.flatMap(boundAfterAll).slice(0, 3)),
        fix: withChanges(fixOf('Let the waypoint take service traffic (`all` keeps its workload traffic), or bind the service to a service waypoint.', [
          sh`kubectl label gateway ${nameOf(gateway)} -n ${nsOf(gateway)} ${WAYPOINT_FOR}=all --overwrite`,
        ]), setLabel(gateway, WAYPOINT_FOR, 'all')),
      });
    }
  },
};
