import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { runRule } from '../../../src/rules/engine.js';
import { wp021 } from '../../../src/rules/policy/wp021-policy-without-targetrefs.js';
import { authorizationPolicy, ruleTester, snapshotOf } from '../rule-tester.js';
import { cluster } from './cluster.js';

const GET_ONLY = { rules: [{ to: [{ operation: { methods: ['GET'] } }] }] };
const ztunnelWarning = { type: 'ZtunnelAccepted', status: 'True', reason: 'Accepted', message: 'ztunnel does not support HTTP attributes (found: methods). In ambient mode you must use a waypoint proxy to enforce HTTP rules. Within an ALLOW policy, rules matching HTTP attributes are omitted. This will be more restrictive than requested.' };

ruleTester(wp021, {
  valid: [
    { name: 'L7 policy attached by targetRefs to a bound Service', files: cluster([authorizationPolicy('default', 'ratings-get', { targetRefs: [{ kind: 'Service', group: '', name: 'ratings' }], ...GET_ONLY })]) },
    { name: 'L4 policy with a selector (ztunnel enforces it fully)', files: cluster([authorizationPolicy('default', 'ratings-l4', { selector: { matchLabels: { app: 'ratings' } }, rules: [{ from: [{ source: { principals: ['cluster.local/ns/default/sa/waypoint'] } }] }] })]) },
    { name: 'L7 selector policy on an ingress gateway pod outside ambient (that Envoy applies it)', files: cluster([authorizationPolicy('istio-ingress', 'ingress-get', { selector: { matchLabels: { istio: 'ingressgateway' } }, ...GET_ONLY })]) },
    { name: 'L7 selector policy in a namespace without waypoint (WP022, not this)', files: cluster([authorizationPolicy('legacy', 'inventory-get', { selector: { matchLabels: { app: 'inventory' } }, ...GET_ONLY })]) },
  ],
  invalid: [
    {
      name: 'selector on a bound Service\'s pods, with istiod\'s ZtunnelAccepted message',
      files: cluster([authorizationPolicy('default', 'ratings-get', { selector: { matchLabels: { app: 'ratings' } }, ...GET_ONLY }, [ztunnelWarning])]),
      findings: [{ subject: 'AuthorizationPolicy default/ratings-get', message: /HTTP rules \(methods\) but no targetRefs, and it covers Services ratings, which go through waypoint default\/waypoint/, evidence: ['authorizationpolicies.yaml:9'] }],
    },
    {
      name: 'selector matching the waypoint\'s own pods (IST0166)',
      files: cluster([authorizationPolicy('default', 'waypoint-get', { selector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' } }, ...GET_ONLY })]),
      findings: [{ subject: 'AuthorizationPolicy default/waypoint-get', message: /its selector matches the pods of waypoint default\/waypoint themselves/ }],
    },
    {
      name: 'namespace-wide (no selector) with a request.auth condition',
      files: cluster([authorizationPolicy('default', 'require-jwt', { rules: [{ when: [{ key: 'request.auth.claims[iss]', values: ['https://issuer'] }] }] })]),
      findings: [{ subject: 'AuthorizationPolicy default/require-jwt', message: /when request\.auth\.claims\[iss\]/ }],
    },
  ],
});

describe('WP021 fix', () => {
  it('gives the policy back with targetRefs to the bound Services it selected, and no selector', () => {
    const [finding] = runRule(wp021, snapshotOf(cluster([authorizationPolicy('default', 'ratings-get', { selector: { matchLabels: { app: 'ratings' } }, ...GET_ONLY })])));
    expect(yaml.load(finding!.fix!.yaml!)).toEqual({
      apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'ratings-get', namespace: 'default' },
      spec: { rules: [{ to: [{ operation: { methods: ['GET'] } }] }], targetRefs: [{ kind: 'Service', group: '', name: 'ratings' }] },
    });
  });
});
