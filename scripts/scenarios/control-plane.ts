/** Scenarios WP037-WP039: control plane and data plane state. */
import type { K } from './serializers.js';
import { PODS, PS, type Scenario, VER, VERJ, GWS, NSS, imageDigest, uuid } from './bundle.js';
import { AGENT, SERVER, at, clone, newPod, nextRv, replaceProxyPod, rollDeployment, waypointPodName } from './edits.js';

export const controlPlaneScenarios: Scenario[] = [
  {
    name: 'wp037-waypoint-not-synced',
    expected: ['WP037'],
    title: 'WP037: a waypoint is not in sync with istiod',
    build(b) {
      const ap = b.get('authorizationpolicies', 'default', 'productpage-viewer');
      ap.metadata.creationTimestamp = at('09:26:52');
      ap.status.conditions[0].lastTransitionTime = at('09:26:53');
      for (const row of b.ps.rows) for (let i = 2; i < 7; i++) row[i] = row[i]!.replace('(14m)', '(12m)');
      const wp = b.psRow(`${waypointPodName(b, 'waypoint')}.default`);
      wp[2] = 'STALE (12m)';
      wp[4] = 'STALE (12m)';
      b.lastPush = at('09:26:53');
    },
    edit(b) {
      // The waypoint acknowledged the listeners of that push, not its clusters and endpoints: those stay at the
      // previous push (the guard policy, 09:24:18).
      const dump = b.dumps.get(`config-dumps/default/${waypointPodName(b, 'waypoint')}.json`);
      const version = '2025-10-14T09:24:18Z/26';
      for (const c of dump.configs as K[]) {
        if (c['@type'].endsWith('ClustersConfigDump')) {
          c.version_info = version;
          for (const e of c.dynamic_active_clusters) Object.assign(e, { version_info: version, last_updated: '2025-10-14T09:24:18.412Z' });
        }
        if (c['@type'].endsWith('EndpointsConfigDump')) for (const e of c.dynamic_endpoint_configs) Object.assign(e, { version_info: version, last_updated: '2025-10-14T09:24:18.412Z' });
      }
    },
    doc: (r, b) => [
      `- istiod's last push went out at 09:26:53 (AuthorizationPolicy \`productpage-viewer\` created, ${r.obj('kubectl/authorizationpolicies.json', 'default', 'productpage-viewer', '"creationTimestamp"')}), 12 minutes before the capture. Every proxy acknowledged it except the namespace waypoint, which shows CDS \`STALE (12m)\` and EDS \`STALE (12m)\` (${r.row(PS, `${waypointPodName(b, 'waypoint')}.default`)}; header on line 1). Its LDS is \`SYNCED (12m)\`; RDS and ECDS \`IGNORED\` are normal for a waypoint.`,
      `- The waypoint's config dump agrees: its listeners carry the version of that push (${r.line(`config-dumps/default/${waypointPodName(b, 'waypoint')}.json`, '"version_info": "2025-10-14T09:26:53Z/27"')}), its clusters and endpoints the one before (${r.line(`config-dumps/default/${waypointPodName(b, 'waypoint')}.json`, '"version_info": "2025-10-14T09:24:18Z/26"')}).`,
    ],
  },
  {
    name: 'wp038-version-skew',
    expected: ['WP038'],
    title: 'WP038: ztunnel is two minor versions behind istiod',
    build(b) {
      const ds = '1.24.3';
      for (const pod of b.items('pods').filter((p) => p.metadata.name.startsWith('ztunnel-'))) {
        pod.metadata.labels['app.kubernetes.io/version'] = ds;
        pod.metadata.labels['helm.sh/chart'] = `ztunnel-${ds}`;
        pod.metadata.labels['controller-revision-hash'] = 'd7bc8f9c5';
        pod.spec.containers[0].image = `docker.io/istio/ztunnel:${ds}`;
        const cs = pod.status.containerStatuses[0];
        cs.image = `docker.io/istio/ztunnel:${ds}`;
        cs.imageID = `docker.io/istio/ztunnel@sha256:${imageDigest(`ztunnel:${ds}`)}`;
        b.psRow(`${pod.metadata.name}.istio-system`)[8] = ds;
        b.version.dataPlaneVersion.find((p: K) => p.ID === `${pod.metadata.name}.istio-system`).IstioVersion = ds;
      }
    },
    doc: (r) => [
      `- istiod is 1.26.2 (${r.line(VER, 'control plane')}), but the ztunnel DaemonSet was left on 1.24.3: both ztunnel pods run \`docker.io/istio/ztunnel:1.24.3\` (${r.obj(PODS, 'istio-system', 'ztunnel-9f46c', '"image": "docker.io/istio/ztunnel:1.24.3"')}) from chart \`ztunnel-1.24.3\`.`,
      `- proxy-status shows VERSION \`1.24.3\` for them (${r.row(PS, 'ztunnel-8j9n9.istio-system')}, ${r.row(PS, 'ztunnel-9f46c.istio-system')}); \`istioctl version\` prints \`data plane version: 1.24.3 (2 proxies), 1.26.2 (4 proxies)\` (${r.line(VER, 'data plane')}; versions sorted as istioctl sorts them) and \`version.json\` lists each proxy (${r.line(VERJ, '"IstioVersion": "1.24.3"')}). ztunnel supports a control plane at most one minor version newer.`,
    ],
  },
  {
    name: 'wp039-unexpected-istiod-revision',
    expected: ['WP039'],
    title: 'WP039: the waypoint is served by an unexpected istiod revision',
    build(b) {
      // A canary control plane (same version) installed with `--set revision=canary`.
      const istiod = b.get('deployments', 'istio-system', 'istiod');
      const canary = clone(istiod);
      const relabel = (labels: K) => Object.assign(labels, { istio: 'istiod', 'istio.io/rev': 'canary' });
      Object.assign(canary.metadata, { name: 'istiod-canary', creationTimestamp: at('09:07:30'), resourceVersion: '611', uid: uuid('deploy:istio-system/istiod-canary') });
      canary.metadata.annotations['meta.helm.sh/release-name'] = 'istiod-canary';
      relabel(canary.metadata.labels);
      relabel(canary.spec.template.metadata.labels);
      canary.spec.selector.matchLabels = { app: 'istiod', 'istio.io/rev': 'canary' };
      const tpl = canary.spec.template.spec;
      tpl.serviceAccount = tpl.serviceAccountName = 'istiod-canary';
      tpl.containers[0].env.find((e: K) => e.name === 'REVISION').value = 'canary';
      const oldPod = b.get('pods', 'istio-system', 'istiod-nd49fnlq5d-mnsrx');
      const pod = newPod(oldPod, { deployment: 'istiod-canary', node: AGENT, ip: '10.42.1.3', created: at('09:07:31'), ready: at('09:07:39') });
      relabel(pod.metadata.labels);
      pod.metadata.resourceVersion = '607';
      pod.spec.serviceAccount = pod.spec.serviceAccountName = 'istiod-canary';
      pod.spec.containers[0].env.find((e: K) => e.name === 'REVISION').value = 'canary';
      Object.assign(canary.status.conditions.find((c: K) => c.type === 'Available'), { lastTransitionTime: at('09:07:39'), lastUpdateTime: at('09:07:39') });
      Object.assign(canary.status.conditions.find((c: K) => c.type === 'Progressing'), {
        lastTransitionTime: at('09:07:30'), lastUpdateTime: at('09:07:39'), message: `ReplicaSet "${pod.metadata.ownerReferences[0].name}" has successfully progressed.`,
      });
      b.add('deployments', canary);
      b.add('pods', pod);
      const svc = clone(b.get('services', 'istio-system', 'istiod'));
      Object.assign(svc.metadata, { name: 'istiod-canary', creationTimestamp: at('09:07:30'), resourceVersion: '598', uid: uuid('svc:istio-system/istiod-canary') });
      relabel(svc.metadata.labels);
      svc.spec.clusterIP = '10.43.77.15';
      svc.spec.clusterIPs = ['10.43.77.15'];
      svc.spec.selector = { app: 'istiod', 'istio.io/rev': 'canary' };
      b.add('services', svc);
      b.zs.rows.push(['istio-system', 'istiod-canary', '10.43.77.15', 'None', '1/1']);
      b.zw.rows.push(['istio-system', pod.metadata.name, '10.42.1.3', AGENT, 'None', 'TCP']);
      const info = b.version.meshVersion[0].Info;
      b.version.meshVersion.unshift({ Component: 'pilot', Revision: 'canary', Info: clone(info) });

      // While testing the canary, someone pointed the namespace waypoint's proxy at it through the
      // Gateway's infrastructure annotations (no istio.io/rev anywhere), and forgot to remove it.
      const proxyConfig = '{"discoveryAddress":"istiod-canary.istio-system.svc:15012"}';
      const gw = b.get('gateways', 'default', 'waypoint');
      gw.spec.infrastructure = { annotations: { 'proxy.istio.io/config': proxyConfig } };
      gw.metadata.generation = 2;
      gw.metadata.resourceVersion = nextRv();
      for (const c of [...gw.status.conditions, ...gw.status.listeners[0].conditions]) c.observedGeneration = 2;
      const dep = b.get('deployments', 'default', 'waypoint');
      dep.metadata.annotations['proxy.istio.io/config'] = proxyConfig;
      dep.spec.template.metadata.annotations['proxy.istio.io/config'] = proxyConfig;
      const old = b.get('pods', 'default', waypointPodName(b, 'waypoint'));
      const wp = newPod(old, { deployment: 'waypoint', node: SERVER, ip: '10.42.0.17', created: at('09:23:51'), ready: at('09:23:56') });
      wp.metadata.annotations['proxy.istio.io/config'] = proxyConfig;
      rollDeployment(dep, wp, at('09:23:56'));
      replaceProxyPod(b, old, wp);
      b.psRow(`${wp.metadata.name}.default`)[7] = pod.metadata.name;
    },
    doc: (r, b) => {
      const canary = b.items('pods').find((p) => p.metadata.name.startsWith('istiod-canary-')).metadata.name;
      const wp = waypointPodName(b, 'waypoint');
      return [
        `- Two control planes run: the default revision \`istiod-nd49fnlq5d-mnsrx\` and a canary \`${canary}\` (label \`istio.io/rev: canary\`, ${r.obj(PODS, 'istio-system', canary, '"istio.io/rev"')}; \`version.json\` lists both revisions, ${r.line(VERJ, '"Revision": "canary"')}).`,
        `- Neither namespace \`default\` (${r.obj(NSS, undefined, 'default', 'labels:')}) nor Gateway \`default/waypoint\` (${r.obj(GWS, 'default', 'waypoint', 'name: waypoint')}) has an \`istio.io/rev\` label, so the waypoint belongs to the default revision, which also deployed it (pod annotation \`istio.io/rev: default\`, ${r.obj(PODS, 'default', wp, '"istio.io/rev"')}).`,
        `- Yet proxy-status shows the waypoint pod \`${wp}\` connected to the canary (ISTIOD \`${canary}\`, ${r.row(PS, `${wp}.default`)}), while every other proxy uses \`istiod-nd49fnlq5d-mnsrx\`. The cause is in the Gateway: \`spec.infrastructure.annotations\` sets \`proxy.istio.io/config\` with \`discoveryAddress: istiod-canary...\` (${r.obj(GWS, 'default', 'waypoint', 'proxy.istio.io/config')}), copied to the pod (${r.obj(PODS, 'default', wp, 'proxy.istio.io/config')}). The waypoint gets its configuration from a control plane whose config may differ.`,
      ];
    },
  },
];
