import { describe, expect, it } from 'vitest';
import { wp018 } from '../../../src/rules/binding/wp018-ingress-bypass.js';
import { runRule } from '../../../src/rules/engine.js';
import { kubeList, namespace, ruleTester, service, snapshotOf, waypoint } from '../rule-tester.js';

const USE = 'istio.io/use-waypoint';
const INGRESS = 'istio.io/ingress-use-waypoint';

const ingressGateway = () => ({
  ...waypoint('ingress', 'bookinfo-gateway', {}, 'istio'),
  spec: { gatewayClassName: 'istio', listeners: [{ allowedRoutes: { namespaces: { from: 'All' } }, name: 'http', port: 80, protocol: 'HTTP' }] },
});
type Ref = { group?: string; kind?: string; name: string; namespace?: string; port?: number };
/** An HTTPRoute or GRPCRoute as kubectl prints it, defaults (group, kind, weight) filled in. */
const route = (kind: 'HTTPRoute' | 'GRPCRoute', ns: string, name: string, parent: Ref, backend: Ref) => ({
  apiVersion: 'gateway.networking.k8s.io/v1', kind, metadata: { name, namespace: ns },
  spec: {
    parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', ...parent }],
    rules: [{ backendRefs: [{ group: '', kind: 'Service', port: 9080, weight: 1, ...backend }] }],
  },
});
const toIngress = { name: 'bookinfo-gateway', namespace: 'ingress' };
const gateways = { 'gateways.yaml': kubeList([ingressGateway(), waypoint('default', 'waypoint')]) };
const bookinfo = (nsLabels: Record<string, string>, svcLabels: Record<string, string> = {}) => ({
  ...gateways,
  'namespaces.yaml': kubeList([namespace('default', { [USE]: 'waypoint', ...nsLabels }), namespace('ingress')]),
  'services.yaml': kubeList([service('default', 'productpage', svcLabels)]),
  'httproutes.yaml': kubeList([route('HTTPRoute', 'default', 'bookinfo', toIngress, { name: 'productpage' })]),
});

/** The namespaces file written by hand, with the label value unquoted (a YAML 1.1 boolean to Kubernetes). */
const handWrittenNamespaces = (ingress: string) => `apiVersion: v1
kind: Namespace
metadata:
  name: default
  labels:
    ${USE}: waypoint
    ${INGRESS}: ${ingress}
---
apiVersion: v1
kind: Namespace
metadata:
  name: ingress
`;

ruleTester(wp018, {
  valid: [
    { name: 'the Service opts ingress traffic into the waypoint', files: bookinfo({}, { [INGRESS]: 'true' }) },
    ...['true', 'True', 'yes'].map((v) => ({
      name: `the namespace label written unquoted \`${v}\` opts in (a YAML 1.1 boolean, read as kubectl reads it)`,
      files: { ...bookinfo({}), 'namespaces.yaml': handWrittenNamespaces(v) },
    })),
    { name: 'the namespace opts ingress traffic into the waypoint', files: bookinfo({ [INGRESS]: 'true' }) },
    {
      name: 'a mesh (GAMMA) route whose parent is a Service is not ingress',
      files: {
        ...gateways,
        'namespaces.yaml': kubeList([namespace('default', { [USE]: 'waypoint' })]),
        'services.yaml': kubeList([service('default', 'reviews')]),
        'httproutes.yaml': kubeList([route('HTTPRoute', 'default', 'reviews', { group: '', kind: 'Service', name: 'reviews', port: 9080 }, { name: 'reviews' })]),
      },
    },
    {
      name: 'ingress to a service that uses no waypoint',
      files: {
        ...gateways,
        'namespaces.yaml': kubeList([namespace('default')]),
        'services.yaml': kubeList([service('default', 'productpage')]),
        'httproutes.yaml': kubeList([route('HTTPRoute', 'default', 'bookinfo', toIngress, { name: 'productpage' })]),
      },
    },
  ],
  invalid: [
    {
      name: 'the namespace label written unquoted `false` does not opt in',
      files: { ...bookinfo({}), 'namespaces.yaml': handWrittenNamespaces('false') },
      findings: [{ subject: 'Service default/productpage' }],
    },
    {
      name: 'HTTPRoute on the ingress Gateway to a service bound through its namespace',
      files: bookinfo({}),
      findings: [{
        subject: 'Service default/productpage',
        message: /^Service default\/productpage uses a waypoint and is exposed through ingress by HTTPRoute default\/bookinfo, but neither it nor namespace default has istio\.io\/ingress-use-waypoint=true: ingress traffic skips the waypoint\.$/,
        evidence: ['httproutes.yaml:6', 'services.yaml:8'],
      }],
    },
    {
      name: 'GRPCRoute in the ingress namespace to a service in another namespace, labelled ingress-use-waypoint=false',
      files: {
        'gateways.yaml': kubeList([ingressGateway(), waypoint('echo', 'echo-waypoint')]),
        'namespaces.yaml': kubeList([namespace('echo'), namespace('ingress')]),
        'services.yaml': kubeList([service('echo', 'grpc-echo', { [USE]: 'echo-waypoint', [INGRESS]: 'false' })]),
        'grpcroutes.yaml': kubeList([route('GRPCRoute', 'ingress', 'grpc', { name: 'bookinfo-gateway' }, { name: 'grpc-echo', namespace: 'echo', port: 7070 })]),
      },
      findings: [{
        subject: 'Service echo/grpc-echo',
        message: /exposed through ingress by GRPCRoute ingress\/grpc, but it sets istio.io\/ingress-use-waypoint=false/,
        // the Service's labels: app (7), use-waypoint (8), ingress-use-waypoint (9); name on 10.
        evidence: ['grpcroutes.yaml:6', 'services.yaml:10'],
      }],
    },
  ],
});

ruleTester(wp018, {
  valid: [],
  invalid: [{
    name: 'no HTTPRoutes or GRPCRoutes captured: inconclusive',
    files: { ...gateways, 'services.yaml': kubeList([service('default', 'productpage')]) },
    findings: [{ status: 'inconclusive', message: /no HTTPRoute objects or GRPCRoute objects/ }],
  }],
});

describe('WP018 cases that once were bugs', () => {
  // istiod (services.go ingressUseWaypointFromLabels, failure-modes.md §1.5) reads the Service's label first and
  // falls back to the namespace's only when the Service has none, and parses the value with strconv.ParseBool.
  it('valid: ingress-use-waypoint "True" is true for strconv.ParseBool', () => {
    const findings = runRule(wp018, snapshotOf(bookinfo({}, { [INGRESS]: 'True' })));
    expect(findings.filter((f) => f.status === 'fail').map((f) => f.message)).toEqual([]);
  });
  it('invalid: the Service\'s ingress-use-waypoint=false overrides the namespace\'s true', () => {
    const findings = runRule(wp018, snapshotOf(bookinfo({ [INGRESS]: 'true' }, { [INGRESS]: 'false' })));
    expect(findings.map((f) => ({ subject: f.subject, status: f.status }))).toEqual([
      { subject: { kind: 'Service', namespace: 'default', name: 'productpage' }, status: 'fail' },
    ]);
  });
});
