import { namespaceOf } from '../../model/objects.js';
import { refSource, routesOf, statusFor, type RouteRef, type RouteView } from '../../model/routes.js';
import type { KubeObject } from '../../parse/types.js';
import { objectsIn, type ClusterSnapshot } from '../../model/snapshot.js';
import { mergePatchFix, setLabel, withChanges } from '../changes.js';
import { nearMiss } from '../near-miss.js';
import { USE_WAYPOINT } from '../../model/waypoint.js';
import { evidence, subjectOf, type Evidence, type Fix, type Rule } from '../types.js';
import { meshParents, parentRefsPatch } from './route-scope.js';
import { fixOf, isDns1123Subdomain, isLabelValue, kindOf, nameOf, nsOf, sh, word } from '../shell.js';

export const wp031: Rule = {
  meta: {
    id: 'WP031',
    title: "Route's parent Service is missing, or not bound to a waypoint",
    severity: 'error',
    description:
      'In ambient mode a route on a Service is applied by that Service\'s waypoint. A parent Service that does not exist makes ' +
      'the route Accepted False (NoMatchingParent, IST0171); one that exists but has no waypoint leaves the route unapplied for ' +
      'ambient clients, which Istio 1.26+ says in a ResolvedWaypoints condition that stays True ("istio.io/use-waypoint label ' +
      'missing from parent and parent namespace; in ambient mode, route will not be respected").',
    detection:
      'Every route parentRef of kind Service (group "") or ServiceEntry: the parent is missing from the bundle, or it is in an ' +
      'ambient namespace and not bound to a waypoint (sidecar namespaces apply mesh routes without waypoints and are left alone).',
    fix: 'Fix the parent name, or bind the Service (or its namespace) to a waypoint with istio.io/use-waypoint.',
    docs: 'https://istio.io/latest/docs/ambient/usage/l7-features/#traffic-routing',
    needs: ['kube:Service'],
    needsAnyOf: ['kube:HTTPRoute', 'kube:GRPCRoute', 'kube:TCPRoute', 'kube:TLSRoute'],
  },
  check(snapshot, context) {
    for (const route of routesOf(snapshot)) {
      for (const target of meshParents(snapshot, route)) {
        const { ref } = target;
        const status = statusFor(route, ref);
        const accepted = status?.conditions.find((c) => c.type === 'Accepted');
        const resolved = status?.conditions.find((c) => c.type === 'ResolvedWaypoints');
        const items: Evidence[] = [evidence(refSource(route, ref), `parentRef ${ref.kind} ${ref.namespace}/${ref.name}`)];
        if (accepted && accepted.status !== 'True') items.push(evidence(route.object.source, `status: Accepted ${accepted.status} (${accepted.reason ?? ''})${accepted.message ? `: ${accepted.message}` : ''}`));
        if (resolved?.message) items.push(evidence(route.object.source, `status: ResolvedWaypoints ${resolved.status}: ${resolved.message}`));
        if (!target.object) {
          if (!snapshot.complete.has(`kube:${ref.kind}`)) continue;
          context.report({
            subject: subjectOf(route.object),
            message: `${route.object.kind} ${route.object.namespace}/${route.object.name} is attached to ${ref.kind} ${ref.namespace}/${ref.name}, which does not exist: the route is not applied.`,
            evidence: items,
            fix: renameParentFix(snapshot, route, ref) ?? fixOf(`Name an existing ${ref.kind} in the parentRef.`, [sh`kubectl get ${ref.kind === 'ServiceEntry' ? 'serviceentries' : 'services'} -n ${nsOf(ref.namespace)}`, sh`kubectl edit ${kindOf(route.object.kind)} ${nameOf(route.object)} -n ${nsOf(route.object)}`]),
          });
          continue;
        }
        const binding = target.binding;
        if (!binding || binding.state === 'bound') continue;
        const ns = namespaceOf(snapshot, target.object);
        const ambient = ns?.labels['istio.io/dataplane-mode'] === 'ambient' || target.object.labels['istio.io/dataplane-mode'] === 'ambient';
        // Only the states where no waypoint serves the parent; WP001-WP010 say why a label did not bind.
        if (!ambient || !['no-label', 'opted-out'].includes(binding.state)) continue;
        items.push(evidence(target.object.source, `${ref.kind} ${ref.namespace}/${ref.name}: ${binding.explanation}`));
        context.report({
          subject: subjectOf(route.object),
          message: `${route.object.kind} ${route.object.namespace}/${route.object.name} routes ${ref.kind} ${ref.namespace}/${ref.name}, which no waypoint serves (${binding.explanation}): in ambient mode the route is not applied.`,
          evidence: items,
          fix: bindParentFix(snapshot, target.object, ref),
        });
      }
    }
  },
};

/**
 * A parent named one or two edits away from the only existing one of its kind (`rating` -> `ratings`): the
 * route's parentRefs with that name corrected, as a patch what-if can prove.
 */
function renameParentFix(snapshot: ClusterSnapshot, route: RouteView, ref: RouteRef): Fix | undefined {
  const meant = nearMiss(ref.name, objectsIn(snapshot, ref.kind, ref.namespace).map((o) => o.name));
  const patch = meant && isDns1123Subdomain(meant) ? parentRefsPatch(route, ref, (p) => ({ ...p, name: meant })) : undefined;
  return patch && mergePatchFix(`Correct the parentRef: ${ref.kind} ${ref.name} does not exist, ${ref.kind} ${meant} does.`, route.object, patch);
}

/** The parent labelled with its namespace's waypoint, when the namespace has exactly one; else said in words. */
function bindParentFix(snapshot: ClusterSnapshot, parent: KubeObject, ref: RouteRef): Fix {
  const candidates = snapshot.waypoints.filter((w) => w.namespace === ref.namespace && !w.inferred && w.gateway);
  const only = candidates.length === 1 && isLabelValue(candidates[0]!.name) ? candidates[0]!.name : undefined;
  if (!only) {
    return fixOf(`Bind ${ref.kind} ${ref.name} (or namespace ${ref.namespace}) to a waypoint: label it ${USE_WAYPOINT}=<waypoint>.`, [
      sh`kubectl get gateways.gateway.networking.k8s.io -n ${nsOf(ref.namespace)}`,
    ]);
  }
  return withChanges(
    fixOf(`Bind ${ref.kind} ${ref.name} to waypoint ${only}, the waypoint of namespace ${ref.namespace}.`, [
      sh`kubectl label ${kindOf(ref.kind)} ${nameOf(ref)} -n ${nsOf(ref.namespace)} ${word(`${USE_WAYPOINT}=${only}`)} --overwrite`,
    ]),
    setLabel(parent, USE_WAYPOINT, only),
  );
}
