import { wp005 } from '../../../src/rules/binding/wp005-service-waypoint-not-for-services.js';
import { tabwrite } from '../../helpers.js';
import { gatewayClass, kubeList, namespace, pod, ruleTester, service, waypoint } from '../rule-tester.js';

const FOR = 'istio.io/waypoint-for';
const USE = 'istio.io/use-waypoint';

ruleTester(wp005, {
  valid: [
    {
      name: 'service bound to a service waypoint',
      files: {
        'services.yaml': kubeList([service('default', 'reviews', { [USE]: 'waypoint' })]),
        'gateways.yaml': kubeList([waypoint('default', 'waypoint', { [FOR]: 'service' })]),
      },
    },
    {
      name: 'namespace waypoint takes all traffic through its GatewayClass label',
      files: {
        'namespaces.yaml': kubeList([namespace('default', { [USE]: 'waypoint' })]),
        'services.yaml': kubeList([service('default', 'reviews'), service('default', 'ratings')]),
        'gateways.yaml': kubeList([waypoint('default', 'waypoint')]),
        'gatewayclasses.yaml': kubeList([gatewayClass('istio-waypoint', { [FOR]: 'all' })]),
      },
    },
    {
      name: 'a pod (not a service) on a workload waypoint is fine',
      files: {
        'services.yaml': kubeList([service('default', 'reviews')]),
        'pods.yaml': kubeList([pod('default', 'reviews-v2-1', { app: 'reviews', [USE]: 'wl-waypoint' })]),
        'gateways.yaml': kubeList([waypoint('default', 'wl-waypoint', { [FOR]: 'workload' })]),
      },
    },
    {
      name: 'a typo in waypoint-for is WP006, not this rule',
      files: {
        'services.yaml': kubeList([service('default', 'reviews', { [USE]: 'waypoint' })]),
        'gateways.yaml': kubeList([waypoint('default', 'waypoint', { [FOR]: 'workloads' })]),
      },
    },
  ],
  invalid: [
    {
      name: 'service labelled onto a workload waypoint; istiod says UnsupportedTrafficType; ztunnel shows None',
      files: {
        'services.yaml': kubeList([{
          ...service('default', 'reviews', { [USE]: 'wl-waypoint' }),
          status: {
            conditions: [{
              lastTransitionTime: '2024-05-07T09:00:00Z',
              message: 'attempting to bind to traffic type "service" which the waypoint "default/wl-waypoint" does not support',
              reason: 'UnsupportedTrafficType',
              status: 'False',
              type: 'istio.io/WaypointBound',
            }],
          },
        }]),
        'gateways.yaml': kubeList([waypoint('default', 'wl-waypoint', { [FOR]: 'workload' })]),
        'zs.txt': tabwrite([['NAMESPACE', 'SERVICE NAME', 'SERVICE VIP', 'WAYPOINT', 'ENDPOINTS'], ['default', 'reviews', '10.96.45.12', 'None', '3/3']], 1),
      },
      findings: [{
        subject: 'Service default/reviews',
        message: /^Service default\/reviews binds itself to waypoint default\/wl-waypoint, which takes only workload traffic \(istio\.io\/waypoint-for=workload on its Gateway\): service-addressed traffic skips the waypoint\.$/,
        // services.yaml:8 the use-waypoint label, :22 the WaypointBound type line; gateways.yaml:7 the waypoint-for label.
        evidence: ['services.yaml:8', 'services.yaml:22', 'zs.txt:2', 'gateways.yaml:7'],
      }],
    },
    {
      name: 'namespace label binds every service to a waypoint-for=none waypoint: one finding on the namespace',
      files: {
        'namespaces.yaml': kubeList([namespace('default', { [USE]: 'waypoint' })]),
        'services.yaml': kubeList([service('default', 'reviews'), service('default', 'ratings')]),
        'pods.yaml': kubeList([pod('default', 'reviews-v1-1', { app: 'reviews' })]),
        'gateways.yaml': kubeList([waypoint('default', 'waypoint', { [FOR]: 'none' })]),
      },
      findings: [{
        subject: 'Namespace default',
        message: /^Namespace default binds reviews, ratings to waypoint default\/waypoint, which takes no traffic \(istio\.io\/waypoint-for=none on its Gateway\)/,
        evidence: ['namespaces.yaml:8', 'gateways.yaml:7'],
      }],
    },
    {
      name: 'the GatewayClass label makes an unlabelled waypoint workload-only',
      files: {
        'services.yaml': kubeList([service('default', 'reviews', { [USE]: 'waypoint' })]),
        'gateways.yaml': kubeList([waypoint('default', 'waypoint')]),
        'gatewayclasses.yaml': kubeList([gatewayClass('istio-waypoint', { [FOR]: 'workload' })]),
      },
      findings: [{
        subject: 'Service default/reviews',
        message: /which takes only workload traffic \(istio\.io\/waypoint-for=workload on its GatewayClass\)/,
        evidence: ['services.yaml:8', 'gatewayclasses.yaml:7'],
      }],
    },
  ],
});

ruleTester(wp005, {
  valid: [],
  invalid: [{
    name: 'no Services or ServiceEntries captured: inconclusive',
    files: { 'gateways.yaml': kubeList([waypoint('default', 'waypoint', { [FOR]: 'workload' })]) },
    findings: [{ status: 'inconclusive', message: /no Service objects or ServiceEntry objects/ }],
  }],
});
