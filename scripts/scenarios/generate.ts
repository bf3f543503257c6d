/**
 * Regenerates a bundle's waypoint config dumps and its waypoint and ztunnel logs from its objects and traffic.
 * The healthy sample's files are written by this (see base.ts), and every scenario runs it after its edits, so a
 * scenario's dumps and logs show what its objects imply; a scenario then edits them as data if its fault lives in
 * them.
 */
import type { K } from './serializers.js';
import { Bundle } from './bundle.js';
import { ROOT_NS, podReady, waypoints } from './cluster.js';
import { waypointDump } from './envoy-dump.js';
import type { Leaf } from './certs.js';
import { proxyStart } from './envoy.js';
import { type LogLine, waypointStart, ztunnelStart } from './proxy-logs.js';
import { Simulation, baseTraffic } from './traffic.js';

/** A bundle read from a folder, with the base traffic of the capture window. */
export function loadBundle(dir: string): Bundle {
  const b = new Bundle(dir);
  b.traffic = baseTraffic();
  return b;
}

export const accessLogOn = (b: Bundle) => {
  const file = b.meshConfig().accessLogFile;
  return typeof file === 'string' && file !== '';
};

const proxyRunning = (pod: K) => !!pod.status.containerStatuses?.[0]?.state?.running;
const proxyCrashing = (pod: K) => !!pod.status.containerStatuses?.[0]?.lastState?.terminated && !proxyRunning(pod);

/** xDS pushes ztunnel sees: workloads and services created after it started, and L4 policies. */
function pushes(b: Bundle, after: string): { at: string; addresses: number; authorizations?: number }[] {
  const byTime = new Map<string, { addresses: number; authorizations: number }>();
  const add = (at: string, key: 'addresses' | 'authorizations') => {
    if (at <= after) return;
    const e = byTime.get(at) ?? { addresses: 0, authorizations: 0 };
    e[key]++;
    byTime.set(at, e);
  };
  for (const f of ['pods', 'services', 'serviceentries'] as const) for (const o of b.items(f)) add(o.metadata.creationTimestamp, 'addresses');
  for (const ap of b.items('authorizationpolicies')) if (!ap.spec.targetRefs && !ap.spec.targetRef) add(ap.metadata.creationTimestamp, 'authorizations');
  return [...byTime].sort(([x], [y]) => (x < y ? -1 : 1)).map(([at, e]) => ({ at, addresses: e.addresses, ...(e.authorizations ? { authorizations: e.authorizations } : {}) }));
}

const text = (lines: LogLine[]) => lines.sort((x, y) => x.t - y.t).map((l) => l.text).join('\n') + '\n';

/** The workload certificates the bundle's running waypoints hold (see certs.ts). */
export function certsNeeded(b: Bundle): Leaf[] {
  return waypoints(b).flatMap(({ pod }) => (pod && proxyRunning(pod) && podReady(pod)
    ? [{ namespace: pod.metadata.namespace, serviceAccount: pod.spec.serviceAccountName, notBefore: proxyStart(pod) }] : []));
}

export function regenerate(b: Bundle): void {
  b.dumps.clear();
  b.logs.clear();
  const logsOn = accessLogOn(b);
  const sim = new Simulation(b, logsOn);
  for (const c of b.traffic) sim.run(c, Date.parse(c.at));

  for (const { gw, pod } of waypoints(b)) {
    if (!pod) continue;
    const path = `${pod.metadata.namespace}/${pod.metadata.name}`;
    if (proxyRunning(pod) && podReady(pod)) {
      b.dumps.set(`config-dumps/${path}.json`, waypointDump(b, gw, pod));
      b.logs.set(`logs/${path}.log`, text([...waypointStart(pod), ...(sim.lines.get(`logs/${path}.log`) ?? [])]));
    } else if (proxyCrashing(pod)) {
      // `kubectl logs` of a container in CrashLoopBackOff prints its last run; istioctl cannot reach its admin port.
      b.logs.set(`logs/${path}.log`, text(waypointStart(pod, true)));
    }
  }
  for (const zt of b.items('pods').filter((p) => p.metadata.namespace === ROOT_NS && p.metadata.name.startsWith('ztunnel-'))) {
    const path = `logs/${ROOT_NS}/${zt.metadata.name}.log`;
    b.logs.set(path, text([...ztunnelStart(zt, pushes(b, proxyStart(zt))), ...(sim.lines.get(path) ?? [])]));
  }
}
