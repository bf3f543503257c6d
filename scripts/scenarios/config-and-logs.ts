/** Scenarios WP040-WP044: what the waypoints' Envoy config and the proxies' logs show. */
import { type Bundle, PODS, PS, type Scenario, ZS, ZW } from './bundle.js';
import { at, waypointPodName } from './edits.js';
import { AP, ZT_AGENT, ZT_SERVER, dumpOf, logOf } from './policy.js';

const NOTSLEEP = 'notsleep-qm67gmzl6l-r6qtt';
const DETAILS = 'details-v1-vhxj2wn7x5-5h6fc';

/** A container that was killed and restarted within seconds: the kubelet keeps the pod Ready between probes. */
function restarted(b: Bundle, name: string, restarts: { killed: string; started: string }[]): void {
  const pod = b.get('pods', 'default', name);
  const cs = pod.status.containerStatuses[0];
  const last = restarts[restarts.length - 1]!;
  const previous = restarts.length > 1 ? restarts[restarts.length - 2]!.started : cs.state.running.startedAt;
  Object.assign(cs, {
    containerID: `${cs.containerID.slice(0, -2)}${restarts.length}${restarts.length}`,
    lastState: { terminated: { containerID: cs.containerID, exitCode: 137, finishedAt: last.killed, reason: 'OOMKilled', startedAt: previous } },
    restartCount: restarts.length,
    state: { running: { startedAt: last.started } },
  });
  pod.metadata.resourceVersion = '2276';
  for (const r of restarts) b.outages.push({ namespace: 'default', pod: name, from: r.killed, to: r.started });
}

export const configAndLogScenarios: Scenario[] = [
  {
    name: 'wp040-service-missing-from-waypoint',
    expected: ['WP040', 'WP042'],
    title: 'WP040: ztunnel sends a Service to a waypoint whose config does not have it',
    build(b) {
      b.stale.set('default/waypoint', { services: ['ratings'], policies: [] });
    },
    doc: (r, b) => {
      const dump = dumpOf(b, 'waypoint');
      const wp = waypointPodName(b, 'waypoint');
      return [
        `- ztunnel sends \`ratings\` to the waypoint \`waypoint\` (${r.row(ZS, 'default', 'ratings')}), and istiod reports the binding (\`WaypointBound\` True, ${r.obj('kubectl/services.json', 'default', 'ratings', 'Successfully attached to waypoint default/waypoint')}).`,
        `- The waypoint's config dump \`${dump}\` has no filter chain and no cluster for ratings: no \`inbound-vip|9080|http|ratings.default.svc.cluster.local\` anywhere (${r.count(dump, 'ratings.default.svc.cluster.local')} lines mention it), while details, productpage and the other Services of \`default\` are there (e.g. ${r.exact(dump, '"name": "inbound-vip|9080|http|details.default.svc.cluster.local"')}). proxy-status still shows the waypoint \`SYNCED\` (${r.row(PS, `${wp}.default`)}): its view of the namespace's Services is stale.`,
        `- Every call to ratings reaches the waypoint and finds no filter chain: \`"- - -" 0 NR filter_chain_not_found\` for \`10.43.71.236:9080\` (${r.line(logOf(b, 'waypoint'), 'filter_chain_not_found')} onwards); reviews v2/v3 render "ratings unavailable".`,
      ];
    },
  },
  {
    name: 'wp041-policy-missing-from-waypoint',
    expected: ['WP041'],
    title: 'WP041: an accepted AuthorizationPolicy is missing from the waypoint\'s RBAC filter',
    build(b) {
      b.stale.set('default/waypoint', { services: [], policies: ['default/productpage-viewer'] });
      for (const m of [33, 36]) b.traffic.push({ at: `2025-10-14T09:${m}:40.000Z`, from: NOTSLEEP, to: 'productpage', port: 9080, path: '/productpage', ua: 'curl/8.11.1' });
    },
    doc: (r, b) => {
      const dump = dumpOf(b, 'waypoint');
      return [
        `- AuthorizationPolicy \`default/productpage-viewer\` targets Service productpage and is \`WaypointAccepted\` True, \`bound to default/waypoint\` (${r.obj(AP, 'default', 'productpage-viewer', 'bound to default/waypoint')}); it allows only \`sleep\` and the ingress gateway.`,
        `- The waypoint's productpage chain \`inbound-vip|9080|http|productpage.default.svc.cluster.local\` (${r.exact(dump, '"name": "inbound-vip|9080|http|productpage.default.svc.cluster.local"')}) has no \`envoy.filters.http.rbac\` filter: there is no \`ns[default]-policy[productpage-viewer]-rule[0]\` in \`${dump}\` (${r.count(dump, 'envoy.filters.http.rbac')} RBAC filters in the whole dump).`,
        `- So the policy is not enforced: \`notsleep\` (not allowed by it) gets \`200\` for \`GET /productpage\` (${r.after(logOf(b, 'waypoint'), '10.42.1.7:', '"GET /productpage HTTP/1.1" 200')}).`,
      ];
    },
  },
  {
    name: 'wp042-access-log-denials',
    expected: ['WP042'],
    title: 'WP042: the waypoint\'s access log shows denials and upstream failures',
    build(b) {
      for (let s = 0; s <= 30; s += 3) b.traffic.push({ at: `2025-10-14T09:36:${String(s).padStart(2, '0')}.500Z`, from: NOTSLEEP, to: 'productpage', port: 9080, path: '/productpage', ua: 'curl/8.11.1' });
      restarted(b, DETAILS, [{ killed: at('09:35:11'), started: at('09:35:14') }, { killed: at('09:37:11'), started: at('09:37:14') }]);
    },
    doc: (r, b) => {
      const log = logOf(b, 'waypoint');
      return [
        `- \`notsleep\` (\`10.42.1.7\`) calls productpage every 3 seconds from 09:36:00; \`productpage-viewer\` does not allow it, so the waypoint answers \`403 - rbac_access_denied_matched_policy[none]\` (${r.line(log, 'rbac_access_denied_matched_policy[none]')} onwards, ${r.count(log, 'rbac_access_denied_matched_policy[none]')} lines).`,
        `- The details container was OOM-killed twice and restarted within seconds (\`restartCount: 2\`, ${r.obj(PODS, 'default', DETAILS, '"restartCount": 2')}; last state \`OOMKilled\`, ${r.obj(PODS, 'default', DETAILS, 'OOMKilled')}). The calls that hit those seconds failed after Envoy's two retries: \`503 UF,URX upstream_reset_before_response_started{connection_failure}\` on \`inbound-vip|9080|http|details...\` (${r.line(log, '503 UF,URX')} onwards), and details' ztunnel logs each refused attempt (${r.line(ZT_SERVER, 'Connection refused')} onwards).`,
      ];
    },
  },
  {
    name: 'wp043-no-access-log',
    expected: ['WP043'],
    title: 'WP043: the waypoints write no access log',
    build(b) {
      const mesh = b.meshConfig();
      delete mesh.accessLogFile;
      b.setMeshConfig(mesh);
    },
    doc: (r, b) => [
      `- The mesh config has no \`accessLogFile\` (${r.line('kubectl/configmap-istio.json', '"mesh"')}) and there is no Telemetry resource (\`kubectl/telemetries.json\` is an empty list): access logging is off, as after a default install.`,
      `- The waypoints' logs hold only pilot-agent and Envoy start-up lines, no request (${r.line(logOf(b, 'waypoint'), 'Envoy proxy is ready')} is the last line of \`${logOf(b, 'waypoint')}\`), and their configs have no \`access_log\`. The traffic is there: ztunnel logs each connection through the waypoint (${r.line(ZT_SERVER, 'dst.service="productpage.default.svc.cluster.local" dst.workload="waypoint-')} onwards). An empty waypoint log says nothing about bypass until logging is on.`,
    ],
  },
  {
    name: 'wp044-ztunnel-bypass',
    expected: ['WP044'],
    title: 'WP044: a ztunnel log shows a waypoint-bound Service reached without its waypoint',
    build(b) {
      for (const m of [34, 36]) b.traffic.push({ at: `2025-10-14T09:${m}:30.000Z`, from: NOTSLEEP, to: 'reviews', port: 9080, path: '/reviews/2', ua: 'curl/8.11.1', endpoint: 'reviews-v1-hx6qnjj2mw-pl52c', bypass: true });
    },
    doc: (r, b) => [
      `- \`reviews\` is bound to \`reviews-svc-waypoint\` (${r.row(ZS, 'default', 'reviews')}; \`istioctl ztunnel-config\` read ztunnel \`ztunnel-9f46c\` on server-0).`,
      `- ztunnel \`ztunnel-8j9n9\` on agent-0 logged connections from \`notsleep\` to \`dst.service="reviews.default.svc.cluster.local"\` that went straight to the reviews-v1 pod: \`dst.addr=10.42.0.10:9080 ... dst.workload="reviews-v1-hx6qnjj2mw-pl52c"\` (${r.line(ZT_AGENT, 'dst.addr=10.42.0.10:9080')} onwards): not to the waypoint's \`10.42.0.16:15008\`, and in plaintext. reviews-v1's ztunnel received them without a peer identity (${r.line(ZT_SERVER, 'dst.addr=10.42.0.10:9080')}). The bundle cannot show why that ztunnel routed them so (only \`ztunnel-9f46c\`'s tables were captured): the log lines are the proof.`,
      `- The reviews waypoint never saw these requests (its log has no \`/reviews/2\`; ${r.count(logOf(b, 'reviews-svc-waypoint'), '/reviews/2')} lines): any L7 policy or route on reviews is skipped for this client. notsleep is captured (${r.row(ZW, 'default', NOTSLEEP)}); nothing but the ztunnel log shows the bypass.`,
    ],
  },
];
