import { wp024 } from '../../../src/rules/policy/wp024-targetrefs-not-bound.js';
import { authorizationPolicy, kubeList, ruleTester, waypoint } from '../rule-tester.js';
import { cluster } from './cluster.js';

const GET = { rules: [{ to: [{ operation: { methods: ['GET'] } }] }] };
const ref = (kind: string, name: string, group = '', namespace?: string) => ({ targetRefs: [{ kind, group, name, ...(namespace ? { namespace } : {}) }], ...GET });
const accepted = { type: 'WaypointAccepted', status: 'True', reason: 'Accepted', message: 'bound to default/waypoint' };
const notFound = { type: 'WaypointAccepted', status: 'False', reason: 'TargetNotFound', message: 'not bound: Service default/detail was not found' };

ruleTester(wp024, {
  valid: [
    { name: 'Service bound to a waypoint', files: cluster([authorizationPolicy('default', 'p', ref('Service', 'ratings'), [accepted])]) },
    { name: 'the waypoint Gateway', files: cluster([authorizationPolicy('default', 'p', ref('Gateway', 'waypoint', 'gateway.networking.k8s.io'))]) },
    { name: 'GatewayClass istio-waypoint from the root namespace', files: cluster([authorizationPolicy('istio-system', 'p', ref('GatewayClass', 'istio-waypoint', 'gateway.networking.k8s.io'))]) },
    {
      name: 'an ingress Gateway (a valid ingress policy)',
      files: cluster([authorizationPolicy('istio-ingress', 'p', ref('Gateway', 'public', 'gateway.networking.k8s.io'))], { 'gw2.yaml': kubeList([waypoint('istio-ingress', 'public', {}, 'istio')]) }),
    },
  ],
  invalid: [
    { name: 'a Service that does not exist, with istiod\'s TargetNotFound', files: cluster([authorizationPolicy('default', 'details-viewer', ref('Service', 'detail'), [notFound])]), findings: [{ subject: 'AuthorizationPolicy default/details-viewer', message: /no Service default\/detail in the bundle/ }] },
    { name: 'a Service without waypoint', files: cluster([authorizationPolicy('legacy', 'inv', ref('Service', 'inventory'))]), findings: [{ subject: 'AuthorizationPolicy legacy/inv', message: /Service legacy\/inventory is not bound to a waypoint/ }] },
    { name: 'a targetRef namespace other than the policy\'s', files: cluster([authorizationPolicy('legacy', 'x', ref('Service', 'ratings', '', 'default'))]), findings: [{ subject: 'AuthorizationPolicy legacy/x', message: /differs from the policy's namespace legacy/ }] },
    { name: 'kind Service with the Gateway API group', files: cluster([authorizationPolicy('default', 'x', ref('Service', 'ratings', 'gateway.networking.k8s.io'))]), findings: [{ subject: 'AuthorizationPolicy default/x', message: /use group ""/ }] },
    { name: 'kind Gateway without group', files: cluster([authorizationPolicy('default', 'x', ref('Gateway', 'waypoint'))]), findings: [{ subject: 'AuthorizationPolicy default/x', message: /needs group gateway\.networking\.k8s\.io/ }] },
    { name: 'GatewayClass from an application namespace', files: cluster([authorizationPolicy('default', 'x', ref('GatewayClass', 'istio-waypoint', 'gateway.networking.k8s.io'))]), findings: [{ subject: 'AuthorizationPolicy default/x', message: /only attaches from the root namespace istio-system/ }] },
  ],
});
