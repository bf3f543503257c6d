import { wp026 } from '../../../src/rules/policy/wp026-no-require-waypoint-guard.js';
import { authorizationPolicy, ruleTester } from '../rule-tester.js';
import { cluster, WAYPOINT_PRINCIPAL } from './cluster.js';

const viewer = authorizationPolicy('default', 'ratings-viewer', { targetRefs: [{ kind: 'Service', group: '', name: 'ratings' }], rules: [{ from: [{ source: { principals: ['cluster.local/ns/default/sa/bookinfo-reviews'] } }] }] });

ruleTester(wp026, {
  valid: [
    { name: 'no targetRefs policy at all', files: cluster([]) },
    { name: 'a guard admitting only the waypoint', files: cluster([viewer, authorizationPolicy('default', 'ratings-require-waypoint', { selector: { matchLabels: { app: 'ratings' } }, rules: [{ from: [{ source: { principals: [WAYPOINT_PRINCIPAL] } }] }] })]) },
  ],
  invalid: [
    { name: 'targetRefs policy and no guard', files: cluster([viewer]), findings: [{ subject: 'Service default/ratings', message: /no ztunnel policy on its pods admits only the waypoint/ }] },
    { name: 'a "guard" that admits anyone is no guard', files: cluster([viewer, authorizationPolicy('default', 'open', { selector: { matchLabels: { app: 'ratings' } }, rules: [{ from: [{ source: { principals: ['*'] } }] }] })]), findings: [{ subject: 'Service default/ratings' }] },
  ],
});
