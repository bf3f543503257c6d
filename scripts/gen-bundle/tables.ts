/**
 * istioctl's outputs for a generated cluster: the `ztunnel-config workload|service|policy` tables and the 1.26
 * `proxy-status` table (Go tabwriter, streamed: widths from a first pass over the rows, then the text in chunks,
 * so a 100,000-row table is never one string), `istioctl version` (text and JSON), `istioctl analyze -A`, and
 * `kubectl version -o json`.
 */
import { NO_ISSUES } from '../scenarios/bundle.js';
import { istioctlJson, ZS_COLUMNS, ZW_COLUMNS } from '../scenarios/serializers.js';
import { notReady } from '../scenarios/edits.js';
import { ISTIO_VERSION } from './kube.js';
import type { Plan, PodRef } from './plan.js';
import { sampleBundle, systemServiceVip } from './system.js';

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const width = (s: string): number => [...s].length;

/** Go tabwriter output (cells padded to the column's width plus `padding`; no trailing spaces), in chunks of rows. */
export function* tabwriter(columns: string[], rows: () => Iterable<string[]>, padding: number, chunkRows = 2000): Generator<string> {
  const widths = columns.map(width);
  for (const r of rows()) r.forEach((c, i) => (widths[i] = Math.max(widths[i]!, width(c))));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i]! + padding - width(c)))).join('');
  let out = line(columns) + '\n';
  let n = 0;
  for (const r of rows()) {
    out += line(r) + '\n';
    if (++n % chunkRows === 0) {
      yield out;
      out = '';
    }
  }
  if (out) yield out;
}

/** Every pod with a pod IP, as ztunnel lists workloads: by namespace and name. */
function allPods(plan: Plan): PodRef[] {
  const pods = [
    ...plan.services.flatMap((s) => s.pods), ...plan.waypoints.map((w) => w.pod), ...plan.ztunnels, plan.istiod, ...plan.system,
  ];
  return pods.sort((a, b) => cmp(`${a.namespace}.${a.name}`, `${b.namespace}.${b.name}`));
}

export function ztunnelWorkloads(plan: Plan): Generator<string> {
  const pods = allPods(plan);
  return tabwriter(ZW_COLUMNS, function* () {
    for (const p of pods) yield [p.namespace, p.name, p.ip, p.node.name, 'None', p.kind === 'app' ? 'HBONE' : 'TCP'];
  }, 1);
}

export function ztunnelServices(plan: Plan): Generator<string> {
  const rows: string[][] = [
    ['default', 'kubernetes', systemServiceVip('default', 'kubernetes')!, 'None', '0/0'],
    ['istio-system', 'istiod', systemServiceVip('istio-system', 'istiod')!, 'None', '1/1'],
    ['kube-system', 'kube-dns', systemServiceVip('kube-system', 'kube-dns')!, 'None', '1/1'],
    ['kube-system', 'metrics-server', systemServiceVip('kube-system', 'metrics-server')!, 'None', '1/1'],
  ];
  for (const s of plan.services) rows.push([s.ns.name, s.name, s.vip, s.waypoint?.name ?? 'None', `${s.pods.length}/${s.pods.length}`]);
  for (const w of plan.waypoints) rows.push([w.ns.name, w.name, w.vip, 'None', '1/1']);
  rows.sort((a, b) => cmp(a[0]!, b[0]!) || cmp(a[1]!, b[1]!));
  return tabwriter(ZS_COLUMNS, () => rows, 1);
}

/** `istioctl ztunnel-config policy`: ztunnel enforces no policy here (every one targets a Service or Gateway). */
export const ztunnelPolicies = (): string => 'NAMESPACE POLICY NAME ACTION SCOPE\n';

const PS_COLUMNS = ['NAME', 'CLUSTER', 'CDS', 'LDS', 'EDS', 'RDS', 'ECDS', 'ISTIOD', 'VERSION'];

/** The proxies istiod serves: waypoints and ztunnels, by `<pod>.<namespace>`. */
function proxies(plan: Plan): { id: string; type: 'waypoint' | 'ztunnel'; row: string[] }[] {
  const synced = 'SYNCED (14m)';
  const stale = 'STALE (14m)';
  const istiod = plan.istiod.name;
  const out: { id: string; type: 'waypoint' | 'ztunnel'; row: string[] }[] = plan.waypoints.map((w) => {
    const isStale = plan.plants.stale === w;
    const eds = w.services.length === 0 ? 'IGNORED' : isStale ? stale : synced;
    const id = `${w.pod.name}.${w.ns.name}`;
    return { id, type: 'waypoint', row: [id, 'Kubernetes', isStale ? stale : synced, synced, eds, 'IGNORED', 'IGNORED', istiod, ISTIO_VERSION] };
  });
  for (const z of plan.ztunnels) {
    const id = `${z.name}.${z.namespace}`;
    out.push({ id, type: 'ztunnel', row: [id, 'Kubernetes', 'IGNORED', 'IGNORED', 'IGNORED', 'IGNORED', 'IGNORED', istiod, ISTIO_VERSION] });
  }
  return out.sort((a, b) => cmp(a.id, b.id));
}

export function proxyStatus(plan: Plan): Generator<string> {
  const list = proxies(plan);
  return tabwriter(PS_COLUMNS, () => list.map((p) => p.row), 5);
}

/** `istioctl version -o json`: the sample's client and istiod, one dataPlaneVersion entry per proxy. */
export function versionJson(plan: Plan): string {
  const sample = sampleBundle().version as { clientVersion: unknown; meshVersion: unknown };
  const dataPlaneVersion = proxies(plan).map((p) => ({ ID: p.id, IstioVersion: ISTIO_VERSION, Type: p.type }));
  return istioctlJson({ clientVersion: sample.clientVersion, meshVersion: sample.meshVersion, dataPlaneVersion });
}

export function versionText(plan: Plan): string {
  const n = plan.waypoints.length + plan.ztunnels.length;
  return `client version: ${ISTIO_VERSION}\ncontrol plane version: ${ISTIO_VERSION}\ndata plane version: ${ISTIO_VERSION} (${n} proxies)\n`;
}

/** `istioctl analyze -A`: clean, or IST0171 for the Service whose waypoint does not exist (a Warning: exit 0). */
export function analyzeText(plan: Plan): string {
  const s = plan.plants.missingWaypoint;
  if (!s) return NO_ISSUES;
  return `Warning [IST0171] (Service ${s.ns.name}/${s.name}) A condition with a negative status is present: type=istio.io/WaypointBound, ` +
    `reason=WaypointIsNotReady, message=${notReady(s.ns.name, s.label!)}.\n`;
}

/** `kubectl version -o json` against an EKS 1.30 control plane. */
export function kubectlVersion(): string {
  const v = (gitVersion: string, commit: string, built: string) => ({
    major: '1', minor: '30', gitVersion, gitCommit: commit, gitTreeState: 'clean', buildDate: built, goVersion: 'go1.22.12', compiler: 'gc', platform: 'linux/amd64',
  });
  return JSON.stringify({
    clientVersion: v('v1.30.14', '9e18483918821121abdf9aa82bc14d66df5d68cd', '2025-06-17T18:36:32Z'),
    kustomizeVersion: 'v5.0.4-0.20230601165947-6ce0bf390ce3',
    serverVersion: v('v1.30.14-eks-3025e55', '3025e5549f0d4a6fa3bdc57a7de6c5e5e2d0c0a1', '2025-07-22T09:15:04Z'),
  }, null, 2) + '\n';
}
