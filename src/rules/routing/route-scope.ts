/** What routing rules share: a route's parents resolved to Services and their waypoint bindings. */
import { parentKind, type RouteRef, type RouteView } from '../../model/routes.js';
import { bindingKey, getObject, type ClusterSnapshot } from '../../model/snapshot.js';
import type { WaypointBinding } from '../../model/types.js';
import { isRecord } from '../../parse/kube.js';
import type { KubeObject } from '../../parse/types.js';

export interface ParentTarget {
  ref: RouteRef;
  object?: KubeObject;
  binding?: WaypointBinding;
}

/** The Service and ServiceEntry parents of a route (the mesh routes a waypoint serves), resolved. */
export function meshParents(snapshot: ClusterSnapshot, route: RouteView): ParentTarget[] {
  return route.parents.flatMap((ref) => {
    const kind = parentKind(ref);
    if (kind !== 'service' && kind !== 'serviceentry') return [];
    const objectKind = kind === 'service' ? 'Service' : 'ServiceEntry';
    const object = getObject(snapshot, objectKind, ref.namespace, ref.name);
    const binding = object ? snapshot.bindingOf.get(bindingKey(object)) : undefined;
    return [{ ref, ...(object ? { object } : {}), ...(binding ? { binding } : {}) }];
  });
}

/** Whether a route is attached to a Service bound to a waypoint (what the L7 rules of the waypoint are about). */
export function routesByService(snapshot: ClusterSnapshot, routes: readonly RouteView[]): Map<string, RouteView[]> {
  const out = new Map<string, RouteView[]>();
  for (const route of routes) {
    for (const p of meshParents(snapshot, route)) {
      if (!p.object) continue;
      const key = bindingKey(p.object);
      out.set(key, [...(out.get(key) ?? []), route]);
    }
  }
  return out;
}

/**
 * A merge patch of the route's parentRefs with the one `ref` stands for replaced (`replace` is given the written
 * entry), or undefined when the route's spec does not hold that entry as written.
 */
export function parentRefsPatch(route: RouteView, ref: RouteRef, replace: (written: Record<string, unknown>) => Record<string, unknown>): Record<string, unknown> | undefined {
  const index = Number(/^parentRefs\[(\d+)\]$/.exec(ref.path)?.[1] ?? NaN);
  const written = route.object.spec['parentRefs'];
  if (!Array.isArray(written) || !isRecord(written[index])) return undefined;
  return { spec: { parentRefs: written.map((p, i) => (i === index ? replace(p as Record<string, unknown>) : p)) } };
}
