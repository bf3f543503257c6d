import { wp029 } from '../../../src/rules/routing/wp029-parentref-group.js';
import { httpRoute, kubeList, routeParentStatus, ruleTester, type RefSpec } from '../rule-tester.js';
import { cluster } from '../policy/cluster.js';

const REVIEWS = { name: 'reviews', port: 9080 };
const routes = (...items: object[]) => cluster([], { 'httproutes.yaml': kubeList(items) });
const accepted = (parent: RefSpec) => routeParentStatus(parent, [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: 'Route was valid' }]);

ruleTester(wp029, {
  valid: [
    { name: 'kind Service with group ""', files: routes(httpRoute('default', 'reviews', [{ group: '', kind: 'Service', ...REVIEWS }], [{ name: 'reviews' }], [accepted({ group: '', kind: 'Service', ...REVIEWS })])) },
    { name: 'kind ServiceEntry with group networking.istio.io', files: routes(httpRoute('default', 'ext', [{ group: 'networking.istio.io', kind: 'ServiceEntry', name: 'httpbin-ext' }], [{ name: 'reviews' }])) },
    { name: 'an ingress Gateway parent with the group omitted (the default is right for a Gateway)', files: routes(httpRoute('istio-ingress', 'public', [{ name: 'public' }], [{ name: 'reviews', namespace: 'default' }])) },
    {
      name: 'the same route as JSON, as kubectl get -o json prints it',
      files: cluster([], { 'httproutes.json': JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [httpRoute('default', 'reviews', [{ group: '', kind: 'Service', ...REVIEWS }], [{ name: 'reviews' }])] }, null, 4) }),
    },
  ],
  invalid: [
    {
      name: 'kind Service with group omitted, as users write it',
      files: routes(httpRoute('default', 'reviews', [{ kind: 'Service', ...REVIEWS }], [{ name: 'reviews' }])),
      findings: [{ subject: 'HTTPRoute default/reviews', message: /Service reviews with group "gateway\.networking\.k8s\.io", which Istio does not support/ }],
    },
    {
      name: 'the group the API server filled in, and no status from Istio',
      files: routes(httpRoute('default', 'reviews', [{ group: 'gateway.networking.k8s.io', kind: 'Service', ...REVIEWS }], [{ name: 'reviews' }])),
      findings: [{ subject: 'HTTPRoute default/reviews', message: /the route is ignored/ }],
    },
    {
      name: 'a GRPCRoute on a ServiceEntry with group ""',
      files: cluster([], { 'grpcroutes.yaml': kubeList([httpRoute('default', 'ext', [{ group: '', kind: 'ServiceEntry', name: 'httpbin-ext' }], [{ name: 'reviews' }], [], 'GRPCRoute')]) }),
      findings: [{ subject: 'GRPCRoute default/ext', message: /ServiceEntry httpbin-ext with group ""/ }],
    },
  ],
});
