import { wp007 } from '../../../src/rules/binding/wp007-headless-service.js';
import { tabwrite } from '../../helpers.js';
import { kubeList, namespace, pod, ruleTester, service, waypoint } from '../rule-tester.js';

const FOR = 'istio.io/waypoint-for';
const USE = 'istio.io/use-waypoint';

/** A Service selecting `app: <name>`; `None` makes it headless. */
const svc = (name: string, labels: Record<string, string>, clusterIP = '10.96.0.10') => ({
  ...service('default', name, labels),
  spec: { clusterIP, ports: [{ name: 'tcp-postgres', port: 5432 }], selector: { app: name } },
});
const ZS_HEADER = ['NAMESPACE', 'SERVICE NAME', 'SERVICE VIP', 'WAYPOINT', 'ENDPOINTS'];

ruleTester(wp007, {
  valid: [
    {
      name: 'ClusterIP service with a VIP in ztunnel: the service waypoint applies',
      files: {
        'services.yaml': kubeList([svc('db', { [USE]: 'waypoint' })]),
        'gateways.yaml': kubeList([waypoint('default', 'waypoint')]),
        'zs.txt': tabwrite([ZS_HEADER, ['default', 'db', '10.96.0.10', 'waypoint', '2/2']], 1),
      },
    },
    {
      name: 'headless service whose pods have their own workload waypoint',
      files: {
        'services.yaml': kubeList([svc('db', { [USE]: 'waypoint' }, 'None')]),
        'pods.yaml': kubeList([pod('default', 'db-0', { app: 'db', [USE]: 'db-pod-waypoint' }), pod('default', 'db-1', { app: 'db', [USE]: 'db-pod-waypoint' })]),
        'gateways.yaml': kubeList([waypoint('default', 'waypoint'), waypoint('default', 'db-pod-waypoint', { [FOR]: 'workload' })]),
      },
    },
    {
      name: 'headless service and its pods both inherit a namespace waypoint that takes all traffic',
      files: {
        'namespaces.yaml': kubeList([namespace('default', { [USE]: 'waypoint' })]),
        'services.yaml': kubeList([svc('db', {}, 'None')]),
        'pods.yaml': kubeList([pod('default', 'db-0', { app: 'db' })]),
        'gateways.yaml': kubeList([waypoint('default', 'waypoint', { [FOR]: 'all' })]),
      },
    },
    {
      name: 'headless service without any waypoint',
      files: { 'services.yaml': kubeList([svc('db', {}, 'None')]), 'gateways.yaml': kubeList([]) },
    },
  ],
  invalid: [
    {
      name: 'headless service with a service waypoint; its pods have none',
      files: {
        'services.yaml': kubeList([svc('db', { [USE]: 'waypoint' }, 'None')]),
        'pods.yaml': kubeList([pod('default', 'db-0', { app: 'db' }), pod('default', 'db-1', { app: 'db' })]),
        'gateways.yaml': kubeList([waypoint('default', 'waypoint')]),
      },
      findings: [{
        subject: 'Service default/db',
        message: /^Service default\/db uses waypoint waypoint, but it is headless \(clusterIP None\): clients reach its pods by IP, so the service waypoint is never used\.$/,
        // services.yaml:8 is the use-waypoint label, :9 the Service's name (evidence for clusterIP None).
        evidence: ['services.yaml:9', 'services.yaml:8'],
      }],
    },
    {
      name: 'ClusterIP service that ztunnel knows without a VIP',
      files: {
        'services.yaml': kubeList([svc('legacy', { [USE]: 'waypoint' })]),
        'gateways.yaml': kubeList([waypoint('default', 'waypoint')]),
        'zs.txt': tabwrite([ZS_HEADER, ['default', 'legacy', '', 'waypoint', '1/1']], 1),
      },
      findings: [{ subject: 'Service default/legacy', message: /known to ztunnel without a VIP/, evidence: ['services.yaml:8', 'zs.txt:2'] }],
    },
    {
      name: 'headless service where only some pods have a workload waypoint',
      files: {
        'services.yaml': kubeList([svc('db', { [USE]: 'waypoint' }, 'None')]),
        'pods.yaml': kubeList([pod('default', 'db-0', { app: 'db', [USE]: 'db-pod-waypoint' }), pod('default', 'db-1', { app: 'db' })]),
        'gateways.yaml': kubeList([waypoint('default', 'waypoint'), waypoint('default', 'db-pod-waypoint', { [FOR]: 'workload' })]),
      },
      findings: [{ subject: 'Service default/db', message: /headless \(clusterIP None\)/, evidence: ['services.yaml:8'] }],
    },
  ],
});

ruleTester(wp007, {
  valid: [],
  invalid: [{
    name: 'no Services captured: inconclusive',
    files: { 'gateways.yaml': kubeList([waypoint('default', 'waypoint')]) },
    findings: [{ status: 'inconclusive', message: /no Service objects/ }],
  }],
});
