import { wp023 } from '../../../src/rules/policy/wp023-l4-policy-denies-waypoint.js';
import { authorizationPolicy, ruleTester } from '../rule-tester.js';
import { cluster, WAYPOINT_PRINCIPAL } from './cluster.js';

const from = (...principals: string[]) => ({ from: [{ source: { principals } }] });
const selectRatings = { selector: { matchLabels: { app: 'ratings' } } };
const REJECTED = '2025-10-14T09:40:01.123456Z\terror\taccess\tconnection complete\tsrc.addr=10.42.2.10:41234 src.identity="spiffe://cluster.local/ns/default/sa/waypoint" dst.addr=10.42.0.4:15008 dst.workload="ratings-v1-6484c4d9bb-crjtt" direction="inbound" error="connection closed due to policy rejection: allow policies exist, but none allowed"\n';

ruleTester(wp023, {
  valid: [
    { name: 'ALLOW admitting the waypoint', files: cluster([authorizationPolicy('default', 'r', { ...selectRatings, rules: [from(WAYPOINT_PRINCIPAL)] })]) },
    { name: 'ALLOW admitting the waypoint by namespace', files: cluster([authorizationPolicy('default', 'r', { ...selectRatings, rules: [{ from: [{ source: { namespaces: ['default'] } }] }] })]) },
    { name: 'ALLOW with a wildcard principal', files: cluster([authorizationPolicy('default', 'r', { ...selectRatings, rules: [from('cluster.local/ns/default/*')] })]) },
    { name: 'two ALLOWs, one admitting the waypoint', files: cluster([authorizationPolicy('default', 'a', { ...selectRatings, rules: [from('cluster.local/ns/default/sa/bookinfo-reviews')] }), authorizationPolicy('default', 'b', { ...selectRatings, rules: [from(WAYPOINT_PRINCIPAL)] })]) },
    { name: 'client-only ALLOW on pods of a service without waypoint', files: cluster([authorizationPolicy('legacy', 'inv', { selector: { matchLabels: { app: 'inventory' } }, rules: [from('cluster.local/ns/legacy/sa/client')] })]) },
    { name: 'a DENY on other sources', files: cluster([authorizationPolicy('default', 'd', { action: 'DENY', ...selectRatings, rules: [from('cluster.local/ns/legacy/sa/client')] })]) },
    { name: 'client identities checked by a targetRefs policy', files: cluster([authorizationPolicy('default', 't', { targetRefs: [{ kind: 'Service', group: '', name: 'ratings' }], rules: [from('cluster.local/ns/default/sa/bookinfo-reviews')] })]) },
  ],
  invalid: [
    {
      name: 'ALLOW listing only the client: the waypoint is refused',
      files: cluster([authorizationPolicy('default', 'ratings-from-reviews', { ...selectRatings, rules: [from('cluster.local/ns/default/sa/bookinfo-reviews')] })], { 'ztunnel.log': REJECTED }),
      findings: [{ subject: 'AuthorizationPolicy default/ratings-from-reviews', message: /does not admit the waypoint's identity cluster\.local\/ns\/default\/sa\/waypoint/, evidence: ['ztunnel.log:1'] }],
    },
    {
      name: 'allow-nothing in the namespace',
      files: cluster([authorizationPolicy('default', 'allow-nothing', {})]),
      findings: [{ subject: 'AuthorizationPolicy default/allow-nothing', message: /Services default\/ratings, default\/reviews go through waypoint/ }],
    },
    {
      name: 'DENY naming the waypoint\'s namespace',
      files: cluster([authorizationPolicy('default', 'deny-default', { action: 'DENY', ...selectRatings, rules: [{ from: [{ source: { namespaces: ['default'] } }] }] })]),
      findings: [{ subject: 'AuthorizationPolicy default/deny-default', message: /DENY policy deny-default matches the waypoint's identity/ }],
    },
  ],
});
