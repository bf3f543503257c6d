import { wp001 } from '../../../src/rules/binding/wp001-waypoint-missing.js';
import { tabwrite } from '../../helpers.js';
import { kubeList, namespace, pod, ruleTester, service, waypoint } from '../rule-tester.js';

const emptyGateways = { 'gateways.yaml': kubeList([]) };

ruleTester(wp001, {
  valid: [
    {
      name: 'service and namespace labels name existing waypoints',
      files: {
        'namespaces.yaml': kubeList([namespace('default', { 'istio.io/use-waypoint': 'waypoint' })]),
        'services.yaml': kubeList([service('default', 'reviews', { 'istio.io/use-waypoint': 'reviews-svc-waypoint' })]),
        'gateways.yaml': kubeList([waypoint('default', 'waypoint'), waypoint('default', 'reviews-svc-waypoint')]),
      },
    },
    {
      name: 'use-waypoint=none opts out',
      files: { 'services.yaml': kubeList([service('default', 'a', { 'istio.io/use-waypoint': 'none' })]), ...emptyGateways },
    },
    {
      name: 'cross-namespace waypoint found through use-waypoint-namespace on the same object',
      files: {
        'services.yaml': kubeList([service('app', 'a', { 'istio.io/use-waypoint': 'shared', 'istio.io/use-waypoint-namespace': 'infra' })]),
        'gateways.yaml': kubeList([waypoint('infra', 'shared', {}, 'istio-waypoint', 'All')]),
      },
    },
    {
      name: 'a same-named waypoint in another namespace without use-waypoint-namespace is WP008, not this rule',
      files: {
        'pods.yaml': kubeList([pod('app', 'p', { 'istio.io/use-waypoint': 'shared' })]),
        'gateways.yaml': kubeList([waypoint('infra', 'shared')]),
      },
    },
    {
      name: 'pods inheriting a missing namespace waypoint are not reported one by one',
      files: {
        'pods.yaml': kubeList([pod('default', 'p1'), pod('default', 'p2')]),
        ...emptyGateways,
      },
    },
  ],
  invalid: [
    {
      name: 'the Gateway is missing from the bundle, but ztunnel routes to a waypoint of that name: contradicted',
      files: {
        'services.yaml': kubeList([service('default', 'ratings', { 'istio.io/use-waypoint': 'ratings-waypoint' })]),
        ...emptyGateways,
        'zs.txt': tabwrite([['NAMESPACE', 'SERVICE NAME', 'SERVICE VIP', 'WAYPOINT', 'ENDPOINTS'], ['default', 'ratings', '10.43.7.20', 'ratings-waypoint', '1/1']], 1),
      },
      findings: [{ subject: 'Service default/ratings', message: /no Gateway default\/ratings-waypoint exists/, against: ['zs.txt:2'] }],
    },
    {
      name: 'service names a waypoint that does not exist; ztunnel shows None; no fallback to the namespace waypoint',
      files: {
        'namespaces.yaml': kubeList([namespace('default', { 'istio.io/use-waypoint': 'waypoint' })]),
        'services.yaml': kubeList([{
          ...service('default', 'ratings', { 'istio.io/use-waypoint': 'ratings-waypoint' }),
          status: { conditions: [{ type: 'istio.io/WaypointBound', status: 'False', reason: 'WaypointIsNotReady', message: 'waypoint "default/ratings-waypoint" is not ready' }] },
        }]),
        'gateways.yaml': kubeList([waypoint('default', 'waypoint')]),
        'zs.txt': tabwrite([['NAMESPACE', 'SERVICE NAME', 'SERVICE VIP', 'WAYPOINT', 'ENDPOINTS'], ['default', 'ratings', '10.96.0.10', 'None', '1/1']], 1),
      },
      findings: [{
        subject: 'Service default/ratings',
        message: /no Gateway default\/ratings-waypoint exists.*does not fall back/,
        evidence: ['services.yaml:8', 'services.yaml:18', 'zs.txt:2'],
      }],
    },
    {
      name: 'namespace label names a missing waypoint: one finding for the namespace',
      files: {
        'namespaces.yaml': kubeList([namespace('shop', { 'istio.io/use-waypoint': 'ghost' })]),
        'pods.yaml': kubeList([pod('shop', 'p1'), pod('shop', 'p2')]),
        ...emptyGateways,
      },
      findings: [{ subject: 'Namespace shop', message: /no Gateway shop\/ghost exists/ }],
    },
    {
      name: 'use-waypoint-namespace points at the wrong namespace; the hint names the right one',
      files: {
        'pods.yaml': kubeList([pod('app', 'p', { 'istio.io/use-waypoint': 'shared', 'istio.io/use-waypoint-namespace': 'infra-old' })]),
        'gateways.yaml': kubeList([waypoint('infra', 'shared')]),
      },
      findings: [{ subject: 'Pod app/p', message: /no Gateway infra-old\/shared exists.*exists in namespace infra/ }],
    },
  ],
});

ruleTester(wp001, {
  valid: [],
  invalid: [{
    name: 'without Gateway objects the rule is inconclusive and says what to collect',
    files: { 'services.yaml': kubeList([service('default', 'a', { 'istio.io/use-waypoint': 'w' })]) },
    findings: [{ status: 'inconclusive', message: /no Gateway objects/ }],
  }],
});
