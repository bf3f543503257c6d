import { isWaypointGateway } from '../../model/objects.js';
import { getObject, objectsOf } from '../../model/snapshot.js';
import type { KubeObject } from '../../parse/types.js';
import { evidence, subjectOf, type Rule } from '../types.js';
import { fixOf, nameOf, nsOf, sh } from '../shell.js';
import { setLabel, withChanges } from '../changes.js';

const INGRESS_USE_WAYPOINT = 'istio.io/ingress-use-waypoint';
/** What Go's strconv.ParseBool reads as true. */
const TRUE_VALUES = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
type Json = Record<string, unknown>;
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter((x): x is Json => typeof x === 'object' && x !== null) : []);

/** Services an HTTPRoute or GRPCRoute attached to an ingress (non-waypoint) Gateway sends to. */
function ingressBackends(snapshot: Parameters<Rule['check']>[0], route: KubeObject): KubeObject[] {
  const viaIngress = list(route.spec['parentRefs']).some((p) => {
    if ((p['kind'] ?? 'Gateway') !== 'Gateway') return false;
    const gw = getObject(snapshot, 'Gateway', String(p['namespace'] ?? route.namespace), String(p['name']));
    return gw !== undefined && !isWaypointGateway(gw);
  });
  if (!viaIngress) return [];
  const services: KubeObject[] = [];
  for (const rule of list(route.spec['rules'])) {
    for (const ref of list(rule['backendRefs'])) {
      if ((ref['kind'] ?? 'Service') !== 'Service' || (ref['group'] ?? '') !== '') continue;
      const svc = getObject(snapshot, 'Service', String(ref['namespace'] ?? route.namespace), String(ref['name']));
      if (svc && !services.includes(svc)) services.push(svc);
    }
  }
  return services;
}

export const wp018: Rule = {
  meta: {
    id: 'WP018',
    title: 'Ingress gateway traffic bypasses the waypoint',
    severity: 'error',
    description:
      'An ingress gateway sends to a waypoint-bound service\'s pods directly unless the Service or its namespace is labelled ' +
      '`istio.io/ingress-use-waypoint=true` (and istiod runs with ENABLE_INGRESS_WAYPOINT_ROUTING). Requests entering through ' +
      'the ingress then skip the waypoint\'s routes and AuthorizationPolicies.',
    detection:
      'For every HTTPRoute/GRPCRoute attached to a non-waypoint Gateway whose backend Service is bound to a waypoint, reports the Service when neither it nor its namespace has `istio.io/ingress-use-waypoint=true`.',
    fix: '`kubectl label service <name> -n <namespace> istio.io/ingress-use-waypoint=true`.',
    docs: 'https://istio.io/latest/docs/ambient/usage/waypoint/#ingress-gateways-and-waypoints',
    needs: ['kube:Gateway', 'kube:Service'],
    needsAnyOf: ['kube:HTTPRoute', 'kube:GRPCRoute'],
  },
  check(snapshot, context) {
    const bound = new Set(snapshot.bindings.filter((b) => b.state === 'bound' && b.subject.kind === 'Service').map((b) => b.subject));
    for (const kind of ['HTTPRoute', 'GRPCRoute']) {
      for (const route of objectsOf(snapshot, kind)) {
        for (const svc of ingressBackends(snapshot, route)) {
          if (!bound.has(svc)) continue;
          const ns = getObject(snapshot, 'Namespace', undefined, svc.namespace ?? '');
          // The Service's label wins when present (Istio's ingressUseWaypointFromLabels), read as Go's ParseBool.
          const label = svc.labels[INGRESS_USE_WAYPOINT] ?? ns?.labels[INGRESS_USE_WAYPOINT];
          if (label !== undefined && TRUE_VALUES.has(label)) continue;
          context.report({
            subject: subjectOf(svc),
            message: `Service ${svc.namespace}/${svc.name} uses a waypoint and is exposed through ingress by ${kind} ${route.namespace}/${route.name}, but ${svc.labels[INGRESS_USE_WAYPOINT] !== undefined ? `it sets ${INGRESS_USE_WAYPOINT}=${svc.labels[INGRESS_USE_WAYPOINT]}` : `neither it nor namespace ${svc.namespace} has ${INGRESS_USE_WAYPOINT}=true`}: ingress traffic skips the waypoint.`,
            evidence: [evidence(route.source, `${kind} routes ingress traffic to ${svc.name}`), evidence(svc.source, `no ${INGRESS_USE_WAYPOINT} label`)],
            fix: withChanges(fixOf('Send ingress traffic through the waypoint, or attach the policy to the ingress gateway as well.', [
              sh`kubectl label service ${nameOf(svc)} -n ${nsOf(svc)} ${INGRESS_USE_WAYPOINT}=true --overwrite`,
            ]), setLabel(svc, INGRESS_USE_WAYPOINT, 'true')),
          });
        }
      }
    }
  },
};
