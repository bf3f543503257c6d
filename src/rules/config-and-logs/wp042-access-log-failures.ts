import { objectKey, type ClusterSnapshot } from '../../model/snapshot.js';
import type { KnownWaypoint, PodLog } from '../../model/types.js';
import { parseVipName } from '../../model/waypoint-config.js';
import type { AccessLogStats, CountedExamples } from '../../parse/types.js';
import { evidence, type Rule, type RuleContext, type Subject } from '../types.js';
import { fixOf, k8sName, nsOf, sh } from '../shell.js';

/** Flags that mean the waypoint's config cannot serve the request: one line is enough. */
const CONFIG_FLAGS: Record<string, { what: string; fix: string }> = {
  NR: { what: 'no route or filter chain matched (route_not_found, filter_chain_not_found)', fix: 'The waypoint has no route for this host and port: check the Service port the client calls, the HTTPRoute parentRefs (WP029-WP032) and whether the waypoint has the Service at all (WP040).' },
  NC: { what: 'the route points at a cluster the waypoint does not have (cluster_not_found)', fix: 'An HTTPRoute backend the waypoint cannot reach: check its backendRefs (WP033) and the waypoint\'s sync state (WP037).' },
};
/** Flags a healthy proxy shows now and then (a pod restarting, a rollout): worth a finding only when they repeat. */
const TRANSIENT_FLAGS: Record<string, { what: string; fix: string }> = {
  UH: { what: 'no healthy upstream (no_healthy_upstream)', fix: 'The destination has no ready endpoint, or a DestinationRule subset selects no pod (WP036): check the pods and the subsets.' },
  UF: { what: 'the connection to the destination failed (upstream_reset_before_response_started{connection_failure})', fix: 'The pod, or its ztunnel, refused the waypoint: an L4 policy that does not admit the waypoint\'s identity (WP023), or a pod that is down. Read the destination ztunnel\'s log.' },
  URX: { what: 'retries or connect attempts exhausted', fix: 'Every attempt failed: see the UF/UH lines beside these, and the destination pods.' },
  UO: { what: 'a circuit breaker overflowed', fix: 'Raise the DestinationRule connectionPool limits, or reduce the load.' },
  UT: { what: 'the route timeout expired', fix: 'The backend is slow or the HTTPRoute timeout is too short.' },
  UC: { what: 'the destination closed the connection', fix: 'Check the destination pods (restarts, OOM) and idle timeouts.' },
};
const MIN_TRANSIENT = 3;
const MIN_TRANSIENT_SHARE = 0.05;

export const wp042: Rule = {
  meta: {
    id: 'WP042',
    title: 'The waypoint\'s access log shows requests failing or denied',
    severity: 'warning',
    description:
      'A waypoint logs every request it handles (when access logging is on). Its response flags and details say why a request ' +
      'failed: `NR` (no route: the host, port or route does not match), `NC` (no such cluster), `UH` (no healthy endpoint), ' +
      '`UF`/`URX` (the destination refused the waypoint), `UO`, `UT`, `UC`; `403 rbac_access_denied_matched_policy[...]` names ' +
      'the AuthorizationPolicy that denied (`[none]`: ALLOW policies exist and none matched) and `UAEX` an external authorizer\'s denial.',
    detection:
      'Counts every access line of each waypoint pod\'s log (streamed, not sampled): NR and NC from one line; UH, UF, URX, UO, UT ' +
      'and UC from 3 lines, or 2 that are 5% of the requests; RBAC and ext_authz denials are reported as information (a policy doing its job ' +
      'is not a fault, but it answers "which policy denied me"). Each finding quotes example lines.',
    fix: 'Per flag: see each finding.',
    docs: 'https://istio.io/latest/docs/ambient/usage/troubleshoot-waypoint/',
    needs: ['logs'],
  },
  check(snapshot, context) {
    for (const { waypoint, log } of waypointAccessLogs(snapshot)) {
      const stats = log.log.accessStats;
      if (!stats) continue;
      const where = waypoint ? `waypoint ${waypoint.namespace}/${waypoint.name}` : `the waypoint whose log is ${log.log.file}`;
      const pod = log.pod ? ` (pod ${log.pod.name})` : '';
      for (const [flag, counted] of Object.entries(stats.byFlag)) {
        const known = CONFIG_FLAGS[flag] ?? TRANSIENT_FLAGS[flag];
        if (!known) continue;
        // A transient flag counts when it repeats: 3 lines, or 2 that are 5% of the requests; one line is a blip.
        if (!CONFIG_FLAGS[flag] && counted.count < MIN_TRANSIENT && (counted.count < 2 || counted.count < stats.requests * MIN_TRANSIENT_SHARE)) continue;
        const top = topClusters(log, flag);
        context.report({
          subject: subjectFor(waypoint, top[0]),
          message: `${where}${pod}: ${counted.count} of ${stats.requests} requests${window(stats)} failed with ${flag}: ${known.what}${top.length ? `, on ${top.join(', ')}` : ''}.`,
          evidence: examples(counted, flag),
          fix: { text: known.fix },
        });
      }
      for (const [policy, counted] of Object.entries(stats.rbacDenied)) {
        const named = /^ns\[([^\]]*)\]-policy\[([^\]]*)\]-rule\[(\d+)\]$/.exec(policy);
        context.report({
          severity: 'info',
          subject: named ? { kind: 'AuthorizationPolicy', namespace: named[1]!, name: named[2]! } : subjectFor(waypoint, undefined),
          message: named
            ? `${where}${pod} denied ${counted.count} of ${stats.requests} requests${window(stats)} by AuthorizationPolicy ${named[1]}/${named[2]} (rule ${named[3]}, a DENY rule that matched).`
            : `${where}${pod} denied ${counted.count} of ${stats.requests} requests${window(stats)} because ALLOW policies apply and none matched (rbac_access_denied_matched_policy[none]).`,
          evidence: examples(counted, `403 ${policy}`),
          fix: named
            ? fixOf('If these requests should pass, narrow the DENY rule that matched; the example lines show the client and path.', [
              sh`kubectl get authorizationpolicy ${k8sName(named[2], 'subdomain', 'the AuthorizationPolicy\'s name')} -n ${nsOf(named[1])} -o yaml`,
            ])
            : fixOf('If these requests should pass, add a rule to the ALLOW policy for their source (the waypoint sees the client\'s real identity) and path.', [
              sh`kubectl get authorizationpolicies -A -o yaml`,
            ]),
        });
      }
      const extAuthz = stats.byFlag['UAEX'];
      if (extAuthz) {
        context.report({ severity: 'info', subject: subjectFor(waypoint, undefined), message: `${where}${pod}: an external authorizer (a CUSTOM policy) denied ${extAuthz.count} of ${stats.requests} requests${window(stats)}.`, evidence: examples(extAuthz, 'UAEX'), fix: { text: 'Read the external authorizer\'s decision log for these request ids.' } });
      }
    }
  },
};

/** Access logs of waypoint pods; a log the bundle cannot tie to a pod counts when it routes to waypoint clusters. */
function waypointAccessLogs(snapshot: ClusterSnapshot): { waypoint?: KnownWaypoint; log: PodLog }[] {
  const byPod = new Map<string, KnownWaypoint>();
  for (const w of snapshot.waypoints) for (const p of w.proxies) byPod.set(objectKey(p.namespace, p.pod), w);
  const out: { waypoint?: KnownWaypoint; log: PodLog }[] = [];
  for (const log of snapshot.podLogs) {
    if (log.log.kind === 'ztunnel-log' || !log.log.accessStats) continue;
    const waypoint = log.pod ? byPod.get(objectKey(log.pod.namespace, log.pod.name)) : undefined;
    if (waypoint) out.push({ waypoint, log });
    else if (!log.pod && Object.keys(log.log.accessStats.byCluster).some((c) => c.startsWith('inbound-vip|'))) out.push({ log });
  }
  return out;
}

/** The clusters the sampled lines with this flag went to, most frequent first. */
function topClusters(log: PodLog, flag: string): string[] {
  const counts = new Map<string, number>();
  for (const e of log.log.accessEntries) if (e.flags.split(',').includes(flag) && e.upstreamCluster) counts.set(e.upstreamCluster, (counts.get(e.upstreamCluster) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([c]) => c);
}

function subjectFor(waypoint: KnownWaypoint | undefined, cluster: string | undefined): Subject | undefined {
  const host = cluster ? parseVipName(cluster)?.host : undefined;
  const m = host ? /^([^.]+)\.([^.]+)\.svc\./.exec(host) : undefined;
  if (m) return { kind: 'Service', namespace: m[2]!, name: m[1]! };
  return waypoint ? { kind: 'Gateway', namespace: waypoint.namespace, name: waypoint.name } : undefined;
}

function examples(counted: CountedExamples, what: string) {
  return counted.examples.map((e) => evidence(e, what));
}

function window(stats: AccessLogStats): string {
  return stats.firstTime && stats.lastTime ? ` between ${stats.firstTime} and ${stats.lastTime}` : '';
}
