/**
 * Reading the ClusterSnapshot: everything parsed from one bundle, indexed once by namespace/name.
 * Rules read only the snapshot, never files. It is built by build.ts.
 */
import type { KubeObject } from '../parse/types.js';
import type { ClusterSnapshot } from './types.js';

export type { ClusterSnapshot } from './types.js';

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** How `snapshot.bindingOf` names a Service, ServiceEntry, Pod or WorkloadEntry. */
export function bindingKey(o: { kind: string; namespace?: string; name: string }): string {
  return `${o.kind}/${o.namespace ?? ''}/${o.name}`;
}

/** The objects of a kind in one namespace (`''` for cluster-scoped ones). */
export function objectsIn(snapshot: ClusterSnapshot, kind: string, namespace: string): readonly KubeObject[] {
  return snapshot.byNamespace.get(kind)?.get(namespace) ?? [];
}

/** All objects of a kind (empty when none were captured). */
export function objectsOf(snapshot: ClusterSnapshot, kind: string): Iterable<KubeObject> {
  return snapshot.objects.get(kind)?.values() ?? [];
}

export function getObject(snapshot: ClusterSnapshot, kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
  return snapshot.objects.get(kind)?.get(objectKey(namespace, name));
}
