/**
 * Builders of fixes as data (types.ts `Change`). A rule writes its fix's text and commands with shell.ts,
 * then states the same change here, so `what-if` can apply it to the snapshot and the JSON report carries it:
 *
 *     fix: withChanges(fixOf('Label it.', [sh`kubectl label ...`]), setLabel(gateway, WAYPOINT_FOR, 'all'))
 *
 * The change and the command must say the same thing; test/compare/fixes.test.ts applies every change.
 */
import type { KubeObject } from '../parse/types.js';
import { fixOf, kindOf, nameOf, nsOf, sh, word } from './shell.js';
import type { Change, ChangeTarget, Fix } from './types.js';

/** The target of a change to a captured object (or one named by kind, namespace and name). */
export function targetOf(object: Pick<KubeObject, 'kind' | 'name'> & { namespace?: string | undefined; apiVersion?: string }): ChangeTarget {
  const target: ChangeTarget = { kind: object.kind, name: object.name };
  if (object.apiVersion) target.apiVersion = object.apiVersion;
  if (object.namespace) target.namespace = object.namespace;
  return target;
}

type Target = Parameters<typeof targetOf>[0];

export function setLabel(object: Target, key: string, value: string): Change {
  return { op: 'set-label', target: targetOf(object), key, value };
}

export function removeLabel(object: Target, key: string): Change {
  return { op: 'remove-label', target: targetOf(object), key };
}

export function setAnnotation(object: Target, key: string, value: string): Change {
  return { op: 'set-annotation', target: targetOf(object), key, value };
}

export function removeAnnotation(object: Target, key: string): Change {
  return { op: 'remove-annotation', target: targetOf(object), key };
}

export function mergePatch(object: Target, patch: Record<string, unknown>): Change {
  return { op: 'merge-patch', target: targetOf(object), patch };
}

export function createObject(object: Record<string, unknown>): Change {
  return { op: 'create', object };
}

/** The fix with its structured changes (none given: the fix as it is). */
export function withChanges(fix: Fix, ...changes: (Change | undefined)[]): Fix {
  const given = changes.filter((c): c is Change => c !== undefined);
  return given.length ? { ...fix, changes: given } : fix;
}

/** A fix that merge-patches one captured object: its `kubectl patch` command and its change say the same. */
export function mergePatchFix(text: string, object: KubeObject, patch: Record<string, unknown>): Fix {
  return withChanges(
    fixOf(text, [sh`kubectl patch ${kindOf(object.kind)} ${nameOf(object)} -n ${nsOf(object)} --type merge -p ${word(JSON.stringify(patch))}`]),
    mergePatch(object, patch),
  );
}

/** The Gateway `istioctl waypoint apply -n NS --name NAME [--for TYPE]` creates. */
export function waypointGateway(namespace: string, name: string, waypointFor?: string): Record<string, unknown> {
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name, namespace, ...(waypointFor ? { labels: { 'istio.io/waypoint-for': waypointFor } } : {}) },
    spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
  };
}
