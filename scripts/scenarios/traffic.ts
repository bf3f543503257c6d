/**
 * Requests clients made in the capture window, followed hop by hop through the cluster as its objects and
 * ztunnel's tables describe it: the client's ztunnel (service waypoint, `NA`, no healthy waypoint, direct), the
 * waypoint (filter chain, RBAC of targetRefs policies, routes, endpoints), the destination's ztunnel (policies
 * without targetRefs, which see the waypoint's identity) and the Bookinfo app (productpage calls details and
 * reviews, reviews v2/v3 call ratings). Each hop writes the line its proxy logs, so waypoint and ztunnel logs
 * always tell the same story as the objects.
 */
import type { K } from './serializers.js';
import type { Bundle } from './bundle.js';
import { digest, uuid } from './bundle.js';
import {
  GATEWAY_NAME, captured, endpoints, fqdn, podByIp, podByName, podIdentity, podReady, podsOf, principal, rbacVerdict, servedBy, subsetsOf,
  waypointPolicies, workloadRow, ztunnelOn, ztunnelPolicies,
} from './cluster.js';
import { type RouteModel, routesFor, vipCluster } from './routes.js';
import { type Access, type Conn, type LogLine, accessLine, connLine } from './proxy-logs.js';

export interface Call {
  /** When the client sends it (RFC 3339 with milliseconds). */
  at: string;
  from: string;
  fromNs?: string;
  /** A Service name (in `toNs`, default `default`) or a pod IP. */
  to: string;
  toNs?: string;
  port: number;
  method?: string;
  path: string;
  ua: string;
  /** The pod that serves it, when the Service has several endpoints. */
  endpoint?: string;
  /** The request carries a JWT of this principal. */
  requestPrincipal?: string;
  /**
   * The client's ztunnel routes it as if the Service had no waypoint and sends plaintext to the pod
   * (WP044: a ztunnel acting on a view of the cluster that istioctl did not show).
   */
  bypass?: boolean;
}

/** A pod that refused connections for a while (a restarting container). */
export interface Outage {
  namespace: string;
  pod: string;
  from: string;
  to: string;
}

interface Result {
  /** 0: the connection was reset or refused. */
  code: number;
  body: number;
  /** Milliseconds the client waited. */
  total: number;
}

const RESP_HEADERS: Record<string, number> = { productpage: 104, details: 180, reviews: 143, ratings: 166 };
const LOCAL_REPLY_HEADERS = 168;
const ENVOY_ADDED = 1127;
const UF_BODY = 'upstream connect error or disconnect/reset before headers. reset reason: connection termination'.length;
const URX_BODY = 'upstream connect error or disconnect/reset before headers. reset reason: connection failure'.length;
const isIp = (s: string) => /^\d+\.\d+\.\d+\.\d+$/.test(s);

/** The base traffic: sleep loads the product page every minute; twice, sleep calls the reviews-v2 pod by IP. */
export function baseTraffic(): Call[] {
  const calls: Call[] = [];
  for (let m = 32; m <= 38; m++) calls.push({ at: `2025-10-14T09:${m}:12.000Z`, from: 'sleep-5mfps72bwt-9ggt7', to: 'productpage', port: 9080, path: '/productpage', ua: 'curl/8.11.1' });
  for (const m of [35, 37]) calls.push({ at: `2025-10-14T09:${m}:41.000Z`, from: 'sleep-5mfps72bwt-9ggt7', to: '10.42.1.5', port: 9080, path: '/reviews/1', ua: 'curl/8.11.1' });
  return calls.sort((a, b) => (a.at < b.at ? -1 : 1));
}

export class Simulation {
  readonly lines = new Map<string, LogLine[]>();
  private n = 0;

  constructor(private readonly b: Bundle, private readonly accessLogs: boolean) {}

  private emit(file: string, t: number, text: string): void {
    const list = this.lines.get(file) ?? [];
    list.push({ t, text });
    this.lines.set(file, list);
  }

  private ztFile(pod: K): string | undefined {
    const zt = ztunnelOn(this.b, pod.spec.nodeName);
    return zt ? `logs/${zt.metadata.namespace}/${zt.metadata.name}.log` : undefined;
  }

  /** A connection line; ztunnel stamps microseconds, so each line gets a stable sub-millisecond offset. */
  private conn(pod: K, c: Conn): void {
    const file = this.ztFile(pod);
    if (!file) return;
    const end = c.end + (parseInt(digest(`us:${file}:${this.n++}`).slice(0, 4), 16) % 900) / 1000;
    this.emit(file, end, connLine({ ...c, end }, file));
  }

  private access(wp: K, a: Access, tcp = false): void {
    if (this.accessLogs) this.emit(`logs/${wp.metadata.namespace}/${wp.metadata.name}.log`, a.start + a.duration, accessLine(a, tcp));
  }

  private ephemeral(seed: string): number {
    return 32768 + (parseInt(digest(`port:${seed}:${this.n++}`).slice(0, 6), 16) % 28000);
  }

  private down(pod: K, t: number): boolean {
    return this.b.outages.some((o) => o.namespace === pod.metadata.namespace && o.pod === pod.metadata.name && Date.parse(o.from) <= t && t < Date.parse(o.to));
  }

  run(c: Call, t: number, requestId = uuid(`request:${c.from}:${c.at}:${c.path}`)): Result {
    const b = this.b;
    const src = podByName(b, c.fromNs ?? 'default', c.from);
    if (!src) throw new Error(`traffic: no client pod ${c.from}`);
    const srcCaptured = captured(b, src);
    const self = { addr: `${src.status.podIP}:${this.ephemeral(c.from)}`, workload: src.metadata.name, namespace: src.metadata.namespace, identity: podIdentity(src) };
    const req = reqWire(c, src);
    if (isIp(c.to)) {
      const dst = podByIp(b, c.to);
      if (!dst) throw new Error(`traffic: no pod ${c.to}`);
      const wpName = workloadRow(b, dst)?.[4];
      const wp = wpName && wpName !== 'None' ? this.readyWaypointPod(dst.metadata.namespace, wpName) : undefined;
      if (srcCaptured && wp) return this.viaWaypoint(c, t, requestId, src, self, req, wp, { pod: dst });
      return this.direct(c, t, requestId, src, self, req, dst, undefined, c.port, srcCaptured, false);
    }
    const ns = c.toNs ?? 'default';
    const svc = b.get('services', ns, c.to);
    const host = fqdn(c.to, ns);
    const row = b.zs.rows.find((r) => r[0] === ns && r[1] === c.to);
    const vip = row ? row[2]! : svc.spec.clusterIP;
    const sp = (svc.spec.ports as K[]).find((p) => p.port === c.port);
    const targetPort = typeof sp?.targetPort === 'number' ? sp.targetPort : c.port;
    const pick = (eps: K[]) => eps.find((p) => p.metadata.name === c.endpoint) ?? eps[0];
    const eps = podsOf(b, ns, svc.spec.selector).filter(podReady).sort((x, y) => (x.metadata.name < y.metadata.name ? -1 : 1));
    if (eps.length === 0 && ((row?.[3] ?? 'None') === 'None' || c.bypass || !srcCaptured)) {
      if (srcCaptured) this.conn(src, { end: t + 1, level: 'warn', failed: true, src: self, dst: { addr: `${vip}:${c.port}` }, direction: 'outbound', sent: 0, recv: 0, duration: 0, error: `no healthy upstream: ${vip}:${c.port}` });
      return { code: 0, body: 0, total: 1 };
    }
    if (!srcCaptured || c.bypass) return this.direct(c, t, requestId, src, self, req, pick(eps), host, targetPort, srcCaptured, !!c.bypass);
    if (vip === '' || vip === 'None') {
      // Headless: the client resolved a pod IP; the Service's waypoint is not on that path.
      const dst = pick(eps);
      return this.run({ ...c, to: dst.status.podIP, port: targetPort }, t, requestId);
    }
    const wpName = row?.[3] ?? 'None';
    if (wpName === 'NA') {
      const bound = /waypoint (\S+)\/(\S+)$/.exec(svc.status?.conditions?.[0]?.message ?? '');
      const wpHost = bound ? fqdn(bound[2]!, bound[1]!) : wpName;
      this.conn(src, { end: t + 1, level: 'warn', failed: true, src: self, dst: { addr: `${vip}:${c.port}` }, direction: 'outbound', sent: 0, recv: 0, duration: 0, error: `unknown waypoint: waypoint ${wpHost} not found` });
      return { code: 0, body: 0, total: 1 };
    }
    if (wpName === 'None') return this.direct(c, t, requestId, src, self, req, pick(eps), host, targetPort, true, false);
    const wpSvc = b.items('services').find((s) => s.metadata.name === wpName);
    const wpPods = wpSvc ? podsOf(b, wpSvc.metadata.namespace, wpSvc.spec.selector) : [];
    const wp = wpPods.find(podReady);
    if (!wp) {
      this.conn(src, { end: t + 1, level: 'warn', failed: true, src: self, dst: { addr: `${vip}:${c.port}` }, direction: 'outbound', sent: 0, recv: 0, duration: 0, error: `no healthy upstream: ${wpSvc?.spec.clusterIP}:15008` });
      return { code: 0, body: 0, total: 1 };
    }
    const dstInfo = { addr: `${wp.status.podIP}:15008`, hbone: `${vip}:${c.port}`, service: host, workload: wp.metadata.name, namespace: wp.metadata.namespace, identity: podIdentity(wp) };
    if (wp.metadata.labels['gateway.networking.k8s.io/gateway-class-name'] !== 'istio-waypoint') {
      // An Envoy that is not a waypoint has no HBONE listener.
      this.conn(src, { end: t + 1, level: 'error', src: self, dst: dstInfo, direction: 'outbound', sent: 0, recv: 0, duration: 0, error: 'io error: Connection refused (os error 111)' });
      return { code: 0, body: 0, total: 1 };
    }
    return this.viaWaypoint(c, t, requestId, src, self, req, wp, { svc, host, vip });
  }

  private readyWaypointPod(ns: string, gw: string): K | undefined {
    return this.b.items('pods').find((p) => p.metadata.namespace === ns && p.metadata.labels?.[GATEWAY_NAME] === gw && podReady(p));
  }

  /** Straight to the pod: HBONE between ztunnels (or plaintext), the destination ztunnel enforcing its policies. */
  private direct(c: Call, t: number, id: string, src: K, self: Conn['src'], req: number, dst: K, host: string | undefined, port: number, srcCaptured: boolean, plaintext: boolean): Result {
    const hbone = captured(this.b, dst) && !plaintext;
    const dstInfo = {
      addr: hbone ? `${dst.status.podIP}:15008` : `${dst.status.podIP}:${port}`, ...(hbone ? { hbone: `${dst.status.podIP}:${port}` } : {}),
      ...(host ? { service: host } : {}), workload: dst.metadata.name, namespace: dst.metadata.namespace, ...(hbone ? { identity: podIdentity(dst) } : {}),
    };
    if (hbone) {
      const verdict = rbacVerdict(ztunnelPolicies(this.b, dst), { principal: principal(src.metadata.namespace, src.spec.serviceAccountName), namespace: src.metadata.namespace }, true);
      if (verdict) {
        this.conn(dst, { end: t + 1, level: 'error', src: self, dst: dstInfo, direction: 'inbound', sent: 0, recv: 0, duration: 0, error: rejection(verdict.by) });
        if (srcCaptured) this.conn(src, { end: t + 1.2, level: 'error', src: self, dst: dstInfo, direction: 'outbound', sent: 0, recv: 0, duration: 1, error: 'http status: 401 Unauthorized' });
        return { code: 0, body: 0, total: 1 };
      }
    }
    const r = this.serve(dst, c, t + 1, id);
    const resp = r.body + (RESP_HEADERS[dst.metadata.labels.app] ?? LOCAL_REPLY_HEADERS);
    if (captured(this.b, dst)) {
      const inSrc = plaintext ? { addr: self.addr, workload: self.workload, namespace: self.namespace } : self;
      this.conn(dst, { end: t + 1 + r.D, level: 'info', src: inSrc, dst: dstInfo, direction: 'inbound', sent: resp, recv: req, duration: r.D });
    }
    if (srcCaptured) this.conn(src, { end: t + 2 + r.D, level: 'info', src: self, dst: dstInfo, direction: 'outbound', sent: req, recv: resp, duration: r.D + 2 });
    return { code: r.code, body: r.body, total: r.D + 2 };
  }

  private viaWaypoint(c: Call, t: number, id: string, src: K, self: Conn['src'], req: number, wp: K, target: { svc?: K; host?: string; vip?: string; pod?: K }): Result {
    const b = this.b;
    const gw = b.get('gateways', wp.metadata.namespace, wp.metadata.labels[GATEWAY_NAME]);
    const method = c.method ?? 'GET';
    const local = target.pod ? `${target.pod.status.podIP}:${c.port}` : `${target.vip}:${c.port}`;
    const dstInfo = { addr: `${wp.status.podIP}:15008`, hbone: local, ...(target.host ? { service: target.host } : {}), workload: wp.metadata.name, namespace: wp.metadata.namespace, identity: podIdentity(wp) };
    const out = (end: number, recv: number, duration: number) => this.conn(src, { end, level: 'info', src: self, dst: dstInfo, direction: 'outbound', sent: req, recv, duration });
    const tw = t + 1;
    const base: Omit<Access, 'code' | 'flags' | 'details' | 'sent' | 'duration' | 'upstreamTime' | 'upstreamHost' | 'cluster' | 'upstreamLocal' | 'route'> = {
      start: tw, method, path: c.path, protocol: 'HTTP/1.1', received: 0, ua: c.ua, requestId: id,
      authority: isIp(c.to) ? `${c.to}:${c.port}` : `${c.to}:${c.port}`, downstreamLocal: local, downstreamRemote: self.addr,
    };
    let served = undefined as ReturnType<typeof servedBy>[number] | undefined;
    let proto = 'http';
    let targetPort = c.port;
    if (target.svc) {
      served = servedBy(b, gw.metadata.namespace, gw.metadata.name).find((s) => s.host === target.host);
      const p = served?.ports.find((x) => x.port === c.port);
      if (!served || !p) {
        this.access(wp, { ...base, code: 0, flags: 'NR', details: 'filter_chain_not_found', received: 0, sent: 0, duration: 0, upstreamTime: undefined, upstreamHost: '-', cluster: '-', upstreamLocal: '-', route: '-' }, true);
        out(t + 2, 0, 1);
        return { code: 0, body: 0, total: 2 };
      }
      proto = p.protocol === 'tcp' ? 'tcp' : 'http';
      targetPort = p.targetPort;
    }
    const peer = {
      principal: principal(src.metadata.namespace, src.spec.serviceAccountName), namespace: src.metadata.namespace, method, path: c.path,
      ...(this.jwtAt(gw, served) && c.requestPrincipal ? { requestPrincipal: c.requestPrincipal } : {}),
    };
    const routes: RouteModel[] = !served ? [{ name: 'default', clusters: [{ cluster: 'encap', weight: 100 }], gatewaySemantics: false }]
      : proto === 'tcp' ? [{ name: '-', clusters: [{ cluster: vipCluster(c.port, served.host, 'tcp'), weight: 100, service: served }], gatewaySemantics: false }]
        : routesFor(b, gw, served, c.port);
    const route = routes[0]!;
    const weighted = route.clusters.filter((x) => x.weight > 0);
    const total = weighted.reduce((s, x) => s + x.weight, 0);
    let roll = parseInt(digest(`route:${id}:${target.host ?? ''}`).slice(0, 8), 16) % total;
    const chosen = weighted.find((x) => (roll -= x.weight) < 0) ?? weighted[0]!;
    const local_ = (code: number, flags: string, details: string, body: number) => {
      this.access(wp, { ...base, code, flags, details, sent: body, duration: 0, upstreamTime: undefined, upstreamHost: '-', cluster: chosen.cluster, upstreamLocal: '-', route: code === 403 ? '-' : route.name || '-' });
      out(t + 2, body + LOCAL_REPLY_HEADERS, 1);
      return { code, body, total: 2 };
    };
    if (proto === 'http') {
      const verdict = rbacVerdict(waypointPolicies(b, gw, served), peer, false);
      if (verdict) return local_(403, '-', `rbac_access_denied_matched_policy[${verdict.by}]`, 19);
      if (chosen.cluster.startsWith('outbound|') && !chosen.service) return local_(route.gatewaySemantics ? 500 : 503, 'NC', 'cluster_not_found', 0);
    }
    const subset = chosen.subset && served ? subsetsOf(b, served).find((s) => s.name === chosen.subset) : undefined;
    const eps = target.pod ? [target.pod] : endpoints(b, chosen.service ?? served!, subset?.labels);
    if (eps.length === 0) return local_(503, 'UH', 'no_healthy_upstream', 19);
    const ep = eps.find((p) => p.metadata.name === c.endpoint) ?? eps[0]!;
    const hop = this.toPod(wp, ep, target.host, targetPort, tw, c, id, req);
    const upstreamHost = captured(b, ep) ? `envoy://connect_originate/${ep.status.podIP}:${targetPort}` : `${ep.status.podIP}:${targetPort}`;
    const upstreamLocal = captured(b, ep) ? 'envoy://internal_client_address/' : `${wp.status.podIP}:${this.ephemeral(wp.metadata.name)}`;
    const common = { upstreamHost, cluster: chosen.cluster, upstreamLocal, route: proto === 'tcp' ? '-' : route.name || '-' };
    if (hop.kind === 'rejected') {
      this.access(wp, { ...base, ...common, code: 503, flags: 'UF', details: 'upstream_reset_before_response_started{connection_termination}', sent: UF_BODY, duration: 1, upstreamTime: undefined }, proto === 'tcp');
      out(t + 3, UF_BODY + LOCAL_REPLY_HEADERS, 2);
      return { code: 503, body: UF_BODY, total: 3 };
    }
    if (hop.kind === 'refused') {
      this.access(wp, { ...base, ...common, code: 503, flags: 'UF,URX', details: 'upstream_reset_before_response_started{connection_failure}', sent: URX_BODY, duration: hop.D, upstreamTime: undefined });
      out(t + 2 + hop.D, URX_BODY + LOCAL_REPLY_HEADERS, hop.D + 1);
      return { code: 503, body: URX_BODY, total: hop.D + 2 };
    }
    const resp = hop.body + (RESP_HEADERS[ep.metadata.labels.app] ?? LOCAL_REPLY_HEADERS);
    this.access(wp, { ...base, ...common, code: hop.code, flags: '-', details: 'via_upstream', received: proto === 'tcp' ? req : 0, sent: proto === 'tcp' ? resp : hop.body, duration: hop.D + 2, upstreamTime: hop.D + 1 }, proto === 'tcp');
    out(t + 4 + hop.D, resp, hop.D + 4);
    return { code: hop.code, body: hop.body, total: hop.D + 4 };
  }

  /** RequestAuthentication reaches a waypoint only through targetRefs (its Gateway or the Service). */
  private jwtAt(gw: K, served: { kind: string; name: string } | undefined): boolean {
    return this.b.items('requestauthentications').some((ra) => (ra.spec.targetRefs ?? []).some((t: K) =>
      (t.kind === 'Gateway' && t.name === gw.metadata.name) || (served && t.kind === served.kind && t.name === served.name)));
  }

  /** The waypoint's HBONE connection to the destination pod, through the destination node's ztunnel. */
  private toPod(wp: K, pod: K, host: string | undefined, port: number, t: number, c: Call, id: string, req: number):
    { kind: 'ok'; code: number; body: number; D: number } | { kind: 'rejected' } | { kind: 'refused'; D: number } {
    const self = { addr: `${wp.status.podIP}:${this.ephemeral(wp.metadata.name)}`, workload: wp.metadata.name, namespace: wp.metadata.namespace, identity: podIdentity(wp) };
    const dstInfo = { addr: `${pod.status.podIP}:15008`, hbone: `${pod.status.podIP}:${port}`, ...(host ? { service: host } : {}), workload: pod.metadata.name, namespace: pod.metadata.namespace, identity: podIdentity(pod) };
    if (!captured(this.b, pod)) {
      const r = this.serve(pod, c, t + 1, id);
      return { kind: 'ok', code: r.code, body: r.body, D: r.D + 1 };
    }
    const verdict = rbacVerdict(ztunnelPolicies(this.b, pod), { principal: principal(wp.metadata.namespace, wp.spec.serviceAccountName), namespace: wp.metadata.namespace }, true);
    if (verdict) {
      this.conn(pod, { end: t + 1, level: 'error', src: self, dst: dstInfo, direction: 'inbound', sent: 0, recv: 0, duration: 0, error: rejection(verdict.by) });
      return { kind: 'rejected' };
    }
    if (this.down(pod, t)) {
      // Refused, then Envoy's two retries (retry_on connect-failure).
      for (let i = 0; i < 3; i++) this.conn(pod, { end: t + 1 + i * 26, level: 'error', src: { ...self, addr: `${wp.status.podIP}:${this.ephemeral(wp.metadata.name)}` }, dst: dstInfo, direction: 'inbound', sent: 0, recv: 0, duration: 0, error: 'io error: Connection refused (os error 111)' });
      return { kind: 'refused', D: 3 * 26 };
    }
    const r = this.serve(pod, c, t + 1, id);
    const resp = r.body + (RESP_HEADERS[pod.metadata.labels.app] ?? LOCAL_REPLY_HEADERS);
    this.conn(pod, { end: t + 1 + r.D, level: 'info', src: self, dst: dstInfo, direction: 'inbound', sent: resp, recv: req + ENVOY_ADDED, duration: r.D });
    return { kind: 'ok', code: r.code, body: r.body, D: r.D + 1 };
  }

  /** The Bookinfo apps: what each answers, after the calls it makes itself. */
  private serve(pod: K, c: Call, t: number, id: string): { code: number; body: number; D: number } {
    const app = pod.metadata.labels.app;
    // Bookinfo forwards the caller's Authorization header (and tracing headers) on its own calls.
    const from = { from: pod.metadata.name, fromNs: pod.metadata.namespace, port: 9080, ...(c.requestPrincipal ? { requestPrincipal: c.requestPrincipal } : {}) };
    if (app === 'productpage') {
      if (c.path !== '/productpage') return { code: 200, body: 1683, D: 3 };
      let at = t + 9;
      const d = this.run({ ...from, at: iso(at), to: 'details', path: '/details/0', ua: 'python-requests/2.31.0' }, at, id);
      at += d.total + 3;
      const reviews = podsOf(this.b, pod.metadata.namespace, { app: 'reviews' }).filter(podReady).sort((x, y) => (x.metadata.name < y.metadata.name ? -1 : 1));
      const endpoint = reviews[new Date(t).getUTCMinutes() % Math.max(1, reviews.length)]?.metadata.name;
      const r = this.run({ ...from, at: iso(at), to: 'reviews', path: '/reviews/0', ua: 'python-requests/2.31.0', ...(endpoint ? { endpoint } : {}) }, at, id);
      at += r.total + 10;
      return { code: 200, body: 3972 + (d.code === 200 ? 322 : 152) + (r.code === 200 ? r.body + 600 : 0), D: Math.round(at - t) };
    }
    if (app === 'details') return { code: 200, body: 178, D: 2 };
    if (app === 'ratings') return { code: 200, body: 48, D: 1 };
    if (app === 'reviews') {
      if (pod.metadata.labels.version === 'v1') return { code: 200, body: 295, D: 14 };
      const at = t + 6;
      const r = this.run({ ...from, at: iso(at), to: 'ratings', path: '/ratings/0', ua: 'Apache-CXF/3.1.18' }, at, id);
      return { code: 200, body: r.code === 200 ? (pod.metadata.labels.version === 'v2' ? 465 : 635) : 363, D: Math.round(6 + r.total + 8) };
    }
    return { code: 200, body: 0, D: 1 };
  }
}

const iso = (t: number) => new Date(Math.round(t)).toISOString();

function rejection(by: string): string {
  return by === 'none'
    ? 'connection closed due to policy rejection: allow policies exist, but none allowed'
    : `connection closed due to policy rejection: explicitly denied by: ${by}`;
}

/** Request bytes on the wire: request line and headers (the apps forward tracing headers). */
function reqWire(c: Call, src: K): number {
  const app = src.metadata.labels.app;
  return (c.method ?? 'GET').length + c.path.length + `${c.to}:${c.port}`.length + c.ua.length + 42 + (app === 'productpage' ? 124 : app === 'reviews' ? 93 : 0);
}
