import { condition, gatewayAddresses, gatewayClassName, istiodRevisions, REV_LABEL, WAYPOINT_CLASS } from '../../model/objects.js';
import { getObject, objectsOf } from '../../model/snapshot.js';
import { evidence, subjectOf, type Evidence, type Rule } from '../types.js';
import { fixOf, nameOf, nsOf, sh } from '../shell.js';
import { removeLabel, withChanges } from '../changes.js';

export const wp011: Rule = {
  meta: {
    id: 'WP011',
    title: 'Waypoint Gateway never reconciled (revision or controller mismatch)',
    severity: 'error',
    description:
      'An istiod reconciles a waypoint Gateway only if the Gateway\'s `istio.io/rev` (else its namespace\'s) is one of its ' +
      'revisions or tags, or is unset and it is the default revision. A Gateway pointing at a revision no istiod serves, or ' +
      'of class istio-waypoint where no istiod runs ambient (no GatewayClass istio-waypoint), keeps the CRD default status ' +
      '(Accepted/Programmed Unknown, "Waiting for controller"): no Deployment, no pods, and nothing bound to it works.',
    detection:
      'For every Gateway used as a waypoint: its Accepted condition still Unknown (never reconciled); an `istio.io/rev` (Gateway, else namespace) that no istiod pod in the bundle serves; class istio-waypoint without the GatewayClass.',
    fix: 'Point `istio.io/rev` at a served revision or tag, or remove it; enable ambient in istiod.',
    docs: 'https://istio.io/latest/docs/setup/upgrade/canary/',
    needs: ['kube:Gateway'],
    readsRuntimeState: true,
  },
  check(snapshot, context) {
    const revisions = istiodRevisions(snapshot);
    for (const gateway of objectsOf(snapshot, 'Gateway')) {
      const className = gatewayClassName(gateway);
      const usedAsWaypoint = className === WAYPOINT_CLASS || snapshot.bindings.some((b) => b.gateway === gateway);
      if (!usedAsWaypoint) continue;
      // A status some controller wrote (Accepted True, addresses) proves it was reconciled, whatever
      // the revision label says: tags map revisions in ways the bundle does not show.
      if (condition(gateway, 'Accepted')?.status === 'True' || gatewayAddresses(gateway).length > 0) continue;
      const reasons: string[] = [];
      const items: Evidence[] = [];
      const accepted = condition(gateway, 'Accepted');
      if (accepted?.status === 'Unknown') {
        reasons.push(`its status is still the default (Accepted Unknown${accepted.reason ? `, ${accepted.reason}` : ''}${accepted.message ? `: "${accepted.message}"` : ''})`);
        items.push(evidence(accepted.source, 'no controller has written this Gateway\'s status'));
      }
      const ns = getObject(snapshot, 'Namespace', undefined, gateway.namespace ?? '');
      const rev = gateway.labels[REV_LABEL] ?? ns?.labels[REV_LABEL];
      if (rev !== undefined && revisions.size > 0 && !revisions.has(rev)) {
        reasons.push(`it asks for istiod revision "${rev}", but the istiods in the bundle serve ${[...revisions.keys()].join(', ')}`);
        const source = gateway.labels[REV_LABEL] !== undefined ? gateway.labelSources[REV_LABEL] : ns?.labelSources[REV_LABEL];
        items.push(evidence(source ?? gateway.source, `istio.io/rev=${rev}`));
      }
      if (className === WAYPOINT_CLASS && snapshot.captured.has('kube:GatewayClass') && !getObject(snapshot, 'GatewayClass', undefined, WAYPOINT_CLASS)) {
        reasons.push('there is no GatewayClass istio-waypoint, which istiod creates only when ambient is enabled');
      }
      if (reasons.length === 0) continue;
      items.unshift(evidence(gateway.source, `Gateway of class ${className}`));
      context.report({
        subject: subjectOf(gateway),
        message: `No istiod reconciles waypoint ${gateway.namespace}/${gateway.name}: ${reasons.join('; ')}. It gets no Deployment, and objects bound to it bypass every waypoint.`,
        evidence: items,
        fix: withChanges(fixOf('Point istio.io/rev at a revision or tag an istiod serves (or remove it to use the default revision); install istiod with ambient enabled (profile ambient).', [
          sh`kubectl label gateway ${nameOf(gateway)} -n ${nsOf(gateway)} istio.io/rev-`,
          sh`istioctl tag list`,
        ]), gateway.labels[REV_LABEL] !== undefined ? removeLabel(gateway, REV_LABEL) : undefined),
      });
    }
  },
};
