import { wp012 } from '../../../src/rules/binding/wp012-not-a-waypoint-class.js';
import { kubeList, namespace, ruleTester, service, waypoint } from '../rule-tester.js';

const USE = 'istio.io/use-waypoint';

ruleTester(wp012, {
  valid: [
    {
      name: 'use-waypoint names an istio-waypoint Gateway',
      files: {
        'services.yaml': kubeList([service('default', 'reviews', { [USE]: 'waypoint' })]),
        'gateways.yaml': kubeList([waypoint('default', 'waypoint')]),
      },
    },
    {
      name: 'use-waypoint names an istio-agentgateway-waypoint Gateway',
      files: {
        'namespaces.yaml': kubeList([namespace('default', { [USE]: 'agw' })]),
        'services.yaml': kubeList([service('default', 'reviews')]),
        'gateways.yaml': kubeList([waypoint('default', 'agw', {}, 'istio-agentgateway-waypoint')]),
      },
    },
    {
      name: 'an ingress Gateway nobody names in use-waypoint',
      files: {
        'services.yaml': kubeList([service('default', 'productpage', { [USE]: 'waypoint' })]),
        'gateways.yaml': kubeList([waypoint('default', 'waypoint'), waypoint('default', 'bookinfo-gateway', {}, 'istio')]),
      },
    },
  ],
  invalid: [
    {
      name: 'service uses the ingress Gateway (class istio) as its waypoint',
      files: {
        'services.yaml': kubeList([service('default', 'reviews', { [USE]: 'bookinfo-gateway' })]),
        'gateways.yaml': kubeList([waypoint('default', 'bookinfo-gateway', {}, 'istio')]),
      },
      findings: [{
        subject: 'Service default/reviews',
        message: /^Service default\/reviews uses Gateway default\/bookinfo-gateway as its waypoint, but that Gateway is of class istio, not istio-waypoint \(affects reviews\)\.$/,
        evidence: ['services.yaml:8', 'gateways.yaml:7'],
      }],
    },
    {
      name: 'namespace label names a Gateway of a third-party class: one finding for the namespace',
      files: {
        'namespaces.yaml': kubeList([namespace('shop', { [USE]: 'kgw-waypoint' })]),
        'services.yaml': kubeList([service('shop', 'cart'), service('shop', 'checkout')]),
        'gateways.yaml': kubeList([waypoint('shop', 'kgw-waypoint', {}, 'kgateway-waypoint')]),
      },
      findings: [{
        subject: 'Namespace shop',
        message: /^Namespace shop uses Gateway shop\/kgw-waypoint as its waypoint, but that Gateway is of class kgateway-waypoint, not istio-waypoint \(affects cart, checkout\)\.$/,
        evidence: ['namespaces.yaml:8', 'gateways.yaml:7'],
      }],
    },
  ],
});

ruleTester(wp012, {
  valid: [],
  invalid: [{
    name: 'nothing that could carry use-waypoint was captured: inconclusive',
    files: { 'gateways.yaml': kubeList([waypoint('default', 'bookinfo-gateway', {}, 'istio')]) },
    findings: [{ status: 'inconclusive', message: /no Namespace objects or Service objects or Pod objects/ }],
  }],
});
