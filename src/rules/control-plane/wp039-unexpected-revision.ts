import type { KubeObject } from '../../parse/types.js';
import { GATEWAY_NAME_LABEL, istiodRevisions, REV_LABEL, waypointPods } from '../../model/objects.js';
import { getObject } from '../../model/snapshot.js';
import { evidence, subjectOf, type Rule } from '../types.js';
import { fixOf, k8sName, nsOf, sh } from '../shell.js';

export const wp039: Rule = {
  meta: {
    id: 'WP039',
    title: 'Waypoint served by an unexpected istiod revision',
    severity: 'warning',
    description:
      'A waypoint takes its configuration from the istiod of the revision its Gateway (or namespace) selects with ' +
      '`istio.io/rev`, the default revision when unset. Connected to another istiod (a canary, or a revision being retired) ' +
      'it gets that istiod\'s view, which may lack the routes and policies you expect.',
    detection:
      'For every waypoint pod, compares the revision of the istiod it is connected to (proxy-status ISTIOD, the istiod pod\'s istio.io/rev) with the revision its Gateway or namespace selects.',
    fix: 'Align `istio.io/rev` on the Gateway or namespace, then restart the waypoint.',
    docs: 'https://istio.io/latest/docs/setup/upgrade/canary/',
    needs: ['proxy-status', 'kube:Pod'],
  },
  check(snapshot, context) {
    // istiod pods by name, found once: not a scan of every pod for each waypoint pod.
    const istiods = new Map<string, KubeObject>();
    for (const p of snapshot.objects.get('Pod')?.values() ?? []) if (p.labels['app'] === 'istiod' && !istiods.has(p.name)) istiods.set(p.name, p);
    for (const pod of waypointPods(snapshot)) {
      const row = snapshot.proxyStatus.byPod.get(`${pod.namespace}/${pod.name}`);
      if (!row?.istiod || row.istiod === '<external>') continue;
      const istiod = istiods.get(row.istiod);
      if (!istiod) continue;
      const served = istiod.labels[REV_LABEL] || 'default';
      const gateway = getObject(snapshot, 'Gateway', pod.namespace, pod.labels[GATEWAY_NAME_LABEL] ?? '');
      const ns = getObject(snapshot, 'Namespace', undefined, pod.namespace ?? '');
      const expected = gateway?.labels[REV_LABEL] ?? ns?.labels[REV_LABEL] ?? 'default';
      if (served === expected) continue;
      // Revision tags (`default` -> 1-26-2) live in webhooks the bundle does not hold: only a mismatch
      // that tags cannot explain is reported. Unset means the default revision: wrong only when an
      // untagged istiod exists and the waypoint is connected to a revisioned one.
      const revisions = istiodRevisions(snapshot);
      const mismatch = expected === 'default' ? revisions.has('default') && served !== 'default' : revisions.has(expected);
      if (!mismatch) continue;
      context.report({
        subject: subjectOf(pod),
        message: `Waypoint pod ${pod.namespace}/${pod.name} is connected to ${row.istiod} (revision ${served}), but its ${gateway?.labels[REV_LABEL] ? 'Gateway' : ns?.labels[REV_LABEL] ? 'namespace' : 'Gateway and namespace'} select${expected === 'default' ? ' the default revision' : `s revision ${expected}`}.`,
        evidence: [evidence(row.source, `proxy-status: ISTIOD ${row.istiod}`), evidence(istiod.source, `istiod revision ${served}`), ...(gateway ? [evidence(gateway.labelSources[REV_LABEL] ?? gateway.source, `expects ${expected}`)] : [])],
        fix: fixOf('Align istio.io/rev on the Gateway (or namespace) with the revision that should serve it, then restart the waypoint.', [
          sh`kubectl rollout restart deployment/${k8sName(pod.labels[GATEWAY_NAME_LABEL], 'subdomain', 'the waypoint name')} -n ${nsOf(pod)}`,
        ]),
      });
    }
  },
};
