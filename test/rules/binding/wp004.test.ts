import { wp004 } from '../../../src/rules/binding/wp004-pod-waypoint-service-only.js';
import { tabwrite } from '../../helpers.js';
import { gatewayClass, kubeList, namespace, pod, ruleTester, waypoint } from '../rule-tester.js';

const reviewsV2 = (waypointName = 'reviews-v2-pod-waypoint') => pod('default', 'reviews-v2-6f9b55c5db-c94m2', { app: 'reviews', 'istio.io/use-waypoint': waypointName });

ruleTester(wp004, {
  valid: [
    {
      name: 'pod waypoint takes workload traffic',
      files: { 'pods.yaml': kubeList([reviewsV2()]), 'gateways.yaml': kubeList([waypoint('default', 'reviews-v2-pod-waypoint', { 'istio.io/waypoint-for': 'workload' })]) },
    },
    {
      name: 'pod waypoint takes all traffic',
      files: { 'pods.yaml': kubeList([reviewsV2()]), 'gateways.yaml': kubeList([waypoint('default', 'reviews-v2-pod-waypoint', { 'istio.io/waypoint-for': 'all' })]) },
    },
    {
      name: 'GatewayClass label makes an unlabelled waypoint take all traffic',
      files: {
        'pods.yaml': kubeList([reviewsV2()]),
        'gateways.yaml': kubeList([waypoint('default', 'reviews-v2-pod-waypoint')]),
        'gatewayclasses.yaml': kubeList([gatewayClass('istio-waypoint', { 'istio.io/waypoint-for': 'all' })]),
      },
    },
    {
      name: 'a pod that only inherits a service waypoint from its namespace is silently without one, by design',
      files: {
        'namespaces.yaml': kubeList([namespace('default', { 'istio.io/use-waypoint': 'waypoint' })]),
        'pods.yaml': kubeList([pod('default', 'details-v1-1')]),
        'gateways.yaml': kubeList([waypoint('default', 'waypoint')]),
      },
    },
    {
      name: 'a missing waypoint is WP001, not this rule',
      files: { 'pods.yaml': kubeList([reviewsV2()]), 'gateways.yaml': kubeList([]) },
    },
  ],
  invalid: [
    {
      name: 'waypoint without waypoint-for label (service by default); ztunnel shows None',
      files: {
        'pods.yaml': kubeList([reviewsV2()]),
        'gateways.yaml': kubeList([waypoint('default', 'reviews-v2-pod-waypoint')]),
        'zw.txt': tabwrite([
          ['NAMESPACE', 'POD NAME', 'ADDRESS', 'NODE', 'WAYPOINT', 'PROTOCOL'],
          ['default', 'reviews-v2-6f9b55c5db-c94m2', '10.244.1.17', 'ambient-worker', 'None', 'HBONE'],
        ], 1),
      },
      findings: [{
        subject: 'Pod default/reviews-v2-6f9b55c5db-c94m2',
        message: /only service traffic \(no istio.io\/waypoint-for label, so the default\)/,
        evidence: ['pods.yaml:8', 'gateways.yaml:7', 'zw.txt:2'],
      }],
    },
    {
      name: 'waypoint explicitly for service traffic',
      files: { 'pods.yaml': kubeList([reviewsV2()]), 'gateways.yaml': kubeList([waypoint('default', 'reviews-v2-pod-waypoint', { 'istio.io/waypoint-for': 'service' })]) },
      findings: [{ subject: 'Pod default/reviews-v2-6f9b55c5db-c94m2', message: /waypoint-for=service on its Gateway/, evidence: ['gateways.yaml:7'] }],
    },
    {
      name: 'a typo in waypoint-for accepts nothing',
      files: { 'pods.yaml': kubeList([reviewsV2()]), 'gateways.yaml': kubeList([waypoint('default', 'reviews-v2-pod-waypoint', { 'istio.io/waypoint-for': 'workloads' })]) },
      findings: [{ subject: 'Pod default/reviews-v2-6f9b55c5db-c94m2', message: /"workloads" is not a valid value/ }],
    },
  ],
});
