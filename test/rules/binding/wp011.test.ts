import { describe, expect, it } from 'vitest';
import { wp011 } from '../../../src/rules/binding/wp011-waypoint-not-reconciled.js';
import { runRule } from '../../../src/rules/engine.js';
import { gatewayClass, kubeList, namespace, pod, ruleTester, service, snapshotOf, waypoint } from '../rule-tester.js';

const REV = 'istio.io/rev';
const T = '2024-05-07T09:00:00Z';
const cond = (type: string, status: string, reason: string, message: string) => ({ lastTransitionTime: T, message, reason, status, type });
const istiod = (name: string, rev: string) => pod('istio-system', name, { app: 'istiod', [REV]: rev });

/** The CRD default status: no controller ever wrote this Gateway's status. */
const pending = (labels: Record<string, string> = {}, ns = 'default', name = 'waypoint', className = 'istio-waypoint') => ({
  ...waypoint(ns, name, labels, className),
  status: {
    conditions: [
      cond('Accepted', 'Unknown', 'Pending', 'Waiting for controller'),
      cond('Programmed', 'Unknown', 'Pending', 'Waiting for controller'),
    ],
  },
});
/** What istiod writes once it serves the Gateway. */
const reconciled = (labels: Record<string, string> = {}) => ({
  ...waypoint('default', 'waypoint', labels),
  status: {
    addresses: [{ type: 'Hostname', value: 'waypoint.default.svc.cluster.local' }],
    conditions: [
      cond('Accepted', 'True', 'Accepted', 'Resource accepted'),
      cond('Programmed', 'True', 'Programmed', 'Resource programmed, assigned to service(s) waypoint.default.svc.cluster.local:15008'),
    ],
  },
});

ruleTester(wp011, {
  valid: [
    {
      name: 'reconciled waypoint, default revision',
      files: {
        'gateways.yaml': kubeList([reconciled()]),
        'gatewayclasses.yaml': kubeList([gatewayClass('istio'), gatewayClass('istio-waypoint')]),
        'pods.yaml': kubeList([istiod('istiod-795d55fc6d-vqtjx', 'default')]),
      },
    },
    {
      name: 'Gateway revision matches a canary istiod in the bundle',
      files: {
        'gateways.yaml': kubeList([reconciled({ [REV]: 'canary' })]),
        'pods.yaml': kubeList([istiod('istiod-795d55fc6d-vqtjx', 'default'), istiod('istiod-canary-6c9f8d7b5-k2x4p', 'canary')]),
      },
    },
    {
      name: 'a revision label cannot be judged without istiod pods in the bundle',
      files: { 'gateways.yaml': kubeList([reconciled({ [REV]: 'canary' })]) },
    },
    {
      name: 'an ingress Gateway (class istio) nobody uses as a waypoint, still pending, is not this rule\'s business',
      files: {
        'gateways.yaml': kubeList([pending({}, 'ingress', 'bookinfo-gateway', 'istio')]),
        'services.yaml': kubeList([service('default', 'reviews')]),
      },
    },
  ],
  invalid: [
    {
      name: 'status still the CRD default ("Waiting for controller")',
      files: { 'gateways.yaml': kubeList([pending()]), 'pods.yaml': kubeList([istiod('istiod-795d55fc6d-vqtjx', 'default')]) },
      findings: [{
        subject: 'Gateway default/waypoint',
        message: /^No istiod reconciles waypoint default\/waypoint: its status is still the default \(Accepted Unknown, Pending: "Waiting for controller"\)\. It gets no Deployment/,
        // gateways.yaml:7 the Gateway's name; :21 the `type: Accepted` line of its first condition.
        evidence: ['gateways.yaml:7', 'gateways.yaml:21'],
      }],
    },
    {
      name: 'Gateway asks for a revision that was removed, and is pending',
      files: {
        'gateways.yaml': kubeList([pending({ [REV]: '1-25-0' })]),
        'pods.yaml': kubeList([istiod('istiod-1-26-2-7f6d9c8b5-xyz12', '1-26-2')]),
      },
      findings: [{
        subject: 'Gateway default/waypoint',
        message: /its status is still the default .*; it asks for istiod revision "1-25-0", but the istiods in the bundle serve 1-26-2\./,
        // one label line shifts everything by one: label on 7, name on 8, `type: Accepted` on 22.
        evidence: ['gateways.yaml:8', 'gateways.yaml:22', 'gateways.yaml:7'],
      }],
    },
    {
      name: 'the namespace selects a revision no istiod serves',
      files: {
        'namespaces.yaml': kubeList([namespace('default', { [REV]: 'canary' })]),
        // Never reconciled: no controller ever wrote a status.
        'gateways.yaml': kubeList([{ ...waypoint('default', 'waypoint'), status: {} }]),
        'pods.yaml': kubeList([istiod('istiod-795d55fc6d-vqtjx', 'default')]),
      },
      findings: [{ subject: 'Gateway default/waypoint', message: /asks for istiod revision "canary", but the istiods in the bundle serve default/, evidence: ['namespaces.yaml:8', 'gateways.yaml:7'] }],
    },
    {
      name: 'GatewayClasses captured, but no istio-waypoint class: ambient is not enabled in istiod',
      files: {
        'gateways.yaml': kubeList([{ ...waypoint('default', 'waypoint'), status: {} }]),
        'gatewayclasses.yaml': kubeList([gatewayClass('istio'), gatewayClass('istio-remote')]),
      },
      findings: [{ subject: 'Gateway default/waypoint', message: /there is no GatewayClass istio-waypoint, which istiod creates only when ambient is enabled/, evidence: ['gateways.yaml:7'] }],
    },
  ],
});

ruleTester(wp011, {
  valid: [],
  invalid: [{
    name: 'no Gateways captured: inconclusive',
    files: { 'pods.yaml': kubeList([istiod('istiod-795d55fc6d-vqtjx', 'default')]) },
    findings: [{ status: 'inconclusive', message: /no Gateway objects/ }],
  }],
});

describe('WP011 cases that once were bugs', () => {
  // istio.io/rev may name a revision TAG (`istioctl tag set prod-stable --revision 1-26-2`), which istiod serves
  // too (failure-modes.md §1.6, the rule's own description: "one of its revisions or tags"). The rule compares
  // only with istiod pods' revision labels, so it claims "No istiod reconciles" a Gateway whose status shows it
  // was reconciled (Accepted/Programmed True, status.addresses set).
  it('valid: namespace uses a revision tag; the Gateway is visibly reconciled', () => {
    const findings = runRule(wp011, snapshotOf({
      'namespaces.yaml': kubeList([namespace('default', { [REV]: 'prod-stable' })]),
      'gateways.yaml': kubeList([reconciled()]),
      'pods.yaml': kubeList([istiod('istiod-1-26-2-7f6d9c8b5-xyz12', '1-26-2')]),
    }));
    expect(findings.filter((f) => f.status === 'fail').map((f) => f.message)).toEqual([]);
  });
});
