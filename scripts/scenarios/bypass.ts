/** Scenarios WP015-WP020: traffic that never reaches the waypoint, and ztunnel that cannot resolve it. */
import type { K } from './serializers.js';
import { type Bundle, GWS, NSS, PODS, PS, SVC, type Scenario, ZS, ZW, containerId, uuid } from './bundle.js';
import { AGENT, SERVER, USE_WAYPOINT, WAYPOINT_BOUND, addNamespace, at, clientDeployment, lastApplied, nextRv, plus } from './edits.js';

/** A sidecar-injected pod as istiod 1.26's injector writes it (istio-cni present, so istio-validation). */
export function injectSidecar(pod: K, dep: K, b: Bundle): void {
  const ns = pod.metadata.namespace;
  const name = dep.metadata.name;
  const waypointPod = b.items('pods').find((p) => p.metadata.name.startsWith('waypoint-'));
  const wp = waypointPod.spec.containers[0];
  const status = { initContainers: ['istio-validation'], containers: ['istio-proxy'], volumes: ['workload-socket', 'credential-socket', 'workload-certs', 'istio-envoy', 'istio-data', 'istio-podinfo', 'istio-token', 'istiod-ca-cert'], imagePullSecrets: null, revision: 'default' };
  pod.metadata.annotations = {
    'istio.io/rev': 'default',
    'kubectl.kubernetes.io/default-container': 'curl',
    'kubectl.kubernetes.io/default-logs-container': 'curl',
    'prometheus.io/path': '/stats/prometheus',
    'prometheus.io/port': '15020',
    'prometheus.io/scrape': 'true',
    'sidecar.istio.io/interceptionMode': 'REDIRECT',
    'sidecar.istio.io/status': JSON.stringify(status),
    'traffic.sidecar.istio.io/excludeInboundPorts': '15020',
    'traffic.sidecar.istio.io/includeInboundPorts': '*',
    'traffic.sidecar.istio.io/includeOutboundIPRanges': '*',
  };
  Object.assign(pod.metadata.labels, {
    'security.istio.io/tlsMode': 'istio', 'service.istio.io/canonical-name': name, 'service.istio.io/canonical-revision': 'latest',
  });
  const token = pod.spec.volumes.find((v: K) => v.name.startsWith('kube-api-access-')).name;
  const env = (n: string) => wp.env.find((e: K) => e.name === n);
  const proxyMounts = [
    { mountPath: '/var/run/secrets/workload-spiffe-uds', name: 'workload-socket' },
    { mountPath: '/var/run/secrets/credential-uds', name: 'credential-socket' },
    { mountPath: '/var/run/secrets/workload-spiffe-credentials', name: 'workload-certs' },
    { mountPath: '/var/run/secrets/istio', name: 'istiod-ca-cert' },
    { mountPath: '/var/lib/istio/data', name: 'istio-data' },
    { mountPath: '/etc/istio/proxy', name: 'istio-envoy' },
    { mountPath: '/var/run/secrets/tokens', name: 'istio-token' },
    { mountPath: '/etc/istio/pod', name: 'istio-podinfo' },
    { mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', name: token, readOnly: true },
  ];
  const proxy = {
    args: ['proxy', 'sidecar', '--domain', '$(POD_NAMESPACE).svc.cluster.local', '--proxyLogLevel=warning', '--proxyComponentLogLevel=misc:error', '--log_output_level=default:info'],
    env: [
      env('PILOT_CERT_PROVIDER'), env('CA_ADDR'), env('POD_NAME'), env('POD_NAMESPACE'), env('INSTANCE_IP'), env('SERVICE_ACCOUNT'), env('HOST_IP'), env('ISTIO_CPU_LIMIT'), env('PROXY_CONFIG'),
      { name: 'ISTIO_META_POD_PORTS', value: '[\n]' },
      { name: 'ISTIO_META_APP_CONTAINERS', value: 'curl' },
      env('GOMEMLIMIT'), env('GOMAXPROCS'), env('ISTIO_META_CLUSTER_ID'), env('ISTIO_META_NODE_NAME'), env('ISTIO_META_INTERCEPTION_MODE'),
      { name: 'ISTIO_META_WORKLOAD_NAME', value: name },
      { name: 'ISTIO_META_OWNER', value: `kubernetes://apis/apps/v1/namespaces/${ns}/deployments/${name}` },
      env('ISTIO_META_MESH_ID'), env('TRUST_DOMAIN'),
    ],
    image: wp.image, imagePullPolicy: 'IfNotPresent', name: 'istio-proxy',
    ports: [{ containerPort: 15090, name: 'http-envoy-prom', protocol: 'TCP' }],
    readinessProbe: { failureThreshold: 4, httpGet: { path: '/healthz/ready', port: 15021, scheme: 'HTTP' }, periodSeconds: 15, successThreshold: 1, timeoutSeconds: 3 },
    resources: wp.resources,
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false, readOnlyRootFilesystem: true, runAsGroup: 1337, runAsNonRoot: true, runAsUser: 1337 },
    startupProbe: { failureThreshold: 600, httpGet: { path: '/healthz/ready', port: 15021, scheme: 'HTTP' }, periodSeconds: 1, successThreshold: 1, timeoutSeconds: 3 },
    terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
    volumeMounts: proxyMounts,
  };
  const validation = {
    args: ['istio-iptables', '-p', '15001', '-z', '15006', '-u', '1337', '-m', 'REDIRECT', '-i', '*', '-x', '', '-b', '*', '-d', '15090,15021,15020', '--log_output_level=default:info', '--run-validation', '--skip-rule-apply'],
    image: wp.image, imagePullPolicy: 'IfNotPresent', name: 'istio-validation', resources: wp.resources,
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false, readOnlyRootFilesystem: true, runAsGroup: 1337, runAsNonRoot: true, runAsUser: 1337 },
    terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
    volumeMounts: [{ mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', name: token, readOnly: true }],
  };
  pod.spec.initContainers = [validation];
  pod.spec.containers.push(proxy);
  pod.spec.volumes = [
    { emptyDir: {}, name: 'workload-socket' },
    { emptyDir: {}, name: 'credential-socket' },
    { emptyDir: {}, name: 'workload-certs' },
    { emptyDir: { medium: 'Memory' }, name: 'istio-envoy' },
    { emptyDir: {}, name: 'istio-data' },
    waypointPod.spec.volumes.find((v: K) => v.name === 'istio-podinfo'),
    waypointPod.spec.volumes.find((v: K) => v.name === 'istio-token'),
    waypointPod.spec.volumes.find((v: K) => v.name === 'istiod-ca-cert'),
    ...pod.spec.volumes,
  ];
  const created = pod.metadata.creationTimestamp;
  pod.status.initContainerStatuses = [{
    containerID: containerId(`${ns}/${pod.metadata.name}/istio-validation`), image: wp.image, imageID: waypointPod.status.containerStatuses[0].imageID,
    lastState: {}, name: 'istio-validation', ready: true, restartCount: 0, started: false,
    state: { terminated: { containerID: containerId(`${ns}/${pod.metadata.name}/istio-validation`), exitCode: 0, finishedAt: plus(created, 2), reason: 'Completed', startedAt: plus(created, 2) } },
    volumeMounts: [{ mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', name: token, readOnly: true, recursiveReadOnly: 'Disabled' }],
  }];
  const ready = pod.status.conditions.find((c: K) => c.type === 'Ready').lastTransitionTime;
  pod.status.containerStatuses.push({
    containerID: containerId(`${ns}/${pod.metadata.name}/istio-proxy`), image: wp.image, imageID: waypointPod.status.containerStatuses[0].imageID,
    lastState: {}, name: 'istio-proxy', ready: true, restartCount: 0, started: true, state: { running: { startedAt: plus(ready, -2) } },
    volumeMounts: proxyMounts.map((m) => (m.readOnly ? { ...m, recursiveReadOnly: 'Disabled' } : m)),
  });
  pod.status.qosClass = 'Burstable';
  // Sandbox, then the init container, then the containers.
  const times: Record<string, string> = { PodReadyToStartContainers: plus(created, 1), Initialized: plus(created, 2) };
  for (const c of pod.status.conditions) c.lastTransitionTime = times[c.type] ?? c.lastTransitionTime;
  const init = pod.status.initContainerStatuses[0].state.terminated;
  init.startedAt = plus(created, 1);
  init.finishedAt = plus(created, 2);
  pod.status.containerStatuses[0].state.running.startedAt = plus(created, 2);
  // The Deployment's template is the user's: injection happens at pod admission, not in the Deployment.
  void dep;
}

export const bypassScenarios: Scenario[] = [
  {
    name: 'wp015-client-not-in-ambient',
    expected: ['WP015'],
    title: 'WP015: a client pod is not in the ambient mesh',
    build(b) {
      const { pod } = clientDeployment(b, 'default', 'curl', at('09:23:15'), at('09:23:19'), SERVER, '10.42.0.17', { 'istio.io/dataplane-mode': 'none' }, { hash: '5b8f9c7d6', suffix: 'x2x9k' });
      b.zw.rows.push(['default', pod.metadata.name, '10.42.0.17', SERVER, 'None', 'TCP']);
    },
    doc: (r, b) => {
      const pod = b.items('pods').find((p) => p.metadata.name.startsWith('curl-')).metadata.name;
      return [
        `- A new client pod \`default/${pod}\` (Deployment \`curl\`, no Service selects it) has the label \`istio.io/dataplane-mode: none\` (${r.obj(PODS, 'default', pod, 'dataplane-mode')}), which overrides the namespace's \`ambient\` (${r.obj(NSS, undefined, 'default', 'dataplane-mode')}). It has no \`ambient.istio.io/redirection\` annotation: istio-cni did not capture it.`,
        `- ztunnel lists it with PROTOCOL \`TCP\` (${r.row(ZW, 'default', pod)}). Its requests leave the pod unredirected, so no ztunnel sends them to a waypoint: L7 policy on the services it calls is bypassed.`,
      ];
    },
  },
  {
    name: 'wp016-destination-not-captured',
    expected: ['WP016'],
    title: 'WP016: a destination pod in an ambient namespace is not captured',
    build(b) {
      const pod = b.get('pods', 'default', 'ratings-v1-pmhk8wsqv-zlmfd');
      delete pod.metadata.annotations;
      b.zwRow('default', 'ratings-v1-pmhk8wsqv-zlmfd')[5] = 'TCP';
    },
    doc: (r) => [
      `- Namespace \`default\` is ambient (${r.obj(NSS, undefined, 'default', 'dataplane-mode')}), but pod \`ratings-v1-pmhk8wsqv-zlmfd\` has no \`ambient.istio.io/redirection: enabled\` annotation (its metadata, ${r.obj(PODS, 'default', 'ratings-v1-pmhk8wsqv-zlmfd', '"creationTimestamp"')}, has no annotations at all): istio-cni never set up its redirection, e.g. because it started while the node agent on agent-0 was restarting.`,
      `- ztunnel lists it with PROTOCOL \`TCP\` (${r.row(ZW, 'default', 'ratings-v1-pmhk8wsqv-zlmfd')}): the destination ztunnel cannot enforce anything for it, and the waypoint reaches it in plaintext. Service \`ratings\` itself is still bound (${r.row(ZS, 'default', 'ratings')}).`,
    ],
  },
  {
    name: 'wp017-sidecar-client',
    expected: ['WP017'],
    title: 'WP017: a sidecar-injected client calls waypoint-bound services',
    build(b) {
      addNamespace(b, 'legacy', at('09:22:40'), { 'istio-injection': 'enabled' });
      const { dep, pod } = clientDeployment(b, 'legacy', 'legacy-client', at('09:23:05'), at('09:23:09'), AGENT, '10.42.1.9', {});
      injectSidecar(pod, dep, b);
      b.addProxy([`${pod.metadata.name}.legacy`, 'Kubernetes', 'SYNCED (14m)', 'SYNCED (14m)', 'SYNCED (14m)', 'SYNCED (14m)', 'IGNORED', 'istiod-nd49fnlq5d-mnsrx', '1.26.2'], 'sidecar');
      b.zw.rows.push(['legacy', pod.metadata.name, '10.42.1.9', AGENT, 'None', 'TCP']);
    },
    doc: (r, b) => {
      const pod = b.items('pods').find((p) => p.metadata.name.startsWith('legacy-client-')).metadata.name;
      return [
        `- Namespace \`legacy\` has \`istio-injection: enabled\` (${r.obj(NSS, undefined, 'legacy', 'istio-injection')}) and no ambient label. Its pod \`${pod}\` was injected: annotation \`sidecar.istio.io/status\` (${r.obj(PODS, 'legacy', pod, 'sidecar.istio.io/status')}) and containers \`curl\` and \`istio-proxy\` (${r.obj(PODS, 'legacy', pod, '"name": "istio-proxy"')}).`,
        `- proxy-status lists it as an ordinary sidecar with RDS (${r.row(PS, `${pod}.legacy`)}); ztunnel lists it with PROTOCOL \`TCP\` (${r.row(ZW, 'legacy', pod)}).`,
        `- Sidecars route to service endpoints themselves and never send to waypoints, so its calls to \`productpage\`, \`reviews\` and the others skip their waypoints' L7 policies.`,
      ];
    },
  },
  {
    name: 'wp018-ingress-bypasses-waypoint',
    expected: ['WP018'],
    title: 'WP018: ingress traffic to a waypoint-bound service bypasses the waypoint',
    build(b) {
      b.get('gateways', 'default', 'bookinfo-gateway').status.listeners[0].attachedRoutes = 1;
      const applied = {
        apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { annotations: {}, name: 'bookinfo', namespace: 'default' },
        spec: {
          parentRefs: [{ name: 'bookinfo-gateway' }],
          rules: [{
            backendRefs: [{ name: 'productpage', port: 9080 }],
            matches: [
              { path: { type: 'Exact', value: '/productpage' } }, { path: { type: 'PathPrefix', value: '/static' } },
              { path: { type: 'Exact', value: '/login' } }, { path: { type: 'Exact', value: '/logout' } },
              { path: { type: 'PathPrefix', value: '/api/v1/products' } },
            ],
          }],
        },
      };
      const parent = { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'bookinfo-gateway' };
      b.add('httproutes', {
        apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute',
        metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied(applied) }, creationTimestamp: at('09:13:05'), generation: 1, name: 'bookinfo', namespace: 'default', resourceVersion: '1194', uid: uuid('httproute:default/bookinfo') },
        spec: {
          parentRefs: [parent],
          rules: [{ backendRefs: [{ group: '', kind: 'Service', name: 'productpage', port: 9080, weight: 1 }], matches: applied.spec.rules[0]!.matches }],
        },
        status: {
          parents: [{
            conditions: [
              { lastTransitionTime: at('09:13:06'), message: 'Route was valid', observedGeneration: 1, reason: 'Accepted', status: 'True', type: 'Accepted' },
              { lastTransitionTime: at('09:13:06'), message: 'All references resolved', observedGeneration: 1, reason: 'ResolvedRefs', status: 'True', type: 'ResolvedRefs' },
              { lastTransitionTime: at('09:13:06'), message: 'All waypoints resolved', observedGeneration: 1, reason: 'ResolvedWaypoints', status: 'True', type: 'ResolvedWaypoints' },
            ],
            controllerName: 'istio.io/gateway-controller', parentRef: parent,
          }],
        },
      });
    },
    doc: (r) => [
      `- HTTPRoute \`default/bookinfo\` (${r.obj('kubectl/httproutes.json', 'default', 'bookinfo', '"name": "bookinfo"')}) attaches to the ingress Gateway \`bookinfo-gateway\` (parentRef ${r.obj('kubectl/httproutes.json', 'default', 'bookinfo', '"name": "bookinfo-gateway"')}; the listener counts it, ${r.obj(GWS, 'default', 'bookinfo-gateway', 'attachedRoutes: 1')}) and sends to Service \`productpage\` port 9080 (${r.obj('kubectl/httproutes.json', 'default', 'bookinfo', '"name": "productpage"')}). istio.io/gateway-controller accepted it and resolved its refs (${r.obj('kubectl/httproutes.json', 'default', 'bookinfo', 'All references resolved')}).`,
      `- \`productpage\` is bound to the namespace waypoint (${r.row(ZS, 'default', 'productpage')}), but neither the Service nor namespace \`default\` has \`istio.io/ingress-use-waypoint: "true"\` (${r.obj(NSS, undefined, 'default', 'labels:')} onwards). Ingress gateways only route through a waypoint when asked to, so requests from the internet reach productpage without its L7 policy (such as \`productpage-viewer\`).`,
    ],
  },
  {
    name: 'wp019-serviceentry-without-vip',
    expected: ['WP019'],
    title: 'WP019: a waypoint-bound ServiceEntry has no VIP',
    build(b) {
      const applied = {
        apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry',
        metadata: { annotations: {}, labels: { [USE_WAYPOINT]: 'waypoint', 'networking.istio.io/enable-autoallocate-ip': 'false' }, name: 'external-api', namespace: 'default' },
        spec: { hosts: ['api.example.com'], location: 'MESH_EXTERNAL', ports: [{ name: 'http', number: 80, protocol: 'HTTP' }], resolution: 'DNS' },
      };
      b.add('serviceentries', {
        apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry',
        metadata: {
          annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied(applied) }, creationTimestamp: at('09:23:20'), generation: 1,
          labels: applied.metadata.labels, name: 'external-api', namespace: 'default', resourceVersion: nextRv(), uid: uuid('se:default/external-api'),
        },
        spec: applied.spec,
        status: { conditions: [{ lastTransitionTime: at('09:23:21'), message: 'Successfully attached to waypoint default/waypoint', observedGeneration: '1', reason: 'WaypointAccepted', status: 'True', type: WAYPOINT_BOUND }] },
      });
      // ztunnel names a ServiceEntry's service after the ServiceEntry; a DNS ServiceEntry without endpoints
      // gets one workload per host, addressed by hostname (no IP, no node).
      b.zs.rows.push(['default', 'external-api', '', 'waypoint', '1/1']);
      b.zw.rows.push(['default', 'external-api', 'api.example.com', '', 'None', 'TCP']);
    },
    doc: (r) => [
      `- ServiceEntry \`default/external-api\` for \`api.example.com\` (hosts at ${r.obj('kubectl/serviceentries.json', 'default', 'external-api', '"hosts": [')}) has \`istio.io/use-waypoint: waypoint\` (${r.obj('kubectl/serviceentries.json', 'default', 'external-api', '"istio.io/use-waypoint": "waypoint"')}) and \`resolution: DNS\` (${r.obj('kubectl/serviceentries.json', 'default', 'external-api', '"resolution": "DNS"')}), but no \`addresses\`, and it opted out of IP auto-allocation (${r.obj('kubectl/serviceentries.json', 'default', 'external-api', '"networking.istio.io/enable-autoallocate-ip": "false"')}). istiod binds it (\`WaypointBound\` True, ${r.obj('kubectl/serviceentries.json', 'default', 'external-api', 'WaypointAccepted')}).`,
      `- ztunnel has its service (named after the ServiceEntry, \`external-api\`) with an empty SERVICE VIP and WAYPOINT \`waypoint\` (${r.row(ZS, 'default', 'external-api')}), and one workload addressed by hostname (${r.row(ZW, 'default', 'external-api')}). Clients resolve \`api.example.com\` to its real public IP, which ztunnel does not recognise, so the waypoint (and its egress policy) is never used.`,
    ],
  },
  {
    name: 'wp020-ztunnel-cannot-resolve-waypoint',
    expected: ['WP020'],
    title: 'WP020: ztunnel cannot resolve a service\'s waypoint',
    build(b) {
      b.setServiceWaypoint('default', 'reviews', 'NA');
      b.removeRow(b.zs, (r) => r[0] === 'default' && r[1] === 'reviews-svc-waypoint');
    },
    doc: (r) => [
      `- ztunnel \`ztunnel-9f46c\` (node server-0, which \`istioctl ztunnel-config\` read) shows WAYPOINT \`NA\` for \`reviews\` (${r.row(ZS, 'default', 'reviews')}): the service has a waypoint (\`default/reviews-svc-waypoint.default.svc.cluster.local\`), but that hostname matches no service in this ztunnel's state. The waypoint's own Service is missing from its table (compare \`bookinfo-ambient\`), although it exists in the cluster (${r.obj(SVC, 'default', 'reviews-svc-waypoint', '"clusterIP"')}) and istiod reports the binding (${r.obj(SVC, 'default', 'reviews', 'WaypointAccepted')}).`,
      `- The ztunnel log shows every call from productpage to reviews failing: \`connection failed ... error="unknown waypoint: waypoint reviews-svc-waypoint.default.svc.cluster.local not found"\` (${r.line('logs/istio-system/ztunnel-9f46c.log', 'unknown waypoint')} onwards), logged at \`warn\` as ztunnel's early-deny line. Calls to productpage and details through the namespace waypoint succeed.`,
    ],
  },
];
