import { USE_WAYPOINT, WAYPOINT_FOR, describeWaypointFor } from '../../model/waypoint.js';
import { evidence, subjectOf, type Evidence, type Rule } from '../types.js';
import { fixOf, nameOf, nsOf, sh } from '../shell.js';
import { setLabel, withChanges } from '../changes.js';

export const wp004: Rule = {
  meta: {
    id: 'WP004',
    title: 'Pod labelled with a waypoint that only accepts service traffic',
    severity: 'error',
    description:
      'A Pod (or WorkloadEntry) carries its own `istio.io/use-waypoint`, which governs traffic addressed to the pod IP. ' +
      'The named waypoint accepts workload traffic only when its `istio.io/waypoint-for` (Gateway label, else GatewayClass ' +
      'label, else `service`) is `workload` or `all`. Otherwise istiod gives the pod no waypoint (UnsupportedTrafficType) and ' +
      'ztunnel shows WAYPOINT `None` for it. Pods get no status condition, so nothing in the cluster says so.',
    detection:
      'For every Pod or WorkloadEntry with its own `istio.io/use-waypoint`, computes the traffic type the named waypoint accepts (the Gateway\'s `istio.io/waypoint-for`, else its GatewayClass\'s, else `service`) and reports it when that is neither `workload` nor `all`.',
    fix: '`kubectl label gateway <name> -n <namespace> istio.io/waypoint-for=all --overwrite`, or label the Service instead.',
    docs: 'https://istio.io/latest/docs/ambient/usage/troubleshoot-waypoint/',
    needs: ['kube:Pod', 'kube:Gateway'],
  },
  check(snapshot, context) {
    for (const binding of snapshot.bindings) {
      if (binding.state !== 'traffic-type-unsupported' || binding.trafficType !== 'workload') continue;
      const { subject, request, gateway, waypointFor } = binding;
      if (!request || !gateway || !waypointFor) continue;
      const items: Evidence[] = [evidence(request.label, `${subject.kind} asks for waypoint ${request.namespace}/${request.name}`)];
      items.push(waypointFor.source
        ? evidence(waypointFor.source, `the waypoint's ${WAYPOINT_FOR} is ${waypointFor.value} (set on its ${waypointFor.from})`)
        : evidence(gateway.source, `Gateway ${gateway.namespace}/${gateway.name} has no ${WAYPOINT_FOR} label: it takes service traffic only`));
      if (binding.observed) items.push(evidence(binding.observed.source, `ztunnel shows WAYPOINT ${binding.observed.waypoint} for this pod`));
      context.report({
        subject: subjectOf(subject),
        message: `${subject.kind} ${subject.namespace}/${subject.name} is labelled ${USE_WAYPOINT}=${request.name}, but waypoint ` +
          `${gateway.namespace}/${gateway.name} takes ${describeWaypointFor(waypointFor)}; traffic sent to the pod's IP skips the waypoint.`,
        evidence: items,
        fix: withChanges(fixOf(`Let the waypoint take workload traffic (\`all\` keeps its service traffic), or label the Service instead if clients call the service name.`, [
          sh`kubectl label gateway ${nameOf(gateway)} -n ${nsOf(gateway)} ${WAYPOINT_FOR}=all --overwrite`,
        ]), setLabel(gateway, WAYPOINT_FOR, 'all')),
      });
    }
  },
};
