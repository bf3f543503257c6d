import { ISTIO_CONTROLLER, refSource, routesOf } from '../../model/routes.js';
import { getObject, objectsIn, objectsOf } from '../../model/snapshot.js';
import type { KubeObject } from '../../parse/types.js';
import { createObject, withChanges } from '../changes.js';
import { evidence, subjectOf, type Evidence, type Fix, type Rule } from '../types.js';
import { yamlOf } from '../wording.js';
import { meshParents } from './route-scope.js';
import { fixOf, isDns1123Subdomain, kindOf, nameOf, nsOf, sh } from '../shell.js';

const UNRESOLVED = new Set(['BackendNotFound', 'RefNotPermitted', 'InvalidKind']);

export const wp033: Rule = {
  meta: {
    id: 'WP033',
    title: 'Route backends unresolved',
    severity: 'error',
    description:
      'A backendRef to a Service that does not exist, to another namespace without a ReferenceGrant, or of a kind Istio does not ' +
      'route to makes the route\'s ResolvedRefs False (BackendNotFound, RefNotPermitted, InvalidKind): requests matching it fail ' +
      '(500, or 503 NC cluster not found, at the waypoint).',
    detection: 'istiod\'s ResolvedRefs False on a route of a waypoint-bound Service; or, computed, a Service backend missing from a complete Service capture, or in another namespace with no ReferenceGrant in a captured ReferenceGrant list.',
    fix: 'Name an existing Service (and port); for another namespace add a ReferenceGrant there.',
    docs: 'https://gateway-api.sigs.k8s.io/api-types/referencegrant/',
    needs: ['kube:Service'],
    needsAnyOf: ['kube:HTTPRoute', 'kube:GRPCRoute', 'kube:TCPRoute', 'kube:TLSRoute'],
  },
  check(snapshot, context) {
    for (const route of routesOf(snapshot)) {
      if (meshParents(snapshot, route).length === 0) continue;
      const items: Evidence[] = [];
      const why: string[] = [];
      // Backends in other namespaces that only lack a grant (the fix is a ReferenceGrant there), by namespace.
      const ungranted = new Map<string, Set<string>>();
      let missing = false;
      for (const s of route.statusParents) {
        if (s.controller !== ISTIO_CONTROLLER) continue;
        const refs = s.conditions.find((c) => c.type === 'ResolvedRefs' && c.status === 'False' && UNRESOLVED.has(c.reason ?? ''));
        if (refs) {
          items.push(evidence(route.object.source, `status: ResolvedRefs False (${refs.reason})${refs.message ? `: ${refs.message}` : ''}`));
          why.push(refs.message ?? refs.reason ?? '');
        }
      }
      for (const b of route.backends) {
        if (b.kind !== 'Service' || (b.group !== '' && b.group !== 'core')) continue;
        if (!getObject(snapshot, 'Service', b.namespace, b.name)) {
          // Absent only counts where the bundle holds that namespace's Services.
          if (!snapshot.complete.has('kube:Service') || objectsIn(snapshot, 'Service', b.namespace).length === 0) continue;
          items.push(evidence(refSource(route, b), `backendRef Service ${b.namespace}/${b.name}: not in the bundle's Services`));
          why.push(`Service ${b.namespace}/${b.name} does not exist`);
          missing = true;
        } else if (b.namespace !== route.object.namespace && snapshot.captured.has('kube:ReferenceGrant') && !granted(snapshot, route.object.kind, route.object.namespace ?? '', b.namespace, b.name)) {
          items.push(evidence(refSource(route, b), `backendRef Service ${b.namespace}/${b.name} in another namespace, no ReferenceGrant there`));
          why.push(`no ReferenceGrant in ${b.namespace} allows ${route.object.kind}s from ${route.object.namespace}`);
          ungranted.set(b.namespace, (ungranted.get(b.namespace) ?? new Set()).add(b.name));
        }
      }
      if (items.length === 0) continue;
      context.report({
        subject: subjectOf(route.object),
        message: `${route.object.kind} ${route.object.namespace}/${route.object.name} has backends Istio cannot resolve: ${[...new Set(why)].join('; ')}. Requests it routes there fail.`,
        evidence: items,
        fix: !missing && ungranted.size > 0 && isDns1123Subdomain(`${route.object.namespace}-${route.object.name}`)
          ? grantFix(route.object, ungranted)
          : fixOf('Point the backendRefs at existing Services (with a ReferenceGrant in their namespace when it is another).', [sh`kubectl edit ${kindOf(route.object.kind)} ${nameOf(route.object)} -n ${nsOf(route.object)}`]),
      });
    }
  },
};

function granted(snapshot: Parameters<Rule['check']>[0], kind: string, fromNs: string, toNs: string, name: string): boolean {
  return [...objectsOf(snapshot, 'ReferenceGrant')].some((g) => {
    if (g.namespace !== toNs) return false;
    const from = Array.isArray(g.spec['from']) ? g.spec['from'] as Record<string, unknown>[] : [];
    const to = Array.isArray(g.spec['to']) ? g.spec['to'] as Record<string, unknown>[] : [];
    return from.some((f) => f['kind'] === kind && f['namespace'] === fromNs) && to.some((t) => t['kind'] === 'Service' && (!t['name'] || t['name'] === name));
  });
}

/** A ReferenceGrant in each backend namespace that lets this route reach its Services there, and nothing more. */
function grantFix(route: KubeObject, ungranted: ReadonlyMap<string, ReadonlySet<string>>): Fix {
  const grants = [...ungranted].map(([namespace, services]) => ({
    apiVersion: 'gateway.networking.k8s.io/v1beta1',
    kind: 'ReferenceGrant',
    metadata: { name: `${route.namespace}-${route.name}`.slice(0, 253).replace(/[^a-z0-9]+$/, ''), namespace },
    spec: {
      from: [{ group: 'gateway.networking.k8s.io', kind: route.kind, namespace: route.namespace }],
      to: [...services].sort().map((name) => ({ group: '', kind: 'Service', name })),
    },
  }));
  const names = [...ungranted.keys()].join(', ');
  return withChanges(
    { text: `Allow ${route.kind} ${route.namespace}/${route.name} to reach its backends with a ReferenceGrant in namespace${ungranted.size > 1 ? 's' : ''} ${names} (apply the YAML).`, yaml: grants.map(yamlOf).join('---\n') },
    ...grants.map((g) => createObject(g)),
  );
}
