import { condition, gatewayAddresses, isPodReady, isWaypointGateway, podProblem, GATEWAY_NAME_LABEL } from '../../model/objects.js';
import { objectsIn, objectsOf } from '../../model/snapshot.js';
import { evidence, subjectOf, type Evidence, type Rule } from '../types.js';
import { listNames } from '../wording.js';
import { againstField, servedMeanwhile } from '../corroboration.js';
import { fixOf, labelValue, nsOf, sh } from '../shell.js';

export const wp002: Rule = {
  meta: {
    id: 'WP002',
    title: 'Waypoint exists but is not ready (no status.addresses)',
    severity: 'error',
    description:
      'istiod ignores a waypoint Gateway until its `status.addresses` is set, which happens once its Deployment has a ready ' +
      'pod. Until then every Service or Pod bound to it is `WaypointIsNotReady` and its traffic bypasses the waypoint: ' +
      'ztunnel sends it straight to the destination, without any L7 policy. Programmed=True does not prove the pods are ready.',
    detection:
      'For every Gateway of class istio-waypoint that a controller has accepted, reports it when `status.addresses` is empty, with the state of its pods (label gateway.networking.k8s.io/gateway-name).',
    fix: 'Make the waypoint Deployment run a ready pod (image pull, resources, quota, pod security, node selectors).',
    docs: 'https://istio.io/latest/docs/ambient/usage/waypoint/',
    needs: ['kube:Gateway'],
    readsRuntimeState: true,
  },
  check(snapshot, context) {
    for (const gateway of objectsOf(snapshot, 'Gateway')) {
      if (!isWaypointGateway(gateway) || gatewayAddresses(gateway).length > 0) continue;
      // A Gateway no controller has seen yet is WP011's finding, not this one.
      if (condition(gateway, 'Accepted')?.status === 'Unknown') continue;
      const pods = objectsIn(snapshot, 'Pod', gateway.namespace ?? '').filter((p) => p.labels[GATEWAY_NAME_LABEL] === gateway.name);
      const items: Evidence[] = [evidence(gateway.source, 'Gateway has no status.addresses: istiod has not seen a ready waypoint pod')];
      for (const pod of pods) items.push(evidence(pod.source, `waypoint pod ${pod.name}: ${isPodReady(pod) ? 'ready' : podProblem(pod)}`));
      const bound = snapshot.bindings.filter((b) => b.gateway === gateway).map((b) => b.subject);
      const podsText = !snapshot.captured.has('kube:Pod') ? '' : pods.length === 0 ? ' It has no pod.' : ` Its pod${pods.length > 1 ? 's' : ''}: ${pods.map((p) => `${p.name} (${isPodReady(p) ? 'ready' : podProblem(p)})`).join(', ')}.`;
      context.report({
        subject: subjectOf(gateway),
        message: `Waypoint ${gateway.namespace}/${gateway.name} is not ready: it has no status.addresses, so istiod binds nothing to it and ` +
          `traffic of ${bound.length ? `${listNames(bound)}` : 'the objects that use it'} goes straight to the destination.${podsText}`,
        evidence: items,
        ...againstField(servedMeanwhile(snapshot, gateway.namespace ?? '', gateway.name)),
        fix: fixOf('Make the waypoint Deployment run a ready pod (image pull, resources, quota, pod security, node selectors), then wait for Programmed.', [
          sh`kubectl get deployment,pods -n ${nsOf(gateway)} -l ${GATEWAY_NAME_LABEL}=${labelValue(gateway.name, "the Gateway's name")}`,
          sh`kubectl describe pods -n ${nsOf(gateway)} -l ${GATEWAY_NAME_LABEL}=${labelValue(gateway.name, "the Gateway's name")}`,
        ]),
      });
    }
  },
};
