import { wp008 } from '../../../src/rules/binding/wp008-waypoint-in-other-namespace.js';
import { kubeList, namespace, pod, ruleTester, service, waypoint } from '../rule-tester.js';

const USE = 'istio.io/use-waypoint';
const USE_NS = 'istio.io/use-waypoint-namespace';

ruleTester(wp008, {
  valid: [
    {
      name: 'use-waypoint-namespace on the same object that carries use-waypoint',
      files: {
        'services.yaml': kubeList([service('app', 'reviews', { [USE]: 'shared', [USE_NS]: 'infra' })]),
        'gateways.yaml': kubeList([waypoint('infra', 'shared', {}, 'istio-waypoint', 'All')]),
      },
    },
    {
      name: 'namespace carries both labels; its services inherit both',
      files: {
        'namespaces.yaml': kubeList([namespace('app', { [USE]: 'shared', [USE_NS]: 'infra' })]),
        'services.yaml': kubeList([service('app', 'reviews')]),
        'gateways.yaml': kubeList([waypoint('infra', 'shared', {}, 'istio-waypoint', 'All')]),
      },
    },
    {
      name: 'a same-named waypoint exists in the object\'s own namespace too',
      files: {
        'pods.yaml': kubeList([pod('app', 'reviews-v1-1', { [USE]: 'waypoint' })]),
        'gateways.yaml': kubeList([waypoint('app', 'waypoint'), waypoint('infra', 'waypoint')]),
      },
    },
    {
      name: 'no Gateway of that name anywhere is WP001, not this rule',
      files: {
        'services.yaml': kubeList([service('app', 'reviews', { [USE]: 'ghost' })]),
        'gateways.yaml': kubeList([waypoint('infra', 'shared')]),
      },
    },
  ],
  invalid: [
    {
      name: 'service names a waypoint that only exists in another namespace',
      files: {
        'services.yaml': kubeList([service('app', 'reviews', { [USE]: 'shared' })]),
        'gateways.yaml': kubeList([waypoint('infra', 'shared', {}, 'istio-waypoint', 'All')]),
      },
      findings: [{
        subject: 'Service app/reviews',
        message: /^Service app\/reviews uses waypoint shared, which Istio looks for in namespace app; a Gateway shared exists in namespace infra, but istio\.io\/use-waypoint-namespace is not set on the Service\.$/,
        evidence: ['services.yaml:8', 'gateways.yaml:7'],
      }],
    },
    {
      name: 'use-waypoint-namespace only on the Namespace while the Service has its own use-waypoint',
      files: {
        'namespaces.yaml': kubeList([namespace('app', { [USE_NS]: 'infra' })]),
        'services.yaml': kubeList([{
          ...service('app', 'reviews', { [USE]: 'shared' }),
          status: {
            conditions: [{
              lastTransitionTime: '2024-05-07T09:00:00Z',
              message: 'waypoint "app/shared" is not ready',
              reason: 'WaypointIsNotReady',
              status: 'False',
              type: 'istio.io/WaypointBound',
            }],
          },
        }]),
        'gateways.yaml': kubeList([waypoint('infra', 'shared', {}, 'istio-waypoint', 'All')]),
      },
      findings: [{
        subject: 'Service app/reviews',
        message: /is not set on the Service \(the namespace's label is not used for an object's own use-waypoint\)\.$/,
        // namespaces.yaml:8 the namespace's use-waypoint-namespace; services.yaml:22 the WaypointBound type line.
        evidence: ['services.yaml:8', 'gateways.yaml:7', 'namespaces.yaml:8', 'services.yaml:22'],
      }],
    },
    {
      name: 'namespace label names a waypoint in another namespace without use-waypoint-namespace',
      files: {
        'namespaces.yaml': kubeList([namespace('app', { [USE]: 'shared' }), namespace('infra')]),
        'pods.yaml': kubeList([pod('app', 'reviews-v1-1'), pod('app', 'ratings-v1-1')]),
        'gateways.yaml': kubeList([waypoint('infra', 'shared')]),
      },
      findings: [{ subject: 'Namespace app', message: /^Namespace app uses waypoint shared, which Istio looks for in namespace app; a Gateway shared exists in namespace infra/, evidence: ['namespaces.yaml:8'] }],
    },
  ],
});

ruleTester(wp008, {
  valid: [],
  invalid: [{
    name: 'no Gateways captured: inconclusive',
    files: { 'services.yaml': kubeList([service('app', 'reviews', { [USE]: 'shared' })]) },
    findings: [{ status: 'inconclusive', message: /no Gateway objects/ }],
  }],
});
