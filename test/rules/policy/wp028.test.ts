import { wp028 } from '../../../src/rules/policy/wp028-unsupported-at-ztunnel.js';
import { authorizationPolicy, ruleTester } from '../rule-tester.js';
import { cluster } from './cluster.js';

const custom = { action: 'CUSTOM', provider: { name: 'ext-authz-grpc' }, rules: [{ from: [{ source: { namespaces: ['default'] } }] }] };
const refused = { type: 'ZtunnelAccepted', status: 'False', reason: 'UnsupportedValue', message: 'ztunnel does not support the CUSTOM action' };

ruleTester(wp028, {
  valid: [
    { name: 'CUSTOM attached to the waypoint', files: cluster([authorizationPolicy('default', 'c', { ...custom, targetRefs: [{ kind: 'Service', group: '', name: 'ratings' }] })]) },
    { name: 'CUSTOM on an ingress gateway outside ambient', files: cluster([authorizationPolicy('istio-ingress', 'c', { ...custom, selector: { matchLabels: { istio: 'ingressgateway' } } })]) },
  ],
  invalid: [
    { name: 'CUSTOM by selector, istiod says UnsupportedValue', files: cluster([authorizationPolicy('default', 'details-ext-authz', { ...custom, selector: { matchLabels: { app: 'ratings' } } }, [refused])]), findings: [{ subject: 'AuthorizationPolicy default/details-ext-authz', message: /does not support the CUSTOM action/ }] },
    { name: 'AUDIT without status', files: cluster([authorizationPolicy('default', 'audit', { action: 'AUDIT', selector: { matchLabels: { app: 'ratings' } }, rules: [{}] })]), findings: [{ subject: 'AuthorizationPolicy default/audit', message: /the AUDIT action/ }] },
  ],
});
