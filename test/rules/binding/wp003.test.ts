import { wp003 } from '../../../src/rules/binding/wp003-waypoint-no-healthy-pods.js';
import { tabwrite } from '../../helpers.js';
import { handWrittenWaypointPodYaml, kubeList, pod, ruleTester, waypoint, waypointPod } from '../rule-tester.js';
import { accessLine } from '../config-and-logs/logs.js';

const WP_POD = 'waypoint-6f7b665c89-6hppr';
const ZS_HEADER = ['NAMESPACE', 'SERVICE NAME', 'SERVICE VIP', 'WAYPOINT', 'ENDPOINTS'];
const zs = (...rows: string[][]) => ({ 'zs.txt': tabwrite([ZS_HEADER, ...rows], 1) });

const crashLooping = (name: string) => ({
  ...waypointPod('default', 'waypoint', name),
  status: {
    conditions: [{ type: 'Ready', status: 'False' }],
    containerStatuses: [{ name: 'istio-proxy', ready: false, restartCount: 7, state: { waiting: { reason: 'CrashLoopBackOff' } } }],
    phase: 'Running',
  },
});

ruleTester(wp003, {
  valid: [
    ...['True', 'true', 'yes', 'on', '"True"'].map((ready) => ({
      name: `a ready waypoint pod written \`status: ${ready}\` (YAML 1.1, as Kubernetes reads it)`,
      files: { 'gateways.yaml': kubeList([waypoint('default', 'waypoint')]), 'pod.yaml': handWrittenWaypointPodYaml(WP_POD, ready) },
    })),
    {
      name: 'a ready waypoint pod in JSON with a boolean status',
      files: {
        'gateways.yaml': kubeList([waypoint('default', 'waypoint')]),
        'pod.json': JSON.stringify({ ...waypointPod('default', 'waypoint', WP_POD), status: { phase: 'Running', conditions: [{ type: 'Ready', status: true }] } }),
      },
    },
    {
      name: 'waypoint with addresses, a ready pod and healthy endpoints',
      files: {
        'gateways.yaml': kubeList([waypoint('default', 'waypoint')]),
        'pods.yaml': kubeList([waypointPod('default', 'waypoint', WP_POD)]),
        ...zs(['default', 'waypoint', '10.96.183.12', 'None', '1/1']),
      },
    },
    {
      name: 'one of two waypoint pods still ready: degraded, not blackholed',
      files: {
        'gateways.yaml': kubeList([waypoint('default', 'waypoint')]),
        'pods.yaml': kubeList([waypointPod('default', 'waypoint', WP_POD), crashLooping('waypoint-6f7b665c89-x2b9k')]),
        ...zs(['default', 'waypoint', '10.96.183.12', 'None', '1/2']),
      },
    },
    {
      name: 'a waypoint that never became ready (no status.addresses) is WP002, not this rule',
      files: {
        'gateways.yaml': kubeList([{ ...waypoint('default', 'waypoint'), status: {} }]),
        'pods.yaml': kubeList([crashLooping(WP_POD)]),
      },
    },
  ],
  invalid: [
    {
      name: 'no ready pod, while the pod\'s access log shows requests served: contradicted (the log window may predate the crash)',
      files: {
        'gateways.yaml': kubeList([waypoint('default', 'waypoint')]),
        'pods.yaml': kubeList([crashLooping(WP_POD)]),
        [`logs/default/${WP_POD}.log`]: `${accessLine()}\n${accessLine()}\n`,
      },
      findings: [{ subject: 'Gateway default/waypoint', message: /has no healthy pod/, against: [`logs/default/${WP_POD}.log:`] }],
    },
    {
      name: 'a waypoint pod written `status: False`, unquoted, is not ready',
      files: { 'gateways.yaml': kubeList([waypoint('default', 'waypoint')]), 'pod.yaml': handWrittenWaypointPodYaml(WP_POD, 'False') },
      findings: [{ subject: 'Gateway default/waypoint', evidence: ['pod.yaml:4'] }],
    },
    {
      name: 'a waypoint pod written `status: no` (YAML 1.1 false) is not ready',
      files: { 'gateways.yaml': kubeList([waypoint('default', 'waypoint')]), 'pod.yaml': handWrittenWaypointPodYaml(WP_POD, 'no') },
      findings: [{ subject: 'Gateway default/waypoint' }],
    },
    {
      name: 'ztunnel shows the waypoint service with 0/2 healthy endpoints (no pods captured)',
      files: {
        'gateways.yaml': kubeList([waypoint('default', 'waypoint')]),
        ...zs(['default', 'reviews', '10.96.45.12', 'waypoint', '1/1'], ['default', 'waypoint', '10.96.183.12', 'None', '0/2']),
      },
      findings: [{
        subject: 'Gateway default/waypoint',
        message: /^Waypoint default\/waypoint has no healthy pod but is still bound: traffic sent to it fails instead of being served\.$/,
        evidence: ['gateways.yaml:7', 'zs.txt:3'],
      }],
    },
    {
      name: 'its only pod is crash-looping (pods captured, no ztunnel table)',
      files: {
        'gateways.yaml': kubeList([waypoint('default', 'waypoint')]),
        'pods.yaml': kubeList([crashLooping(WP_POD), pod('default', 'reviews-v1-1', { app: 'reviews' })]),
      },
      findings: [{ subject: 'Gateway default/waypoint', message: /has no healthy pod but is still bound/, evidence: ['gateways.yaml:7', 'pods.yaml:9'] }],
    },
    {
      name: 'waypoint Deployment scaled to zero: no pod left at all',
      files: {
        'gateways.yaml': kubeList([waypoint('infra', 'shared', {}, 'istio-waypoint', 'All')]),
        'pods.yaml': kubeList([pod('infra', 'unrelated-1', { app: 'unrelated' })]),
      },
      findings: [{ subject: 'Gateway infra/shared', message: /^Waypoint infra\/shared has no healthy pod/, evidence: ['gateways.yaml:7'] }],
    },
  ],
});

ruleTester(wp003, {
  valid: [],
  invalid: [{
    name: 'neither ztunnel services nor pods in the bundle: inconclusive',
    files: { 'gateways.yaml': kubeList([waypoint('default', 'waypoint')]) },
    findings: [{ status: 'inconclusive', message: /ztunnel-config service.*Pod objects/ }],
  }],
});
