/** Editing helpers: each keeps the files of one cluster consistent with each other. */
import { type K, sortKeysDeep } from './serializers.js';
import { type Bundle, containerId, safeString, uuid } from './bundle.js';

// =====================================================================================================
// Editing helpers: each keeps the files of one cluster consistent with each other
// =====================================================================================================

export const clone = <T>(value: T): T => structuredClone(value);

/** The healthy capture: `SYNCED (14m)` counts from istiod's last push, at 09:24:41 (AuthorizationPolicy productpage-viewer). */
export const at = (hms: string) => `2025-10-14T${hms}Z`;

export function plus(ts: string, seconds: number): string {
  return new Date(Date.parse(ts) + seconds * 1000).toISOString().replace('.000Z', 'Z');
}

export const NODE_IP: Record<string, string> = { 'k3d-k3s-default-server-0': '172.18.0.2', 'k3d-k3s-default-agent-0': '172.18.0.3' };
export const SERVER = 'k3d-k3s-default-server-0';
export const AGENT = 'k3d-k3s-default-agent-0';

export const USE_WAYPOINT = 'istio.io/use-waypoint';
export const WAYPOINT_FOR = 'istio.io/waypoint-for';
export const WAYPOINT_BOUND = 'istio.io/WaypointBound';

export function waypointBound(object: K, status: 'True' | 'False', reason: string, message: string, since: string): void {
  object.status.conditions = [{ lastTransitionTime: since, message, reason, status, type: WAYPOINT_BOUND }];
}

/** What istiod writes when a binding fails, and the IST0171 line `istioctl analyze` prints for it. */
export function bindingFailed(b: Bundle, svc: K, reason: string, message: string, since: string): void {
  waypointBound(svc, 'False', reason, message, since);
  b.addAnalyze('Warning', 'IST0171', `Service ${svc.metadata.namespace}/${svc.metadata.name}`,
    `A condition with a negative status is present: type=${WAYPOINT_BOUND}, reason=${reason}, message=${message}.`);
  b.setServiceWaypoint(svc.metadata.namespace, svc.metadata.name, 'None');
}

export const notReady = (ns: string, name: string) => `waypoint "${ns}/${name}" is not ready`;

/** productpage-viewer targets Service productpage: once that Service has no waypoint, istiod says so on the policy. */
export function policyAncestorNotBound(b: Bundle): void {
  const ap = b.get('authorizationpolicies', 'default', 'productpage-viewer');
  const message = 'Service default/productpage is not bound to a waypoint';
  Object.assign(ap.status.conditions[0], { message, reason: 'AncestorNotBound', status: 'False' });
  b.addAnalyze('Warning', 'IST0171', 'AuthorizationPolicy default/productpage-viewer',
    `A condition with a negative status is present: type=WaypointAccepted, reason=AncestorNotBound, message=${message}.`);
}

/** Services of `default` that get their waypoint from the namespace label (not a waypoint's own Service). */
export function namespaceBoundServices(b: Bundle): K[] {
  return b.items('services').filter((s) => s.metadata.namespace === 'default' && !s.metadata.labels?.[USE_WAYPOINT] &&
    s.metadata.labels?.['gateway.istio.io/managed'] !== 'istio.io-mesh-controller');
}

/** Objects changed at 09:23, after the waypoints (2087) and before productpage-viewer (2152). */
let resourceVersion = 2095;
export const resetResourceVersion = () => { resourceVersion = 2095; };
export const nextRv = () => String(resourceVersion++);

export function lastApplied(manifest: K): string {
  return JSON.stringify(sortKeysDeep(manifest)) + '\n';
}

/** A pod created at `created` that became Ready at `ready`: what the kubelet writes. */
export function podStatusTimes(pod: K, created: string, ready: string): void {
  const times: Record<string, string> = {
    PodReadyToStartContainers: plus(created, 2), Initialized: created, Ready: ready, ContainersReady: ready, PodScheduled: created,
  };
  for (const c of pod.status.conditions) c.lastTransitionTime = times[c.type] ?? c.lastTransitionTime;
  pod.status.startTime = created;
  for (const cs of pod.status.containerStatuses) {
    cs.containerID = containerId(`${pod.metadata.namespace}/${pod.metadata.name}/${cs.name}`);
    if (cs.state.running) cs.state.running.startedAt = plus(ready, -1);
  }
}

export function placePod(pod: K, node: string, ip: string): void {
  pod.spec.nodeName = node;
  pod.status.hostIP = NODE_IP[node];
  pod.status.hostIPs = [{ ip: NODE_IP[node] }];
  pod.status.podIP = ip;
  pod.status.podIPs = [{ ip }];
  if (pod.spec.affinity?.nodeAffinity) pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].values = [node];
}

/** Renames the projected service-account token volume, as every new pod gets its own. */
export function renameTokenVolume(pod: K, seed: string): void {
  const old = pod.spec.volumes.find((v: K) => v.name.startsWith('kube-api-access-'))?.name;
  if (!old) return;
  const fresh = `kube-api-access-${safeString(seed, 5)}`;
  const fix = (list: K[] | undefined) => list?.forEach((m) => { if (m.name === old) m.name = fresh; });
  fix(pod.spec.volumes);
  for (const c of [...pod.spec.containers, ...(pod.spec.initContainers ?? [])]) fix(c.volumeMounts);
  for (const cs of [...pod.status.containerStatuses, ...(pod.status.initContainerStatuses ?? [])]) fix(cs.volumeMounts);
}

export interface NewPod {
  deployment: string;
  /** Fixed pod-template-hash and name suffix, when a scenario needs a known pod name. */
  hash?: string;
  suffix?: string;
  namespace?: string;
  node: string;
  ip: string;
  created: string;
  ready: string;
}

/** A new pod of a Deployment's new ReplicaSet, cloned from `template` (a pod of the same shape). */
export function newPod(template: K, p: NewPod): K {
  const ns = p.namespace ?? template.metadata.namespace;
  const hash = p.hash ?? safeString(`rs:${ns}/${p.deployment}/${p.created}`, 10);
  const name = `${p.deployment}-${hash}-${p.suffix ?? safeString(`pod:${ns}/${p.deployment}/${p.created}`, 5)}`;
  const pod = clone(template);
  const m = pod.metadata;
  m.name = name;
  m.namespace = ns;
  m.generateName = `${p.deployment}-${hash}-`;
  m.labels['pod-template-hash'] = hash;
  m.uid = uuid(`pod:${ns}/${name}`);
  m.resourceVersion = nextRv();
  m.creationTimestamp = p.created;
  m.ownerReferences = [{ ...m.ownerReferences[0], name: `${p.deployment}-${hash}`, uid: uuid(`rs:${ns}/${p.deployment}-${hash}`) }];
  renameTokenVolume(pod, name);
  placePod(pod, p.node, p.ip);
  podStatusTimes(pod, p.created, p.ready);
  return pod;
}

/** A Deployment rolled to a new ReplicaSet (new pod template): generation and revision move on. */
export function rollDeployment(dep: K, pod: K, ready: string): void {
  dep.metadata.generation += 1;
  const rev = Number(dep.metadata.annotations['deployment.kubernetes.io/revision']) + 1;
  dep.metadata.annotations['deployment.kubernetes.io/revision'] = String(rev);
  dep.metadata.resourceVersion = nextRv();
  dep.status.observedGeneration = dep.metadata.generation;
  const progressing = dep.status.conditions.find((c: K) => c.type === 'Progressing');
  progressing.lastUpdateTime = ready;
  progressing.message = `ReplicaSet "${pod.metadata.ownerReferences[0].name}" has successfully progressed.`;
}

/** A Deployment whose only pod is not ready. */
export function deploymentUnavailable(dep: K, since: string): void {
  delete dep.status.availableReplicas;
  delete dep.status.readyReplicas;
  dep.status.unavailableReplicas = 1;
  dep.metadata.resourceVersion = nextRv();
  const available = dep.status.conditions.find((c: K) => c.type === 'Available');
  Object.assign(available, {
    lastTransitionTime: since, lastUpdateTime: since, message: 'Deployment does not have minimum availability.',
    reason: 'MinimumReplicasUnavailable', status: 'False',
  });
}

/** Replaces a proxy pod everywhere a proxy appears: pods.json, proxy-status, version.json, ztunnel workloads. */
export function replaceProxyPod(b: Bundle, oldPod: K, pod: K): void {
  const ns = oldPod.metadata.namespace;
  b.remove('pods', ns, oldPod.metadata.name);
  b.add('pods', pod);
  b.renameProxy(`${oldPod.metadata.name}.${ns}`, `${pod.metadata.name}.${ns}`);
  const row = b.zwRow(ns, oldPod.metadata.name);
  row[1] = pod.metadata.name;
  row[2] = pod.status.podIP;
  row[3] = pod.spec.nodeName;
}

/**
 * The Gateway's `istio.io/waypoint-for` label changed: istiod copies Gateway labels to the waypoint's
 * Deployment (template too) and Service, so the Deployment rolls and the waypoint pod is replaced.
 */
export function relabelWaypointFor(b: Bundle, gwName: string, value: string, changed: string, ip: string): K {
  const gw = b.get('gateways', 'default', gwName);
  gw.metadata.labels = { ...gw.metadata.labels, [WAYPOINT_FOR]: value };
  gw.metadata.resourceVersion = nextRv();
  const svc = b.get('services', 'default', gwName);
  svc.metadata.labels[WAYPOINT_FOR] = value;
  svc.metadata.resourceVersion = nextRv();
  const dep = b.get('deployments', 'default', gwName);
  dep.metadata.labels[WAYPOINT_FOR] = value;
  dep.spec.template.metadata.labels[WAYPOINT_FOR] = value;
  const old = b.items('pods').find((p) => p.metadata.labels['gateway.networking.k8s.io/gateway-name'] === gwName);
  const ready = plus(changed, 5);
  const pod = newPod(old, { deployment: gwName, node: old.spec.nodeName, ip, created: plus(changed, 1), ready });
  pod.metadata.labels[WAYPOINT_FOR] = value;
  rollDeployment(dep, pod, ready);
  replaceProxyPod(b, old, pod);
  return pod;
}

/** Maps every string value of an object (deeply). */
export function mapStrings(value: K, f: (s: string) => string): K {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f));
  if (value && typeof value === 'object') {
    const out: K = {};
    for (const [k, v] of Object.entries(value)) out[k] = mapStrings(v, f);
    return out;
  }
  return value;
}

/** A waypoint named `name` in `ns`, as istiod deploys it: Gateway-owned Service, Deployment and pod. */
export function deployWaypoint(b: Bundle, ns: string, name: string, gw: K, vip: string, pod: NewPod): K {
  const rename = (s: string) =>
    s === 'waypoint' ? name
      : s === 'waypoint.$(POD_NAMESPACE)' ? `${name}.$(POD_NAMESPACE)`
        : s === 'kubernetes://apis/apps/v1/namespaces/default/deployments/waypoint' ? `kubernetes://apis/apps/v1/namespaces/${ns}/deployments/${name}`
          : s;
  const owner = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', name, uid: gw.metadata.uid };
  // `proxy waypoint` is the proxy type, not the Gateway's name.
  const proxyType = (podSpec: K) => { podSpec.containers[0].args[1] = 'waypoint'; };

  const svc = mapStrings(clone(b.get('services', 'default', 'waypoint')), rename);
  Object.assign(svc.metadata, { namespace: ns, creationTimestamp: plus(pod.created, -1), resourceVersion: nextRv(), uid: uuid(`svc:${ns}/${name}`), ownerReferences: [owner] });
  svc.spec.clusterIP = vip;
  svc.spec.clusterIPs = [vip];
  b.add('services', svc);

  const dep = mapStrings(clone(b.get('deployments', 'default', 'waypoint')), rename);
  Object.assign(dep.metadata, { namespace: ns, creationTimestamp: plus(pod.created, -1), resourceVersion: nextRv(), uid: uuid(`deploy:${ns}/${name}`), ownerReferences: [owner] });
  proxyType(dep.spec.template.spec);
  const p = newPod(mapStrings(clone(b.items('pods').find((x) => x.metadata.name.startsWith('waypoint-'))), rename), { ...pod, namespace: ns });
  proxyType(p.spec);
  const times = dep.status.conditions;
  times.find((c: K) => c.type === 'Available').lastTransitionTime = pod.ready;
  times.find((c: K) => c.type === 'Available').lastUpdateTime = pod.ready;
  Object.assign(times.find((c: K) => c.type === 'Progressing'), {
    lastTransitionTime: dep.metadata.creationTimestamp, lastUpdateTime: pod.ready,
    message: `ReplicaSet "${p.metadata.ownerReferences[0].name}" has successfully progressed.`,
  });
  b.add('deployments', dep);
  b.add('pods', p);
  return p;
}

export const WAYPOINT_PS = (id: string, istiod = 'istiod-nd49fnlq5d-mnsrx', eds = 'IGNORED') =>
  [id, 'Kubernetes', 'SYNCED (14m)', 'SYNCED (14m)', eds, 'IGNORED', 'IGNORED', istiod, '1.26.2'];

/** A waypoint Gateway as `kubectl apply` leaves it once istiod reconciled it and its pod became ready. */
export function waypointGateway(b: Bundle, ns: string, name: string, listener: K, created: string, ready: string): K {
  const gw = clone(b.get('gateways', 'default', 'waypoint'));
  const applied = { apiVersion: gw.apiVersion, kind: 'Gateway', metadata: { annotations: {}, name, namespace: ns }, spec: { gatewayClassName: 'istio-waypoint', listeners: [listener] } };
  gw.metadata = {
    annotations: { 'gateway.istio.io/controller-version': '5', 'kubectl.kubernetes.io/last-applied-configuration': lastApplied(applied) },
    creationTimestamp: created, generation: 1, name, namespace: ns, resourceVersion: nextRv(), uid: uuid(`gw:${ns}/${name}`),
  };
  // The CRD defaults an omitted allowedRoutes to `namespaces: {from: Same}`.
  gw.spec.listeners = [{ allowedRoutes: { namespaces: { from: 'Same' } }, ...listener }];
  gw.status.addresses = [{ type: 'Hostname', value: `${name}.${ns}.svc.cluster.local` }];
  for (const c of gw.status.conditions) c.lastTransitionTime = c.type === 'Programmed' ? ready : plus(created, 1);
  gw.status.conditions.find((c: K) => c.type === 'Programmed').message = `Resource programmed, assigned to service(s) ${name}.${ns}.svc.cluster.local:15008`;
  for (const c of gw.status.listeners[0].conditions) c.lastTransitionTime = plus(created, 1);
  return b.add('gateways', gw);
}

export function addNamespace(b: Bundle, name: string, created: string, labels: Record<string, string>): void {
  b.add('namespaces', {
    apiVersion: 'v1', kind: 'Namespace',
    metadata: { creationTimestamp: created, labels: { ...labels, 'kubernetes.io/metadata.name': name }, name, resourceVersion: nextRv(), uid: uuid(`ns:${name}`) },
    spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' },
  });
}

/** `kubectl apply` of a one-container Deployment like sleep's, and the pod it runs. */
export function clientDeployment(b: Bundle, ns: string, name: string, created: string, ready: string, node: string, ip: string, podLabels: Record<string, string>, podName?: { hash: string; suffix: string }): { dep: K; pod: K } {
  const dep = clone(b.get('deployments', 'default', 'sleep'));
  const applied = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { annotations: {}, labels: { app: name }, name, namespace: ns },
    spec: {
      replicas: 1, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name, ...podLabels } }, spec: { containers: [{ command: ['/bin/sleep', 'infinity'], image: 'curlimages/curl', imagePullPolicy: 'IfNotPresent', name: 'curl' }], serviceAccountName: name } },
    },
  };
  dep.metadata = {
    annotations: { 'deployment.kubernetes.io/revision': '1', 'kubectl.kubernetes.io/last-applied-configuration': lastApplied(applied) },
    creationTimestamp: created, generation: 1, labels: { app: name }, name, namespace: ns, resourceVersion: nextRv(), uid: uuid(`deploy:${ns}/${name}`),
  };
  dep.spec.selector.matchLabels = { app: name };
  dep.spec.template.metadata.labels = { app: name, ...podLabels };
  const tpl = dep.spec.template.spec;
  tpl.containers = [{ ...tpl.containers[0], name: 'curl', volumeMounts: undefined }];
  delete tpl.containers[0].volumeMounts;
  delete tpl.volumes;
  tpl.serviceAccount = tpl.serviceAccountName = name;

  const sleepPod = b.items('pods').find((p) => p.metadata.name.startsWith('sleep-'));
  const pod = newPod(sleepPod, { deployment: name, namespace: ns, node, ip, created: plus(created, 1), ready, ...podName });
  delete pod.metadata.annotations;
  pod.metadata.labels = { app: name, ...podLabels, 'pod-template-hash': pod.metadata.labels['pod-template-hash'] };
  const c = pod.spec.containers[0];
  c.name = 'curl';
  c.volumeMounts = c.volumeMounts.filter((m: K) => m.name !== 'secret-volume');
  pod.spec.volumes = pod.spec.volumes.filter((v: K) => v.name !== 'secret-volume');
  pod.spec.serviceAccount = pod.spec.serviceAccountName = name;
  const cs = pod.status.containerStatuses[0];
  cs.name = 'curl';
  cs.volumeMounts = cs.volumeMounts.filter((m: K) => m.name !== 'secret-volume');
  cs.containerID = containerId(`${ns}/${pod.metadata.name}/curl`);

  const progressing = dep.status.conditions.find((x: K) => x.type === 'Progressing');
  Object.assign(progressing, { lastTransitionTime: created, lastUpdateTime: ready, message: `ReplicaSet "${pod.metadata.ownerReferences[0].name}" has successfully progressed.` });
  Object.assign(dep.status.conditions.find((x: K) => x.type === 'Available'), { lastTransitionTime: ready, lastUpdateTime: ready });
  b.add('deployments', dep);
  b.add('pods', pod);
  return { dep, pod };
}

export const waypointPodName = (b: Bundle, gw: string, ns = 'default') =>
  b.items('pods').find((p) => p.metadata.namespace === ns && p.metadata.labels['gateway.networking.k8s.io/gateway-name'] === gw).metadata.name;
