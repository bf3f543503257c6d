import { policiesOf, resolveTargetRef } from '../../model/policies.js';
import { portProtocol, routesOf, servicePorts } from '../../model/routes.js';
import { bindingKey } from '../../model/snapshot.js';
import { chainsOf, serviceHost, waypointEnvoy } from '../../model/waypoint-config.js';
import type { KubeObject } from '../../parse/types.js';
import { evidence, subjectOf, type Evidence, type Rule } from '../types.js';
import { specEvidence } from '../wording.js';
import { meshParents } from './route-scope.js';
import { againstField, notSentThere } from '../corroboration.js';
import { fixOf, nameOf, nsOf, sh, word } from '../shell.js';
import { mergePatch, withChanges } from '../changes.js';

export const wp034: Rule = {
  meta: {
    id: 'WP034',
    title: 'Service port declared TCP: the waypoint does no HTTP processing on it',
    severity: 'error',
    description:
      'The waypoint builds an HTTP filter chain for a Service port only when the port is HTTP (appProtocol http, http2, grpc, ' +
      'kubernetes.io/h2c, or a name http-*, grpc-*) or unknown (then it sniffs). A port declared TCP (appProtocol tcp, name tcp-*, ' +
      'or https, tls, mongo...) gets only `inbound-vip|<port>|tcp|<host>`: HTTPRoutes on it are ignored, and HTTP rules of an ' +
      'ALLOW policy cannot match, so it denies.',
    detection:
      'Every waypoint-bound Service with an HTTPRoute or GRPCRoute attached, or an AuthorizationPolicy with HTTP attributes ' +
      'targeting it, on a port declared TCP; the waypoint\'s config dump, when captured, shows only the TCP chain for it.',
    fix: 'Name the port `http-<x>` (or `grpc-<x>`) or set `appProtocol: http` (grpc, kubernetes.io/h2c).',
    docs: 'https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/',
    needs: ['kube:Service'],
    needsAnyOf: ['kube:HTTPRoute', 'kube:GRPCRoute', 'kube:AuthorizationPolicy'],
  },
  check(snapshot, context) {
    const l7Users = new Map<string, { service: KubeObject; port?: number; what: Evidence }[]>();
    const add = (service: KubeObject, port: number | undefined, what: Evidence) => l7Users.set(bindingKey(service), [...(l7Users.get(bindingKey(service)) ?? []), { service, ...(port !== undefined ? { port } : {}), what }]);
    for (const route of routesOf(snapshot)) {
      if (route.object.kind !== 'HTTPRoute' && route.object.kind !== 'GRPCRoute') continue;
      for (const p of meshParents(snapshot, route)) if (p.object) add(p.object, p.ref.port, evidence(route.object.source, `${route.object.kind} ${route.object.name} routes it`));
    }
    for (const policy of policiesOf(snapshot, 'AuthorizationPolicy')) {
      if (policy.httpAttributes.length === 0) continue;
      for (const ref of policy.targetRefs) {
        const r = resolveTargetRef(snapshot, policy, ref);
        if (r.attaches && r.target && (r.target.kind === 'Service' || r.target.kind === 'ServiceEntry')) add(r.target, undefined, evidence(ref.source, `AuthorizationPolicy ${policy.object.name} applies HTTP rules (${policy.httpAttributes.join(', ')}) to it`));
      }
    }
    for (const users of l7Users.values()) {
      const { service } = users[0]!;
      const binding = snapshot.bindingOf.get(bindingKey(service));
      if (binding?.state !== 'bound') continue;
      const tcpPorts = servicePorts(service).filter((p) => portProtocol(p) === 'tcp' && (users.some((u) => u.port === undefined) || users.some((u) => u.port === Number(p['port'] ?? p['number']))));
      if (tcpPorts.length === 0) continue;
      const portNumbers = tcpPorts.map((p) => Number(p['port'] ?? p['number']));
      const items: Evidence[] = [specEvidence(service, 'ports', `port ${tcpPorts.map((p) => `${p['port'] ?? p['number']} (${p['appProtocol'] ? `appProtocol ${p['appProtocol']}` : p['name'] ? `name ${p['name']}` : `protocol ${p['protocol']}`})`).join(', ')}: TCP`), ...users.slice(0, 3).map((u) => u.what)];
      const waypoint = snapshot.waypoints.find((w) => w.namespace === binding.request?.namespace && w.name === binding.request?.name);
      const envoy = waypoint && waypointEnvoy(waypoint);
      if (envoy) {
        for (const c of chainsOf(envoy, serviceHost(service)).filter((c) => portNumbers.includes(c.port))) items.push(evidence(c.chain.source, `waypoint ${waypoint!.name}: chain ${c.chain.name} (${c.protocol})`));
      }
      context.report({
        subject: subjectOf(service),
        message: `${service.kind} ${service.namespace}/${service.name} port ${portNumbers.join(', ')} is declared TCP, so waypoint ${binding.request!.name} treats its traffic as TCP: the HTTP routes and HTTP policy rules attached to it do not apply (an HTTP ALLOW rule cannot match, so it denies).`,
        evidence: items,
        ...againstField(notSentThere(snapshot, service, binding.request!.name)),
        // A ServiceEntry port declares its protocol in `protocol`; a Service port in `appProtocol` (or its name).
        fix: withChanges(fixOf(service.kind === 'ServiceEntry' ? 'Declare the port HTTP: set its protocol to HTTP (or HTTP2, GRPC).' : 'Declare the port HTTP: name it http-<x> (or grpc-<x>), or set appProtocol: http.', tcpPorts.map((p) => {
          const index = servicePorts(service).indexOf(p);
          const patch = service.kind === 'ServiceEntry' ? [{ op: 'replace', path: `/spec/ports/${index}/protocol`, value: 'HTTP' }] : [{ op: 'replace', path: `/spec/ports/${index}/appProtocol`, value: 'http' }];
          return sh`kubectl patch ${service.kind === 'ServiceEntry' ? 'serviceentry' : 'service'} ${nameOf(service)} -n ${nsOf(service)} --type json -p ${word(JSON.stringify(patch))}`;
        })), mergePatch(service, { spec: { ports: servicePorts(service).map((p) => (tcpPorts.includes(p) ? (service.kind === 'ServiceEntry' ? { ...p, protocol: 'HTTP' } : { ...p, appProtocol: 'http' }) : p)) } })),
      });
    }
  },
};
