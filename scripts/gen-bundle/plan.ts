/**
 * The shape of a generated cluster, decided once from the options: nodes, namespaces, Services and their pods,
 * waypoints and what each one serves, policies, routes, and where each planted fault lives. Everything else (the
 * objects, tables, dumps and logs) is written from this plan, so all files name the same pods, IPs and uids.
 * The plan holds a few small records per pod (about 100 bytes), never object text.
 */
import { APPS, ROLES, Rng, STAGES, TEAMS, rngFor } from './random.js';

export const PLANTS = ['missing-waypoint', 'not-synced', 'pod-waypoint-service-only', 'service-missing-from-dump', 'bypass'] as const;
export type Plant = (typeof PLANTS)[number];

export interface Options {
  pods: number;
  services: number;
  waypoints: number;
  seed: string;
  format: 'yaml' | 'json';
  plants: Plant[];
}

export interface Node {
  index: number;
  name: string;
  hostIp: string;
  /** Pod IPs handed out on this node so far. */
  used: number;
}

export type PodKind = 'app' | 'waypoint' | 'ztunnel' | 'cni' | 'istiod' | 'system';

export interface PodRef {
  name: string;
  namespace: string;
  node: Node;
  ip: string;
  created: string;
  ready: string;
  kind: PodKind;
}

export interface Port {
  name: string;
  port: number;
  targetPort: number;
  appProtocol?: string;
}

export interface Namespace {
  index: number;
  name: string;
  created: string;
  /** `istio.io/use-waypoint` of the namespace, when it has one. */
  useWaypoint?: string;
  services: Service[];
  waypoints: Waypoint[];
}

export interface Service {
  index: number;
  ns: Namespace;
  name: string;
  vip: string;
  ports: Port[];
  image: string;
  created: string;
  /** `kubectl rollout restart` time, when the Deployment was restarted (its pods are newer). */
  restartedAt?: string;
  hash: string;
  /** What its pod template has beyond the basics (real apps differ). */
  traits: { probes: boolean; hardened: boolean; metrics: boolean; downward: boolean; resources: boolean };
  pods: PodRef[];
  /** `istio.io/use-waypoint` of the Service itself. */
  label?: string;
  /** The waypoint istiod binds it to, and when. */
  waypoint?: Waypoint;
  boundAt?: string;
  /** An AuthorizationPolicy `<name>-viewer` targets it; an HTTPRoute `<name>-route` has it as parent. */
  policy: boolean;
  route: boolean;
}

export interface Waypoint {
  index: number;
  ns: Namespace;
  name: string;
  vip: string;
  created: string;
  pod: PodRef;
  /** `istio.io/waypoint-for` of the Gateway (none: service traffic, the default). */
  forLabel?: string;
  services: Service[];
  /** An AuthorizationPolicy on the Gateway itself (`<name>-deny-admin`). */
  gatewayPolicy: boolean;
}

export interface Plan {
  opts: Options;
  cluster: string;
  nodes: Node[];
  namespaces: Namespace[];
  services: Service[];
  waypoints: Waypoint[];
  ztunnels: PodRef[];
  /** istio-cni-node, one per node (host network: the node's IP). */
  cni: PodRef[];
  istiod: PodRef;
  /** coredns, local-path-provisioner, metrics-server. */
  system: PodRef[];
  /** ztunnels whose logs are captured (they carry the traffic of the waypoints' logs). */
  loggedZtunnels: PodRef[];
  plants: {
    missingWaypoint?: Service;
    stale?: Waypoint;
    podLabel?: { service: Service; waypoint: Waypoint };
    missingFromDump?: Service;
    bypass?: { client: PodRef; service: Service };
  };
}

const BASE = Date.parse('2025-10-14T09:00:00Z');
/** RFC 3339 (seconds) of `seconds` after 09:00 on the capture day. */
export const time = (seconds: number): string => new Date(BASE + Math.round(seconds) * 1000).toISOString().replace('.000Z', 'Z');
export const plusSeconds = (iso: string, seconds: number): string => new Date(Date.parse(iso) + seconds * 1000).toISOString().replace('.000Z', 'Z');

/** A unique ClusterIP in 10.96.0.0/12 for VIP number `k` (a bijection mod 2^20 that keeps clear of the first /24). */
function vip(k: number): string {
  const n = (((k + 1) * 40503) % 1048320) + 256;
  return `10.${96 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
}

function podIp(node: Node): string {
  const slot = node.used++;
  if (slot > 250) throw new Error(`node ${node.name} is full`);
  return `10.${64 + (node.index >> 8)}.${node.index & 255}.${slot + 2}`;
}

function uniqueName(taken: Set<string>, make: () => string): string {
  let name = make();
  for (let i = 2; taken.has(name); i++) name = `${make()}-${i}`;
  taken.add(name);
  return name;
}

export function makePlan(opts: Options): Plan {
  const rng = rngFor(opts.seed, 'plan');
  const nodeCount = Math.max(1, Math.ceil(opts.pods / 110));
  const nsCount = Math.max(1, Math.round(opts.pods / 100));
  const infra = 2 * nodeCount + 4 + opts.waypoints;
  if (opts.services < 1 || opts.services < nsCount) throw new Error(`--services must be at least the number of namespaces (${nsCount})`);
  if (opts.waypoints > opts.services) throw new Error('--waypoints must not exceed --services');
  if (opts.pods - infra < opts.services) throw new Error(`--pods ${opts.pods} leaves ${opts.pods - infra} app pods for ${opts.services} services`);
  const cluster = `${rng.pick(TEAMS)}-${rng.pick(STAGES)}-${rng.between(1, 9)}`;
  const nodes: Node[] = Array.from({ length: nodeCount }, (_, i) => {
    const hostIp = `10.128.${Math.floor(i / 250)}.${(i % 250) + 2}`;
    return { index: i, name: `ip-${hostIp.replace(/\./g, '-')}.ec2.internal`, hostIp, used: 0 };
  });
  const ready = (created: string, r: Rng) => plusSeconds(created, r.between(4, 18));
  const podOn = (node: Node, name: string, namespace: string, created: string, kind: PodKind, r: Rng): PodRef =>
    ({ name, namespace, node, ip: podIp(node), created, ready: ready(created, r), kind });

  const ztunnels = nodes.map((n) => podOn(n, `ztunnel-${rngFor(opts.seed, `zt:${n.index}`).safe(5)}`, 'istio-system', time(352), 'ztunnel', rng));
  const cni = nodes.map((n): PodRef => ({
    name: `istio-cni-node-${rngFor(opts.seed, `cni:${n.index}`).safe(5)}`, namespace: 'istio-system', node: n, ip: n.hostIp, created: time(351), ready: time(356), kind: 'cni',
  }));
  const istiod = podOn(nodes[0]!, 'istiod-nd49fnlq5d-mnsrx', 'istio-system', time(339), 'istiod', rng);
  const system = [
    podOn(nodes[0]!, 'coredns-78tnpkj82h-qrn72', 'kube-system', time(135), 'system', rng),
    podOn(nodes[0]!, 'local-path-provisioner-xq6pgdm2jj-fk7mk', 'kube-system', time(135), 'system', rng),
    podOn(nodes[nodes.length > 1 ? 1 : 0]!, 'metrics-server-nrk64l7zcj-vbzbf', 'kube-system', time(136), 'system', rng),
  ];

  // Namespaces, then Services spread evenly over them.
  const nsNames = new Set<string>(['default', 'istio-system', 'kube-system', 'kube-public', 'kube-node-lease']);
  const namespaces: Namespace[] = Array.from({ length: nsCount }, (_, i) => ({
    index: i, name: uniqueName(nsNames, () => `${rng.pick(TEAMS)}-${rng.pick(STAGES)}`), created: time(370 + i), services: [], waypoints: [],
  }));
  let vipCount = 0;
  const services: Service[] = [];
  for (let s = 0; s < opts.services; s++) {
    const ns = namespaces[Math.floor((s * nsCount) / opts.services)]!;
    const r = rngFor(opts.seed, `svc:${s}`);
    const taken = new Set(ns.services.map((x) => x.name));
    const name = uniqueName(taken, () => `${r.pick(APPS)}-${r.pick(ROLES)}`);
    const ports: Port[] = [{ name: 'http', port: 80, targetPort: 8080, ...(r.chance(0.3) ? { appProtocol: 'http' } : {}) }];
    if (r.chance(0.3)) ports.push({ name: 'grpc', port: 9090, targetPort: 9090, appProtocol: 'grpc' });
    if (r.chance(0.1)) ports.push({ name: 'tcp-admin', port: 9000, targetPort: 9000 });
    const created = time(420 + (s * 300) / opts.services);
    const svc: Service = {
      index: s, ns, name, vip: vip(vipCount++), ports, created, hash: r.safe(10), pods: [], policy: false, route: false,
      traits: { probes: r.chance(0.3), hardened: r.chance(0.3), metrics: r.chance(0.3), downward: r.chance(0.25), resources: r.chance(0.5) },
      image: `ghcr.io/${ns.name.split('-')[0]}/${name}:${r.between(1, 4)}.${r.between(0, 30)}.${r.between(0, 12)}`,
      ...(r.chance(0.1) ? { restartedAt: time(720 + r.int(300)) } : {}),
    };
    ns.services.push(svc);
    services.push(svc);
  }

  // Waypoints: the first in a namespace is `waypoint`, the others one per Service (`<service>-waypoint`).
  const waypoints: Waypoint[] = [];
  for (let w = 0; w < opts.waypoints; w++) {
    const ns = namespaces[Math.floor((w * nsCount) / opts.waypoints)]!;
    const j = ns.waypoints.length;
    const owner = j === 0 ? undefined : ns.services[(j - 1) % ns.services.length]!;
    const created = time(780 + (w * 420) / opts.waypoints);
    const node = nodes[(w * 13) % nodes.length]!;
    const name = owner ? `${owner.name}-waypoint` : 'waypoint';
    const wp: Waypoint = {
      index: w, ns, name, vip: vip(vipCount++), created, services: [], gatewayPolicy: w % 2 === 0,
      pod: podOn(node, `${name}-${rngFor(opts.seed, `wp:${w}`).safe(10)}-${rngFor(opts.seed, `wpp:${w}`).safe(5)}`, ns.name, plusSeconds(created, 1), 'waypoint', rng),
      ...(owner ? { forLabel: 'service' } : {}),
    };
    if (owner) owner.label = name;
    ns.waypoints.push(wp);
    waypoints.push(wp);
  }
  for (const ns of namespaces) {
    const main = ns.waypoints[0];
    if (!main) continue;
    // One namespace in eight sends everything to its waypoint; elsewhere one Service in ten opts in. (About 1,000 of
    // 5,000 Services bound: the issue's 190 MB benchmark bundle, whose 200 dumps are small next to pods and logs.)
    if (ns.index % 8 === 0) ns.useWaypoint = main.name;
    else for (const s of ns.services) if (!s.label && rngFor(opts.seed, `label:${s.index}`).chance(0.1)) s.label = main.name;
    for (const s of ns.services) {
      const wp = ns.waypoints.find((x) => x.name === (s.label ?? ns.useWaypoint));
      if (!wp) continue;
      s.waypoint = wp;
      s.boundAt = plusSeconds(wp.pod.ready, 2);
      wp.services.push(s);
    }
  }
  for (const wp of waypoints) {
    wp.services.forEach((s, i) => {
      s.policy = i % 3 === 0;
      s.route = i % 5 === 1;
    });
  }

  // App pods: what is left of --pods, spread over the Services and over the nodes.
  const appPods = opts.pods - infra;
  let p = 0;
  for (const s of services) {
    const replicas = Math.floor(appPods / opts.services) + (s.index < appPods % opts.services ? 1 : 0);
    const r = rngFor(opts.seed, `pods:${s.index}`);
    const created = s.restartedAt ? plusSeconds(s.restartedAt, 1) : plusSeconds(s.created, 1);
    for (let k = 0; k < replicas; k++, p++) {
      s.pods.push(podOn(nodes[(p * 7919) % nodes.length]!, `${s.name}-${s.hash}-${r.safe(5)}`, s.ns.name, created, 'app', r));
    }
  }

  const plan: Plan = { opts, cluster, nodes, namespaces, services, waypoints, ztunnels, cni, istiod, system, loggedZtunnels: ztunnels.slice(0, 3), plants: {} };
  applyPlants(plan, rng);
  return plan;
}

/** Where each planted fault goes: Services and waypoints chosen so that plants do not overlap. */
function applyPlants(plan: Plan, rng: Rng): void {
  const bound = plan.services.filter((s) => s.waypoint && !s.label?.endsWith('-waypoint') && s.pods.length > 0);
  const used = new Set<Service>();
  const pick = (why: string): Service => {
    const free = bound.filter((s) => !used.has(s));
    if (free.length === 0) throw new Error(`no Service left to plant ${why}`);
    const s = free[rng.int(free.length)]!;
    used.add(s);
    return s;
  };
  for (const plant of plan.opts.plants) {
    if (plant === 'missing-waypoint') {
      const s = pick(plant);
      s.waypoint!.services.splice(s.waypoint!.services.indexOf(s), 1);
      s.label = `${s.name}-wp`;
      s.policy = false;
      s.route = false;
      delete s.waypoint;
      plan.plants.missingWaypoint = s;
    } else if (plant === 'not-synced') {
      const busy = plan.waypoints.filter((w) => w.services.length > 0);
      plan.plants.stale = busy[rng.int(busy.length)]!;
    } else if (plant === 'pod-waypoint-service-only') {
      const s = pick(plant);
      plan.plants.podLabel = { service: s, waypoint: s.waypoint! };
    } else if (plant === 'service-missing-from-dump') {
      const s = pick(plant);
      s.policy = false;
      s.route = false;
      plan.plants.missingFromDump = s;
    } else if (plant === 'bypass') {
      const node = plan.loggedZtunnels[0]!.node;
      const service = pick(plant);
      const client = plan.services.flatMap((s) => s.pods).find((x) => x.node === node && x.namespace === service.ns.name && !service.pods.includes(x))
        ?? plan.services.flatMap((s) => s.pods).find((x) => x.node === node && !service.pods.includes(x));
      if (!client) throw new Error('no client pod for the bypass plant');
      plan.plants.bypass = { client, service };
    }
  }
}
