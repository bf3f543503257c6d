/**
 * `istioctl proxy-config all <pod>.<ns> -o json` of a generated waypoint. The filter chains of `main_internal`
 * (one per bound Service port, with its inline route and the RBAC of the policies attached) and its matcher come
 * from the scenario generator's envoy.ts, run over a small bundle holding only what this waypoint serves; the parts
 * that do not depend on what it serves (bootstrap, connect_terminate/connect_originate, fixed clusters) are taken
 * from the sample waypoint's dump and given this pod's identity, addresses and times. The workload certificate
 * is generated (certs.ts).
 */
import { BASE, Bundle, digest } from '../scenarios/bundle.js';
import { type Served, endpoints, servedBy } from '../scenarios/cluster.js';
import { type Ctx, at, chainMatcher, directChains, proxyStart, serviceChains } from '../scenarios/envoy.js';
import { waypointDump } from '../scenarios/envoy-dump.js';
import { vipCluster } from '../scenarios/routes.js';
import { clone } from '../scenarios/edits.js';
import { leafPem, subjectKeyId } from './certs.js';
import type { JsonObject, KubeObject } from './kube.js';
import { list, obj } from './system.js';

/** What one waypoint's config is made from: its objects and those of the Services istiod binds to it. */
export interface DumpInput {
  gateway: KubeObject;
  pod: KubeObject;
  services: KubeObject[];
  /** The pods behind those Services. */
  pods: KubeObject[];
  policies: KubeObject[];
  routes: KubeObject[];
  /** A bound Service the waypoint's config lacks (a config older than the binding). */
  missing?: string;
}

interface Template {
  dump: JsonObject;
  httpCluster: JsonObject;
  endpointConfig: JsonObject;
  rootPem: string;
}

let scratch: Bundle | undefined;
let template: Template | undefined;

/** The sample's namespace waypoint, dumped once; the bundle it came from is then reused as the small bundle. */
function base(): { b: Bundle; t: Template } {
  if (!scratch || !template) {
    const b = new Bundle(BASE);
    const gw: unknown = b.get('gateways', 'default', 'waypoint');
    const pod: unknown = b.items('pods').find((p) => p.metadata.name.startsWith('waypoint-'));
    const dump = waypointDump(b, gw, pod) as JsonObject;
    const configs = list(dump, 'configs');
    const host = 'productpage.default.svc.cluster.local';
    const httpCluster = list(configs[1]!, 'dynamic_active_clusters').find((c) => obj(c, 'cluster')['name'] === vipCluster(9080, host))!;
    const endpointConfig = list(configs[2]!, 'dynamic_endpoint_configs').find((c) => obj(c, 'endpoint_config')['cluster_name'] === vipCluster(9080, host))!;
    const rootSecret = list(configs[6]!, 'dynamic_active_secrets').find((s) => s['name'] === 'ROOTCA')!;
    const rootPem = Buffer.from(String(obj(obj(obj(rootSecret, 'secret'), 'validation_context'), 'trusted_ca')['inline_bytes']), 'base64').toString('utf8');
    scratch = b;
    template = { dump, httpCluster, endpointConfig, rootPem };
  }
  return { b: scratch, t: template };
}

const byName = (x: JsonObject, y: JsonObject): number => {
  const a = String(x['name']);
  const c = String(y['name']);
  return a < c ? -1 : a > c ? 1 : 0;
};

/** The EDS clusters of the served Services and the endpoints (their pods) of each. */
function edsClusters(b: Bundle, t: Template, served: Served[]): { clusters: JsonObject[]; endpoints: JsonObject[] } {
  const clusters: JsonObject[] = [];
  const configs: JsonObject[] = [];
  for (const s of served) {
    const pods = endpoints(b, s) as KubeObject[];
    for (const p of s.ports) {
      for (const proto of p.protocol === 'http' ? ['http'] : p.protocol === 'tcp' ? ['tcp'] : ['tcp', 'http']) {
        const name = vipCluster(p.port, s.host, proto);
        const entry = clone(t.httpCluster);
        const cluster = obj(entry, 'cluster');
        cluster['name'] = name;
        obj(cluster, 'eds_cluster_config')['service_name'] = name;
        cluster['metadata'] = { filter_metadata: { istio: { services: [{ namespace: s.namespace, name: s.name, host: s.host }] } } };
        if (proto !== 'http') delete cluster['typed_extension_protocol_options'];
        clusters.push(entry);
        const config = clone(t.endpointConfig);
        const assignment = obj(config, 'endpoint_config');
        assignment['cluster_name'] = name;
        const group = list(assignment, 'endpoints')[0]!;
        const model = list(group, 'lb_endpoints')[0]!;
        group['lb_endpoints'] = pods.map((pod) => {
          const ip = String(obj(pod, 'status')['podIP']);
          const addr = `${ip}:${p.targetPort}`;
          const labels = obj(pod.metadata, 'labels');
          const e = clone(model);
          obj(obj(obj(e, 'endpoint'), 'address'), 'envoy_internal_address')['endpoint_id'] = addr;
          e['metadata'] = { filter_metadata: { 'envoy.filters.listener.original_dst': { local: addr }, istio: { workload: `${labels['app']};${pod.metadata.namespace};${labels['app']};${labels['version'] ?? 'latest'};Kubernetes` } } };
          return e;
        });
        if (pods.length === 0) delete assignment['endpoints'];
        configs.push(config);
      }
    }
  }
  return { clusters, endpoints: configs };
}

/** The bootstrap node of this pod: the sample's, with this pod's identity. */
function node(bootstrap: JsonObject, pod: KubeObject, gateway: KubeObject): void {
  const ns = String(pod.metadata.namespace);
  const name = pod.metadata.name;
  const ip = String(obj(pod, 'status')['podIP']);
  const spec = obj(pod, 'spec');
  const n = obj(bootstrap, 'node');
  n['id'] = `waypoint~${ip}~${name}.${ns}~${ns}.svc.cluster.local`;
  n['cluster'] = `${gateway.metadata.name}.${ns}`;
  const seen = `${String(pod.metadata['creationTimestamp']).replace('Z', '')}.${digest(`seen:${String(pod.metadata['uid'])}`).replace(/\D/g, '').slice(0, 9)}Z`;
  Object.assign(obj(n, 'metadata'), {
    ANNOTATIONS: { ...obj(pod.metadata, 'annotations'), 'kubernetes.io/config.seen': seen, 'kubernetes.io/config.source': 'api' },
    INSTANCE_IPS: ip, LABELS: obj(pod.metadata, 'labels'), NAME: name, NAMESPACE: ns, NODE_NAME: spec['nodeName'],
    OWNER: `kubernetes://apis/apps/v1/namespaces/${ns}/deployments/${gateway.metadata.name}`, SERVICE_ACCOUNT: spec['serviceAccountName'], WORKLOAD_NAME: gateway.metadata.name,
  });
}

/** The dump of one waypoint pod, as data (serialize with envoyJson). */
export function waypointConfigDump(seed: string, input: DumpInput): JsonObject {
  const { b, t } = base();
  const ns = String(input.gateway.metadata.namespace);
  const name = input.gateway.metadata.name;
  b.kube.services = { items: input.services };
  b.kube.pods = { items: [...input.pods, input.pod] };
  b.kube.authorizationpolicies = { items: input.policies };
  b.kube.httproutes = { items: input.routes };
  for (const empty of ['serviceentries', 'virtualservices', 'destinationrules'] as const) b.kube[empty] = { items: [] };
  b.zw.rows = input.pods.map((p) => [String(p.metadata.namespace), p.metadata.name, String(obj(p, 'status')['podIP']), String(obj(p, 'spec')['nodeName']), 'None', 'HBONE']);
  b.stale = new Map(input.missing ? [[`${ns}/${name}`, { services: [input.missing], policies: [] }]] : []);

  const served = servedBy(b, ns, name);
  const ctx: Ctx = { b, gw: input.gateway, pod: input.pod, logs: true, clusters: new Map() };
  const started: string = proxyStart(input.pod);
  const boot = at(started, 231);
  const dump = clone(t.dump);
  const [bootstrapDump, clustersDump, endpointsDump, listenersDump, , , secretsDump] = list(dump, 'configs') as [JsonObject, JsonObject, JsonObject, JsonObject, JsonObject, JsonObject, JsonObject];
  node(obj(bootstrapDump, 'bootstrap'), input.pod, input.gateway);
  bootstrapDump['last_updated'] = boot;
  for (const c of list(clustersDump, 'static_clusters')) c['last_updated'] = boot;
  for (const l of list(listenersDump, 'static_listeners')) l['last_updated'] = boot;

  const eds = edsClusters(b, t, served);
  const fixed = list(clustersDump, 'dynamic_active_clusters').filter((c) => obj(c, 'cluster')['type'] !== 'EDS');
  clustersDump['dynamic_active_clusters'] = [...fixed, ...eds.clusters].sort((x, y) => byName(obj(x, 'cluster'), obj(y, 'cluster')));
  endpointsDump['dynamic_endpoint_configs'] = eds.endpoints;

  const main = list(listenersDump, 'dynamic_listeners').find((l) => l['name'] === 'main_internal')!;
  const listener = obj(obj(main, 'active_state'), 'listener');
  listener['filter_chains'] = [...served.flatMap((s) => serviceChains(ctx, s)), ...directChains(ctx)] as JsonObject[];
  listener['filter_chain_matcher'] = chainMatcher(ctx, served, []) as JsonObject;

  const sa = String(obj(input.pod, 'spec')['serviceAccountName']);
  const leaf = leafPem(seed, { namespace: ns, serviceAccount: sa, notBefore: started, authorityKeyId: subjectKeyId(t.rootPem) });
  list(secretsDump, 'dynamic_active_secrets').forEach((s, i) => {
    s['version_info'] = started;
    s['last_updated'] = at(started, i === 0 ? 1281 : 1284);
    if (s['name'] === 'default') {
      const chain = obj(obj(obj(s, 'secret'), 'tls_certificate'), 'certificate_chain');
      chain['inline_bytes'] = Buffer.from(leaf + t.rootPem, 'utf8').toString('base64');
    }
  });
  return dump;
}
