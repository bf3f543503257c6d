import { describe, expect, it } from 'vitest';
import { parseOrigin } from '../../src/parse/analyze.js';
import { parseText } from '../helpers.js';

describe('istioctl analyze text', () => {
  it('reads levels, codes, origins with file:line, and ignores the summary lines', () => {
    const text = [
      '$ istioctl analyze samples/bookinfo/networking/bookinfo-gateway.yaml',
      'Error [IST0101] (Gateway default/bookinfo-gateway samples/bookinfo/networking/bookinfo-gateway.yaml:9) Referenced selector not found: "istio=ingressgateway"',
      'Warning [IST0171] (Service default/ratings) The status condition istio.io/WaypointBound is False (reason WaypointIsNotReady)',
      'Info [IST0118] (Service default/details) Port name  (port: 9080, targetPort: 9080) doesn\'t follow the naming convention',
      'Error: Analyzers found issues when analyzing namespace: default.',
      'See https://istio.io/v{{< istio_version >}}/docs/reference/config/analysis for more information about causes and resolutions.',
    ].join('\n');
    const parsed = parseText('analyze.txt', text);
    expect(parsed.kind).toBe('analyze');
    expect(parsed.diagnostics).toEqual([]);
    const [a, b, c] = parsed.records.analyzeMessages!;
    expect(a).toMatchObject({
      level: 'Error', code: 'IST0101', message: 'Referenced selector not found: "istio=ingressgateway"',
      origin: { kind: 'Gateway', namespace: 'default', name: 'bookinfo-gateway', reference: 'samples/bookinfo/networking/bookinfo-gateway.yaml:9' },
      source: { file: 'analyze.txt', line: 2 },
    });
    expect(b).toMatchObject({ level: 'Warning', code: 'IST0171', origin: { kind: 'Service', namespace: 'default', name: 'ratings' } });
    expect(c!.level).toBe('Info');
  });

  it('reads the legacy Warn level and name.namespace origins, and multicluster prefixes', () => {
    const text = [
      'Warn [IST0102] (Namespace frod) The namespace is not enabled for Istio injection.',
      'Error [IST0101] (VirtualService bookinfo.default) Referenced host not found: "productpage"',
      'Warning [IST0174] [cluster-2] (DestinationRule default/details) The host details defined in the DestinationRule does not match any services in the mesh.',
    ].join('\n');
    const [ns, vs, dr] = parseText('a.txt', text).records.analyzeMessages!;
    expect(ns).toMatchObject({ level: 'Warning', origin: { kind: 'Namespace', name: 'frod' } });
    expect(ns!.origin!.namespace).toBeUndefined();
    expect(vs!.origin).toEqual({ kind: 'VirtualService', namespace: 'default', name: 'bookinfo' });
    expect(dr).toMatchObject({ cluster: 'cluster-2', origin: { kind: 'DestinationRule', namespace: 'default', name: 'details' } });
  });

  it('reads ANSI-coloured output as istioctl prints it on a terminal', () => {
    const text = '\x1b[1;31mError\x1b[0m [IST0101] (Gateway default/gw) Referenced selector not found\nInfo\x1b[0m [IST0118] (Service default/x) Port name\n';
    const messages = parseText('a.txt', text).records.analyzeMessages!;
    expect(messages.map((m) => [m.level, m.code])).toEqual([['Error', 'IST0101'], ['Info', 'IST0118']]);
  });

  it('recognizes a clean run and reports lines it does not understand', () => {
    const clean = parseText('a.txt', '\n✔ No validation issues found when analyzing all namespaces.\n');
    expect(clean).toMatchObject({ kind: 'analyze', summary: 'no validation issues', diagnostics: [] });
    const odd = parseText('a.txt', 'Warning [IST0102] (Namespace a) x\nsomething else\n');
    expect(odd.diagnostics).toEqual([{ file: 'a.txt', line: 2, message: 'not an istioctl analyze message: something else' }]);
  });

  it('keeps dotted names of cluster-scoped kinds whole', () => {
    expect(parseOrigin('Namespace my.team')).toEqual({ kind: 'Namespace', name: 'my.team' });
  });
});
