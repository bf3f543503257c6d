/**
 * Whole-log statistics: every Envoy access line and every ztunnel access or error line is counted, not
 * only the sampled ones, so a finding can say "412 of 9,310 requests" of a 1 GB log. Memory stays bounded
 * whatever the log holds: each record keeps at most LOG_STATS_MAX_KEYS keys (later keys are counted under
 * `(other)`), each key at most MAX_EXAMPLES example lines, and every kept string is copied out of its line.
 */
import { isFailing, splitFlags, type AccessFields } from './envoy-access.js';
import { own, provenanceOf, value, type LineRef } from './readers.js';
import type { AccessLogStats, CountedExamples, Provenance, ZtunnelFlow, ZtunnelLogStats } from '../types.js';

/** Distinct keys each statistics record keeps; the counts of later keys go to `(other)`. */
export const LOG_STATS_MAX_KEYS = 1_000;
export const OTHER_KEY = '(other)';
/** Example lines kept per key. */
export const MAX_EXAMPLES = 3;
/** A longer key (a runaway details or error text) is cut, so that one line cannot make a key of 64 KB. */
const MAX_KEY_LENGTH = 512;

/** A Record under construction: bounded keys, each copied once when first seen. */
class BoundedRecord<V> {
  private readonly slots = new Map<string, V>();
  private distinct = 0;

  /** The value of `rawKey` (of `(other)` once the record is full); `create` makes a missing one. */
  slot<C>(rawKey: string, context: C, create: (key: string, context: C) => V): V {
    const key = rawKey.length > MAX_KEY_LENGTH ? rawKey.slice(0, MAX_KEY_LENGTH) : rawKey;
    const found = this.slots.get(key);
    if (found !== undefined) return found;
    if (this.distinct >= LOG_STATS_MAX_KEYS) {
      const other = this.slots.get(OTHER_KEY);
      if (other !== undefined) return other;
      const created = create(OTHER_KEY, context);
      this.slots.set(OTHER_KEY, created);
      return created;
    }
    const owned = own(key, MAX_KEY_LENGTH);
    const created = create(owned, context);
    this.slots.set(owned, created);
    this.distinct++;
    return created;
  }

  get size(): number {
    return this.slots.size;
  }

  toRecord(): Record<string, V> {
    return Object.fromEntries(this.slots);
  }
}

const newCounted = (): CountedExamples => ({ count: 0, examples: [] });

function countIn(record: BoundedRecord<CountedExamples>, key: string, ref: LineRef): void {
  const c = record.slot(key, undefined, newCounted);
  c.count++;
  if (c.examples.length < MAX_EXAMPLES) c.examples.push(provenanceOf(ref));
}

interface RequestCounts {
  requests: number;
  failed: number;
  example: Provenance;
}

const newRequestCounts = (_key: string, ref: LineRef): RequestCounts => ({ requests: 0, failed: 0, example: provenanceOf(ref) });

/** Counted per cluster or route; the example is the first failed line, or the first line while none failed. */
function countRequest(record: BoundedRecord<RequestCounts>, key: string, failed: boolean, ref: LineRef): void {
  const c = record.slot(key, ref, newRequestCounts);
  if (failed && c.failed === 0 && c.requests > 0) c.example = provenanceOf(ref);
  c.requests++;
  if (failed) c.failed++;
}

const RBAC_DENIED = 'rbac_access_denied_matched_policy[';

/** `rbac_access_denied_matched_policy[ns[default]-policy[deny]-rule[0]]` -> `ns[default]-policy[deny]-rule[0]`; `[none]` -> `none`. */
export function rbacPolicy(details: string | undefined): string | undefined {
  if (details === undefined || !details.startsWith(RBAC_DENIED) || !details.endsWith(']')) return undefined;
  return details.slice(RBAC_DENIED.length, -1);
}

export class AccessStatsCollector {
  private requests = 0;
  private served = 0;
  private firstTime: string | undefined;
  /** A slice of the latest line, copied only at the end: copying every line's time would cost more than the rest. */
  private lastTime: string | undefined;
  private readonly byFlag = new BoundedRecord<CountedExamples>();
  private readonly byDetails = new BoundedRecord<CountedExamples>();
  private readonly rbacDenied = new BoundedRecord<CountedExamples>();
  private readonly byCluster = new BoundedRecord<RequestCounts>();
  private readonly byRoute = new BoundedRecord<RequestCounts>();

  add(f: AccessFields, ref: LineRef): void {
    this.requests++;
    const time = value(f.time);
    if (time !== undefined) {
      if (this.firstTime === undefined) this.firstTime = own(time);
      this.lastTime = time;
    }
    const flags = value(f.flags) ?? '-';
    const code = f.code;
    if (code >= 1 && code <= 399 && flags === '-') this.served++;
    for (const flag of splitFlags(flags)) countIn(this.byFlag, flag, ref);
    const details = value(f.details);
    if (isFailing(code, flags)) countIn(this.byDetails, details ?? '-', ref);
    const policy = rbacPolicy(details);
    if (policy !== undefined) countIn(this.rbacDenied, policy, ref);
    const failed = code >= 400 || (code === 0 && flags !== '-');
    countRequest(this.byCluster, value(f.upstreamCluster) ?? '-', failed, ref);
    countRequest(this.byRoute, value(f.routeName) ?? '-', failed, ref);
  }

  /** Undefined when the log had no access line. */
  result(): AccessLogStats | undefined {
    if (this.requests === 0) return undefined;
    if (this.lastTime !== undefined) this.lastTime = own(this.lastTime);
    return {
      requests: this.requests,
      ...(this.firstTime !== undefined ? { firstTime: this.firstTime } : {}),
      ...(this.lastTime !== undefined ? { lastTime: this.lastTime } : {}),
      served: this.served,
      byFlag: this.byFlag.toRecord(),
      byDetails: this.byDetails.toRecord(),
      rbacDenied: this.rbacDenied.toRecord(),
      byCluster: this.byCluster.toRecord(),
      byRoute: this.byRoute.toRecord(),
    };
  }
}

/** The port of `10.244.1.20:15008` or `[fd00::1]:15008`; empty when there is none. */
function portOf(addr: string | undefined): string {
  if (addr === undefined) return '';
  const colon = addr.lastIndexOf(':');
  if (colon === -1 || addr.endsWith(']')) return '';
  if (addr.length - colon - 1 > 5 || colon === addr.length - 1) return '';
  for (let i = colon + 1; i < addr.length; i++) {
    const c = addr.charCodeAt(i);
    if (c < 48 || c > 57) return '';
  }
  return addr.slice(colon + 1);
}

/** The flow key of the contract: `direction|dst.service|dst.workload|dst port`, missing values empty. */
export function flowKey(fields: Readonly<Record<string, string | undefined>>): string {
  return `${fields['direction'] ?? ''}|${fields['dst.service'] ?? ''}|${fields['dst.workload'] ?? ''}|${portOf(fields['dst.addr'])}`;
}

const FLOW_FIELDS: readonly [keyof ZtunnelFlow, string][] = [
  ['direction', 'direction'],
  ['srcWorkload', 'src.workload'],
  ['srcIdentity', 'src.identity'],
  ['dstService', 'dst.service'],
  ['dstWorkload', 'dst.workload'],
  ['dstAddr', 'dst.addr'],
  ['hboneAddr', 'dst.hbone_addr'],
];

/** A new flow, described by its first line (`(other)` describes none: it gathers many flows). */
function newFlow(key: string, fields: Readonly<Record<string, string | undefined>>): ZtunnelFlow {
  const flow: Partial<Record<keyof ZtunnelFlow, unknown>> = {};
  if (key !== OTHER_KEY) {
    for (const [name, field] of FLOW_FIELDS) {
      const v = value(fields[field]);
      if (v !== undefined) flow[name] = own(v, 512);
    }
  }
  return { ...(flow as Partial<ZtunnelFlow>), count: 0, failed: 0, examples: [] };
}

const IPV6_BRACKETED = /\[[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*\](:\d{1,5})?/g;
const IPV4 = /(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(:\d{1,5})?(?![\w.])/g;
/** Hex groups and colons only; an address when it has `::` or all eight groups (not a time or a Rust path). */
const IPV6_BARE = /(?<![\w:.])[0-9A-Fa-f]*:[0-9A-Fa-f:]*:[0-9A-Fa-f]*(?![\w:.])/g;
const UUID = /(?<![\w-])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![\w-])/gi;
const LONG_HEX = /(?<!\w)(?=[0-9a-f]*\d)[0-9a-f]{16,}(?!\w)/gi;
const LONG_NUMBER = /(?<![\w.])\d{6,}(?![\w.])/g;

const maskAddress = (_m: string, port: string | undefined) => (port ? '<ip>:<n>' : '<ip>');

/**
 * An error text as a key: addresses, their ports and long numbers or ids masked, so the same failure from
 * a hundred peers is one key (`no healthy upstream: 10.96.9.9:9080` -> `no healthy upstream: <ip>:<n>`).
 * Short numbers stay: they are codes (`http status: 503`, `os error 111`) or well-known ports (`HBONE port 15008`).
 */
export function maskError(text: string): string {
  return text
    .trim()
    .replace(IPV6_BRACKETED, maskAddress)
    .replace(IPV4, maskAddress)
    .replace(IPV6_BARE, (m) => (m.includes('::') || m.split(':').length === 8 ? '<ip>' : m))
    .replace(UUID, '<n>')
    .replace(LONG_HEX, '<n>')
    .replace(LONG_NUMBER, '<n>');
}

export class ZtunnelStatsCollector {
  private accessLines = 0;
  private connections = 0;
  private readonly flows = new BoundedRecord<ZtunnelFlow>();
  private readonly errors = new BoundedRecord<CountedExamples>();

  /** An access line that is no connection of its own (`connection opened`, whose `connection complete` follows). */
  accessLine(): void {
    this.accessLines++;
  }

  /** A finished or refused connection: `failed` when it carries an `error` field or was logged at level error. */
  connection(fields: Readonly<Record<string, string | undefined>>, level: string | undefined, ref: LineRef): void {
    this.accessLines++;
    this.connections++;
    const flow = this.flows.slot(flowKey(fields), fields, newFlow);
    const failed = fields['error'] !== undefined || level === 'error';
    flow.count++;
    if (flow.examples.length < MAX_EXAMPLES) {
      flow.examples.push(provenanceOf(ref));
    } else if (failed && flow.failed === 0) {
      // Healthy lines filled the examples: the first failure takes the last place, so a finding can quote it.
      flow.examples[MAX_EXAMPLES - 1] = provenanceOf(ref);
    }
    if (failed) flow.failed++;
  }

  /** A line with an `error` field, access record or not. */
  error(text: string, ref: LineRef): void {
    countIn(this.errors, maskError(text), ref);
  }

  /** Undefined when the log had no ztunnel access line and no error field. */
  result(): ZtunnelLogStats | undefined {
    if (this.accessLines === 0 && this.errors.size === 0) return undefined;
    return { connections: this.connections, flows: this.flows.toRecord(), errors: this.errors.toRecord() };
  }
}
