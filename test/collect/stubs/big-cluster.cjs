'use strict';
/**
 * A big generated cluster for the stub kubectl/istioctl (stub.cjs, with STUB_CLUSTER=big): by default 20,000
 * pods, 5,000 Services and 200 waypoints (one per application namespace) on 182 nodes, each with its ztunnel,
 * in the output formats of the bookinfo sample (whose pods serve as templates). Everything is computed from
 * indexes, so one namespace or one pod costs what it holds, not what the cluster holds; only `-A` lists and
 * ztunnel's cluster-wide state build the whole cluster.
 *
 * Environment (all optional):
 *   STUB_BIG_PODS       pods in all (default 20000)
 *   STUB_BIG_SERVICES   application Services (default 5000)
 *   STUB_BIG_WAYPOINTS  application namespaces, each with one waypoint (default 200)
 *   STUB_BIG_NODES      nodes, each with a ztunnel (default 182)
 *   STUB_BIG_LOG_LINES  lines each waypoint, ztunnel and istiod log holds (default 3000)
 *   STUB_BIG_STALE      a ztunnel name (or node index) whose view misses the last namespace's workloads
 */
const fs = require('node:fs');
const path = require('node:path');

const num = (name, dflt) => {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : dflt;
};
const PODS = num('STUB_BIG_PODS', 20000);
const WAYPOINTS = num('STUB_BIG_WAYPOINTS', 200);
const SERVICES = num('STUB_BIG_SERVICES', 5000);
const NODES = num('STUB_BIG_NODES', 182);
const LOG_LINES = num('STUB_BIG_LOG_LINES', 3000);
const ISTIO_VERSION = '1.28.1';
const ISTIOD_POD = 'istiod-4t2pzj6kmp-22rfj';

const SYSTEM_PODS = 17; // kube-system
const SVC_PER_NS = Math.max(1, Math.floor(SERVICES / WAYPOINTS));
// The rest of the pods, spread over the application namespaces: one waypoint each, then the services' pods.
const POD_PER_NS = Math.max(2, Math.floor((PODS - NODES - 1 - SYSTEM_PODS) / WAYPOINTS));
const APP_PER_NS = POD_PER_NS - 1;

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
/** A deterministic name suffix of `len` characters from a number (as ReplicaSet/pod hashes look). */
function suffix(n, len) {
  let s = '';
  let x = Math.imul(n + 0x9e3779b9, 0x85ebca6b) >>> 0;
  for (let i = 0; i < len; i++) {
    x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
    x = (x ^ (x >>> 16)) >>> 0;
    s += ALPHABET[x % ALPHABET.length];
  }
  return s;
}
const pad = (n, w) => String(n).padStart(w, '0');
const nsName = (i) => `app-${pad(i, 3)}`;
const nodeName = (n) => `node-${pad(n, 3)}`;
const svcName = (s) => `svc-${pad(s, 2)}`;
const uid = (kind, a, b) => {
  const h = (x) => ((x * 2246822519 + kind * 3266489917) >>> 0).toString(16).padStart(8, '0');
  return `${h(a + 1)}-${h(b + 7).slice(0, 4)}-4${h(a ^ b).slice(1, 4)}-a${h(a + b).slice(1, 4)}-${h(b * 31 + a)}${h(a * 17 + b).slice(0, 4)}`;
};
const ip = (base, n) => `${base}.${(n >> 8) & 255}.${n & 255}`;
const nodeIp = (n) => `10.0.${(n >> 8) & 255}.${n & 255}`;

let templates;
function tpl() {
  if (templates) return templates;
  const sample = process.env.STUB_SAMPLE || path.join(__dirname, '..', '..', '..', 'samples', 'bookinfo-broken');
  const pods = JSON.parse(fs.readFileSync(path.join(sample, 'kubectl', 'pods.json'), 'utf8')).items;
  const find = (name) => pods.find((p) => p.metadata.name.startsWith(name));
  templates = {
    app: find('productpage-v1'),
    waypoint: find('waypoint-'),
    ztunnel: find('ztunnel-'),
    istiod: find('istiod-'),
    system: find('coredns-'),
    cert: fs.readFileSync(path.join(__dirname, 'cert.pem'), 'utf8'),
  };
  return templates;
}

// ---------------------------------------------------------------------------------------------------------------
// Pods

const ztunnelName = (n) => `ztunnel-${suffix(n + 500000, 5)}`;
const waypointPodName = (i) => `waypoint-${suffix(i + 300000, 10)}-${suffix(i + 400000, 5)}`;
/** Pod j (0-based, after the waypoint) of namespace i: its service, node and global number. */
function appPodInfo(i, j) {
  const s = j % SVC_PER_NS;
  const g = i * APP_PER_NS + j;
  return { s, g, node: g % NODES, name: `${svcName(s)}-${suffix(i * 1000 + s, 10)}-${suffix(g + 100000, 5)}` };
}

function appPod(i, j) {
  const t = tpl().app;
  const { s, g, node, name } = appPodInfo(i, j);
  const app = svcName(s);
  const rs = `${app}-${suffix(i * 1000 + s, 10)}`;
  const podIp = ip('10.1', g + 2);
  return {
    ...t,
    metadata: {
      ...t.metadata,
      creationTimestamp: '2025-10-14T09:11:07Z',
      generateName: `${rs}-`,
      labels: { app, 'pod-template-hash': suffix(i * 1000 + s, 10), version: 'v1' },
      name,
      namespace: nsName(i),
      ownerReferences: [{ ...t.metadata.ownerReferences[0], name: rs, uid: uid(2, i, s) }],
      resourceVersion: String(100000 + g),
      uid: uid(1, i, j),
    },
    spec: {
      ...t.spec,
      containers: [{ ...t.spec.containers[0], name: app, image: `registry.example.com/shop/${app}:2.4.1`, ports: [{ containerPort: 8080, protocol: 'TCP' }, { containerPort: 9090, protocol: 'TCP' }] }],
      nodeName: nodeName(node),
      serviceAccount: app,
      serviceAccountName: app,
    },
    status: {
      ...t.status,
      containerStatuses: [{ ...t.status.containerStatuses[0], name: app, image: `registry.example.com/shop/${app}:2.4.1`, containerID: `containerd://${uid(3, i, j).replace(/-/g, '')}${uid(4, j, i).replace(/-/g, '')}` }],
      hostIP: nodeIp(node),
      hostIPs: [{ ip: nodeIp(node) }],
      podIP: podIp,
      podIPs: [{ ip: podIp }],
    },
  };
}

const waypointNode = (i) => (i * 7) % NODES;
function waypointPod(i) {
  const t = tpl().waypoint;
  const name = waypointPodName(i);
  const podIp = ip('10.2', i + 2);
  return {
    ...t,
    metadata: {
      ...t.metadata,
      generateName: `${name.slice(0, name.lastIndexOf('-'))}-`,
      labels: { ...t.metadata.labels, 'pod-template-hash': name.split('-')[1] },
      name,
      namespace: nsName(i),
      ownerReferences: [{ ...t.metadata.ownerReferences[0], name: name.slice(0, name.lastIndexOf('-')), uid: uid(5, i, 0) }],
      uid: uid(6, i, 0),
    },
    spec: { ...t.spec, nodeName: nodeName(waypointNode(i)) },
    status: { ...t.status, hostIP: nodeIp(waypointNode(i)), hostIPs: [{ ip: nodeIp(waypointNode(i)) }], podIP: podIp, podIPs: [{ ip: podIp }] },
  };
}

function ztunnelPod(n) {
  const t = tpl().ztunnel;
  const podIp = ip('10.3', n + 2);
  return {
    ...t,
    metadata: { ...t.metadata, name: ztunnelName(n), uid: uid(7, n, 0), generateName: 'ztunnel-' },
    spec: { ...t.spec, nodeName: nodeName(n) },
    status: { ...t.status, hostIP: nodeIp(n), hostIPs: [{ ip: nodeIp(n) }], podIP: podIp, podIPs: [{ ip: podIp }] },
  };
}

function istiodPod() {
  const t = tpl().istiod;
  return { ...t, spec: { ...t.spec, nodeName: nodeName(0) }, status: { ...t.status, hostIP: nodeIp(0), hostIPs: [{ ip: nodeIp(0) }] } };
}

function systemPod(k) {
  const t = tpl().system;
  const name = `${['coredns', 'kube-proxy', 'metrics-server', 'ebs-csi-node', 'aws-node'][k % 5]}-${suffix(k + 700000, 10)}-${suffix(k + 800000, 5)}`;
  return {
    ...t,
    metadata: { ...t.metadata, name, uid: uid(8, k, 0) },
    spec: { ...t.spec, nodeName: nodeName(k % NODES) },
  };
}

/** Pods of one namespace, or of all (undefined). */
function pods(ns) {
  if (ns === undefined) return ['kube-system', 'istio-system', ...Array.from({ length: WAYPOINTS }, (_, i) => nsName(i))].flatMap((n) => pods(n));
  if (ns === 'kube-system') return Array.from({ length: SYSTEM_PODS }, (_, k) => systemPod(k));
  if (ns === 'istio-system') return [istiodPod(), ...Array.from({ length: NODES }, (_, n) => ztunnelPod(n))];
  const i = appNs(ns);
  if (i < 0) return [];
  return [waypointPod(i), ...Array.from({ length: APP_PER_NS }, (_, j) => appPod(i, j))];
}

function appNs(ns) {
  const m = /^app-(\d{3})$/.exec(ns);
  const i = m ? Number(m[1]) : -1;
  return i >= 0 && i < WAYPOINTS ? i : -1;
}

function podByName(ns, name) {
  if (ns === 'istio-system') {
    if (name === ISTIOD_POD) return istiodPod();
    const m = /^ztunnel-/.test(name) ? Array.from({ length: NODES }, (_, n) => n).find((n) => ztunnelName(n) === name) : undefined;
    return m === undefined ? undefined : ztunnelPod(m);
  }
  const i = appNs(ns);
  if (i < 0) return pods(ns).find((p) => p.metadata.name === name);
  if (name === waypointPodName(i)) return waypointPod(i);
  for (let j = 0; j < APP_PER_NS; j++) if (appPodInfo(i, j).name === name) return appPod(i, j);
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Namespaces, Services, Gateways and the rest

const namespaceObj = (name, labels = {}) => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { creationTimestamp: '2025-10-14T09:02:09Z', labels: { 'kubernetes.io/metadata.name': name, ...labels }, name, resourceVersion: '1', uid: uid(9, name.length, name.charCodeAt(name.length - 1)) },
  spec: { finalizers: ['kubernetes'] },
  status: { phase: 'Active' },
});

function namespaces() {
  return [
    ...['default', 'istio-system', 'kube-node-lease', 'kube-public', 'kube-system'].map((n) => namespaceObj(n)),
    ...Array.from({ length: WAYPOINTS }, (_, i) => namespaceObj(nsName(i), { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' })),
  ];
}

const svcIp = (i, s) => ip('10.96', i * SVC_PER_NS + s + 20);
function appService(i, s) {
  const name = svcName(s);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { creationTimestamp: '2025-10-14T09:10:11Z', labels: { app: name, service: name }, name, namespace: nsName(i), resourceVersion: String(50000 + i * SVC_PER_NS + s), uid: uid(10, i, s) },
    spec: {
      clusterIP: svcIp(i, s),
      clusterIPs: [svcIp(i, s)],
      internalTrafficPolicy: 'Cluster',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP', targetPort: 8080 }, { name: 'grpc', port: 9090, protocol: 'TCP', targetPort: 9090 }],
      selector: { app: name },
      sessionAffinity: 'None',
      type: 'ClusterIP',
    },
    status: {
      conditions: [{ lastTransitionTime: '2025-10-14T09:20:41Z', message: `Successfully attached to waypoint ${nsName(i)}/waypoint`, reason: 'WaypointAccepted', status: 'True', type: 'istio.io/WaypointBound' }],
      loadBalancer: {},
    },
  };
}

function waypointService(i) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { creationTimestamp: '2025-10-14T09:10:01Z', labels: { 'gateway.istio.io/managed': 'istio.io-mesh-controller', 'gateway.networking.k8s.io/gateway-name': 'waypoint', 'istio.io/dataplane-mode': 'none' }, name: 'waypoint', namespace: nsName(i), resourceVersion: String(40000 + i), uid: uid(11, i, 0) },
    spec: {
      clusterIP: ip('10.97', i + 2),
      clusterIPs: [ip('10.97', i + 2)],
      ports: [{ appProtocol: 'tcp', name: 'status-port', port: 15021, protocol: 'TCP', targetPort: 15021 }, { appProtocol: 'all', name: 'mesh', port: 15008, protocol: 'TCP', targetPort: 15008 }],
      selector: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' },
      type: 'ClusterIP',
    },
    status: { loadBalancer: {} },
  };
}

function services(ns) {
  if (ns === undefined) return ['istio-system', 'kube-system', ...Array.from({ length: WAYPOINTS }, (_, i) => nsName(i))].flatMap((n) => services(n));
  const i = appNs(ns);
  if (i >= 0) return [waypointService(i), ...Array.from({ length: SVC_PER_NS }, (_, s) => appService(i, s))];
  return [];
}

function endpointSlices(ns) {
  if (ns === undefined) return Array.from({ length: WAYPOINTS }, (_, i) => nsName(i)).flatMap((n) => endpointSlices(n));
  const i = appNs(ns);
  if (i < 0) return [];
  const byService = new Map();
  for (let j = 0; j < APP_PER_NS; j++) {
    const info = appPodInfo(i, j);
    if (!byService.has(info.s)) byService.set(info.s, []);
    byService.get(info.s).push({ ...info, j });
  }
  return [...byService].map(([s, members]) => ({
    addressType: 'IPv4',
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      creationTimestamp: '2025-10-14T09:10:11Z',
      generateName: `${svcName(s)}-`,
      labels: { 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io', 'kubernetes.io/service-name': svcName(s) },
      name: `${svcName(s)}-${suffix(i * 100 + s, 5)}`,
      namespace: ns,
      ownerReferences: [{ apiVersion: 'v1', blockOwnerDeletion: true, controller: true, kind: 'Service', name: svcName(s), uid: uid(10, i, s) }],
      resourceVersion: String(60000 + i * SVC_PER_NS + s),
      uid: uid(12, i, s),
    },
    endpoints: members.map((m) => ({
      addresses: [ip('10.1', m.g + 2)],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: nodeName(m.node),
      targetRef: { kind: 'Pod', name: m.name, namespace: ns, uid: uid(1, i, m.j) },
    })),
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'grpc', port: 9090, protocol: 'TCP' }],
  }));
}

function deployments(ns) {
  if (ns === undefined) return Array.from({ length: WAYPOINTS }, (_, i) => nsName(i)).flatMap((n) => deployments(n));
  const i = appNs(ns);
  if (i < 0) return undefined;
  const t = tpl().app;
  return Array.from({ length: SVC_PER_NS }, (_, s) => {
    const app = svcName(s);
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { annotations: { 'deployment.kubernetes.io/revision': '1' }, creationTimestamp: '2025-10-14T09:10:11Z', generation: 1, labels: { app }, name: app, namespace: ns, resourceVersion: String(70000 + i * SVC_PER_NS + s), uid: uid(13, i, s) },
      spec: {
        progressDeadlineSeconds: 600,
        replicas: 4,
        revisionHistoryLimit: 10,
        selector: { matchLabels: { app } },
        strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' },
        template: { metadata: { labels: { app, version: 'v1' } }, spec: { ...t.spec, nodeName: undefined, containers: [{ ...t.spec.containers[0], name: app, image: `registry.example.com/shop/${app}:2.4.1` }] } },
      },
      status: { availableReplicas: 4, observedGeneration: 1, readyReplicas: 4, replicas: 4, updatedReplicas: 4 },
    };
  });
}

function events(ns) {
  if (ns === undefined) return Array.from({ length: WAYPOINTS }, (_, i) => nsName(i)).flatMap((n) => events(n));
  const i = appNs(ns);
  if (i < 0) return [];
  return Array.from({ length: 12 }, (_, k) => {
    const { name } = appPodInfo(i, k);
    return {
      apiVersion: 'v1',
      kind: 'Event',
      count: 1 + (k % 3),
      firstTimestamp: '2025-10-14T09:40:00Z',
      lastTimestamp: '2025-10-14T09:58:00Z',
      involvedObject: { apiVersion: 'v1', kind: 'Pod', name, namespace: ns, uid: uid(1, i, k) },
      message: k % 4 === 0 ? 'Readiness probe failed: HTTP probe failed with statuscode: 503' : `Successfully pulled image "registry.example.com/shop/${svcName(k % SVC_PER_NS)}:2.4.1" in 1.204s`,
      metadata: { creationTimestamp: '2025-10-14T09:40:00Z', name: `${name}.${suffix(i * 50 + k, 16)}`, namespace: ns, resourceVersion: String(90000 + i * 12 + k), uid: uid(14, i, k) },
      reason: k % 4 === 0 ? 'Unhealthy' : 'Pulled',
      reportingComponent: 'kubelet',
      reportingInstance: nodeName(appPodInfo(i, k).node),
      source: { component: 'kubelet', host: nodeName(appPodInfo(i, k).node) },
      type: k % 4 === 0 ? 'Warning' : 'Normal',
    };
  });
}

function gateways() {
  return Array.from({ length: WAYPOINTS }, (_, i) => ({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { annotations: { 'gateway.istio.io/controller-version': '5' }, creationTimestamp: '2025-10-14T09:10:00Z', generation: 1, labels: { 'istio.io/waypoint-for': 'service' }, name: 'waypoint', namespace: nsName(i), resourceVersion: String(30000 + i), uid: uid(15, i, 0) },
    spec: { gatewayClassName: 'istio-waypoint', listeners: [{ allowedRoutes: { namespaces: { from: 'Same' } }, name: 'mesh', port: 15008, protocol: 'HBONE' }] },
    status: {
      addresses: [{ type: 'IPAddress', value: ip('10.97', i + 2) }],
      conditions: [
        { lastTransitionTime: '2025-10-14T09:10:01Z', message: 'Resource accepted', observedGeneration: 1, reason: 'Accepted', status: 'True', type: 'Accepted' },
        { lastTransitionTime: '2025-10-14T09:10:05Z', message: `Resource programmed, assigned to service(s) waypoint.${nsName(i)}.svc.cluster.local:15008`, observedGeneration: 1, reason: 'Programmed', status: 'True', type: 'Programmed' },
      ],
      listeners: [{ attachedRoutes: 0, conditions: [{ lastTransitionTime: '2025-10-14T09:10:01Z', message: 'No errors found', observedGeneration: 1, reason: 'Accepted', status: 'True', type: 'Accepted' }], name: 'mesh', supportedKinds: [] }],
    },
  }));
}

function authorizationPolicies(ns) {
  const all = Array.from({ length: WAYPOINTS }, (_, i) => ({
    apiVersion: 'security.istio.io/v1',
    kind: 'AuthorizationPolicy',
    metadata: { creationTimestamp: '2025-10-14T09:30:00Z', generation: 1, name: 'allow-frontend', namespace: nsName(i), resourceVersion: String(80000 + i), uid: uid(16, i, 0) },
    spec: { action: 'ALLOW', rules: [{ from: [{ source: { namespaces: [nsName(i), 'istio-system'] } }] }], targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' }] },
  }));
  return ns === undefined ? all : all.filter((p) => p.metadata.namespace === ns);
}

// ---------------------------------------------------------------------------------------------------------------
// ztunnel's view: the same everywhere (but for STUB_BIG_STALE), certificates per node.

function isStale(ztunnel) {
  const stale = process.env.STUB_BIG_STALE;
  if (!stale || !ztunnel) return false;
  return ztunnel.metadata.name === stale || (/^\d+$/.test(stale) && ztunnel.spec.nodeName === nodeName(Number(stale)));
}

/** [namespace, name, address, node, waypoint, protocol] for every workload ztunnel knows. */
function workloadRows(ztunnel) {
  const rows = [];
  for (let k = 0; k < SYSTEM_PODS; k++) rows.push(['kube-system', systemPod(k).metadata.name, ip('10.4', k + 2), nodeName(k % NODES), 'None', 'TCP']);
  rows.push(['istio-system', ISTIOD_POD, '10.3.250.2', nodeName(0), 'None', 'TCP']);
  for (let n = 0; n < NODES; n++) rows.push(['istio-system', ztunnelName(n), ip('10.3', n + 2), nodeName(n), 'None', 'TCP']);
  const last = isStale(ztunnel) ? WAYPOINTS - 1 : WAYPOINTS;
  for (let i = 0; i < last; i++) {
    rows.push([nsName(i), waypointPodName(i), ip('10.2', i + 2), nodeName(waypointNode(i)), 'None', 'TCP']);
    for (let j = 0; j < APP_PER_NS; j++) {
      const info = appPodInfo(i, j);
      rows.push([nsName(i), info.name, ip('10.1', info.g + 2), nodeName(info.node), 'None', 'HBONE']);
    }
  }
  return rows.sort((a, b) => (a[0] + '.' + a[1] < b[0] + '.' + b[1] ? -1 : a[0] + '.' + a[1] > b[0] + '.' + b[1] ? 1 : 0));
}

/** [namespace, name, vip, waypoint, endpoints] for every Service. */
function serviceRows() {
  const rows = [['istio-system', 'istiod', '10.96.0.20', 'None', '1/1'], ['kube-system', 'kube-dns', '10.96.0.10', 'None', '2/2']];
  const counts = new Array(SVC_PER_NS).fill(0);
  for (let j = 0; j < APP_PER_NS; j++) counts[j % SVC_PER_NS]++;
  for (let i = 0; i < WAYPOINTS; i++) {
    for (let s = 0; s < SVC_PER_NS; s++) rows.push([nsName(i), svcName(s), svcIp(i, s), 'waypoint', `${counts[s]}/${counts[s]}`]);
    rows.push([nsName(i), 'waypoint', ip('10.97', i + 2), 'None', '1/1']);
  }
  return rows.sort((a, b) => (a[0] + '.' + a[1] < b[0] + '.' + b[1] ? -1 : a[0] + '.' + a[1] > b[0] + '.' + b[1] ? 1 : 0));
}

/** The service accounts of the pods on a node. */
function accountsOn(node) {
  const accounts = new Set();
  for (let i = 0; i < WAYPOINTS; i++) {
    for (let j = 0; j < APP_PER_NS; j++) {
      const info = appPodInfo(i, j);
      if (nodeName(info.node) === node) accounts.add(`spiffe://cluster.local/ns/${nsName(i)}/sa/${svcName(info.s)}`);
    }
  }
  return [...accounts].sort();
}

function workloadTable(tabwrite, ztunnel) {
  return tabwrite([['NAMESPACE', 'POD NAME', 'ADDRESS', 'NODE', 'WAYPOINT', 'PROTOCOL'], ...workloadRows(ztunnel)], 1);
}
function serviceTable(tabwrite) {
  return tabwrite([['NAMESPACE', 'SERVICE NAME', 'SERVICE VIP', 'WAYPOINT', 'ENDPOINTS'], ...serviceRows()], 1);
}
function policyTable(tabwrite) {
  return tabwrite([['NAMESPACE', 'POLICY NAME', 'ACTION', 'SCOPE'], ...Array.from({ length: WAYPOINTS }, (_, i) => [nsName(i), 'allow-frontend', 'Allow', 'Global'])], 1);
}
function certificateTable(tabwrite, ztunnel) {
  const rows = [['CERTIFICATE NAME', 'TYPE', 'STATUS', 'VALID CERT', 'SERIAL NUMBER', 'NOT AFTER', 'NOT BEFORE']];
  accountsOn(ztunnel.spec.nodeName).forEach((sa, k) => {
    rows.push([sa, 'Leaf', 'Available', 'true', (0x5c7f3a2e1d0b4c6a8e9f1a2b3c4d5e60n + BigInt(k)).toString(16), '2025-10-15T10:01:12Z', '2025-10-14T10:01:12Z']);
    rows.push([sa, 'Root', 'Available', 'true', '2ba33e4ad2f0f1dfb1b3d3c1ee39b7c0', '2035-10-12T09:05:45Z', '2025-10-14T09:05:45Z']);
  });
  return tabwrite(rows, 5);
}

/** `ztunnel-config all <pod> -o json`: ztunnel's whole config dump. */
function ztunnelDump(ztunnel) {
  const cert = tpl().cert;
  const workloads = workloadRows(ztunnel).map(([namespace, name, address, node, , protocol]) => {
    const m = /^(svc-\d\d)-/.exec(name);
    return {
      workloadIps: [address],
      protocol,
      networkMode: 'Standard',
      uid: `Kubernetes//Pod/${namespace}/${name}`,
      name,
      namespace,
      trustDomain: 'cluster.local',
      serviceAccount: m ? m[1] : 'default',
      workloadName: name.replace(/-[a-z0-9]+-[a-z0-9]+$/, ''),
      workloadType: 'deployment',
      canonicalName: m ? m[1] : name.replace(/-[a-z0-9]+-[a-z0-9]+$/, ''),
      canonicalRevision: 'v1',
      node,
      status: 'Healthy',
      clusterId: 'Kubernetes',
      ...(m ? { services: [`${namespace}/${m[1]}.${namespace}.svc.cluster.local`] } : {}),
      capacity: 1,
    };
  });
  const svcs = serviceRows().map(([namespace, name, vip, waypoint]) => {
    const svc = {
      name,
      namespace,
      hostname: `${name}.${namespace}.svc.cluster.local`,
      vips: [`/${vip}`],
      ports: name === 'waypoint' ? { 15008: 15008, 15021: 15021 } : { 8080: 8080, 9090: 9090 },
      endpoints: {},
      subjectAltNames: [],
    };
    if (waypoint !== 'None') svc.waypoint = { destination: `${namespace}/${waypoint}.${namespace}.svc.cluster.local`, hboneMtlsPort: 15008 };
    svc.ipFamilies = 'IPv4Only';
    return svc;
  });
  // Endpoints by service, from the workloads (pods of svc-NN in namespace i).
  const byHost = new Map(svcs.map((s) => [`${s.namespace}/${s.hostname}`, s]));
  for (const w of workloads) for (const h of w.services || []) {
    const s = byHost.get(h);
    if (s) s.endpoints[w.uid] = { workloadUid: w.uid, port: {}, status: 'Healthy' };
  }
  return {
    workloads,
    services: svcs,
    policies: Array.from({ length: WAYPOINTS }, (_, i) => ({ name: 'allow-frontend', namespace: nsName(i), scope: 'Global', action: 'Allow', rules: [[[{ namespaces: [{ Exact: nsName(i) }, { Exact: 'istio-system' }] }]]], dryRun: false })),
    stagedServices: {},
    staticConfig: { workloads: [], policies: [], services: [] },
    version: { version: ISTIO_VERSION, gitRevision: '5a3e1f0c9b7d2e4a6c8f0b1d3e5a7c9f2b4d6e8a', rustVersion: '1.88.0', buildProfile: 'release', buildStatus: 'Clean', istioVersion: ISTIO_VERSION },
    config: { proxyMode: 'Shared', localNode: ztunnel.spec.nodeName, clusterId: 'Kubernetes', clusterDomain: 'cluster.local', caAddress: 'https://istiod.istio-system.svc:15012', xdsAddress: 'https://istiod.istio-system.svc:15012', dnsProxy: true },
    certificates: accountsOn(ztunnel.spec.nodeName).map((identity) => ({
      identity,
      state: 'Available',
      certChain: [{ pem: cert, serialNumber: '405763224810529946453180937040372917346', validFrom: '2025-10-14T10:01:12Z', expirationTime: '2025-10-15T10:01:12Z' }],
      rootCerts: [{ pem: cert, serialNumber: '57982744513843427089414427536396474304', validFrom: '2025-10-14T09:05:45Z', expirationTime: '2035-10-12T09:05:45Z' }],
    })),
  };
}

/** What fetching a ztunnel's config dump moves (every `ztunnel-config` call fetches it whole), in bytes. */
function ztunnelDumpBytes() {
  return WAYPOINTS * POD_PER_NS * 720 + WAYPOINTS * SVC_PER_NS * 1000 + WAYPOINTS * 400;
}

/** The Services a waypoint serves (for its Envoy config dump). */
function boundServices(ns) {
  const i = appNs(ns);
  return i < 0 ? [] : Array.from({ length: SVC_PER_NS }, (_, s) => appService(i, s));
}

// ---------------------------------------------------------------------------------------------------------------
// istioctl tables and logs

function proxyStatusText(tabwrite) {
  const header = ['NAME', 'CLUSTER', 'CDS', 'ECDS', 'EDS', 'LDS', 'RDS', 'WADS', 'WDS', 'ISTIOD', 'VERSION'];
  const rows = [];
  for (let i = 0; i < WAYPOINTS; i++) rows.push([`${waypointPodName(i)}.${nsName(i)}`, 'Kubernetes', 'SYNCED (12m)', 'IGNORED', 'SYNCED (12m)', 'SYNCED (12m)', 'IGNORED', 'IGNORED', 'IGNORED', ISTIOD_POD, ISTIO_VERSION]);
  for (let n = 0; n < NODES; n++) rows.push([`${ztunnelName(n)}.istio-system`, 'Kubernetes', 'IGNORED', 'IGNORED', 'IGNORED', 'IGNORED', 'IGNORED', 'SYNCED (12m)', 'SYNCED (12m)', ISTIOD_POD, ISTIO_VERSION]);
  rows.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return tabwrite([header, ...rows], 5);
}

const logTime = (k) => {
  const t = new Date(Date.UTC(2025, 9, 14, 9, 0, 0) + k * 1170);
  return t.toISOString().replace('Z', '000Z').replace(/\.(\d{3})000Z$/, (m, ms) => `.${ms}${String(k % 1000).padStart(3, '0')}Z`);
};

function waypointLog(pod) {
  const ns = pod.metadata.namespace;
  const i = appNs(ns);
  const lines = [
    `${logTime(0)}\tinfo\tFLAG: --concurrency="0"`,
    `${logTime(1)}\tinfo\tVersion 1.28.1-0c2e6d7d9a4fd4a1c7e3b0f5c8d2e9a1b6c4f3e2-Clean`,
    `${logTime(2)}\tinfo\tProxy role\tips=[${pod.status.podIP}] type=router id=${pod.metadata.name}.${ns} domain=${ns}.svc.cluster.local`,
    `${logTime(3)}\tinfo\tEnvoy proxy is ready`,
  ];
  for (let k = 4; lines.length < LOG_LINES; k++) {
    const s = k % SVC_PER_NS;
    const status = k % 97 === 0 ? '503 UF upstream_reset_before_response_started{connection_failure}' : k % 53 === 0 ? '403 - rbac_access_denied_matched_policy[none]' : '200 - via_upstream';
    const dst = appPodInfo(i, (k * 3) % APP_PER_NS);
    lines.push(
      `[${logTime(k).slice(0, 23)}Z] "GET /api/v1/items/${k % 1000} HTTP/1.1" ${status} - "-" 0 ${1800 + (k % 200)} ${4 + (k % 9)} ${3 + (k % 7)} "-" "shop-client/2.4" ` +
        `"6f3c2a1b-9d8e-4f7a-b6c5-${String(100000000000 + k)}" "${svcName(s)}.${ns}:8080" "envoy://connect_originate/${ip('10.1', dst.g + 2)}:8080" ` +
        `inbound-vip|8080|http|${svcName(s)}.${ns}.svc.cluster.local envoy://internal_client_address/ ${svcIp(i, s)}:8080 ${ip('10.1', (k * 7) % 19000 + 2)}:${40000 + (k % 20000)} - default`,
    );
  }
  return lines;
}

function ztunnelLog(pod) {
  const node = pod.spec.nodeName;
  const lines = [
    `${logTime(0)}\tinfo\tztunnel\tversion: version.BuildInfo{Version:"1.28.1", GitRevision:"5a3e1f0c9b7d2e4a6c8f0b1d3e5a7c9f2b4d6e8a", RustVersion:"1.88.0", BuildProfile:"release", BuildStatus:"Clean", GitTag:"1.28.1", IstioVersion:"1.28.1"}`,
    `${logTime(1)}\tinfo\tapp\tin-pod mode enabled`,
    `${logTime(2)}\tinfo\txds::client:xds{id=1}\tStream established`,
  ];
  const n = Number(node.slice(5));
  for (let k = 3; lines.length < LOG_LINES; k++) {
    const g = (n + NODES * k) % (WAYPOINTS * APP_PER_NS);
    const i = Math.floor(g / APP_PER_NS);
    const src = appPodInfo(i, g % APP_PER_NS);
    const s = k % SVC_PER_NS;
    lines.push(
      `${logTime(k)}\tinfo\taccess\tconnection complete\tsrc.addr=${ip('10.1', src.g + 2)}:${51000 + (k % 9000)} src.workload="${src.name}" src.namespace="${nsName(i)}" ` +
        `src.identity="spiffe://cluster.local/ns/${nsName(i)}/sa/${svcName(src.s)}" dst.addr=${ip('10.2', i + 2)}:15008 dst.hbone_addr=${svcIp(i, s)}:8080 ` +
        `dst.service="${svcName(s)}.${nsName(i)}.svc.cluster.local" dst.workload="${waypointPodName(i)}" dst.namespace="${nsName(i)}" ` +
        `dst.identity="spiffe://cluster.local/ns/${nsName(i)}/sa/waypoint" direction="outbound" bytes_sent=84 bytes_recv=${1800 + (k % 300)} duration="${3 + (k % 11)}ms"`,
    );
  }
  return lines;
}

function istiodLog() {
  const lines = [`${logTime(0)}\tinfo\tFLAG: --domain="cluster.local"`, `${logTime(1)}\tinfo\tmesh configuration: accessLogFile: /dev/stdout`];
  for (let k = 2; lines.length < LOG_LINES; k++) {
    const i = k % WAYPOINTS;
    if (k % 3 === 0) lines.push(`${logTime(k)}\tinfo\tads\tCDS: PUSH request for node:${waypointPodName(i)}.${nsName(i)} resources:${SVC_PER_NS * 2 + 3} size:${40 + (k % 9)}.1kB`);
    else if (k % 3 === 1) lines.push(`${logTime(k)}\tinfo\tads\tPush debounce stable[${k}] 1 for config Service/${nsName(i)}/${svcName(k % SVC_PER_NS)}: 100.4ms since last change, 100.4ms since last push, full=true`);
    else lines.push(`${logTime(k)}\tinfo\tads\tXDS: Pushing Services:${WAYPOINTS * SVC_PER_NS} ConnectedEndpoints:${WAYPOINTS + NODES} Version:2025-10-14T10:04:00Z/${k}`);
  }
  return lines;
}

module.exports = {
  ISTIOD_POD,
  pods,
  podByName,
  namespaces,
  services,
  endpointSlices,
  deployments,
  events,
  gateways,
  authorizationPolicies,
  waypointPods: () => Array.from({ length: WAYPOINTS }, (_, i) => waypointPod(i)),
  ztunnelPods: () => Array.from({ length: NODES }, (_, n) => ztunnelPod(n)),
  workloadTable,
  serviceTable,
  policyTable,
  certificateTable,
  ztunnelDump,
  ztunnelDumpBytes,
  boundServices,
  proxyStatusText,
  waypointLog,
  ztunnelLog,
  istiodLog,
};
