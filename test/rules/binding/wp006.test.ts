import { describe, expect, it } from 'vitest';
import { wp006 } from '../../../src/rules/binding/wp006-invalid-waypoint-for.js';
import { runRule } from '../../../src/rules/engine.js';
import { tabwrite } from '../../helpers.js';
import { gatewayClass, kubeList, pod, ruleTester, service, snapshotOf, waypoint } from '../rule-tester.js';

const FOR = 'istio.io/waypoint-for';
const USE = 'istio.io/use-waypoint';
const POD = 'reviews-v2-6f9b55c5db-c94m2';

/** A waypoint with `metadata.annotations` (kubectl prints them before labels). */
const annotatedWaypoint = (ns: string, name: string, annotations: Record<string, string>, labels: Record<string, string> = {}) => ({
  ...waypoint(ns, name, labels),
  metadata: { annotations: { ...annotations }, labels: { ...labels }, name, namespace: ns },
});

ruleTester(wp006, {
  valid: [
    {
      name: 'every valid value, on Gateways and on the GatewayClass',
      files: {
        'gateways.yaml': kubeList([
          waypoint('default', 'a', { [FOR]: 'service' }),
          waypoint('default', 'b', { [FOR]: 'workload' }),
          waypoint('default', 'c', { [FOR]: 'all' }),
          waypoint('default', 'd', { [FOR]: 'none' }),
        ]),
        'gatewayclasses.yaml': kubeList([gatewayClass('istio-waypoint')]),
      },
    },
    {
      name: 'no waypoint-for anywhere: the default (service) applies',
      files: { 'gateways.yaml': kubeList([waypoint('default', 'waypoint')]) },
    },
    {
      name: 'a leftover pre-1.22 annotation next to a valid label is harmless',
      files: { 'gateways.yaml': kubeList([annotatedWaypoint('default', 'waypoint', { [FOR]: 'workload' }, { [FOR]: 'workload' })]) },
    },
  ],
  invalid: [
    {
      name: 'capitalised value on the Gateway accepts nothing; the pod bound to it gets no waypoint',
      files: {
        'pods.yaml': kubeList([pod('default', POD, { app: 'reviews', [USE]: 'reviews-v2-pod-waypoint' })]),
        'gateways.yaml': kubeList([waypoint('default', 'reviews-v2-pod-waypoint', { [FOR]: 'Workload' })]),
        'zw.txt': tabwrite([
          ['NAMESPACE', 'POD NAME', 'ADDRESS', 'NODE', 'WAYPOINT', 'PROTOCOL'],
          ['default', POD, '10.244.1.17', 'ambient-worker', 'None', 'HBONE'],
        ], 1),
      },
      findings: [{
        subject: 'Gateway default/reviews-v2-pod-waypoint',
        message: new RegExp(`^Gateway default/reviews-v2-pod-waypoint has istio\\.io/waypoint-for=Workload, which is not a valid value: the waypoint accepts no traffic, so ${POD} get no waypoint\\.$`),
        evidence: ['gateways.yaml:7', 'zw.txt:2'],
      }],
    },
    {
      name: 'waypoint-for set as an annotation (pre-1.22 style) is ignored',
      files: { 'gateways.yaml': kubeList([annotatedWaypoint('default', 'waypoint', { [FOR]: 'workload' })]) },
      findings: [{
        subject: 'Gateway default/waypoint',
        message: /^Gateway default\/waypoint sets istio\.io\/waypoint-for as an annotation, which Istio ignores .*the default, service, applies\.$/,
        // annotations (6-7), labels: {} (8), name (9)
        evidence: ['gateways.yaml:9'],
      }],
    },
    {
      name: 'a typo on the GatewayClass silently affects every unlabelled waypoint of the class',
      files: {
        'services.yaml': kubeList([service('default', 'reviews', { [USE]: 'waypoint' })]),
        'gateways.yaml': kubeList([waypoint('default', 'waypoint'), waypoint('default', 'own', { [FOR]: 'service' })]),
        'gatewayclasses.yaml': kubeList([gatewayClass('istio-waypoint', { [FOR]: 'all-traffic' })]),
      },
      findings: [{
        subject: 'GatewayClass istio-waypoint',
        message: /^GatewayClass istio-waypoint has istio\.io\/waypoint-for=all-traffic, which is not a valid value: the waypoint accepts no traffic, so reviews get no waypoint\.$/,
        evidence: ['gatewayclasses.yaml:7'],
      }],
    },
  ],
});

ruleTester(wp006, {
  valid: [],
  invalid: [{
    name: 'no Gateways captured: inconclusive',
    files: { 'gatewayclasses.yaml': kubeList([gatewayClass('istio-waypoint', { [FOR]: 'services' })]) },
    findings: [{ status: 'inconclusive', message: /no Gateway objects/ }],
  }],
});

describe('WP006 cases that once were bugs', () => {
  // failure-modes.md WP006 "Detect": "GatewayClass istio-waypoint carrying a waypoint-for label that silently
  // changes the default". The rule only reports invalid values and annotations, so a valid value on the class is missed.
  it('invalid: GatewayClass istio-waypoint with a valid waypoint-for silently changes the default of every waypoint', () => {
    const findings = runRule(wp006, snapshotOf({
      'services.yaml': kubeList([service('default', 'reviews', { [USE]: 'waypoint' })]),
      'gateways.yaml': kubeList([waypoint('default', 'waypoint')]),
      'gatewayclasses.yaml': kubeList([gatewayClass('istio-waypoint', { [FOR]: 'workload' })]),
    }));
    expect(findings.map((f) => ({ subject: f.subject, status: f.status }))).toEqual([
      { subject: { kind: 'GatewayClass', name: 'istio-waypoint' }, status: 'fail' },
    ]);
  });
});
