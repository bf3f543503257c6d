/**
 * Generates one bundle: the plan, then every file in the collector's layout, each produced as it is written
 * (Lists namespace by namespace, one object at a time), into a .tgz. Returns the sizes of what it wrote.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE, cmp } from '../scenarios/bundle.js';
import { envoyJson } from '../scenarios/serializers.js';
import { appDeployment, appPod, appService } from './apps.js';
import { waypointConfigDump } from './dump.js';
import { type Json, type KubeObject, ISTIO_VERSION } from './kube.js';
import { type ZtunnelLines, bypassLines, waypointLog, ztunnelLog } from './logs.js';
import { type Options, type Plan, type PodRef, type Waypoint, makePlan, plusSeconds } from './plan.js';
import { rngFor } from './random.js';
import { gatewayClasses, namespaceObjects, systemDeployments, systemPod, systemPods, systemServices } from './system.js';
import { analyzeText, kubectlVersion, proxyStatus, versionJson, versionText, ztunnelPolicies, ztunnelServices, ztunnelWorkloads } from './tables.js';
import { type WaypointObjects, gatewayPolicy, serviceRoute, servicePolicy, waypointObjects } from './waypoints.js';
import { BundleWriter, type Captured, jsonList, manifestJson, yamlList } from './writer.js';

export interface Generated {
  file: string;
  root: string;
  /** Uncompressed bytes of all files. */
  textBytes: number;
  files: Captured[];
  plan: Plan;
}

const STARTED = '2025-10-14T09:38:55Z';
const EMPTY_KINDS = ['grpcroutes', 'requestauthentications', 'serviceentries', 'workloadentries', 'destinationrules', 'virtualservices', 'telemetries'];
const RESOURCE: Record<string, string> = {
  gateways: 'gateways.gateway.networking.k8s.io', gatewayclasses: 'gatewayclasses.gateway.networking.k8s.io', httproutes: 'httproutes.gateway.networking.k8s.io',
  grpcroutes: 'grpcroutes.gateway.networking.k8s.io', authorizationpolicies: 'authorizationpolicies.security.istio.io',
  requestauthentications: 'requestauthentications.security.istio.io', serviceentries: 'serviceentries.networking.istio.io',
  workloadentries: 'workloadentries.networking.istio.io', destinationrules: 'destinationrules.networking.istio.io',
  virtualservices: 'virtualservices.networking.istio.io', telemetries: 'telemetries.telemetry.istio.io',
};

const byName = (a: KubeObject, b: KubeObject): number => cmp(a.metadata.name, b.metadata.name);

export async function generateBundle(opts: Options, out: string): Promise<Generated> {
  const plan = makePlan(opts);
  const seed = opts.seed;
  // eksctl's names: the collector puts the cluster's (made file-name safe) in the bundle's.
  const cluster = `${plan.cluster}.us-east-1.eksctl.io`;
  const root = `waypoint-bundle-${cluster}-${STARTED.replace(/[-:]/g, '')}`;
  const writer = new BundleWriter(out, root, new Date(plusSeconds(STARTED, 45)));
  const ext = opts.format;
  const asList = (items: Iterable<Json>) => (ext === 'yaml' ? yamlList(items) : jsonList(items));
  const took = (file: string, bytes = 0) => 40 + rngFor(seed, `took:${file}`).int(400) + Math.floor(bytes / 40_000);
  const add = async (path: string, content: string | Iterable<string>, ...argv: string[]) => {
    const bytes = await writer.add(path, content, argv, 0);
    writer.captured[writer.captured.length - 1]!.durationMs = took(path, bytes);
  };
  const get = (kind: string) => add(`kubectl/${kind}.${ext}`, asList(objectsOf(kind)), 'kubectl', 'get', RESOURCE[kind] ?? kind, '-A', '-o', ext);

  // Made again where needed rather than kept: at 1,000 waypoints they would hold a few hundred MB.
  const wpOf = (w: Waypoint): WaypointObjects => waypointObjects(w);
  const useWaypoint = (p: PodRef) => (plan.plants.podLabel?.service.pods.includes(p) ? plan.plants.podLabel.waypoint.name : undefined);
  const appNs = new Map(plan.namespaces.map((ns) => [ns.name, ns]));
  const sysPods = systemPods(plan);
  const allNs = [...new Set(['default', 'istio-system', 'kube-node-lease', 'kube-public', 'kube-system', ...appNs.keys()])].sort(cmp);

  /** One kind's objects, namespace by namespace, each namespace's objects by name. */
  function* objectsOf(kind: string): Generator<KubeObject> {
    if (kind === 'namespaces') return yield* namespaceObjects(seed, plan).sort(byName);
    if (kind === 'gatewayclasses') return yield* gatewayClasses();
    for (const name of allNs) yield* inNamespace(kind, name).sort(byName);
  }

  function inNamespace(kind: string, name: string): KubeObject[] {
    const ns = appNs.get(name);
    const wps = ns?.waypoints ?? [];
    const svcs = ns?.services ?? [];
    switch (kind) {
      case 'pods':
        return [
          ...(sysPods.get(name) ?? []).map((p) => systemPod(seed, p)),
          ...svcs.flatMap((s) => s.pods.map((p) => appPod(seed, s, p, useWaypoint(p)))),
          ...wps.map((w) => wpOf(w).pod),
        ];
      case 'services':
        return [...systemServices().filter((s) => s.metadata.namespace === name), ...svcs.map((s) => appService(seed, s)), ...wps.map((w) => wpOf(w).service)];
      case 'deployments':
        return [...systemDeployments().filter((d) => d.metadata.namespace === name), ...svcs.map((s) => appDeployment(seed, s)), ...wps.map((w) => wpOf(w).deployment)];
      case 'gateways':
        return wps.map((w) => wpOf(w).gateway);
      case 'authorizationpolicies':
        return [...svcs.filter((s) => s.policy && s.waypoint).map(servicePolicy), ...wps.filter((w) => w.gatewayPolicy).map(gatewayPolicy)];
      case 'httproutes':
        return svcs.filter((s) => s.route && s.waypoint).map((s) => serviceRoute(seed, s));
      default:
        return [];
    }
  }

  await add('kubectl/version.json', kubectlVersion(), 'kubectl', 'version', '-o', 'json');
  await add('istioctl/version.txt', versionText(plan), 'istioctl', 'version');
  await add('istioctl/version.json', versionJson(plan), 'istioctl', 'version', '-o', 'json');
  await add('istioctl/analyze.txt', analyzeText(plan), 'istioctl', 'analyze', '-A');
  await add('istioctl/proxy-status.txt', proxyStatus(plan), 'istioctl', 'proxy-status');
  for (const kind of ['namespaces', 'gateways', 'gatewayclasses', 'httproutes', 'authorizationpolicies', ...EMPTY_KINDS, 'services', 'deployments', 'pods']) await get(kind);
  await add('kubectl/configmap-istio.json', readFileSync(join(BASE, 'kubectl/configmap-istio.json'), 'utf8'), 'kubectl', 'get', 'configmap', 'istio', '-n', 'istio-system', '-o', 'json');
  await add('istioctl/ztunnel-config-workload.txt', ztunnelWorkloads(plan), 'istioctl', 'ztunnel-config', 'workload');
  await add('istioctl/ztunnel-config-service.txt', ztunnelServices(plan), 'istioctl', 'ztunnel-config', 'service');
  for (const z of plan.loggedZtunnels) await add(`ztunnel/istio-system/${z.name}/policy.txt`, ztunnelPolicies(), 'istioctl', 'ztunnel-config', 'policy', `${z.name}.istio-system`);

  const zt: ZtunnelLines = new Map();
  for (const w of plan.waypoints) {
    const o = wpOf(w);
    const served = w.services;
    const dump = waypointConfigDump(seed, {
      gateway: o.gateway, pod: o.pod,
      services: served.map((s) => appService(seed, s)),
      pods: served.flatMap((s) => s.pods.map((p) => appPod(seed, s, p, useWaypoint(p)))),
      policies: [...served.filter((s) => s.policy).map(servicePolicy), ...(w.gatewayPolicy ? [gatewayPolicy(w)] : [])],
      routes: served.filter((s) => s.route).map((s) => serviceRoute(seed, s)),
      ...(plan.plants.missingFromDump && served.includes(plan.plants.missingFromDump) ? { missing: plan.plants.missingFromDump.name } : {}),
    });
    await add(`config-dumps/${w.ns.name}/${w.pod.name}.json`, envoyJson(dump), 'istioctl', 'proxy-config', 'all', `${w.pod.name}.${w.ns.name}`, '-o', 'json');
    await add(`logs/${w.ns.name}/${w.pod.name}.log`, waypointLog(plan, w, o.pod, zt), 'kubectl', 'logs', w.pod.name, '-n', w.ns.name, '-c', 'istio-proxy', '--since=1h', '--tail=5000');
  }
  bypassLines(plan, zt);
  for (const z of plan.loggedZtunnels) {
    await add(`logs/istio-system/${z.name}.log`, ztunnelLog(plan, systemPod(seed, z), zt.get(z.name) ?? []), 'kubectl', 'logs', z.name, '-n', 'istio-system', '-c', 'istio-proxy', '--since=1h', '--tail=5000');
  }

  const seconds = writer.captured.reduce((n, c) => n + c.durationMs, 0) / 1000;
  await writer.close(manifestJson({
    startedAt: STARTED, finishedAt: plusSeconds(STARTED, Math.ceil(seconds) + 2), context: `admin@${cluster}`, cluster,
    versions: { istioctl: ISTIO_VERSION, istio: ISTIO_VERSION, kubectl: 'v1.30.14', kubernetes: 'v1.30.14-eks-3025e55' },
    namespaces: ['istio-system', ...[...appNs.keys()].sort(cmp)],
  }, writer.captured));
  return { file: out, root, textBytes: writer.textBytes, files: writer.captured, plan };
}
