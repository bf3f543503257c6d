import { ambientState, isInfrastructurePod, servicePods } from '../../model/objects.js';
import { getObject, objectsOf, type ClusterSnapshot } from '../../model/snapshot.js';
import { USE_WAYPOINT } from '../../model/waypoint.js';
import type { KubeObject } from '../../parse/types.js';
import { evidence, subjectOf, type Evidence, type Rule } from '../types.js';
import { fixOf, nameOf, nsOf, sh } from '../shell.js';
import { removeLabel, setLabel, withChanges } from '../changes.js';

/** Pods behind Services that are bound to a waypoint: traffic to them is meant to cross it. */
function destinationPods(snapshot: ClusterSnapshot): Map<KubeObject, string[]> {
  const pods = new Map<KubeObject, string[]>();
  for (const b of snapshot.bindings) {
    if (b.subject.kind !== 'Service' || b.state !== 'bound') continue;
    for (const pod of servicePods(snapshot, b.subject)) pods.set(pod, [...(pods.get(pod) ?? []), b.subject.name]);
  }
  return pods;
}

/** Namespaces whose traffic is meant to cross a waypoint: labelled, or holding a bound Service. */
function waypointNamespaces(snapshot: ClusterSnapshot): Set<string> {
  const namespaces = new Set<string>();
  for (const ns of objectsOf(snapshot, 'Namespace')) if (ns.labels[USE_WAYPOINT] && ns.labels[USE_WAYPOINT] !== 'none') namespaces.add(ns.name);
  for (const b of snapshot.bindings) if (b.state === 'bound' && b.subject.namespace) namespaces.add(b.subject.namespace);
  return namespaces;
}

function notInAmbientEvidence(snapshot: ClusterSnapshot, pod: KubeObject): Evidence[] {
  const items: Evidence[] = [evidence(pod.labelSources['istio.io/dataplane-mode'] ?? pod.source, `pod ${pod.name}`)];
  const row = snapshot.ztunnel.workloadByPod.get(`${pod.namespace}/${pod.name}`);
  if (row) items.push(evidence(row.source, `ztunnel shows PROTOCOL ${row.protocol || '(none)'}`));
  return items;
}

/** ztunnel's PROTOCOL column says TCP: istiod does not treat the pod as captured. */
function capturedAsTcp(snapshot: ClusterSnapshot, pod: KubeObject): boolean {
  return snapshot.ztunnel.workloadByPod.get(`${pod.namespace}/${pod.name}`)?.protocol === 'TCP';
}

export const wp015: Rule = {
  meta: {
    id: 'WP015',
    title: 'Client pod not in ambient: its traffic bypasses the waypoint',
    severity: 'error',
    description:
      'Only traffic leaving an ambient pod goes through ztunnel, and so through the destination\'s waypoint. A client that is ' +
      'not enrolled (no `istio.io/dataplane-mode=ambient` on it or its namespace, `dataplane-mode=none`, or not redirected by ' +
      'istio-cni) talks straight to the destination: no waypoint L7 policy applies to its requests.',
    detection:
      'For every pod (not mesh infrastructure) in a namespace whose traffic uses a waypoint and not behind a bound Service: reports it when it is not enrolled in ambient, not redirected by istio-cni, or listed by ztunnel with PROTOCOL TCP. Sidecar pods are WP017\'s.',
    fix: 'Label the namespace or pod `istio.io/dataplane-mode=ambient`; enforce waypoint-only access at the destination.',
    docs: 'https://istio.io/latest/docs/ambient/usage/add-workloads/',
    needs: ['kube:Pod', 'kube:Namespace'],
    readsRuntimeState: true,
  },
  check(snapshot, context) {
    const destinations = destinationPods(snapshot);
    const namespaces = waypointNamespaces(snapshot);
    for (const pod of objectsOf(snapshot, 'Pod')) {
      if (isInfrastructurePod(pod) || destinations.has(pod) || !namespaces.has(pod.namespace ?? '')) continue;
      if (pod.annotations['sidecar.istio.io/status'] !== undefined) continue; // WP017
      const state = ambientState(snapshot, pod);
      if (state.ambient && !capturedAsTcp(snapshot, pod)) continue;
      context.report({
        subject: subjectOf(pod),
        message: `Pod ${pod.namespace}/${pod.name} is not in ambient (${state.ambient ? 'ztunnel lists it with PROTOCOL TCP' : state.why}), in a namespace whose services use a waypoint: requests it sends skip the waypoint and its L7 policy.`,
        evidence: notInAmbientEvidence(snapshot, pod),
        fix: withChanges(fixOf('Enroll the client in ambient (namespace or pod label), and enforce "through the waypoint only" at the destination with an L4 policy allowing only the waypoint identity.', [
          sh`kubectl label namespace ${nsOf(pod)} istio.io/dataplane-mode=ambient`,
          ...(pod.labels['istio.io/dataplane-mode'] === 'none' ? [sh`kubectl label pod ${nameOf(pod)} -n ${nsOf(pod)} istio.io/dataplane-mode-`] : []),
        ]), { op: 'set-label', target: { kind: 'Namespace', name: pod.namespace ?? '' }, key: 'istio.io/dataplane-mode', value: 'ambient' },
        pod.labels['istio.io/dataplane-mode'] === 'none' ? removeLabel(pod, 'istio.io/dataplane-mode') : undefined),
      });
    }
  },
};

export const wp016: Rule = {
  meta: {
    id: 'WP016',
    title: 'Destination pod of a waypoint-bound service is not captured by ambient',
    severity: 'warning',
    description:
      'A pod behind a waypoint-bound Service whose own traffic is not redirected (PROTOCOL TCP in ztunnel, no ' +
      '`ambient.istio.io/redirection: enabled`) cannot be protected by its ztunnel: clients outside the mesh or with sidecars ' +
      'reach it directly, bypassing the waypoint, and the waypoint-to-pod hop is plain text.',
    detection:
      'For every pod selected by a waypoint-bound Service: reports it when it is not redirected by istio-cni or ztunnel lists it with PROTOCOL TCP.',
    fix: 'Restart the pod once istio-cni is healthy; check istio-cni\'s logs.',
    docs: 'https://istio.io/latest/docs/ambient/usage/troubleshoot-ztunnel/',
    needs: ['kube:Pod', 'kube:Service'],
    readsRuntimeState: true,
  },
  check(snapshot, context) {
    for (const [pod, services] of destinationPods(snapshot)) {
      if (isInfrastructurePod(pod)) continue;
      const state = ambientState(snapshot, pod);
      if (state.ambient && !capturedAsTcp(snapshot, pod)) continue;
      context.report({
        subject: subjectOf(pod),
        message: `Pod ${pod.namespace}/${pod.name}, behind waypoint-bound service${services.length > 1 ? 's' : ''} ${services.join(', ')}, is not captured by ambient (${state.ambient ? 'ztunnel lists it with PROTOCOL TCP' : state.why}).`,
        evidence: notInAmbientEvidence(snapshot, pod),
        fix: fixOf('Restart the pod once istio-cni is healthy so it gets redirected; check the istio-cni logs; remove a conflicting sidecar.istio.io/inject.', [
          sh`kubectl delete pod ${nameOf(pod)} -n ${nsOf(pod)}  # its controller recreates it`,
          sh`kubectl logs -n istio-system -l k8s-app=istio-cni-node --tail=100`,
        ]),
      });
    }
  },
};

export const wp017: Rule = {
  meta: {
    id: 'WP017',
    title: 'Sidecar clients bypass waypoints',
    severity: 'warning',
    description:
      'Sidecars are given ordinary endpoints, not waypoint ones (only ingress and east-west gateways call waypoints), so ' +
      'requests from sidecar-injected pods to a waypoint-bound service skip the waypoint\'s routes and policies.',
    detection:
      'When any Service is bound to a waypoint, reports each namespace holding sidecar-injected pods (annotation sidecar.istio.io/status).',
    fix: 'Move the clients to ambient, or enforce the policy at the destination too.',
    docs: 'https://istio.io/latest/docs/ambient/usage/waypoint/',
    needs: ['kube:Pod'],
    readsRuntimeState: true,
  },
  check(snapshot, context) {
    if (!snapshot.bindings.some((b) => b.state === 'bound' && b.trafficType === 'service')) return;
    const byNamespace = new Map<string, KubeObject[]>();
    for (const pod of objectsOf(snapshot, 'Pod')) {
      if (pod.annotations['sidecar.istio.io/status'] === undefined || isInfrastructurePod(pod)) continue;
      byNamespace.set(pod.namespace ?? '', [...(byNamespace.get(pod.namespace ?? '') ?? []), pod]);
    }
    for (const [namespace, pods] of byNamespace) {
      const ns = getObject(snapshot, 'Namespace', undefined, namespace);
      context.report({
        subject: ns ? subjectOf(ns) : { kind: 'Namespace', name: namespace },
        message: `${pods.length} sidecar pod${pods.length > 1 ? 's' : ''} in namespace ${namespace} (${pods.slice(0, 3).map((p) => p.name).join(', ')}${pods.length > 3 ? ', ...' : ''}): their requests to waypoint-bound services skip the waypoint.`,
        evidence: pods.slice(0, 5).map((p) => evidence(p.source, 'has sidecar.istio.io/status')),
        fix: withChanges(fixOf('Move these clients to ambient, or enforce the policy at the destination too (an L4 policy there, or a sidecar-side policy).', [
          sh`kubectl label namespace ${nsOf(namespace)} istio-injection- istio.io/dataplane-mode=ambient --overwrite  # then restart its pods`,
        ]), ...(ns ? [removeLabel(ns, 'istio-injection'), setLabel(ns, 'istio.io/dataplane-mode', 'ambient')] : [])),
      });
    }
  },
};
