import { evidence, type Rule, type Subject } from '../types.js';
import { fixOf, sh } from '../shell.js';

export const wp020: Rule = {
  meta: {
    id: 'WP020',
    title: 'ztunnel cannot resolve the waypoint (NA / unknown waypoint)',
    severity: 'error',
    description:
      'ztunnel prints WAYPOINT `NA` when an object has a waypoint whose service it does not know (another network, an ' +
      'IP-addressed waypoint missing from its service list, stale state). Its data path then fails with ' +
      '`unknown waypoint: ... not found` instead of reaching the waypoint.',
    detection:
      'Reports every ztunnel service or workload row whose WAYPOINT is NA, with matching `unknown waypoint` errors from ztunnel logs; such errors alone are reported too.',
    fix: 'Check that the waypoint\'s Service exists and that ztunnel knows it.',
    docs: 'https://istio.io/latest/docs/ambient/usage/troubleshoot-ztunnel/',
    needs: [],
    needsAnyOf: ['ztunnel-services', 'ztunnel-workloads', 'logs'],
  },
  check(snapshot, context) {
    const rows = [...snapshot.ztunnel.serviceByName.values(), ...snapshot.ztunnel.workloadByPod.values()].filter((r) => r.waypoint === 'NA');
    const logErrors = snapshot.records.logs.flatMap((l) => l.ztunnelEntries).filter((e) => /unknown waypoint/.test(e.error ?? e.message));
    for (const row of rows) {
      const isService = 'vip' in row;
      const subject: Subject = { kind: isService ? 'Service' : 'Pod', namespace: row.namespace, name: row.name };
      const related = logErrors.filter((e) => (e.error ?? '').includes(row.name) || e.fields['dst.service']?.includes(row.name)).slice(0, 3);
      context.report({
        subject,
        message: `ztunnel shows WAYPOINT NA for ${subject.kind.toLowerCase()} ${row.namespace}/${row.name}${row.waypointDestination ? ` (destination ${row.waypointDestination})` : ''}: it has a waypoint ztunnel cannot find, so its traffic fails.`,
        evidence: [evidence(row.source, 'WAYPOINT NA'), ...related.map((e) => evidence(e.source, e.error ?? e.message))],
        fix: fixOf('Check that the waypoint\'s Service exists and is known to ztunnel (same network, istiod connected); compare the waypoint.destination in `istioctl ztunnel-config all -o json`.', [
          sh`istioctl ztunnel-config service`,
          sh`istioctl ztunnel-config all -o json`,
        ]),
      });
    }
    if (rows.length === 0 && logErrors.length > 0) {
      const first = logErrors[0]!;
      context.report({
        message: `ztunnel logged ${logErrors.length} "unknown waypoint" error${logErrors.length > 1 ? 's' : ''}: traffic to a waypoint it cannot find fails.`,
        evidence: logErrors.slice(0, 5).map((e) => evidence(e.source, e.error ?? e.message)),
        fix: { text: `Find the waypoint named in the error (${first.error ?? first.message}) and check that ztunnel knows its Service.` },
      });
    }
  },
};
