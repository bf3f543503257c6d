import { wp036 } from '../../../src/rules/routing/wp036-destinationrule-subsets.js';
import { ambientPod, kubeList, ruleTester } from '../rule-tester.js';
import { cluster } from '../policy/cluster.js';

const dr = (ns: string, host: string, subsets: { name: string; labels: Record<string, string> }[]) => ({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: host.split('.')[0], namespace: ns }, spec: { host, subsets } });
const v2Pod = ambientPod('default', 'reviews-v2-7d79d5bd5d-mpsk2', { app: 'reviews', version: 'v2' });
const withDr = (rule: object, extra = {}) => cluster([], { 'more-pods.yaml': kubeList([v2Pod]), 'destinationrules.yaml': kubeList([rule]), ...extra });
const UH_LINE = '[2025-10-14T09:40:12.345Z] "GET /reviews/0 HTTP/1.1" 503 UH no_healthy_upstream - "-" 0 19 0 - "-" "python-requests/2.32.3" "a7f1c2d4-1b2c-9d8e-8f7a-0c1d2e3f4a5b" "reviews:9080" "-" inbound-vip|9080|http/v3|reviews.default.svc.cluster.local - 10.43.12.7:9080 10.42.1.9:52110 - default.reviews.0';

ruleTester(wp036, {
  valid: [
    { name: 'a subset matching a running pod', files: withDr(dr('default', 'reviews', [{ name: 'v2', labels: { version: 'v2' } }])) },
    { name: 'a Service no waypoint serves', files: withDr(dr('legacy', 'inventory', [{ name: 'v9', labels: { version: 'v9' } }])) },
    { name: 'a Service whose pods are not in the bundle', files: cluster([], { 'destinationrules.yaml': kubeList([dr('default', 'details', [{ name: 'v1', labels: { version: 'v1' } }])]) }) },
  ],
  invalid: [
    {
      name: 'a subset no pod has, with the waypoint\'s 503 UH line',
      files: withDr(dr('default', 'reviews.default.svc.cluster.local', [{ name: 'v2', labels: { version: 'v2' } }, { name: 'v3', labels: { version: 'v3' } }]), { 'waypoint.log': UH_LINE }),
      findings: [{ subject: 'DestinationRule default/reviews', message: /subset v3 selects no pod of Service default\/reviews/, evidence: ['waypoint.log:1'] }],
    },
  ],
});
