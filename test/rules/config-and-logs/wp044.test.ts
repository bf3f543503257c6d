import { wp044 } from '../../../src/rules/config-and-logs/wp044-ztunnel-bypass.js';
import { appService, kubeList, ruleTester } from '../rule-tester.js';
import { cluster } from '../policy/cluster.js';
import { DIRECT, lines, repeat, VIA_WAYPOINT, ZTUNNEL_LOG, ztunnelLine } from './logs.js';

const withZtunnel = (...l: string[]) => cluster([], { [ZTUNNEL_LOG]: lines(...l) });
const refused = { ...VIA_WAYPOINT, error: 'http status: 503 Service Unavailable' };

ruleTester(wp044, {
  valid: [
    { name: 'every connection through the waypoint', files: withZtunnel(ztunnelLine(VIA_WAYPOINT), ztunnelLine(VIA_WAYPOINT)) },
    { name: 'through a waypoint pod replaced since (a rollout in the window)', files: withZtunnel(ztunnelLine({ ...VIA_WAYPOINT, dstWorkload: 'waypoint-6f7b665c89-zz9qk' })) },
    { name: 'the waypoint\'s own connection on to the pod', files: withZtunnel(ztunnelLine({ ...DIRECT, src: 'waypoint-6f7b665c89-6hppr' })) },
    { name: 'the inbound side at the destination', files: withZtunnel(ztunnelLine({ ...DIRECT, direction: 'inbound' })) },
    { name: 'a Service no waypoint serves', files: cluster([], { 'svc2.yaml': kubeList([appService('legacy', 'orders')]), [ZTUNNEL_LOG]: lines(ztunnelLine({ ...DIRECT, service: 'inventory.legacy.svc.cluster.local', dstWorkload: 'inventory-7d9f8c6b5-x2k9q' })) }) },
    { name: 'a peer refusing a direct connection is not a waypoint failure', files: withZtunnel(...repeat(3, () => ztunnelLine({ ...DIRECT, service: 'inventory.legacy.svc.cluster.local', error: 'http status: 401 Unauthorized' }))) },
    { name: 'two refusals by the waypoint are a blip', files: withZtunnel(...repeat(2, () => ztunnelLine(refused))) },
  ],
  invalid: [
    {
      name: 'a client reaching ratings\' pod directly, while ratings is bound to the waypoint',
      files: withZtunnel(ztunnelLine(VIA_WAYPOINT), ztunnelLine(DIRECT), ztunnelLine(DIRECT)),
      findings: [{ subject: 'Service default/ratings', message: /ztunnel logged 2 connections from sleep-7656cf8794-9v2gz to Service default\/ratings that went straight to its pods, not through waypoint waypoint/, evidence: [`${ZTUNNEL_LOG}:2`, 'namespaces.yaml:9'] }],
    },
    {
      name: 'the waypoint refusing the HBONE CONNECT, repeatedly',
      files: withZtunnel(...repeat(3, () => ztunnelLine(refused))),
      findings: [{ subject: undefined, message: /ztunnel logged 3 of 3 connections from sleep-7656cf8794-9v2gz to waypoint pod waypoint-6f7b665c89-6hppr \(for ratings.default.svc.cluster.local\) failing; errors in this log: "http status: 503 Service Unavailable" \(the waypoint refused the HBONE CONNECT\)/, evidence: [`${ZTUNNEL_LOG}:1`] }],
    },
  ],
});
