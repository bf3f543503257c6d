/**
 * The logs of a generated cluster: per waypoint pod, pilot-agent's start then about 1,000 Envoy access lines in
 * Istio's default text format (09:32-09:38, callers from the Service's own namespace, as its policy allows), and
 * for the captured ztunnels their start, xDS updates and the `access` lines of the same requests (outbound at the
 * caller's node, through the waypoint; inbound at the backend's node, from the waypoint's identity). The line
 * formats come from the scenario generator's proxy-logs.ts. A planted bypass adds connections that go straight
 * from a client to a backend pod.
 */
import { type Conn, type LogLine, accessLine, connLine, waypointStart, ztunnelStart } from '../scenarios/proxy-logs.js';
import { fqdn, type KubeObject } from './kube.js';
import type { Plan, PodRef, Service, Waypoint } from './plan.js';
import { rngFor } from './random.js';

export const ACCESS_LINES = 1000;
const WINDOW_START = Date.parse('2025-10-14T09:32:00Z');
const WINDOW_MS = 6 * 60 * 1000;
const UAS = ['Go-http-client/1.1', 'okhttp/4.12.0', 'python-requests/2.31.0', 'axios/1.7.7', 'Java-http-client/21.0.4'];
const PATHS = ['/api/v1/items', '/api/v1/items/{id}', '/api/v1/status', '/v2/orders/{id}', '/healthz', '/api/v1/search?q={id}'];

const text = (lines: LogLine[]): string => lines.sort((x, y) => x.t - y.t).map((l) => l.text).join('\n') + '\n';
const spiffe = (ns: string, sa: string) => `spiffe://cluster.local/ns/${ns}/sa/${sa}`;

/** ztunnel lines of the captured ztunnels, by ztunnel pod name, filled while the waypoint logs are written. */
export type ZtunnelLines = Map<string, LogLine[]>;

function clientsOf(s: Service): PodRef[] {
  const same = s.ns.services.filter((x) => x !== s).flatMap((x) => x.pods);
  return same.length > 0 ? same : s.pods;
}

/** `kubectl logs <waypoint pod> -c istio-proxy`: start lines, then the access lines of the requests it served. */
export function waypointLog(plan: Plan, wp: Waypoint, pod: KubeObject, zt: ZtunnelLines): string {
  const rng = rngFor(plan.opts.seed, `traffic:${wp.index}`);
  const lines: LogLine[] = waypointStart(pod);
  const served = wp.services.filter((s) => s !== plan.plants.missingFromDump && s.pods.length > 0);
  const loggedOn = new Map(plan.loggedZtunnels.map((z) => [z.node.name, z.name]));
  const wpIdentity = spiffe(wp.ns.name, wp.name);
  for (let i = 0; i < ACCESS_LINES && served.length > 0; i++) {
    const s = served[rng.int(served.length)]!;
    const port = rng.chance(0.8) ? s.ports[0]! : rng.pick(s.ports);
    const tcp = port.name.startsWith('tcp');
    const grpc = port.name === 'grpc';
    const backend = s.pods[rng.int(s.pods.length)]!;
    const client = rng.pick(clientsOf(s));
    const start = WINDOW_START + Math.floor((i * WINDOW_MS) / ACCESS_LINES) + rng.int(WINDOW_MS / ACCESS_LINES);
    const post = grpc || rng.chance(0.25);
    const code = grpc ? 200 : rng.chance(0.02) ? 404 : post ? 201 : 200;
    const duration = rng.between(1, rng.chance(0.05) ? 900 : 60);
    const host = fqdn(s.name, s.ns.name);
    const received = post ? rng.between(80, 2400) : 0;
    const sent = code === 404 ? 19 : rng.between(40, 12000);
    const path = grpc ? `/${s.name.replace(/-/g, '.')}.v1.Service/${rng.pick(['Get', 'List', 'Update', 'Watch'])}` : rng.pick(PATHS).replace('{id}', String(rng.int(100000)));
    const route = s.route && port.port === 80 ? `${s.ns.name}.${s.name}-route.0` : 'default';
    const clientPort = 32768 + rng.int(28000);
    lines.push({
      t: start + duration,
      text: accessLine({
        start, method: post ? 'POST' : 'GET', path, protocol: grpc ? 'HTTP/2' : 'HTTP/1.1', code, flags: '-', details: 'via_upstream', received, sent, duration,
        upstreamTime: duration > 1 ? duration - 1 : 1, ua: grpc ? 'grpc-go/1.64.0' : rng.pick(UAS), requestId: rng.uuid(), authority: `${s.name}.${s.ns.name}:${port.port}`,
        upstreamHost: `envoy://connect_originate/${backend.ip}:${port.targetPort}`, cluster: `inbound-vip|${port.port}|${tcp ? 'tcp' : 'http'}|${host}`,
        upstreamLocal: 'envoy://internal_client_address/', downstreamLocal: `${s.vip}:${port.port}`, downstreamRemote: `${client.ip}:${clientPort}`, route: tcp ? '-' : route,
      }, tcp),
    });
    const end = start + duration + 1 + rng.int(900) / 1000;
    const outbound = loggedOn.get(client.node.name);
    if (outbound) {
      push(zt, outbound, end + 1, {
        end: end + 1, level: 'info', direction: 'outbound', sent: received + 210, recv: sent + 300, duration: duration + 2,
        src: { addr: `${client.ip}:${32768 + rng.int(28000)}`, workload: client.name, namespace: client.namespace, identity: spiffe(client.namespace, serviceOf(client)) },
        dst: { addr: `${wp.pod.ip}:15008`, hbone: `${s.vip}:${port.port}`, service: host, workload: wp.pod.name, namespace: wp.ns.name, identity: wpIdentity },
      });
    }
    const inbound = loggedOn.get(backend.node.name);
    if (inbound) {
      push(zt, inbound, end, {
        end, level: 'info', direction: 'inbound', sent: sent + 280, recv: received + 1130, duration: Math.max(1, duration - 1),
        src: { addr: `${wp.pod.ip}:${32768 + rng.int(28000)}`, workload: wp.pod.name, namespace: wp.ns.name, identity: wpIdentity },
        dst: { addr: `${backend.ip}:15008`, hbone: `${backend.ip}:${port.targetPort}`, service: host, workload: backend.name, namespace: backend.namespace, identity: spiffe(backend.namespace, s.name) },
      });
    }
  }
  return text(lines);
}

function push(zt: ZtunnelLines, ztunnel: string, t: number, c: Conn): void {
  const list = zt.get(ztunnel) ?? [];
  list.push({ t, text: connLine(c, `${ztunnel}:${list.length}`) });
  zt.set(ztunnel, list);
}

/** Service accounts are named after their app. */
function serviceOf(pod: PodRef): string {
  return pod.name.replace(/-[a-z0-9]{10}-[a-z0-9]{5}$/, '');
}

/** A planted bypass: the client's ztunnel sends its calls straight to a backend pod, in plaintext. */
export function bypassLines(plan: Plan, zt: ZtunnelLines): void {
  const plant = plan.plants.bypass;
  if (!plant) return;
  const { client, service: s } = plant;
  const ztunnel = plan.loggedZtunnels.find((z) => z.node === client.node)!;
  const rng = rngFor(plan.opts.seed, 'bypass');
  for (let i = 0; i < 6; i++) {
    const backend = s.pods[i % s.pods.length]!;
    const end = WINDOW_START + 30_000 + i * 60_000 + rng.int(900) / 1000;
    push(zt, ztunnel.name, end, {
      end, level: 'info', direction: 'outbound', sent: 78, recv: rng.between(200, 4000), duration: rng.between(3, 30),
      src: { addr: `${client.ip}:${32768 + rng.int(28000)}`, workload: client.name, namespace: client.namespace, identity: spiffe(client.namespace, serviceOf(client)) },
      dst: { addr: `${backend.ip}:${s.ports[0]!.targetPort}`, service: fqdn(s.name, s.ns.name), workload: backend.name, namespace: backend.namespace },
    });
  }
}

/** `kubectl logs <ztunnel> -c istio-proxy`: start, the xDS updates as apps and waypoints were deployed, connections. */
export function ztunnelLog(plan: Plan, pod: KubeObject, lines: LogLine[]): string {
  const pushes = plan.namespaces.filter((_, i) => i % Math.max(1, Math.floor(plan.namespaces.length / 12)) === 0)
    .map((ns) => ({ at: ns.services[0]?.created ?? ns.created, addresses: ns.services.reduce((n, s) => n + s.pods.length + 1, 0) }));
  for (const wp of plan.waypoints.filter((_, i) => i % Math.max(1, Math.floor(plan.waypoints.length / 6)) === 0)) pushes.push({ at: wp.pod.ready, addresses: 2 });
  pushes.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return text([...ztunnelStart(pod, pushes), ...lines]);
}
