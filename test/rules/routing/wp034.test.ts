import { wp034 } from '../../../src/rules/routing/wp034-tcp-port.js';
import { appService, authorizationPolicy, httpRoute, kubeList, ruleTester } from '../rule-tester.js';
import { cluster } from '../policy/cluster.js';

const web = (port: object) => appService('default', 'web', {}, [{ port: 80, protocol: 'TCP', targetPort: 8080, ...port }]);
const routed = (port: object, kind = 'HTTPRoute') => cluster([], {
  'svc2.yaml': kubeList([web(port)]),
  [`${kind.toLowerCase()}s.yaml`]: kubeList([httpRoute('default', 'web', [{ group: '', kind: 'Service', name: 'web' }], [{ name: 'web', port: 80 }], [], kind)]),
});
const getOnly = authorizationPolicy('default', 'web-get', { targetRefs: [{ group: '', kind: 'Service', name: 'web' }], rules: [{ to: [{ operation: { methods: ['GET'] } }] }] });

ruleTester(wp034, {
  valid: [
    { name: 'a port named http', files: routed({ name: 'http' }) },
    { name: 'an unnamed port (Istio sniffs the protocol)', files: routed({}) },
    { name: 'appProtocol kubernetes.io/h2c', files: routed({ name: 'tcp-web', appProtocol: 'kubernetes.io/h2c' }) },
    { name: 'a TCP port with a TCPRoute', files: routed({ name: 'tcp' }, 'TCPRoute') },
    { name: 'a TCP port with an L4-only policy', files: cluster([authorizationPolicy('default', 'web-l4', { targetRefs: [{ group: '', kind: 'Service', name: 'web' }], rules: [{ from: [{ source: { namespaces: ['default'] } }] }] })], { 'svc2.yaml': kubeList([web({ name: 'tcp' })]) }) },
    { name: 'a TCP port of a Service no waypoint serves', files: cluster([], { 'svc2.yaml': kubeList([appService('legacy', 'db', {}, [{ name: 'tcp', port: 5432 }])]), 'httproutes.yaml': kubeList([httpRoute('legacy', 'db', [{ group: '', kind: 'Service', name: 'db' }], [{ name: 'db' }])]) }) },
  ],
  invalid: [
    { name: 'an HTTPRoute on a port named tcp-web', files: routed({ name: 'tcp-web' }), findings: [{ subject: 'Service default/web', message: /port 80 is declared TCP.*waypoint waypoint treats its traffic as TCP/ }] },
    { name: 'appProtocol tcp beats the http name', files: routed({ name: 'http', appProtocol: 'tcp' }), findings: [{ subject: 'Service default/web', message: /declared TCP/ }] },
    { name: 'appProtocol kubernetes.io/wss is HTTPS, so TCP to the waypoint', files: routed({ appProtocol: 'kubernetes.io/wss' }), findings: [{ subject: 'Service default/web', message: /declared TCP/ }] },
    { name: 'an unnamed MySQL port (well-known ports are never sniffed)', files: cluster([getOnly], { 'svc2.yaml': kubeList([appService('default', 'web', {}, [{ port: 3306, protocol: 'TCP' }])]) }), findings: [{ subject: 'Service default/web', message: /port 3306 is declared TCP/ }] },
    { name: 'an HTTP ALLOW policy on a TCP port', files: cluster([getOnly], { 'svc2.yaml': kubeList([web({ name: 'tcp' })]) }), findings: [{ subject: 'Service default/web', message: /an HTTP ALLOW rule cannot match, so it denies/ }] },
  ],
});
