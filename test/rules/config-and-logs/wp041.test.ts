import { wp041 } from '../../../src/rules/config-and-logs/wp041-route-or-policy-missing.js';
import { authorizationPolicy, httpRoute, kubeList, routeParentStatus, ruleTester } from '../rule-tester.js';
import { DUMP_FILE, HEALTHY, host, withDump } from './cluster.js';

const REVIEWS = { group: '', kind: 'Service', name: 'reviews' };
const accepted = routeParentStatus(REVIEWS, [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: 'Route was valid' }]);
const refused = routeParentStatus(REVIEWS, [{ type: 'Accepted', status: 'False', reason: 'BackendNotFound', message: 'backend not found' }]);
const reviewsRoute = (status: object[] = [accepted]) => ({ 'httproutes.yaml': kubeList([httpRoute('default', 'reviews-v2', [REVIEWS], [{ name: 'reviews' }], status)]) });
const getOnly = (name: string, target: object, action = 'ALLOW') => authorizationPolicy('default', name, { action, targetRefs: [target], rules: [{ to: [{ operation: { methods: ['GET'] } }] }] });
const onRatings = { group: '', kind: 'Service', name: 'ratings' };
const onWaypoint = { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' };
const withRoute = [{ host: host('ratings'), port: 9080 }, { host: host('reviews'), port: 9080, routes: ['default.reviews-v2.0'] }];

ruleTester(wp041, {
  valid: [
    { name: 'the HTTPRoute\'s route is in the reviews chain', files: withDump(withRoute, [], reviewsRoute()) },
    { name: 'a route istiod refused is not expected in the config', files: withDump(HEALTHY, [], reviewsRoute([refused])) },
    { name: 'the policy\'s RBAC is in the ratings chain', files: withDump([{ host: host('ratings'), port: 9080, rbac: ['ns[default]-policy[ratings-get]-rule[0]'] }, HEALTHY[1]!], [getOnly('ratings-get', onRatings)]) },
    { name: 'a policy on the waypoint Gateway, in one of its chains', files: withDump([HEALTHY[0]!, { host: host('reviews'), port: 9080, rbac: ['ns[default]-policy[all-get]-rule[0]'] }], [getOnly('all-get', onWaypoint)]) },
    { name: 'an ALLOW policy without rules denies by having no RBAC policy', files: withDump(HEALTHY, [authorizationPolicy('default', 'deny-all', { targetRefs: [onRatings] })]) },
    { name: 'a CUSTOM policy (ext_authz, not RBAC)', files: withDump(HEALTHY, [authorizationPolicy('default', 'ext', { action: 'CUSTOM', provider: { name: 'opa' }, targetRefs: [onRatings], rules: [{ to: [{ operation: { paths: ['/admin'] } }] }] })]) },
    { name: 'RBAC of a policy in a namespace the bundle does not show', files: withDump([{ host: host('ratings'), port: 9080, rbac: ['ns[payments]-policy[old]-rule[0]'] }, HEALTHY[1]!], []) },
  ],
  invalid: [
    {
      name: 'an Accepted HTTPRoute with only the default route in the waypoint',
      files: withDump(HEALTHY, [], reviewsRoute()),
      findings: [{ subject: 'HTTPRoute default/reviews-v2', message: /waypoint default\/waypoint \(pod waypoint-6f7b665c89-6hppr\) has no route of it \(default\.reviews-v2\.0/, evidence: [`${DUMP_FILE}:126`] }],
    },
    {
      name: 'a targetRefs policy without its RBAC policy',
      files: withDump(HEALTHY, [getOnly('ratings-get', onRatings, 'DENY')]),
      findings: [{ subject: 'AuthorizationPolicy default/ratings-get', message: /has no RBAC policy ns\[default\]-policy\[ratings-get\]-rule\[\.\.\.\] in the chains of ratings/ }],
    },
    {
      name: 'RBAC of a deleted policy, still enforced (a stale waypoint)',
      files: withDump([{ host: host('ratings'), port: 9080, rbac: ['ns[default]-policy[deny-ratings]-rule[0]'] }, HEALTHY[1]!], []),
      findings: [{ subject: 'AuthorizationPolicy default/deny-ratings', message: /still enforces AuthorizationPolicy default\/deny-ratings .*\(a stale waypoint\)/ }],
    },
  ],
});
