import { gatewayListeners, isWaypointGateway } from '../../model/objects.js';
import { objectsOf } from '../../model/snapshot.js';
import { evidence, subjectOf, type Rule } from '../types.js';
import { fixOf, nameOf, nsOf, sh } from '../shell.js';
import { mergePatch, withChanges } from '../changes.js';

export const wp013: Rule = {
  meta: {
    id: 'WP013',
    title: 'Waypoint listener is not the single 15008/HBONE listener',
    severity: 'warning',
    description:
      'A waypoint Gateway must have exactly one listener, on port 15008 with protocol HBONE. Others are marked Accepted=False ' +
      '(UnsupportedProtocol) and allowedRoutes on a non-HBONE listener is ignored for cross-namespace attachment.',
    detection:
      'For every Gateway of class istio-waypoint: any listener other than 15008/HBONE, more than one listener, or a listener with Accepted=False.',
    fix: 'Use the listener `istioctl waypoint generate` writes.',
    docs: 'https://istio.io/latest/docs/ambient/usage/waypoint/',
    needs: ['kube:Gateway'],
    readsRuntimeState: true,
  },
  check(snapshot, context) {
    for (const gateway of objectsOf(snapshot, 'Gateway')) {
      if (!isWaypointGateway(gateway)) continue;
      const listeners = gatewayListeners(gateway);
      const bad = listeners.filter((l) => l.port !== 15008 || l.protocol !== 'HBONE' || l.conditions.some((c) => c.type === 'Accepted' && c.status === 'False'));
      if (bad.length === 0 && listeners.length === 1) continue;
      const details = bad.map((l) => {
        const refused = l.conditions.find((c) => c.type === 'Accepted' && c.status === 'False');
        return `${l.name || '(unnamed)'} on ${l.port}/${l.protocol}${refused ? ` (Accepted False, ${refused.reason ?? ''}${refused.message ? `: ${refused.message}` : ''})` : ''}`;
      });
      context.report({
        subject: subjectOf(gateway),
        message: `Waypoint ${gateway.namespace}/${gateway.name} ${bad.length ? `has listener${bad.length > 1 ? 's' : ''} ${details.join(', ')}` : `has ${listeners.length} listeners`}; a waypoint needs exactly one listener on 15008 with protocol HBONE.`,
        evidence: [evidence(gateway.source, `listeners: ${listeners.map((l) => `${l.port}/${l.protocol}`).join(', ') || 'none'}`)],
        fix: withChanges(fixOf('Use the listener istioctl generates.', [
          sh`istioctl waypoint generate -n ${nsOf(gateway)} --name ${nameOf(gateway)}`,
        ], 'listeners:\n- name: mesh\n  port: 15008\n  protocol: HBONE'), mergePatch(gateway, { spec: { listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] } })),
      });
    }
  },
};
