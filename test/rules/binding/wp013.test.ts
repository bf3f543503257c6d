import { wp013 } from '../../../src/rules/binding/wp013-waypoint-listener.js';
import { kubeList, ruleTester, waypoint } from '../rule-tester.js';

const withListeners = (listeners: object[], status: object = { addresses: [{ type: 'Hostname', value: 'waypoint.default.svc.cluster.local' }] }, className = 'istio-waypoint') => ({
  ...waypoint('default', 'waypoint', {}, className),
  spec: { gatewayClassName: className, listeners },
  status,
});
const MESH = { name: 'mesh', port: 15008, protocol: 'HBONE' };
const listenerStatus = (name: string, status: string, reason: string, message: string) => ({
  attachedRoutes: 0,
  conditions: [{ lastTransitionTime: '2024-05-07T09:00:00Z', message, reason, status, type: 'Accepted' }],
  name,
  supportedKinds: [],
});

ruleTester(wp013, {
  valid: [
    { name: 'the generated single 15008/HBONE listener', files: { 'gateways.yaml': kubeList([waypoint('default', 'waypoint')]) } },
    {
      name: 'single HBONE listener that istiod accepted',
      files: { 'gateways.yaml': kubeList([withListeners([MESH], { listeners: [listenerStatus('mesh', 'True', 'Accepted', 'No errors found')] })]) },
    },
    {
      name: 'an ingress Gateway (class istio) with an HTTP listener is not a waypoint',
      files: { 'gateways.yaml': kubeList([withListeners([{ name: 'http', port: 80, protocol: 'HTTP' }], {}, 'istio')]) },
    },
  ],
  invalid: [
    {
      name: 'an extra HTTP listener next to the HBONE one',
      files: { 'gateways.yaml': kubeList([withListeners([MESH, { name: 'http', port: 80, protocol: 'HTTP' }])]) },
      findings: [{
        subject: 'Gateway default/waypoint',
        message: /^Waypoint default\/waypoint has listener http on 80\/HTTP; a waypoint needs exactly one listener on 15008 with protocol HBONE\.$/,
        evidence: ['gateways.yaml:7'],
      }],
    },
    {
      name: 'the only listener is TCP on 15008 and istiod refused it',
      files: {
        'gateways.yaml': kubeList([withListeners([{ name: 'mesh', port: 15008, protocol: 'TCP' }], {
          listeners: [listenerStatus('mesh', 'False', 'UnsupportedProtocol', 'Expected a single listener on port 15008 with protocol "HBONE"')],
        })]),
      },
      findings: [{
        subject: 'Gateway default/waypoint',
        message: /has listener mesh on 15008\/TCP \(Accepted False, UnsupportedProtocol: Expected a single listener on port 15008 with protocol "HBONE"\)/,
        evidence: ['gateways.yaml:7'],
      }],
    },
    {
      name: 'two HBONE listeners on 15008',
      files: { 'gateways.yaml': kubeList([withListeners([MESH, { name: 'mesh-2', port: 15008, protocol: 'HBONE' }])]) },
      findings: [{ subject: 'Gateway default/waypoint', message: /^Waypoint default\/waypoint has 2 listeners; a waypoint needs exactly one/, evidence: ['gateways.yaml:7'] }],
    },
  ],
});

ruleTester(wp013, {
  valid: [],
  invalid: [{ name: 'no Gateways captured: inconclusive', files: { 'pods.yaml': kubeList([]) }, findings: [{ status: 'inconclusive', message: /no Gateway objects/ }] }],
});
