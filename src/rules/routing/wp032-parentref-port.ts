import { refSource, routesOf, servicePorts } from '../../model/routes.js';
import { evidence, subjectOf, type Rule } from '../types.js';
import { specEvidence } from '../wording.js';
import { meshParents } from './route-scope.js';
import { fixOf, kindOf, nameOf, nsOf, sh } from '../shell.js';
import { mergePatch, withChanges } from '../changes.js';

export const wp032: Rule = {
  meta: {
    id: 'WP032',
    title: 'parentRef port is not a port of the Service',
    severity: 'warning',
    description:
      'A parentRef `port` narrows the route to that Service port (route_collections.go augmentPortMatch). A port the Service does ' +
      'not have (often the targetPort or containerPort) gives the route a match that never fires, while its status stays Accepted.',
    detection: 'Every Service parentRef with a `port` that is not one of the Service\'s `spec.ports[].port`.',
    fix: 'Use the Service port, or leave `port` out.',
    docs: 'https://gateway-api.sigs.k8s.io/reference/spec/#parentreference',
    needs: ['kube:Service'],
    needsAnyOf: ['kube:HTTPRoute', 'kube:GRPCRoute', 'kube:TCPRoute', 'kube:TLSRoute'],
  },
  check(snapshot, context) {
    for (const route of routesOf(snapshot)) {
      for (const { ref, object } of meshParents(snapshot, route)) {
        if (ref.port === undefined || !object) continue;
        const ports = servicePorts(object).map((p) => Number(p['port'] ?? p['number']));
        if (ports.includes(ref.port)) continue;
        const targets = servicePorts(object).filter((p) => Number(p['targetPort']) === ref.port).map((p) => Number(p['port']));
        context.report({
          subject: subjectOf(route.object),
          message: `${route.object.kind} ${route.object.namespace}/${route.object.name} attaches to ${ref.kind} ${ref.name} on port ${ref.port}, which the Service does not expose (ports ${ports.join(', ')})${targets.length ? `; ${ref.port} is the targetPort of port ${targets.join(', ')}` : ''}: the route never matches.`,
          evidence: [evidence(refSource(route, ref), `parentRef port ${ref.port}`), specEvidence(object, 'ports', `Service ports: ${ports.join(', ')}`)],
          fix: withChanges(fixOf(`Set the parentRef port to ${targets[0] ?? ports[0] ?? 'a Service port'}, or remove it.`, [sh`kubectl edit ${kindOf(route.object.kind)} ${nameOf(route.object)} -n ${nsOf(route.object)}`]),
            mergePatch(route.object, { spec: { parentRefs: withPort(route.object.spec['parentRefs'], ref, targets[0] ?? ports[0]) } })),
        });
      }
    }
  },
};

/** The route's parentRefs with this one's port set to `port` (removed when there is none): a merge patch replaces the list whole. */
function withPort(parentRefs: unknown, ref: { name: string; port?: number | undefined }, port: number | undefined): unknown[] {
  return (Array.isArray(parentRefs) ? parentRefs : []).map((raw) => {
    const p = raw as Record<string, unknown>;
    if (p['name'] !== ref.name || Number(p['port']) !== ref.port) return p;
    const { port: _old, ...rest } = p;
    return port === undefined ? rest : { ...rest, port };
  });
}
