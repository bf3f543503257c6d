import { GATEWAY_GROUP, ISTIO_CONTROLLER, refSource, routesOf } from '../../model/routes.js';
import { evidence, subjectOf, type Evidence, type Rule } from '../types.js';
import { yamlOf } from '../wording.js';
import { mergePatch, withChanges } from '../changes.js';

export const wp029: Rule = {
  meta: {
    id: 'WP029',
    title: 'Route parentRef kind Service without group "": Istio drops it',
    severity: 'error',
    description:
      'A route attaches to a waypoint through `parentRefs: [{group: "", kind: Service, name: ...}]`. The Gateway API defaults ' +
      '`group` to gateway.networking.k8s.io, so a parentRef that omits it names a "gateway.networking.k8s.io/Service", which Istio ' +
      'does not support (conversion.go toInternalParentReference): the route is ignored, silently, and its status has no entry ' +
      'from istio.io/gateway-controller. The same holds for a ServiceEntry parent without group networking.istio.io.',
    detection: 'Every HTTPRoute, GRPCRoute, TCPRoute or TLSRoute parentRef of kind Service whose group is not "" (or ServiceEntry whose group is not networking.istio.io).',
    fix: 'Set `group: ""` on the parentRef (and `port` to a Service port, or leave it out).',
    docs: 'https://istio.io/latest/docs/ambient/usage/l7-features/#traffic-routing',
    needs: [],
    needsAnyOf: ['kube:HTTPRoute', 'kube:GRPCRoute', 'kube:TCPRoute', 'kube:TLSRoute'],
  },
  check(snapshot, context) {
    for (const route of routesOf(snapshot)) {
      const wrong = route.parents.filter((p) => (p.kind === 'Service' && p.group !== '' && p.group !== 'core') || (p.kind === 'ServiceEntry' && p.group !== 'networking.istio.io'));
      if (wrong.length === 0) continue;
      const items: Evidence[] = wrong.map((p) => evidence(refSource(route, p), `parentRef kind ${p.kind} ${p.name}, group ${p.group === GATEWAY_GROUP ? `${GATEWAY_GROUP} (the default, group omitted)` : `"${p.group}"`}`));
      const istio = route.statusParents.filter((s) => s.controller === ISTIO_CONTROLLER);
      if (istio.length === 0) items.push(evidence({ ...route.object.source }, 'status.parents holds no entry from istio.io/gateway-controller: Istio did not take the route'));
      const fixed = { ...route.object.spec, parentRefs: route.parents.map((p) => ({ group: wrong.includes(p) ? (p.kind === 'Service' ? '' : 'networking.istio.io') : p.group, kind: p.kind, name: p.name, ...(p.port ? { port: p.port } : {}) })) };
      context.report({
        subject: subjectOf(route.object),
        message: `${route.object.kind} ${route.object.namespace}/${route.object.name} attaches to ${wrong.map((p) => `${p.kind} ${p.name}`).join(', ')} with group ${wrong.map((p) => `"${p.group}"`).join(', ')}, which Istio does not support as a parent: the route is ignored and the waypoint never applies it.`,
        evidence: items,
        fix: withChanges({
          text: `Set group "" on a Service parent (networking.istio.io on a ServiceEntry parent).`,
          yaml: yamlOf({ apiVersion: route.object.apiVersion, kind: route.object.kind, metadata: { name: route.object.name, namespace: route.object.namespace }, spec: fixed }),
        }, mergePatch(route.object, { spec: { parentRefs: fixed.parentRefs } })),
      });
    }
  },
};
