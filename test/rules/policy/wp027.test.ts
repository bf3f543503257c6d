import { wp027 } from '../../../src/rules/policy/wp027-other-policies-by-selector.js';
import { authorizationPolicy, kubeList, ruleTester } from '../rule-tester.js';
import { cluster } from './cluster.js';

const ra = (name: string, spec: object) => ({ apiVersion: 'security.istio.io/v1', kind: 'RequestAuthentication', metadata: { name, namespace: 'default' }, spec: { jwtRules: [{ issuer: 'https://issuer.example.com' }], ...spec } });
const telemetry = (name: string, spec: object) => ({ apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry', metadata: { name, namespace: 'default' }, spec: { accessLogging: [{ providers: [{ name: 'envoy' }] }], ...spec } });
const requireJwt = authorizationPolicy('default', 'reviews-require-jwt', { targetRefs: [{ kind: 'Service', group: '', name: 'reviews' }], rules: [{ from: [{ source: { requestPrincipals: ['*'] } }] }] });

ruleTester(wp027, {
  valid: [
    { name: 'RequestAuthentication attached by targetRefs', files: cluster([requireJwt], { 'ra.yaml': kubeList([ra('jwt', { targetRefs: [{ kind: 'Service', group: '', name: 'reviews' }] })]) }) },
    { name: 'a namespace-wide Telemetry (not flagged: mesh defaults)', files: cluster([], { 't.yaml': kubeList([telemetry('defaults', {})]) }) },
    { name: 'a namespace-wide RequestAuthentication nothing at the waypoint relies on', files: cluster([], { 'ra.yaml': kubeList([ra('jwt', {})]) }) },
  ],
  invalid: [
    { name: 'RequestAuthentication selecting a bound Service\'s pods', files: cluster([requireJwt], { 'ra.yaml': kubeList([ra('reviews-jwt', { selector: { matchLabels: { app: 'reviews' } } })]) }), findings: [{ subject: 'RequestAuthentication default/reviews-jwt', message: /JWTs are not validated there, for Services reviews/ }] },
    { name: 'namespace-wide RequestAuthentication that a waypoint policy needs', files: cluster([requireJwt], { 'ra.yaml': kubeList([ra('ns-jwt', {})]) }), findings: [{ subject: 'RequestAuthentication default/ns-jwt', message: /JWTs are not validated there/ }] },
    { name: 'Telemetry selecting the waypoint pods', files: cluster([], { 't.yaml': kubeList([telemetry('wp-logs', { selector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'waypoint' } } })]) }), findings: [{ subject: 'Telemetry default/wp-logs', message: /telemetry settings are not applied there, for waypoint pods/ }] },
  ],
});
