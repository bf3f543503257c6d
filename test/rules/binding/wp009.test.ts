import { wp009 } from '../../../src/rules/binding/wp009-cross-namespace-not-allowed.js';
import { kubeList, namespace, pod, ruleTester, service, waypoint } from '../rule-tester.js';

const USE = 'istio.io/use-waypoint';
const USE_NS = 'istio.io/use-waypoint-namespace';
const crossNs = { [USE]: 'shared', [USE_NS]: 'infra' };

/** The shared waypoint with an explicit listener list. */
const sharedWaypoint = (listeners: object[]) => ({
  ...waypoint('infra', 'shared'),
  spec: { gatewayClassName: 'istio-waypoint', listeners },
});
const selectorListener = { name: 'mesh', port: 15008, protocol: 'HBONE', allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { 'waypoint-access': 'granted' } } } } };

ruleTester(wp009, {
  valid: [
    {
      name: 'cross-namespace waypoint with allowedRoutes from: All',
      files: {
        'services.yaml': kubeList([service('app', 'reviews', crossNs)]),
        'gateways.yaml': kubeList([waypoint('infra', 'shared', {}, 'istio-waypoint', 'All')]),
      },
    },
    {
      name: 'same-namespace waypoint needs no allowedRoutes',
      files: {
        'services.yaml': kubeList([service('infra', 'reviews', { [USE]: 'shared' })]),
        'gateways.yaml': kubeList([waypoint('infra', 'shared')]),
      },
    },
    {
      name: 'from: Selector matching the namespace labels',
      files: {
        'namespaces.yaml': kubeList([namespace('app', { ...crossNs, 'waypoint-access': 'granted' })]),
        'services.yaml': kubeList([service('app', 'reviews')]),
        'gateways.yaml': kubeList([sharedWaypoint([selectorListener])]),
      },
    },
    {
      name: 'from: Selector without the Namespace object: a denial cannot be shown',
      files: {
        'services.yaml': kubeList([service('app', 'reviews', crossNs)]),
        'gateways.yaml': kubeList([sharedWaypoint([selectorListener])]),
      },
    },
  ],
  invalid: [
    {
      name: 'cross-namespace waypoint without allowedRoutes (default Same)',
      files: {
        'services.yaml': kubeList([service('app', 'reviews', crossNs)]),
        'gateways.yaml': kubeList([waypoint('infra', 'shared')]),
      },
      findings: [{
        subject: 'Service app/reviews',
        message: /^Service app\/reviews uses waypoint infra\/shared, whose HBONE listener admits only its own namespace; reviews is refused and skips the waypoint\.$/,
        // services.yaml:8 use-waypoint, :9 use-waypoint-namespace; gateways.yaml:7 the Gateway.
        evidence: ['services.yaml:8', 'services.yaml:9', 'gateways.yaml:7'],
      }],
    },
    {
      name: 'from: Selector that does not match the consumer namespace; one finding for the namespace label',
      files: {
        'namespaces.yaml': kubeList([namespace('app', crossNs)]),
        'services.yaml': kubeList([service('app', 'reviews'), service('app', 'ratings')]),
        'gateways.yaml': kubeList([sharedWaypoint([selectorListener])]),
      },
      findings: [{
        subject: 'Namespace app',
        message: /^Namespace app uses waypoint infra\/shared, whose HBONE listener admits only namespaces matching its selector; reviews, ratings are refused/,
        evidence: ['namespaces.yaml:8', 'namespaces.yaml:9', 'gateways.yaml:7'],
      }],
    },
    {
      name: 'allowedRoutes on a second, non-HBONE listener does not count for attachment',
      files: {
        'pods.yaml': kubeList([pod('app', 'curl-5b8f6c7d9-abcde', { app: 'curl', ...crossNs })]),
        'gateways.yaml': kubeList([sharedWaypoint([
          { name: 'mesh', port: 15008, protocol: 'HBONE' },
          { name: 'extra', port: 15009, protocol: 'HBONE', allowedRoutes: { namespaces: { from: 'All' } } },
        ])]),
      },
      findings: [{ subject: 'Pod app/curl-5b8f6c7d9-abcde', message: /admits only its own namespace; curl-5b8f6c7d9-abcde is refused/, evidence: ['pods.yaml:8'] }],
    },
  ],
});

ruleTester(wp009, {
  valid: [],
  invalid: [{
    name: 'no Gateways captured: inconclusive',
    files: { 'services.yaml': kubeList([service('app', 'reviews', crossNs)]) },
    findings: [{ status: 'inconclusive', message: /no Gateway objects/ }],
  }],
});
