/**
 * The cluster's own pods, Services, Deployments, Namespaces and GatewayClasses: Istio 1.26.2's istiod, ztunnel and
 * istio-cni (one per node), and kube-system's add-ons, taken from samples/bookinfo-ambient (so their shape is the
 * hand-checked one) and placed on the generated nodes with the generated names, IPs and uids.
 */
import { BASE, Bundle, containerId } from '../scenarios/bundle.js';
import { clone, renameTokenVolume } from '../scenarios/edits.js';
import { type JsonObject, type KubeObject, rvAt, uid } from './kube.js';
import type { Namespace, Plan, PodRef } from './plan.js';

export const obj = (o: JsonObject, key: string): JsonObject => o[key] as JsonObject;
export const list = (o: JsonObject, key: string): JsonObject[] => o[key] as JsonObject[];

/** samples/bookinfo-ambient, read once: the templates of the objects this file and waypoints.ts clone. */
let sample: Bundle | undefined;
export function sampleBundle(): Bundle {
  sample ??= new Bundle(BASE);
  return sample;
}

/** A copy of a sample object, typed as the generator's data. */
export function sampleObject(file: 'pods' | 'services' | 'deployments' | 'namespaces' | 'gateways', ns: string | undefined, name: string): KubeObject {
  const found: unknown = sampleBundle().get(file, ns, name);
  return clone(found) as KubeObject;
}

/** Puts a cloned pod on a node with an IP (and, for a DaemonSet pod, the node affinity its controller sets). */
function place(seed: string, pod: KubeObject, p: PodRef): KubeObject {
  const spec = obj(pod, 'spec');
  const status = obj(pod, 'status');
  const old = pod.metadata.name;
  pod.metadata.name = p.name;
  pod.metadata.uid = uid(seed, `pod:${p.namespace}/${p.name}`);
  pod.metadata.resourceVersion = rvAt(p.ready, 5);
  spec['nodeName'] = p.node.name;
  const affinity = obj(spec, 'affinity');
  if (affinity) {
    const terms = list(obj(obj(affinity, 'nodeAffinity'), 'requiredDuringSchedulingIgnoredDuringExecution'), 'nodeSelectorTerms');
    list(terms[0]!, 'matchFields')[0]!['values'] = [p.node.name];
  }
  Object.assign(status, { hostIP: p.node.hostIp, hostIPs: [{ ip: p.node.hostIp }], podIP: p.ip, podIPs: [{ ip: p.ip }] });
  for (const cs of list(status, 'containerStatuses')) cs['containerID'] = containerId(`${seed}:${p.namespace}/${p.name}/${String(cs['name'])}`);
  if (old !== p.name) renameTokenVolume(pod, `${seed}:${p.name}`);
  return pod;
}

const TEMPLATES: Record<string, [string, string]> = {
  ztunnel: ['istio-system', 'ztunnel-8j9n9'],
  cni: ['istio-system', 'istio-cni-node-8sr7b'],
  istiod: ['istio-system', 'istiod-nd49fnlq5d-mnsrx'],
  coredns: ['kube-system', 'coredns-78tnpkj82h-qrn72'],
  'local-path-provisioner': ['kube-system', 'local-path-provisioner-xq6pgdm2jj-fk7mk'],
  'metrics-server': ['kube-system', 'metrics-server-nrk64l7zcj-vbzbf'],
};

/** The pod object of a control-plane or kube-system pod of the plan. */
export function systemPod(seed: string, p: PodRef): KubeObject {
  const key = p.kind === 'ztunnel' || p.kind === 'cni' || p.kind === 'istiod' ? p.kind : p.name.replace(/-[a-z0-9]+-[a-z0-9]+$/, '');
  const [ns, name] = TEMPLATES[key]!;
  return place(seed, sampleObject('pods', ns, name), p);
}

/** ClusterIPs of the system Services, in the first /24 of 10.96.0.0/12 that app Services never take. */
const SYSTEM_VIPS: Record<string, string> = { 'default/kubernetes': '10.96.0.1', 'kube-system/kube-dns': '10.96.0.10', 'istio-system/istiod': '10.96.0.20', 'kube-system/metrics-server': '10.96.0.30' };

export function systemServices(): KubeObject[] {
  return Object.entries(SYSTEM_VIPS).map(([key, ip]) => {
    const [ns, name] = key.split('/') as [string, string];
    const svc = sampleObject('services', ns, name);
    Object.assign(obj(svc, 'spec'), { clusterIP: ip, clusterIPs: [ip] });
    return svc;
  });
}

export const systemServiceVip = (ns: string, name: string): string | undefined => SYSTEM_VIPS[`${ns}/${name}`];

export function systemDeployments(): KubeObject[] {
  return [['istio-system', 'istiod'], ['kube-system', 'coredns'], ['kube-system', 'local-path-provisioner'], ['kube-system', 'metrics-server']]
    .map(([ns, name]) => sampleObject('deployments', ns, name!));
}

/** Every pod of the cluster that is not an app or waypoint pod, by namespace. */
export function systemPods(plan: Plan): Map<string, PodRef[]> {
  const out = new Map<string, PodRef[]>();
  for (const p of [...plan.ztunnels, ...plan.cni, plan.istiod, ...plan.system]) out.set(p.namespace, [...(out.get(p.namespace) ?? []), p]);
  return out;
}

/** The cluster's namespaces as `kubectl get namespaces` lists them. */
export function namespaceObjects(seed: string, plan: Plan): KubeObject[] {
  const system = ['default', 'istio-system', 'kube-node-lease', 'kube-public', 'kube-system'].map((name) => {
    const ns = sampleObject('namespaces', undefined, name);
    // `default` runs no workload here: no ambient labels.
    if (name === 'default') ns.metadata['labels'] = { 'kubernetes.io/metadata.name': 'default' };
    return ns;
  });
  const apps = plan.namespaces.map((ns: Namespace): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      creationTimestamp: ns.created,
      labels: { 'istio.io/dataplane-mode': 'ambient', ...(ns.useWaypoint ? { 'istio.io/use-waypoint': ns.useWaypoint } : {}), 'kubernetes.io/metadata.name': ns.name },
      name: ns.name,
      resourceVersion: rvAt(ns.waypoints[0]?.created ?? ns.created, 3),
      uid: uid(seed, `ns:${ns.name}`),
    },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  }));
  return [...system, ...apps];
}

export function gatewayClasses(): KubeObject[] {
  return (sampleBundle().items('gatewayclasses') as unknown[]).map((g) => clone(g) as KubeObject);
}
