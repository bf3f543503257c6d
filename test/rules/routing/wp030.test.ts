import { describe, expect, it } from 'vitest';
import { runRule } from '../../../src/rules/engine.js';
import { wp030 } from '../../../src/rules/routing/wp030-route-on-waypoint-gateway.js';
import { appService, httpRoute, kubeList, routeParentStatus, ruleTester, snapshotOf, waypoint } from '../rule-tester.js';
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

describe('WP030 fix as data', () => {
  const onGateway = (gateway: string) => ({ 'httproutes.yaml': kubeList([httpRoute('default', 'to-v3', [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: gateway }], [{ name: 'reviews' }])]) });

  it('a waypoint that serves one Service: the Gateway parentRef replaced by that Service', () => {
    const files = cluster([], {
      'gw2.yaml': kubeList([waypoint('default', 'reviews-wp')]),
      'svc2.yaml': kubeList([appService('default', 'catalog', { 'istio.io/use-waypoint': 'reviews-wp' })]),
      ...onGateway('reviews-wp'),
    });
    const [finding] = runRule(wp030, snapshotOf(files));
    expect(finding!.fix!.changes).toEqual([{ op: 'merge-patch', target: expect.objectContaining({ kind: 'HTTPRoute', namespace: 'default', name: 'to-v3' }), patch: { spec: { parentRefs: [{ group: '', kind: 'Service', name: 'catalog' }] } } }]);
  });

  it('the namespace waypoint serves several Services: which one the route meant is the user\'s choice', () => {
    const [finding] = runRule(wp030, snapshotOf(cluster([], onGateway('waypoint'))));
    expect(finding!.fix!.changes).toBeUndefined();
    expect(finding!.fix!.commands).toEqual(['kubectl edit httproute to-v3 -n default']);
  });
});
