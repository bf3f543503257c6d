/**
 * Evidence against a finding, from a source other than the one it rests on. Binding findings rest on
 * the labels; ztunnel's WAYPOINT column is what clients follow and istiod's WaypointBound condition is
 * istiod's verdict. When either says otherwise, the finding carries it in `against` and the report marks
 * it contradicted, rather than one source silently winning.
 */
import { bindingKey, type ClusterSnapshot } from '../model/snapshot.js';
import type { WaypointBinding } from '../model/types.js';
import type { KubeObject } from '../parse/types.js';
import { evidence, type Evidence } from './types.js';

/** For a finding that says the labels fail to bind `b` to its waypoint: ztunnel or istiod showing it bound. */
export function boundAfterAll(b: WaypointBinding): Evidence[] {
  const against: Evidence[] = [];
  const name = b.request?.name;
  if (name && b.observed && (b.observed.waypoint === name || b.observed.waypoint === `${b.request!.namespace}/${name}`)) {
    against.push(evidence(b.observed.source, `ztunnel sends its traffic to waypoint ${b.observed.waypoint} all the same`));
  }
  const bound = b.subject.conditions.find((c) => c.type === 'istio.io/WaypointBound' && c.status === 'True');
  if (bound) against.push(evidence(bound.source, `istiod: WaypointBound True${bound.message ? `: ${bound.message}` : ''}`));
  return against;
}

/**
 * For a finding that rests on `service` being served by waypoint `waypoint` (its routes, policies or
 * config there): ztunnel showing another waypoint or `None` for it, so the waypoint may never see its traffic.
 */
export function notSentThere(snapshot: ClusterSnapshot, service: KubeObject, waypoint: string): Evidence[] {
  const observed = snapshot.bindingOf.get(bindingKey(service))?.observed;
  if (!observed || observed.waypoint === waypoint || observed.waypoint.endsWith(`/${waypoint}`)) return [];
  return [evidence(observed.source, `ztunnel shows WAYPOINT ${observed.waypoint} for ${service.namespace}/${service.name}, not ${waypoint}: its traffic may not reach this waypoint at all`)];
}

/** The `against` field of a report: present only when some source disagrees. */
export function againstField(items: readonly Evidence[]): { against?: Evidence[] } {
  return items.length ? { against: [...items] } : {};
}

/**
 * For a finding that says a waypoint serves nothing (no ready pod, no address): its pods' access logs
 * showing requests served, which a log window overlapping the outage (or a stale pod list) would explain.
 */
export function servedMeanwhile(snapshot: ClusterSnapshot, namespace: string, waypoint: string): Evidence[] {
  const known = snapshot.waypoints.find((w) => w.namespace === namespace && w.name === waypoint);
  const pods = new Set(known?.proxies.map((p) => p.pod) ?? []);
  return snapshot.podLogs.flatMap(({ log, pod }) => {
    const stats = log.accessStats;
    if (!pod || pod.namespace !== namespace || !pods.has(pod.name) || !stats || stats.served === 0) return [];
    const when = stats.firstTime && stats.lastTime ? ` between ${stats.firstTime} and ${stats.lastTime}` : '';
    return [evidence({ file: log.file }, `the access log of waypoint pod ${pod.name} shows ${stats.served} request${stats.served > 1 ? 's' : ''} served${when}`)];
  });
}
