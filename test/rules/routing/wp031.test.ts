import { describe, expect, it } from 'vitest';
import { runRule } from '../../../src/rules/engine.js';
import { wp031 } from '../../../src/rules/routing/wp031-route-parent-not-bound.js';
import { appService, httpRoute, kubeList, namespace, routeParentStatus, ruleTester, snapshotOf, waypoint } from '../rule-tester.js';
import { cluster } from '../policy/cluster.js';

const svc = (name: string) => ({ group: '', kind: 'Service', name });
const route = (ns: string, parent: string, status: object[] = []) => ({ 'httproutes.yaml': kubeList([httpRoute(ns, `${parent}-route`, [svc(parent)], [{ name: parent }], status)]) });
const notRespected = routeParentStatus(svc('inventory'), [
  { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'Route was valid' },
  { type: 'ResolvedWaypoints', status: 'True', reason: 'ResolvedWaypoints', message: 'istio.io/use-waypoint label missing from parent and parent namespace; in ambient mode, route will not be respected' },
]);
const parentNotFound = routeParentStatus(svc('detail'), [{ type: 'Accepted', status: 'False', reason: 'NoMatchingParent', message: 'parent service: "detail" not found' }]);

ruleTester(wp031, {
  valid: [
    { name: 'a Service bound to the namespace waypoint', files: cluster([], route('default', 'reviews')) },
    {
      name: 'a Service in a namespace outside ambient (sidecars apply the route)',
      files: cluster([], { 'ns2.yaml': kubeList([namespace('shop')]), 'svc2.yaml': kubeList([appService('shop', 'cart')]), ...route('shop', 'cart') }),
    },
    { name: 'a Service labelled for a waypoint that does not exist (WP001 says why)', files: cluster([], { 'svc2.yaml': kubeList([appService('legacy', 'orders', { 'istio.io/use-waypoint': 'orders-waypoint' })]), ...route('legacy', 'orders') }) },
    {
      name: 'a parent the bundle cannot judge: no Services captured',
      files: { 'httproutes.yaml': kubeList([httpRoute('default', 'r', [svc('detail')], [{ name: 'detail' }])]) },
    },
  ],
  invalid: [
    {
      name: 'an ambient Service without waypoint, as istiod 1.26 says in ResolvedWaypoints',
      files: cluster([], route('legacy', 'inventory', [notRespected])),
      findings: [{ subject: 'HTTPRoute legacy/inventory-route', message: /routes Service legacy\/inventory, which no waypoint serves/ }],
    },
    {
      name: 'a parent Service that does not exist',
      files: cluster([], route('default', 'detail', [parentNotFound])),
      findings: [{ subject: 'HTTPRoute default/detail-route', message: /Service default\/detail, which does not exist/ }],
    },
  ],
});

describe('WP031 fixes as data', () => {
  const fixOf = (files: Record<string, string>) => {
    const findings = runRule(wp031, snapshotOf(files));
    expect(findings).toHaveLength(1);
    return findings[0]!.fix!;
  };

  it('a parent one edit from the only Service of that name corrects the parentRef (rating -> ratings)', () => {
    const fix = fixOf(cluster([], route('default', 'rating')));
    expect(fix.changes).toEqual([{ op: 'merge-patch', target: expect.objectContaining({ kind: 'HTTPRoute', namespace: 'default', name: 'rating-route' }), patch: { spec: { parentRefs: [{ group: '', kind: 'Service', name: 'ratings' }] } } }]);
    expect(fix.commands).toEqual([`kubectl patch httproute rating-route -n default --type merge -p '{"spec":{"parentRefs":[{"group":"","kind":"Service","name":"ratings"}]}}'`]);
  });

  it('a parent close to two Services, or to none, is left to the user', () => {
    expect(fixOf(cluster([], { ...route('default', 'ratingz'), 'svc2.yaml': kubeList([appService('default', 'ratingx')]) })).changes).toBeUndefined();
    expect(fixOf(cluster([], route('default', 'payments'))).changes).toBeUndefined();
  });

  it('an unbound parent in a namespace with exactly one waypoint is labelled with it; with none, the user is asked to choose', () => {
    const one = fixOf(cluster([], { ...route('legacy', 'inventory', [notRespected]), 'gw2.yaml': kubeList([waypoint('legacy', 'legacy-wp')]) }));
    expect(one.changes).toEqual([{ op: 'set-label', target: expect.objectContaining({ kind: 'Service', namespace: 'legacy', name: 'inventory' }), key: 'istio.io/use-waypoint', value: 'legacy-wp' }]);
    expect(one.commands).toEqual(['kubectl label service inventory -n legacy istio.io/use-waypoint=legacy-wp --overwrite']);
    const none = fixOf(cluster([], route('legacy', 'inventory', [notRespected])));
    expect(none.changes).toBeUndefined();
    expect(none.commands).toEqual(['kubectl get gateways.gateway.networking.k8s.io -n legacy']);
  });
});
