import { wp043 } from '../../../src/rules/config-and-logs/wp043-no-access-lines.js';
import { kubeList, ruleTester } from '../rule-tester.js';
import { cluster } from '../policy/cluster.js';
import { accessLine, DIRECT, lines, STARTUP, VIA_WAYPOINT, WAYPOINT_LOG, ZTUNNEL_LOG, ztunnelLine } from './logs.js';

/** `kubectl get configmap istio -n istio-system -o json`, with this mesh config. */
const meshConfig = (mesh: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'istio', namespace: 'istio-system' }, data: { mesh } }, null, 4);
const LOGGING_ON = { 'kubectl/configmap-istio.json': meshConfig('accessLogFile: /dev/stdout\nrootNamespace: istio-system\n'), 'kubectl/telemetries.yaml': kubeList([]) };
const LOGGING_OFF = { 'kubectl/configmap-istio.json': meshConfig('defaultConfig:\n  discoveryAddress: istiod.istio-system.svc:15012\nrootNamespace: istio-system\n'), 'kubectl/telemetries.yaml': kubeList([]) };
const telemetry = { apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry', metadata: { name: 'mesh-default', namespace: 'istio-system' }, spec: { accessLogging: [{ providers: [{ name: 'envoy' }] }] } };

ruleTester(wp043, {
  valid: [
    { name: 'the waypoint logged requests', files: cluster([], { ...LOGGING_ON, [WAYPOINT_LOG]: lines(STARTUP, accessLine()) }) },
    { name: 'logging on, no request, and nothing says one was due: an idle waypoint', files: cluster([], { ...LOGGING_ON, [WAYPOINT_LOG]: lines(STARTUP) }) },
    { name: 'logging on, and ztunnel\'s calls all went through the waypoint, which logged them', files: cluster([], { ...LOGGING_ON, [WAYPOINT_LOG]: lines(STARTUP, accessLine()), [ZTUNNEL_LOG]: lines(ztunnelLine(VIA_WAYPOINT)) }) },
    { name: 'no waypoint log in the bundle', files: cluster([], LOGGING_OFF) },
  ],
  invalid: [
    {
      name: 'logging off (the default): said once, as information',
      files: cluster([], { ...LOGGING_OFF, [WAYPOINT_LOG]: lines(STARTUP) }),
      findings: [{ subject: undefined, message: /^Access logging is off \(meshConfig\.accessLogFile is empty and no Telemetry has accessLogging\): the logs of waypoint default\/waypoint cannot show/, evidence: [`${WAYPOINT_LOG}:`, 'kubectl/configmap-istio.json:5'] }],
    },
    {
      name: 'logging on, no request at the waypoint, while ztunnel shows a client calling its Service',
      files: cluster([], { ...LOGGING_ON, [WAYPOINT_LOG]: lines(STARTUP), [ZTUNNEL_LOG]: lines(ztunnelLine(DIRECT)) }),
      findings: [{ subject: 'Gateway default/waypoint', message: /logged no request, although access logging is on \(meshConfig\.accessLogFile is \/dev\/stdout\) and ztunnel logged a connection to its Services/, evidence: [`${ZTUNNEL_LOG}:1`] }],
    },
    {
      name: 'a Telemetry turns logging on even without accessLogFile',
      files: cluster([], { ...LOGGING_OFF, 'kubectl/telemetries.yaml': kubeList([telemetry]), [WAYPOINT_LOG]: lines(STARTUP), [ZTUNNEL_LOG]: lines(ztunnelLine(DIRECT)) }),
      findings: [{ subject: 'Gateway default/waypoint', message: /access logging is on \(Telemetry istio-system\/mesh-default turns it on\)/ }],
    },
  ],
});
