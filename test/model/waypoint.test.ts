import { describe, expect, it } from 'vitest';
import { acceptsTraffic } from '../../src/model/waypoint.js';
import { tabwrite } from '../helpers.js';
import { gatewayClass, kubeList, namespace, pod, service, snapshotOf, waypoint } from '../rules/rule-tester.js';

function binding(files: Record<string, string>, kind: string, name: string) {
  const b = snapshotOf(files).bindings.find((x) => x.subject.kind === kind && x.subject.name === name);
  if (!b) throw new Error(`no binding for ${kind} ${name}`);
  return b;
}

describe('expected waypoint from labels', () => {
  const gateways = kubeList([waypoint('default', 'waypoint'), waypoint('default', 'svc-wp', { 'istio.io/waypoint-for': 'service' }), waypoint('infra', 'shared', { 'istio.io/waypoint-for': 'all' }, 'istio-waypoint', 'All')]);

  it('takes the object label over the namespace label', () => {
    const files = {
      'ns.yaml': kubeList([namespace('default', { 'istio.io/use-waypoint': 'waypoint' })]),
      'svc.yaml': kubeList([service('default', 'reviews', { 'istio.io/use-waypoint': 'svc-wp' }), service('default', 'details')]),
      'gw.yaml': gateways,
    };
    expect(binding(files, 'Service', 'reviews')).toMatchObject({ state: 'bound', expected: 'svc-wp', request: { from: 'object' } });
    expect(binding(files, 'Service', 'details')).toMatchObject({ state: 'bound', expected: 'waypoint', request: { from: 'namespace' } });
  });

  it('treats none as an opt-out even when the namespace has a waypoint', () => {
    const files = {
      'ns.yaml': kubeList([namespace('default', { 'istio.io/use-waypoint': 'waypoint' })]),
      'svc.yaml': kubeList([service('default', 'a', { 'istio.io/use-waypoint': 'none' })]),
      'gw.yaml': gateways,
    };
    expect(binding(files, 'Service', 'a')).toMatchObject({ state: 'opted-out', expected: 'None' });
  });

  it('reads use-waypoint-namespace only from the object that carries use-waypoint', () => {
    const files = {
      'ns.yaml': kubeList([namespace('app', { 'istio.io/use-waypoint-namespace': 'infra' })]),
      'svc.yaml': kubeList([service('app', 'a', { 'istio.io/use-waypoint': 'shared' }), service('app', 'b', { 'istio.io/use-waypoint': 'shared', 'istio.io/use-waypoint-namespace': 'infra' })]),
      'gw.yaml': gateways,
    };
    expect(binding(files, 'Service', 'a')).toMatchObject({ state: 'waypoint-missing', request: { namespace: 'app', name: 'shared' } });
    expect(binding(files, 'Service', 'b')).toMatchObject({ state: 'bound', expected: 'shared', request: { namespace: 'infra' } });
  });

  it('gives pods a waypoint only when it takes workload traffic; inheriting a service waypoint is silent', () => {
    const files = {
      'ns.yaml': kubeList([namespace('default', { 'istio.io/use-waypoint': 'waypoint' })]),
      'pods.yaml': kubeList([pod('default', 'inherits'), pod('default', 'own', { 'istio.io/use-waypoint': 'svc-wp' })]),
      'gw.yaml': gateways,
    };
    expect(binding(files, 'Pod', 'inherits')).toMatchObject({ state: 'inherited-service-only', expected: 'None' });
    expect(binding(files, 'Pod', 'own')).toMatchObject({ state: 'traffic-type-unsupported', expected: 'None', waypointFor: { value: 'service', from: 'Gateway' } });
  });

  it('takes waypoint-for from the GatewayClass when the Gateway has none', () => {
    const files = {
      'pods.yaml': kubeList([pod('default', 'p', { 'istio.io/use-waypoint': 'waypoint' })]),
      'gw.yaml': gateways,
      'gwc.yaml': kubeList([gatewayClass('istio-waypoint', { 'istio.io/waypoint-for': 'workload' })]),
    };
    expect(binding(files, 'Pod', 'p')).toMatchObject({ state: 'bound', expected: 'waypoint', waypointFor: { value: 'workload', from: 'GatewayClass' } });
  });

  it('puts what ztunnel shows beside what the labels expect', () => {
    const files = {
      'svc.yaml': kubeList([service('default', 'reviews', { 'istio.io/use-waypoint': 'svc-wp' })]),
      'gw.yaml': gateways,
      'zs.txt': tabwrite([['NAMESPACE', 'SERVICE NAME', 'SERVICE VIP', 'WAYPOINT', 'ENDPOINTS'], ['default', 'reviews', '10.43.162.105', 'svc-wp', '3/3']], 1),
    };
    expect(binding(files, 'Service', 'reviews')).toMatchObject({ expected: 'svc-wp', observed: { waypoint: 'svc-wp', source: { file: 'zs.txt', line: 2 } } });
  });

  it('refuses a waypoint in another namespace unless its HBONE listener admits the namespace', () => {
    const selectorWaypoint = {
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'team', namespace: 'infra' },
      spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE', allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { team: 'a' } } } } }] },
      status: { addresses: [{ type: 'Hostname', value: 'team.infra.svc.cluster.local' }] },
    };
    const files = {
      'ns.yaml': kubeList([namespace('app', { team: 'a' }), namespace('other', { team: 'b' })]),
      'svc.yaml': kubeList([
        service('app', 'same', { 'istio.io/use-waypoint': 'closed', 'istio.io/use-waypoint-namespace': 'infra' }),
        service('app', 'open', { 'istio.io/use-waypoint': 'open', 'istio.io/use-waypoint-namespace': 'infra' }),
        service('app', 'selected', { 'istio.io/use-waypoint': 'team', 'istio.io/use-waypoint-namespace': 'infra' }),
        service('other', 'not-selected', { 'istio.io/use-waypoint': 'team', 'istio.io/use-waypoint-namespace': 'infra' }),
      ]),
      'gw.yaml': kubeList([waypoint('infra', 'closed'), waypoint('infra', 'open', {}, 'istio-waypoint', 'All'), selectorWaypoint]),
    };
    expect(binding(files, 'Service', 'same')).toMatchObject({ state: 'attachment-denied', expected: 'None', explanation: /allowedRoutes.namespaces.from: Same/ });
    expect(binding(files, 'Service', 'open')).toMatchObject({ state: 'bound', expected: 'open' });
    expect(binding(files, 'Service', 'selected')).toMatchObject({ state: 'bound', expected: 'team' });
    expect(binding(files, 'Service', 'not-selected')).toMatchObject({ state: 'attachment-denied', explanation: /selector does not match/ });
  });

  it('gives no waypoint while the Gateway has no status.addresses, and keeps istiod\'s verdict beside it', () => {
    const files = {
      'svc.yaml': kubeList([{
        ...service('default', 'reviews', { 'istio.io/use-waypoint': 'waypoint' }),
        status: { conditions: [{ type: 'istio.io/WaypointBound', status: 'False', reason: 'WaypointIsNotReady', message: 'waypoint "default/waypoint" is not ready' }] },
      }]),
      'gw.yaml': kubeList([{ ...waypoint('default', 'waypoint'), status: {} }]),
    };
    expect(binding(files, 'Service', 'reviews')).toMatchObject({
      state: 'waypoint-not-ready', expected: 'None', explanation: /no status.addresses yet/,
      istiod: { status: 'False', reason: 'WaypointIsNotReady', source: { file: 'svc.yaml' } },
    });
  });

  it('binds ServiceEntries (seen by ztunnel under their host) and WorkloadEntries', () => {
    const files = {
      'se.yaml': kubeList([
        { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { labels: { 'istio.io/use-waypoint': 'waypoint' }, name: 'external-api', namespace: 'default' }, spec: { hosts: ['api.example.com'], resolution: 'DNS' } },
        { apiVersion: 'networking.istio.io/v1', kind: 'WorkloadEntry', metadata: { labels: { 'istio.io/use-waypoint': 'waypoint' }, name: 'vm-1', namespace: 'default' }, spec: { address: '10.0.0.9' } },
      ]),
      'gw.yaml': kubeList([waypoint('default', 'waypoint', { 'istio.io/waypoint-for': 'service' })]),
      'zs.txt': tabwrite([['NAMESPACE', 'SERVICE NAME', 'SERVICE VIP', 'WAYPOINT', 'ENDPOINTS'], ['default', 'api.example.com', '', 'waypoint', '0/0']], 1),
    };
    expect(binding(files, 'ServiceEntry', 'external-api')).toMatchObject({ trafficType: 'service', state: 'bound', observed: { waypoint: 'waypoint' } });
    expect(binding(files, 'WorkloadEntry', 'vm-1')).toMatchObject({ trafficType: 'workload', state: 'traffic-type-unsupported' });
  });

  it('accepts traffic per waypoint-for value, anything unknown accepting nothing', () => {
    expect(['all', 'service', 'workload', 'none', 'Service', ''].map((v) => [acceptsTraffic(v, 'service'), acceptsTraffic(v, 'workload')]))
      .toEqual([[true, true], [true, false], [false, true], [false, false], [false, false], [false, false]]);
  });
});
