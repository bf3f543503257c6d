/**
 * Runs the real src/collect/waypoint-collect.sh against the stub kubectl and istioctl of ./stubs (first on
 * PATH), in a fresh temporary folder, and reads back what it left: exit, output, the bundle, and the log of
 * every stub invocation (STUB_LOG).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { readBundle } from '../../src/bundle/read.js';
import { DEFAULT_LIMITS } from '../../src/bundle/types.js';
import { ROOT } from '../helpers.js';
import type { BundleManifest, CollectedCommand } from '../../src/parse/types.js';

/** WAYPOINT_COLLECT_SCRIPT runs the suite against another copy of the script (e.g. a patched one). */
export const SCRIPT = process.env['WAYPOINT_COLLECT_SCRIPT'] ?? join(ROOT, 'src', 'collect', 'waypoint-collect.sh');
export const STUBS = join(ROOT, 'test', 'collect', 'stubs');

/** The bookinfo-broken cluster as the stubs show it. */
export const CLUSTER = {
  context: 'k3d-bookinfo',
  waypointPods: ['reviews-svc-waypoint-jctj7fbtpm-nxsqq', 'reviews-v2-pod-waypoint-8vfgsbf4m8-tkb62', 'waypoint-hxzdgnszt2-m5q8z'],
  ztunnels: ['ztunnel-8hg9m', 'ztunnel-nbv7f'],
  /** The ztunnel whose whole state is captured: the one on the node of the first waypoint pod. */
  primaryZtunnel: 'ztunnel-nbv7f',
  istiod: 'istiod-4t2pzj6kmp-22rfj',
  namespaces: ['default', 'istio-system'],
};

/** The manifest as the analyzer reads it (src/parse/types.ts), with what else the collector writes. */
export type Manifest = Omit<BundleManifest, 'options' | 'commands'> & {
  options?: {
    since?: string;
    maxLogLines?: number;
    timeoutSeconds?: number;
    logs?: boolean;
    configDumps?: boolean;
    waypoints?: string[];
    allNamespaces?: boolean;
    parallel?: number;
    maxTimeSeconds?: number;
    maxLogBytes?: number;
    maxDumpBytes?: number;
    perNamespaceMax?: number;
  };
  commands: Command[];
  allNamespaceQueries?: boolean;
  budgets?: { timeReached: boolean; sizeReached: boolean; logBytes: number; dumpBytes: number };
  ztunnels?: ZtunnelEntry[];
};

/** A capture the size budget cut to its latest part says so. */
export type Command = CollectedCommand & { truncated?: string };

/** manifest.json's ztunnels[]: each ztunnel in scope, and checksums of its whole tables. */
export interface ZtunnelEntry {
  pod: string;
  namespace: string;
  node: string;
  image: string;
  primary: boolean;
  file: string;
  kept: string;
  tables: Partial<Record<'workloads' | 'services' | 'policies', { rows: number; cksum: number; bytes: number }>>;
  differsFromPrimary: string[] | null;
}

export interface StubCall {
  tool: 'kubectl' | 'istioctl';
  argv: string[];
  pid: number;
  /** When it started and exited, ms since the epoch (exit unknown when it was killed). */
  at?: number;
  end?: number;
  write?: boolean;
  hang?: boolean;
  fail?: boolean;
  secrets?: boolean;
}

export interface Bundle {
  /** The one top folder, `waypoint-bundle-<cluster>-<time>`. */
  top: string;
  /** By path relative to the top folder. */
  files: Map<string, Buffer>;
  manifest: Manifest;
}

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  dir: string;
  output: string;
  calls: StubCall[];
  /** Stub processes still running once the script had exited (killed by the harness afterwards). */
  leftovers: StubCall[];
}

const ajv = new Ajv({ allErrors: true, strict: true });
addFormats.default(ajv);
const validateManifest = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schemas', 'manifest.schema.json'), 'utf8')));

/** Schema errors as `path message` strings; empty when the manifest is valid. */
export function manifestErrors(manifest: unknown): string[] {
  return validateManifest(manifest) ? [] : (validateManifest.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

const dirs: string[] = [];

export function cleanupRuns(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

interface CollectOptions {
  env?: Record<string, string>;
  /** Called with each stderr line as it arrives (stubLog: the STUB_LOG file, to see which stubs started). */
  onStderrLine?: (line: string, child: ChildProcess, stubLog: string) => void;
  /** The whole run is killed after this long (a hung script must not hang the suite). */
  killAfterMs?: number;
}

/** `OUT` in args stands for `<run dir>/b.tgz`. */
export async function collect(name: string, args: string[], options: CollectOptions = {}): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), `wpc-${name}-`));
  dirs.push(dir);
  const log = join(dir, 'stub.log');
  const output = join(dir, 'b.tgz');
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('STUB_')) env[k] = v;
  Object.assign(env, { PATH: `${STUBS}:${process.env['PATH'] ?? '/usr/bin:/bin'}`, STUB_LOG: log, LC_ALL: 'C' }, options.env);
  const started = Date.now();
  // Its own process group, so a test can Ctrl-C it (SIGINT to the group) as a terminal would.
  const child = spawn('sh', [SCRIPT, ...args.map((a) => (a === 'OUT' ? output : a))], { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let pending = '';
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
  child.stderr!.on('data', (b: Buffer) => {
    const text = b.toString('utf8');
    stderr += text;
    pending += text;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      options.onStderrLine?.(line, child, log);
    }
  });
  const killer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, options.killAfterMs ?? 110_000);
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (c, s) => resolve({ code: c, signal: s })),
  );
  clearTimeout(killer);
  const ms = Date.now() - started;
  const calls = readCalls(log);
  const leftovers = calls.filter((c, i) => calls.findIndex((d) => d.pid === c.pid) === i).filter(isRunning);
  for (const call of leftovers) {
    try {
      process.kill(call.pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
  return { code, signal, stdout, stderr, ms, dir, output, calls, leftovers };
}

function readCalls(log: string): StubCall[] {
  if (!existsSync(log)) return [];
  const calls: StubCall[] = [];
  const ends = new Map<number, number>();
  for (const line of readFileSync(log, 'utf8').split('\n').filter(Boolean)) {
    const entry = JSON.parse(line) as StubCall | { pid: number; end: number };
    if ('end' in entry && !('tool' in entry)) ends.set(entry.pid, entry.end);
    else calls.push(entry as StubCall);
  }
  for (const c of calls) {
    const end = ends.get(c.pid);
    if (end !== undefined && c.end === undefined) c.end = end;
  }
  return calls;
}

/** The most stub processes that ran at once (from their start and exit times). */
export function maxConcurrency(calls: StubCall[]): number {
  const events = calls.flatMap((c) => (c.at !== undefined && c.end !== undefined ? [[c.at, 1], [c.end, -1]] : [])) as [number, number][];
  // At equal times, exits first: a process that ended as another started did not overlap it.
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, d] of events) most = Math.max(most, (now += d));
  return most;
}

/** Whether the logged stub process still runs (not a zombie, and still that stub: pids get reused). */
function isRunning(call: StubCall): boolean {
  if (existsSync('/proc/self/stat')) {
    try {
      const stat = readFileSync(`/proc/${call.pid}/stat`, 'utf8');
      if (/^\d+ \(.*\) Z/s.test(stat)) return false;
      const cmdline = readFileSync(`/proc/${call.pid}/cmdline`, 'utf8').split('\0');
      return cmdline.some((a) => a.endsWith('stub.cjs')) && cmdline.includes(call.tool);
    } catch {
      return false;
    }
  }
  try {
    process.kill(call.pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Reads a bundle with the project's own reader. */
export async function readCollected(path: string): Promise<Bundle> {
  const raw = new Map<string, Buffer>();
  await readBundle(path, DEFAULT_LIMITS, (f) => {
    raw.set(f.path, f.data);
  });
  const tops = new Set([...raw.keys()].map((p) => p.split('/')[0]!));
  if (tops.size !== 1) throw new Error(`expected one top folder, got ${[...tops].join(', ')}`);
  const top = [...tops][0]!;
  const files = new Map([...raw].map(([p, d]) => [p.slice(top.length + 1), d] as const));
  const manifestData = files.get('manifest.json');
  if (!manifestData) throw new Error(`${top}/manifest.json is missing`);
  return { top, files, manifest: JSON.parse(manifestData.toString('utf8')) as Manifest };
}

/** The files a complete collection of the bookinfo cluster holds, stderr/ and manifest.json aside. */
export function expectedCaptures(): string[] {
  const clusterWide = [
    'namespaces', 'gateways', 'gatewayclasses', 'httproutes', 'grpcroutes', 'tcproutes', 'referencegrants',
    'authorizationpolicies', 'requestauthentications', 'peerauthentications', 'serviceentries', 'workloadentries',
    'destinationrules', 'virtualservices', 'telemetries', 'wasmplugins', 'envoyfilters', 'sidecars',
  ];
  const files = [
    ...['version.txt', 'version.json', 'analyze.txt', 'analyze.json', 'proxy-status.txt', 'proxy-status-v1.txt', 'proxy-status.json', 'waypoint-list.txt'].map((f) => `istioctl/${f}`),
    'kubectl/version.json',
    ...clusterWide.map((r) => `kubectl/${r}.json`),
    ...CLUSTER.namespaces.flatMap((ns) => ['services', 'pods', 'endpointslices', 'deployments', 'events'].map((r) => `kubectl/${r}.${ns}.json`)),
    'kubectl/configmap-istio.json',
    'kubectl/deployments.istiod.json',
    'kubectl/crds.gateway-api.json',
    // Every ztunnel's tables (the primary's whole, the others' reduced); the primary's dump.
    ...CLUSTER.ztunnels.map((zt) => `ztunnel/istio-system/${zt}/all.txt`),
    `ztunnel/istio-system/${CLUSTER.primaryZtunnel}/all.json`,
    ...CLUSTER.waypointPods.map((p) => `config-dumps/default/${p}.json`),
    ...CLUSTER.waypointPods.map((p) => `logs/default/${p}.log`),
    ...CLUSTER.ztunnels.map((zt) => `logs/istio-system/${zt}.log`),
    `logs/istio-system/${CLUSTER.istiod}.log`,
  ];
  return files.sort();
}

const VALUED = new Set(['--context', '-o', '--output', '-v', '-n', '--namespace', '-l', '--selector', '-c', '--container', '-i', '--istioNamespace']);

/** The positional words of an invocation (flags and their values left out). */
export function words(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('-')) {
      if (VALUED.has(a)) i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

export function commandFor(manifest: Manifest, pattern: RegExp): Command[] {
  return manifest.commands.filter((c) => pattern.test(c.argv.join(' ')));
}
