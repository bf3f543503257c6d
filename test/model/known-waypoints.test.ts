/**
 * Which waypoints a bundle shows, from each source alone and together: Gateway objects, istiod-managed
 * pods, ztunnel's WAYPOINT columns and the pod names of ztunnel's and proxy-status's tables.
 */
import { describe, expect, it } from 'vitest';
import { proxyLooksReady, workloadOfPod } from '../../src/model/known-waypoints.js';
import { tabwrite } from '../helpers.js';
import { handWrittenWaypointPodYaml, kubeList, pod, snapshotOf, waypoint, waypointPod } from '../rules/rule-tester.js';

const ps = (...pods: string[]) => tabwrite([
  ['NAME', 'CLUSTER', 'CDS', 'LDS', 'EDS', 'RDS', 'ECDS', 'ISTIOD', 'VERSION'],
  ...pods.map((p) => [p, 'Kubernetes', 'SYNCED', 'SYNCED', 'SYNCED', 'NOT SENT', 'NOT SENT', 'istiod-1', '1.26.2']),
], 5);
const zw = (...rows: string[][]) => tabwrite([['NAMESPACE', 'POD NAME', 'ADDRESS', 'NODE', 'WAYPOINT', 'PROTOCOL'], ...rows], 1);
const summary = (files: Record<string, string>) =>
  snapshotOf(files).waypoints.map((w) => ({ waypoint: `${w.namespace}/${w.name}`, inferred: w.inferred, via: w.evidence.map((e) => e.via), pods: w.proxies.map((p) => `${p.pod}${p.inferred ? ' (by name)' : ''}`) }));

describe('known waypoints', () => {
  it('names the Deployment of a pod as its ReplicaSet does', () => {
    expect(workloadOfPod('reviews-svc-waypoint-c49f9f569-b492t')).toBe('reviews-svc-waypoint');
    expect(workloadOfPod('waypoint-mxvtrsgdrp-cspts')).toBe('waypoint');
    expect(workloadOfPod('ztunnel-x2k9q')).toBeUndefined();
  });

  it('from Gateway objects and their pods: nothing inferred', () => {
    expect(summary({
      'gw.yaml': kubeList([waypoint('default', 'waypoint'), waypoint('default', 'bookinfo-gateway', {}, 'istio')]),
      'pods.yaml': kubeList([waypointPod('default', 'waypoint', 'waypoint-6f7b665c89-6hppr'), pod('default', 'bookinfo-gateway-istio-7c57fc4647-wjqvm', { 'gateway.networking.k8s.io/gateway-name': 'bookinfo-gateway' })]),
    })).toEqual([{ waypoint: 'default/waypoint', inferred: false, via: ['Gateway', 'waypoint pod'], pods: ['waypoint-6f7b665c89-6hppr'] }]);
  });

  it('from the tables alone: named in a WAYPOINT column, its pods found by name; the ingress gateway is not one', () => {
    expect(summary({
      'zw.txt': zw(
        ['default', 'reviews-v2-5b667bcbf8-gj7nz', '10.42.0.5', 'node-1', 'reviews-v2-pod-waypoint', 'HBONE'],
        ['default', 'bookinfo-gateway-istio-7c57fc4647-wjqvm', '10.42.2.8', 'node-1', 'None', 'TCP'],
      ),
      'ps.txt': ps('reviews-v2-pod-waypoint-7f5dbd597-7zzw7.default', 'bookinfo-gateway-istio-7c57fc4647-wjqvm.default', 'waypoint-6f7b665c89-6hppr.default'),
    })).toEqual([
      { waypoint: 'default/reviews-v2-pod-waypoint', inferred: true, via: ['ztunnel WAYPOINT column'], pods: ['reviews-v2-pod-waypoint-7f5dbd597-7zzw7 (by name)'] },
      { waypoint: 'default/waypoint', inferred: true, via: ['pod name'], pods: ['waypoint-6f7b665c89-6hppr (by name)'] },
    ]);
  });

  it('keeps a waypoint ztunnel uses but whose pods the bundle lacks, in its users\' namespace', () => {
    expect(summary({ 'zw.txt': zw(['shop', 'cart-5b667bcbf8-gj7nz', '10.42.0.9', 'node-1', 'shop-waypoint', 'HBONE']) })).toEqual([
      { waypoint: 'shop/shop-waypoint', inferred: true, via: ['ztunnel WAYPOINT column'], pods: [] },
    ]);
  });

  it('trusts a pod object over its name: a pod named like a waypoint without the labels is not one', () => {
    expect(summary({ 'pods.yaml': kubeList([pod('default', 'waypoint-6f7b665c89-6hppr')]), 'ps.txt': ps('waypoint-6f7b665c89-6hppr.default') })).toEqual([]);
  });

  it.each([['True', true], ['true', true], ['yes', true], ['False', false], ['no', false]])('reads a hand-written Ready status `%s` as Kubernetes does', (status, ready) => {
    const [w] = snapshotOf({ 'gw.yaml': kubeList([waypoint('default', 'waypoint')]), 'pod.yaml': handWrittenWaypointPodYaml('waypoint-6f7b665c89-6hppr', status) }).waypoints;
    expect(proxyLooksReady(w!.proxies[0]!)).toBe(ready);
  });
});
