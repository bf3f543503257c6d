import { parentKind, refSource, routesOf, statusFor, type RouteRef, type RouteView } from '../../model/routes.js';
import type { ClusterSnapshot } from '../../model/snapshot.js';
import { mergePatchFix } from '../changes.js';
import { parentRefsPatch } from './route-scope.js';
import { evidence, subjectOf, type Evidence, type Fix, type Rule } from '../types.js';
import { fixOf, isDns1123Label, kindOf, nameOf, nsOf, sh } from '../shell.js';

export const wp030: Rule = {
  meta: {
    id: 'WP030',
    title: 'Route attached to the waypoint Gateway instead of the Service',
    severity: 'error',
    description:
      'A waypoint Gateway has one HBONE listener that accepts no route kinds: a route with `parentRefs` naming the waypoint ' +
      'Gateway is never programmed (status Accepted False, NotAllowedByListeners; the listener\'s attachedRoutes stays 0). Routes ' +
      'reach a waypoint through the Service they route; only policies target the Gateway.',
    detection: 'Every route parentRef of kind Gateway (group gateway.networking.k8s.io) naming a waypoint Gateway, from the spec whatever the status says.',
    fix: 'Attach the route to the Service: `parentRefs: [{group: "", kind: Service, name: <svc>, port: <port>}]`.',
    docs: 'https://istio.io/latest/docs/ambient/usage/l7-features/#traffic-routing',
    needs: ['kube:Gateway'],
    needsAnyOf: ['kube:HTTPRoute', 'kube:GRPCRoute', 'kube:TCPRoute', 'kube:TLSRoute'],
  },
  check(snapshot, context) {
    for (const route of routesOf(snapshot)) {
      for (const parent of route.parents) {
        if (parentKind(parent) !== 'gateway') continue;
        const waypoint = snapshot.waypoints.find((w) => !w.inferred && w.namespace === parent.namespace && w.name === parent.name);
        if (!waypoint) continue;
        const items: Evidence[] = [evidence(refSource(route, parent), `parentRef Gateway ${parent.namespace}/${parent.name}`)];
        if (waypoint.gateway) items.push(evidence(waypoint.gateway.source, `Gateway ${waypoint.name} is a waypoint (class ${String(waypoint.gateway.spec['gatewayClassName'])})`));
        const accepted = statusFor(route, parent)?.conditions.find((c) => c.type === 'Accepted');
        if (accepted && accepted.status !== 'True') items.push(evidence(route.object.source, `status: Accepted ${accepted.status} (${accepted.reason ?? ''})${accepted.message ? `: ${accepted.message}` : ''}`));
        const services = [...new Set(route.backends.filter((b) => b.kind === 'Service').map((b) => b.name))];
        context.report({
          subject: subjectOf(route.object),
          message: `${route.object.kind} ${route.object.namespace}/${route.object.name} is attached to the waypoint Gateway ${parent.namespace}/${parent.name}, whose HBONE listener takes no routes: the route is never programmed. Attach it to the Service it routes${services.length ? ` (${services.join(', ')})` : ''}.`,
          evidence: items,
          fix: serviceParentFix(snapshot, route, parent) ?? fixOf('Replace the Gateway parentRef by the Service whose traffic the route should steer (group "", kind Service).', [
            sh`kubectl edit ${kindOf(route.object.kind)} ${nameOf(route.object)} -n ${nsOf(route.object)}`,
          ]),
        });
      }
    }
  },
};

/**
 * A waypoint that serves exactly one Service of the route's namespace (a per-service waypoint) names the parent
 * the route meant: the Gateway parentRef replaced by that Service. Several, or none: the user's choice.
 */
function serviceParentFix(snapshot: ClusterSnapshot, route: RouteView, parent: RouteRef): Fix | undefined {
  const served = snapshot.bindings.filter((b) =>
    b.state === 'bound' && b.subject.kind === 'Service' && b.subject.namespace === route.object.namespace &&
    b.request?.namespace === parent.namespace && b.request.name === parent.name);
  const service = served.length === 1 ? served[0]!.subject.name : undefined;
  const patch = service && isDns1123Label(service) ? parentRefsPatch(route, parent, () => ({ group: '', kind: 'Service', name: service })) : undefined;
  return patch && mergePatchFix(`Attach the route to Service ${service}, the one Service waypoint ${parent.name} serves, instead of the waypoint's Gateway.`, route.object, patch);
}
