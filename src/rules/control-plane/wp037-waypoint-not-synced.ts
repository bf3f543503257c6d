import { proxyLooksReady, waypointSyncProblems } from '../../model/known-waypoints.js';
import type { ClusterSnapshot } from '../../model/snapshot.js';
import type { KnownWaypoint, WaypointProxy } from '../../model/types.js';
import type { ProxyStatusRow } from '../../parse/types.js';
import { evidence, subjectOf, type Evidence, type Rule, type Subject } from '../types.js';
import { fixOf, k8sName, nsOf, sh } from '../shell.js';

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
      'For every waypoint pod the bundle shows (from its Pod object, or inferred from ztunnel\'s WAYPOINT columns and the pod names in ztunnel\'s and proxy-status\'s tables), reads its proxy-status row (table, `-o json` or istiod syncz): STALE/ERROR on any type, NOT SENT on CDS/LDS, or SUBSCRIBED TYPES 0. A Running and Ready waypoint pod absent from a whole proxy-status capture (not grepped, not elided) fails too. The 1.27+ default table, which hides sync state, makes it inconclusive.',
    fix: 'Read istiod\'s log for xDS rejections, then restart the waypoint.',
    docs: 'https://istio.io/latest/docs/ambient/usage/troubleshoot-waypoint/',
    // proxy-status alone decides: its own pod names say which proxies are waypoints, and any other
    // capture that names them (Pods, Gateways, ztunnel's tables) only adds to that.
    needs: ['proxy-status'],
  },
  check(snapshot, context) {
    let hiddenState: ProxyStatusRow | undefined;
    for (const waypoint of snapshot.waypoints) {
      for (const proxy of waypoint.proxies) {
        // A pod that is not running ready cannot hold a connection; WP002/WP003 say why.
        if (!proxyLooksReady(proxy)) continue;
        const row = proxy.proxyStatus;
        const subject = proxySubject(proxy);
        const name = `${proxy.namespace}/${proxy.pod}`;
        const why = inferredEvidence(waypoint, proxy);
        const pod = k8sName(proxy.pod, 'subdomain', 'the waypoint pod\'s name');
        const fix = fixOf('Check istiod logs for xDS rejections and the waypoint pod\'s logs, then restart the waypoint.', [
          sh`kubectl logs -n ${nsOf(proxy)} ${pod}`,
          sh`istioctl proxy-config all -n ${nsOf(proxy)} ${pod}`,
          sh`kubectl rollout restart deployment/${k8sName(waypoint.name, 'subdomain', 'the waypoint name')} -n ${nsOf(proxy)}`,
        ]);
        if (!row) {
          // Absence is a fact only in a whole capture, about a pod known to be running.
          if (!proxy.object || !snapshot.complete.has('proxy-status')) continue;
          context.report({
            subject,
            message: `Waypoint pod ${name} is not listed by istioctl proxy-status: it is not connected to istiod and holds no current configuration.`,
            evidence: [evidence(proxy.object.source, 'waypoint pod in the cluster'), ...firstRow(snapshot)],
            fix,
          });
          continue;
        }
        const bad = waypointSyncProblems(row);
        const inferred = why.length ? ' (taken for a waypoint from its name; see the evidence)' : '';
        if (bad.length > 0) {
          context.report({
            subject,
            message: `Waypoint pod ${name}${inferred} is not in sync with istiod ${row.istiod}: ${bad.join(', ')}.`,
            evidence: [evidence(row.source, `proxy-status: ${bad.join(', ')}`), ...why],
            fix,
          });
        } else if (row.subscribed && row.subscribed.count === 0) {
          context.report({
            subject,
            message: `Waypoint pod ${name}${inferred} subscribes to no xDS type at istiod ${row.istiod}: it receives no configuration.`,
            evidence: [evidence(row.source, 'proxy-status: SUBSCRIBED TYPES 0'), ...why],
            fix,
          });
        } else if (!row.xds) {
          hiddenState ??= row;
        }
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

function proxySubject(proxy: WaypointProxy): Subject {
  return proxy.object ? subjectOf(proxy.object) : { kind: 'Pod', namespace: proxy.namespace, name: proxy.pod };
}

/** Why a pod is taken for a waypoint when no Gateway or pod label says so: the lines its name was matched against. */
function inferredEvidence(waypoint: KnownWaypoint, proxy: WaypointProxy): Evidence[] {
  if (!waypoint.inferred && !proxy.inferred) return [];
  return [...waypoint.evidence, ...proxy.evidence].filter((e) => e.source.file).map((e) => evidence(e.source, `inferred: ${e.note}`));
}

/** Where the proxy-status table is, so "absent from it" points at something. */
function firstRow(snapshot: ClusterSnapshot) {
  const row = snapshot.records.proxyStatus[0];
  return row ? [evidence({ file: row.source.file }, 'the proxy-status capture, which does not list this pod')] : [];
}
