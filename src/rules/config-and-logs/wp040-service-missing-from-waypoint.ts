import type { KnownWaypoint } from '../../model/types.js';
import { portProtocol, servicePorts } from '../../model/routes.js';
import { chainsOf, clusterDomain, hasClusterFor, mainInternal, serviceHost, waypointDump } from '../../model/waypoint-config.js';
import { evidence, subjectOf, type Evidence, type Rule } from '../types.js';
import { bindingEvidence, dumpCommand, servicesServedBy, type ServedService } from './served.js';
import { againstField, notSentThere } from '../corroboration.js';
import { fixOf, k8sName, nsOf, sh } from '../shell.js';

export const wp040: Rule = {
  meta: {
    id: 'WP040',
    title: 'A Service bound to a waypoint is missing from the waypoint\'s Envoy config',
    severity: 'error',
    description:
      'For every Service it serves, a waypoint has a filter chain per port in its internal listener `main_internal` ' +
      '(`inbound-vip|<port>||<fqdn>-http` or `-tcp`) and a cluster `inbound-vip|<port>|<http|tcp>|<fqdn>`. When ztunnel ' +
      '(or the labels) send a Service\'s traffic to the waypoint but its config has no chain for it, the waypoint cannot ' +
      'match the connection: requests fail, and no route or policy of that Service applies. The waypoint runs on config ' +
      'older than the binding (not synced, WP037), or is served by another istiod (WP039).',
    detection:
      'For every waypoint whose config dump (`istioctl proxy-config all -o json`) the bundle holds: every Service or ' +
      'ServiceEntry with a VIP bound to it by the labels or shown by ztunnel\'s WAYPOINT column, and each of its TCP ' +
      'ports, must have a chain in `main_internal`; a Service without any chain or cluster, or a port without a chain, fails.',
    fix: 'See whether the waypoint is synced (istioctl proxy-status) and which istiod serves it; restart the waypoint to make it fetch its config again.',
    docs: 'https://istio.io/latest/docs/ambient/usage/troubleshoot-waypoint/',
    needs: ['envoy-config'],
    needsAnyOf: ['kube:Service', 'ztunnel-services'],
  },
  check(snapshot, context) {
    for (const waypoint of snapshot.waypoints) {
      const served = servicesServedBy(snapshot, waypoint);
      if (served.length === 0) continue;
      const dump = waypointDump(waypoint);
      if (!dump) {
        context.report({
          subject: waypointSubject(waypoint),
          status: 'inconclusive',
          message: `The bundle has no Envoy config of waypoint ${waypoint.namespace}/${waypoint.name}, which serves ${served.length} Service${served.length > 1 ? 's' : ''}: whether it has them cannot be checked.`,
          evidence: [],
          collect: [dumpCommand(waypoint)],
        });
        continue;
      }
      const { envoy, proxy } = dump;
      const domain = clusterDomain(envoy);
      const listener = mainInternal(envoy);
      for (const s of served) {
        const host = s.object ? serviceHost(s.object, domain) : `${s.name}.${s.namespace}.svc.${domain}`;
        const chains = chainsOf(envoy, host);
        const ports = s.object ? servicePorts(s.object).filter((p) => portProtocol(p) !== 'udp').map((p) => Number(p['port'] ?? p['number'])) : [];
        // A Service with only UDP ports has nothing a waypoint serves.
        if (s.object && ports.length === 0) continue;
        const missingPorts = ports.filter((port) => !chains.some((c) => c.port === port));
        const whole = chains.length === 0 && !hasClusterFor(envoy, host);
        if (!whole && missingPorts.length === 0) continue;
        const where = listener ?? envoy;
        const absent: Evidence = evidence(where.source, `waypoint ${proxy.pod}: main_internal has ${listener?.filterChains.length ?? 0} filter chains, ${whole ? `none for ${host} and no cluster for it` : `none for port ${missingPorts.join(', ')} of ${host}`}`);
        const items = [...bindingEvidence(s, waypoint), absent, ...syncEvidence(waypoint)];
        context.report({
          subject: s.object ? subjectOf(s.object) : { kind: 'Service', namespace: s.namespace, name: s.name },
          message: `${s.kind} ${s.namespace}/${s.name} is sent to waypoint ${waypoint.namespace}/${waypoint.name}, but the waypoint's Envoy config (pod ${proxy.pod}) has ${whole ? 'no filter chain or cluster for it' : `no filter chain for port ${missingPorts.join(', ')}`}: ${whole ? 'its traffic fails at the waypoint and none of its routes or policies apply' : 'traffic to that port fails at the waypoint'}. The waypoint's config is older than the binding, or comes from another istiod.`,
          evidence: items,
          ...againstField(s.object ? notSentThere(snapshot, s.object, waypoint.name) : []),
          fix: fixOf('Check that the waypoint is synced and served by the right istiod; restarting it makes it fetch its config again.', [
            sh`istioctl proxy-status ${k8sName(proxy.pod, 'subdomain', 'the waypoint pod\'s name')}.${nsOf(proxy)}`,
            sh`kubectl rollout restart deployment/${k8sName(waypoint.name, 'subdomain', 'the waypoint name')} -n ${nsOf(waypoint)}`,
          ]),
        });
      }
    }
  },
};

/** What proxy-status says of the waypoint's pods: SYNCED makes an istiod bug likelier, STALE explains it. */
function syncEvidence(waypoint: KnownWaypoint): Evidence[] {
  return waypoint.proxies.flatMap((p) => {
    const row = p.proxyStatus;
    if (!row?.xds) return [];
    const states = Object.entries(row.xds).filter(([type]) => type === 'CDS' || type === 'LDS').map(([type, s]) => `${type} ${s.status}`);
    return states.length ? [evidence(row.source, `proxy-status ${row.proxy}: ${states.join(', ')} (istiod ${row.istiod})`)] : [];
  });
}

function waypointSubject(waypoint: KnownWaypoint) {
  return waypoint.gateway ? subjectOf(waypoint.gateway) : { kind: 'Gateway', namespace: waypoint.namespace, name: waypoint.name };
}
