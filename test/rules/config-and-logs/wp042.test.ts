import { wp042 } from '../../../src/rules/config-and-logs/wp042-access-log-failures.js';
import { ruleTester } from '../rule-tester.js';
import { cluster } from '../policy/cluster.js';
import { accessLine, lines, repeat, WAYPOINT_LOG } from './logs.js';

const ok = (n: number) => repeat(n, () => accessLine());
const withLog = (...l: string[]) => cluster([], { [WAYPOINT_LOG]: lines(...l) });
const UH = { code: 503, flags: 'UH', details: 'no_healthy_upstream', service: 'reviews', cluster: 'inbound-vip|9080|http/v3|reviews.default.svc.cluster.local' };

ruleTester(wp042, {
  valid: [
    { name: 'every request served', files: withLog(...ok(20)) },
    { name: 'one upstream reset among 40 requests is a blip', files: withLog(...ok(39), accessLine({ code: 503, flags: 'UC', details: 'upstream_reset_before_response_started{connection_termination}' })) },
    { name: 'one UH line during a rollout', files: withLog(...ok(30), accessLine(UH)) },
    { name: 'a client closing its connection (DC) is the client\'s business', files: withLog(...ok(5), ...repeat(5, () => accessLine({ code: 0, flags: 'DC', details: 'downstream_remote_disconnect' }))) },
    { name: 'the same failures in an application pod\'s sidecar log are not the waypoint\'s', files: cluster([], { 'logs/default/reviews-v1-5b5d6494f4-nrvfx.log': lines(...repeat(5, () => accessLine({ ...UH, cluster: 'outbound|9080|v3|reviews.default.svc.cluster.local' }))) }) },
  ],
  invalid: [
    {
      name: 'one request with no route is enough (NR route_not_found)',
      files: withLog(...ok(10), accessLine({ code: 404, flags: 'NR', details: 'route_not_found', path: '/admin' })),
      findings: [{ subject: 'Gateway default/waypoint', message: /waypoint default\/waypoint \(pod waypoint-6f7b665c89-6hppr\): 1 of 11 requests between \S+ and \S+ failed with NR: no route/, evidence: [`${WAYPOINT_LOG}:11`] }],
    },
    {
      name: 'repeated UH on an empty subset, reported on its Service',
      files: withLog(...ok(2), ...repeat(3, () => accessLine(UH))),
      findings: [{ subject: 'Service default/reviews', message: /3 of 5 requests .* failed with UH: no healthy upstream .* on inbound-vip\|9080\|http\/v3\|reviews/, evidence: [`${WAYPOINT_LOG}:3`, `${WAYPOINT_LOG}:4`, `${WAYPOINT_LOG}:5`] }],
    },
    {
      name: 'UF,URX counted under each flag',
      files: withLog(...ok(10), ...repeat(3, () => accessLine({ code: 503, flags: 'UF,URX', details: 'upstream_reset_before_response_started{connection_failure}' }))),
      findings: [{ subject: 'Service default/ratings', message: /3 of 13 .* UF: the connection to the destination failed/ }, { subject: 'Service default/ratings', message: /3 of 13 .* URX/ }],
    },
    {
      name: 'a DENY rule that matched, and ALLOW policies none of which matched: information',
      files: withLog(...ok(3), accessLine({ code: 403, details: 'rbac_access_denied_matched_policy[ns[default]-policy[deny-admin]-rule[0]]', path: '/admin' }), accessLine({ code: 403, details: 'rbac_access_denied_matched_policy[none]' })),
      findings: [
        { subject: 'AuthorizationPolicy default/deny-admin', message: /denied 1 of 5 requests .* by AuthorizationPolicy default\/deny-admin \(rule 0, a DENY rule that matched\)/, evidence: [`${WAYPOINT_LOG}:4`] },
        { subject: 'Gateway default/waypoint', message: /because ALLOW policies apply and none matched/, evidence: [`${WAYPOINT_LOG}:5`] },
      ],
    },
  ],
});
