/**
 * What controllers would write after a `create`, so that a created waypoint is judged on its
 * configuration and not on the status no controller had a chance to write yet. Only waypoint Gateways:
 * istiod deploys them and, once a pod is ready, writes `status.addresses` and `Programmed=True`. The
 * simulation takes that for granted and says so (an assumption a new capture must confirm).
 */
import { WAYPOINT_CLASSES, GATEWAY_NAME_LABEL } from '../model/objects.js';
import type { ParsedFile } from '../parse/index.js';
import type { KubeObject } from '../parse/types.js';
import type { Change } from '../rules/types.js';
import { applyChanges, createdTarget, WHAT_IF_FILE } from './apply.js';

const REDIRECTION = 'ambient.istio.io/redirection';

/**
 * istio-cni's part when a namespace is enrolled in ambient: it redirects the namespace's running pods
 * (no restart needed in ambient) and marks them `ambient.istio.io/redirection: enabled`. Pods with a
 * sidecar or `istio.io/dataplane-mode=none` stay out, as istio-cni leaves them.
 */
export function reconcileEnrollment(files: readonly ParsedFile[], changes: readonly Change[]): { files: ParsedFile[]; assumptions: string[] } {
  const enrolled = new Set(changes.filter((c) => c.op === 'set-label' && c.target.kind === 'Namespace' && c.key === 'istio.io/dataplane-mode' && c.value === 'ambient').map((c) => (c as { target: { name: string } }).target.name));
  if (enrolled.size === 0) return { files: [...files], assumptions: [] };
  const podsOut = new Set(changes.filter((c) => c.op === 'remove-label' && c.target.kind === 'Pod' && c.key === 'istio.io/dataplane-mode').map((c) => `${(c as { target: { namespace?: string; name: string } }).target.namespace}/${(c as { target: { name: string } }).target.name}`));
  const redirect: Change[] = [];
  const seen = new Set<string>();
  for (const f of files) {
    for (const pod of f.records.kubeObjects ?? []) {
      const key = `${pod.namespace}/${pod.name}`;
      if (pod.kind !== 'Pod' || !enrolled.has(pod.namespace ?? '') || seen.has(key)) continue;
      seen.add(key);
      if (pod.annotations['sidecar.istio.io/status'] !== undefined || pod.annotations[REDIRECTION] === 'enabled') continue;
      if (pod.labels['istio.io/dataplane-mode'] === 'none' && !podsOut.has(key)) continue;
      redirect.push({ op: 'set-annotation', target: { kind: 'Pod', namespace: pod.namespace ?? '', name: pod.name }, key: REDIRECTION, value: 'enabled' });
    }
  }
  const assumptions = [...enrolled].map((ns) => `istio-cni redirects the running pods of namespace ${ns} into ambient (${REDIRECTION}: enabled); confirm with: istioctl ztunnel-config workload --namespace ${ns}`);
  return { files: redirect.length ? applyChanges(files, redirect) : [...files], assumptions };
}

/** Fills in, in the created files, what istiod would; returns the assumptions made. */
export function reconcileCreated(files: ParsedFile[], changes: readonly Change[]): string[] {
  const assumptions: string[] = [];
  for (const change of changes) {
    if (change.op !== 'create') continue;
    const target = createdTarget(change.object);
    const file = files.find((f) => f.file === `${WHAT_IF_FILE}/${target.kind}/${target.namespace ?? ''}/${target.name}`);
    const gateway = file?.records.kubeObjects?.[0];
    if (!file || !gateway || gateway.kind !== 'Gateway' || !WAYPOINT_CLASSES.has(String(gateway.spec['gatewayClassName'] ?? ''))) continue;
    const ns = gateway.namespace ?? 'default';
    const host = `${gateway.name}.${ns}.svc.cluster.local`;
    const conditions = ['Accepted', 'Programmed'].map((type) => ({ type, status: 'True', reason: type, message: 'assumed by what-if', source: gateway.source }));
    gateway.status = { addresses: [{ type: 'Hostname', value: host }], conditions: conditions.map(({ source: _source, ...c }) => c) };
    gateway.conditions = conditions;
    file.records.kubeObjects = [gateway, waypointPod(gateway)];
    assumptions.push(`Gateway ${ns}/${gateway.name} is created and istiod makes it ready (a running pod, status.addresses ${host}, Programmed=True); confirm with: kubectl get gateway,pods -n ${ns} -l ${GATEWAY_NAME_LABEL}=${gateway.name}`);
  }
  return assumptions;
}

function waypointPod(gateway: KubeObject): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    name: `${gateway.name}-what-if`,
    namespace: gateway.namespace ?? 'default',
    labels: { [GATEWAY_NAME_LABEL]: gateway.name, 'gateway.istio.io/managed': 'istio.io-mesh-controller' },
    annotations: {},
    spec: {},
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
    source: gateway.source,
    labelSources: {},
    conditions: [{ type: 'Ready', status: 'True', source: gateway.source }],
  };
}
