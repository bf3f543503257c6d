import { getObject, objectsOf } from '../../model/snapshot.js';
import { USE_WAYPOINT, requestedWaypoint } from '../../model/waypoint.js';
import type { KubeObject } from '../../parse/types.js';
import { evidence, subjectOf, type Evidence, type Rule } from '../types.js';
import { LABELLED_KINDS, sameNamedElsewhere } from './wp008-waypoint-in-other-namespace.js';
import { againstField } from '../corroboration.js';
import { fixOf, k8sName, kindOf, nameOf, nsOf, sh } from '../shell.js';
import { createObject, waypointGateway, withChanges } from '../changes.js';


export const wp001: Rule = {
  meta: {
    id: 'WP001',
    title: 'use-waypoint names a waypoint that does not exist',
    severity: 'error',
    description:
      'An `istio.io/use-waypoint` label names a waypoint Gateway that does not exist in the namespace Istio looks in ' +
      '(the `istio.io/use-waypoint-namespace` of the same object, else the object\'s own namespace). istiod marks the ' +
      'binding `WaypointIsNotReady` and does NOT fall back to the namespace waypoint, so traffic goes straight to the ' +
      'destination and no L7 routing or AuthorizationPolicy of any waypoint applies.',
    detection:
      'For every Namespace, Service, ServiceEntry, Pod and WorkloadEntry with an `istio.io/use-waypoint` label (other than `none`), looks for the Gateway it names in the namespace Istio looks in (`istio.io/use-waypoint-namespace` of the same object, else its own). Evidence: the label, the `istio.io/WaypointBound=False` condition and ztunnel\'s WAYPOINT column when captured.',
    fix: 'Create the waypoint (`istioctl waypoint apply -n <namespace> --name <name>`), or correct or remove the label.',
    docs: 'https://istio.io/latest/docs/ambient/usage/troubleshoot-waypoint/',
    needs: ['kube:Gateway'],
    needsAnyOf: ['kube:Namespace', 'kube:Service', 'kube:Pod'],
  },
  check(snapshot, context) {
    for (const kind of LABELLED_KINDS) {
      for (const object of objectsOf(snapshot, kind)) {
        // Only the object that carries the label is reported; members of a namespace inherit its finding.
        const name = object.labels[USE_WAYPOINT];
        if (name === undefined || name === '' || name === 'none') continue;
        const request = requestedWaypoint(object, undefined);
        if (typeof request !== 'object' || getObject(snapshot, 'Gateway', request.namespace, request.name)) continue;
        // A same-named waypoint in another namespace, and no use-waypoint-namespace: WP008 explains that better.
        if (!request.namespaceLabel && sameNamedElsewhere(snapshot, name, request.namespace).length > 0) continue;

        const items: Evidence[] = [evidence(request.label, `${kind} asks for waypoint ${request.namespace}/${name}`)];
        if (request.namespaceLabel) items.push(evidence(request.namespaceLabel, 'waypoint namespace set here'));
        const hints: string[] = [];
        const elsewhere = [...objectsOf(snapshot, 'Gateway')].filter((g) => g.name === name);
        for (const g of elsewhere) {
          items.push(evidence(g.source, `a Gateway ${name} exists in namespace ${g.namespace}`));
          hints.push(`A Gateway named ${name} exists in namespace ${g.namespace}: if that is the one meant, add istio.io/use-waypoint-namespace=${g.namespace} to the same ${kind}.`);
        }
        const bound = object.conditions.find((c) => c.type === 'istio.io/WaypointBound' && c.status === 'False');
        if (bound) items.push(evidence(bound.source, `istiod reports WaypointBound False${bound.reason ? ` (${bound.reason})` : ''}`));
        const observed = observedRow(snapshot, object);
        // ztunnel naming the waypoint means some istiod knows it: the bundle's Gateways may be partial or older.
        const against: Evidence[] = [];
        if (observed && (observed.waypoint === name || observed.waypoint === `${request.namespace}/${name}`)) against.push(evidence(observed.source, `ztunnel sends its traffic to waypoint ${observed.waypoint} all the same`));
        else if (observed) items.push(evidence(observed.source, `ztunnel shows WAYPOINT ${observed.waypoint}`));
        const fallback = kind !== 'Namespace' ? namespaceWaypoint(snapshot, object) : undefined;
        if (fallback) hints.push(`Namespace ${object.namespace} uses waypoint ${fallback}, but Istio does not fall back to it when the ${kind}'s own waypoint is missing.`);

        context.report({
          subject: subjectOf(object),
          message: `${kind} ${label(object)} is labelled ${USE_WAYPOINT}=${name}, but no Gateway ${request.namespace}/${name} exists, so its traffic bypasses every waypoint.` +
            (hints.length ? ` ${hints.join(' ')}` : ''),
          evidence: items,
          ...againstField(against),
          // The change creates the waypoint the label asks for (the first command); removing the label is the other way.
          fix: withChanges(fixOf(`Create the waypoint, or correct or remove the label.`, [
            kind === 'Pod' || kind === 'WorkloadEntry'
              ? sh`istioctl waypoint apply -n ${nsOf(request.namespace)} --name ${k8sName(name, 'subdomain', 'the waypoint name')} --for workload`
              : sh`istioctl waypoint apply -n ${nsOf(request.namespace)} --name ${k8sName(name, 'subdomain', 'the waypoint name')}`,
            kind === 'Namespace'
              ? sh`kubectl label namespace ${nameOf(object)} ${USE_WAYPOINT}-`
              : sh`kubectl label ${kindOf(kind)} ${nameOf(object)} -n ${nsOf(object)} ${USE_WAYPOINT}-`,
          ]), createObject(waypointGateway(request.namespace, name, kind === 'Pod' || kind === 'WorkloadEntry' ? 'workload' : undefined))),
        });
      }
    }
  },
};

function label(object: KubeObject): string {
  return object.namespace ? `${object.namespace}/${object.name}` : object.name;
}

function observedRow(snapshot: Parameters<Rule['check']>[0], object: KubeObject) {
  const key = `${object.namespace}/${object.name}`;
  if (object.kind === 'Service') return snapshot.ztunnel.serviceByName.get(key);
  if (object.kind === 'Pod') return snapshot.ztunnel.workloadByPod.get(key);
  return undefined;
}

function namespaceWaypoint(snapshot: Parameters<Rule['check']>[0], object: KubeObject): string | undefined {
  const ns = getObject(snapshot, 'Namespace', undefined, object.namespace ?? '');
  const name = ns?.labels[USE_WAYPOINT];
  return name && name !== 'none' && getObject(snapshot, 'Gateway', ns.labels['istio.io/use-waypoint-namespace'] || ns.name, name) ? name : undefined;
}
