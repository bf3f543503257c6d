import { wp017 } from '../../../src/rules/binding/wp015-017-not-in-ambient.js';
import { kubeList, namespace, pod, ruleTester, service, waypoint } from '../rule-tester.js';

const USE = 'istio.io/use-waypoint';
const SIDECAR = { 'sidecar.istio.io/status': '{"initContainers":["istio-init"],"containers":["istio-proxy"],"volumes":["istio-envoy","istio-data"],"imagePullSecrets":null,"revision":"default"}' };

const sidecarPod = (ns: string, name: string, app: string) => ({
  ...pod(ns, name, { app }),
  // a fresh annotations object per pod: a shared one would make js-yaml print an anchor, which kubectl never does
  metadata: { annotations: { ...SIDECAR }, labels: { app }, name, namespace: ns },
});
const bound = {
  'services.yaml': kubeList([service('default', 'reviews', { [USE]: 'waypoint' })]),
  'gateways.yaml': kubeList([waypoint('default', 'waypoint')]),
};

ruleTester(wp017, {
  valid: [
    {
      name: 'sidecar pods, but no service uses a waypoint',
      files: {
        'services.yaml': kubeList([service('default', 'reviews')]),
        'gateways.yaml': kubeList([]),
        'pods.yaml': kubeList([sidecarPod('legacy', 'legacy-client-1', 'legacy-client')]),
      },
    },
    {
      name: 'a waypoint-bound service and only ambient clients',
      files: { ...bound, 'pods.yaml': kubeList([pod('default', 'sleep-1', { app: 'sleep' })]) },
    },
    {
      name: 'a bound service whose waypoint is missing is not bound: nothing for sidecars to bypass',
      files: {
        'services.yaml': kubeList([service('default', 'reviews', { [USE]: 'ghost' })]),
        'gateways.yaml': kubeList([]),
        'pods.yaml': kubeList([sidecarPod('legacy', 'legacy-client-1', 'legacy-client')]),
      },
    },
  ],
  invalid: [
    {
      name: 'two sidecar clients in one namespace: one finding for the namespace',
      files: {
        ...bound,
        'namespaces.yaml': kubeList([namespace('default'), namespace('legacy', { 'istio-injection': 'enabled' })]),
        'pods.yaml': kubeList([sidecarPod('legacy', 'legacy-client-1', 'legacy-client'), sidecarPod('legacy', 'legacy-client-2', 'legacy-client')]),
      },
      findings: [{
        subject: 'Namespace legacy',
        message: /^2 sidecar pods in namespace legacy \(legacy-client-1, legacy-client-2\): their requests to waypoint-bound services skip the waypoint\.$/,
        // each pod spans 17 lines (annotation, label, containers, status): names on lines 10 and 27.
        evidence: ['pods.yaml:10', 'pods.yaml:27'],
      }],
    },
    {
      name: 'sidecar clients in two namespaces (Namespaces not captured): one finding each',
      files: {
        ...bound,
        'pods.yaml': kubeList([sidecarPod('legacy', 'legacy-client-1', 'legacy-client'), pod('default', 'sleep-1', { app: 'sleep' }), sidecarPod('batch', 'report-1', 'report')]),
      },
      findings: [
        { subject: 'Namespace legacy', message: /^1 sidecar pod in namespace legacy \(legacy-client-1\)/, evidence: ['pods.yaml:10'] },
        // legacy-client-1 (3-19), sleep-1 (20-34, one label), report-1 from 35: its name on 42.
        { subject: 'Namespace batch', message: /^1 sidecar pod in namespace batch \(report-1\)/, evidence: ['pods.yaml:42'] },
      ],
    },
  ],
});

ruleTester(wp017, {
  valid: [],
  invalid: [{ name: 'no Pods captured: inconclusive', files: bound, findings: [{ status: 'inconclusive', message: /no Pod objects/ }] }],
});
