import { getObject, objectsOf } from '../../model/snapshot.js';
import { USE_WAYPOINT, USE_WAYPOINT_NAMESPACE } from '../../model/waypoint.js';
import type { KubeObject } from '../../parse/types.js';
import { evidence, subjectOf, type Evidence, type Rule } from '../types.js';
import { describeObject } from '../wording.js';
import { fixOf, kindOf, nameOf, nsOf, sh } from '../shell.js';
import { setLabel, withChanges } from '../changes.js';

/** Kinds that may carry `istio.io/use-waypoint` (istio/api label/labels.yaml). */
export const LABELLED_KINDS = ['Namespace', 'Service', 'ServiceEntry', 'Pod', 'WorkloadEntry'];

/** Gateways named `name` outside `namespace`: the waypoint a label probably meant. */
export function sameNamedElsewhere(snapshot: Parameters<Rule['check']>[0], name: string, namespace: string): KubeObject[] {
  return [...objectsOf(snapshot, 'Gateway')].filter((g) => g.name === name && g.namespace !== namespace);
}

export const wp008: Rule = {
  meta: {
    id: 'WP008',
    title: 'Cross-namespace waypoint named without use-waypoint-namespace',
    severity: 'error',
    description:
      '`istio.io/use-waypoint` names a waypoint in the object\'s own namespace unless `istio.io/use-waypoint-namespace` is ' +
      'set ON THE SAME OBJECT. When the waypoint lives in another namespace and that label is missing (or only the Namespace ' +
      'carries it while the Service has its own use-waypoint), istiod looks in the wrong namespace and the binding fails.',
    detection:
      'For every object whose own `istio.io/use-waypoint` names a Gateway missing from its namespace, without `istio.io/use-waypoint-namespace`, while a Gateway of that name exists in another namespace.',
    fix: 'Put `istio.io/use-waypoint-namespace=<namespace>` on the same object.',
    docs: 'https://istio.io/latest/docs/ambient/usage/waypoint/#use-a-waypoint-in-a-different-namespace',
    needs: ['kube:Gateway'],
    needsAnyOf: ['kube:Namespace', 'kube:Service', 'kube:Pod'],
  },
  check(snapshot, context) {
    for (const kind of LABELLED_KINDS) {
      for (const object of objectsOf(snapshot, kind)) {
        const name = object.labels[USE_WAYPOINT];
        if (!name || name === 'none' || object.labels[USE_WAYPOINT_NAMESPACE]) continue;
        const own = kind === 'Namespace' ? object.name : object.namespace ?? '';
        if (getObject(snapshot, 'Gateway', own, name)) continue;
        const elsewhere = sameNamedElsewhere(snapshot, name, own);
        if (elsewhere.length === 0) continue;
        const target = elsewhere[0]!;
        const items: Evidence[] = [evidence(object.labelSources[USE_WAYPOINT] ?? object.source, `${describeObject(object)} asks for ${name} without ${USE_WAYPOINT_NAMESPACE}`)];
        items.push(...elsewhere.map((g) => evidence(g.source, `Gateway ${g.namespace}/${g.name}`)));
        const nsObject = kind !== 'Namespace' ? getObject(snapshot, 'Namespace', undefined, own) : undefined;
        const nsLabel = nsObject?.labels[USE_WAYPOINT_NAMESPACE];
        if (nsLabel) items.push(evidence(nsObject!.labelSources[USE_WAYPOINT_NAMESPACE] ?? nsObject!.source, `namespace ${own} has ${USE_WAYPOINT_NAMESPACE}=${nsLabel}, which does not apply to the ${kind}'s own label`));
        const bound = object.conditions.find((c) => c.type === 'istio.io/WaypointBound' && c.status === 'False');
        if (bound) items.push(evidence(bound.source, `istiod: WaypointBound False (${bound.reason ?? ''})`));
        context.report({
          subject: subjectOf(object),
          message: `${describeObject(object)} uses waypoint ${name}, which Istio looks for in namespace ${own}; a Gateway ${name} exists in namespace ` +
            `${elsewhere.map((g) => g.namespace).join(', ')}, but ${USE_WAYPOINT_NAMESPACE} is not set on the ${kind}${nsLabel ? ` (the namespace's label is not used for an object's own use-waypoint)` : ''}.`,
          evidence: items,
          fix: withChanges(fixOf(`Put ${USE_WAYPOINT_NAMESPACE} on the same ${kind} that carries ${USE_WAYPOINT}; the waypoint must also admit namespace ${own} (allowedRoutes).`, [
            kind === 'Namespace'
              ? sh`kubectl label namespace ${nameOf(object)} ${USE_WAYPOINT_NAMESPACE}=${nsOf(target)}`
              : sh`kubectl label ${kindOf(kind)} ${nameOf(object)} -n ${nsOf(own)} ${USE_WAYPOINT_NAMESPACE}=${nsOf(target)}`,
          ]), target.namespace ? setLabel(object, USE_WAYPOINT_NAMESPACE, target.namespace) : undefined),
        });
      }
    }
  },
};
