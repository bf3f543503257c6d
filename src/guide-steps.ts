/**
 * The istio.io guide "Troubleshooting issues with waypoints", answered from the bundle: its five steps,
 * each with a verdict (fine / problem / not captured), a summary in numbers, and the findings behind it,
 * so the report reads in the order the support engineer already works in.
 */
import type { Capture } from './model/captures.js';
import type { ClusterSnapshot } from './model/snapshot.js';
import { waypointSyncProblems } from './model/known-waypoints.js';
import type { Finding } from './rules/types.js';

export type StepVerdict = 'fine' | 'problem' | 'not-captured';

export interface GuideStep {
  number: number;
  id: 'analyze' | 'waypoints' | 'sync' | 'logs' | 'config';
  /** The guide's question. */
  title: string;
  /** What the guide runs for it. */
  commands: string[];
  verdict: StepVerdict;
  summary: string;
  /** Ids (report anchors) of the failing findings that answer it, errors first. */
  findings: string[];
  /** The checks that belong to this step. */
  rules: string[];
}

interface StepSpec {
  id: GuideStep['id'];
  title: string;
  commands: string[];
  /** Any of these makes the step answerable. */
  captures: Capture[];
  owns: (ruleId: string) => boolean;
}

const ruleNumber = (id: string) => (/^WP(\d{3})$/.exec(id) ? Number(id.slice(2)) : NaN);
const inRange = (lo: number, hi: number) => (id: string) => ruleNumber(id) >= lo && ruleNumber(id) <= hi;

const STEPS: StepSpec[] = [
  { id: 'analyze', title: 'Does istioctl analyze report a problem?', commands: ['istioctl analyze -A'], captures: ['analyze'], owns: (id) => id.startsWith('IST') },
  {
    id: 'waypoints',
    title: 'Which waypoint does each Service and Pod use, and is it the one expected?',
    commands: ['istioctl ztunnel-config service', 'istioctl ztunnel-config workload', 'kubectl get svc,pods,ns -L istio.io/use-waypoint'],
    captures: ['ztunnel-services', 'ztunnel-workloads', 'kube:Service', 'kube:Pod'],
    owns: inRange(1, 20),
  },
  { id: 'sync', title: 'Is every waypoint proxy connected to istiod and in sync?', commands: ['istioctl proxy-status'], captures: ['proxy-status'], owns: inRange(37, 39) },
  { id: 'logs', title: 'What do the waypoint and ztunnel logs show?', commands: ['kubectl logs deploy/waypoint', 'kubectl logs -n istio-system ds/ztunnel'], captures: ['logs'], owns: inRange(42, 44) },
  {
    id: 'config',
    title: 'Does each waypoint\'s configuration hold the Services, routes and policies bound to it?',
    commands: ['istioctl proxy-config all <waypoint-pod> -o json'],
    captures: ['envoy-config'],
    owns: (id) => inRange(21, 36)(id) || inRange(40, 41)(id),
  },
];

const SEVERITY_ORDER: Record<string, number> = { error: 0, warning: 1, info: 2 };
/** Binding states in which the labels ask for a waypoint that cannot take the traffic. */
const BROKEN = new Set(['waypoint-missing', 'waypoint-not-ready', 'traffic-type-unsupported', 'attachment-denied']);
const NONE = new Set(['', 'None', 'NA', '<none>']);

export function guideSteps(snapshot: ClusterSnapshot, findings: readonly Finding[], ids: readonly string[]): GuideStep[] {
  return STEPS.map((spec, i) => {
    const fromAnalyze = analyzeLocations(snapshot);
    const own = findings.map((f, j) => ({ f, id: ids[j]! })).filter(({ f }) => f.status === 'fail' && (spec.owns(f.ruleId) || (spec.id === 'analyze' && f.evidence.some((e) => fromAnalyze.has(`${e.file}:${e.line}`)))));
    own.sort((a, b) => SEVERITY_ORDER[a.f.severity]! - SEVERITY_ORDER[b.f.severity]!);
    // istioctl's own errors and warnings are a problem of step 1 even when a WP finding carries them.
    const alarms = own.filter(({ f }) => f.severity !== 'info' && (spec.id !== 'analyze' || f.ruleId.startsWith('IST') || analyzeAlarm(snapshot)));
    const captured = spec.captures.some((c) => snapshot.captured.has(c));
    const verdict: StepVerdict = alarms.length > 0 ? 'problem' : captured ? 'fine' : 'not-captured';
    return {
      number: i + 1,
      id: spec.id,
      title: spec.title,
      commands: spec.commands,
      verdict,
      summary: captured || spec.id === 'config' ? SUMMARIES[spec.id](snapshot, own.map(({ f }) => f)) : `Not in the bundle: ${spec.commands.join(', ')}.`,
      findings: own.map(({ id }) => id),
      rules: [...new Set(findings.filter((f) => spec.owns(f.ruleId)).map((f) => f.ruleId))],
    };
  });
}

/** `file:line` of every istioctl analyze message, to find the findings that carry one. */
function analyzeLocations(snapshot: ClusterSnapshot): Set<string> {
  return new Set(snapshot.records.analyzeMessages.map((m) => `${m.source.file}:${m.source.line}`));
}

function analyzeAlarm(snapshot: ClusterSnapshot): boolean {
  return snapshot.records.analyzeMessages.some((m) => m.level === 'Error' || m.level === 'Warning');
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const SUMMARIES: Record<GuideStep['id'], (snapshot: ClusterSnapshot, own: Finding[]) => string> = {
  analyze(snapshot) {
    const messages = snapshot.records.analyzeMessages;
    if (messages.length === 0) return 'istioctl analyze found no validation issue.';
    const by = (level: string) => messages.filter((m) => m.level === level).length;
    return `istioctl analyze printed ${plural(messages.length, 'message')}: ${by('Error')} errors, ${by('Warning')} warnings, ${by('Info')} info.`;
  },
  waypoints(snapshot) {
    const parts: string[] = [];
    // Pods inherit their namespace's label; only their own label, or a waypoint that takes them, is a request of theirs.
    const asking = snapshot.bindings.filter((b) => b.request && (b.subject.kind === 'Service' || b.subject.kind === 'ServiceEntry' || b.request.from === 'object' || b.state === 'bound'));
    if (asking.length || snapshot.captured.has('kube:Service')) {
      const services = asking.filter((b) => b.subject.kind === 'Service' || b.subject.kind === 'ServiceEntry').length;
      const broken = asking.filter((b) => BROKEN.has(b.state)).length;
      parts.push(`the labels bind ${plural(services, 'Service')} and ${plural(asking.length - services, 'pod')} to a waypoint${broken ? `, ${broken} of which cannot use it` : ''}`);
    }
    const zs = snapshot.records.ztunnelServices.filter((r) => !NONE.has(r.waypoint)).length;
    const zw = snapshot.records.ztunnelWorkloads.filter((r) => !NONE.has(r.waypoint)).length;
    if (snapshot.captured.has('ztunnel-services') || snapshot.captured.has('ztunnel-workloads')) {
      const compared = snapshot.bindings.filter((b) => b.request && b.observed);
      const disagree = compared.filter((b) => b.observed!.waypoint !== b.expected && !b.observed!.waypoint.endsWith(`/${b.expected}`)).length;
      parts.push(`ztunnel sends ${plural(zs, 'Service')} and ${plural(zw, 'workload')} to a waypoint${compared.length ? `; compared with the labels for ${compared.length}: ${disagree ? `${disagree} disagree` : 'all agree'}` : ''}`);
    }
    const text = parts.join('; ');
    return `${text.startsWith('the') ? `T${text.slice(1)}` : text}.`;
  },
  sync(snapshot) {
    const proxies = snapshot.waypoints.flatMap((w) => w.proxies);
    const rows = proxies.filter((p) => p.proxyStatus);
    const notSynced = rows.filter((p) => waypointSyncProblems(p.proxyStatus!).length > 0).length;
    const hidden = rows.filter((p) => !p.proxyStatus!.xds).length;
    return `${plural(proxies.length, 'waypoint pod')}: ${rows.length} in proxy-status, ${notSynced} not in sync${hidden ? `, ${hidden} whose sync state the table hides` : ''}.`;
  },
  logs(snapshot) {
    const waypointPods = new Set(snapshot.waypoints.flatMap((w) => w.proxies.map((p) => `${p.namespace}/${p.pod}`)));
    const logs = snapshot.podLogs.filter((l) => l.pod && waypointPods.has(`${l.pod.namespace}/${l.pod.name}`));
    const requests = logs.reduce((n, l) => n + (l.log.accessStats?.requests ?? 0), 0);
    const served = logs.reduce((n, l) => n + (l.log.accessStats?.served ?? 0), 0);
    const ztunnel = snapshot.podLogs.filter((l) => l.log.ztunnelStats).reduce((n, l) => n + l.log.ztunnelStats!.connections, 0);
    return `${plural(logs.length, 'waypoint log')}: ${plural(requests, 'request')}, ${served} served without error; ztunnel logged ${plural(ztunnel, 'connection')}.`;
  },
  config(snapshot, own) {
    const dumps = snapshot.waypoints.filter((w) => w.proxies.some((p) => p.envoy)).length;
    const l7 = own.filter((f) => ruleNumber(f.ruleId) <= 36).length;
    const resources = snapshot.captured.has('kube:HTTPRoute') || snapshot.captured.has('kube:AuthorizationPolicy');
    const config = dumps ? `The Envoy config of ${dumps} of ${plural(snapshot.waypoints.length, 'waypoint')} is in the bundle` : 'No waypoint\'s Envoy config is in the bundle';
    return `${config}; ${resources ? (l7 ? `the routes and policies show ${plural(l7, 'finding')}` : 'routes and policies attach as intended') : 'routes and policies are not in the bundle'}.`;
  },
};
