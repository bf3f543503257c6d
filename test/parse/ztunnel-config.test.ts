import { describe, expect, it } from 'vitest';
import { parseText } from '../helpers.js';

// `istioctl ztunnel-config workload` as 1.24+ prints it (padding 1, comma-joined ADDRESS).
const WORKLOADS_124 = `NAMESPACE    POD NAME                                ADDRESS                NODE            WAYPOINT                PROTOCOL
default      details-v1-cf74bb974-5sqkp              10.244.1.5             ambient-worker  None                    HBONE
default      reviews-v2-6f9b55c5db-c94m2             10.244.1.17,fd00::11   ambient-worker  reviews-v2-pod-waypoint HBONE
istio-system ztunnel-6hvcw                           10.244.1.4                             None                    TCP
`;

// 1.21: NETWORK column, often empty; `NAME` instead of `POD NAME`, `IP` instead of `ADDRESS`.
const WORKLOADS_121 = `NAMESPACE NAME                     NETWORK IP         NODE           WAYPOINT PROTOCOL
default   sleep-7656cf8794-r7zb9           10.244.1.12 ambient-worker None     HBONE
`;

const SERVICES_124 = `NAMESPACE    SERVICE NAME            SERVICE VIP   WAYPOINT             ENDPOINTS
default      kubernetes              10.96.0.1     waypoint             1/1
default      headless                              None                 0/2
default      reviews                 10.43.162.105 reviews-svc-waypoint 3/3
`;

describe('ztunnel-config workload', () => {
  it('reads the 1.24+ columns, multi-IP addresses and an empty NODE', () => {
    const parsed = parseText('zw.txt', WORKLOADS_124);
    expect(parsed.kind).toBe('ztunnel-workloads');
    expect(parsed.diagnostics).toEqual([]);
    const rows = parsed.records.ztunnelWorkloads!;
    expect(rows.map((r) => [r.namespace, r.name, r.address, r.node, r.waypoint, r.protocol])).toEqual([
      ['default', 'details-v1-cf74bb974-5sqkp', '10.244.1.5', 'ambient-worker', 'None', 'HBONE'],
      ['default', 'reviews-v2-6f9b55c5db-c94m2', '10.244.1.17,fd00::11', 'ambient-worker', 'reviews-v2-pod-waypoint', 'HBONE'],
      ['istio-system', 'ztunnel-6hvcw', '10.244.1.4', '', 'None', 'TCP'],
    ]);
    expect(rows[1]!.source).toMatchObject({ file: 'zw.txt', line: 3 });
    expect(rows[1]!.source.excerpt).toContain('reviews-v2-pod-waypoint');
  });

  it('reads the 1.21 header with an empty NETWORK column', () => {
    const rows = parseText('zw.txt', WORKLOADS_121).records.ztunnelWorkloads!;
    expect(rows).toEqual([expect.objectContaining({ name: 'sleep-7656cf8794-r7zb9', address: '10.244.1.12', node: 'ambient-worker', waypoint: 'None', protocol: 'HBONE' })]);
  });
});

describe('ztunnel-config service', () => {
  it('reads VIPs (empty for headless), waypoints and healthy/total endpoints', () => {
    const parsed = parseText('zs.txt', SERVICES_124);
    expect(parsed.kind).toBe('ztunnel-services');
    const rows = parsed.records.ztunnelServices!;
    expect(rows.map((r) => [r.name, r.vip, r.waypoint, r.endpoints])).toEqual([
      ['kubernetes', '10.96.0.1', 'waypoint', { healthy: 1, total: 1 }],
      ['headless', '', 'None', { healthy: 0, total: 2 }],
      ['reviews', '10.43.162.105', 'reviews-svc-waypoint', { healthy: 3, total: 3 }],
    ]);
  });

  it('reads the doc form with a `$ command` line and a `...` elision, without ENDPOINTS', () => {
    const text = `$ istioctl ztunnel-config service\nNAMESPACE    SERVICE NAME            SERVICE VIP   WAYPOINT\ndefault      reviews                 10.43.162.105 reviews-svc-waypoint\n...\n`;
    const rows = parseText('doc.txt', text).records.ztunnelServices!;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ name: 'reviews', waypoint: 'reviews-svc-waypoint', source: { line: 3 } });
    expect(rows[0]!.endpoints).toBeUndefined();
  });

  it('reports an ENDPOINTS cell that is not healthy/total', () => {
    const text = 'NAMESPACE SERVICE NAME SERVICE VIP WAYPOINT ENDPOINTS\ndefault   a            10.0.0.1    None     lots\n';
    const parsed = parseText('zs.txt', text);
    expect(parsed.records.ztunnelServices).toHaveLength(1);
    expect(parsed.diagnostics).toEqual([{ file: 'zs.txt', line: 2, message: "ENDPOINTS 'lots' is not healthy/total" }]);
  });
});
