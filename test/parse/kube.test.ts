import { describe, expect, it } from 'vitest';
import { parseText } from '../helpers.js';

const NAMESPACES_YAML = `apiVersion: v1
items:
- apiVersion: v1
  kind: Namespace
  metadata:
    creationTimestamp: "2024-05-07T10:00:00Z"
    labels:
      istio.io/dataplane-mode: ambient
      istio.io/use-waypoint: waypoint
      kubernetes.io/metadata.name: default
    name: default
    resourceVersion: "1234"
  spec:
    finalizers:
    - kubernetes
  status:
    phase: Active
- apiVersion: v1
  kind: Namespace
  metadata:
    labels:
      kubernetes.io/metadata.name: istio-system
    name: istio-system
kind: List
metadata:
  resourceVersion: ""
`;

const SERVICES_JSON = JSON.stringify({
  apiVersion: 'v1',
  items: [
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'details', namespace: 'default' }, spec: { clusterIP: '10.43.160.119' } },
    {
      apiVersion: 'v1', kind: 'Service',
      metadata: { labels: { app: 'reviews', 'istio.io/use-waypoint': 'reviews-svc-waypoint' }, name: 'reviews', namespace: 'default' },
      spec: { clusterIP: '10.43.162.105' },
      status: { conditions: [{ type: 'istio.io/WaypointBound', status: 'True', reason: 'WaypointAccepted' }] },
    },
  ],
  kind: 'List',
  metadata: { resourceVersion: '' },
}, null, 4);

describe('kubectl get -o yaml|json', () => {
  it('reads a YAML List with item and label lines', () => {
    const parsed = parseText('kubectl/namespaces.yaml', NAMESPACES_YAML);
    expect(parsed.kind).toBe('kube-resources');
    expect(parsed.diagnostics).toEqual([]);
    const [def, sys] = parsed.records.kubeObjects!;
    expect(def).toMatchObject({ kind: 'Namespace', name: 'default', source: { line: 11 } });
    expect(def!.labels['istio.io/use-waypoint']).toBe('waypoint');
    expect(def!.labelSources['istio.io/use-waypoint']).toMatchObject({ line: 9, excerpt: 'istio.io/use-waypoint: waypoint' });
    expect(sys).toMatchObject({ name: 'istio-system', source: { line: 23 } });
    expect(parsed.capturedKinds).toEqual(['Namespace']);
  });

  it('reads a kubectl JSON List with JSON paths and label lines', () => {
    const parsed = parseText('services.json', SERVICES_JSON);
    const [details, reviews] = parsed.records.kubeObjects!;
    expect(details).toMatchObject({ kind: 'Service', namespace: 'default', name: 'details', source: { path: 'items[0]' } });
    expect(reviews!.labelSources['istio.io/use-waypoint']).toMatchObject({
      path: 'items[1].metadata.labels["istio.io/use-waypoint"]',
      excerpt: '"istio.io/use-waypoint": "reviews-svc-waypoint"',
    });
    const line = SERVICES_JSON.split('\n').findIndex((l) => l.includes('"istio.io/use-waypoint"')) + 1;
    expect(reviews!.labelSources['istio.io/use-waypoint']!.line).toBe(line);
    const typeLine = SERVICES_JSON.split('\n').findIndex((l) => l.includes('"type": "istio.io/WaypointBound"')) + 1;
    expect(reviews!.conditions).toEqual([{
      type: 'istio.io/WaypointBound', status: 'True', reason: 'WaypointAccepted',
      source: { file: 'services.json', line: typeLine, path: 'items[1].status.conditions[0]', excerpt: '"type": "istio.io/WaypointBound",' },
    }]);
  });

  it('reads JSON that is not laid out as kubectl prints it (minified, 2-space indent)', () => {
    const compact = JSON.stringify(JSON.parse(SERVICES_JSON));
    expect(parseText('s.json', compact).records.kubeObjects!.map((o) => [o.name, o.source.line, o.source.path])).toEqual([['details', 1, 'items[0]'], ['reviews', 1, 'items[1]']]);
    const twoSpaces = JSON.stringify(JSON.parse(SERVICES_JSON), null, 2);
    const objects = parseText('s.json', twoSpaces).records.kubeObjects!;
    const nameLine = (name: string) => twoSpaces.split('\n').findIndex((l) => l.includes(`"name": "${name}"`)) + 1;
    expect(objects.map((o) => o.source.line)).toEqual([nameLine('details'), nameLine('reviews')]);
  });

  it('knows the kind of an empty List from the file name', () => {
    const parsed = parseText('kubectl/gateways.json', '{"apiVersion": "v1", "items": [], "kind": "List", "metadata": {"resourceVersion": ""}}');
    expect(parsed).toMatchObject({ kind: 'kube-resources', capturedKinds: ['Gateway'], summary: 'no objects (empty Gateway list)' });
  });

  it('reads multi-document YAML and reports a broken document without losing the others', () => {
    const text = [
      'apiVersion: gateway.networking.k8s.io/v1',
      'kind: Gateway',
      'metadata:',
      '  name: waypoint',
      '  namespace: default',
      '  labels:',
      '    istio.io/waypoint-for: all',
      '---',
      'apiVersion: v1',
      'kind: Service',
      'metadata: {name: [unclosed',
      '---',
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      '  name: p',
      '  namespace: default',
    ].join('\n');
    const parsed = parseText('mixed.yaml', text);
    expect(parsed.records.kubeObjects!.map((o) => `${o.kind}/${o.name}@${o.source.line}`)).toEqual(['Gateway/waypoint@4', 'Pod/p@16']);
    expect(parsed.records.kubeObjects![0]!.labelSources['istio.io/waypoint-for']!.line).toBe(7);
    expect(parsed.diagnostics).toHaveLength(1);
    expect(parsed.diagnostics[0]!.message).toMatch(/YAML document could not be parsed/);
    expect(parsed.diagnostics[0]!.line).toBeGreaterThanOrEqual(9);
  });

  it('does not take a Deployment template label for the object label', () => {
    const text = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  namespace: x\nspec:\n  template:\n    metadata:\n      labels:\n        istio.io/use-waypoint: w\n';
    const [d] = parseText('d.yaml', text).records.kubeObjects!;
    expect(d!.labels).toEqual({});
    expect(d!.labelSources).toEqual({});
  });
});

describe('YAML as other tools and people write it', () => {
  const objects = (text: string) => parseText('o.yaml', text).records.kubeObjects!;

  it('reads YAML 1.1 booleans and numbers as kubectl does, in labels, annotations and conditions', () => {
    const [ns, gw] = objects(`apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    istio.io/ingress-use-waypoint: yes
    istio.io/use-waypoint: waypoint
    version: 2
    ratio: 1.5
  annotations:
    ambient.istio.io/bypass-inbound-capture: True
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: waypoint
  namespace: shop
spec:
  gatewayClassName: istio-waypoint
status:
  conditions:
  - type: Accepted
    status: True
  - type: Programmed
    status: false
  - type: ResolvedRefs
    status: unknown
`);
    expect(ns!.labels).toEqual({ 'istio.io/ingress-use-waypoint': 'true', 'istio.io/use-waypoint': 'waypoint', version: '2', ratio: '1.5' });
    expect(ns!.annotations).toEqual({ 'ambient.istio.io/bypass-inbound-capture': 'true' });
    expect(gw!.conditions.map((c) => [c.type, c.status, c.source.line])).toEqual([['Accepted', 'True', 22], ['Programmed', 'False', 24], ['ResolvedRefs', 'Unknown', 26]]);
  });

  it('keeps quoted strings as written, even when they look like booleans', () => {
    const [ns] = objects('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n  labels:\n    a: "yes"\n    b: \'on\'\n');
    expect(ns!.labels).toEqual({ a: 'yes', b: 'on' });
  });

  it('reads condition statuses written as JSON booleans', () => {
    const [pod] = objects(JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'd' }, status: { conditions: [{ type: 'Ready', status: true }] } }));
    expect(pod!.conditions[0]!.status).toBe('True');
  });
});
