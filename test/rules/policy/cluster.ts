/**
 * A small ambient cluster for the policy rules, as kubectl prints it: namespace `default` bound to
 * waypoint `waypoint` (service traffic), ratings and reviews behind it, a sidecar-injected ingress
 * gateway in `istio-ingress`, and a namespace `legacy` in ambient without a waypoint.
 */
import { ambientNamespace, ambientPod, appService, kubeList, namespace, pod, waypoint, waypointPod, type Files } from '../rule-tester.js';

export const WAYPOINT_PRINCIPAL = 'cluster.local/ns/default/sa/waypoint';

export function cluster(policies: object[], extra: Files = {}): Files {
  return {
    'namespaces.yaml': kubeList([ambientNamespace('default', { 'istio.io/use-waypoint': 'waypoint' }), ambientNamespace('legacy'), namespace('istio-system'), namespace('istio-ingress')]),
    'gateways.yaml': kubeList([waypoint('default', 'waypoint')]),
    'services.yaml': kubeList([appService('default', 'ratings'), appService('default', 'reviews'), appService('legacy', 'inventory')]),
    'pods.yaml': kubeList([
      ambientPod('default', 'ratings-v1-6484c4d9bb-crjtt', { app: 'ratings' }),
      ambientPod('default', 'reviews-v1-5b5d6494f4-nrvfx', { app: 'reviews' }),
      ambientPod('legacy', 'inventory-7d9f8c6b5-x2k9q', { app: 'inventory' }),
      waypointPod('default', 'waypoint', 'waypoint-6f7b665c89-6hppr'),
      { ...pod('istio-ingress', 'istio-ingressgateway-5b54f56fb5-l2bjk', { istio: 'ingressgateway' }) as object, metadata: { annotations: { 'sidecar.istio.io/status': '{}' }, labels: { istio: 'ingressgateway' }, name: 'istio-ingressgateway-5b54f56fb5-l2bjk', namespace: 'istio-ingress' } },
    ]),
    'authorizationpolicies.yaml': kubeList(policies),
    ...extra,
  };
}
