import { wp035 } from '../../../src/rules/routing/wp035-virtualservice.js';
import { httpRoute, kubeList, ruleTester } from '../rule-tester.js';
import { cluster } from '../policy/cluster.js';

const vs = (ns: string, name: string, spec: object) => ({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace: ns }, spec });
const toV2 = { route: [{ destination: { host: 'reviews', subset: 'v2' } }] };
const withVs = (...items: object[]) => cluster([], { 'virtualservices.yaml': kubeList(items) });

ruleTester(wp035, {
  valid: [
    { name: 'a mesh VirtualService in the Service\'s namespace', files: withVs(vs('default', 'reviews', { hosts: ['reviews'], http: [toV2] })) },
    { name: 'gateways including mesh', files: withVs(vs('default', 'reviews', { hosts: ['reviews.default.svc.cluster.local'], gateways: ['mesh', 'istio-ingress/public'], http: [toV2] })) },
    { name: 'a Service no waypoint serves', files: withVs(vs('istio-ingress', 'inv', { hosts: ['inventory.legacy.svc.cluster.local'], http: [{ match: [{ sourceLabels: { app: 'x' } }], route: [{ destination: { host: 'inventory.legacy.svc.cluster.local' } }] }] })) },
  ],
  invalid: [
    {
      name: 'in a third namespace',
      files: withVs(vs('legacy', 'reviews', { hosts: ['reviews.default.svc.cluster.local'], http: [toV2] })),
      findings: [{ subject: 'VirtualService legacy/reviews', message: /a waypoint only reads VirtualServices of the Service's \(default\) or its own \(default\) namespace/ }],
    },
    { name: 'gateways without mesh', files: withVs(vs('default', 'reviews', { hosts: ['reviews'], gateways: ['bookinfo-gateway'], http: [toV2] })), findings: [{ subject: 'VirtualService default/reviews', message: /do not include mesh/ }] },
    { name: 'sourceLabels matches', files: withVs(vs('default', 'reviews', { hosts: ['reviews'], http: [{ match: [{ sourceLabels: { app: 'productpage' } }], ...toV2 }] })), findings: [{ subject: 'VirtualService default/reviews', message: /sourceLabels\/sourceNamespace matches are dropped/ }] },
    {
      name: 'an HTTPRoute on the same Service',
      files: cluster([], { 'virtualservices.yaml': kubeList([vs('default', 'reviews', { hosts: ['reviews'], http: [toV2] })]), 'httproutes.yaml': kubeList([httpRoute('default', 'reviews', [{ group: '', kind: 'Service', name: 'reviews' }], [{ name: 'reviews' }])]) }),
      findings: [{ subject: 'VirtualService default/reviews', message: /HTTPRoute reviews also routes this Service/ }],
    },
  ],
});
