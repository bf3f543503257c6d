import { hboneListener } from '../../model/objects.js';
import { evidence, type Rule } from '../types.js';
import { bindingEvidence, byCarrier } from './bindings.js';
import { describeObject, listNames, yamlOf } from '../wording.js';
import { againstField, boundAfterAll } from '../corroboration.js';
import { fixOf, nameOf, nsOf, sh } from '../shell.js';
import { mergePatch, withChanges } from '../changes.js';

export const wp009: Rule = {
  meta: {
    id: 'WP009',
    title: 'Cross-namespace waypoint does not admit the namespace (allowedRoutes)',
    severity: 'error',
    description:
      'A waypoint in another namespace admits an object only if its HBONE (15008) listener\'s `allowedRoutes.namespaces` ' +
      'allows that namespace: `from: All`, or `from: Selector` matching the namespace\'s labels. Without allowedRoutes the ' +
      'default is `Same`, so istiod refuses the binding (WaypointBound False, AttachmentDenied) and traffic skips the waypoint.',
    detection:
      'Resolves each binding to a waypoint in another namespace against the waypoint\'s HBONE listener `allowedRoutes.namespaces` (absent means Same; Selector is matched against the Namespace\'s labels).',
    fix: 'Set `allowedRoutes.namespaces.from: All`, or `Selector` matching the consumer namespace.',
    docs: 'https://istio.io/latest/docs/ambient/usage/waypoint/#use-a-waypoint-in-a-different-namespace',
    needs: ['kube:Gateway'],
    needsAnyOf: ['kube:Namespace', 'kube:Service', 'kube:Pod'],
  },
  check(snapshot, context) {
    const denied = snapshot.bindings.filter((b) => b.state === 'attachment-denied');
    for (const group of byCarrier(snapshot, denied)) {
      const first = group.bindings[0]!;
      const gateway = first.gateway!;
      const listener = hboneListener(gateway);
      context.report({
        subject: group.subject,
        message: `${describeObject(group.carrier)} uses waypoint ${gateway.namespace}/${gateway.name}, whose HBONE listener admits ` +
          `${listener?.allowedFrom === 'Selector' ? 'only namespaces matching its selector' : 'only its own namespace'}; ` +
          `${listNames(group.bindings.map((b) => b.subject))} ${group.bindings.length === 1 ? 'is refused and skips' : 'are refused and skip'} the waypoint.`,
        evidence: [...bindingEvidence(first, 'uses'), evidence(gateway.source, `allowedRoutes.namespaces.from: ${listener?.allowedFrom ?? 'Same (no HBONE listener)'}`)],
        ...againstField(group.bindings.flatMap(boundAfterAll).slice(0, 3)),
        fix: withChanges(fixOf(`Let the waypoint admit namespace ${first.subject.namespace}.`, [
          sh`kubectl edit gateway ${nameOf(gateway)} -n ${nsOf(gateway)}`,
        ], yamlOf(admitting(first.subject.namespace))), mergePatch(gateway, { spec: admitting(first.subject.namespace) })),
      });
    }
  },
};

/** The waypoint's listener admitting one more namespace, by its name label. */
function admitting(namespace: string | undefined): Record<string, unknown> {
  const selector = { matchLabels: { 'kubernetes.io/metadata.name': namespace } };
  return ({ listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE', allowedRoutes: { namespaces: { from: 'Selector', selector } } }] });
}
