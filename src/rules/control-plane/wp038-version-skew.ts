import type { ProxyStatusRow } from '../../parse/types.js';
import { evidence, type Evidence, type Rule } from '../types.js';
import { fixOf, nsOf, sh } from '../shell.js';

/** `1.26.2`, `1.23-alpha.<sha>`, `1.20*` -> 26, 23, 20. */
export function minorOf(version: string): number | undefined {
  const m = /^v?1\.(\d+)/.exec(version.trim());
  return m ? Number(m[1]) : undefined;
}

type Role = 'ztunnel' | 'waypoint';

export const wp038: Rule = {
  meta: {
    id: 'WP038',
    title: 'Version skew between istiod, ztunnel and waypoints',
    severity: 'warning',
    description:
      'ztunnel and waypoints must not be newer than istiod, and should be at most one minor version older ("ztunnel at ' +
      'version 1.x is compatible with the control plane at 1.x and 1.x+1"). Outside that, configuration istiod sends may be ' +
      'misread, and features the labels ask for (use-waypoint-namespace 1.23, status conditions 1.24, ...) may not exist. ' +
      'Upgrade istiod first, then ztunnel, then waypoints.',
    detection:
      'Compares the minor version of every ztunnel and waypoint (proxy-status VERSION) with istiod\'s (istioctl version): newer than istiod, or more than one minor older.',
    fix: 'Upgrade istiod first, then ztunnel, then restart the waypoints.',
    docs: 'https://istio.io/latest/docs/ambient/upgrade/helm/',
    needs: [],
    needsAnyOf: ['proxy-status', 'versions'],
  },
  check(snapshot, context) {
    const control = new Set<number>();
    const controlEvidence: Evidence[] = [];
    for (const v of snapshot.records.versions) {
      for (const c of v.controlPlane) {
        const minor = minorOf(c.version);
        if (minor !== undefined) control.add(minor);
      }
      if (v.controlPlane.length) controlEvidence.push(evidence(v.source, `control plane ${v.controlPlane.map((c) => c.version).join(', ')}`));
    }
    if (control.size === 0) {
      // Proxy versions without istiod's: the comparison cannot be made, which is not "no skew".
      context.report({
        status: 'inconclusive',
        message: 'The bundle has proxy versions but not the control plane\'s, so version skew could not be checked.',
        evidence: [],
        collect: ['istioctl version -o json'],
      });
      return;
    }
    const newest = Math.max(...control);
    const oldest = Math.min(...control);
    const waypoints = new Set(snapshot.waypoints.flatMap((w) => w.proxies.map((p) => `${p.namespace}/${p.pod}`)));
    const roleOf = (row: ProxyStatusRow): Role | undefined =>
      row.proxyType === 'ztunnel' || (row.namespace !== '' && /^ztunnel-/.test(row.pod)) ? 'ztunnel'
        : row.proxyType === 'waypoint' || waypoints.has(`${row.namespace}/${row.pod}`) ? 'waypoint' : undefined;
    const skewed = new Map<string, { role: Role; version: string; rows: ProxyStatusRow[]; why: string }>();
    // Proxies from proxy-status, plus those only `istioctl version -o json` lists (ID `pod.namespace`, Type).
    const rows: ProxyStatusRow[] = [...snapshot.proxyStatus.byPod.values()];
    for (const v of snapshot.records.versions) {
      for (const d of v.dataPlane) {
        if (!d.id) continue;
        const dot = d.id.lastIndexOf('.');
        const pod = dot > 0 ? d.id.slice(0, dot) : d.id;
        const namespace = dot > 0 ? d.id.slice(dot + 1) : '';
        if (snapshot.proxyStatus.byPod.has(`${namespace}/${pod}`)) continue;
        rows.push({ proxy: d.id, pod, namespace, cluster: '', istiod: '', version: d.version, ...(d.type ? { proxyType: d.type } : {}), source: v.source });
      }
    }
    for (const row of rows) {
      const role = roleOf(row);
      const minor = minorOf(row.version);
      if (!role || minor === undefined) continue;
      const why = minor > newest ? `newer than istiod (1.${newest})` : minor < oldest - 1 ? `more than one minor version older than istiod (1.${oldest})` : '';
      if (!why) continue;
      const key = `${role} ${row.version}`;
      const entry = skewed.get(key) ?? { role, version: row.version, rows: [], why };
      entry.rows.push(row);
      skewed.set(key, entry);
    }
    for (const { role, version, rows, why } of skewed.values()) {
      context.report({
        subject: { kind: 'Pod', namespace: rows[0]!.namespace, name: rows[0]!.pod },
        message: `${rows.length} ${role}${rows.length > 1 ? 's' : ''} at ${version}, ${why}: ${rows.slice(0, 4).map((r) => r.pod).join(', ')}${rows.length > 4 ? ', ...' : ''}.`,
        evidence: [...controlEvidence, ...rows.slice(0, 5).map((r) => evidence(r.source, `${r.pod}: ${r.version}`))],
        fix: role === 'ztunnel'
          ? fixOf('Upgrade istiod first, then the ztunnel DaemonSet, to versions at most one minor apart.', [sh`kubectl rollout restart daemonset/ztunnel -n istio-system`])
          : fixOf('Restart the waypoints after upgrading istiod, so they run its version.', [sh`kubectl rollout restart deployment -n ${nsOf(rows[0]!.namespace)} -l gateway.istio.io/managed=istio.io-mesh-controller`]),
      });
    }
  },
};
