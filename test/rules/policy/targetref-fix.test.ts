/** WP024's structured fix: the group or the name of a targetRef corrected where the bundle shows what was meant. */
import { describe, expect, it } from 'vitest';
import { runRule } from '../../../src/rules/engine.js';
import { wp024 } from '../../../src/rules/policy/wp024-targetrefs-not-bound.js';
import { appService, authorizationPolicy, kubeList, snapshotOf } from '../rule-tester.js';
import { cluster } from './cluster.js';

const GET = { rules: [{ to: [{ operation: { methods: ['GET'] } }] }] };
const refs = (...list: [kind: string, name: string, group?: string][]) => ({ targetRefs: list.map(([kind, name, group = '']) => ({ kind, group, name })), ...GET });

function fixOf(spec: object, extra = {}) {
  const findings = runRule(wp024, snapshotOf(cluster([authorizationPolicy('default', 'p', spec)], extra)));
  expect(findings).toHaveLength(1);
  return findings[0]!.fix!;
}

describe('WP024 fix as data', () => {
  it('a misspelt Service (one edit from the only close bound one) is corrected', () => {
    const fix = fixOf(refs(['Service', 'ratngs']));
    expect(fix.changes).toEqual([{ op: 'merge-patch', target: expect.objectContaining({ kind: 'AuthorizationPolicy', namespace: 'default', name: 'p' }), patch: { spec: { targetRefs: [{ group: '', kind: 'Service', name: 'ratings' }] } } }]);
    expect(fix.text).toContain('Service ratngs -> ratings');
    expect(fix.commands).toEqual([`kubectl patch authorizationpolicy p -n default --type merge -p '{"spec":{"targetRefs":[{"group":"","kind":"Service","name":"ratings"}]}}'`]);
  });

  it('the wrong group for the kind is corrected: Service with the Gateway API group, Gateway without one', () => {
    expect(fixOf(refs(['Service', 'ratings', 'gateway.networking.k8s.io'])).changes?.[0]).toMatchObject({ patch: { spec: { targetRefs: [{ group: '', kind: 'Service', name: 'ratings' }] } } });
    expect(fixOf(refs(['Gateway', 'waypoint'])).changes?.[0]).toMatchObject({ patch: { spec: { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' }] } } });
  });

  it('keeps the older singular targetRef form', () => {
    const fix = fixOf({ targetRef: { kind: 'Service', group: '', name: 'ratngs' }, ...GET });
    expect(fix.changes?.[0]).toMatchObject({ patch: { spec: { targetRef: { group: '', kind: 'Service', name: 'ratings' } } } });
  });

  it('no change when the name is ambiguous, far from any, or the Service is not bound, or only some targetRefs could be corrected', () => {
    const twins = { 'more-services.yaml': kubeList([appService('default', 'api-v1'), appService('default', 'api-v2')]) };
    expect(fixOf(refs(['Service', 'api-v3']), twins).changes).toBeUndefined();
    expect(fixOf(refs(['Service', 'payments'])).changes).toBeUndefined();
    expect(fixOf(refs(['Service', 'ratngs'], ['Service', 'payments'])).changes).toBeUndefined();
    const unbound = runRule(wp024, snapshotOf(cluster([authorizationPolicy('legacy', 'inv', refs(['Service', 'inventory']))])));
    expect(unbound[0]!.fix!.changes).toBeUndefined();
    expect(unbound[0]!.fix!.commands).toEqual(['kubectl edit authorizationpolicy inv -n legacy']);
  });
});
