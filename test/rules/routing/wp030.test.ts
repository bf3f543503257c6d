import { wp030 } from '../../../src/rules/routing/wp030-route-on-waypoint-gateway.js';
import { httpRoute, kubeList, routeParentStatus, ruleTester, waypoint } from '../rule-tester.js';
import { cluster } from '../policy/cluster.js';

const WAYPOINT_PARENT = { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' };
const notAllowed = routeParentStatus(WAYPOINT_PARENT, [{ type: 'Accepted', status: 'False', reason: 'NotAllowedByListeners', message: 'kind gateway.networking.k8s.io/v1, Kind=HTTPRoute is not allowed' }]);

ruleTester(wp030, {
  valid: [
    { name: 'a route on the Service', files: cluster([], { 'httproutes.yaml': kubeList([httpRoute('default', 'reviews', [{ group: '', kind: 'Service', name: 'reviews' }], [{ name: 'reviews' }])]) }) },
    {
      name: 'a route on an ingress Gateway',
      files: cluster([], {
        'gw2.yaml': kubeList([waypoint('istio-ingress', 'public', {}, 'istio')]),
        'httproutes.yaml': kubeList([httpRoute('istio-ingress', 'public', [{ name: 'public' }], [{ name: 'reviews', namespace: 'default' }])]),
      }),
    },
  ],
  invalid: [
    {
      name: 'a route on the waypoint Gateway, which istiod did not accept',
      files: cluster([], { 'httproutes.yaml': kubeList([httpRoute('default', 'reviews-v2', [WAYPOINT_PARENT], [{ name: 'reviews' }], [notAllowed])]) }),
      findings: [{ subject: 'HTTPRoute default/reviews-v2', message: /attached to the waypoint Gateway default\/waypoint.*Attach it to the Service it routes \(reviews\)/ }],
    },
    {
      name: 'the same with group omitted and no status (detected from the spec)',
      files: cluster([], { 'httproutes.yaml': kubeList([httpRoute('default', 'reviews-v2', [{ name: 'waypoint' }], [{ name: 'reviews' }])]) }),
      findings: [{ subject: 'HTTPRoute default/reviews-v2', message: /whose HBONE listener takes no routes/ }],
    },
  ],
});
