/**
 * What is kept of the objects a big cluster has by the thousand: of a Pod's metadata, spec and status, the fields
 * the rules, the report and custom rules read (docs/custom-rules.md lists them); its env, probes,
 * volumes, tolerations and the like are dropped as the capture is read. A 20,000-pod List then costs
 * a fraction of its text in memory, instead of several times it.
 */
import type { KeepOf, KeepShape } from './kube-yaml.js';

const CONTAINER: KeepShape = { name: true, image: true, ports: true, restartPolicy: true };
const CONTAINER_STATUS: KeepShape = { name: true, image: true, ready: true, started: true, restartCount: true, state: true, lastState: true };

const POD_SPEC: KeepShape = {
  nodeName: true, serviceAccountName: true, serviceAccount: true, hostNetwork: true, priorityClassName: true,
  containers: CONTAINER, initContainers: CONTAINER,
};
const POD_STATUS: KeepShape = {
  phase: true, reason: true, message: true, conditions: true, podIP: true, podIPs: true, hostIP: true, hostIPs: true,
  startTime: true, qosClass: true, containerStatuses: CONTAINER_STATUS, initContainerStatuses: CONTAINER_STATUS,
};

/** A Pod's metadata without what only the API server uses (resourceVersion, managedFields, generateName...). */
const POD_METADATA: KeepShape = {
  name: true, namespace: true, labels: true, annotations: true, uid: true, creationTimestamp: true, deletionTimestamp: true, ownerReferences: { kind: true, name: true },
};

/** Workload controllers: which pods they make (selector, template labels) and how many, not the pod template's containers. */
const WORKLOAD_SPEC: KeepShape = { replicas: true, selector: true, template: { metadata: { labels: true, annotations: true } } };
const WORKLOAD_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet']);

export const KEEP_OF: KeepOf = (kind) => {
  if (kind === 'Pod') return { metadata: POD_METADATA, spec: POD_SPEC, status: POD_STATUS };
  if (WORKLOAD_KINDS.has(kind)) return { metadata: POD_METADATA, spec: WORKLOAD_SPEC };
  return undefined;
};

/** The same reduction for an object already parsed (JSON captures): fields outside the shape removed. */
export function keepOnly(value: unknown, shape: KeepShape): unknown {
  if (Array.isArray(value)) return value.map((v) => keepOnly(v, shape));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, keep] of Object.entries(shape)) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined || !Object.prototype.hasOwnProperty.call(value, key)) continue;
    out[key] = keep === true ? v : keepOnly(v, keep);
  }
  return out;
}

/** Reduces an object's spec and status in place, by its kind. */
export function slimObject(object: Record<string, unknown>): void {
  const keep = typeof object['kind'] === 'string' ? KEEP_OF(object['kind']) : undefined;
  if (!keep) return;
  if (keep.metadata && object['metadata'] !== undefined) object['metadata'] = keepOnly(object['metadata'], keep.metadata);
  if (keep.spec && object['spec'] !== undefined) object['spec'] = keepOnly(object['spec'], keep.spec);
  if (keep.status && object['status'] !== undefined) object['status'] = keepOnly(object['status'], keep.status);
}
