/**
 * The script step that completes the healthy sample (samples/bookinfo-ambient) with what is generated rather than
 * hand-written: the istio ConfigMap (access logging on), empty lists of the policy kinds the scenarios use, the
 * `require-waypoint` guard policy, and, from those objects, the waypoints' config dumps and the waypoint and ztunnel
 * logs. It only adds what is missing and rewrites generated files, so running it again changes nothing.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { kubectlJson, type K } from './serializers.js';
import { BASE, Bundle, filesUnder, uuid } from './bundle.js';
import { loadBundle, regenerate } from './generate.js';
import { lastApplied } from './edits.js';

const EMPTY_LIST = { apiVersion: 'v1', items: [], kind: 'List', metadata: { resourceVersion: '' } };

/** `kubectl get configmap istio -n istio-system -o json` of the Helm-installed istiod 1.26.2 (ambient profile). */
export function istioConfigMap(b: Bundle): K {
  const istiod = b.get('services', 'istio-system', 'istiod');
  const cm: K = {
    apiVersion: 'v1',
    data: { mesh: '', meshNetworks: 'networks: {}' },
    kind: 'ConfigMap',
    metadata: {
      annotations: { 'meta.helm.sh/release-name': 'istiod', 'meta.helm.sh/release-namespace': 'istio-system' },
      creationTimestamp: '2025-10-14T09:05:39Z',
      labels: { ...istiod.metadata.labels, release: 'istiod' },
      name: 'istio', namespace: 'istio-system', resourceVersion: '531', uid: uuid('cm:istio-system/istio'),
    },
  };
  delete cm.metadata.labels.app;
  delete cm.metadata.labels.istio;
  b.mesh = cm;
  b.setMeshConfig({
    accessLogFile: '/dev/stdout',
    defaultConfig: { discoveryAddress: 'istiod.istio-system.svc:15012', image: { imageType: 'distroless' }, proxyMetadata: { ISTIO_META_ENABLE_HBONE: 'true' } },
    defaultProviders: { metrics: ['prometheus'] },
    enablePrometheusMerge: true,
    rootNamespace: 'istio-system',
    trustDomain: 'cluster.local',
  });
  return b.mesh;
}

/** The istio.io "require traffic to traverse the waypoint" guard for productpage, enforced by ztunnel. */
export function guardPolicy(): K {
  const applied = {
    apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { annotations: {}, name: 'productpage-require-waypoint', namespace: 'default' },
    spec: {
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/default/sa/waypoint', 'cluster.local/ns/default/sa/bookinfo-gateway-istio'] } }] }],
      selector: { matchLabels: { app: 'productpage' } },
    },
  };
  return {
    apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy',
    metadata: {
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied(applied) },
      creationTimestamp: '2025-10-14T09:24:18Z', generation: 1, name: 'productpage-require-waypoint', namespace: 'default', resourceVersion: '2148',
      uid: uuid('ap:default/productpage-require-waypoint'),
    },
    spec: applied.spec,
    status: { conditions: [{ lastTransitionTime: '2025-10-14T09:24:19Z', message: 'attached to ztunnel', observedGeneration: '1', reason: 'Accepted', status: 'True', type: 'ZtunnelAccepted' }] },
  };
}

export function writeBase(): void {
  const write = (path: string, text: string) => {
    const full = join(BASE, path);
    mkdirSync(dirname(full), { recursive: true });
    if (!existsSync(full) || readFileSync(full, 'utf8') !== text) writeFileSync(full, text);
  };
  for (const kind of ['requestauthentications', 'telemetries']) if (!existsSync(join(BASE, `kubectl/${kind}.json`))) write(`kubectl/${kind}.json`, kubectlJson(EMPTY_LIST));
  if (!existsSync(join(BASE, 'kubectl/configmap-istio.json'))) {
    // The Bundle reads the ConfigMap: start from a placeholder, then fill it in.
    write('kubectl/configmap-istio.json', kubectlJson({ apiVersion: 'v1', data: { mesh: '{}' }, kind: 'ConfigMap', metadata: {} }));
    const b = new Bundle(BASE);
    write('kubectl/configmap-istio.json', kubectlJson(istioConfigMap(b)));
  }
  const b = loadBundle(BASE);
  if (!b.items('authorizationpolicies').some((ap) => ap.metadata.name === 'productpage-require-waypoint')) {
    b.add('authorizationpolicies', guardPolicy());
    write('kubectl/authorizationpolicies.json', b.render().get('kubectl/authorizationpolicies.json')!);
  }
  regenerate(b);
  const generated = b.render();
  for (const dir of ['config-dumps', 'logs']) {
    for (const f of filesUnder(join(BASE, dir))) {
      const rel = f.slice(BASE.length + 1).split('\\').join('/');
      if (!generated.has(rel)) rmSync(f);
    }
  }
  for (const [path, text] of generated) if (path.startsWith('config-dumps/') || path.startsWith('logs/')) write(path, text);
}
