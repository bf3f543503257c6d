import { isPodReady, waypointPods, GATEWAY_NAME_LABEL } from '../model/objects.js';
import type { ClusterSnapshot } from '../model/snapshot.js';
import type { ProxyStatusRow } from '../parse/types.js';
import { evidence, subjectOf, type Rule } from './types.js';


/**
 * Types a waypoint may legitimately never be sent: routes are inline in its listeners (no RDS), ECDS
 * only carries WasmPlugins, and a waypoint serving only pod-addressed traffic has no EDS clusters.
 */
const NOT_SENT_IS_NORMAL = new Set(['RDS', 'ECDS', 'EDS']);
const HEALTHY = new Set(['SYNCED', 'IGNORED']);

function unhealthyTypes(row: ProxyStatusRow): string[] {
  return Object.entries(row.xds ?? {})
    .filter(([type, s]) => !HEALTHY.has(s.status) && !(s.status === 'NOT SENT' && NOT_SENT_IS_NORMAL.has(type)))
    .map(([type, s]) => `${type} ${s.status}${s.age ? ` (${s.age})` : ''}`);
}

export const wp037: Rule = {
  meta: {
    id: 'WP037',
    title: 'Waypoint proxy not connected to istiod or not synced',
    severity: 'error',
    description:
      'A waypoint proxy that is missing from `istioctl proxy-status`, or whose CDS/LDS/EDS state is STALE, ERROR or ' +
      'NOT SENT, is running on old or no configuration: new routes and policies never reach it. RDS `NOT SENT` is normal ' +
      'for waypoints (routes are inline), and so is ECDS without WasmPlugins. From Istio 1.27 the default table only ' +
      'shows SUBSCRIBED TYPES: sync state needs `istioctl proxy-status -v 1` or `-o json`.',
    detection:
      'For every Running and Ready waypoint pod, reads its proxy-status row (table, `-o json` or istiod syncz): absent, STALE/ERROR on any type, NOT SENT on CDS/LDS, or SUBSCRIBED TYPES 0. The 1.27+ default table, which hides sync state, makes it inconclusive.',
    fix: 'Read istiod\'s log for xDS rejections, then restart the waypoint.',
    docs: 'https://istio.io/latest/docs/ambient/usage/troubleshoot-waypoint/',
    needs: ['proxy-status', 'kube:Pod'],
  },
  check(snapshot, context) {
    let hiddenState: ProxyStatusRow | undefined;
    for (const pod of waypointPods(snapshot)) {
      // A pod that is not running ready cannot hold a connection; WP002/WP003 say why.
      if (!isPodReady(pod)) continue;
      const row = snapshot.proxyStatus.byPod.get(`${pod.namespace}/${pod.name}`);
      const subject = subjectOf(pod);
      const fix = {
        text: 'Check istiod logs for xDS rejections and the waypoint pod\'s logs, then restart the waypoint.',
        commands: [
          `kubectl logs -n ${pod.namespace} ${pod.name}`,
          `istioctl proxy-config all -n ${pod.namespace} ${pod.name}`,
          `kubectl rollout restart deployment/${pod.labels[GATEWAY_NAME_LABEL]} -n ${pod.namespace}`,
        ],
      };
      if (!row) {
        context.report({
          subject,
          message: `Waypoint pod ${pod.namespace}/${pod.name} is not listed by istioctl proxy-status: it is not connected to istiod and holds no current configuration.`,
          evidence: [evidence(pod.source, 'waypoint pod in the cluster'), ...firstRow(snapshot)],
          fix,
        });
        continue;
      }
      const bad = unhealthyTypes(row);
      if (bad.length > 0) {
        context.report({
          subject,
          message: `Waypoint pod ${pod.namespace}/${pod.name} is not in sync with istiod ${row.istiod}: ${bad.join(', ')}.`,
          evidence: [evidence(row.source, `proxy-status: ${bad.join(', ')}`)],
          fix,
        });
      } else if (row.subscribed && row.subscribed.count === 0) {
        context.report({
          subject,
          message: `Waypoint pod ${pod.namespace}/${pod.name} subscribes to no xDS type at istiod ${row.istiod}: it receives no configuration.`,
          evidence: [evidence(row.source, 'proxy-status: SUBSCRIBED TYPES 0')],
          fix,
        });
      } else if (!row.xds) {
        hiddenState ??= row;
      }
    }
    if (hiddenState) {
      context.report({
        status: 'inconclusive',
        message: 'proxy-status is the Istio 1.27+ default table, which shows the types each waypoint subscribes to but not whether they are in sync.',
        evidence: [evidence(hiddenState.source, 'SUBSCRIBED TYPES only')],
        collect: ['istioctl proxy-status -v 1', 'istioctl proxy-status -o json'],
      });
    }
  },
};

/** Where the proxy-status table is, so "absent from it" points at something. */
function firstRow(snapshot: ClusterSnapshot) {
  const row = snapshot.records.proxyStatus[0];
  return row ? [evidence({ file: row.source.file }, 'the proxy-status capture, which does not list this pod')] : [];
}
