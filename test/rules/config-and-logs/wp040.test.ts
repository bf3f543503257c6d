import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { wp040 } from '../../../src/rules/config-and-logs/wp040-service-missing-from-waypoint.js';
import { ROOT } from '../../helpers.js';
import { appService, kubeList, ruleTester } from '../rule-tester.js';
import { cluster } from '../policy/cluster.js';
import { DUMP_FILE, HEALTHY, host, withDump } from './cluster.js';

const ZTUNNEL_SERVICES = [
  'NAMESPACE SERVICE NAME SERVICE VIP WAYPOINT ENDPOINTS',
  'default   ratings      10.43.7.20  waypoint 1/1',
  'default   reviews      10.43.7.21  waypoint 1/1',
].join('\n');

/** The real 1.28 waypoint dump of samples/bug-report, with the chains of one Service taken out. */
function bugReportDumpWithout(service: string): string {
  const dump = JSON.parse(readFileSync(join(ROOT, 'samples/bug-report/proxies/default/waypoint-hxzdgnszt2-m5q8z/config_dump?include_eds'), 'utf8'));
  for (const config of dump.configs) {
    for (const l of config.dynamic_listeners ?? []) {
      const listener = l.active_state?.listener;
      if (listener?.name === 'main_internal') listener.filter_chains = listener.filter_chains.filter((c: { name: string }) => !c.name.includes(`|${service}.`));
    }
    if (config.dynamic_active_clusters) config.dynamic_active_clusters = config.dynamic_active_clusters.filter((c: { cluster: { name: string } }) => !c.cluster.name.includes(`|${service}.`));
  }
  return JSON.stringify(dump, null, 2);
}
const bookinfo = (dump: string) => ({
  'namespaces.yaml': kubeList([{ apiVersion: 'v1', kind: 'Namespace', metadata: { labels: { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' }, name: 'default' } }]),
  'gateways.yaml': kubeList([{ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { labels: { 'istio.io/waypoint-for': 'service' }, name: 'waypoint', namespace: 'default' }, spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] }, status: { addresses: [{ type: 'Hostname', value: 'waypoint.default.svc.cluster.local' }] } }]),
  'services.yaml': kubeList([appService('default', 'details'), appService('default', 'productpage')]),
  'config_dump': dump,
});

ruleTester(wp040, {
  valid: [
    { name: 'every bound Service has its chain', files: withDump(HEALTHY) },
    { name: 'ztunnel agrees, and the chains are there', files: withDump(HEALTHY, [], { 'ztunnel-config-service.txt': ZTUNNEL_SERVICES }) },
    { name: 'a headless Service has no chain, by design', files: withDump(HEALTHY, [], { 'svc2.yaml': kubeList([{ ...appService('default', 'db') as object, spec: { clusterIP: 'None', ports: [{ port: 5432 }], selector: { app: 'db' } } }]) }) },
    { name: 'a UDP port has no chain', files: withDump(HEALTHY, [], { 'svc2.yaml': kubeList([appService('default', 'dns', {}, [{ port: 53, protocol: 'UDP' }])]) }) },
    { name: 'Istio 1.28\'s own dump of bookinfo (samples/bug-report)', files: bookinfo(bugReportDumpWithout('nothing')) },
  ],
  invalid: [
    {
      name: 'a bound Service with no chain and no cluster (the labels and ztunnel say waypoint)',
      files: withDump([{ host: host('reviews'), port: 9080 }], [], { 'ztunnel-config-service.txt': ZTUNNEL_SERVICES }),
      findings: [{ subject: 'Service default/ratings', message: /sent to waypoint default\/waypoint, but the waypoint's Envoy config \(pod waypoint-6f7b665c89-6hppr\) has no filter chain or cluster for it/, evidence: ['ztunnel-config-service.txt:2'] }],
    },
    {
      name: 'the labels bind ratings, but ztunnel shows None: the missing chain is consistent with that (contradicted)',
      files: withDump([{ host: host('reviews'), port: 9080 }], [], { 'ztunnel-config-service.txt': ZTUNNEL_SERVICES.replace('10.43.7.20  waypoint', '10.43.7.20  None    ') }),
      findings: [{ subject: 'Service default/ratings', message: /no filter chain or cluster for it/, against: ['ztunnel-config-service.txt:2'] }],
    },
    {
      name: 'a port added to the Service that the waypoint does not have',
      files: withDump(HEALTHY, [], { 'svc2.yaml': kubeList([]), 'services.yaml': kubeList([appService('default', 'ratings', {}, [{ name: 'http', port: 9080 }, { name: 'http-admin', port: 9090 }]), appService('default', 'reviews')]) }),
      findings: [{ subject: 'Service default/ratings', message: /no filter chain for port 9090/ }],
    },
    {
      name: 'the real 1.28 dump without productpage\'s chains',
      files: bookinfo(bugReportDumpWithout('productpage')),
      findings: [{ subject: 'Service default/productpage', message: /no filter chain or cluster for it/ }],
    },
    {
      name: 'no dump of a waypoint that serves Services, while the bundle has others: inconclusive',
      files: cluster([], { [DUMP_FILE.replace('waypoint-6f7b665c89-6hppr', 'gw-5d8f7c9b4-x7k2p')]: '{"configs":[{"@type":"type.googleapis.com/envoy.admin.v3.BootstrapConfigDump","bootstrap":{"node":{"id":"router~10.42.0.9~gw-5d8f7c9b4-x7k2p.istio-ingress~istio-ingress.svc.cluster.local"}}}]}' }),
      findings: [{ subject: 'Gateway default/waypoint', status: 'inconclusive', message: /no Envoy config of waypoint default\/waypoint/ }],
    },
  ],
});
