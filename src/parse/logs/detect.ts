/**
 * Is a file a log, and which? Decided from its first lines only (the pipeline streams logs and must choose
 * the parser before reading on): Envoy access and istio-proxy lines, ztunnel, or any other timestamped log.
 * Tables, YAML and JSON documents are never claimed, so the other parsers still get them.
 */
import { isUntimedAccess } from './envoy-access.js';
import { JsonRecordAssembler } from './json-record.js';
import { isCode, isJsonAccess, jsonLevel, jsonObjectAt, normLevel, tsAt } from './readers.js';
import { readBareAccess, readContinuation, readLevelFirstAccess } from './ztunnel-lines.js';

export type LogKind = 'envoy-log' | 'ztunnel-log' | 'log';

/** Rust targets (`xds::client`, `proxy::inbound`, `hyper_util`, ...) and ztunnel's own single-word scopes. */
function isZtunnelScope(scope: string): boolean {
  return (
    scope === 'access' ||
    scope.includes('::') ||
    scope.startsWith('xds{') ||
    scope.startsWith('ztunnel') ||
    scope === 'hyper_util' ||
    scope === 'readiness' ||
    scope === 'app'
  );
}

/** Scopes only istiod logs (pilot-agent in istio-proxy has none of these). */
const ISTIOD_SCOPES = new Set([
  'model', 'delta', 'krt', 'controllers', 'klog', 'validationController', 'validationServer', 'ambient',
  'pkica', 'leader', 'serviceentry', 'kube', 'status', 'gateway', 'crdclient', 'pilot', 'server',
]);
/** pilot-agent / Envoy scopes of an istio-proxy container. */
const PROXY_SCOPES = new Set(['xdsproxy', 'sds', 'cache', 'healthcheck', 'wasm', 'iptables', 'dns']);

interface HeadSignals {
  logLines: number;
  access: number;
  ztunnel: number;
  envoy: number;
  ads: number;
  istiod: number;
}

function scopeSignal(scope: string | undefined, line: string, s: HeadSignals): void {
  if (scope !== undefined) {
    if (isZtunnelScope(scope)) s.ztunnel++;
    else if (scope.startsWith('envoy') || PROXY_SCOPES.has(scope)) s.envoy++;
    else if (scope === 'ads') s.ads++;
    else if (ISTIOD_SCOPES.has(scope)) s.istiod++;
  }
  if (line.includes('src.addr=') || line.includes('connection complete')) s.ztunnel++;
  if (line.includes('Envoy proxy is ready') || line.includes('Envoy command:')) s.envoy++;
  if (line.includes('Starting Istiod') || line.includes('pilot-discovery') || line.includes('Discovery service started')) s.istiod++;
}

/** Reads one head line into the signals; false when it is no log line. */
function classifyHeadLine(line: string, from: number, s: HeadSignals, depth: number): boolean {
  const c = line.charCodeAt(from);
  if (c === 91 /* [ */) {
    if (line.startsWith('[pod/', from) && depth < 2) {
      const e = line.indexOf('] ', from);
      return e > 0 && classifyHeadLine(line, e + 2, s, depth + 1);
    }
    const n = tsAt(line, from + 1, true);
    if (n === 0 || line.charCodeAt(from + 1 + n) !== 93) return false;
    const after = from + 2 + n;
    if (line.charCodeAt(after) === 32 && line.charCodeAt(after + 1) === 34) {
      const close = line.indexOf('" ', after + 2);
      if (close !== -1) {
        const end = line.indexOf(' ', close + 2);
        if (isCode(line.slice(close + 2, end === -1 ? undefined : end))) {
          s.access++;
          s.envoy++;
          return true;
        }
      }
      return false;
    }
    if (line.charCodeAt(after) === 91) {
      s.envoy++; // Envoy's own `[ts][thread][level][logger]` format
      return true;
    }
    return line.length === after || line.charCodeAt(after) === 32;
  }
  if (c === 123 /* { */) {
    const obj = jsonObjectAt(line, from);
    if (!obj) return false;
    if (isJsonAccess(obj)) {
      s.access++;
      s.envoy++;
      return true;
    }
    if (jsonLevel(obj) && (typeof obj['time'] === 'string' || typeof obj['ts'] === 'string' || typeof obj['timestamp'] === 'string')) {
      const scope = obj['scope'] ?? obj['target'] ?? obj['logger'];
      scopeSignal(typeof scope === 'string' ? scope : undefined, line, s);
      if ('src.addr' in obj) s.ztunnel++;
      return true;
    }
    return false;
  }
  const n = tsAt(line, from);
  if (n === 0) return false;
  const end = from + n;
  const d = line.charCodeAt(end);
  if (d === 9 /* \t */) {
    const parts = line.slice(end + 1).split('\t', 4);
    scopeSignal(parts.length >= 3 && normLevel(parts[0]!) ? parts[1] : undefined, line, s);
    return true;
  }
  if (d === 32) {
    let p = end;
    while (line.charCodeAt(p) === 32) p++;
    const e = line.charCodeAt(p);
    if (depth < 2 && (e === 91 || e === 123 || tsAt(line, p) > 0) && classifyHeadLine(line, p, s, depth + 1)) return true;
    const words = line.slice(p, p + 200).split(/\s+/, 3);
    if (normLevel(words[0] ?? '') && words[1]) scopeSignal(words[1].replace(/:$/, ''), line, s);
    else scopeSignal(undefined, line, s);
    return true;
  }
  return Number.isNaN(d);
}

function isSeparator(line: string): boolean {
  const t = line.trim();
  return /^[=-]{3,}$/.test(t) || /^=*\s*Previous log( present)?\b/.test(t);
}

/** Lines of a ztunnel access record or an Envoy access line that lost their start in a paste (parser.ts `readLoose`). */
function classifyLooseLine(line: string, s: HeadSignals): boolean {
  if (isUntimedAccess(line)) {
    s.access++;
    s.envoy++;
    return true;
  }
  if (readLevelFirstAccess(line) || readBareAccess(line)) {
    s.ztunnel++;
    return true;
  }
  return false;
}

/** How many head lines from `at` (a line holding only `{`) make up one access record printed over several lines; 0 if none. */
function multiLineAccessRecord(head: string[], at: number): number {
  const record = new JsonRecordAssembler(at + 1);
  for (let i = at + 1; i < head.length; i++) {
    const step = record.add(head[i]!);
    if (step === 'abandoned') return 0;
    if (step === 'done') {
      const obj = record.object();
      return obj && isJsonAccess(obj) ? i - at + 1 : 0;
    }
  }
  return 0;
}

/**
 * From the first lines: is this a log at all, and which? undefined = not a log (let other parsers try).
 * Most non-empty lines must be timestamped, Envoy access lines or JSON access/log objects, and there must be
 * at least two such lines or one clear access line, so tables, YAML and JSON documents are never claimed.
 * Access records as tickets carry them count too: pasted without their line start, printed over several
 * lines by a multi-line access log format, or hard-wrapped (`k=v` lines continuing a ztunnel record).
 */
export function detectLog(head: string[]): LogKind | undefined {
  const s: HeadSignals = { logLines: 0, access: 0, ztunnel: 0, envoy: 0, ads: 0, istiod: 0 };
  let nonEmpty = 0;
  let inRecord = false;
  for (let i = 0; i < head.length; i++) {
    const line = head[i]!;
    if (line.trim() === '' || isSeparator(line)) {
      inRecord = false;
      continue;
    }
    nonEmpty++;
    const recordLines = JsonRecordAssembler.starts(line) ? multiLineAccessRecord(head, i) : 0;
    if (recordLines > 0) {
      nonEmpty += recordLines - 1;
      s.logLines += recordLines;
      s.access++;
      s.envoy++;
      i += recordLines - 1;
      inRecord = false;
    } else if (classifyHeadLine(line, 0, s, 0) || classifyLooseLine(line, s)) {
      s.logLines++;
      inRecord = line.includes('src.addr=');
    } else if (inRecord && readContinuation(line)) {
      s.logLines++;
    } else {
      inRecord = false;
    }
  }
  if (nonEmpty === 0 || s.logLines * 2 <= nonEmpty) return undefined;
  // One line is enough when it is unmistakable: an Envoy access line, or a ztunnel access record.
  if (s.logLines < 2 && s.access === 0 && !head.some((l) => l.includes('src.addr=') && l.includes('dst.addr='))) return undefined;
  const envoy = s.envoy + (s.istiod === 0 ? s.ads : 0);
  if (s.ztunnel > 0 && s.ztunnel >= envoy) return 'ztunnel-log';
  if (envoy > 0) return 'envoy-log';
  return 'log';
}
