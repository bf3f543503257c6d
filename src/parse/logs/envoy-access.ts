/**
 * Envoy access lines, as Istio configures them: the text format (`EnvoyTextLogFormat` of Istio >= 1.9,
 * the 1.5-1.8 one with the mixer status column, Envoy's own default) and the JSON format, read into the
 * fields the sample and the statistics need. Lines pasted without their `[START_TIME]` (or without the
 * request line's opening quote, or CSV-escaped with doubled quotes) are read too: support tickets carry them.
 */
import { EnvoyTokens } from './fields.js';
import { isCode, isNumber, own, value } from './readers.js';
import type { AccessLogEntry } from '../types.js';

/** What one access line says; strings are slices of the line until `accessEntry` or the statistics copy them. */
export type AccessFields = Partial<Omit<AccessLogEntry, 'source' | 'code'>> & { code: number };

/**
 * Envoy's response flags, short name to long name (`source/common/stream_info/utility.h`,
 * `ALL_RESPONSE_STRINGS_FLAGS`). %RESPONSE_FLAGS_LONG% prints the long names; they are read back as short ones.
 */
export const RESPONSE_FLAGS: Readonly<Record<string, string>> = {
  LH: 'FailedLocalHealthCheck',
  UH: 'NoHealthyUpstream',
  UT: 'UpstreamRequestTimeout',
  LR: 'LocalReset',
  UR: 'UpstreamRemoteReset',
  UF: 'UpstreamConnectionFailure',
  UC: 'UpstreamConnectionTermination',
  UO: 'UpstreamOverflow',
  NR: 'NoRouteFound',
  DI: 'DelayInjected',
  FI: 'FaultInjected',
  RL: 'RateLimited',
  UAEX: 'UnauthorizedExternalService',
  RLSE: 'RateLimitServiceError',
  DC: 'DownstreamConnectionTermination',
  URX: 'UpstreamRetryLimitExceeded',
  SI: 'StreamIdleTimeout',
  IH: 'InvalidEnvoyRequestHeaders',
  DPE: 'DownstreamProtocolError',
  UMSDR: 'UpstreamMaxStreamDurationReached',
  RFCF: 'ResponseFromCacheFilter',
  NFCF: 'NoFilterConfigFound',
  DT: 'DurationTimeout',
  UPE: 'UpstreamProtocolError',
  NC: 'NoClusterFound',
  OM: 'OverloadManagerTerminated',
  DF: 'DnsResolutionFailed',
  DO: 'DropOverload',
};

const SHORT_FLAG = new Map(Object.entries(RESPONSE_FLAGS).map(([short, long]) => [long, short]));

const NO_FLAGS: readonly string[] = [];

/** Each flag of `UF,URX` (long names as their short ones; an unknown token as it is); none for `-`. */
export function splitFlags(flags: string): readonly string[] {
  if (flags === '-' || flags === '') return NO_FLAGS;
  const out: string[] = [];
  for (const part of flags.split(',')) {
    const flag = part.trim();
    if (flag !== '' && flag !== '-') out.push(SHORT_FLAG.get(flag) ?? flag);
  }
  return out;
}

/** A request the proxy did not serve: an error code, or any response flag. */
export function isFailing(code: number, flags: string): boolean {
  return code >= 400 || flags !== '-';
}

/** Which token (after the request line, the code and the flags) holds which column, per format. */
interface Layout {
  details?: number;
  duration?: number;
  authority?: number;
  upstreamHost?: number;
  cluster?: number;
  route?: number;
}

/** Istio >= 1.9: details, termination details, "transport failure", rx, tx, duration, upstream time, "xff", "ua", "id", "authority", "upstream host", cluster, local, downstream local, remote, sni, route. */
const ISTIO: Layout = { details: 3, duration: 8, authority: 13, upstreamHost: 14, cluster: 15, route: 20 };
/** Istio 1.5-1.8: "mixer status", "transport failure", rx, tx, duration, ... (no details columns). */
const ISTIO_1_5: Layout = { duration: 7, authority: 12, upstreamHost: 13, cluster: 14, route: 19 };
/** Envoy's own default format: rx, tx, duration, upstream time, "xff", "ua", "id", "authority", "upstream". */
const ENVOY_DEFAULT: Layout = { duration: 5, authority: 10, upstreamHost: 11 };
/** Something else with a details column. */
const DETAILS_ONLY: Layout = { details: 3 };
const NO_LAYOUT: Layout = {};
/** Tokens read: up to the last column any layout uses. */
const COLUMNS_READ = 21;

/** `"GET /p HTTP/1.1" 503 ...`, `GET /p HTTP/1.1" 503 ...` or CSV's `GET /p HTTP/1.1"" 0 ...`: a paste that lost its start. */
const UNTIMED_ACCESS = /^"?(?:[A-Z]{3,7} \S+ [A-Z]+\/[\d.]+|- - -)("{1,2}) \d{1,3}(?: |$)/;

/** An access line pasted without its `[START_TIME]` (detection's view of `AccessTextReader.readUntimed`). */
export function isUntimedAccess(line: string): boolean {
  return UNTIMED_ACCESS.test(line);
}

/**
 * Reads Envoy text access lines in two steps: `read` takes what every line is counted by (time, code,
 * flags, details, cluster, route), `complete` the rest for the few lines that are sampled, so the millions
 * of healthy lines of a large log cost no more slicing than the statistics need. One per parser: it keeps
 * the tokens of the line it read last.
 */
export class AccessTextReader {
  private readonly tokens = new EnvoyTokens();
  private layout = NO_LAYOUT;

  /** `[START_TIME] "METHOD PATH PROTOCOL" CODE FLAGS ...` from the request line's opening quote `q` on. */
  read(line: string, time: string | undefined, q: number): AccessFields | undefined {
    const close = line.indexOf('" ', q + 1);
    if (close === -1) return undefined;
    const codeEnd = line.indexOf(' ', close + 2);
    const codeText = line.slice(close + 2, codeEnd === -1 ? undefined : codeEnd);
    if (!isCode(codeText)) return undefined;
    let flags = '-';
    if (codeEnd !== -1) {
      const flagsEnd = line.indexOf(' ', codeEnd + 1);
      flags = line.slice(codeEnd + 1, flagsEnd === -1 ? undefined : flagsEnd) || '-';
    }
    const t = this.tokens.scan(line, q, COLUMNS_READ);
    // Which format: told apart by where the quoted columns fall after the flags.
    this.layout =
      t.quoted(5) && !t.quoted(3)
        ? ISTIO
        : t.quoted(3) && t.quoted(4) && isNumber(t.text(5))
          ? ISTIO_1_5
          : isNumber(t.text(3)) && t.quoted(7)
            ? ENVOY_DEFAULT
            : t.count > 3 && !t.quoted(3) && !isNumber(t.text(3))
              ? DETAILS_ONLY
              : NO_LAYOUT;
    const { details, cluster, route } = this.layout;
    return {
      time,
      code: Number(codeText),
      flags,
      details: details === undefined ? undefined : t.text(details),
      upstreamCluster: cluster === undefined ? undefined : t.bareText(cluster),
      routeName: route === undefined ? undefined : t.bareText(route),
    };
  }

  /** An access line pasted without its `[START_TIME]`, from `from` on. */
  readUntimed(line: string, from: number): AccessFields | undefined {
    const text = from === 0 ? line : line.slice(from);
    const m = UNTIMED_ACCESS.exec(text);
    if (!m) return undefined;
    let quotedLine = text.charCodeAt(0) === 34 ? text : `"${text}`;
    if (m[1] === '""') quotedLine = quotedLine.replaceAll('""', '"');
    return this.read(quotedLine, undefined, 0);
  }

  /** Adds method, path, authority, upstream host and duration of the line `read` returned `fields` for. */
  complete(fields: AccessFields): AccessFields {
    const t = this.tokens;
    const request = t.text(0) ?? '';
    const sp1 = request.indexOf(' ');
    const sp2 = request.lastIndexOf(' ');
    fields.method = value(sp1 === -1 ? request : request.slice(0, sp1));
    fields.path = sp1 === -1 ? undefined : value(sp2 > sp1 ? request.slice(sp1 + 1, sp2) : request.slice(sp1 + 1));
    const { duration, authority, upstreamHost } = this.layout;
    if (authority !== undefined) fields.authority = t.quotedText(authority);
    if (upstreamHost !== undefined) fields.upstreamHost = t.quotedText(upstreamHost);
    const ms = duration === undefined ? undefined : t.text(duration);
    if (isNumber(ms)) fields.durationMs = Number(ms);
    return fields;
  }

  /** Lets go of the last line, so the reader pins nothing once the log is read. */
  release(): void {
    this.tokens.release();
  }
}

/** Istio's JSON access format (and JSON-shaped text formats): numbers or strings, `-` and null as absent. */
export function readAccessJson(obj: Record<string, unknown>, outerTime: string | undefined): AccessFields {
  const codeValue = Number(value(obj['response_code']) ?? 0);
  const duration = Number(value(obj['duration']) ?? NaN);
  return {
    time: value(obj['start_time']) ?? outerTime,
    method: value(obj['method']),
    path: value(obj['path']),
    code: Number.isFinite(codeValue) ? codeValue : 0,
    flags: value(obj['response_flags']) ?? '-',
    details: value(obj['response_code_details']),
    authority: value(obj['authority']),
    upstreamHost: value(obj['upstream_host']),
    upstreamCluster: value(obj['upstream_cluster']),
    routeName: value(obj['route_name']),
    durationMs: Number.isFinite(duration) ? duration : undefined,
  };
}

/** An entry in the field order of the type, every string copied, `-`/empty values left out (details: `''`). */
export function accessEntry(f: AccessFields, source: AccessLogEntry['source']): AccessLogEntry {
  const entry: AccessLogEntry = {} as AccessLogEntry;
  if (value(f.time)) entry.time = own(f.time!);
  if (value(f.method)) entry.method = own(f.method!);
  if (value(f.path)) entry.path = own(f.path!);
  entry.code = f.code;
  entry.flags = own(value(f.flags) ?? '-');
  entry.details = own(value(f.details) ?? '');
  if (value(f.authority)) entry.authority = own(f.authority!);
  if (value(f.upstreamHost)) entry.upstreamHost = own(f.upstreamHost!);
  if (value(f.upstreamCluster)) entry.upstreamCluster = own(f.upstreamCluster!);
  if (value(f.routeName)) entry.routeName = own(f.routeName!);
  if (f.durationMs !== undefined) entry.durationMs = f.durationMs;
  entry.source = source;
  return entry;
}
