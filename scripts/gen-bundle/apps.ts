/**
 * The application side of a generated cluster as the API server returns it: one Deployment and one Service per
 * app, and the app's pods, with what real objects carry (env, probes, resources, security context, projected
 * token volume, ownerReferences, status conditions and container statuses). Sized like real pods: about 3.4 KB of
 * `kubectl get -o yaml` each.
 */
import { lastApplied, notReady } from '../scenarios/edits.js';
import { containerId, imageDigest, safeString } from '../scenarios/bundle.js';
import { type Json, type JsonObject, type KubeObject, TOLERATIONS, apiAccessVolume, condition, podConditions, rvAt, uid } from './kube.js';
import { type PodRef, type Service, plusSeconds } from './plan.js';

const USE_WAYPOINT = 'istio.io/use-waypoint';

function appLabels(s: Service): Record<string, string> {
  return { app: s.name, version: 'v1' };
}

const probe = (path: string, delay: number, period: number): JsonObject => ({
  failureThreshold: 3, httpGet: { path, port: 8080, scheme: 'HTTP' }, initialDelaySeconds: delay, periodSeconds: period, successThreshold: 1, timeoutSeconds: 1,
});

/** The app container as the Deployment's template has it (defaults filled in by the API server). */
function container(s: Service): JsonObject {
  const field = (path: string): JsonObject => ({ fieldRef: { apiVersion: 'v1', fieldPath: path } });
  return {
    env: [
      { name: 'PORT', value: '8080' },
      ...(s.traits.downward ? [{ name: 'POD_NAME', valueFrom: field('metadata.name') }] : []),
    ],
    image: s.image,
    imagePullPolicy: 'IfNotPresent',
    ...(s.traits.probes ? { livenessProbe: { failureThreshold: 3, initialDelaySeconds: 10, periodSeconds: 10, successThreshold: 1, tcpSocket: { port: 8080 }, timeoutSeconds: 1 } } : {}),
    name: 'app',
    ports: [{ containerPort: 8080, name: 'http', protocol: 'TCP' }],
    ...(s.traits.probes ? { readinessProbe: probe('/readyz', 2, 5) } : {}),
    resources: s.traits.resources ? { requests: { cpu: '100m', memory: '128Mi' } } : {},
    ...(s.traits.hardened ? { securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true } } : {}),
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
  };
}

function podSpecDefaults(s: Service): JsonObject {
  return {
    dnsPolicy: 'ClusterFirst', restartPolicy: 'Always', schedulerName: 'default-scheduler', securityContext: {},
    serviceAccount: s.name, serviceAccountName: s.name, terminationGracePeriodSeconds: 30,
  };
}

const METRICS = { 'prometheus.io/port': '8080', 'prometheus.io/scrape': 'true' };

/** The pod template's annotations: what was applied, and what `kubectl rollout restart` added. */
function templateAnnotations(s: Service): Record<string, string> {
  return {
    ...(s.traits.metrics ? METRICS : {}),
    ...(s.restartedAt ? { 'kubectl.kubernetes.io/restartedAt': s.restartedAt } : {}),
  };
}

/** A running pod of the app's current ReplicaSet. */
export function appPod(seed: string, s: Service, p: PodRef, useWaypoint?: string): KubeObject {
  const c = container(s);
  const token = `kube-api-access-${safeString(`${seed}:${p.name}`, 5)}`;
  const mounts: JsonObject[] = [{ mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', name: token, readOnly: true }];
  const started = plusSeconds(p.ready, -2);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      annotations: { 'ambient.istio.io/redirection': 'enabled', ...templateAnnotations(s) },
      creationTimestamp: p.created,
      generateName: `${s.name}-${s.hash}-`,
      labels: { ...appLabels(s), 'pod-template-hash': s.hash, ...(useWaypoint ? { [USE_WAYPOINT]: useWaypoint } : {}) },
      name: p.name,
      namespace: p.namespace,
      ownerReferences: [{ apiVersion: 'apps/v1', blockOwnerDeletion: true, controller: true, kind: 'ReplicaSet', name: `${s.name}-${s.hash}`, uid: uid(seed, `rs:${p.namespace}/${s.name}-${s.hash}`) }],
      resourceVersion: rvAt(p.ready, s.index % 7),
      uid: uid(seed, `pod:${p.namespace}/${p.name}`),
    },
    spec: {
      containers: [{ ...c, volumeMounts: mounts }],
      ...podSpecDefaults(s),
      enableServiceLinks: true,
      nodeName: p.node.name,
      preemptionPolicy: 'PreemptLowerPriority',
      priority: 0,
      tolerations: TOLERATIONS,
      volumes: [apiAccessVolume(token)],
    },
    status: {
      conditions: podConditions(p.created, plusSeconds(p.created, 2), p.ready),
      containerStatuses: [{
        containerID: containerId(`${seed}:${p.namespace}/${p.name}/app`),
        image: s.image,
        imageID: `${s.image.replace(/:[^:]+$/, '')}@sha256:${imageDigest(s.image)}`,
        lastState: {},
        name: 'app',
        ready: true,
        restartCount: 0,
        started: true,
        state: { running: { startedAt: started } },
      }],
      hostIP: p.node.hostIp,
      hostIPs: [{ ip: p.node.hostIp }],
      phase: 'Running',
      podIP: p.ip,
      podIPs: [{ ip: p.ip }],
      qosClass: s.traits.resources ? 'Burstable' : 'BestEffort',
      startTime: p.created,
    },
  };
}

/** The app's Deployment, rolled once when it was restarted. */
export function appDeployment(seed: string, s: Service): KubeObject {
  const labels = appLabels(s);
  const generation = s.restartedAt ? 2 : 1;
  const replicas = s.pods.length;
  const applied = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { annotations: {}, labels, name: s.name, namespace: s.ns.name },
    spec: {
      replicas, selector: { matchLabels: { app: s.name, version: 'v1' } },
      template: { metadata: { ...(s.traits.metrics ? { annotations: METRICS } : {}), labels }, spec: { containers: [{ image: s.image, name: 'app' }], serviceAccountName: s.name } },
    },
  };
  const ready = s.pods.reduce((latest, p) => (p.ready > latest ? p.ready : latest), s.created);
  const rolled = s.restartedAt ?? s.created;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      annotations: { 'deployment.kubernetes.io/revision': String(generation), 'kubectl.kubernetes.io/last-applied-configuration': lastApplied(applied) },
      creationTimestamp: s.created, generation, labels, name: s.name, namespace: s.ns.name,
      resourceVersion: rvAt(ready, 1), uid: uid(seed, `deploy:${s.ns.name}/${s.name}`),
    },
    spec: {
      progressDeadlineSeconds: 600,
      replicas,
      revisionHistoryLimit: 10,
      selector: { matchLabels: { app: s.name, version: 'v1' } },
      strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' },
      template: {
        metadata: { ...(s.traits.metrics || s.restartedAt ? { annotations: templateAnnotations(s) } : {}), creationTimestamp: null, labels },
        spec: { containers: [container(s)], ...podSpecDefaults(s) },
      },
    },
    status: {
      availableReplicas: replicas,
      conditions: [
        { lastTransitionTime: ready, lastUpdateTime: ready, message: 'Deployment has minimum availability.', reason: 'MinimumReplicasAvailable', status: 'True', type: 'Available' },
        { lastTransitionTime: s.created, lastUpdateTime: plusSeconds(rolled, 9), message: `ReplicaSet "${s.name}-${s.hash}" has successfully progressed.`, reason: 'NewReplicaSetAvailable', status: 'True', type: 'Progressing' },
      ],
      observedGeneration: generation,
      readyReplicas: replicas,
      replicas,
      updatedReplicas: replicas,
    },
  };
}

/** The app's Service, with the binding istiod reports on it. */
export function appService(seed: string, s: Service): KubeObject {
  const labels: Record<string, string> = { app: s.name, service: s.name, ...(s.label ? { [USE_WAYPOINT]: s.label } : {}) };
  const ports: Json[] = s.ports.map((p) => ({ ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}), name: p.name, port: p.port, protocol: 'TCP', targetPort: p.targetPort }));
  const applied = {
    apiVersion: 'v1', kind: 'Service', metadata: { annotations: {}, labels, name: s.name, namespace: s.ns.name },
    spec: { ports: s.ports.map((p) => ({ ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}), name: p.name, port: p.port, targetPort: p.targetPort })), selector: { app: s.name } },
  };
  const conditions: JsonObject[] = [];
  if (s.waypoint && s.boundAt) {
    conditions.push(condition('istio.io/WaypointBound', 'True', 'WaypointAccepted', `Successfully attached to waypoint ${s.ns.name}/${s.waypoint.name}`, s.boundAt));
  } else if (s.label) {
    conditions.push(condition('istio.io/WaypointBound', 'False', 'WaypointIsNotReady', notReady(s.ns.name, s.label), plusSeconds(s.created, 900)));
  }
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied(applied) },
      creationTimestamp: s.created, labels, name: s.name, namespace: s.ns.name,
      resourceVersion: rvAt(s.boundAt ?? s.created, 2), uid: uid(seed, `svc:${s.ns.name}/${s.name}`),
    },
    spec: {
      clusterIP: s.vip, clusterIPs: [s.vip], internalTrafficPolicy: 'Cluster', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack',
      ports, selector: { app: s.name }, sessionAffinity: 'None', type: 'ClusterIP',
    },
    status: { ...(conditions.length ? { conditions } : {}), loadBalancer: {} },
  };
}
