import { wp010 } from '../../../src/rules/binding/wp010-opted-out.js';
import { tabwrite } from '../../helpers.js';
import { kubeList, namespace, pod, ruleTester, service, waypoint } from '../rule-tester.js';

const USE = 'istio.io/use-waypoint';

ruleTester(wp010, {
  valid: [
    {
      name: 'an intentional override to another existing waypoint',
      files: {
        'namespaces.yaml': kubeList([namespace('default', { [USE]: 'waypoint' })]),
        'services.yaml': kubeList([service('default', 'reviews', { [USE]: 'reviews-svc-waypoint' })]),
        'gateways.yaml': kubeList([waypoint('default', 'waypoint'), waypoint('default', 'reviews-svc-waypoint')]),
      },
    },
    {
      name: 'use-waypoint=none where the namespace has no waypoint to hide',
      files: {
        'namespaces.yaml': kubeList([namespace('default')]),
        'services.yaml': kubeList([service('default', 'reviews', { [USE]: 'none' })]),
      },
    },
    {
      name: 'namespace itself opted out',
      files: {
        'namespaces.yaml': kubeList([namespace('default', { [USE]: 'none' })]),
        'pods.yaml': kubeList([pod('default', 'reviews-v1-1', { [USE]: 'none' })]),
      },
    },
  ],
  invalid: [
    {
      name: 'service opts out of the namespace waypoint; ztunnel shows None',
      files: {
        'namespaces.yaml': kubeList([namespace('default', { [USE]: 'waypoint' })]),
        'services.yaml': kubeList([service('default', 'ratings', { [USE]: 'none' })]),
        'gateways.yaml': kubeList([waypoint('default', 'waypoint')]),
        'zs.txt': tabwrite([['NAMESPACE', 'SERVICE NAME', 'SERVICE VIP', 'WAYPOINT', 'ENDPOINTS'], ['default', 'ratings', '10.96.0.10', 'None', '1/1']], 1),
      },
      findings: [{
        subject: 'Service default/ratings',
        message: /^Service default\/ratings opts out \(istio\.io\/use-waypoint=none\) of waypoint waypoint, which namespace default uses: its traffic skips the namespace's L7 policy\.$/,
        evidence: ['services.yaml:8', 'namespaces.yaml:8', 'zs.txt:2'],
      }],
    },
    {
      name: 'pod with an empty use-waypoint looks up a waypoint named ""',
      files: {
        'namespaces.yaml': kubeList([namespace('default', { [USE]: 'waypoint' })]),
        'pods.yaml': kubeList([pod('default', 'details-v1-1', { app: 'details', [USE]: '' })]),
        'zw.txt': tabwrite([
          ['NAMESPACE', 'POD NAME', 'ADDRESS', 'NODE', 'WAYPOINT', 'PROTOCOL'],
          ['default', 'details-v1-1', '10.244.1.9', 'ambient-worker', 'None', 'HBONE'],
        ], 1),
      },
      findings: [{
        subject: 'Pod default/details-v1-1',
        message: /^Pod default\/details-v1-1 has an empty istio\.io\/use-waypoint, which makes istiod look for a waypoint named "" instead of using waypoint/,
        evidence: ['pods.yaml:8', 'namespaces.yaml:8', 'zw.txt:2'],
      }],
    },
    {
      name: 'one finding per opted-out object',
      files: {
        'namespaces.yaml': kubeList([namespace('shop', { [USE]: 'waypoint' })]),
        'services.yaml': kubeList([service('shop', 'cart', { [USE]: 'none' }), service('shop', 'checkout'), service('shop', 'payments', { [USE]: 'none' })]),
      },
      findings: [
        { subject: 'Service shop/cart', message: /opts out/, evidence: ['services.yaml:8'] },
        // cart spans lines 3-15, checkout 16-27 (one label), payments' use-waypoint label is on line 33.
        { subject: 'Service shop/payments', message: /opts out/, evidence: ['services.yaml:33'] },
      ],
    },
  ],
});

ruleTester(wp010, {
  valid: [],
  invalid: [{
    name: 'no Namespaces captured: inconclusive',
    files: { 'services.yaml': kubeList([service('default', 'ratings', { [USE]: 'none' })]) },
    findings: [{ status: 'inconclusive', message: /no Namespace objects/ }],
  }],
});
