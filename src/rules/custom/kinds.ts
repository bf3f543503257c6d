/** What a rule can select: Kubernetes objects of a kind, or one of the record lists read from istioctl output and logs. */
import { pathContext } from '../../bundle/layout.js';
import type { Capture } from '../../model/captures.js';
import { objectsOf, objectKey, type ClusterSnapshot } from '../../model/snapshot.js';
import type { KubeObject, Provenance } from '../../parse/types.js';
import { subjectOf, type Subject } from '../types.js';
import { kubeView } from './variables.js';

/** One selected record: what expressions and templates read as `object`, and what a finding needs. */
export interface Selected {
  view: Record<string, unknown>;
  source: Provenance;
  subject?: Subject;
  labelSources?: Record<string, Provenance>;
  /** The Kubernetes object, for the variables that follow from it (binding, waypoint, ztunnel). */
  object?: KubeObject;
}

export interface RecordKind {
  capture?: Capture;
  /** What the kind is called in messages ("Pod objects", "access log entries"). */
  describe: string;
  select(snapshot: ClusterSnapshot): Iterable<Selected>;
}

function tableSubject(kind: string, namespace: unknown, name: unknown): Subject | undefined {
  if (typeof name !== 'string' || name === '') return undefined;
  return typeof namespace === 'string' && namespace !== '' ? { kind, namespace, name } : { kind, name };
}

function* plain<T extends { source: Provenance }>(records: Iterable<T>, subject: (r: T) => Subject | undefined): Iterable<Selected> {
  for (const r of records) {
    const s = subject(r);
    yield { view: r as unknown as Record<string, unknown>, source: r.source, ...(s ? { subject: s } : {}) };
  }
}

function firstByName<T extends { namespace: string; name: string }>(records: readonly T[]): T[] {
  const seen = new Map<string, T>();
  for (const r of records) if (!seen.has(objectKey(r.namespace, r.name))) seen.set(objectKey(r.namespace, r.name), r);
  return [...seen.values()];
}

function* logEntries(snapshot: ClusterSnapshot, which: 'accessEntries' | 'ztunnelEntries'): Iterable<Selected> {
  for (const log of snapshot.records.logs) {
    const { pod } = pathContext(log.file);
    const subject = pod && pod.namespace ? { kind: 'Pod', namespace: pod.namespace, name: pod.name } : undefined;
    for (const entry of log[which]) {
      yield { view: { ...entry, file: log.file, ...(pod ? { pod } : {}) }, source: entry.source, ...(subject ? { subject } : {}) };
    }
  }
}

/** The record lists a rule can select besides Kubernetes kinds, with the capture each needs. */
export const RECORD_KINDS: Record<string, RecordKind> = {
  ztunnelWorkload: {
    capture: 'ztunnel-workloads',
    describe: 'ztunnel workloads',
    // One row per pod: the same pod is listed once per ztunnel captured.
    select: (s) => plain(s.ztunnel.workloadByPod.values(), (r) => tableSubject('Workload', r.namespace, r.name)),
  },
  ztunnelService: {
    capture: 'ztunnel-services',
    describe: 'ztunnel services',
    select: (s) => plain(s.ztunnel.serviceByName.values(), (r) => tableSubject('Service', r.namespace, r.name)),
  },
  ztunnelPolicy: {
    capture: 'ztunnel-policies',
    describe: 'ztunnel policies',
    select: (s) => plain(firstByName(s.records.ztunnelPolicies), (r) => tableSubject('Policy', r.namespace, r.name)),
  },
  ztunnelCertificate: {
    capture: 'ztunnel-certificates',
    describe: 'ztunnel certificates',
    select: (s) => plain(s.records.ztunnelCertificates, () => undefined),
  },
  proxyStatus: {
    capture: 'proxy-status',
    describe: 'proxy-status rows',
    select: (s) => plain(s.records.proxyStatus, (r) => tableSubject('Pod', r.namespace, r.pod)),
  },
  analyzeMessage: {
    capture: 'analyze',
    describe: 'istioctl analyze messages',
    select: (s) => plain(s.records.analyzeMessages, (r) => (r.origin ? tableSubject(r.origin.kind, r.origin.namespace, r.origin.name) : undefined)),
  },
  accessLog: {
    capture: 'logs',
    describe: 'access log entries',
    select: (s) => logEntries(s, 'accessEntries'),
  },
  ztunnelLog: {
    capture: 'logs',
    describe: 'ztunnel log entries',
    select: (s) => logEntries(s, 'ztunnelEntries'),
  },
};

function* kubeObjects(snapshot: ClusterSnapshot, kind: string): Iterable<Selected> {
  for (const o of objectsOf(snapshot, kind)) yield { view: kubeView(snapshot, o), source: o.source, subject: subjectOf(o), labelSources: o.labelSources, object: o };
}

export function kindOf(kind: string): RecordKind {
  return RECORD_KINDS[kind] ?? { capture: `kube:${kind}`, describe: `${kind} objects`, select: (s) => kubeObjects(s, kind) };
}
