/**
 * Endpoints and ECDS: inside a whole config dump and as istioctl's per-type lists (`pc endpoint -o
 * json|yaml`, `pc ecds -o yaml`), on istioctl's own testdata and on samples in the same formats.
 */
import { describe, expect, it } from 'vitest';
import type { EnvoyConfigSummary } from '../../src/parse/types.js';
import { fixtureFiles, HAVE_FIXTURES, parseText, readFixture } from '../helpers.js';
import { parseFile } from '../../src/parse/index.js';

const summaryOf = (file: string, text: string) => parseText(file, text).records.envoyConfigs![0]!;

const CLA_JSON = JSON.stringify([
  {
    clusterName: 'inbound-vip|9080|http|reviews.default.svc.cluster.local',
    endpoints: [{ lbEndpoints: [
      { endpoint: { address: { socketAddress: { address: '10.42.0.5', portValue: 9080 } } }, healthStatus: 'HEALTHY' },
      { endpoint: { address: { socketAddress: { address: '10.42.2.5', portValue: 9080 } } }, healthStatus: 'UNHEALTHY' },
      { endpoint: { address: { socketAddress: { address: '10.42.2.7', portValue: 9080 } } } },
    ] }],
  },
  { clusterName: 'outbound|9080||ratings.default.svc.cluster.local', endpoints: [], policy: { overprovisioningFactor: 140 } },
], null, 4);

describe('endpoints', () => {
  it('reads `istioctl pc endpoint -o json`, counting UNKNOWN (no status) as usable and UNHEALTHY not', () => {
    const s = summaryOf('ep.json', `$ istioctl proxy-config endpoint waypoint-6f7b665c89-6hppr.default -o json\n${CLA_JSON}\n`);
    expect(s.node).toEqual({ id: 'waypoint-6f7b665c89-6hppr.default', pod: 'waypoint-6f7b665c89-6hppr', namespace: 'default' });
    expect(s.endpoints.map((e) => [e.cluster, e.healthy, e.total, e.source.line])).toEqual([
      ['inbound-vip|9080|http|reviews.default.svc.cluster.local', 2, 3, 4],
      ['outbound|9080||ratings.default.svc.cluster.local', 0, 0, 45],
    ]);
  });

  it.skipIf(!HAVE_FIXTURES)("reads istioctl's testdata: the -o json list, the -o yaml list and the EndpointsConfigDump", () => {
    const [dump, list, yaml] = ['endpoint_configdump', 'endpoint_emptyfilter_output', 'endpoint_portfilter_output']
      .map((name) => fixtureFiles('proxy-config-json').find((f) => f.includes(`__${name}__`))!)
      .map((f) => parseFile(f, readFixture(f)).records.envoyConfigs![0] as EnvoyConfigSummary);
    expect(list!.endpoints).toHaveLength(32);
    expect(list!.endpoints[1]).toMatchObject({ cluster: 'outbound|9402||cert-manager-istio-csr-metrics.cert-manager.svc.cluster.local', healthy: 1, total: 1, source: { line: 29 } });
    expect(list!.endpoints.every((e) => e.healthy === e.total)).toBe(true);
    expect(yaml!.endpoints.map((e) => [e.cluster, e.healthy, e.total, e.source.line])).toEqual([
      ['outbound|80||istio-ingressgateway.istio-system.svc.cluster.local', 1, 1, 1],
      ['outbound|80||skywalking-ui.skywalking.svc.cluster.local', 1, 1, 20],
    ]);
    expect(dump!.endpoints.length).toBeGreaterThan(30);
  });
});

describe('ECDS', () => {
  it.skipIf(!HAVE_FIXTURES)("reads istioctl's `pc ecds -o yaml` testdata and the EcdsConfigDump", () => {
    const [yaml, dump] = ['ecds_output', 'ecds_configdump']
      .map((name) => fixtureFiles('proxy-config-json').find((f) => f.includes(`__${name}__`))!)
      .map((f) => parseFile(f, readFixture(f)).records.envoyConfigs![0] as EnvoyConfigSummary);
    expect(yaml!.ecdsFilters.map((f) => [f.name, f.type ?? '', f.source.line])).toEqual([
      ['default.httpbin-rate-limiting', 'envoy.extensions.filters.http.wasm.v3.Wasm', 4],
      ['default.display-metadata', 'envoy.extensions.filters.http.wasm.v3.Wasm', 22],
      ['istio.io/telemetry/stats/prometheus/sidecar/Outbound/HTTP', '', 44],
      ['istio.io/telemetry/stats/prometheus/sidecar/Inbound/HTTP', '', 48],
      ['istio.io/telemetry/stats/prometheus/sidecar/Inbound/TCP', '', 52],
      ['istio.io/telemetry/stats/prometheus/sidecar/Outbound/TCP', '', 56],
    ]);
    expect(dump!.ecdsFilters.map((f) => f.name)).toEqual(yaml!.ecdsFilters.map((f) => f.name));
  });
});
