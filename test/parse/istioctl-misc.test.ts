/** The smaller istioctl outputs: machine-readable proxy-status and analyze, versions, waypoint list, syncz, mesh config. */
import { describe, expect, it } from 'vitest';
import { parseText, tabwrite } from '../helpers.js';

const psDoc = (istiod: string, proxy: string, cds: string) => `{
    "versionInfo": "1.30.0",
    "resources": [
        {
            "@type": "type.googleapis.com/envoy.service.status.v3.ClientConfig",
            "node": {
                "id": "${proxy}",
                "metadata": {
                    "CLUSTER_ID": "Kubernetes",
                    "ISTIO_VERSION": "1.30.0"
                }
            },
            "genericXdsConfigs": [
                { "typeUrl": "type.googleapis.com/envoy.config.cluster.v3.Cluster", "configStatus": "${cds}" },
                { "typeUrl": "type.googleapis.com/envoy.config.route.v3.RouteConfiguration", "configStatus": "NOT_SENT" },
                { "typeUrl": "type.googleapis.com/istio.workload.Address", "configStatus": "SYNCED" }
            ]
        }
    ],
    "typeUrl": "type.googleapis.com/envoy.service.status.v3.ClientConfig",
    "controlPlane": {
        "identifier": "{\\"Component\\":\\"istiod\\",\\"ID\\":\\"${istiod}\\",\\"Info\\":{\\"version\\":\\"1.30.0\\"}}"
    }
}`;

describe('istioctl proxy-status -o json|yaml', () => {
  it('reads one document per istiod printed with no separator', () => {
    const text = psDoc('istiod-a', 'waypoint~10.244.1.9~waypoint-6f7b665c89-6hppr.default~default.svc.cluster.local', 'STALE') + psDoc('istiod-b', 'ztunnel-x.istio-system', 'SYNCED');
    const parsed = parseText('ps.json', text);
    expect(parsed.kind).toBe('proxy-status-json');
    expect(parsed.diagnostics).toEqual([]);
    const [wp, zt] = parsed.records.proxyStatus!;
    expect(wp).toMatchObject({ proxy: 'waypoint-6f7b665c89-6hppr.default', pod: 'waypoint-6f7b665c89-6hppr', namespace: 'default', istiod: 'istiod-a', cluster: 'Kubernetes', version: '1.30.0', source: { line: 7 } });
    expect(wp!.xds).toEqual({ CDS: { status: 'STALE' }, RDS: { status: 'NOT SENT' }, WDS: { status: 'SYNCED' } });
    expect(zt).toMatchObject({ pod: 'ztunnel-x', istiod: 'istiod-b' });
  });

  it('reads the YAML form, documents again without a separator', () => {
    const doc = (id: string) => `controlPlane:\n  identifier: '{"Component":"istiod","ID":"istiod-1"}'\nresources:\n- '@type': type.googleapis.com/envoy.service.status.v3.ClientConfig\n  genericXdsConfigs:\n  - configStatus: ERROR\n    typeUrl: type.googleapis.com/envoy.config.listener.v3.Listener\n  node:\n    id: ${id}\n    metadata:\n      CLUSTER_ID: Kubernetes\ntypeUrl: type.googleapis.com/envoy.service.status.v3.ClientConfig\nversionInfo: "1"\n`;
    const parsed = parseText('ps.yaml', doc('a.default') + doc('b.default'));
    expect(parsed.kind).toBe('proxy-status-json');
    expect(parsed.records.proxyStatus!.map((r) => [r.pod, r.istiod, r.xds])).toEqual([
      ['a', 'istiod-1', { LDS: { status: 'ERROR' } }],
      ['b', 'istiod-1', { LDS: { status: 'ERROR' } }],
    ]);
  });
});

describe('istioctl analyze -o json|yaml', () => {
  it('reads messages with origin, reference and cluster', () => {
    const json = JSON.stringify([
      { code: 'IST0171', documentationUrl: 'https://istio.io/v1.28/docs/reference/config/analysis/ist0171/?ref=istioctl-analyze', level: 'Warning', message: 'A condition with a negative status is present', origin: 'Service default/ratings' },
      { code: 'IST0101', documentationUrl: '', level: 'Error', message: 'Referenced host not found: "productpage"', origin: 'VirtualService default/bookinfo', reference: 'bookinfo.yaml:41', cluster: 'cluster-2' },
    ], null, '\t');
    const parsed = parseText('analyze.json', json);
    expect(parsed.kind).toBe('analyze-json');
    const [a, b] = parsed.records.analyzeMessages!;
    expect(a).toMatchObject({ level: 'Warning', code: 'IST0171', origin: { kind: 'Service', namespace: 'default', name: 'ratings' }, source: { line: 3, path: '[0]' } });
    expect(b).toMatchObject({ level: 'Error', cluster: 'cluster-2', origin: { kind: 'VirtualService', name: 'bookinfo', reference: 'bookinfo.yaml:41' } });
  });

  it('reads the YAML list and knows an empty JSON list is a clean run only by its file name', () => {
    const yaml = '- code: IST0102\n  documentationUrl: https://istio.io/latest/docs/reference/config/analysis/ist0102/\n  level: Info\n  message: The namespace is not enabled for Istio injection.\n  origin: Namespace frod\n';
    const parsed = parseText('out.yaml', yaml);
    expect(parsed).toMatchObject({ kind: 'analyze-json', records: { analyzeMessages: [{ level: 'Info', code: 'IST0102', origin: { kind: 'Namespace', name: 'frod' } }] } });
    expect(parseText('analyze-json.txt', '[]\n')).toMatchObject({ kind: 'analyze-json', summary: 'no validation issues' });
    expect(parseText('other.json', '[]\n').kind).toBe('unknown');
  });
});

describe('istioctl version', () => {
  it('reads the text form', () => {
    const parsed = parseText('v.txt', 'client version: 1.26.2\ncontrol plane version: 1.26.2, 1.27.0\ndata plane version: 1.26.2 (6 proxies), 1.25.1 (1 proxies)\n');
    expect(parsed.kind).toBe('istioctl-version');
    expect(parsed.records.versions![0]).toMatchObject({
      client: '1.26.2',
      controlPlane: [{ component: 'istiod', version: '1.26.2' }, { component: 'istiod', version: '1.27.0' }],
      dataPlane: [{ version: '1.26.2', count: 6 }, { version: '1.25.1', count: 1 }],
    });
  });

  it('reads -o json', () => {
    const json = JSON.stringify({
      clientVersion: { version: '1.28.1', revision: 'abc', golang_version: 'go1.24', status: 'Clean', tag: '1.28.1' },
      meshVersion: [{ Component: 'pilot', Revision: 'default', Info: { version: '1.28.1' } }],
      dataPlaneVersion: [{ ID: 'ztunnel-x.istio-system', IstioVersion: '1.28.1', Type: 'ztunnel' }, { ID: 'waypoint-1.default', IstioVersion: '1.27.3', Type: 'waypoint' }],
    }, null, 2);
    expect(parseText('v.json', json).records.versions![0]).toMatchObject({
      client: '1.28.1',
      controlPlane: [{ component: 'pilot', revision: 'default', version: '1.28.1' }],
      dataPlane: [{ id: 'ztunnel-x.istio-system', type: 'ztunnel', version: '1.28.1' }, { id: 'waypoint-1.default', type: 'waypoint', version: '1.27.3' }],
    });
  });

  it('reads a bug-report `versions` file', () => {
    const text = [
      'CLI version:',
      'version.BuildInfo{Version:"1.28.1", GitRevision:"0123abcd", GolangVersion:"go1.24.6", BuildStatus:"Clean", GitTag:"1.28.1"}',
      '',
      'The following Istio control plane revisions/versions were found in the cluster:',
      'Revision default:',
      '&version.MeshInfo{version.ServerInfo{Component:"pilot", Revision:"default", Info:version.BuildInfo{Version:"1.28.1", GitRevision:"0123abcd"}}}',
      '',
      'The following proxy revisions/versions were found in the cluster:',
      'Revision default: Versions {1.28.1, 1.27.3}',
    ].join('\n');
    expect(parseText('bug-report/versions', text)).toMatchObject({
      kind: 'istioctl-version',
      records: { versions: [{ client: '1.28.1', controlPlane: [{ component: 'pilot', revision: 'default', version: '1.28.1' }], dataPlane: [{ version: '1.28.1' }, { version: '1.27.3' }] }] },
    });
  });
});

describe('istioctl waypoint list', () => {
  it('reads -A with TRAFFIC TYPE, and the older form without it', () => {
    const all = tabwrite([['NAMESPACE', 'NAME', 'REVISION', 'TRAFFIC TYPE', 'PROGRAMMED'], ['default', 'waypoint', 'default', 'none', 'True'], ['default', 'reviews-v2-pod-waypoint', 'default', 'workload', 'False']], 5);
    expect(parseText('wl.txt', all).records.waypointList!.map((w) => [w.namespace, w.name, w.trafficType, w.programmed])).toEqual([
      ['default', 'waypoint', 'none', 'True'], ['default', 'reviews-v2-pod-waypoint', 'workload', 'False'],
    ]);
    const old = tabwrite([['NAME', 'REVISION', 'PROGRAMMED'], ['waypoint', 'default', 'True']], 5);
    expect(parseText('wl.txt', old)).toMatchObject({ kind: 'waypoint-list', records: { waypointList: [{ namespace: '', name: 'waypoint', trafficType: '' }] } });
  });
});

describe('istiod /debug/syncz', () => {
  it('computes sync state as istioctl does, from the per-type map or the flat fields', () => {
    const syncz = JSON.stringify([
      { cluster_id: 'Kubernetes', proxy: 'waypoint-6f7b665c89-6hppr.default', proxy_type: 'waypoint', istio_version: '1.28.1', resources: {
        'type.googleapis.com/envoy.config.cluster.v3.Cluster': { sent: 'n2', acked: 'n1' },
        'type.googleapis.com/envoy.config.listener.v3.Listener': { sent: 'n3', acked: 'n3' },
        'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment': { sent: 'n4' },
        'type.googleapis.com/envoy.config.route.v3.RouteConfiguration': { sent: 'n5', acked: 'n5', lastError: 'rejected' },
      } },
      { cluster_id: 'Kubernetes', proxy: 'old-1.default', istio_version: '1.22.0', cluster_sent: 'a', cluster_acked: 'a', listener_sent: '', route_sent: 'b', route_acked: 'c' },
    ]);
    const parsed = parseText('bug-report/istio/istio-system/istiod-5d6f8b9c7-x2x9k/debug/syncz', `${syncz}\n`);
    expect(parsed.kind).toBe('istiod-syncz');
    const [wp, old] = parsed.records.proxyStatus!;
    expect(wp).toMatchObject({ pod: 'waypoint-6f7b665c89-6hppr', namespace: 'default', istiod: 'istiod-5d6f8b9c7-x2x9k', proxyType: 'waypoint', version: '1.28.1' });
    expect(wp!.xds).toEqual({ CDS: { status: 'STALE' }, LDS: { status: 'SYNCED' }, EDS: { status: 'STALE (Never Acknowledged)' }, RDS: { status: 'ERROR' } });
    expect(old!.xds).toEqual({ CDS: { status: 'SYNCED' }, LDS: { status: 'NOT SENT' }, RDS: { status: 'STALE' } });
  });
});

describe('mesh config', () => {
  it('reads a bare MeshConfig file and leaves Kubernetes objects to the kube parser', () => {
    const parsed = parseText('mesh.yaml', 'accessLogFile: /dev/stdout\ndefaultConfig:\n  discoveryAddress: istiod.istio-system.svc:15012\nrootNamespace: istio-system\n');
    expect(parsed).toMatchObject({ kind: 'mesh-config', records: { meshConfigs: [{ config: { accessLogFile: '/dev/stdout', rootNamespace: 'istio-system' } }] } });
    expect(parseText('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: istio\n  namespace: istio-system\ndata:\n  mesh: "accessLogFile: /dev/stdout"\n').kind).toBe('kube-resources');
  });
});

describe('ztunnel-config all', () => {
  it('reads every table, with or without the 1.29 banners', () => {
    const workloads = tabwrite([['NAMESPACE', 'POD NAME', 'ADDRESS', 'NODE', 'WAYPOINT', 'PROTOCOL'], ['default', 'reviews-v2-x', '10.244.1.17', 'node-1', 'reviews-v2-pod-waypoint', 'HBONE']], 1);
    const services = tabwrite([['NAMESPACE', 'SERVICE NAME', 'SERVICE VIP', 'WAYPOINT', 'ENDPOINTS'], ['default', 'reviews', '10.43.162.105', 'reviews-svc-waypoint', '3/3']], 1);
    const policies = tabwrite([['NAMESPACE', 'POLICY NAME', 'ACTION', 'SCOPE'], ['default', 'allow-waypoint', 'Allow', 'WorkloadSelector']], 1);
    const text = `\n------ WORKLOAD INFO ------\n\n${workloads}\n------ SERVICE INFO ------\n\n${services}\n------ POLICY INFO ------\n\n${policies}`;
    const parsed = parseText('zc-all.txt', text);
    expect(parsed.kind).toBe('ztunnel-all');
    expect(parsed.diagnostics).toEqual([]);
    expect(parsed.records.ztunnelWorkloads![0]).toMatchObject({ name: 'reviews-v2-x', waypoint: 'reviews-v2-pod-waypoint', source: { line: 5 } });
    expect(parsed.records.ztunnelServices![0]).toMatchObject({ name: 'reviews', endpoints: { healthy: 3, total: 3 } });
    expect(parsed.records.ztunnelPolicies![0]).toMatchObject({ name: 'allow-waypoint', action: 'Allow', scope: 'WorkloadSelector' });
    expect(parsed.summary).toBe('1 workloads, 1 services, 1 policies');
  });
});
