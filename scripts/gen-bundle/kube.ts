/**
 * Small shared pieces of the generated Kubernetes objects: a JSON value type (the generator's objects are plain
 * data, serialized by scripts/scenarios/serializers.ts), seeded uids, resourceVersions and the common metadata.
 */
import { uuid as digestUuid } from '../scenarios/bundle.js';

export type Json = string | number | boolean | null | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json | undefined;
}

/** A Kubernetes object as the generator handles it. */
export interface KubeObject extends JsonObject {
  apiVersion: string;
  kind: string;
  metadata: JsonObject & { name: string; namespace?: string };
}

/** A uid that depends on the seed and the object's identity only. */
export const uid = (seed: string, what: string): string => digestUuid(`${seed}:${what}`);

/** resourceVersions grow with creation time: 1 per 10 ms after 09:00, plus a small offset per object. */
export const rvAt = (iso: string, offset = 0): string => String(Math.floor((Date.parse(iso) - Date.parse('2025-10-14T09:00:00Z')) / 10) + 3000 + offset);

export const ISTIO_VERSION = '1.26.2';
export const CLUSTER_DOMAIN = 'cluster.local';
export const fqdn = (name: string, ns: string): string => `${name}.${ns}.svc.${CLUSTER_DOMAIN}`;

export const condition = (type: string, status: string, reason: string, message: string, at: string, generation?: number | string): JsonObject =>
  ({ lastTransitionTime: at, message, ...(generation !== undefined ? { observedGeneration: generation } : {}), reason, status, type });

export const TOLERATIONS: JsonObject[] = [
  { effect: 'NoExecute', key: 'node.kubernetes.io/not-ready', operator: 'Exists', tolerationSeconds: 300 },
  { effect: 'NoExecute', key: 'node.kubernetes.io/unreachable', operator: 'Exists', tolerationSeconds: 300 },
];

/** The projected service-account token volume every pod gets. */
export const apiAccessVolume = (name: string): JsonObject => ({
  name,
  projected: {
    defaultMode: 420,
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { items: [{ key: 'ca.crt', path: 'ca.crt' }], name: 'kube-root-ca.crt' } },
      { downwardAPI: { items: [{ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' }, path: 'namespace' }] } },
    ],
  },
});

/** The five conditions the kubelet writes on a running pod. */
export const podConditions = (created: string, started: string, ready: string): JsonObject[] => [
  { lastProbeTime: null, lastTransitionTime: started, status: 'True', type: 'PodReadyToStartContainers' },
  { lastProbeTime: null, lastTransitionTime: created, status: 'True', type: 'Initialized' },
  { lastProbeTime: null, lastTransitionTime: ready, status: 'True', type: 'Ready' },
  { lastProbeTime: null, lastTransitionTime: ready, status: 'True', type: 'ContainersReady' },
  { lastProbeTime: null, lastTransitionTime: created, status: 'True', type: 'PodScheduled' },
];
