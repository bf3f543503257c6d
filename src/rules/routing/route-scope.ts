/** What routing rules share: a route's parents resolved to Services and their waypoint bindings. */
import { parentKind, type RouteRef, type RouteView } from '../../model/routes.js';
import { bindingKey, getObject, type ClusterSnapshot } from '../../model/snapshot.js';
import type { WaypointBinding } from '../../model/types.js';
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
