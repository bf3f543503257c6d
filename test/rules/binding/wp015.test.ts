import { wp015 } from '../../../src/rules/binding/wp015-017-not-in-ambient.js';
import { tabwrite } from '../../helpers.js';
import { kubeList, namespace, pod, ruleTester, service, waypoint, waypointPod } from '../rule-tester.js';

const USE = 'istio.io/use-waypoint';
const MODE = 'istio.io/dataplane-mode';
const REDIRECTED = { 'ambient.istio.io/redirection': 'enabled' };
const SIDECAR = { 'sidecar.istio.io/status': '{"initContainers":["istio-init"],"containers":["istio-proxy"],"volumes":["istio-envoy","istio-data"],"imagePullSecrets":null,"revision":"default"}' };
const CLIENT = 'sleep-7656cf8794-9v2gv';

/** A pod with `metadata.annotations` (kubectl prints them before labels). */
const annotatedPod = (ns: string, name: string, labels: Record<string, string>, annotations: Record<string, string>) => ({
  ...pod(ns, name, labels),
  metadata: { annotations: { ...annotations }, labels: { ...labels }, name, namespace: ns },
});
const selecting = (ns: string, name: string, labels: Record<string, string> = {}) => ({
  ...service(ns, name, labels),
  spec: { clusterIP: '10.96.45.12', ports: [{ name: 'http', port: 9080 }], selector: { app: name } },
});
const zw = (...rows: string[][]) => ({ 'zw.txt': tabwrite([['NAMESPACE', 'POD NAME', 'ADDRESS', 'NODE', 'WAYPOINT', 'PROTOCOL'], ...rows], 1) });
const ambientNs = namespace('default', { [MODE]: 'ambient', [USE]: 'waypoint' });
const gateways = { 'gateways.yaml': kubeList([waypoint('default', 'waypoint')]) };

ruleTester(wp015, {
  valid: [
    {
      name: 'ambient client, redirected by istio-cni, HBONE in ztunnel',
      files: {
        'namespaces.yaml': kubeList([ambientNs]),
        'pods.yaml': kubeList([annotatedPod('default', CLIENT, { app: 'sleep' }, REDIRECTED)]),
        ...gateways,
        ...zw(['default', CLIENT, '10.244.1.7', 'ambient-worker', 'None', 'HBONE']),
      },
    },
    {
      name: 'a pod outside ambient in a namespace that uses no waypoint',
      files: {
        'namespaces.yaml': kubeList([namespace('batch')]),
        'pods.yaml': kubeList([pod('batch', 'report-28601234-x7k2p', { app: 'report' })]),
        ...gateways,
      },
    },
    {
      name: 'a sidecar client is WP017, not this rule',
      files: {
        'namespaces.yaml': kubeList([ambientNs]),
        'pods.yaml': kubeList([annotatedPod('default', 'legacy-client-1', { app: 'legacy-client' }, SIDECAR)]),
        ...gateways,
      },
    },
    {
      name: 'the waypoint\'s own pod and a destination pod behind a bound service are not clients here (WP016 covers destinations)',
      files: {
        'namespaces.yaml': kubeList([namespace('default', { [USE]: 'waypoint' })]),
        'services.yaml': kubeList([selecting('default', 'reviews')]),
        'pods.yaml': kubeList([waypointPod('default', 'waypoint', 'waypoint-6f7b665c89-6hppr'), pod('default', 'reviews-v1-1', { app: 'reviews' })]),
        ...gateways,
      },
    },
  ],
  invalid: [
    {
      name: 'client in a waypoint namespace that is not enrolled in ambient at all',
      files: {
        'namespaces.yaml': kubeList([namespace('default', { [USE]: 'waypoint' })]),
        'pods.yaml': kubeList([pod('default', CLIENT, { app: 'sleep' })]),
        ...gateways,
      },
      findings: [{
        subject: `Pod default/${CLIENT}`,
        message: new RegExp(`^Pod default/${CLIENT} is not in ambient \\(neither it nor namespace default is labelled istio\\.io/dataplane-mode=ambient\\), in a namespace whose services use a waypoint: requests it sends skip the waypoint`),
        evidence: ['pods.yaml:8'],
      }],
    },
    {
      name: 'client opted out with dataplane-mode=none; ztunnel shows TCP',
      files: {
        'namespaces.yaml': kubeList([ambientNs]),
        'pods.yaml': kubeList([pod('default', 'curl-5b8f6c7d9-abcde', { app: 'curl', [MODE]: 'none' })]),
        ...gateways,
        ...zw(['default', 'curl-5b8f6c7d9-abcde', '10.244.1.8', 'ambient-worker', 'None', 'TCP']),
      },
      findings: [{
        subject: 'Pod default/curl-5b8f6c7d9-abcde',
        message: /is not in ambient \(it is labelled istio\.io\/dataplane-mode=none\)/,
        // pods.yaml:8 is the pod's dataplane-mode label.
        evidence: ['pods.yaml:8', 'zw.txt:2'],
      }],
    },
    {
      name: 'client marked redirected, but ztunnel lists it with PROTOCOL TCP',
      files: {
        'namespaces.yaml': kubeList([ambientNs]),
        'pods.yaml': kubeList([annotatedPod('default', CLIENT, { app: 'sleep' }, REDIRECTED)]),
        ...gateways,
        ...zw(['default', CLIENT, '10.244.1.7', 'ambient-worker', 'None', 'TCP']),
      },
      findings: [{
        subject: `Pod default/${CLIENT}`,
        message: /is not in ambient \(ztunnel lists it with PROTOCOL TCP\)/,
        // annotations (6-7), labels (8-9), name on 10.
        evidence: ['pods.yaml:10', 'zw.txt:2'],
      }],
    },
  ],
});

ruleTester(wp015, {
  valid: [],
  invalid: [{
    name: 'no Namespaces captured: inconclusive',
    files: { 'pods.yaml': kubeList([pod('default', CLIENT, { app: 'sleep' })]) },
    findings: [{ status: 'inconclusive', message: /no Namespace objects/ }],
  }],
});
