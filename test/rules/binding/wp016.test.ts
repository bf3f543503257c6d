import { wp016 } from '../../../src/rules/binding/wp015-017-not-in-ambient.js';
import { tabwrite } from '../../helpers.js';
import { kubeList, namespace, pod, ruleTester, service, waypoint } from '../rule-tester.js';

const USE = 'istio.io/use-waypoint';
const MODE = 'istio.io/dataplane-mode';
const REDIRECTED = { 'ambient.istio.io/redirection': 'enabled' };

const annotatedPod = (ns: string, name: string, labels: Record<string, string>, annotations: Record<string, string>) => ({
  ...pod(ns, name, labels),
  metadata: { annotations: { ...annotations }, labels: { ...labels }, name, namespace: ns },
});
/** A Service selecting `app: <app>`. */
const selecting = (name: string, app: string, labels: Record<string, string> = {}) => ({
  ...service('default', name, labels),
  spec: { clusterIP: '10.96.45.12', ports: [{ name: 'http', port: 9080 }], selector: { app } },
});
const zw = (...rows: string[][]) => ({ 'zw.txt': tabwrite([['NAMESPACE', 'POD NAME', 'ADDRESS', 'NODE', 'WAYPOINT', 'PROTOCOL'], ...rows], 1) });
const ambientNs = { 'namespaces.yaml': kubeList([namespace('default', { [MODE]: 'ambient', [USE]: 'waypoint' })]) };
const gateways = { 'gateways.yaml': kubeList([waypoint('default', 'waypoint')]) };

ruleTester(wp016, {
  valid: [
    {
      name: 'destination pod redirected and HBONE in ztunnel',
      files: {
        ...ambientNs, ...gateways,
        'services.yaml': kubeList([selecting('reviews', 'reviews')]),
        'pods.yaml': kubeList([annotatedPod('default', 'reviews-v1-1', { app: 'reviews' }, REDIRECTED)]),
        ...zw(['default', 'reviews-v1-1', '10.244.1.15', 'ambient-worker', 'None', 'HBONE']),
      },
    },
    {
      name: 'a pod outside ambient behind a service without a waypoint',
      files: {
        'namespaces.yaml': kubeList([namespace('default')]),
        'services.yaml': kubeList([selecting('reviews', 'reviews')]),
        'pods.yaml': kubeList([pod('default', 'reviews-v1-1', { app: 'reviews' })]),
        ...gateways,
      },
    },
    {
      name: 'a service whose waypoint does not exist is not bound (WP001), so its pods are not this rule\'s business',
      files: {
        'services.yaml': kubeList([selecting('reviews', 'reviews', { [USE]: 'ghost' })]),
        'pods.yaml': kubeList([pod('default', 'reviews-v1-1', { app: 'reviews' })]),
        ...gateways,
      },
    },
  ],
  invalid: [
    {
      name: 'destination pod in an ambient namespace that istio-cni never redirected',
      files: {
        ...ambientNs, ...gateways,
        'services.yaml': kubeList([selecting('reviews', 'reviews')]),
        'pods.yaml': kubeList([pod('default', 'reviews-v1-1', { app: 'reviews' })]),
      },
      findings: [{
        subject: 'Pod default/reviews-v1-1',
        message: /^Pod default\/reviews-v1-1, behind waypoint-bound service reviews, is not captured by ambient \(istio-cni did not mark it ambient\.istio\.io\/redirection=enabled\)\.$/,
        evidence: ['pods.yaml:8'],
      }],
    },
    {
      name: 'redirected pod that ztunnel lists with PROTOCOL TCP, behind two bound services',
      files: {
        ...ambientNs, ...gateways,
        'services.yaml': kubeList([selecting('reviews', 'reviews'), selecting('reviews-canary', 'reviews')]),
        'pods.yaml': kubeList([annotatedPod('default', 'reviews-v1-1', { app: 'reviews' }, REDIRECTED)]),
        ...zw(['default', 'reviews-v1-1', '10.244.1.15', 'ambient-worker', 'None', 'TCP']),
      },
      findings: [{
        subject: 'Pod default/reviews-v1-1',
        message: /behind waypoint-bound services reviews, reviews-canary, is not captured by ambient \(ztunnel lists it with PROTOCOL TCP\)/,
        evidence: ['pods.yaml:10', 'zw.txt:2'],
      }],
    },
    {
      name: 'destination pod opted out of ambient by its own label',
      files: {
        ...ambientNs, ...gateways,
        'services.yaml': kubeList([selecting('ratings', 'ratings', { [USE]: 'waypoint' })]),
        'pods.yaml': kubeList([pod('default', 'ratings-v1-1', { app: 'ratings', [MODE]: 'none' })]),
      },
      findings: [{ subject: 'Pod default/ratings-v1-1', message: /\(it is labelled istio\.io\/dataplane-mode=none\)/, evidence: ['pods.yaml:8'] }],
    },
  ],
});

ruleTester(wp016, {
  valid: [],
  invalid: [{
    name: 'no Services captured: inconclusive',
    files: { ...ambientNs, 'pods.yaml': kubeList([pod('default', 'reviews-v1-1', { app: 'reviews' })]) },
    findings: [{ status: 'inconclusive', message: /no Service objects/ }],
  }],
});
