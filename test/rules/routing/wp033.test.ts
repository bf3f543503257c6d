import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../src/bundle/types.js';
import { baselineOf, whatIf } from '../../../src/compare/what-if.js';
import { readParsedFiles } from '../../../src/pipeline.js';
import { runRule } from '../../../src/rules/engine.js';
import { wp033 } from '../../../src/rules/routing/wp033-backend-unresolved.js';
import { appService, httpRoute, kubeList, routeParentStatus, ruleTester, snapshotOf } from '../rule-tester.js';
import { cluster } from '../policy/cluster.js';

const REVIEWS = { group: '', kind: 'Service', name: 'reviews' };
const routes = (backends: { name: string; namespace?: string }[], status: object[] = [], extra = {}) =>
  cluster([], { 'httproutes.yaml': kubeList([httpRoute('default', 'reviews', [REVIEWS], backends, status)]), ...extra });
const backendNotFound = routeParentStatus(REVIEWS, [
  { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'Route was valid' },
  { type: 'ResolvedRefs', status: 'False', reason: 'BackendNotFound', message: 'backend(reviewz.default.svc.cluster.local) not found' },
]);
const grant = { apiVersion: 'gateway.networking.k8s.io/v1beta1', kind: 'ReferenceGrant', metadata: { name: 'from-default', namespace: 'legacy' }, spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'default' }], to: [{ group: '', kind: 'Service' }] } };

ruleTester(wp033, {
  valid: [
    { name: 'backends that exist', files: routes([{ name: 'reviews' }, { name: 'ratings' }]) },
    { name: 'another namespace with a ReferenceGrant', files: routes([{ name: 'inventory', namespace: 'legacy' }], [], { 'referencegrants.yaml': kubeList([grant]) }) },
    { name: 'another namespace, ReferenceGrants not captured (cannot tell)', files: routes([{ name: 'inventory', namespace: 'legacy' }]) },
    { name: 'a backend in a namespace whose Services are not in the bundle', files: routes([{ name: 'cart', namespace: 'shop' }]) },
  ],
  invalid: [
    {
      name: 'a backend that does not exist, with istiod\'s BackendNotFound',
      files: routes([{ name: 'reviewz' }], [backendNotFound]),
      findings: [{ subject: 'HTTPRoute default/reviews', message: /backend\(reviewz\.default\.svc\.cluster\.local\) not found; Service default\/reviewz does not exist/ }],
    },
    {
      name: 'another namespace without a ReferenceGrant',
      files: routes([{ name: 'inventory', namespace: 'legacy' }], [], { 'referencegrants.yaml': kubeList([]), 'svc2.yaml': kubeList([appService('legacy', 'orders')]) }),
      findings: [{ subject: 'HTTPRoute default/reviews', message: /no ReferenceGrant in legacy allows HTTPRoutes from default/ }],
    },
  ],
});

describe('WP033 fix as data', () => {
  const files = routes([{ name: 'inventory', namespace: 'legacy' }], [], { 'referencegrants.yaml': kubeList([]) });

  it('a backend that only lacks a grant: a ReferenceGrant in its namespace for this route and that Service, which what-if proves', async () => {
    const [finding] = runRule(wp033, snapshotOf(files));
    expect(finding!.fix!.changes).toEqual([{
      op: 'create',
      object: {
        apiVersion: 'gateway.networking.k8s.io/v1beta1',
        kind: 'ReferenceGrant',
        metadata: { name: 'default-reviews', namespace: 'legacy' },
        spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'default' }], to: [{ group: '', kind: 'Service', name: 'inventory' }] },
      },
    }]);
    expect(finding!.fix!.yaml).toContain('kind: ReferenceGrant');
    const dir = mkdtempSync(join(tmpdir(), 'wa-wp033-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const { files: parsed } = await readParsedFiles(dir, DEFAULT_LIMITS);
    const result = whatIf(parsed, [wp033], finding!.fix!.changes!, baselineOf(parsed, [wp033]));
    expect(result.resolved.map((f) => f.name)).toEqual(['WP033:default/reviews']);
    expect(result.introduced).toEqual([]);
  });

  it('a backend that does not exist gives no change: which Service was meant is the user\'s choice', () => {
    const [finding] = runRule(wp033, snapshotOf(routes([{ name: 'reviewz' }], [backendNotFound])));
    expect(finding!.fix!.changes).toBeUndefined();
  });
});
