import { selectorMatches } from '../../model/objects.js';
import { parseVipName } from '../../model/waypoint-config.js';
import { bindingKey, getObject, objectsIn, objectsOf } from '../../model/snapshot.js';
import { evidence, subjectOf, type Evidence, type Rule } from '../types.js';
import { specEvidence } from '../wording.js';
import { fixOf, labelSelector, nsOf, sh } from '../shell.js';

type Json = Record<string, unknown>;

export const wp036: Rule = {
  meta: {
    id: 'WP036',
    title: 'DestinationRule subset selects no pod of a waypoint-bound Service',
    severity: 'error',
    description:
      'The waypoint builds one cluster per subset, `inbound-vip|<port>|http/<subset>|<host>`. A subset whose labels match no pod ' +
      'of the Service has no endpoint: requests routed to it fail with 503 UH (no healthy upstream). istioctl analyze reports it ' +
      'as IST0173.',
    detection: 'Every DestinationRule subset of a waypoint-bound Service whose labels, with the Service\'s selector, match no captured pod; waypoint access log lines with UH on that subset\'s cluster corroborate.',
    fix: 'Fix the subset labels, or deploy the version it names.',
    docs: 'https://istio.io/latest/docs/reference/config/analysis/ist0173/',
    needs: ['kube:DestinationRule', 'kube:Pod', 'kube:Service'],
  },
  check(snapshot, context) {
    for (const dr of objectsOf(snapshot, 'DestinationRule')) {
      const host = String(dr.spec['host'] ?? '');
      const [name = '', ns = dr.namespace ?? ''] = host.split('.');
      const service = getObject(snapshot, 'Service', ns, name);
      if (!service || snapshot.bindingOf.get(bindingKey(service))?.state !== 'bound') continue;
      const selector = (service.spec['selector'] ?? {}) as Record<string, string>;
      const pods = objectsIn(snapshot, 'Pod', ns).filter((p) => Object.entries(selector).every(([k, v]) => p.labels[k] === String(v)));
      // No pod at all is another fault (WP003's kind); and a bundle without the namespace's pods proves nothing.
      if (Object.keys(selector).length === 0 || pods.length === 0) continue;
      for (const subset of (Array.isArray(dr.spec['subsets']) ? dr.spec['subsets'] : []) as Json[]) {
        const labels = (subset['labels'] ?? {}) as Record<string, string>;
        if (pods.some((p) => selectorMatches({ matchLabels: labels }, p.labels))) continue;
        const subsetName = String(subset['name'] ?? '');
        const items: Evidence[] = [specEvidence(dr, 'subsets', `subset ${subsetName}: ${Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',')} matches none of ${pods.length} pods of ${name}`)];
        for (const log of snapshot.records.logs) {
          const hit = log.accessEntries.find((e) => {
            const cluster = e.flags.includes('UH') && e.upstreamCluster ? parseVipName(e.upstreamCluster) : undefined;
            return cluster?.subset === subsetName && cluster.host.startsWith(`${name}.${ns}.`);
          });
          if (hit) items.push(evidence(hit.source, `waypoint: ${hit.code} ${hit.flags} on ${hit.upstreamCluster}`));
        }
        context.report({
          subject: subjectOf(dr),
          message: `DestinationRule ${dr.namespace}/${dr.name} subset ${subsetName} selects no pod of Service ${ns}/${name}: requests the waypoint routes to it fail with 503 UH.`,
          evidence: items,
          fix: fixOf(`Make subset ${subsetName}'s labels match running pods of ${name}, or stop routing to it.`, [sh`kubectl get pods -n ${nsOf(ns)} -l ${labelSelector(selector, "the Service's selector")} --show-labels`]),
        });
      }
    }
  },
};
