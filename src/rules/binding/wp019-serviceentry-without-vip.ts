import { observedRow } from '../../model/waypoint.js';
import { evidence, subjectOf, type Evidence, type Rule } from '../types.js';
import { bindingEvidence } from './bindings.js';
import { mergePatch, withChanges } from '../changes.js';

export const wp019: Rule = {
  meta: {
    id: 'WP019',
    title: 'ServiceEntry bound to a waypoint has no VIP',
    severity: 'error',
    description:
      'ztunnel picks the waypoint of a ServiceEntry by the address clients connect to. Without `spec.addresses` (and without ' +
      'ambient DNS capture allocating one) clients resolve the real external IP, ztunnel finds no service for it, and the ' +
      'waypoint is never used. istiod may also report `istio.io/WaypointMissing` on wildcard entries.',
    detection:
      'For every ServiceEntry bound to a waypoint without `spec.addresses`, or with condition `istio.io/WaypointMissing` True.',
    fix: 'Enable ambient DNS capture with address allocation, or set `spec.addresses`.',
    docs: 'https://istio.io/latest/docs/ambient/usage/waypoint/',
    needs: ['kube:ServiceEntry'],
    readsRuntimeState: true,
  },
  check(snapshot, context) {
    for (const b of snapshot.bindings) {
      if (b.subject.kind !== 'ServiceEntry') continue;
      const se = b.subject;
      const missing = se.conditions.find((c) => c.type === 'istio.io/WaypointMissing' && c.status === 'True');
      const addresses = Array.isArray(se.spec['addresses']) ? se.spec['addresses'] : [];
      // An address auto-allocated by ambient DNS capture shows as ztunnel's SERVICE VIP: that is enough.
      const row = observedRow(snapshot, se);
      const ztunnelVip = row && 'vip' in row ? row.vip : undefined;
      const noVip = b.state === 'bound' && addresses.length === 0 && !ztunnelVip;
      if (!noVip && !missing) continue;
      const items: Evidence[] = [...bindingEvidence(b, 'uses')];
      if (noVip) items.push(evidence(se.source, 'no spec.addresses'));
      if (missing) items.push(evidence(missing.source, `istio.io/WaypointMissing: ${missing.reason ?? ''}`));
      context.report({
        subject: subjectOf(se),
        message: `ServiceEntry ${se.namespace}/${se.name} (${(Array.isArray(se.spec['hosts']) ? se.spec['hosts'] : []).join(', ')}) ${noVip ? 'uses a waypoint but has no VIP: clients connect to the resolved external address and skip the waypoint' : `is reported WaypointMissing (${missing!.reason ?? ''})`}.`,
        evidence: items,
        // 240.240.0.0/16 is the range Istio auto-allocates from; any address clients resolve the host to will do.
        fix: withChanges({
          text: 'Give it an address: enable ambient DNS capture with address auto-allocation, or set spec.addresses; bind wildcard entries to a waypoint.',
          yaml: 'spec:\n  addresses:\n  - 240.240.0.10',
        }, noVip ? mergePatch(se, { spec: { addresses: ['240.240.0.10'] } }) : undefined),
      });
    }
  },
};
