import { getObject, objectsOf } from '../../model/snapshot.js';
import { USE_WAYPOINT } from '../../model/waypoint.js';
import { evidence, subjectOf, type Rule } from '../types.js';
import { describeObject } from '../wording.js';
import { fixOf, kindOf, nameOf, nsOf, sh } from '../shell.js';
import { removeLabel, withChanges } from '../changes.js';

export const wp010: Rule = {
  meta: {
    id: 'WP010',
    title: 'Object-level use-waypoint hides the namespace waypoint',
    severity: 'warning',
    description:
      'An object\'s own `istio.io/use-waypoint` beats its namespace\'s: `none` opts it out of the namespace waypoint, and an ' +
      'empty value makes istiod look up a waypoint named "" (WaypointIsNotReady). Either way its traffic skips the waypoint ' +
      'the namespace asks for, often without anyone remembering why.',
    detection:
      'For every object with `istio.io/use-waypoint: none` or an empty value in a namespace that uses a waypoint.',
    fix: 'Remove the object\'s label unless the opt-out is intended.',
    docs: 'https://istio.io/latest/docs/ambient/usage/waypoint/',
    needs: ['kube:Namespace'],
    needsAnyOf: ['kube:Service', 'kube:ServiceEntry', 'kube:Pod', 'kube:WorkloadEntry'],
  },
  check(snapshot, context) {
    for (const kind of ['Service', 'ServiceEntry', 'Pod', 'WorkloadEntry']) {
      for (const object of objectsOf(snapshot, kind)) {
        const own = object.labels[USE_WAYPOINT];
        if (own !== 'none' && own !== '') continue;
        const ns = getObject(snapshot, 'Namespace', undefined, object.namespace ?? '');
        const nsWaypoint = ns?.labels[USE_WAYPOINT];
        if (!nsWaypoint || nsWaypoint === 'none') continue;
        const row = kind === 'Service' ? snapshot.ztunnel.serviceByName.get(`${object.namespace}/${object.name}`) : kind === 'Pod' ? snapshot.ztunnel.workloadByPod.get(`${object.namespace}/${object.name}`) : undefined;
        context.report({
          subject: subjectOf(object),
          message: own === 'none'
            ? `${describeObject(object)} opts out (${USE_WAYPOINT}=none) of waypoint ${nsWaypoint}, which namespace ${object.namespace} uses: its traffic skips the namespace's L7 policy.`
            : `${describeObject(object)} has an empty ${USE_WAYPOINT}, which makes istiod look for a waypoint named "" instead of using ${nsWaypoint}: its traffic skips every waypoint.`,
          evidence: [
            evidence(object.labelSources[USE_WAYPOINT] ?? object.source, `${USE_WAYPOINT}=${own || '""'}`),
            evidence(ns!.labelSources[USE_WAYPOINT] ?? ns!.source, `namespace ${ns!.name} uses ${nsWaypoint}`),
            ...(row ? [evidence(row.source, `ztunnel shows WAYPOINT ${'waypoint' in row ? row.waypoint : ''}`)] : []),
          ],
          fix: withChanges(fixOf('Remove the label if the opt-out is not intended.', [
            sh`kubectl label ${kindOf(kind)} ${nameOf(object)} -n ${nsOf(object)} ${USE_WAYPOINT}-`,
          ]), removeLabel(object, USE_WAYPOINT)),
        });
      }
    }
  },
};
