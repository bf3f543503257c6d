import { describe, expect, it } from 'vitest';
import { wp039 } from '../../../src/rules/control-plane/wp039-unexpected-revision.js';
import { runRule } from '../../../src/rules/engine.js';
import { tabwrite } from '../../helpers.js';
import { kubeList, namespace, pod, ruleTester, snapshotOf, waypoint, waypointPod } from '../rule-tester.js';

const REV = 'istio.io/rev';
const WP_POD = 'waypoint-6f7b665c89-6hppr';
const ISTIOD = 'istiod-795d55fc6d-vqtjx';
const CANARY = 'istiod-canary-6c9f8d7b5-k2x4p';
const istiod = (name: string, rev: string) => pod('istio-system', name, { app: 'istiod', [REV]: rev });
/** waypoint pod (lines 3-18, name on 9), default istiod (19-34, name on 25), canary istiod (35-50, name on 41). */
const pods = { 'pods.yaml': kubeList([waypointPod('default', 'waypoint', WP_POD), istiod(ISTIOD, 'default'), istiod(CANARY, 'canary')]) };
const ps = (connectedTo: string) => ({
  'proxy-status.txt': tabwrite([
    ['NAME', 'CLUSTER', 'CDS', 'LDS', 'EDS', 'RDS', 'ECDS', 'ISTIOD', 'VERSION'],
    [`${WP_POD}.default`, 'Kubernetes', 'SYNCED (2m)', 'SYNCED (2m)', 'SYNCED (2m)', 'NOT SENT', 'NOT SENT', connectedTo, '1.26.2'],
  ], 5),
});

ruleTester(wp039, {
  valid: [
    { name: 'unlabelled waypoint served by the default revision', files: { ...pods, 'gateways.yaml': kubeList([waypoint('default', 'waypoint')]), ...ps(ISTIOD) } },
    { name: 'Gateway selects canary and is served by the canary istiod', files: { ...pods, 'gateways.yaml': kubeList([waypoint('default', 'waypoint', { [REV]: 'canary' })]), ...ps(CANARY) } },
    {
      name: 'connected to an istiod that is not in the bundle (e.g. another cluster\'s): nothing to compare',
      files: { ...pods, 'gateways.yaml': kubeList([waypoint('default', 'waypoint', { [REV]: 'canary' })]), ...ps('istiod-7d4b9c8f6-remote') },
    },
  ],
  invalid: [
    {
      name: 'Gateway selects canary but the waypoint is connected to the default istiod',
      files: { ...pods, 'gateways.yaml': kubeList([waypoint('default', 'waypoint', { [REV]: 'canary' })]), ...ps(ISTIOD) },
      findings: [{
        subject: `Pod default/${WP_POD}`,
        message: new RegExp(`^Waypoint pod default/${WP_POD} is connected to ${ISTIOD} \\(revision default\\), but its Gateway selects revision canary\\.$`),
        evidence: ['proxy-status.txt:2', 'pods.yaml:25', 'gateways.yaml:7'],
      }],
    },
    {
      name: 'the namespace selects canary, the unlabelled Gateway inherits it, the waypoint is on the default istiod',
      files: {
        ...pods,
        'namespaces.yaml': kubeList([namespace('default', { [REV]: 'canary' })]),
        'gateways.yaml': kubeList([waypoint('default', 'waypoint')]),
        ...ps(ISTIOD),
      },
      findings: [{ subject: `Pod default/${WP_POD}`, message: /\(revision default\), but its namespace selects revision canary\.$/, evidence: ['proxy-status.txt:2', 'pods.yaml:25'] }],
    },
    {
      name: 'nothing selects a revision, yet the waypoint is on the canary istiod',
      files: { ...pods, 'gateways.yaml': kubeList([waypoint('default', 'waypoint')]), ...ps(CANARY) },
      findings: [{ subject: `Pod default/${WP_POD}`, message: /\(revision canary\), but its Gateway and namespace select the default revision\.$/, evidence: ['pods.yaml:41'] }],
    },
  ],
});

ruleTester(wp039, {
  valid: [],
  invalid: [{
    name: 'no proxy-status: inconclusive',
    files: { ...pods, 'gateways.yaml': kubeList([waypoint('default', 'waypoint', { [REV]: 'canary' })]) },
    findings: [{ status: 'inconclusive', message: /istioctl proxy-status/ }],
  }],
});

describe('WP039 cases that once were bugs', () => {
  // A revisioned install (`istioctl install --set revision=1-26-2` + `istioctl tag set default --revision 1-26-2`, the
  // canary-upgrade procedure) labels istiod istio.io/rev=1-26-2 and serves unlabelled namespaces through the default
  // TAG. The rule equates "default" with an istiod whose revision label is literally `default`, so the only istiod in
  // the bundle is reported as the wrong one for an unlabelled waypoint.
  it('valid: single revisioned istiod (default tag) serving an unlabelled waypoint', () => {
    const findings = runRule(wp039, snapshotOf({
      'pods.yaml': kubeList([waypointPod('default', 'waypoint', WP_POD), istiod('istiod-1-26-2-7f6d9c8b5-xyz12', '1-26-2')]),
      'gateways.yaml': kubeList([waypoint('default', 'waypoint')]),
      ...ps('istiod-1-26-2-7f6d9c8b5-xyz12'),
    }));
    expect(findings.filter((f) => f.status === 'fail').map((f) => f.message)).toEqual([]);
  });
});
