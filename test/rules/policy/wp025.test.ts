import { wp025 } from '../../../src/rules/policy/wp025-namespace-policy-bypassed.js';
import { authorizationPolicy, ruleTester } from '../rule-tester.js';
import { cluster, WAYPOINT_PRINCIPAL } from './cluster.js';

const denyLegacy = { action: 'DENY', rules: [{ from: [{ source: { namespaces: ['legacy'] } }] }] };

ruleTester(wp025, {
  valid: [
    { name: 'mesh-wide DENY also attached at every waypoint', files: cluster([authorizationPolicy('istio-system', 'deny-legacy', denyLegacy), authorizationPolicy('istio-system', 'deny-legacy-waypoints', { ...denyLegacy, targetRefs: [{ kind: 'GatewayClass', group: 'gateway.networking.k8s.io', name: 'istio-waypoint' }] })]) },
    { name: 'a selector policy (per workload, not a namespace default)', files: cluster([authorizationPolicy('default', 'd', { ...denyLegacy, selector: { matchLabels: { app: 'ratings' } } })]) },
    { name: 'a namespace DENY in a namespace without waypoint', files: cluster([authorizationPolicy('legacy', 'd', { action: 'DENY', rules: [{ from: [{ source: { namespaces: ['default'] } }] }] })]) },
    { name: 'a DENY without source conditions', files: cluster([authorizationPolicy('default', 'd', { action: 'DENY', rules: [{ to: [{ operation: { ports: ['8080'] } }] }] })]) },
    { name: 'an ALLOW that refuses the waypoint (WP023, not this)', files: cluster([authorizationPolicy('default', 'a', { rules: [{ from: [{ source: { namespaces: ['frontend'] } }] }] })]) },
  ],
  invalid: [
    { name: 'mesh-wide DENY on a source namespace', files: cluster([authorizationPolicy('istio-system', 'deny-legacy', denyLegacy)]), findings: [{ subject: 'AuthorizationPolicy istio-system/deny-legacy', message: /the clients it should deny get through/ }] },
    { name: 'namespace ALLOW admitting the waypoint among others', files: cluster([authorizationPolicy('default', 'only-frontend', { rules: [{ from: [{ source: { principals: ['cluster.local/ns/frontend/sa/web', WAYPOINT_PRINCIPAL] } }] }] })]), findings: [{ subject: 'AuthorizationPolicy default/only-frontend', message: /every client gets through the waypoint/ }] },
  ],
});
