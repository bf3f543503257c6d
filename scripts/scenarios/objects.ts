/**
 * Objects the new scenarios apply with `kubectl apply`, as the API server returns them afterwards: the
 * last-applied annotation, generation 1, a fresh resourceVersion and uid, and the status istiod 1.26 writes.
 */
import type { K } from './serializers.js';
import { type Bundle, uuid } from './bundle.js';
import { lastApplied, nextRv, plus } from './edits.js';

export const ZTUNNEL_HTTP_WARNING = (found: string) =>
  `ztunnel does not support HTTP attributes (found: ${found}). In ambient mode you must use a waypoint proxy to enforce HTTP rules. ` +
  'Within an ALLOW policy, rules matching HTTP attributes are omitted. This will be more restrictive than requested.';

export const condition = (type: string, status: 'True' | 'False', reason: string, message: string, at: string, generation: number | string = 1) =>
  ({ lastTransitionTime: at, message, observedGeneration: generation, reason, status, type });

/** `kubectl apply` of an Istio object (AuthorizationPolicy, RequestAuthentication, DestinationRule, ...). */
export function istioObject(b: Bundle, file: 'authorizationpolicies' | 'requestauthentications' | 'destinationrules' | 'virtualservices',
  kind: string, apiVersion: string, ns: string, name: string, spec: K, created: string, conditions?: K[]): K {
  const applied = { apiVersion, kind, metadata: { annotations: {}, name, namespace: ns }, spec };
  const obj: K = {
    apiVersion, kind,
    metadata: {
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied(applied) },
      creationTimestamp: created, generation: 1, name, namespace: ns, resourceVersion: nextRv(), uid: uuid(`${kind}:${ns}/${name}`),
    },
    spec,
  };
  // Istio writes observedGeneration of its own conditions as a string.
  if (conditions) obj.status = { conditions: conditions.map((c) => ({ ...c, observedGeneration: String(c.observedGeneration) })) };
  return b.add(file, obj);
}

export function authorizationPolicy(b: Bundle, ns: string, name: string, spec: K, created: string, conditions: K[]): K {
  return istioObject(b, 'authorizationpolicies', 'AuthorizationPolicy', 'security.istio.io/v1', ns, name, spec, created, conditions);
}

/** ZtunnelAccepted as istiod writes it for a policy without targetRefs. */
export const ztunnelAccepted = (at: string, warning?: string) =>
  condition('ZtunnelAccepted', 'True', warning ? 'UnsupportedValue' : 'Accepted', warning ?? 'attached to ztunnel', plus(at, 1));

export interface RouteParent {
  ref: K;
  accepted?: { reason: string; message: string };
  resolvedRefs?: { reason: string; message: string };
  waypoints?: string;
}

/** `kubectl apply` of an HTTPRoute, with one status entry per parent istiod handles. */
export function httpRoute(b: Bundle, name: string, spec: K, created: string, parents: RouteParent[]): K {
  const applied = { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { annotations: {}, name, namespace: 'default' }, spec };
  const at = plus(created, 1);
  // The API server defaults group/kind of parentRefs and backendRefs, and a path match of every rule.
  const full = structuredClone(spec);
  for (const p of full.parentRefs) {
    p.group ??= 'gateway.networking.k8s.io';
    p.kind ??= 'Gateway';
  }
  for (const r of full.rules) {
    r.matches ??= [{ path: { type: 'PathPrefix', value: '/' } }];
    for (const ref of r.backendRefs ?? []) {
      ref.group ??= '';
      ref.kind ??= 'Service';
      ref.weight ??= 1;
    }
  }
  const route: K = {
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute',
    metadata: {
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied(applied) },
      creationTimestamp: created, generation: 1, name, namespace: 'default', resourceVersion: nextRv(), uid: uuid(`httproute:default/${name}`),
    },
    spec: full,
  };
  if (parents.length > 0) {
    route.status = {
      parents: parents.map((p) => ({
        conditions: [
          p.accepted ? condition('Accepted', 'False', p.accepted.reason, p.accepted.message, at) : condition('Accepted', 'True', 'Accepted', 'Route was valid', at),
          p.resolvedRefs ? condition('ResolvedRefs', 'False', p.resolvedRefs.reason, p.resolvedRefs.message, at) : condition('ResolvedRefs', 'True', 'ResolvedRefs', 'All references resolved', at),
          condition('ResolvedWaypoints', 'True', 'ResolvedWaypoints', p.waypoints ?? 'All waypoints resolved', at),
        ],
        controllerName: 'istio.io/gateway-controller',
        parentRef: p.ref,
      })),
    };
  }
  return b.add('httproutes', route);
}

/** A Service like reviews' for the pods of one version (what `kubectl apply -f bookinfo-versions.yaml` creates). */
export function versionService(b: Bundle, version: string, vip: string, created: string): K {
  const reviews = b.get('services', 'default', 'reviews');
  const name = `reviews-${version}`;
  const applied = {
    apiVersion: 'v1', kind: 'Service', metadata: { annotations: {}, labels: { app: 'reviews', version }, name, namespace: 'default' },
    spec: { ports: [{ name: 'http', port: 9080 }], selector: { app: 'reviews', version } },
  };
  const svc = structuredClone(reviews);
  svc.metadata = {
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied(applied) },
    creationTimestamp: created, labels: { app: 'reviews', version }, name, namespace: 'default', resourceVersion: nextRv(), uid: uuid(`svc:default/${name}`),
  };
  Object.assign(svc.spec, { clusterIP: vip, clusterIPs: [vip], selector: { app: 'reviews', version } });
  svc.status = {
    conditions: [condition('istio.io/WaypointBound', 'True', 'WaypointAccepted', 'Successfully attached to waypoint default/waypoint', plus(created, 1))]
      .map(({ observedGeneration: _, ...c }) => c),
    loadBalancer: {},
  };
  b.add('services', svc);
  const pods = b.items('pods').filter((p) => p.metadata.labels.app === 'reviews' && p.metadata.labels.version === version);
  b.zs.rows.push(['default', name, vip, 'waypoint', `${pods.length}/${pods.length}`]);
  return svc;
}
