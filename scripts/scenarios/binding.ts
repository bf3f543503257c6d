/** Scenarios WP001-WP014: binding a destination to a waypoint, and the waypoint Gateway itself. */
import type { K } from './serializers.js';
import { AN, type Bundle, DEPS, GWS, NSS, PODS, PS, type Refs, SVC, type Scenario, VER, ZS, ZW, containerId, uuid } from './bundle.js';
import { AGENT, USE_WAYPOINT, WAYPOINT_PS, addNamespace, at, bindingFailed, deployWaypoint, deploymentUnavailable, lastApplied, namespaceBoundServices, nextRv, notReady, policyAncestorNotBound, relabelWaypointFor, waypointBound, waypointGateway, waypointPodName } from './edits.js';

/** WP005 / WP006: the service waypoint relabelled so it no longer takes service traffic. */
export function serviceWaypointRelabelled(b: Bundle, value: string): void {
  relabelWaypointFor(b, 'reviews-svc-waypoint', value, at('09:23:41'), '10.42.0.17');
  const reviews = b.get('services', 'default', 'reviews');
  reviews.metadata.resourceVersion = nextRv();
  bindingFailed(b, reviews, 'UnsupportedTrafficType',
    'attempting to bind to traffic type "service" which the waypoint "default/reviews-svc-waypoint" does not support', at('09:23:43'));
  // No service is bound to it any more, so the waypoint has no EDS clusters left to subscribe to.
  b.psRow(`${waypointPodName(b, 'reviews-svc-waypoint')}.default`)[4] = 'IGNORED';
}

export function serviceWaypointRelabelledDoc(r: Refs, b: Bundle, value: string, why: string): string[] {
  const pod = waypointPodName(b, 'reviews-svc-waypoint');
  return [
    `- The Gateway \`default/reviews-svc-waypoint\` has the label \`istio.io/waypoint-for: ${value}\` (${r.obj(GWS, 'default', 'reviews-svc-waypoint', 'istio.io/waypoint-for')}). ${why}`,
    `- Service \`default/reviews\` still asks for it: \`istio.io/use-waypoint: reviews-svc-waypoint\` (${r.obj(SVC, 'default', 'reviews', USE_WAYPOINT)}).`,
    `- istiod refuses the binding: \`istio.io/WaypointBound\` is \`"False"\` (${r.obj(SVC, 'default', 'reviews', '"status": "False"')}) with reason \`UnsupportedTrafficType\` (${r.obj(SVC, 'default', 'reviews', 'UnsupportedTrafficType')}); \`istioctl analyze\` reports it as IST0171 (${r.line(AN, 'Service default/reviews')}).`,
    `- ztunnel shows WAYPOINT \`None\` for \`reviews\` (${r.row(ZS, 'default', 'reviews')}), so calls to reviews skip every waypoint.`,
    `- istiod copied the new label to the waypoint's Service (${r.obj(SVC, 'default', 'reviews-svc-waypoint', 'istio.io/waypoint-for')}) and Deployment (${r.obj(DEPS, 'default', 'reviews-svc-waypoint', 'istio.io/waypoint-for')}), so the waypoint pod was replaced: \`${pod}\` (${r.obj(PODS, 'default', pod, '"name": "' + pod)}), in proxy-status at ${r.row(PS, `${pod}.default`)}. With no service bound, its EDS is \`IGNORED\`.`,
  ];
}

/** WP008 / WP009: a shared waypoint in namespace `infra`. */
export function sharedWaypoint(b: Bundle, allowAll: boolean): void {
  addNamespace(b, 'infra', at('09:22:58'), {});
  const listener: K = { name: 'mesh', port: 15008, protocol: 'HBONE' };
  if (allowAll) listener.allowedRoutes = { namespaces: { from: 'All' } };
  const gw = waypointGateway(b, 'infra', 'shared-waypoint', listener, at('09:23:00'), at('09:23:06'));
  const pod = deployWaypoint(b, 'infra', 'shared-waypoint', gw, '10.43.57.112', { deployment: 'shared-waypoint', node: AGENT, ip: '10.42.1.9', created: at('09:23:01'), ready: at('09:23:05') });
  b.addProxy(WAYPOINT_PS(`${pod.metadata.name}.infra`), 'waypoint');
  b.zs.rows.push(['infra', 'shared-waypoint', '10.43.57.112', 'None', '1/1']);
  b.zw.rows.push(['infra', pod.metadata.name, '10.42.1.9', AGENT, 'None', 'TCP']);
  // A namespace with neither injection nor ambient: istioctl analyze says so, at Info level.
  b.addAnalyze('Info', 'IST0102', 'Namespace infra',
    "The namespace is not enabled for Istio injection. Run 'kubectl label namespace infra istio-injection=enabled' to enable it, or 'kubectl label namespace infra istio-injection=disabled' to explicitly mark it as not needing injection.");
  // reviews-svc-waypoint keeps running but no service is bound to it any more.
  b.psRow(`${waypointPodName(b, 'reviews-svc-waypoint')}.default`)[4] = 'IGNORED';
}

export function sharedWaypointDoc(r: Refs, b: Bundle): string {
  const pod = waypointPodName(b, 'shared-waypoint', 'infra');
  return `- Namespace \`infra\` (${r.obj(NSS, undefined, 'infra', 'name: infra')}) runs the waypoint \`shared-waypoint\` (${r.obj(GWS, 'infra', 'shared-waypoint', 'name: shared-waypoint')}): ` +
    `its Gateway has \`status.addresses\` (${r.obj(GWS, 'infra', 'shared-waypoint', 'value: shared-waypoint.infra.svc.cluster.local')}), its pod \`${pod}\` is ready and in proxy-status (${r.row(PS, `${pod}.infra`)}), ` +
    `and ztunnel knows its Service (${r.row(ZS, 'infra', 'shared-waypoint')}). \`infra\` is neither injected nor ambient, which \`istioctl analyze\` notes at Info level (${r.line(AN, 'IST0102')}); that is fine for a namespace that only hosts a waypoint.`;
}

export const bindingScenarios: Scenario[] = [
  {
    name: 'wp001-missing-waypoint',
    expected: ['WP001'],
    title: 'WP001: `use-waypoint` names a waypoint that does not exist',
    build(b) {
      const ratings = b.get('services', 'default', 'ratings');
      ratings.metadata.labels[USE_WAYPOINT] = 'ratings-waypoint';
      ratings.metadata.resourceVersion = nextRv();
      bindingFailed(b, ratings, 'WaypointIsNotReady', notReady('default', 'ratings-waypoint'), at('09:23:31'));
    },
    doc: (r) => [
      `- Service \`default/ratings\` has the label \`istio.io/use-waypoint: ratings-waypoint\` (${r.obj(SVC, 'default', 'ratings', USE_WAYPOINT)}). There is no Gateway \`ratings-waypoint\` in ${'`' + GWS + '`'}.`,
      `- istiod: \`istio.io/WaypointBound\` \`"False"\` (${r.obj(SVC, 'default', 'ratings', '"status": "False"')}), reason \`WaypointIsNotReady\` (${r.obj(SVC, 'default', 'ratings', 'WaypointIsNotReady')}), message \`waypoint "default/ratings-waypoint" is not ready\` (${r.obj(SVC, 'default', 'ratings', 'is not ready')}).`,
      `- \`istioctl analyze\`: IST0171 for \`Service default/ratings\` (${r.line(AN, 'Service default/ratings')}).`,
      `- ztunnel: WAYPOINT \`None\` for \`ratings\` (${r.row(ZS, 'default', 'ratings')}). Istio does not fall back to the namespace waypoint \`waypoint\`, so ratings traffic skips L7 processing.`,
    ],
  },
  {
    name: 'wp002-waypoint-not-ready',
    expected: ['WP002'],
    title: 'WP002: the namespace waypoint exists but never became ready',
    build(b) {
      const image = 'registry.example.internal/istio/proxyv2:1.26.2';
      const gw = b.get('gateways', 'default', 'waypoint');
      const applied = { apiVersion: gw.apiVersion, kind: 'Gateway', metadata: { annotations: { 'sidecar.istio.io/proxyImage': image }, name: 'waypoint', namespace: 'default' }, spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] } };
      gw.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'] = lastApplied(applied);
      gw.metadata.annotations['sidecar.istio.io/proxyImage'] = image;
      delete gw.status.addresses; // only set once the waypoint's Deployment has a ready pod
      const dep = b.get('deployments', 'default', 'waypoint');
      dep.spec.template.spec.containers[0].image = image;
      deploymentUnavailable(dep, dep.metadata.creationTimestamp);
      dep.metadata.resourceVersion = '2198'; // ProgressDeadlineExceeded written at 09:30:15
      const rs = `ReplicaSet "${b.items('pods').find((p) => p.metadata.name.startsWith('waypoint-')).metadata.ownerReferences[0].name}"`;
      Object.assign(dep.status.conditions.find((c: K) => c.type === 'Progressing'), {
        lastTransitionTime: at('09:30:15'), lastUpdateTime: at('09:30:15'), message: `${rs} has timed out progressing.`, reason: 'ProgressDeadlineExceeded', status: 'False',
      });
      const pod = b.get('pods', 'default', waypointPodName(b, 'waypoint'));
      pod.spec.containers[0].image = image;
      pod.status.phase = 'Pending';
      pod.metadata.resourceVersion = '2231'; // the kubelet keeps updating the back-off message;
      for (const c of pod.status.conditions) {
        if (c.type === 'Ready' || c.type === 'ContainersReady') Object.assign(c, { lastTransitionTime: at('09:20:15'), message: 'containers with unready status: [istio-proxy]', reason: 'ContainersNotReady', status: 'False' });
      }
      const cs = pod.status.containerStatuses[0];
      delete cs.containerID;
      Object.assign(cs, {
        image, imageID: '', ready: false, started: false,
        state: { waiting: { message: `Back-off pulling image "${image}": ErrImagePull: failed to pull and unpack image "${image}": failed to resolve reference "${image}": failed to do request: Head "https://registry.example.internal/v2/istio/proxyv2/manifests/1.26.2": dial tcp: lookup registry.example.internal on 10.43.0.10:53: no such host`, reason: 'ImagePullBackOff' } },
      });
      b.removeProxy(`${pod.metadata.name}.default`);
      b.zsRow('default', 'waypoint')[4] = '0/1';
      for (const svc of namespaceBoundServices(b)) bindingFailed(b, svc, 'WaypointIsNotReady', notReady('default', 'waypoint'), at('09:20:41'));
      policyAncestorNotBound(b);
    },
    doc: (r, b) => {
      const pod = waypointPodName(b, 'waypoint');
      return [
        `- Gateway \`default/waypoint\` (${r.obj(GWS, 'default', 'waypoint', 'name: waypoint')}) was applied with the annotation \`sidecar.istio.io/proxyImage\` (${r.obj(GWS, 'default', 'waypoint', 'sidecar.istio.io/proxyImage: registry')}), an image from a registry the cluster cannot reach. istiod still reports it \`Accepted\` and \`Programmed\` True (${r.obj(GWS, 'default', 'waypoint', 'type: Programmed')}) but it has no \`status.addresses\`: they are only written once the waypoint has a ready pod.`,
        `- Its pod \`${pod}\` is \`Pending\` (${r.obj(PODS, 'default', pod, '"phase": "Pending"')}) with the container waiting in \`ImagePullBackOff\` (${r.obj(PODS, 'default', pod, 'ImagePullBackOff')}); the Deployment has \`ProgressDeadlineExceeded\` (${r.obj(DEPS, 'default', 'waypoint', 'ProgressDeadlineExceeded')}). The pod is not in proxy-status (${r.line(PS, 'NAME')} onwards), and \`istioctl version\` counts 5 proxies (${r.line(VER, 'data plane')}).`,
        `- Every Service that inherits the namespace waypoint has \`WaypointBound\` False with \`WaypointIsNotReady\`, e.g. productpage (${r.obj(SVC, 'default', 'productpage', 'WaypointIsNotReady')}); \`istioctl analyze\` lists one IST0171 per service (${r.line(AN, 'Service default/bookinfo-gateway-istio')} to ${r.line(AN, 'Service default/sleep')}).`,
        `- ztunnel: WAYPOINT \`None\` for those services (e.g. ${r.row(ZS, 'default', 'productpage')}); the waypoint's own Service has no healthy endpoint (\`0/1\`, ${r.row(ZS, 'default', 'waypoint')}). Traffic goes straight to the pods: no L7 policy applies. \`reviews\` keeps its own waypoint.`,
        `- AuthorizationPolicy \`productpage-viewer\` targets Service \`productpage\`, which now has no waypoint: istiod reports \`WaypointAccepted\` False, \`AncestorNotBound\` (${r.obj('kubectl/authorizationpolicies.json', 'default', 'productpage-viewer', 'AncestorNotBound')}), also an IST0171 line (${r.line(AN, 'AuthorizationPolicy default/productpage-viewer')}). The policy is enforced nowhere.`,
      ];
    },
  },
  {
    name: 'wp003-waypoint-no-healthy-pods',
    expected: ['WP003'],
    title: 'WP003: the namespace waypoint was ready, now it has no healthy pod',
    build(b) {
      const name = waypointPodName(b, 'waypoint');
      const pod = b.get('pods', 'default', name);
      pod.metadata.resourceVersion = '2240'; // last restart at 09:34;
      for (const c of pod.status.conditions) {
        if (c.type === 'Ready' || c.type === 'ContainersReady') Object.assign(c, { lastTransitionTime: at('09:23:48'), message: 'containers with unready status: [istio-proxy]', reason: 'ContainersNotReady', status: 'False' });
      }
      const cs = pod.status.containerStatuses[0];
      Object.assign(cs, {
        containerID: containerId(`${name}/istio-proxy/7`),
        lastState: { terminated: { containerID: containerId(`${name}/istio-proxy/7`), exitCode: 255, finishedAt: at('09:34:27'), reason: 'Error', startedAt: at('09:34:25') } },
        ready: false, restartCount: 7, started: false,
        state: { waiting: { message: `back-off 5m0s restarting failed container=istio-proxy pod=${name}_default(${pod.metadata.uid})`, reason: 'CrashLoopBackOff' } },
      });
      deploymentUnavailable(b.get('deployments', 'default', 'waypoint'), at('09:23:48'));
      b.removeProxy(`${name}.default`);
      b.zsRow('default', 'waypoint')[4] = '0/1';
    },
    doc: (r, b) => {
      const pod = waypointPodName(b, 'waypoint');
      return [
        `- Gateway \`default/waypoint\` was ready once: it keeps its \`status.addresses\` (${r.obj(GWS, 'default', 'waypoint', 'value: waypoint.default.svc.cluster.local')}), which istiod never removes, so every service of \`default\` stays bound to it (\`WaypointBound\` True, e.g. ${r.obj(SVC, 'default', 'productpage', 'WaypointAccepted')}; ztunnel WAYPOINT \`waypoint\`, e.g. ${r.row(ZS, 'default', 'productpage')}).`,
        `- Its only pod \`${pod}\` is \`Running\` but not ready: \`CrashLoopBackOff\` (${r.obj(PODS, 'default', pod, 'CrashLoopBackOff')}) after 7 restarts (${r.obj(PODS, 'default', pod, '"restartCount": 7')}); the Deployment has \`MinimumReplicasUnavailable\` (${r.obj(DEPS, 'default', 'waypoint', 'MinimumReplicasUnavailable')}). It is not in proxy-status and \`istioctl version\` counts 5 proxies (${r.line(VER, 'data plane')}).`,
        `- ztunnel shows the waypoint's own Service with ENDPOINTS \`0/1\` (${r.row(ZS, 'default', 'waypoint')}): traffic to productpage, details, ratings and the others is sent to a waypoint with no healthy endpoint, so it fails (blackhole) instead of bypassing.`,
      ];
    },
  },
  {
    name: 'wp004-pod-waypoint-service-only',
    expected: ['WP004'],
    title: 'WP004: a pod is labelled for a waypoint that only handles service traffic',
    build(b) {
      relabelWaypointFor(b, 'reviews-v2-pod-waypoint', 'service', at('09:23:40'), '10.42.1.9');
      b.zwRow('default', 'reviews-v2-rdlrklvjsl-wv7j2')[4] = 'None';
    },
    doc: (r, b) => {
      const pod = waypointPodName(b, 'reviews-v2-pod-waypoint');
      return [
        `- Pod \`reviews-v2-rdlrklvjsl-wv7j2\` has the label \`istio.io/use-waypoint: reviews-v2-pod-waypoint\` (${r.obj(PODS, 'default', 'reviews-v2-rdlrklvjsl-wv7j2', USE_WAYPOINT)}).`,
        `- Gateway \`reviews-v2-pod-waypoint\` has been relabelled \`istio.io/waypoint-for: service\` (${r.obj(GWS, 'default', 'reviews-v2-pod-waypoint', 'istio.io/waypoint-for')}), so it no longer takes workload (pod-IP) traffic. istiod copied the label to the waypoint's Service (${r.obj(SVC, 'default', 'reviews-v2-pod-waypoint', 'istio.io/waypoint-for')}) and Deployment (${r.obj(DEPS, 'default', 'reviews-v2-pod-waypoint', 'istio.io/waypoint-for')}), and the waypoint pod was replaced by \`${pod}\` (proxy-status ${r.row(PS, `${pod}.default`)}).`,
        `- ztunnel shows WAYPOINT \`None\` for the reviews-v2 pod (${r.row(ZW, 'default', 'reviews-v2-rdlrklvjsl-wv7j2')}). Pods carry no status condition, so nothing else in the cluster reports it; \`istioctl analyze\` is clean.`,
      ];
    },
  },
  {
    name: 'wp005-service-waypoint-workload-only',
    expected: ['WP005'],
    title: 'WP005: a Service is bound to a waypoint that only takes workload traffic',
    build: (b) => serviceWaypointRelabelled(b, 'workload'),
    doc: (r, b) => serviceWaypointRelabelledDoc(r, b, 'workload', 'A waypoint for `workload` traffic does not accept service-addressed traffic.'),
  },
  {
    name: 'wp006-invalid-waypoint-for',
    expected: ['WP006'],
    title: 'WP006: `istio.io/waypoint-for` has an invalid value',
    build: (b) => serviceWaypointRelabelled(b, 'services'),
    doc: (r, b) => serviceWaypointRelabelledDoc(r, b, 'services', '`services` (plural) is not one of `service`, `workload`, `all`, `none`; Istio stores it as-is and the waypoint then accepts no traffic at all.'),
  },
  {
    name: 'wp007-headless-service',
    expected: ['WP007'],
    title: 'WP007: a waypoint-bound Service is headless',
    build(b) {
      const ratings = b.get('services', 'default', 'ratings');
      const applied = JSON.parse(ratings.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
      applied.spec = { clusterIP: 'None', ...applied.spec };
      ratings.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'] = lastApplied(applied);
      Object.assign(ratings.metadata, { creationTimestamp: at('09:23:10'), resourceVersion: nextRv(), uid: uuid('svc:default/ratings/headless') });
      ratings.spec.clusterIP = 'None';
      ratings.spec.clusterIPs = ['None'];
      waypointBound(ratings, 'True', 'WaypointAccepted', 'Successfully attached to waypoint default/waypoint', at('09:23:11'));
      b.zsRow('default', 'ratings')[2] = '';
    },
    doc: (r) => [
      `- Service \`default/ratings\` was recreated headless: \`clusterIP: None\` (${r.obj(SVC, 'default', 'ratings', '"clusterIP": "None"')}). Namespace \`default\` uses the waypoint \`waypoint\` (${r.obj(NSS, undefined, 'default', USE_WAYPOINT)}), and istiod binds the Service (\`WaypointBound\` True, ${r.obj(SVC, 'default', 'ratings', 'WaypointAccepted')}).`,
      `- ztunnel shows an empty SERVICE VIP for \`ratings\` and WAYPOINT \`waypoint\` (${r.row(ZS, 'default', 'ratings')}). Clients resolve \`ratings\` to the pod IP, and pod-addressed traffic only uses a *workload* waypoint: the service waypoint is skipped.`,
    ],
  },
  {
    name: 'wp008-cross-namespace-without-namespace-label',
    expected: ['WP008'],
    title: 'WP008: a waypoint in another namespace, referenced without `use-waypoint-namespace`',
    build(b) {
      sharedWaypoint(b, true);
      const reviews = b.get('services', 'default', 'reviews');
      reviews.metadata.labels[USE_WAYPOINT] = 'shared-waypoint';
      reviews.metadata.resourceVersion = nextRv();
      bindingFailed(b, reviews, 'WaypointIsNotReady', notReady('default', 'shared-waypoint'), at('09:23:20'));
    },
    doc: (r, b) => [
      sharedWaypointDoc(r, b) + ` Its HBONE listener allows routes from all namespaces (${r.obj(GWS, 'infra', 'shared-waypoint', 'from: All')}).`,
      `- Service \`default/reviews\` has \`istio.io/use-waypoint: shared-waypoint\` (${r.obj(SVC, 'default', 'reviews', USE_WAYPOINT)}) but no \`istio.io/use-waypoint-namespace\`, so Istio looks for \`default/shared-waypoint\`, which does not exist.`,
      `- istiod: \`WaypointBound\` False, \`WaypointIsNotReady\`, \`waypoint "default/shared-waypoint" is not ready\` (${r.obj(SVC, 'default', 'reviews', 'is not ready')}); \`istioctl analyze\` IST0171 (${r.line(AN, 'Service default/reviews')}); ztunnel WAYPOINT \`None\` for reviews (${r.row(ZS, 'default', 'reviews')}).`,
    ],
  },
  {
    name: 'wp009-cross-namespace-not-allowed',
    expected: ['WP009'],
    title: 'WP009: a waypoint in another namespace does not allow attachment from the Service\'s namespace',
    build(b) {
      sharedWaypoint(b, false);
      const reviews = b.get('services', 'default', 'reviews');
      reviews.metadata.labels[USE_WAYPOINT] = 'shared-waypoint';
      reviews.metadata.labels['istio.io/use-waypoint-namespace'] = 'infra';
      reviews.metadata.resourceVersion = nextRv();
      bindingFailed(b, reviews, 'AttachmentDenied', 'we are not permitted to attach to waypoint "infra/shared-waypoint" (missing allowedRoutes?)', at('09:23:20'));
    },
    doc: (r, b) => [
      sharedWaypointDoc(r, b) + ` It was applied without \`allowedRoutes\` (see its last-applied-configuration), so the Gateway API default \`from: Same\` applies (${r.obj(GWS, 'infra', 'shared-waypoint', 'from: Same')}).`,
      `- Service \`default/reviews\` has \`istio.io/use-waypoint: shared-waypoint\` (${r.obj(SVC, 'default', 'reviews', '"istio.io/use-waypoint"')}) and \`istio.io/use-waypoint-namespace: infra\` (${r.obj(SVC, 'default', 'reviews', 'use-waypoint-namespace')}).`,
      `- istiod refuses the attachment: \`WaypointBound\` False, reason \`AttachmentDenied\` (${r.obj(SVC, 'default', 'reviews', 'AttachmentDenied')}), message \`we are not permitted to attach to waypoint "infra/shared-waypoint" (missing allowedRoutes?)\`; \`istioctl analyze\` IST0171 (${r.line(AN, 'Service default/reviews')}); ztunnel WAYPOINT \`None\` (${r.row(ZS, 'default', 'reviews')}).`,
    ],
  },
  {
    name: 'wp010-opted-out-of-namespace-waypoint',
    expected: ['WP010'],
    title: 'WP010: a Service opts out of its namespace\'s waypoint',
    build(b) {
      const details = b.get('services', 'default', 'details');
      details.metadata.labels[USE_WAYPOINT] = 'none';
      details.metadata.resourceVersion = nextRv();
      delete details.status.conditions; // no waypoint and no error: istiod prunes WaypointBound
      b.setServiceWaypoint('default', 'details', 'None');
    },
    doc: (r) => [
      `- Namespace \`default\` uses the waypoint \`waypoint\` (${r.obj(NSS, undefined, 'default', USE_WAYPOINT)}), but Service \`default/details\` has \`istio.io/use-waypoint: none\` (${r.obj(SVC, 'default', 'details', USE_WAYPOINT)}).`,
      `- That is a valid opt-out, so istiod reports no error: it removed the \`WaypointBound\` condition (the Service's status is only \`loadBalancer: {}\`, ${r.obj(SVC, 'default', 'details', '"loadBalancer"')}) and \`istioctl analyze\` is clean. ztunnel shows WAYPOINT \`None\` for details (${r.row(ZS, 'default', 'details')}): the namespace's L7 policies no longer apply to it.`,
    ],
  },
  {
    name: 'wp011-waypoint-never-reconciled',
    expected: ['WP011'],
    title: 'WP011: the waypoint Gateway names an istiod revision that does not exist',
    build(b) {
      const gw = b.get('gateways', 'default', 'waypoint');
      gw.metadata.labels = { 'istio.io/rev': 'canary' };
      delete gw.metadata.annotations; // gateway.istio.io/controller-version is written by the istiod that deploys it
      gw.status = {
        conditions: ['Accepted', 'Programmed'].map((type) => ({ lastTransitionTime: '1970-01-01T00:00:00Z', message: 'Waiting for controller', reason: 'Pending', status: 'Unknown', type })),
      };
      const podName = waypointPodName(b, 'waypoint');
      b.remove('pods', 'default', podName);
      b.remove('deployments', 'default', 'waypoint');
      b.remove('services', 'default', 'waypoint');
      b.removeProxy(`${podName}.default`);
      b.removeRow(b.zw, (r) => r[1] === podName);
      b.removeRow(b.zs, (r) => r[0] === 'default' && r[1] === 'waypoint');
      for (const svc of namespaceBoundServices(b)) bindingFailed(b, svc, 'WaypointIsNotReady', notReady('default', 'waypoint'), at('09:20:41'));
      policyAncestorNotBound(b);
    },
    doc: (r) => [
      `- Gateway \`default/waypoint\` has the label \`istio.io/rev: canary\` (${r.obj(GWS, 'default', 'waypoint', 'istio.io/rev: canary')}), but the only istiod is the \`default\` revision (its pod has \`istio.io/rev: default\`, ${r.obj(PODS, 'istio-system', 'istiod-nd49fnlq5d-mnsrx', '"istio.io/rev"')}). No controller reconciles the Gateway.`,
      `- Its status is still the Gateway API CRD default: \`Accepted\` and \`Programmed\` \`Unknown\`, reason \`Pending\`, \`Waiting for controller\` (${r.obj(GWS, 'default', 'waypoint', 'Waiting for controller')}), no addresses and no listener status. No waypoint Deployment, Service or pod was ever created (none named \`waypoint\` in ${'`' + DEPS + '`'}, ${'`' + SVC + '`'} or ${'`' + PODS + '`'}; no waypoint row in proxy-status, ${r.line(PS, 'NAME')}).`,
      `- The namespace still asks for it (${r.obj(NSS, undefined, 'default', USE_WAYPOINT)}), so every Service of \`default\` without its own label has \`WaypointBound\` False \`WaypointIsNotReady\` (e.g. ${r.obj(SVC, 'default', 'productpage', 'WaypointIsNotReady')}), IST0171 lines in ${r.line(AN, 'Service default/bookinfo-gateway-istio')} to ${r.line(AN, 'Service default/sleep')}, and ztunnel WAYPOINT \`None\` (e.g. ${r.row(ZS, 'default', 'productpage')}).`,
      `- AuthorizationPolicy \`productpage-viewer\` targets Service \`productpage\`, which now has no waypoint: istiod reports \`WaypointAccepted\` False, \`AncestorNotBound\` (${r.obj('kubectl/authorizationpolicies.json', 'default', 'productpage-viewer', 'AncestorNotBound')}), also an IST0171 line (${r.line(AN, 'AuthorizationPolicy default/productpage-viewer')}). The policy is enforced nowhere.`,
    ],
  },
  {
    name: 'wp012-ingress-gateway-as-waypoint',
    expected: ['WP012'],
    title: 'WP012: a Service uses an ingress Gateway as its waypoint',
    build(b) {
      const reviews = b.get('services', 'default', 'reviews');
      reviews.metadata.labels[USE_WAYPOINT] = 'bookinfo-gateway';
      reviews.metadata.resourceVersion = nextRv();
      waypointBound(reviews, 'True', 'WaypointAccepted', 'Successfully attached to waypoint default/bookinfo-gateway', at('09:23:25'));
      b.setServiceWaypoint('default', 'reviews', 'bookinfo-gateway-istio');
      b.psRow(`${waypointPodName(b, 'reviews-svc-waypoint')}.default`)[4] = 'IGNORED';
    },
    doc: (r) => [
      `- Service \`default/reviews\` has \`istio.io/use-waypoint: bookinfo-gateway\` (${r.obj(SVC, 'default', 'reviews', USE_WAYPOINT)}). \`bookinfo-gateway\` is the ingress Gateway of class \`istio\` (${r.obj(GWS, 'default', 'bookinfo-gateway', 'gatewayClassName: istio')}), not an \`istio-waypoint\`.`,
      `- Because that Gateway has \`status.addresses\` (${r.obj(GWS, 'default', 'bookinfo-gateway', 'value: 10.43.164.194')}), istiod binds the Service anyway: \`WaypointBound\` True, \`Successfully attached to waypoint default/bookinfo-gateway\` (${r.obj(SVC, 'default', 'reviews', 'attached to waypoint default/bookinfo-gateway')}). \`istioctl analyze\` is clean.`,
      `- ztunnel sends reviews traffic to the ingress Envoy: WAYPOINT \`bookinfo-gateway-istio\` (${r.row(ZS, 'default', 'reviews')}), which has no HBONE listener on 15008.`,
    ],
  },
  {
    name: 'wp013-waypoint-listener-not-hbone',
    expected: ['WP013'],
    title: 'WP013: the waypoint\'s listener is not 15008/HBONE',
    build(b) {
      const gw = b.get('gateways', 'default', 'reviews-svc-waypoint');
      gw.metadata.generation = 2;
      gw.metadata.resourceVersion = nextRv();
      gw.spec.listeners[0].protocol = 'HTTP';
      for (const c of gw.status.conditions) c.observedGeneration = 2;
      const listener = gw.status.listeners[0];
      for (const c of listener.conditions) c.observedGeneration = 2;
      Object.assign(listener.conditions.find((c: K) => c.type === 'Accepted'), {
        lastTransitionTime: at('09:23:37'), message: 'Expected a single listener on port 15008 with protocol "HBONE"', reason: 'UnsupportedProtocol', status: 'False',
      });
      listener.supportedKinds = [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }, { group: 'gateway.networking.k8s.io', kind: 'GRPCRoute' }];
      const svc = b.get('services', 'default', 'reviews-svc-waypoint');
      svc.spec.ports.find((p: K) => p.port === 15008).appProtocol = 'http';
      svc.metadata.resourceVersion = nextRv();
    },
    doc: (r) => [
      `- Gateway \`default/reviews-svc-waypoint\` was edited (generation 2): its listener is \`port: 15008\`, \`protocol: HTTP\` (${r.obj(GWS, 'default', 'reviews-svc-waypoint', 'protocol: HTTP')}).`,
      `- istiod marks the listener \`Accepted\` False, reason \`UnsupportedProtocol\`, \`Expected a single listener on port 15008 with protocol "HBONE"\` (${r.obj(GWS, 'default', 'reviews-svc-waypoint', 'UnsupportedProtocol')}), and advertises HTTPRoute/GRPCRoute kinds for it. The Gateway-level \`Accepted\` and \`Programmed\` stay True (a listener error does not make the Gateway invalid), and \`istioctl analyze\` 1.26 does not look at Gateway conditions, so it is clean.`,
      `- istiod rewrote the waypoint Service's port from \`appProtocol: all\` to \`http\` (${r.obj(SVC, 'default', 'reviews-svc-waypoint', '"appProtocol": "http"')}). The binding still works (ztunnel ${r.row(ZS, 'default', 'reviews')}) because waypoints get their HBONE listener from istiod, not from the Gateway spec; but a non-HBONE listener also drops any \`allowedRoutes\` it carries.`,
    ],
  },
  {
    name: 'wp014-waypoint-not-programmed',
    expected: ['WP014'],
    title: 'WP014: the waypoint Gateway is not Programmed',
    build(b) {
      const gw = b.get('gateways', 'default', 'waypoint');
      gw.metadata.resourceVersion = nextRv();
      Object.assign(gw.status.conditions.find((c: K) => c.type === 'Programmed'), {
        lastTransitionTime: at('09:23:52'), message: 'Failed to assign to any requested addresses: hostname "waypoint.default.svc.cluster.local" not found', reason: 'AddressNotUsable', status: 'False',
      });
    },
    doc: (r, b) => [
      `- Gateway \`default/waypoint\` has \`Programmed\` False, reason \`AddressNotUsable\`, \`Failed to assign to any requested addresses: hostname "waypoint.default.svc.cluster.local" not found\` (${r.obj(GWS, 'default', 'waypoint', 'AddressNotUsable')}). It keeps its \`status.addresses\` (${r.obj(GWS, 'default', 'waypoint', 'value: waypoint.default.svc.cluster.local')}) and \`Accepted\` True.`,
      `- istiod writes this when the waypoint's Service \`waypoint.default.svc.cluster.local\` is not in its registry at the moment it computes the Gateway status. The capture shows that status next to a cluster in which everything else is healthy: the Service exists (${r.obj(SVC, 'default', 'waypoint', '"clusterIP"')}), the waypoint pod is ready and in proxy-status (${r.row(PS, `${waypointPodName(b, 'waypoint')}.default`)}), and the services stay bound (ztunnel ${r.row(ZS, 'default', 'productpage')}). \`istioctl analyze\` 1.26 does not look at Gateway conditions, so it is clean. Programmed=True would not prove the pods ready either; this scenario isolates the condition itself.`,
    ],
  },
];
