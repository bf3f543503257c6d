import { gatewayAddresses, isPodReady, isWaypointGateway, podProblem, GATEWAY_NAME_LABEL } from '../../model/objects.js';
import { objectsIn, objectsOf } from '../../model/snapshot.js';
import { evidence, subjectOf, type Evidence, type Rule } from '../types.js';
import { againstField, servedMeanwhile } from '../corroboration.js';
import { fixOf, labelValue, nsOf, sh } from '../shell.js';

export const wp003: Rule = {
  meta: {
    id: 'WP003',
    title: 'Waypoint was ready once, now has no healthy pod (traffic is blackholed)',
    severity: 'error',
    description:
      'Once a waypoint Gateway has `status.addresses`, istiod keeps binding to it even when its pods go away. ztunnel then ' +
      'sends bound traffic to a waypoint with no healthy endpoint: requests fail (no healthy upstream, connection timeouts ' +
      'on HBONE port 15008) instead of bypassing the waypoint. The ztunnel service row of the waypoint shows ENDPOINTS 0/N.',
    detection:
      'For every waypoint Gateway that has `status.addresses`, reports it when ztunnel shows its own Service with no healthy endpoint, or when none of its pods is Ready.',
    fix: 'Restore the waypoint pods; run at least two with a PodDisruptionBudget; allow TCP 15008 in NetworkPolicies.',
    docs: 'https://istio.io/latest/docs/ambient/usage/troubleshoot-waypoint/',
    needs: ['kube:Gateway'],
    readsRuntimeState: true,
    needsAnyOf: ['ztunnel-services', 'kube:Pod'],
  },
  check(snapshot, context) {
    for (const gateway of objectsOf(snapshot, 'Gateway')) {
      if (!isWaypointGateway(gateway) || gatewayAddresses(gateway).length === 0) continue;
      const items: Evidence[] = [];
      const row = snapshot.ztunnel.serviceByName.get(`${gateway.namespace}/${gateway.name}`);
      const noEndpoints = row?.endpoints !== undefined && row.endpoints.total > 0 && row.endpoints.healthy === 0;
      if (noEndpoints) items.push(evidence(row!.source, `ztunnel: waypoint service has ${row!.endpoints!.healthy}/${row!.endpoints!.total} healthy endpoints`));
      let noReadyPod = false;
      if (snapshot.captured.has('kube:Pod')) {
        const pods = objectsIn(snapshot, 'Pod', gateway.namespace ?? '').filter((p) => p.labels[GATEWAY_NAME_LABEL] === gateway.name);
        noReadyPod = !pods.some(isPodReady);
        if (noReadyPod) for (const pod of pods) items.push(evidence(pod.source, `waypoint pod ${pod.name}: ${podProblem(pod)}`));
      }
      if (!noEndpoints && !noReadyPod) continue;
      items.unshift(evidence(gateway.source, `Gateway still has status.addresses ${gatewayAddresses(gateway).join(', ')}`));
      context.report({
        subject: subjectOf(gateway),
        message: `Waypoint ${gateway.namespace}/${gateway.name} has no healthy pod but is still bound: traffic sent to it fails instead of being served.`,
        evidence: items,
        ...againstField(servedMeanwhile(snapshot, gateway.namespace ?? '', gateway.name)),
        fix: fixOf('Restore the waypoint pods (and run at least two, with a PodDisruptionBudget); allow TCP 15008 in NetworkPolicies.', [
          sh`kubectl get pods -n ${nsOf(gateway)} -l ${GATEWAY_NAME_LABEL}=${labelValue(gateway.name, "the Gateway's name")}`,
          sh`kubectl logs -n ${nsOf(gateway)} -l ${GATEWAY_NAME_LABEL}=${labelValue(gateway.name, "the Gateway's name")} --previous`,
        ]),
      });
    }
  },
};
