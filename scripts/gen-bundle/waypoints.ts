/**
 * The mesh side of a generated cluster: each waypoint's Gateway and what istiod deploys for it (Service,
 * Deployment, pod: made by the scenario generator's `waypointGateway`/`deployWaypoint` from the sample's
 * waypoint, so they have the exact shape istiod 1.26 gives them), the AuthorizationPolicies that target Services
 * and Gateways (with the WaypointAccepted status istiod writes), and HTTPRoutes whose parent is a Service.
 */
import { deployWaypoint, lastApplied, waypointGateway } from '../scenarios/edits.js';
import { authorizationPolicy, condition as istioCondition } from '../scenarios/objects.js';
import { type JsonObject, type KubeObject, rvAt, uid } from './kube.js';
import { type Service, type Waypoint, plusSeconds } from './plan.js';
import { list, obj, sampleBundle } from './system.js';

const WAYPOINT_FOR = 'istio.io/waypoint-for';

export interface WaypointObjects {
  gateway: KubeObject;
  service: KubeObject;
  deployment: KubeObject;
  pod: KubeObject;
}

/** Takes back what a scenario helper added to the sample bundle: the generator only borrows it as a template. */
function taken(file: 'gateways' | 'services' | 'deployments' | 'pods' | 'authorizationpolicies'): KubeObject {
  const item: unknown = sampleBundle().items(file).pop();
  return item as KubeObject;
}

export function waypointObjects(wp: Waypoint): WaypointObjects {
  const b = sampleBundle();
  const ns = wp.ns.name;
  const listener = { name: 'mesh', port: 15008, protocol: 'HBONE' };
  waypointGateway(b, ns, wp.name, listener, wp.created, wp.pod.ready);
  const gateway = taken('gateways');
  const [hash, suffix] = wp.pod.name.slice(wp.name.length + 1).split('-') as [string, string];
  deployWaypoint(b, ns, wp.name, gateway, wp.vip, {
    deployment: wp.name, hash, suffix, namespace: ns, node: wp.pod.node.name, ip: wp.pod.ip, created: wp.pod.created, ready: wp.pod.ready,
  });
  const pod = taken('pods');
  const deployment = taken('deployments');
  const service = taken('services');
  Object.assign(obj(pod, 'status'), { hostIP: wp.pod.node.hostIp, hostIPs: [{ ip: wp.pod.node.hostIp }] });
  gateway.metadata['resourceVersion'] = rvAt(wp.pod.ready, 11);
  service.metadata['resourceVersion'] = rvAt(wp.pod.created, 12);
  deployment.metadata['resourceVersion'] = rvAt(wp.pod.ready, 13);
  pod.metadata['resourceVersion'] = rvAt(wp.pod.ready, 14);
  if (wp.forLabel) {
    // `istioctl waypoint apply --for service`; istiod copies the Gateway's labels to what it deploys.
    const labels = { [WAYPOINT_FOR]: wp.forLabel };
    const applied = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { annotations: {}, labels, name: wp.name, namespace: ns }, spec: { gatewayClassName: 'istio-waypoint', listeners: [listener] } };
    gateway.metadata['labels'] = labels;
    obj(gateway.metadata, 'annotations')['kubectl.kubernetes.io/last-applied-configuration'] = lastApplied(applied);
    for (const o of [service, deployment, pod]) o.metadata['labels'] = { ...obj(o.metadata, 'labels'), ...labels };
    const template = obj(obj(deployment, 'spec'), 'template');
    template['metadata'] = { ...obj(template, 'metadata'), labels: { ...obj(obj(template, 'metadata'), 'labels'), ...labels } };
  }
  return { gateway, service, deployment, pod };
}

/** When the policies were applied: after the waypoints, spread up to istiod's last push (09:24:41). */
const policyTime = (i: number): string => plusSeconds('2025-10-14T09:21:00Z', i % 217);

const bound = (ns: string, wp: string, at: string) => [istioCondition('WaypointAccepted', 'True', 'Accepted', `bound to ${ns}/${wp}`, at)];

/**
 * `<service>-viewer`: only callers of the Service's own namespace, GET and POST; a Service with a TCP port gets the
 * namespace rule alone (an HTTP rule on a TCP port denies everything, which WP034 reports).
 */
export function servicePolicy(s: Service): KubeObject {
  const created = policyTime(s.index);
  const http = s.ports.every((p) => !p.name.startsWith('tcp'));
  authorizationPolicy(sampleBundle(), s.ns.name, `${s.name}-viewer`, {
    action: 'ALLOW',
    rules: [{ from: [{ source: { namespaces: [s.ns.name] } }], ...(http ? { to: [{ operation: { methods: ['GET', 'POST'] } }] } : {}) }],
    targetRefs: [{ group: '', kind: 'Service', name: s.name }],
  }, created, bound(s.ns.name, s.waypoint!.name, plusSeconds(created, 1)));
  const ap = taken('authorizationpolicies');
  ap.metadata['resourceVersion'] = rvAt(created, 21);
  return ap;
}

/** `<waypoint>-deny-admin` on the waypoint's Gateway: no `/admin` from anywhere. */
export function gatewayPolicy(wp: Waypoint): KubeObject {
  const created = policyTime(wp.index * 7 + 3);
  authorizationPolicy(sampleBundle(), wp.ns.name, `${wp.name}-deny-admin`, {
    action: 'DENY',
    rules: [{ to: [{ operation: { paths: ['/admin', '/admin/*'] } }] }],
    targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: wp.name }],
  }, created, bound(wp.ns.name, wp.name, plusSeconds(created, 1)));
  const ap = taken('authorizationpolicies');
  ap.metadata['resourceVersion'] = rvAt(created, 22);
  return ap;
}

/** `<service>-route`: an HTTPRoute on the Service's http port with a request timeout, as the API server stores it. */
export function serviceRoute(seed: string, s: Service): KubeObject {
  const name = `${s.name}-route`;
  const ns = s.ns.name;
  const created = policyTime(s.index * 3 + 1);
  const parentRef = { group: '', kind: 'Service', name: s.name, port: 80 };
  const spec = { parentRefs: [parentRef], rules: [{ backendRefs: [{ name: s.name, port: 80 }], timeouts: { request: '15s' } }] };
  const applied = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { annotations: {}, name, namespace: ns }, spec };
  const at = plusSeconds(created, 1);
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: {
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied(applied) },
      creationTimestamp: created, generation: 1, name, namespace: ns, resourceVersion: rvAt(created, 23), uid: uid(seed, `httproute:${ns}/${name}`),
    },
    spec: {
      parentRefs: [parentRef],
      rules: [{
        backendRefs: [{ group: '', kind: 'Service', name: s.name, port: 80, weight: 1 }],
        matches: [{ path: { type: 'PathPrefix', value: '/' } }],
        timeouts: { request: '15s' },
      }],
    },
    status: {
      parents: [{
        conditions: [
          istioCondition('Accepted', 'True', 'Accepted', 'Route was valid', at),
          istioCondition('ResolvedRefs', 'True', 'ResolvedRefs', 'All references resolved', at),
          istioCondition('ResolvedWaypoints', 'True', 'ResolvedWaypoints', 'All waypoints resolved', at),
        ] as JsonObject[],
        controllerName: 'istio.io/gateway-controller',
        parentRef,
      }],
    },
  };
}

/** The pod's proxy container image (the version proxy-status and the logs report). */
export const proxyImage = (pod: KubeObject): string => String(list(obj(pod, 'spec'), 'containers')[0]!['image']);
