/** Scenarios WP029-WP036: routing configuration a waypoint does not apply, or applies to a dead end. */
import { AN, type Bundle, GWS, type Refs, type Scenario, SVC, ZS } from './bundle.js';
import { at, lastApplied, nextRv } from './edits.js';
import { condition, httpRoute, istioObject, versionService } from './objects.js';
import { dumpOf, logOf } from './policy.js';

const HR = 'kubectl/httproutes.json';
const DR = 'kubectl/destinationrules.json';
const VS = 'kubectl/virtualservices.json';
const svcParent = (name: string, port?: number) => ({ group: '', kind: 'Service', name, ...(port ? { port } : {}) });

/** The reviews chain of the reviews waypoint still has only the route `default`. */
function onlyDefault(r: Refs, b: Bundle, service: string, gw: string): string {
  const dump = dumpOf(b, gw);
  const chain = `inbound-vip|9080|http|${service}.default.svc.cluster.local`;
  return `\`${gw}\`'s chain \`${chain}\` routes with the single route \`default\` (${r.route(dump, chain, 'default')}) to its own cluster, and its access log shows ROUTE_NAME \`default\` for every ${service} request (${r.line(logOf(b, gw), `${service}:9080`)} onwards).`;
}

export const routingScenarios: Scenario[] = [
  {
    name: 'wp029-parentref-without-group',
    expected: ['WP029'],
    title: 'WP029: an HTTPRoute\'s parentRef names a Service without `group: ""`',
    build(b) {
      versionService(b, 'v3', '10.43.101.33', at('09:22:40'));
      httpRoute(b, 'reviews-v3-only', { parentRefs: [{ kind: 'Service', name: 'reviews', port: 9080 }], rules: [{ backendRefs: [{ name: 'reviews-v3', port: 9080 }] }] }, at('09:23:20'), []);
    },
    doc: (r, b) => [
      `- HTTPRoute \`default/reviews-v3-only\` was applied with \`parentRefs: [{kind: Service, name: reviews, port: 9080}]\` and no \`group\` (see its last-applied-configuration, ${r.obj(HR, 'default', 'reviews-v3-only', 'last-applied-configuration')}). The API server defaulted the group to \`gateway.networking.k8s.io\` (${r.obj(HR, 'default', 'reviews-v3-only', '"group": "gateway.networking.k8s.io"')}), so the parent is a Gateway API "Service", which no controller handles.`,
      `- The route has no \`status\` at all: no parent entry from \`istio.io/gateway-controller\`. Its backend \`reviews-v3\` exists (${r.obj(SVC, 'default', 'reviews-v3', '"name": "reviews-v3"')}; ztunnel ${r.row(ZS, 'default', 'reviews-v3')}).`,
      `- Nothing is routed to v3 only: ${onlyDefault(r, b, 'reviews', 'reviews-svc-waypoint')} The requests still go to v1, v2 and v3 in turn.`,
    ],
  },
  {
    name: 'wp030-route-on-waypoint-gateway',
    expected: ['WP030'],
    title: 'WP030: an HTTPRoute is attached to the waypoint Gateway instead of the Service',
    build(b) {
      versionService(b, 'v3', '10.43.101.33', at('09:22:40'));
      const parent = { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'reviews-svc-waypoint' };
      httpRoute(b, 'reviews-to-v3', { parentRefs: [parent], rules: [{ backendRefs: [{ name: 'reviews-v3', port: 9080 }] }] }, at('09:23:22'), [
        { ref: parent, accepted: { reason: 'NotAllowedByListeners', message: 'kind gateway.networking.k8s.io/v1/HTTPRoute is not allowed' } },
      ]);
    },
    doc: (r, b) => [
      `- HTTPRoute \`default/reviews-to-v3\` has \`parentRefs: [{kind: Gateway, name: reviews-svc-waypoint}]\` (${r.obj(HR, 'default', 'reviews-to-v3', '"name": "reviews-svc-waypoint"')}): routes attach to a waypoint through the Service, never through its Gateway.`,
      `- istiod: \`Accepted\` False, reason \`NotAllowedByListeners\`, \`kind gateway.networking.k8s.io/v1/HTTPRoute is not allowed\` (${r.obj(HR, 'default', 'reviews-to-v3', 'NotAllowedByListeners')}); the waypoint's HBONE listener supports no route kinds (\`supportedKinds: []\`) and still counts \`attachedRoutes: 0\` (${r.obj(GWS, 'default', 'reviews-svc-waypoint', 'attachedRoutes: 0')}). \`istioctl analyze\` 1.26 reports no route conditions, so it is clean.`,
      `- ${onlyDefault(r, b, 'reviews', 'reviews-svc-waypoint')}`,
    ],
  },
  {
    name: 'wp031-route-parent-not-found',
    expected: ['WP031'],
    title: 'WP031: an HTTPRoute\'s parent Service does not exist',
    build(b) {
      const parent = svcParent('rating', 9080);
      httpRoute(b, 'ratings-timeout', { parentRefs: [parent], rules: [{ backendRefs: [{ name: 'ratings', port: 9080 }], timeouts: { request: '2s' } }] }, at('09:23:24'), [
        { ref: parent, accepted: { reason: 'NoMatchingParent', message: 'parent service: "rating" not found' }, waypoints: 'parent not found' },
      ]);
    },
    doc: (r, b) => [
      `- HTTPRoute \`default/ratings-timeout\` (a 2s timeout for ratings) names the parent Service \`rating\` (${r.obj(HR, 'default', 'ratings-timeout', '"name": "rating"')}), a typo for \`ratings\`.`,
      `- istiod: \`Accepted\` False, reason \`NoMatchingParent\`, \`parent service: "rating" not found\` (${r.obj(HR, 'default', 'ratings-timeout', 'NoMatchingParent')}); \`ResolvedWaypoints\` stays True with the message \`parent not found\` (${r.obj(HR, 'default', 'ratings-timeout', 'parent not found')}). \`istioctl analyze\` 1.26 does not report route conditions (its condition analyzer covers Services, ServiceEntries and AuthorizationPolicies), so it is clean.`,
      `- The namespace waypoint routes ratings with \`default\` only (${r.route(dumpOf(b, 'waypoint'), 'inbound-vip|9080|http|ratings.default.svc.cluster.local', 'default')}): no timeout applies.`,
    ],
  },
  {
    name: 'wp032-parentref-port-mismatch',
    expected: ['WP032'],
    title: 'WP032: an HTTPRoute\'s parentRef port is not a port of the Service',
    build(b) {
      const parent = svcParent('productpage', 9081);
      httpRoute(b, 'productpage-timeout', { parentRefs: [parent], rules: [{ backendRefs: [{ name: 'productpage', port: 9080 }], timeouts: { request: '10s' } }] }, at('09:23:26'), [{ ref: parent }]);
    },
    doc: (r, b) => [
      `- HTTPRoute \`default/productpage-timeout\` attaches to Service productpage with \`port: 9081\` (${r.obj(HR, 'default', 'productpage-timeout', '"port": 9081')}); productpage only has port 9080 (${r.obj(SVC, 'default', 'productpage', '"port": 9080')}).`,
      `- istiod accepts it (\`Accepted\` True, ${r.obj(HR, 'default', 'productpage-timeout', 'Route was valid')}) but only for port 9081, which no chain serves: ${onlyDefault(r, b, 'productpage', 'waypoint')}`,
    ],
  },
  {
    name: 'wp033-backend-unresolved',
    expected: ['WP033', 'WP042'],
    title: 'WP033: an HTTPRoute sends to a backend Service that does not exist',
    build(b) {
      const parent = svcParent('reviews', 9080);
      httpRoute(b, 'reviews-v4', { parentRefs: [parent], rules: [{ backendRefs: [{ name: 'reviews-v4', port: 9080 }] }] }, at('09:23:28'), [
        { ref: parent, resolvedRefs: { reason: 'BackendNotFound', message: 'backend(reviews-v4.default.svc.cluster.local) not found' } },
      ]);
    },
    doc: (r, b) => {
      const dump = dumpOf(b, 'reviews-svc-waypoint');
      const log = logOf(b, 'reviews-svc-waypoint');
      return [
        `- HTTPRoute \`default/reviews-v4\` on Service reviews sends everything to \`reviews-v4\` (${r.obj(HR, 'default', 'reviews-v4', '"name": "reviews-v4"', 2)}), which does not exist. istiod accepts the route but reports \`ResolvedRefs\` False, \`BackendNotFound\`, \`backend(reviews-v4.default.svc.cluster.local) not found\` (${r.obj(HR, 'default', 'reviews-v4', 'BackendNotFound')}).`,
        `- The reviews waypoint programs it: route \`default.reviews-v4.0\` (${r.line(dump, '"name": "default.reviews-v4.0"')}) to cluster \`outbound|9080||reviews-v4.default.svc.cluster.local\` (${r.line(dump, '"cluster": "outbound|9080||reviews-v4.default.svc.cluster.local"')}), which is not among its clusters, with \`cluster_not_found_response_code: INTERNAL_SERVER_ERROR\`.`,
        `- Every reviews request fails: \`500 NC cluster_not_found\` (${r.line(log, '500 NC cluster_not_found')} onwards, ${r.count(log, '500 NC cluster_not_found')} lines); productpage renders without reviews.`,
      ];
    },
  },
  {
    name: 'wp034-tcp-port',
    expected: ['WP034'],
    title: 'WP034: a waypoint-bound Service port is declared TCP, so the waypoint does no HTTP',
    build(b) {
      const ratings = b.get('services', 'default', 'ratings');
      const applied = JSON.parse(ratings.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
      applied.spec.ports = [{ appProtocol: 'tcp', name: 'tcp-9080', port: 9080 }];
      ratings.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'] = lastApplied(applied);
      ratings.metadata.resourceVersion = nextRv();
      ratings.spec.ports = [{ appProtocol: 'tcp', name: 'tcp-9080', port: 9080, protocol: 'TCP', targetPort: 9080 }];
      const parent = svcParent('ratings', 9080);
      httpRoute(b, 'ratings-timeout', { parentRefs: [parent], rules: [{ backendRefs: [{ name: 'ratings', port: 9080 }], timeouts: { request: '2s' } }] }, at('09:23:30'), [{ ref: parent }]);
    },
    doc: (r, b) => {
      const dump = dumpOf(b, 'waypoint');
      return [
        `- Service ratings' only port is \`name: tcp-9080\`, \`appProtocol: tcp\` (${r.obj(SVC, 'default', 'ratings', '"appProtocol": "tcp"')}). HTTPRoute \`default/ratings-timeout\` on it is accepted (${r.obj(HR, 'default', 'ratings-timeout', 'Route was valid')}).`,
        `- The namespace waypoint has only a TCP chain for ratings, \`inbound-vip|9080|tcp|ratings.default.svc.cluster.local\` (${r.exact(dump, '"name": "inbound-vip|9080|tcp|ratings.default.svc.cluster.local"')}), a \`tcp_proxy\` with no HTTP filters and no routes, so the route's timeout (and any L7 policy) can never apply; there is no \`|http|\` chain for ratings.`,
        `- The access log shows ratings as TCP connections (\`"- - -" 0\` on cluster \`inbound-vip|9080|tcp|ratings...\`, ${r.line(logOf(b, 'waypoint'), 'inbound-vip|9080|tcp|ratings')} onwards). \`istioctl analyze\` says nothing: the port name follows the convention.`,
      ];
    },
  },
  {
    name: 'wp035-virtualservice-not-applied',
    expected: ['WP035'],
    title: 'WP035: a VirtualService for a waypoint-bound Service is bound to a gateway, not to `mesh`',
    build(b) {
      const subsets = ['v1', 'v2', 'v3'].map((v) => ({ labels: { version: v }, name: v }));
      istioObject(b, 'destinationrules', 'DestinationRule', 'networking.istio.io/v1', 'default', 'reviews', { host: 'reviews', subsets }, at('09:23:31'));
      istioObject(b, 'virtualservices', 'VirtualService', 'networking.istio.io/v1', 'default', 'reviews', {
        gateways: ['bookinfo-gateway'], hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v3' } }] }],
      }, at('09:23:32'));
      b.addAnalyze('Error', 'IST0101', 'VirtualService default/reviews', 'Referenced gateway not found: "bookinfo-gateway"');
    },
    doc: (r, b) => [
      `- VirtualService \`default/reviews\` for \`hosts: [reviews]\` sends everything to subset \`v3\` (${r.obj(VS, 'default', 'reviews', '"subset": "v3"')}), with \`gateways: [bookinfo-gateway]\` and no \`mesh\` (${r.obj(VS, 'default', 'reviews', '"bookinfo-gateway"')}). DestinationRule \`default/reviews\` defines subsets v1, v2, v3 (${r.obj(DR, 'default', 'reviews', '"subsets"')}).`,
      `- \`bookinfo-gateway\` is a Gateway API Gateway, not an Istio \`networking.istio.io\` Gateway: \`istioctl analyze\` reports \`Error [IST0101] ... Referenced gateway not found: "bookinfo-gateway"\` (${r.line(AN, 'IST0101')}) and exits with \`Error: Analyzers found issues\` (${r.line(AN, 'Error: Analyzers found issues')}).`,
      `- Without \`mesh\`, waypoints ignore the VirtualService: the reviews waypoint has the DestinationRule's subset clusters (${r.line(dumpOf(b, 'reviews-svc-waypoint'), '"name": "inbound-vip|9080|http/v3|reviews.default.svc.cluster.local"')}) but ${onlyDefault(r, b, 'reviews', 'reviews-svc-waypoint').replace(/^`reviews-svc-waypoint`'s/, 'its')} v1 and v2 still get traffic.`,
    ],
  },
  {
    name: 'wp036-destinationrule-subset-no-pods',
    expected: ['WP036', 'WP042'],
    title: 'WP036: a DestinationRule subset used by the waypoint selects no pods',
    build(b) {
      const subsets = ['v1', 'v2', 'v3', 'v4'].map((v) => ({ labels: { version: v }, name: v }));
      istioObject(b, 'destinationrules', 'DestinationRule', 'networking.istio.io/v1', 'default', 'reviews', { host: 'reviews', subsets }, at('09:23:33'));
      istioObject(b, 'virtualservices', 'VirtualService', 'networking.istio.io/v1', 'default', 'reviews', {
        hosts: ['reviews'],
        http: [{ name: 'reviews-canary', route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 60 }, { destination: { host: 'reviews', subset: 'v4' }, weight: 40 }] }],
      }, at('09:23:34'));
      b.addAnalyze('Error', 'IST0173', 'DestinationRule default/reviews', 'The Subset v4 defined in the DestinationRule does not select any pods, which may lead to 503 UH (NoHealthyUpstream).');
    },
    doc: (r, b) => {
      const log = logOf(b, 'reviews-svc-waypoint');
      const dump = dumpOf(b, 'reviews-svc-waypoint');
      return [
        `- DestinationRule \`default/reviews\` has a subset \`v4\` with \`version: v4\` (${r.obj(DR, 'default', 'reviews', '"v4"')}); no reviews pod has that label. VirtualService \`default/reviews\` (bound to \`mesh\` by default) sends 40% of reviews traffic to it (${r.obj(VS, 'default', 'reviews', '"weight": 40')}).`,
        `- \`istioctl analyze\`: \`Error [IST0173] (DestinationRule default/reviews) The Subset v4 defined in the DestinationRule does not select any pods, which may lead to 503 UH (NoHealthyUpstream).\` (${r.line(AN, 'IST0173')}).`,
        `- The reviews waypoint applies the VirtualService: route \`reviews-canary\` (${r.line(dump, '"name": "reviews-canary"')}) splits between \`inbound-vip|9080|http/v1|...\` and \`inbound-vip|9080|http/v4|reviews.default.svc.cluster.local\`, whose endpoints are empty (${r.line(dump, '"cluster_name": "inbound-vip|9080|http/v4|reviews.default.svc.cluster.local"')}).`,
        `- Those requests fail: \`503 UH no_healthy_upstream\` on \`inbound-vip|9080|http/v4|reviews.default.svc.cluster.local\` (${r.line(log, '503 UH no_healthy_upstream')} onwards, ${r.count(log, '503 UH')} lines).`,
      ];
    },
  },
];
