/**
 * Helpers rules share for waypoint bindings: a label on a namespace binds every service in it, so a
 * finding belongs to the object that carries the label, once, with the objects it affects.
 */
import { getObject, type ClusterSnapshot } from '../../model/snapshot.js';
import type { WaypointBinding } from '../../model/waypoint.js';
import type { KubeObject } from '../../parse/types.js';
import { evidence, subjectOf, type Evidence, type Subject } from '../types.js';
import { describeObject } from '../wording.js';

export interface CarrierGroup {
  /** The object whose label asked for the waypoint: the subject itself or its namespace. */
  carrier: KubeObject;
  subject: Subject;
  bindings: WaypointBinding[];
}

/** Groups bindings by the object that carries their `use-waypoint` label. */
export function byCarrier(snapshot: ClusterSnapshot, bindings: readonly WaypointBinding[]): CarrierGroup[] {
  const groups = new Map<string, CarrierGroup>();
  for (const b of bindings) {
    if (!b.request) continue;
    const carrier = b.request.from === 'object' ? b.subject : getObject(snapshot, 'Namespace', undefined, b.subject.namespace ?? '');
    if (!carrier) continue;
    const key = `${carrier.kind}/${carrier.namespace ?? ''}/${carrier.name}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { carrier, subject: subjectOf(carrier), bindings: [] }));
    group.bindings.push(b);
  }
  return [...groups.values()];
}

/** Evidence shared by binding findings: the label, the namespace label if used, ztunnel's view, istiod's condition. */
export function bindingEvidence(b: WaypointBinding, what: string): Evidence[] {
  const items: Evidence[] = [];
  if (b.request) items.push(evidence(b.request.label, `${describeObject(b.subject)} ${what} ${b.request.namespace}/${b.request.name}`));
  if (b.request?.namespaceLabel) items.push(evidence(b.request.namespaceLabel, 'waypoint namespace set here'));
  const bound = b.subject.conditions.find((c) => c.type === 'istio.io/WaypointBound');
  if (bound && bound.status !== 'True') items.push(evidence(bound.source, `istiod: WaypointBound ${bound.status}${bound.reason ? ` (${bound.reason})` : ''}${bound.message ? `: ${bound.message}` : ''}`));
  if (b.observed) items.push(evidence(b.observed.source, `ztunnel shows WAYPOINT ${b.observed.waypoint}`));
  return items;
}
