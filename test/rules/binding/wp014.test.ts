import { wp014 } from '../../../src/rules/binding/wp014-waypoint-not-programmed.js';
import { kubeList, ruleTester, waypoint } from '../rule-tester.js';

const cond = (type: string, status: string, reason: string, message: string) => ({ lastTransitionTime: '2024-05-07T09:00:00Z', message, reason, status, type });
const withConditions = (conditions: object[], className = 'istio-waypoint', name = 'waypoint') => ({ ...waypoint('default', name, {}, className), status: { conditions } });
const ACCEPTED = cond('Accepted', 'True', 'Accepted', 'Resource accepted');
const PROGRAMMED = cond('Programmed', 'True', 'Programmed', 'Resource programmed, assigned to service(s) waypoint.default.svc.cluster.local:15008');

ruleTester(wp014, {
  valid: [
    { name: 'Accepted and Programmed', files: { 'gateways.yaml': kubeList([withConditions([ACCEPTED, PROGRAMMED])]) } },
    {
      name: 'an ingress Gateway (class istio) that is not programmed is not a waypoint',
      files: { 'gateways.yaml': kubeList([withConditions([ACCEPTED, cond('Programmed', 'False', 'AddressNotAssigned', 'no address')], 'istio', 'bookinfo-gateway')]) },
    },
    {
      name: 'a waypoint whose status has no conditions: nothing is False',
      files: { 'gateways.yaml': kubeList([waypoint('default', 'waypoint')]) },
    },
  ],
  invalid: [
    {
      name: 'Programmed False, AddressNotUsable',
      files: {
        'gateways.yaml': kubeList([withConditions([
          ACCEPTED,
          cond('Programmed', 'False', 'AddressNotUsable', 'Failed to assign to any requested addresses: hostname "waypoint.default.svc.cluster.local" not found'),
        ])]),
      },
      findings: [{
        subject: 'Gateway default/waypoint',
        message: /^Waypoint default\/waypoint: Programmed False \(AddressNotUsable: Failed to assign to any requested addresses: hostname "waypoint\.default\.svc\.cluster\.local" not found\)\.$/,
        // status (15), conditions (16), Accepted (17-21), Programmed (22-26, `type:` last)
        evidence: ['gateways.yaml:26'],
      }],
    },
    {
      name: 'Accepted False and Programmed False: both reported in one finding',
      files: {
        'gateways.yaml': kubeList([withConditions([
          cond('Accepted', 'False', 'ListenersNotValid', 'No listeners are valid'),
          cond('Programmed', 'False', 'Invalid', 'Gateway is not accepted'),
        ])]),
      },
      findings: [{
        subject: 'Gateway default/waypoint',
        message: /^Waypoint default\/waypoint: Accepted False \(ListenersNotValid: No listeners are valid\); Programmed False \(Invalid: Gateway is not accepted\)\.$/,
        evidence: ['gateways.yaml:21', 'gateways.yaml:26'],
      }],
    },
  ],
});

ruleTester(wp014, {
  valid: [],
  invalid: [{ name: 'no Gateways captured: inconclusive', files: { 'services.yaml': kubeList([]) }, findings: [{ status: 'inconclusive', message: /no Gateway objects/ }] }],
});
