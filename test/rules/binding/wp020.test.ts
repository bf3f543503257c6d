import { wp020 } from '../../../src/rules/binding/wp020-waypoint-unresolved.js';
import { tabwrite } from '../../helpers.js';
import { kubeList, pod, ruleTester } from '../rule-tester.js';

const LOG = 'logs/istio-system/ztunnel-abc.log';
const ZS_HEADER = ['NAMESPACE', 'SERVICE NAME', 'SERVICE VIP', 'WAYPOINT', 'ENDPOINTS'];
const ZW_HEADER = ['NAMESPACE', 'POD NAME', 'ADDRESS', 'NODE', 'WAYPOINT', 'PROTOCOL'];

const OK = '2024-05-07T09:59:59.000000Z\tinfo\taccess\tconnection complete\tsrc.addr=10.244.1.7:48812 src.workload="sleep-7656cf8794-9v2gv" src.namespace="default" dst.addr=10.244.1.20:15008 dst.hbone_addr=10.96.45.12:9080 dst.service="productpage.default.svc.cluster.local" direction="outbound" bytes_sent=82 bytes_recv=358 duration="14ms"';
const UNKNOWN_REVIEWS = '2024-05-07T10:00:00.123456Z\terror\taccess\tconnection complete\tsrc.addr=10.244.1.5:41234 dst.addr=10.244.1.17:15008 dst.service="reviews.default.svc.cluster.local" error="unknown waypoint: waypoint default/reviews-svc-waypoint.default.svc.cluster.local not found"';
const UNKNOWN_RATINGS = '2024-05-07T10:00:01.500000Z\terror\taccess\tconnection complete\tsrc.addr=10.244.1.5:41240 dst.addr=10.96.9.9:9080 dst.service="ratings.default.svc.cluster.local" error="unknown waypoint: waypoint default/ratings-waypoint.default.svc.cluster.local not found"';
const POLICY = '2024-05-07T10:00:02.000000Z\terror\taccess\tconnection complete\tsrc.addr=10.244.1.20:51234 dst.addr=10.244.1.15:15008 dst.service="reviews.default.svc.cluster.local" error="connection closed due to policy rejection: allow policies exist, but none allowed"';
const log = (...lines: string[]) => ({ [LOG]: lines.join('\n') + '\n' });

ruleTester(wp020, {
  valid: [
    {
      name: 'ztunnel resolves every waypoint (names or None)',
      files: {
        'zs.txt': tabwrite([ZS_HEADER, ['default', 'reviews', '10.96.45.12', 'waypoint', '3/3'], ['default', 'ratings', '10.96.9.9', 'None', '1/1']], 1),
        'zw.txt': tabwrite([ZW_HEADER, ['default', 'reviews-v2-1', '10.244.1.17', 'ambient-worker', 'None', 'HBONE']], 1),
      },
    },
    {
      name: 'ztunnel errors that are not about an unknown waypoint',
      files: log(OK, POLICY),
    },
  ],
  invalid: [
    {
      name: 'service row shows WAYPOINT NA; the matching log error is quoted',
      files: {
        'zs.txt': tabwrite([ZS_HEADER, ['default', 'reviews', '10.96.45.12', 'NA', '3/3'], ['default', 'ratings', '10.96.9.9', 'waypoint', '1/1']], 1),
        ...log(OK, UNKNOWN_REVIEWS, UNKNOWN_RATINGS),
      },
      findings: [{
        subject: 'Service default/reviews',
        message: /^ztunnel shows WAYPOINT NA for service default\/reviews: it has a waypoint ztunnel cannot find, so its traffic fails\.$/,
        evidence: ['zs.txt:2', `${LOG}:2`],
      }],
    },
    {
      name: 'workload row shows WAYPOINT NA',
      files: {
        'zw.txt': tabwrite([
          ZW_HEADER,
          ['default', 'productpage-v1-1', '10.244.1.9', 'ambient-worker', 'None', 'HBONE'],
          ['default', 'reviews-v2-6f9b55c5db-c94m2', '10.244.1.17', 'ambient-worker', 'NA', 'HBONE'],
        ], 1),
      },
      findings: [{ subject: 'Pod default/reviews-v2-6f9b55c5db-c94m2', message: /WAYPOINT NA for pod default\/reviews-v2-6f9b55c5db-c94m2/, evidence: ['zw.txt:3'] }],
    },
    {
      name: 'only the ztunnel log was captured: one finding for the unknown-waypoint errors',
      files: log(OK, UNKNOWN_REVIEWS, UNKNOWN_RATINGS),
      findings: [{ message: /^ztunnel logged 2 "unknown waypoint" errors: traffic to a waypoint it cannot find fails\.$/, evidence: [`${LOG}:2`, `${LOG}:3`] }],
    },
  ],
});

ruleTester(wp020, {
  valid: [],
  invalid: [{
    name: 'no ztunnel table and no logs: inconclusive',
    files: { 'pods.yaml': kubeList([pod('default', 'reviews-v1-1')]) },
    findings: [{ status: 'inconclusive', message: /ztunnel-config service.*ztunnel-config workload.*kubectl logs/ }],
  }],
});
