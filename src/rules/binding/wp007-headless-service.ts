import { evidence, subjectOf, type Rule } from '../types.js';
import { bindingEvidence } from './bindings.js';
import { fixOf, k8sName, nameOf, nsOf, sh } from '../shell.js';
import { setLabel, withChanges } from '../changes.js';

export const wp007: Rule = {
  meta: {
    id: 'WP007',
    title: 'Service-addressed waypoint on a service reached by pod IP',
    severity: 'error',
    description:
      'Waypoint selection depends on the ORIGINAL destination: a Service\'s waypoint applies to traffic sent to its VIP. A ' +
      'headless Service (clusterIP None), or one ztunnel knows without a VIP, is reached by pod IPs, so only a waypoint ' +
      'attached to the pods (`waypoint-for: workload|all`) can apply; the service-level binding does nothing.',
    detection:
      'For every Service bound to a waypoint, reports it when it is headless (clusterIP None) or ztunnel lists it without a VIP, unless its pods have a workload waypoint of their own.',
    fix: 'Use a waypoint with `waypoint-for: workload|all` on the pods, or call a ClusterIP Service.',
    docs: 'https://istio.io/latest/docs/ambient/usage/waypoint/#waypoint-traffic-types',
    needs: ['kube:Service', 'kube:Gateway'],
  },
  check(snapshot, context) {
    for (const b of snapshot.bindings) {
      if (b.subject.kind !== 'Service' || b.state !== 'bound') continue;
      const headless = b.subject.spec['clusterIP'] === 'None';
      const row = snapshot.ztunnel.serviceByName.get(`${b.subject.namespace}/${b.subject.name}`);
      if (!headless && !(row && row.vip === '')) continue;
      // Fine when the pods behind it have a workload waypoint of their own.
      const pods = snapshot.bindings.filter((p) => p.trafficType === 'workload' && p.subject.namespace === b.subject.namespace
        && Object.entries((b.subject.spec['selector'] ?? {}) as Record<string, string>).every(([k, v]) => p.subject.labels[k] === v));
      if (pods.length > 0 && pods.every((p) => p.state === 'bound')) continue;
      context.report({
        subject: subjectOf(b.subject),
        message: `Service ${b.subject.namespace}/${b.subject.name} uses waypoint ${b.expected}, but it is ${headless ? 'headless (clusterIP None)' : 'known to ztunnel without a VIP'}: clients reach its pods by IP, so the service waypoint is never used.`,
        evidence: [...(headless ? [evidence(b.subject.source, 'spec.clusterIP: None')] : []), ...bindingEvidence(b, 'uses'), ...(row ? [evidence(row.source, 'ztunnel: no SERVICE VIP')] : [])],
        fix: withChanges(fixOf('Give the pods a waypoint that takes workload traffic (label the pods or namespace; the waypoint needs waypoint-for workload or all), or have clients call a ClusterIP Service.', [
          sh`kubectl label gateway ${b.gateway ? nameOf(b.gateway) : k8sName(b.expected, 'subdomain', 'the waypoint name')} -n ${nsOf(b.gateway?.namespace ?? b.subject.namespace)} istio.io/waypoint-for=all --overwrite`,
        ]), b.gateway && setLabel(b.gateway, 'istio.io/waypoint-for', 'all')),
      });
    }
  },
};
