import { wp022 } from '../../../src/rules/policy/wp022-l7-rules-at-ztunnel.js';
import { authorizationPolicy, ruleTester } from '../rule-tester.js';
import { cluster } from './cluster.js';

const byReviews = { source: { principals: ['cluster.local/ns/default/sa/bookinfo-reviews'] } };
const restrictive = { type: 'ZtunnelAccepted', status: 'True', reason: 'Accepted', message: 'ztunnel does not support HTTP attributes (found: methods). In ambient mode you must use a waypoint proxy to enforce HTTP rules. Within an ALLOW policy, rules matching HTTP attributes are omitted. This will be more restrictive than requested.' };
const noEffect = { type: 'ZtunnelAccepted', status: 'True', reason: 'Accepted', message: 'ztunnel does not support HTTP attributes (found: paths). In ambient mode you must use a waypoint proxy to enforce HTTP rules. After omitting unsupported HTTP attributes, this DENY policy has no enforceable rules at ztunnel and will have no effect.' };
const ZTUNNEL_LOG = [
  '2025-10-14T09:40:01.123456Z\terror\taccess\tconnection complete\tsrc.addr=10.42.2.10:41234 src.workload="waypoint-6f7b665c89-6hppr" src.namespace="default" src.identity="spiffe://cluster.local/ns/default/sa/waypoint" dst.addr=10.42.0.4:15008 dst.hbone_addr=10.42.0.4:9080 dst.service="ratings.default.svc.cluster.local" dst.workload="ratings-v1-6484c4d9bb-crjtt" dst.namespace="default" dst.identity="spiffe://cluster.local/ns/default/sa/bookinfo-ratings" direction="inbound" bytes_sent=0 bytes_recv=0 duration="0ms" error="connection closed due to policy rejection: allow policies exist, but none allowed"',
].join('\n');

ruleTester(wp022, {
  valid: [
    { name: 'L4-only ALLOW', files: cluster([authorizationPolicy('legacy', 'inv', { selector: { matchLabels: { app: 'inventory' } }, rules: [{ from: [byReviews] }] })]) },
    { name: 'L7 rules attached by targetRefs (the waypoint enforces them)', files: cluster([authorizationPolicy('default', 'r', { targetRefs: [{ kind: 'Service', group: '', name: 'ratings' }], rules: [{ to: [{ operation: { methods: ['GET'] } }] }] })]) },
    { name: 'L7 selector on pods outside ambient (an ingress gateway applies it)', files: cluster([authorizationPolicy('istio-ingress', 'g', { selector: { matchLabels: { istio: 'ingressgateway' } }, rules: [{ to: [{ operation: { methods: ['GET'] } }] }] })]) },
    { name: 'an ALLOW keeping an L4 rule beside a partly HTTP one is still in effect for the L4 sources', files: cluster([authorizationPolicy('legacy', 'mix', { selector: { matchLabels: { app: 'inventory' } }, rules: [{ from: [byReviews] }] })]) },
  ],
  invalid: [
    {
      name: 'ALLOW with only HTTP rules: allows nothing, and ztunnel refuses connections',
      files: cluster([authorizationPolicy('default', 'ratings-get-only', { selector: { matchLabels: { app: 'ratings' } }, rules: [{ from: [byReviews], to: [{ operation: { methods: ['GET'] } }] }] }, [restrictive])], { 'ztunnel.log': ZTUNNEL_LOG }),
      findings: [{ subject: 'AuthorizationPolicy default/ratings-get-only', message: /allows nothing: every connection to these pods is refused/, evidence: ['ztunnel.log:1'] }],
    },
    {
      name: 'DENY with only HTTP rules, istiod says no effect',
      files: cluster([authorizationPolicy('legacy', 'no-admin', { action: 'DENY', selector: { matchLabels: { app: 'inventory' } }, rules: [{ to: [{ operation: { paths: ['/admin'] } }] }] }, [noEffect])]),
      findings: [{ subject: 'AuthorizationPolicy legacy/no-admin', message: /DENY policy denies nothing/ }],
    },
    {
      name: 'ALLOW with one HTTP rule and one L4 rule: more restrictive than written',
      files: cluster([authorizationPolicy('legacy', 'mixed', { selector: { matchLabels: { app: 'inventory' } }, rules: [{ from: [byReviews] }, { to: [{ operation: { methods: ['GET'] } }] }] })]),
      findings: [{ subject: 'AuthorizationPolicy legacy/mixed', message: /only its 1 L4 rule is kept/ }],
    },
  ],
});
