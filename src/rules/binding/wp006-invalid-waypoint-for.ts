import { objectsOf } from '../../model/snapshot.js';
import { WAYPOINT_FOR } from '../../model/waypoint.js';
import { evidence, subjectOf, type Rule } from '../types.js';
import { listNames } from '../wording.js';
import { fixOf, kindOf, nameOf, nsOf, sh } from '../shell.js';
import { removeLabel, setLabel, withChanges } from '../changes.js';

const VALUES = ['service', 'workload', 'all', 'none'] as const;
type WaypointFor = (typeof VALUES)[number];
const VALID = new Set<string>(VALUES);
const isValid = (v: string): v is WaypointFor => VALID.has(v);

export const wp006: Rule = {
  meta: {
    id: 'WP006',
    title: 'Invalid or misplaced istio.io/waypoint-for',
    severity: 'warning',
    description:
      '`istio.io/waypoint-for` takes `service`, `workload`, `all` or `none`, lower case, as a LABEL on the Gateway (or its ' +
      'GatewayClass). Any other value is stored as-is and then accepts no traffic at all, like `none`; as an annotation ' +
      '(the pre-1.22 style) it is ignored. Note that `istioctl waypoint list` prints `none` when the label is absent, ' +
      'although the effective value is then `service`.',
    detection:
      'Reads `istio.io/waypoint-for` on every Gateway and GatewayClass: a value outside service/workload/all/none, or the key set as an annotation.',
    fix: 'Set a valid lower-case value as a label.',
    docs: 'https://istio.io/latest/docs/ambient/usage/waypoint/#waypoint-traffic-types',
    needs: ['kube:Gateway'],
  },
  check(snapshot, context) {
    for (const kind of ['Gateway', 'GatewayClass']) {
      for (const object of objectsOf(snapshot, kind)) {
        const value = object.labels[WAYPOINT_FOR];
        const where = `${kind} ${object.namespace ? `${object.namespace}/` : ''}${object.name}`;
        if (value !== undefined && !VALID.has(value)) {
          const affected = snapshot.bindings.filter((b) => b.gateway === object || (kind === 'GatewayClass' && b.waypointFor?.from === 'GatewayClass' && b.gateway?.spec['gatewayClassName'] === object.name));
          context.report({
            subject: subjectOf(object),
            message: `${where} has ${WAYPOINT_FOR}=${value}, which is not a valid value: the waypoint accepts no traffic` +
              (affected.length ? `, so ${listNames(affected.map((b) => b.subject))} get no waypoint.` : '.'),
            evidence: [evidence(object.labelSources[WAYPOINT_FOR] ?? object.source, `${WAYPOINT_FOR}=${value}`),
              ...affected.slice(0, 3).flatMap((b) => (b.observed ? [evidence(b.observed.source, `ztunnel shows WAYPOINT ${b.observed.waypoint}`)] : []))],
            fix: withChanges(fixOf('Use service, workload, all or none, in lower case.', [
              object.namespace
                ? sh`kubectl label ${kindOf(kind)} ${nameOf(object)} -n ${nsOf(object)} ${WAYPOINT_FOR}=${suggest(value)} --overwrite`
                : sh`kubectl label ${kindOf(kind)} ${nameOf(object)} ${WAYPOINT_FOR}=${suggest(value)} --overwrite`,
            ]), setLabel(object, WAYPOINT_FOR, suggest(value))),
          });
        } else if (kind === 'GatewayClass' && value !== undefined && value !== 'service' && object.name === 'istio-waypoint') {
          context.report({
            subject: subjectOf(object),
            message: `GatewayClass istio-waypoint carries ${WAYPOINT_FOR}=${value}: every waypoint without its own label takes ${value} traffic instead of the documented default, service.`,
            evidence: [evidence(object.labelSources[WAYPOINT_FOR] ?? object.source, `${WAYPOINT_FOR}=${value}`)],
            fix: withChanges(fixOf('Set istio.io/waypoint-for on each waypoint Gateway instead of changing the class default.', [
              sh`kubectl label gatewayclass istio-waypoint ${WAYPOINT_FOR}-`,
            ]), removeLabel(object, WAYPOINT_FOR)),
          });
        } else if (value === undefined && object.annotations[WAYPOINT_FOR] !== undefined) {
          context.report({
            subject: subjectOf(object),
            message: `${where} sets ${WAYPOINT_FOR} as an annotation, which Istio ignores (since 1.22 it is a label): the default, service, applies.`,
            evidence: [evidence(object.source, `annotation ${WAYPOINT_FOR}: ${object.annotations[WAYPOINT_FOR]}`)],
            fix: withChanges(fixOf('Set it as a label.', [
              object.namespace
                ? sh`kubectl label ${kindOf(kind)} ${nameOf(object)} -n ${nsOf(object)} ${WAYPOINT_FOR}=${suggest(object.annotations[WAYPOINT_FOR]!)}`
                : sh`kubectl label ${kindOf(kind)} ${nameOf(object)} ${WAYPOINT_FOR}=${suggest(object.annotations[WAYPOINT_FOR]!)}`,
            ]), setLabel(object, WAYPOINT_FOR, suggest(object.annotations[WAYPOINT_FOR]!))),
          });
        }
      }
    }
  },
};

/** The valid value a typo most likely meant: `services` -> service, `Workload` -> workload. */
function suggest(value: string): WaypointFor {
  const v = value.toLowerCase().replace(/s$/, '');
  return isValid(v) ? v : 'service';
}
