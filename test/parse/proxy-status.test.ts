import { describe, expect, it } from 'vitest';
import { parseXdsCell, splitProxyName } from '../../src/parse/proxy-status.js';
import { parseText, tabwrite } from '../helpers.js';

describe('proxy-status cells', () => {
  it('normalizes statuses and ages of every era', () => {
    expect(parseXdsCell('SYNCED (6m40s)')).toEqual({ status: 'SYNCED', age: '6m40s' });
    expect(parseXdsCell('NOT_SENT')).toEqual({ status: 'NOT SENT' });
    expect(parseXdsCell('NOT SENT')).toEqual({ status: 'NOT SENT' });
    expect(parseXdsCell('STALE (Never Acknowledged)')).toEqual({ status: 'STALE (Never Acknowledged)' });
    expect(parseXdsCell('SYNCED (100%)')).toEqual({ status: 'SYNCED' });
    expect(parseXdsCell('ERROR (2m)')).toEqual({ status: 'ERROR', age: '2m' });
  });

  it('splits pod.namespace at the last dot', () => {
    expect(splitProxyName('waypoint-6f7b665c89-6hppr.default')).toEqual({ pod: 'waypoint-6f7b665c89-6hppr', namespace: 'default' });
    expect(splitProxyName('proxy1')).toEqual({ pod: 'proxy1', namespace: '' });
  });
});

describe('proxy-status tables', () => {
  it('reads the 1.23-1.26 per-type table with ages and empty cells', () => {
    const text = tabwrite([
      ['NAME', 'CLUSTER', 'CDS', 'LDS', 'EDS', 'RDS', 'ECDS', 'ISTIOD', 'VERSION'],
      ['reviews-v2-pod-waypoint-7f5dbd597-7zzw7.default', 'Kubernetes', 'SYNCED (6m40s)', 'SYNCED (6m40s)', 'NOT SENT', 'NOT SENT', 'NOT SENT', 'istiod-795d55fc6d-vqtjx', '1.26.2'],
      ['ztunnel-6hvcw.istio-system', 'Kubernetes', '', '', '', '', '', 'istiod-795d55fc6d-vqtjx', '1.26.2'],
    ], 5);
    const parsed = parseText('ps.txt', text);
    expect(parsed.kind).toBe('proxy-status');
    const [wp, zt] = parsed.records.proxyStatus!;
    expect(wp).toMatchObject({ pod: 'reviews-v2-pod-waypoint-7f5dbd597-7zzw7', namespace: 'default', cluster: 'Kubernetes', istiod: 'istiod-795d55fc6d-vqtjx', version: '1.26.2' });
    expect(wp!.xds).toEqual({
      CDS: { status: 'SYNCED', age: '6m40s' }, LDS: { status: 'SYNCED', age: '6m40s' },
      EDS: { status: 'NOT SENT' }, RDS: { status: 'NOT SENT' }, ECDS: { status: 'NOT SENT' },
    });
    expect(zt!.xds).toEqual({});
  });

  it('reads the 1.27+ SUBSCRIBED TYPES table', () => {
    const text = [
      'NAME                                   CLUSTER        ISTIOD                     VERSION     SUBSCRIBED TYPES',
      'waypoint-6f7b665c89-6hppr.default      Kubernetes     istiod-5d6f8b9c7-x2x9k     1.28.1      4 (CDS,LDS,EDS,ECDS)',
      'ztunnel-abcde.istio-system             Kubernetes     istiod-5d6f8b9c7-x2x9k     1.28.1      2 (WADS,WDS)',
      'broken-1.default                       Kubernetes     <external>                 1.28.1      0',
    ].join('\n');
    const rows = parseText('ps.txt', text).records.proxyStatus!;
    expect(rows.map((r) => [r.pod, r.istiod, r.subscribed, r.xds])).toEqual([
      ['waypoint-6f7b665c89-6hppr', 'istiod-5d6f8b9c7-x2x9k', { count: 4, types: ['CDS', 'LDS', 'EDS', 'ECDS'] }, undefined],
      ['ztunnel-abcde', 'istiod-5d6f8b9c7-x2x9k', { count: 2, types: ['WADS', 'WDS'] }, undefined],
      ['broken-1', '<external>', { count: 0, types: [] }, undefined],
    ]);
  });

  it('reads the legacy PILOT/PROXY headers', () => {
    const text = 'PROXY                                                  CDS        LDS        EDS               RDS          PILOT                            VERSION\nistio-egressgateway-5b765869bf-7vxs5.istio-system      SYNCED     SYNCED     SYNCED (100%)     NOT SENT     istio-pilot-8465f7fb6f-7pfhd     1.1.0\n';
    const [row] = parseText('ps.txt', text).records.proxyStatus!;
    expect(row).toMatchObject({ pod: 'istio-egressgateway-5b765869bf-7vxs5', namespace: 'istio-system', istiod: 'istio-pilot-8465f7fb6f-7pfhd', version: '1.1.0' });
    expect(row!.xds!['EDS']).toEqual({ status: 'SYNCED' });
  });
});
