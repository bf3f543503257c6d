import { wp002 } from '../../../src/rules/binding/wp002-waypoint-not-ready.js';
import { kubeList, namespace, pod, ruleTester, service, waypoint, waypointPod } from '../rule-tester.js';

const WP_POD = 'waypoint-6f7b665c89-6hppr';
const T = '2024-05-07T09:00:00Z';
const cond = (type: string, status: string, reason: string, message: string) => ({ lastTransitionTime: T, message, reason, status, type });

/** A waypoint Gateway istiod accepted and programmed, but without status.addresses (no ready pod yet). */
const unready = (ns: string, name: string) => ({
  ...waypoint(ns, name),
  status: {
    conditions: [
      cond('Accepted', 'True', 'Accepted', 'Resource accepted'),
      cond('Programmed', 'True', 'Programmed', `Resource programmed, assigned to service(s) ${name}.${ns}.svc.cluster.local:15008`),
    ],
  },
});

const waitingPod = (ns: string, gateway: string, name: string, reason: string, restartCount = 0, phase = 'Pending') => ({
  ...waypointPod(ns, gateway, name),
  status: {
    conditions: [{ type: 'Ready', status: 'False' }],
    containerStatuses: [{ name: 'istio-proxy', ready: false, restartCount, state: { waiting: { reason } } }],
    phase,
  },
});

const notReadyPod = (ns: string, gateway: string, name: string) => ({
  ...waypointPod(ns, gateway, name),
  status: { conditions: [{ type: 'Ready', status: 'False' }], phase: 'Pending' },
});

ruleTester(wp002, {
  valid: [
    {
      name: 'ready waypoint: status.addresses set and a ready pod',
      files: {
        'namespaces.yaml': kubeList([namespace('default', { 'istio.io/use-waypoint': 'waypoint' })]),
        'services.yaml': kubeList([service('default', 'reviews')]),
        'gateways.yaml': kubeList([waypoint('default', 'waypoint')]),
        'pods.yaml': kubeList([waypointPod('default', 'waypoint', WP_POD)]),
      },
    },
    {
      name: 'a waypoint no controller reconciled (Accepted Unknown, "Waiting for controller") is WP011, not this rule',
      files: {
        'gateways.yaml': kubeList([{
          ...waypoint('default', 'waypoint'),
          status: {
            conditions: [
              cond('Accepted', 'Unknown', 'Pending', 'Waiting for controller'),
              cond('Programmed', 'Unknown', 'Pending', 'Waiting for controller'),
            ],
          },
        }]),
        'pods.yaml': kubeList([]),
      },
    },
    {
      name: 'an ingress Gateway (class istio) without addresses is not a waypoint',
      files: { 'gateways.yaml': kubeList([{ ...waypoint('default', 'bookinfo-gateway', {}, 'istio'), status: {} }]) },
    },
  ],
  invalid: [
    {
      name: 'Programmed=True but no status.addresses; its pod is stuck in ImagePullBackOff; bound services listed',
      files: {
        'namespaces.yaml': kubeList([namespace('default', { 'istio.io/use-waypoint': 'waypoint' })]),
        'services.yaml': kubeList([service('default', 'reviews'), service('default', 'ratings')]),
        'gateways.yaml': kubeList([unready('default', 'waypoint')]),
        'pods.yaml': kubeList([waitingPod('default', 'waypoint', WP_POD, 'ImagePullBackOff')]),
      },
      findings: [{
        subject: 'Gateway default/waypoint',
        message: new RegExp(`^Waypoint default/waypoint is not ready: it has no status\\.addresses.*traffic of reviews, ratings goes straight to the destination\\. Its pod: ${WP_POD} \\(ImagePullBackOff\\)\\.$`),
        // gateways.yaml:7 is `name: waypoint` of the Gateway; pods.yaml:9 the pod's name (two labels above it).
        evidence: ['gateways.yaml:7', 'pods.yaml:9'],
      }],
    },
    {
      name: 'waypoint in another namespace with no pod at all (pods were captured)',
      files: {
        'gateways.yaml': kubeList([unready('infra', 'shared')]),
        'pods.yaml': kubeList([pod('infra', 'unrelated-1', { app: 'unrelated' })]),
      },
      findings: [{ subject: 'Gateway infra/shared', message: /traffic of the objects that use it goes straight to the destination\. It has no pod\.$/, evidence: ['gateways.yaml:7'] }],
    },
    {
      name: 'two pods, both unready: crash-looping (with restarts) and pending',
      files: {
        'gateways.yaml': kubeList([unready('default', 'waypoint')]),
        'pods.yaml': kubeList([
          waitingPod('default', 'waypoint', `${WP_POD}`, 'CrashLoopBackOff', 7, 'Running'),
          notReadyPod('default', 'waypoint', 'waypoint-6f7b665c89-x2b9k'),
        ]),
      },
      findings: [{
        subject: 'Gateway default/waypoint',
        message: new RegExp(`Its pods: ${WP_POD} \\(CrashLoopBackOff \\(7 restarts\\)\\), waypoint-6f7b665c89-x2b9k \\(Pending\\)\\.$`),
        // The first pod (with containerStatuses) spans lines 3-25; the second's name is on line 32.
        evidence: ['gateways.yaml:7', 'pods.yaml:9', 'pods.yaml:32'],
      }],
    },
  ],
});

ruleTester(wp002, {
  valid: [],
  invalid: [{
    name: 'without Gateway objects the rule is inconclusive',
    files: { 'pods.yaml': kubeList([waypointPod('default', 'waypoint', WP_POD)]) },
    findings: [{ status: 'inconclusive', message: /no Gateway objects/ }],
  }],
});
