import { describe, expect, it } from 'vitest';
import { wp038 } from '../../../src/rules/control-plane/wp038-version-skew.js';
import { runRule } from '../../../src/rules/engine.js';
import { tabwrite } from '../../helpers.js';
import { kubeList, pod, ruleTester, snapshotOf, waypoint, waypointPod } from '../rule-tester.js';

const WP_POD = 'waypoint-6f7b665c89-6hppr';
const ISTIOD = 'istiod-795d55fc6d-vqtjx';
const versions = (control: string, data = `${control} (6 proxies)`) =>
  ({ 'versions.txt': `client version: ${control.split(',')[0]}\ncontrol plane version: ${control}\ndata plane version: ${data}\n` });
/** `istioctl proxy-status` of 1.26 (per-type columns); ztunnels show IGNORED for Envoy types. */
const ps = (...rows: [string, string][]) => ({
  'proxy-status.txt': tabwrite([
    ['NAME', 'CLUSTER', 'CDS', 'LDS', 'EDS', 'RDS', 'ECDS', 'ISTIOD', 'VERSION'],
    ...rows.map(([name, version]) => name.startsWith('ztunnel-')
      ? [name, 'Kubernetes', 'IGNORED', 'IGNORED', 'IGNORED', 'IGNORED', 'IGNORED', ISTIOD, version]
      : [name, 'Kubernetes', 'SYNCED (2m)', 'SYNCED (2m)', 'SYNCED (2m)', 'NOT SENT', 'NOT SENT', ISTIOD, version]),
  ], 5),
});
const waypointObjects = {
  'pods.yaml': kubeList([waypointPod('default', 'waypoint', WP_POD), pod('default', 'productpage-v1-1', { app: 'productpage' })]),
  'gateways.yaml': kubeList([waypoint('default', 'waypoint')]),
};
const versionJson = (mesh: string[], dataPlane: { ID: string; IstioVersion: string; Type: string }[] = []) => ({
  'version.json': JSON.stringify({
    clientVersion: { version: mesh[0], revision: '6a1c0e3b1b8f2f0f5b0f7a1e2d3c4b5a6f7e8d9c', golang_version: 'go1.24.4', status: 'Clean', tag: mesh[0] },
    meshVersion: mesh.map((v) => ({ Component: 'pilot', Revision: 'default', Info: { version: v, revision: '6a1c0e3b1b8f2f0f5b0f7a1e2d3c4b5a6f7e8d9c', golang_version: 'go1.24.4', status: 'Clean', tag: v } })),
    dataPlaneVersion: dataPlane,
  }, null, 2),
});

ruleTester(wp038, {
  valid: [
    {
      name: 'ztunnel at istiod\'s version, waypoint one minor older: supported',
      files: { ...versions('1.26.2', '1.26.2 (5 proxies), 1.25.4 (1 proxies)'), ...waypointObjects, ...ps([`${WP_POD}.default`, '1.25.4'], ['ztunnel-4xkqn.istio-system', '1.26.2']) },
    },
    {
      name: 'an old sidecar is neither a ztunnel nor a waypoint',
      files: { ...versions('1.26.2'), ...waypointObjects, ...ps(['productpage-v1-1.default', '1.23.0'], [`${WP_POD}.default`, '1.26.2']) },
    },
    {
      name: 'canary upgrade with istiods 1.26 and 1.27: ztunnel 1.26 and waypoint 1.27 are within range',
      files: { ...versions('1.26.2, 1.27.1'), ...waypointObjects, ...ps([`${WP_POD}.default`, '1.27.1'], ['ztunnel-4xkqn.istio-system', '1.26.2']) },
    },
  ],
  invalid: [
    {
      name: 'ztunnel newer than istiod',
      files: { ...versions('1.26.2'), ...ps([`${WP_POD}.default`, '1.26.2'], ['ztunnel-4xkqn.istio-system', '1.27.0']) },
      findings: [{
        subject: 'Pod istio-system/ztunnel-4xkqn',
        message: /^1 ztunnel at 1\.27\.0, newer than istiod \(1\.26\): ztunnel-4xkqn\.$/,
        evidence: ['versions.txt:1', 'proxy-status.txt:3'],
      }],
    },
    {
      name: 'waypoint two minors behind istiod (pods and Gateway tell it is a waypoint)',
      files: { ...versions('1.26.2'), ...waypointObjects, ...ps([`${WP_POD}.default`, '1.24.3'], ['productpage-v1-1.default', '1.26.2']) },
      findings: [{
        subject: `Pod default/${WP_POD}`,
        message: new RegExp(`^1 waypoint at 1\\.24\\.3, more than one minor version older than istiod \\(1\\.26\\): ${WP_POD}\\.$`),
        evidence: ['versions.txt:1', 'proxy-status.txt:2'],
      }],
    },
    {
      name: 'two ztunnels ahead of istiod, `istioctl version -o json` and the 1.27+ proxy-status table',
      files: {
        ...versionJson(['1.26.2']),
        'proxy-status.txt': tabwrite([
          ['NAME', 'CLUSTER', 'ISTIOD', 'VERSION', 'SUBSCRIBED TYPES'],
          ['ztunnel-4xkqn.istio-system', 'Kubernetes', ISTIOD, '1.28.1', '2 (WADS,WDS)'],
          ['ztunnel-9wz7p.istio-system', 'Kubernetes', ISTIOD, '1.28.1', '2 (WADS,WDS)'],
        ], 5),
      },
      findings: [{
        subject: 'Pod istio-system/ztunnel-4xkqn',
        message: /^2 ztunnels at 1\.28\.1, newer than istiod \(1\.26\): ztunnel-4xkqn, ztunnel-9wz7p\.$/,
        evidence: ['version.json:1', 'proxy-status.txt:2', 'proxy-status.txt:3'],
      }],
    },
  ],
});

ruleTester(wp038, {
  valid: [],
  invalid: [{
    name: 'neither proxy-status nor istioctl version: inconclusive',
    files: waypointObjects,
    findings: [{ status: 'inconclusive', message: /istioctl proxy-status.*istioctl version/ }],
  }],
});

describe('WP038 cases that once were bugs', () => {
  // The rule declares needsAnyOf [proxy-status, versions] but returns silently when the control-plane version is
  // unknown: with proxy-status alone it reports nothing, which reads as "checked, no skew" rather than "not checked".
  it('invalid: proxy-status without `istioctl version` should be inconclusive, not a silent pass', () => {
    const findings = runRule(wp038, snapshotOf({ ...waypointObjects, ...ps([`${WP_POD}.default`, '1.22.0'], ['ztunnel-4xkqn.istio-system', '1.28.0']) }));
    expect(findings.map((f) => f.status)).toEqual(['inconclusive']);
  });
  // failure-modes.md WP038 names `istioctl version -o json` dataPlaneVersion[].{ID,IstioVersion,Type} as evidence; the
  // parser keeps it, but the rule only reads proxy-status rows, so a bundle with the JSON alone passes silently.
  it('invalid: a ztunnel newer than istiod in `istioctl version -o json` dataPlaneVersion (no proxy-status)', () => {
    const findings = runRule(wp038, snapshotOf(versionJson(['1.26.2'], [
      { ID: 'ztunnel-4xkqn.istio-system', IstioVersion: '1.28.0', Type: 'ztunnel' },
      { ID: `${WP_POD}.default`, IstioVersion: '1.26.2', Type: 'waypoint' },
    ])));
    expect(findings.filter((f) => f.status === 'fail').map((f) => f.subject)).toEqual([{ kind: 'Pod', namespace: 'istio-system', name: 'ztunnel-4xkqn' }]);
  });
});
