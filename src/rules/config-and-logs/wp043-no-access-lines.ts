import { objectsOf, type ClusterSnapshot } from '../../model/snapshot.js';
import type { KnownWaypoint } from '../../model/types.js';
import type { KubeObject, Provenance } from '../../parse/types.js';
import { evidence, subjectOf, type Evidence, type Rule } from '../types.js';
import { servicesServedBy, waypointLogs } from './served.js';
import { fixOf, k8sName, nsOf, sh } from '../shell.js';
import { yamlOf } from '../wording.js';

export const wp043: Rule = {
  meta: {
    id: 'WP043',
    title: 'No access-log line at the waypoint',
    severity: 'warning',
    description:
      'A waypoint\'s log with no request line means one of two things, and they must not be confused: access logging is off ' +
      '(the default: `meshConfig.accessLogFile` empty and no Telemetry turning it on), so the log cannot show requests; or it is ' +
      'on and no request reached the waypoint in the window, although clients called its Services: the traffic bypassed it ' +
      '(WP015-WP019, WP044) or was sent elsewhere.',
    detection:
      'For each waypoint whose pod log the bundle holds and that has no access line: access logging is judged from the mesh config ' +
      '(the istio ConfigMap) and Telemetry resources; when it is on, ztunnel\'s log (if captured) tells whether clients connected ' +
      'to the waypoint\'s Services in the same window. Logging off is reported as information, with the command to turn it on.',
    fix: 'Turn access logging on (`meshConfig.accessLogFile: /dev/stdout`, or a Telemetry with accessLogging), send a request, and collect the log again.',
    docs: 'https://istio.io/latest/docs/ambient/usage/troubleshoot-waypoint/',
    needs: ['logs'],
  },
  check(snapshot, context) {
    const logging = accessLogging(snapshot);
    const silent = snapshot.waypoints.flatMap((waypoint) => {
      const logs = waypointLogs(snapshot, waypoint);
      return logs.length > 0 && !logs.some((l) => (l.log.accessStats?.requests ?? 0) > 0) ? [{ waypoint, logs }] : [];
    });
    if (silent.length === 0) return;
    if (logging.on === false) {
      // Off is the default: said once, as what the logs cannot show, not as a fault of each waypoint.
      context.report({
        severity: 'info',
        message: `Access logging is off (${logging.why}): the logs of waypoint${silent.length > 1 ? 's' : ''} ${silent.map((s) => `${s.waypoint.namespace}/${s.waypoint.name}`).join(', ')} cannot show whether requests reach ${silent.length > 1 ? 'them' : 'it'}.`,
        evidence: [...silent.flatMap((s) => s.logs.map((l) => evidence({ file: l.log.file }, `${l.log.lines} lines, no access line`))), ...logging.evidence],
        fix: { text: 'Turn access logging on for the waypoint, send a request, and collect its log again.', yaml: telemetryFor(silent[0]!.waypoint) },
      });
      return;
    }
    for (const { waypoint, logs } of silent) {
      // Without connections that should have crossed it, an idle waypoint is not a finding.
      const calls = clientCalls(snapshot, waypoint);
      if (calls.length === 0) continue;
      context.report({
        subject: waypoint.gateway ? subjectOf(waypoint.gateway) : { kind: 'Gateway', namespace: waypoint.namespace, name: waypoint.name },
        message: `Waypoint ${waypoint.namespace}/${waypoint.name} logged no request, although access logging is ${logging.on ? `on (${logging.why})` : 'probably on'} and ztunnel logged ${calls.length > 1 ? 'connections' : 'a connection'} to its Services in the same capture: those requests did not go through the waypoint.`,
        evidence: [...logs.map((l) => evidence({ file: l.log.file }, `${l.log.lines} lines, no access line`)), ...logging.evidence, ...calls.slice(0, 3)],
        fix: fixOf('Check how clients reach the Service without the waypoint (WP015-WP019) and ztunnel\'s log (WP044); send a request from an ambient client and collect again.', [
          sh`kubectl logs deploy/${k8sName(waypoint.name, 'subdomain', 'the waypoint name')} -n ${nsOf(waypoint)} --since 5m`,
        ]),
      });
    }
  },
};

/** Whether access logging is on for waypoints: the mesh config, then Telemetry resources (true/false/unknown). */
function accessLogging(snapshot: ClusterSnapshot): { on: boolean | undefined; why: string; evidence: Evidence[] } {
  const telemetry = [...objectsOf(snapshot, 'Telemetry')].filter(enablesLogging);
  if (telemetry.length) return { on: true, why: `Telemetry ${telemetry.map((t) => `${t.namespace}/${t.name}`).join(', ')} turns it on`, evidence: telemetry.map((t) => evidence(t.source, 'accessLogging')) };
  const mesh = snapshot.records.meshConfigs[0];
  if (!mesh) return { on: undefined, why: 'the bundle has no mesh config', evidence: [] };
  const file = mesh.config['accessLogFile'];
  const at: Provenance = mesh.source;
  if (typeof file === 'string' && file !== '') return { on: true, why: `meshConfig.accessLogFile is ${file}`, evidence: [evidence(at, `accessLogFile: ${file}`)] };
  // Telemetry objects not captured at all: one may still turn logging on.
  if (!snapshot.captured.has('kube:Telemetry')) return { on: undefined, why: 'meshConfig.accessLogFile is empty, and the bundle has no Telemetry resources to tell', evidence: [evidence(at, 'no accessLogFile')] };
  return { on: false, why: 'meshConfig.accessLogFile is empty and no Telemetry has accessLogging', evidence: [evidence(at, 'no accessLogFile in the mesh config')] };
}

/** A Telemetry whose accessLogging is not all disabled (root-namespace, namespace-wide or targeted: any may reach a waypoint). */
function enablesLogging(t: KubeObject): boolean {
  const entries = Array.isArray(t.spec['accessLogging']) ? (t.spec['accessLogging'] as Record<string, unknown>[]) : [];
  return entries.some((e) => e['disabled'] !== true && String(e['disabled']) !== 'true');
}

/** ztunnel log lines of clients connecting to the waypoint's Services (outbound), as evidence that traffic was due. */
function clientCalls(snapshot: ClusterSnapshot, waypoint: KnownWaypoint): Evidence[] {
  const hosts = new Set(servicesServedBy(snapshot, waypoint).map((s) => `${s.name}.${s.namespace}.`));
  const out: Evidence[] = [];
  for (const { log } of snapshot.podLogs) {
    for (const flow of Object.values(log.ztunnelStats?.flows ?? {})) {
      if (flow.direction !== 'outbound' || !flow.dstService || ![...hosts].some((h) => flow.dstService!.startsWith(h))) continue;
      for (const e of flow.examples.slice(0, 1)) out.push(evidence(e, `ztunnel: ${flow.count} connection${flow.count > 1 ? 's' : ''} from ${flow.srcWorkload ?? '?'} to ${flow.dstService}`));
    }
  }
  return out;
}

/** A Telemetry that turns access logging on for this waypoint only. */
function telemetryFor(waypoint: KnownWaypoint): string {
  return yamlOf({
    apiVersion: 'telemetry.istio.io/v1',
    kind: 'Telemetry',
    metadata: { name: `${waypoint.name}-access-log`, namespace: waypoint.namespace },
    spec: {
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: waypoint.name }],
      accessLogging: [{ providers: [{ name: 'envoy' }] }],
    },
  });
}
