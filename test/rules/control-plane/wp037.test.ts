import { wp037 } from '../../../src/rules/control-plane/wp037-waypoint-not-synced.js';
import { tabwrite } from '../../helpers.js';
import { handWrittenWaypointPodYaml, kubeList, pod, ruleTester, waypoint, waypointPod } from '../rule-tester.js';

const WP_POD = 'waypoint-6f7b665c89-6hppr';
const base = {
  'pods.yaml': kubeList([waypointPod('default', 'waypoint', WP_POD), pod('default', 'productpage-v1-1')]),
  'gateways.yaml': kubeList([waypoint('default', 'waypoint')]),
};
const HEADER = ['NAME', 'CLUSTER', 'CDS', 'LDS', 'EDS', 'RDS', 'ECDS', 'ISTIOD', 'VERSION'];
const ps = (...rows: string[][]) => ({ 'proxy-status.txt': tabwrite([HEADER, ...rows], 5) });
const row = (name: string, cds: string, lds: string, eds: string, rds = 'NOT SENT', ecds = 'NOT SENT') =>
  [name, 'Kubernetes', cds, lds, eds, rds, ecds, 'istiod-795d55fc6d-vqtjx', '1.26.2'];

ruleTester(wp037, {
  valid: [
    { name: 'synced waypoint; RDS and ECDS NOT SENT are normal', files: { ...base, ...ps(row(`${WP_POD}.default`, 'SYNCED (2m)', 'SYNCED (2m)', 'SYNCED (2m)')) } },
    { name: 'a workload-only waypoint may have no EDS', files: { ...base, ...ps(row(`${WP_POD}.default`, 'SYNCED', 'SYNCED', 'NOT SENT')) } },
    {
      name: 'a stale proxy that is not a waypoint is not this rule\'s business',
      files: { ...base, ...ps(row(`${WP_POD}.default`, 'SYNCED', 'SYNCED', 'SYNCED'), row('productpage-v1-1.default', 'STALE', 'SYNCED', 'SYNCED')) },
    },
    {
      name: 'an ingress gateway (class istio) is not a waypoint',
      files: {
        'pods.yaml': kubeList([pod('default', 'bookinfo-gateway-istio-1', { 'gateway.networking.k8s.io/gateway-name': 'bookinfo-gateway' })]),
        'gateways.yaml': kubeList([waypoint('default', 'bookinfo-gateway', {}, 'istio')]),
        ...ps(),
      },
    },
  ],
  invalid: [
    {
      name: 'CDS and EDS stale on a waypoint (1.27+ -v 1 layout)',
      files: {
        ...base,
        'proxy-status.txt': tabwrite([
          ['NAME', 'CLUSTER', 'CDS', 'ECDS', 'EDS', 'LDS', 'RDS', 'ISTIOD', 'VERSION'],
          [`${WP_POD}.default`, 'Kubernetes', 'STALE (5m)', 'NOT SENT', 'STALE (5m)', 'SYNCED (5m)', 'NOT SENT', 'istiod-1', '1.28.1'],
        ], 5),
      },
      findings: [{ subject: `Pod default/${WP_POD}`, message: /CDS STALE \(5m\), EDS STALE \(5m\)/, evidence: ['proxy-status.txt:2'] }],
    },
    {
      name: 'LDS NOT SENT and an ERROR',
      files: { ...base, ...ps(row(`${WP_POD}.default`, 'ERROR', 'NOT SENT', 'SYNCED')) },
      findings: [{ subject: `Pod default/${WP_POD}`, message: /CDS ERROR, LDS NOT SENT/ }],
    },
    {
      name: 'waypoint pod missing from proxy-status',
      files: { ...base, ...ps(row('productpage-v1-1.default', 'SYNCED', 'SYNCED', 'SYNCED')) },
      findings: [{ subject: `Pod default/${WP_POD}`, message: /not listed by istioctl proxy-status/ }],
    },
    {
      name: '1.27+ default table: SUBSCRIBED TYPES 0 fails, otherwise sync state is not visible',
      files: {
        'pods.yaml': kubeList([waypointPod('default', 'waypoint', WP_POD), waypointPod('default', 'waypoint', 'waypoint-2')]),
        'gateways.yaml': base['gateways.yaml'],
        'proxy-status.txt': tabwrite([
          ['NAME', 'CLUSTER', 'ISTIOD', 'VERSION', 'SUBSCRIBED TYPES'],
          [`${WP_POD}.default`, 'Kubernetes', 'istiod-1', '1.28.1', '4 (CDS,LDS,EDS,ECDS)'],
          ['waypoint-2.default', 'Kubernetes', 'istiod-1', '1.28.1', '0'],
        ], 5),
      },
      findings: [
        { subject: 'Pod default/waypoint-2', message: /subscribes to no xDS type/ },
        { status: 'inconclusive', message: /does not show|not whether they are in sync/, evidence: ['proxy-status.txt:2'] },
      ],
    },
  ],
});

ruleTester(wp037, {
  valid: [],
  invalid: [{ name: 'no proxy-status in the bundle', files: base, findings: [{ status: 'inconclusive', message: /istioctl proxy-status/ }] }],
});

// The guide's own proxy-status block (istio.io troubleshoot-waypoint), as pasted: the only capture.
const GUIDE_PS = `$ istioctl proxy-status
NAME                                                CLUSTER        CDS         LDS         EDS          RDS          ECDS         ISTIOD                      VERSION
bookinfo-gateway-istio-7c57fc4647-wjqvm.default     Kubernetes     SYNCED      SYNCED      SYNCED       SYNCED       NOT SENT     istiod-795d55fc6d-vqtjx     1.23-alpha.75c6eafc5bc8d160b5643c3ea18acb9785855564
reviews-svc-waypoint-c49f9f569-b492t.default        Kubernetes     SYNCED      SYNCED      SYNCED       NOT SENT     NOT SENT     istiod-795d55fc6d-vqtjx     1.23-alpha.75c6eafc5bc8d160b5643c3ea18acb9785855564
reviews-v2-pod-waypoint-7f5dbd597-7zzw7.default     Kubernetes     SYNCED      SYNCED      NOT SENT     NOT SENT     NOT SENT     istiod-795d55fc6d-vqtjx     1.23-alpha.75c6eafc5bc8d160b5643c3ea18acb9785855564
waypoint-6f7b665c89-6hppr.default                   Kubernetes     SYNCED      SYNCED      SYNCED       NOT SENT     NOT SENT     istiod-795d55fc6d-vqtjx     1.23-alpha.75c6eafc5bc8d160b5643c3ea18acb9785855564
...
`;

ruleTester(wp037, {
  valid: [
    { name: "the guide's proxy-status alone: every waypoint synced", files: { 'ps.txt': GUIDE_PS } },
    {
      name: 'a grepped proxy-status does not prove a waypoint pod absent',
      files: { ...base, 'ps.txt': `$ istioctl proxy-status | grep productpage\n${tabwrite([row('productpage-v1-1.default', 'SYNCED', 'SYNCED', 'SYNCED')], 5)}` },
    },
    {
      name: 'an elided proxy-status does not prove a waypoint pod absent',
      files: { ...base, ...{ 'ps.txt': `${tabwrite([HEADER, row('productpage-v1-1.default', 'SYNCED', 'SYNCED', 'SYNCED')], 5)}...\n` } },
    },
    {
      name: 'a stale ingress gateway is not taken for a waypoint',
      files: { 'ps.txt': GUIDE_PS.replace('SYNCED      SYNCED      SYNCED       SYNCED       NOT SENT', 'STALE       SYNCED      SYNCED       SYNCED       NOT SENT') },
    },
    ...['True', 'true', 'yes'].map((ready) => ({
      name: `a waypoint pod written \`status: ${ready}\`, unquoted, counts as ready and is synced`,
      files: { 'gateways.yaml': base['gateways.yaml'], 'pod.yaml': handWrittenWaypointPodYaml(WP_POD, ready), ...ps(row(`${WP_POD}.default`, 'SYNCED', 'SYNCED', 'SYNCED')) },
    })),
  ],
  invalid: [
    {
      name: 'proxy-status alone: a stale proxy named after a waypoint ztunnel uses',
      files: {
        'ps.txt': GUIDE_PS.replace('reviews-svc-waypoint-c49f9f569-b492t.default        Kubernetes     SYNCED  ', 'reviews-svc-waypoint-c49f9f569-b492t.default        Kubernetes     STALE   '),
        'zs.txt': 'NAMESPACE    SERVICE NAME            SERVICE VIP   WAYPOINT\ndefault      reviews                 10.43.162.105 reviews-svc-waypoint\n',
      },
      findings: [{
        subject: 'Pod default/reviews-svc-waypoint-c49f9f569-b492t',
        message: /taken for a waypoint from its name.*CDS STALE/,
        evidence: ['ps.txt:4', 'zs.txt:2'],
      }],
    },
    {
      name: 'a ready waypoint pod written `status: True` unquoted, missing from proxy-status',
      files: { 'gateways.yaml': base['gateways.yaml'], 'pod.yaml': handWrittenWaypointPodYaml(WP_POD, 'True'), ...ps(row('productpage-v1-1.default', 'SYNCED', 'SYNCED', 'SYNCED')) },
      findings: [{ subject: `Pod default/${WP_POD}`, message: /not listed by istioctl proxy-status/, evidence: ['pod.yaml:4'] }],
    },
  ],
});
