/** Scenarios WP021-WP028: L7 policy attachment (who enforces an AuthorizationPolicy, and with whose identity). */
import type { K } from './serializers.js';
import { AN, type Bundle, NSS, PODS, type Refs, type Scenario, ZW } from './bundle.js';
import { AGENT, addNamespace, at, clientDeployment, nextRv, waypointPodName } from './edits.js';
import { ZTUNNEL_HTTP_WARNING, authorizationPolicy, condition, istioObject, ztunnelAccepted } from './objects.js';

export const AP = 'kubectl/authorizationpolicies.json';
export const ZT_SERVER = 'logs/istio-system/ztunnel-9f46c.log';
export const ZT_AGENT = 'logs/istio-system/ztunnel-8j9n9.log';
export const dumpOf = (b: Bundle, gw: string, ns = 'default') => `config-dumps/${ns}/${waypointPodName(b, gw, ns)}.json`;
export const logOf = (b: Bundle, gw: string, ns = 'default') => `logs/${ns}/${waypointPodName(b, gw, ns)}.log`;
const REVIEWS_SA = 'cluster.local/ns/default/sa/bookinfo-reviews';
const REJECTED = 'allow policies exist, but none allowed';

/** The ratings calls a rejection at ratings' ztunnel turns into 503s at the namespace waypoint. */
function ratingsRejectedDoc(r: Refs, b: Bundle, policy: string): string[] {
  const wp = waypointPodName(b, 'waypoint');
  return [
    `- ratings' ztunnel (\`ztunnel-8j9n9\`, node agent-0) sees every connection from the waypoint, whose identity is \`spiffe://cluster.local/ns/default/sa/waypoint\`, and rejects it: \`error="connection closed due to policy rejection: ${REJECTED}"\` (${r.line(ZT_AGENT, REJECTED)} onwards, ${r.count(ZT_AGENT, REJECTED)} lines; \`src.workload="${wp}"\`).`,
    `- The waypoint answers reviews with \`503 UF upstream_reset_before_response_started{connection_termination}\` on cluster \`inbound-vip|9080|http|ratings.default.svc.cluster.local\` (${r.line(logOf(b, 'waypoint'), '503 UF')} onwards); reviews v2/v3 render "ratings unavailable". Nothing in the waypoint's config refers to \`${policy}\`: it never reaches the waypoint.`,
  ];
}

export const policyScenarios: Scenario[] = [
  {
    name: 'wp021-policy-selects-waypoint',
    expected: ['WP021'],
    title: 'WP021: an AuthorizationPolicy selects the waypoint\'s pods instead of targeting it',
    build(b) {
      authorizationPolicy(b, 'default', 'reviews-get-only', {
        action: 'ALLOW', rules: [{ to: [{ operation: { methods: ['GET'] } }] }],
        selector: { matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'reviews-svc-waypoint' } },
      }, at('09:23:12'), [ztunnelAccepted(at('09:23:12'), ZTUNNEL_HTTP_WARNING('methods'))]);
      b.addAnalyze('Warning', 'IST0166', 'AuthorizationPolicy default/reviews-get-only', 'Ineffective selector on Kubernetes Gateway reviews-svc-waypoint. Use the TargetRef field instead.');
    },
    doc: (r, b) => {
      const dump = dumpOf(b, 'reviews-svc-waypoint');
      return [
        `- AuthorizationPolicy \`default/reviews-get-only\` (ALLOW, \`methods: [GET]\`, ${r.obj(AP, 'default', 'reviews-get-only', '"GET"')}) has \`selector.matchLabels\` \`gateway.networking.k8s.io/gateway-name: reviews-svc-waypoint\` (${r.obj(AP, 'default', 'reviews-get-only', '"gateway.networking.k8s.io/gateway-name"')}) and no \`targetRefs\`. Waypoints never use selector policies: it is meant for the waypoint but only ztunnel gets it.`,
        `- istiod says so on the policy: \`ZtunnelAccepted\` True with reason \`UnsupportedValue\` and the message \`ztunnel does not support HTTP attributes (found: methods) ...\` (${r.obj(AP, 'default', 'reviews-get-only', 'ztunnel does not support HTTP attributes')}); \`istioctl analyze\` reports IST0166 \`Ineffective selector on Kubernetes Gateway reviews-svc-waypoint. Use the TargetRef field instead.\` (${r.line(AN, 'IST0166')}).`,
        `- ztunnel received it (\`istio.security.Authorization\` push, ${r.line(ZT_SERVER, 'istio.security.Authorization" size=1')}), but the pod it selects, \`${waypointPodName(b, 'reviews-svc-waypoint')}\`, is not captured (PROTOCOL \`TCP\`, ${r.row(ZW, 'default', waypointPodName(b, 'reviews-svc-waypoint'))}), so nobody enforces it.`,
        `- The reviews waypoint's config has no RBAC filter at all: its chain \`inbound-vip|9080|http|reviews.default.svc.cluster.local\` (${r.exact(dump, '"name": "inbound-vip|9080|http|reviews.default.svc.cluster.local"')}) has no \`envoy.filters.http.rbac\` among its HTTP filters, and \`${dump}\` holds no \`ns[default]-policy[reviews-get-only]\` key. Any method reaches reviews.`,
      ];
    },
  },
  {
    name: 'wp022-l7-rule-enforced-by-ztunnel',
    expected: ['WP021', 'WP022', 'WP042'],
    title: 'WP022: an ALLOW policy with an HTTP rule is enforced by ztunnel, which denies everything',
    build(b) {
      authorizationPolicy(b, 'default', 'ratings-get-only', {
        action: 'ALLOW', rules: [{ from: [{ source: { principals: [REVIEWS_SA] } }], to: [{ operation: { methods: ['GET'] } }] }],
        selector: { matchLabels: { app: 'ratings' } },
      }, at('09:23:14'), [ztunnelAccepted(at('09:23:14'), ZTUNNEL_HTTP_WARNING('methods'))]);
    },
    doc: (r, b) => [
      `- AuthorizationPolicy \`default/ratings-get-only\` selects the ratings pods (\`selector: {app: ratings}\`, ${r.obj(AP, 'default', 'ratings-get-only', '"app": "ratings"')}) and allows \`cluster.local/ns/default/sa/bookinfo-reviews\` with \`methods: [GET]\` (${r.obj(AP, 'default', 'ratings-get-only', '"GET"')}), without \`targetRefs\`: ratings is bound to the waypoint \`waypoint\`, which ignores it, and ztunnel enforces it.`,
      `- istiod's status: \`ZtunnelAccepted\` True, \`UnsupportedValue\`, \`... Within an ALLOW policy, rules matching HTTP attributes are omitted. This will be more restrictive than requested.\` (${r.obj(AP, 'default', 'ratings-get-only', 'Within an ALLOW policy')}). With its only rule omitted, the policy allows nothing. \`istioctl analyze\` is clean (the selector matches no waypoint pod).`,
      ...ratingsRejectedDoc(r, b, 'ratings-get-only'),
    ],
  },
  {
    name: 'wp023-l4-policy-denies-waypoint',
    expected: ['WP023', 'WP042'],
    title: 'WP023: an L4 policy at the destination allows the client but not the waypoint',
    build(b) {
      authorizationPolicy(b, 'default', 'ratings-from-reviews', {
        action: 'ALLOW', rules: [{ from: [{ source: { principals: [REVIEWS_SA] } }] }], selector: { matchLabels: { app: 'ratings' } },
      }, at('09:23:16'), [ztunnelAccepted(at('09:23:16'))]);
    },
    doc: (r, b) => [
      `- AuthorizationPolicy \`default/ratings-from-reviews\` selects the ratings pods (${r.obj(AP, 'default', 'ratings-from-reviews', '"app": "ratings"')}) and allows only \`cluster.local/ns/default/sa/bookinfo-reviews\` (${r.obj(AP, 'default', 'ratings-from-reviews', 'bookinfo-reviews')}). It is pure L4, so ztunnel enforces it as written: \`ZtunnelAccepted\` True, \`attached to ztunnel\` (${r.obj(AP, 'default', 'ratings-from-reviews', 'attached to ztunnel')}).`,
      `- But ratings is bound to the waypoint \`waypoint\` (${r.row('istioctl/ztunnel-config-service.txt', 'default', 'ratings')}): the connections reaching ratings come from the waypoint, with the waypoint's identity \`spiffe://cluster.local/ns/default/sa/waypoint\` (the waypoint's service account is named after its Gateway), never from reviews.`,
      ...ratingsRejectedDoc(r, b, 'ratings-from-reviews'),
    ],
  },
  {
    name: 'wp024-targetref-not-bound',
    expected: ['WP024'],
    title: 'WP024: an AuthorizationPolicy\'s targetRef names a Service that does not exist',
    build(b) {
      const message = 'Service default/detail was not found';
      authorizationPolicy(b, 'default', 'details-viewer', {
        action: 'ALLOW',
        rules: [{ from: [{ source: { principals: ['cluster.local/ns/default/sa/bookinfo-productpage'] } }], to: [{ operation: { methods: ['GET'] } }] }],
        targetRefs: [{ group: '', kind: 'Service', name: 'detail' }],
      }, at('09:23:18'), [condition('WaypointAccepted', 'False', 'TargetNotFound', message, at('09:23:19'))]);
      b.addAnalyze('Warning', 'IST0171', 'AuthorizationPolicy default/details-viewer', `A condition with a negative status is present: type=WaypointAccepted, reason=TargetNotFound, message=${message}.`);
    },
    doc: (r, b) => [
      `- AuthorizationPolicy \`default/details-viewer\` targets \`kind: Service, name: detail\` (${r.obj(AP, 'default', 'details-viewer', '"name": "detail"')}), a typo: the Service is \`details\`.`,
      `- istiod: \`WaypointAccepted\` False, reason \`TargetNotFound\`, \`Service default/detail was not found\` (${r.obj(AP, 'default', 'details-viewer', 'TargetNotFound')}); \`istioctl analyze\` IST0171 (${r.line(AN, 'AuthorizationPolicy default/details-viewer')}).`,
      `- Neither the waypoint (no RBAC on \`inbound-vip|9080|http|details.default.svc.cluster.local\`, ${r.exact(dumpOf(b, 'waypoint'), '"name": "inbound-vip|9080|http|details.default.svc.cluster.local"')}) nor ztunnel (policies with targetRefs are never sent to it) applies the policy: details stays open to every caller.`,
    ],
  },
  {
    name: 'wp025-mesh-deny-not-at-waypoint',
    expected: ['WP025'],
    title: 'WP025: a mesh-wide DENY policy is not applied by the waypoint',
    build(b) {
      authorizationPolicy(b, 'istio-system', 'deny-legacy', {
        action: 'DENY', rules: [{ from: [{ source: { namespaces: ['legacy'] } }] }],
      }, at('09:23:08'), [ztunnelAccepted(at('09:23:08'))]);
      addNamespace(b, 'legacy', at('09:22:40'), { 'istio.io/dataplane-mode': 'ambient' });
      const { pod } = clientDeployment(b, 'legacy', 'legacy-client', at('09:22:50'), at('09:22:55'), AGENT, '10.42.1.9', {});
      pod.metadata.annotations = { 'ambient.istio.io/redirection': 'enabled' };
      b.zw.rows.push(['legacy', pod.metadata.name, '10.42.1.9', AGENT, 'None', 'HBONE']);
      for (let m = 32; m <= 38; m++) b.traffic.push({ at: `2025-10-14T09:${m}:30.000Z`, from: pod.metadata.name, fromNs: 'legacy', to: 'details', port: 9080, path: '/details/1', ua: 'curl/8.11.1' });
    },
    doc: (r, b) => {
      const pod = b.items('pods').find((p) => p.metadata.name.startsWith('legacy-client-')).metadata.name;
      return [
        `- AuthorizationPolicy \`istio-system/deny-legacy\` lives in the root namespace without a selector (${r.obj(AP, 'istio-system', 'deny-legacy', '"name": "deny-legacy"')}) and denies \`from.source.namespaces: [legacy]\` (${r.obj(AP, 'istio-system', 'deny-legacy', '"legacy"')}): a mesh-wide L4 policy, \`ZtunnelAccepted\` True (${r.obj(AP, 'istio-system', 'deny-legacy', 'attached to ztunnel')}). No policy targets the \`istio-waypoint\` GatewayClass or a waypoint Gateway.`,
        `- Namespace \`legacy\` is ambient (${r.obj(NSS, undefined, 'legacy', 'dataplane-mode')}); its pod \`${pod}\` (${r.obj(PODS, 'legacy', pod, '"name": "' + pod)}, ztunnel ${r.row(ZW, 'legacy', pod)}) calls details every minute.`,
        `- Those calls go through the namespace waypoint, which has no policy for them, and details' ztunnel sees the waypoint's identity (\`src.identity="spiffe://cluster.local/ns/default/sa/waypoint"\`), in namespace \`default\`: the DENY never matches. The waypoint logs \`200\` for \`GET /details/1\` from \`10.42.1.9\` (${r.line(logOf(b, 'waypoint'), '/details/1')} onwards) and the client's ztunnel the outbound connections (${r.line(ZT_AGENT, 'src.workload="' + pod)} onwards).`,
      ];
    },
  },
  {
    name: 'wp026-no-require-waypoint-guard',
    expected: ['WP026'],
    title: 'WP026: no ztunnel policy requires traffic to come through the waypoint',
    build(b) {
      b.remove('authorizationpolicies', 'default', 'productpage-require-waypoint');
    },
    doc: (r) => [
      `- Service \`productpage\` has an L7 policy at its waypoint, \`productpage-viewer\` (targetRefs Service productpage, ${r.obj(AP, 'default', 'productpage-viewer', '"targetRefs"')}), but no policy with a selector admits only the waypoint at productpage's pods: the healthy sample's \`productpage-require-waypoint\` (ALLOW from \`cluster.local/ns/default/sa/waypoint\` and the ingress gateway) is not there, and ztunnel received no \`istio.security.Authorization\` (the only such line is its empty start-up response, ${r.line(ZT_SERVER, 'istio.security.Authorization')}).`,
      '- Everything else is healthy. But any path that skips the waypoint (a pod-IP call, a client outside the mesh, an ingress route, a waypoint outage) now reaches productpage without `productpage-viewer`; with the guard, ztunnel would reject it.',
    ],
  },
  {
    name: 'wp027-requestauthentication-selector',
    expected: ['WP026', 'WP027', 'WP042'],
    title: 'WP027: a RequestAuthentication with a selector is ignored by the waypoint',
    build(b) {
      istioObject(b, 'requestauthentications', 'RequestAuthentication', 'security.istio.io/v1', 'default', 'reviews-jwt', {
        jwtRules: [{ issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/.well-known/jwks.json' }],
        selector: { matchLabels: { app: 'reviews' } },
      }, at('09:23:20'));
      authorizationPolicy(b, 'default', 'reviews-require-jwt', {
        action: 'ALLOW', rules: [{ from: [{ source: { requestPrincipals: ['*'] } }] }], targetRefs: [{ group: '', kind: 'Service', name: 'reviews' }],
      }, at('09:23:21'), [condition('WaypointAccepted', 'True', 'Accepted', 'bound to default/reviews-svc-waypoint', at('09:23:22'))]);
      // The users' requests carry a token, which productpage forwards to reviews.
      for (const c of b.traffic) if (c.to === 'productpage') c.requestPrincipal = 'https://auth.example.com/jane';
    },
    doc: (r, b) => {
      const log = logOf(b, 'reviews-svc-waypoint');
      const dump = dumpOf(b, 'reviews-svc-waypoint');
      return [
        `- RequestAuthentication \`default/reviews-jwt\` validates tokens of \`https://auth.example.com\`, but with \`selector: {app: reviews}\` (${r.obj('kubectl/requestauthentications.json', 'default', 'reviews-jwt', '"app": "reviews"')}): only sidecars use selectors, and the reviews pods have none. The waypoint never gets a JWT filter (no \`envoy.filters.http.jwt_authn\` in \`${dump}\`).`,
        `- AuthorizationPolicy \`default/reviews-require-jwt\` targets Service reviews (${r.obj(AP, 'default', 'reviews-require-jwt', '"targetRefs"')}) and requires \`requestPrincipals: ["*"]\` (${r.obj(AP, 'default', 'reviews-require-jwt', 'requestPrincipals')}); it is bound (\`WaypointAccepted\` True, ${r.obj(AP, 'default', 'reviews-require-jwt', 'bound to default/reviews-svc-waypoint')}) and the reviews waypoint has it as \`ns[default]-policy[reviews-require-jwt]-rule[0]\` (${r.line(dump, 'ns[default]-policy[reviews-require-jwt]-rule[0]')}).`,
        `- Without the JWT filter no request ever has a request principal, so every call from productpage is denied: \`403 - rbac_access_denied_matched_policy[none]\` (${r.line(log, 'rbac_access_denied_matched_policy[none]')} onwards, ${r.count(log, 'rbac_access_denied_matched_policy[none]')} lines), although the users send valid tokens.`,
      ];
    },
  },
  {
    name: 'wp028-custom-action-at-ztunnel',
    expected: ['WP028'],
    title: 'WP028: a CUSTOM AuthorizationPolicy with a selector, which ztunnel cannot enforce',
    build(b) {
      const message = 'ztunnel does not support the CUSTOM action';
      authorizationPolicy(b, 'default', 'details-ext-authz', {
        action: 'CUSTOM', provider: { name: 'ext-authz-grpc' }, rules: [{ from: [{ source: { namespaces: ['default'] } }] }], selector: { matchLabels: { app: 'details' } },
      }, at('09:23:24'), [condition('ZtunnelAccepted', 'False', 'UnsupportedValue', message, at('09:23:25'))]);
      b.addAnalyze('Warning', 'IST0171', 'AuthorizationPolicy default/details-ext-authz', `A condition with a negative status is present: type=ZtunnelAccepted, reason=UnsupportedValue, message=${message}.`);
      const mesh: K = b.meshConfig();
      mesh.extensionProviders = [{ envoyExtAuthzGrpc: { port: 9000, service: 'ext-authz.default.svc.cluster.local' }, name: 'ext-authz-grpc' }];
      b.setMeshConfig(mesh);
      b.mesh.metadata.resourceVersion = nextRv();
    },
    doc: (r) => [
      `- AuthorizationPolicy \`default/details-ext-authz\` has \`action: CUSTOM\` with provider \`ext-authz-grpc\` (${r.obj(AP, 'default', 'details-ext-authz', '"CUSTOM"')}; the provider is in the mesh config, ${r.line('kubectl/configmap-istio.json', 'ext-authz-grpc')}) and \`selector: {app: details}\` (${r.obj(AP, 'default', 'details-ext-authz', '"app": "details"')}).`,
      `- istiod: \`ZtunnelAccepted\` False, \`UnsupportedValue\`, \`ztunnel does not support the CUSTOM action\` (${r.obj(AP, 'default', 'details-ext-authz', 'does not support the CUSTOM action')}); \`istioctl analyze\` IST0171 (${r.line(AN, 'details-ext-authz')}). ztunnel never gets it and the waypoint ignores selector policies: no external authorization happens for details.`,
    ],
  },
];
