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

/** All objects of a kind (empty when none were captured). */
export function objectsOf(snapshot: ClusterSnapshot, kind: string): Iterable<KubeObject> {
  return snapshot.objects.get(kind)?.values() ?? [];
}

export function getObject(snapshot: ClusterSnapshot, kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
  return snapshot.objects.get(kind)?.get(objectKey(namespace, name));
}
