import { objectsOf, getObject, bindingKey } from '../../model/snapshot.js';
import { routesByService } from './route-scope.js';
import { routesOf } from '../../model/routes.js';
import type { KubeObject } from '../../parse/types.js';
import { evidence, subjectOf, type Evidence, type Rule } from '../types.js';
import { specEvidence } from '../wording.js';
import { fixOf, nameOf, nsOf, sh } from '../shell.js';

type Json = Record<string, unknown>;
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter((x): x is Json => typeof x === 'object' && x !== null) : []);

export const wp035: Rule = {
  meta: {
    id: 'WP035',
    title: 'VirtualService (alpha for waypoints) that the waypoint does not apply as intended',
    severity: 'warning',
    description:
      'Waypoints support VirtualServices only in part (alpha): only those in the Service\'s or the waypoint\'s namespace, bound to ' +
      'the mesh (`gateways` empty or containing `mesh`); `sourceLabels` and `sourceNamespace` matches are dropped (the waypoint ' +
      'does not know the client\'s labels, istio/istio#51565); and a Service routed by both a VirtualService and an HTTPRoute ' +
      'has undefined behavior. HTTPRoute is the supported API.',
    detection: 'Every VirtualService whose hosts name a waypoint-bound Service: in a third namespace, bound only to gateways, with source matches, or beside an HTTPRoute on the same Service.',
    fix: 'Move the routing to an HTTPRoute attached to the Service (one API per Service).',
    docs: 'https://istio.io/latest/docs/ambient/usage/l7-features/',
    needs: ['kube:VirtualService', 'kube:Service'],
  },
  check(snapshot, context) {
    const routed = routesByService(snapshot, routesOf(snapshot));
    for (const vs of objectsOf(snapshot, 'VirtualService')) {
      for (const service of hostServices(snapshot, vs)) {
        const binding = snapshot.bindingOf.get(bindingKey(service));
        if (binding?.state !== 'bound' || !binding.request) continue;
        const problems: string[] = [];
        const items: Evidence[] = [specEvidence(vs, 'hosts', `hosts name Service ${service.namespace}/${service.name}, bound to waypoint ${binding.request.name}`)];
        if (vs.namespace !== service.namespace && vs.namespace !== binding.request.namespace) {
          problems.push(`it is in namespace ${vs.namespace}, and a waypoint only reads VirtualServices of the Service's (${service.namespace}) or its own (${binding.request.namespace}) namespace`);
        }
        const gateways = Array.isArray(vs.spec['gateways']) ? vs.spec['gateways'].map(String) : [];
        if (gateways.length && !gateways.includes('mesh')) {
          problems.push(`its gateways (${gateways.join(', ')}) do not include mesh, so it applies to those gateways only`);
          items.push(specEvidence(vs, 'gateways', `gateways: ${gateways.join(', ')}`));
        }
        if (list(vs.spec['http']).some((h) => list(h['match']).some((m) => m['sourceLabels'] !== undefined || m['sourceNamespace'] !== undefined))) {
          problems.push('its sourceLabels/sourceNamespace matches are dropped by the waypoint');
          items.push(specEvidence(vs, 'http', 'matches on sourceLabels or sourceNamespace'));
        }
        const routes = routed.get(bindingKey(service)) ?? [];
        if (routes.length) {
          problems.push(`${routes.map((r) => `${r.object.kind} ${r.object.name}`).join(', ')} also route${routes.length > 1 ? '' : 's'} this Service (undefined which applies)`);
          items.push(...routes.map((r) => evidence(r.object.source, `${r.object.kind} ${r.object.namespace}/${r.object.name} on the same Service`)));
        }
        if (problems.length === 0) continue;
        context.report({
          subject: subjectOf(vs),
          message: `VirtualService ${vs.namespace}/${vs.name} routes ${service.namespace}/${service.name}, served by waypoint ${binding.request.name}, but ${problems.join('; and ')}.`,
          evidence: items,
          fix: fixOf(`Route ${service.name} with an HTTPRoute attached to the Service (parentRefs group "", kind Service), and remove the VirtualService.`, [sh`kubectl get virtualservice ${nameOf(vs)} -n ${nsOf(vs)} -o yaml`]),
        });
      }
    }
  },
};

/** The Services a VirtualService's hosts name: short names resolve in its own namespace. */
function hostServices(snapshot: Parameters<Rule['check']>[0], vs: KubeObject): KubeObject[] {
  const hosts = Array.isArray(vs.spec['hosts']) ? vs.spec['hosts'].map(String) : [];
  const out: KubeObject[] = [];
  for (const host of hosts) {
    const [name = '', ns = vs.namespace ?? ''] = host.split('.');
    const service = getObject(snapshot, 'Service', ns, name);
    if (service && !out.includes(service)) out.push(service);
  }
  return out;
}
