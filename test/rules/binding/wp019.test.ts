import { describe, expect, it } from 'vitest';
import { wp019 } from '../../../src/rules/binding/wp019-serviceentry-without-vip.js';
import { runRule } from '../../../src/rules/engine.js';
import { tabwrite } from '../../helpers.js';
import { kubeList, ruleTester, snapshotOf, waypoint } from '../rule-tester.js';

const USE = 'istio.io/use-waypoint';

const serviceEntry = (name: string, hosts: string[], labels: Record<string, string> = {}, addresses?: string[], resolution = 'DNS') => ({
  apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { labels, name, namespace: 'egress' },
  spec: { ...(addresses ? { addresses } : {}), hosts, location: 'MESH_EXTERNAL', ports: [{ name: 'https', number: 443, protocol: 'TLS' }], resolution },
});
const egressWaypoint = { 'gateways.yaml': kubeList([waypoint('egress', 'egress-waypoint')]) };

ruleTester(wp019, {
  valid: [
    {
      name: 'bound ServiceEntry with a VIP in spec.addresses',
      files: { ...egressWaypoint, 'serviceentries.yaml': kubeList([serviceEntry('httpbin', ['httpbin.org'], { [USE]: 'egress-waypoint' }, ['240.240.0.10'])]) },
    },
    {
      name: 'ServiceEntry without addresses that uses no waypoint',
      files: { ...egressWaypoint, 'serviceentries.yaml': kubeList([serviceEntry('httpbin', ['httpbin.org'])]) },
    },
    {
      name: 'a ServiceEntry whose waypoint is missing is not bound (WP001), so its missing VIP is not this rule\'s',
      files: { 'gateways.yaml': kubeList([]), 'serviceentries.yaml': kubeList([serviceEntry('httpbin', ['httpbin.org'], { [USE]: 'egress-waypoint' })]) },
    },
  ],
  invalid: [
    {
      name: 'bound ServiceEntry without spec.addresses',
      files: { ...egressWaypoint, 'serviceentries.yaml': kubeList([serviceEntry('httpbin', ['httpbin.org'], { [USE]: 'egress-waypoint' })]) },
      findings: [{
        subject: 'ServiceEntry egress/httpbin',
        message: /^ServiceEntry egress\/httpbin \(httpbin\.org\) uses a waypoint but has no VIP: clients connect to the resolved external address and skip the waypoint\.$/,
        evidence: ['serviceentries.yaml:7', 'serviceentries.yaml:8'],
      }],
    },
    {
      name: 'wildcard ServiceEntry without a waypoint, reported WaypointMissing by istiod',
      files: {
        ...egressWaypoint,
        'serviceentries.yaml': kubeList([{
          ...serviceEntry('wildcard', ['*.example.com'], {}, undefined, 'NONE'),
          status: {
            conditions: [{
              lastTransitionTime: '2024-05-07T09:00:00Z',
              message: 'ServiceEntry will not apply until it is bound to a valid waypoint.',
              reason: 'NoWaypointForWildcardService',
              status: 'True',
              type: 'istio.io/WaypointMissing',
            }],
          },
        }]),
      },
      findings: [{
        subject: 'ServiceEntry egress/wildcard',
        message: /^ServiceEntry egress\/wildcard \(\*\.example\.com\) is reported WaypointMissing \(NoWaypointForWildcardService\)\.$/,
        // labels: {} (6), name (7), spec (9-17), status (18), conditions (19), `type:` last of the condition (24)
        evidence: ['serviceentries.yaml:24'],
      }],
    },
    {
      name: 'of two bound ServiceEntries only the one without a VIP is reported',
      files: {
        ...egressWaypoint,
        'serviceentries.yaml': kubeList([
          serviceEntry('api', ['api.example.com'], { [USE]: 'egress-waypoint' }, ['240.240.0.11']),
          serviceEntry('httpbin', ['httpbin.org', 'www.httpbin.org'], { [USE]: 'egress-waypoint' }),
        ]),
      },
      // api spans lines 3-20 (one address): httpbin's label is on line 25.
      findings: [{ subject: 'ServiceEntry egress/httpbin', message: /\(httpbin\.org, www\.httpbin\.org\) uses a waypoint but has no VIP/, evidence: ['serviceentries.yaml:25'] }],
    },
  ],
});

ruleTester(wp019, {
  valid: [],
  invalid: [{
    name: 'no ServiceEntries captured: inconclusive',
    files: egressWaypoint,
    findings: [{ status: 'inconclusive', message: /no ServiceEntry objects/ }],
  }],
});

describe('WP019 cases that once were bugs', () => {
  // failure-modes.md WP019: "SE bound to a waypoint with empty spec.addresses AND ZS SERVICE VIP empty"; the rule's
  // own description excepts "ambient DNS capture allocating one". Here ztunnel shows an auto-allocated VIP and the
  // waypoint, so clients resolve that VIP and traffic does cross the waypoint; the rule still reports "no VIP".
  it('valid: no spec.addresses, but ztunnel shows an auto-allocated VIP and the waypoint', () => {
    const findings = runRule(wp019, snapshotOf({
      ...egressWaypoint,
      'serviceentries.yaml': kubeList([serviceEntry('httpbin', ['httpbin.org'], { [USE]: 'egress-waypoint' })]),
      'zs.txt': tabwrite([
        ['NAMESPACE', 'SERVICE NAME', 'SERVICE VIP', 'WAYPOINT', 'ENDPOINTS'],
        ['egress', 'httpbin.org', '240.240.0.2', 'egress-waypoint', '1/1'],
      ], 1),
    }));
    expect(findings.filter((f) => f.status === 'fail').map((f) => f.message)).toEqual([]);
  });
});
