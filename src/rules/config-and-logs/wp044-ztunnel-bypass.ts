import { workloadOfPod } from '../../model/known-waypoints.js';
import { isWaypointGateway } from '../../model/objects.js';
import { bindingKey, getObject, objectsOf, type ClusterSnapshot } from '../../model/snapshot.js';
import type { WaypointBinding } from '../../model/types.js';
import type { ZtunnelFlow } from '../../parse/types.js';
import { evidence, type Evidence, type Rule } from '../types.js';
import { waypointPodKeys } from './served.js';
import { fixOf, nsOf, sh } from '../shell.js';

/** A few failed connections are a blip (a waypoint pod restarting). */
const MIN_FAILURES = 3;

/** ztunnel errors about the waypoint hop (src/proxy.rs Error), with what each means. */
const WAYPOINT_ERRORS: { re: RegExp; what: string }[] = [
  { re: /maybe a NetworkPolicy is blocking HBONE port 15008/i, what: 'the connection to port 15008 timed out: a NetworkPolicy may block HBONE' },
  { re: /http status: \d+/i, what: 'the waypoint refused the HBONE CONNECT' },
  { re: /no healthy upstream/i, what: 'the waypoint has no healthy endpoint' },
];

export const wp044: Rule = {
  meta: {
    id: 'WP044',
    title: 'ztunnel\'s log shows traffic bypassing the waypoint, or failing on the way to it',
    severity: 'error',
    description:
      'A client\'s ztunnel logs each connection: one that goes through a waypoint names the waypoint pod as `dst.workload` ' +
      '(`dst.addr=<waypoint-ip>:15008`, `dst.hbone_addr=<service VIP>:<port>`). An outbound connection to a Service bound to a ' +
      'waypoint whose `dst.workload` is the backend pod itself went around the waypoint: its L7 routes and policies did not apply. ' +
      'Errors such as `unknown waypoint`, `http status: 503` or a timeout on 15008 show the waypoint hop failing.',
    detection:
      'Every outbound connection in the ztunnel logs (all lines counted), grouped by source, destination service and workload: ' +
      'reported when the destination Service is bound to a waypoint, and neither the source nor the destination workload is a ' +
      'waypoint pod. Failed connections to a waypoint pod are reported when they repeat (3 or more), with the errors the log holds.',
    fix: 'Find how the client reaches the Service without the waypoint (WP015-WP019): a client outside ambient, a sidecar, an ingress without ingress-use-waypoint, or the pod IP.',
    docs: 'https://istio.io/latest/docs/ambient/usage/troubleshoot-ztunnel/',
    needs: ['logs'],
  },
  check(snapshot, context) {
    // Flows name workloads without their namespace; pod names carry a unique suffix. A waypoint pod
    // replaced since (a rollout inside the log's window) is known by its Deployment's name.
    const waypointPods = new Set([...waypointPodKeys(snapshot)].map((k) => k.slice(k.indexOf('/') + 1)));
    const waypointNames = new Set(snapshot.waypoints.map((w) => w.name));
    const notWaypointClass = gatewayPodsOfOtherClasses(snapshot);
    const isWaypoint = (pod: string | undefined) => pod !== undefined && (waypointPods.has(pod) || waypointNames.has(workloadOfPod(pod) ?? ''));
    const bypasses = new Map<string, { binding: WaypointBinding; flows: ZtunnelFlow[] }>();
    const failures: { flow: ZtunnelFlow; texts: string[] }[] = [];
    for (const { log } of snapshot.podLogs) {
      const stats = log.ztunnelStats;
      if (!stats) continue;
      for (const flow of Object.values(stats.flows)) {
        if (flow.direction !== 'outbound' || !flow.dstService || !flow.dstWorkload) continue;
        const binding = boundService(snapshot, flow.dstService);
        if (!binding || isWaypoint(flow.srcWorkload) || isWaypoint(flow.dstWorkload)) continue;
        // Through a waypoint, the tunnel asks for the Service's VIP; straight to a pod, for the pod's IP.
        if (flow.hboneAddr && serviceVips(binding).includes(hostOf(flow.hboneAddr))) continue;
        if (binding.gateway && !isWaypointGateway(binding.gateway)) continue; // not a waypoint at all: WP012's
        const key = `${binding.subject.namespace}/${binding.subject.name}`;
        const entry = bypasses.get(key) ?? { binding, flows: [] };
        entry.flows.push(flow);
        bypasses.set(key, entry);
      }
      // Failures on the hop to a waypoint: outbound connections whose destination is a waypoint pod.
      const texts = Object.keys(stats.errors).filter((k) => WAYPOINT_ERRORS.some((e) => e.re.test(k)));
      for (const flow of Object.values(stats.flows)) {
        if (flow.direction !== 'outbound' || !isWaypoint(flow.dstWorkload) || flow.failed < MIN_FAILURES) continue;
        // A Gateway of another class used as a waypoint refuses HBONE by design: WP012 says so.
        if (notWaypointClass.has(flow.dstWorkload!)) continue;
        failures.push({ flow, texts });
      }
    }
    for (const { binding, flows } of bypasses.values()) {
      const s = binding.subject;
      const total = flows.reduce((n, f) => n + f.count, 0);
      const sources = [...new Set(flows.map((f) => f.srcWorkload ?? '?'))];
      const items: Evidence[] = flows.slice(0, 3).flatMap((f) => f.examples.slice(0, 1).map((e) => evidence(e, `${f.count} connection${f.count > 1 ? 's' : ''} from ${f.srcWorkload ?? '?'} straight to ${f.dstWorkload} (${f.dstAddr ?? '?'})`)));
      if (binding.request) items.push(evidence(binding.request.label, `${s.kind} ${s.namespace}/${s.name} is bound to waypoint ${binding.request.name}`));
      context.report({
        subject: { kind: s.kind, ...(s.namespace ? { namespace: s.namespace } : {}), name: s.name },
        message: `ztunnel logged ${total} connection${total > 1 ? 's' : ''} from ${sources.slice(0, 3).join(', ')}${sources.length > 3 ? '...' : ''} to ${s.kind} ${s.namespace}/${s.name} that went straight to its pods, not through waypoint ${binding.request?.name}: the waypoint's routes and policies did not apply to them.`,
        evidence: items,
        fix: fixOf('Make these clients go through the waypoint (enroll them in ambient, no sidecar, ingress-use-waypoint on ingress, call the Service not the pod IP), and add a "require waypoint" policy so a bypass is refused.', [
          sh`istioctl ztunnel-config workload`,
          sh`istioctl ztunnel-config service --namespace ${nsOf(s)}`,
        ]),
      });
    }
    for (const { flow, texts } of failures) {
      const meaning = texts.map((t) => `"${t}" (${WAYPOINT_ERRORS.find((e) => e.re.test(t))!.what})`);
      context.report({
        severity: 'warning',
        message: `ztunnel logged ${flow.failed} of ${flow.count} connections from ${flow.srcWorkload ?? '?'} to waypoint pod ${flow.dstWorkload} (for ${flow.dstService ?? 'a Service'}) failing${meaning.length ? `; errors in this log: ${meaning.join(', ')}` : ''}.`,
        evidence: flow.examples.map((x) => evidence(x, `${flow.srcWorkload ?? '?'} -> ${flow.dstWorkload}`)),
        fix: { text: 'Check the waypoint pods and Service, NetworkPolicies on port 15008, and the waypoint\'s own log for the same moments.' },
      });
    }
  },
};

/** The waypoint binding of the Service a `dst.service` names (`reviews.default.svc.cluster.local`), when bound. */
function boundService(snapshot: ClusterSnapshot, host: string): WaypointBinding | undefined {
  const m = /^([^.]+)\.([^.]+)\.svc(\.|$)/.exec(host);
  const binding = m ? snapshot.bindingOf.get(bindingKey({ kind: 'Service', namespace: m[2]!, name: m[1]! })) : undefined;
  return binding?.state === 'bound' ? binding : undefined;
}

function serviceVips(binding: WaypointBinding): string[] {
  const spec = binding.subject.spec;
  return [spec['clusterIP'], ...(Array.isArray(spec['clusterIPs']) ? spec['clusterIPs'] : [])].filter((v): v is string => typeof v === 'string');
}

/** `10.43.0.7:9080` and `[fd00::7]:9080` without the port. */
function hostOf(address: string): string {
  const m = /^\[(.*)\]:\d+$/.exec(address) ?? /^(.*):\d+$/.exec(address);
  return m ? m[1]! : address;
}

/** Pods of Gateways that are not waypoints (an ingress gateway named in use-waypoint), by name. */
function gatewayPodsOfOtherClasses(snapshot: ClusterSnapshot): Set<string> {
  const out = new Set<string>();
  for (const pod of objectsOf(snapshot, 'Pod')) {
    const name = pod.labels['gateway.networking.k8s.io/gateway-name'];
    const gateway = name ? getObject(snapshot, 'Gateway', pod.namespace, name) : undefined;
    if (gateway && !isWaypointGateway(gateway)) out.add(pod.name);
  }
  return out;
}
