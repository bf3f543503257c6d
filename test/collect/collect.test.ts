/**
 * waypoint-collect.sh, the real script, against stub kubectl and istioctl (test/collect/stubs) that answer in the
 * real formats from the bookinfo-broken sample (Istio 1.28.1, three faults). The collections run concurrently
 * in beforeAll; each test then reads the one it is about.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/bundle/read.js';
import { main, type Io } from '../../src/cli/main.js';
import {
  CLUSTER,
  SCRIPT,
  cleanupRuns,
  collect,
  commandFor,
  expectedCaptures,
  manifestErrors,
  readCollected,
  words,
  type Bundle,
  type Run,
  type StubCall,
} from './harness.js';

const PROGRESS = /^\[(\d+)\/(\d+)\] (.*)$/;
const LONG = 120_000;

/** What the stubs plant with STUB_SECRETS=1 (test/collect/stubs/stub.cjs, SECRETS). */
const b64url = (s: string) => Buffer.from(s).toString('base64url');
const JWT =
  `${b64url('{"alg":"RS256","kid":"wpstub","typ":"JWT"}')}.` +
  `${b64url('{"iss":"https://auth.example.com","sub":"WPSTUBJWTSUBJECTMARKER03","aud":"bookinfo","exp":4102444800}')}.` +
  'c2lnbmF0dXJlLVdQU1RVQkpXVFNJR05BVFVSRU1BUktFUjAz';
// Assembled as in the stub, so that secret scanners do not flag this file.
const KEY_LABEL = ['PRIVATE', 'KEY'].join(' ');
const PEM_BYTES = Buffer.from(
  `-----BEGIN ${KEY_LABEL}-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgWPSTUBPEMBYTESMARKER02\n` +
    `oUQDQgAEy3G56HQqwuizKGTt4qsDz6/JEda+NOyUqD3B2LbHbQ5FS/IrLevlNOplbP/RGta67\n-----END ${KEY_LABEL}-----\n`,
).toString('base64');
const MARKERS = [
  'WPSTUBPEMINLINEMARKER01',
  'WPSTUBPEMBYTESMARKER02',
  'WPSTUBJWTSUBJECTMARKER03',
  'WPSTUBJWTSIGNATUREMARKER03',
  'wpstub-opaque-token-MARKER04',
  'wpstubOpaqueTokenMARKER05',
  'wpstub-vs-token-MARKER06',
];
const LITERALS = [JWT, ...JWT.split('.'), PEM_BYTES, PEM_BYTES.slice(40, 100), 'oUQDQgAEy3G56HQqwuizKGTt4qsDz6'];

const runs: Record<string, Promise<Run>> = {};
let interruptSentAt = 0;

beforeAll(() => {
  runs['default'] = collect('default', ['--output', 'OUT', '--timeout', '10']);
  runs['secrets'] = collect('secrets', ['--output', 'OUT', '--timeout', '10'], { env: { STUB_SECRETS: '1' } });
  runs['hang'] = collect('hang', ['--output', 'OUT', '--timeout', '2'], { env: { STUB_HANG: 'proxy-status' } });
  runs['degraded'] = collect('degraded', ['--output', 'OUT', '--timeout', '10', '--context', CLUSTER.context, '--max-log-lines', '3'], {
    env: { STUB_FAIL: 'waypoint list', STUB_NO_ZTUNNEL_CONFIG: '1' },
  });
  let sent = false;
  runs['interrupt'] = collect('interrupt', ['--output', 'OUT', '--timeout', '30'], {
    env: { STUB_HANG: 'get services -n default' },
    onStderrLine(line, child, stubLog) {
      if (sent || !line.includes('kubectl get services -n default')) return;
      sent = true;
      // Ctrl-C: the whole foreground process group gets SIGINT, once the hung command is running (its stub
      // has started: on a loaded machine that can take a while after the progress line).
      const poll = setInterval(() => {
        if (!existsSync(stubLog) || !readFileSync(stubLog, 'utf8').includes('"hang":true')) return;
        clearInterval(poll);
        setTimeout(() => {
          interruptSentAt = Date.now();
          process.kill(-child.pid!, 'SIGINT');
        }, 500);
      }, 100);
    },
  });
  runs['dry-run'] = collect('dry-run', ['--dry-run', '--output', 'OUT', '--timeout', '10']);
  runs['dry-run-no-logs'] = collect('dry-no-logs', ['--dry-run', '--no-logs', '--waypoint', 'default/waypoint', '--output', 'OUT']);
  runs['dry-run-no-dumps'] = collect('dry-no-dumps', ['--dry-run', '--no-config-dump', '--namespace', 'default', '--output', 'OUT']);
  // Settled here so that a rejected run fails its own tests, not the hook.
  for (const p of Object.values(runs)) p.catch(() => {});
});

afterAll(() => cleanupRuns());

async function run(name: string): Promise<Run> {
  return runs[name]!;
}

async function bundleOf(name: string): Promise<{ run: Run; bundle: Bundle }> {
  const r = await run(name);
  expect(existsSync(r.output), `${name}: no bundle at ${r.output}\n${r.stderr}`).toBe(true);
  return { run: r, bundle: await readCollected(r.output) };
}

function stderrLines(r: Run): string[] {
  return r.stderr.split('\n').filter((l) => l !== '');
}

function text(bundle: Bundle, file: string): string {
  const data = bundle.files.get(file);
  if (!data) throw new Error(`${file} is not in the bundle`);
  return data.toString('utf8');
}

/** The commands expected to fail against a 1.28 cluster with the Gateway API standard channel. */
const EXPECTED_FAILURES: Record<string, RegExp> = {
  // TCPRoute is in the experimental channel, not installed.
  'kubectl/tcproutes.json': /^error: the server doesn't have a resource type "tcproutes"\n$/,
};

describe('a default run', () => {
  it('exits 0, reports progress as [i/N] and ends with the bundle path and size', async () => {
    const { run: r, bundle } = await bundleOf('default');
    expect(r.code, r.stderr).toBe(0);
    const lines = stderrLines(r);
    const last = lines[lines.length - 1]!;
    const size = statSync(r.output).size;
    expect(last).toContain(r.output);
    expect(last.includes(`${size} bytes`) || last.includes(formatBytes(size)), `size ${size} not in: ${last}`).toBe(true);
    const progress = lines.slice(0, -1);
    expect(progress.filter((l) => !PROGRESS.test(l))).toEqual([]);
    const parsed = progress.map((l) => PROGRESS.exec(l)!);
    const total = bundle.manifest.commands.length;
    expect(parsed.map((m) => Number(m[1]))).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(new Set(parsed.map((m) => Number(m[2])))).toEqual(new Set([total]));
    expect(parsed.map((m) => m[3])).toContain('istioctl proxy-status');
    // The label is the command as run, or says why it was not run.
    expect(parsed.map((m) => m[3])).toEqual(bundle.manifest.commands.map((c) => (c.skipped ? `skipped (${c.skipped}): ${c.argv.join(' ')}` : c.argv.join(' '))));
  }, LONG);

  it('holds one top folder with manifest.json and exactly the files of docs/bundle-format.md for this cluster', async () => {
    const { bundle } = await bundleOf('default');
    expect(bundle.top).toMatch(/^waypoint-bundle-k3d-bookinfo-\d{8}T\d{6}Z$/);
    const stderrFiles = bundle.manifest.commands.flatMap((c) => (c.stderrFile ? [c.stderrFile] : []));
    const skippedFiles = new Set(bundle.manifest.commands.filter((c) => c.skipped !== undefined).map((c) => c.file));
    const expected = ['manifest.json', ...expectedCaptures().filter((f) => !skippedFiles.has(f)), ...stderrFiles].sort();
    expect([...bundle.files.keys()].sort()).toEqual(expected);
    expect(stderrFiles.every((f) => /^stderr\/\d+\.txt$/.test(f))).toBe(true);
  }, LONG);

  it('has a manifest that validates and records every capture: exit code, size, no timeout', async () => {
    const { bundle } = await bundleOf('default');
    const m = bundle.manifest;
    expect(manifestErrors(m)).toEqual([]);
    expect(m).toMatchObject({
      schemaVersion: 1,
      collector: { name: 'waypoint-collect' },
      context: CLUSTER.context,
      cluster: CLUSTER.context,
      interrupted: false,
      versions: { istioctl: '1.28.1', istio: '1.28.1', kubectl: 'v1.33.5', kubernetes: 'v1.33.4+k3s1' },
      options: { since: '1h', maxLogLines: 5000, timeoutSeconds: 10, logs: true, configDumps: true, waypoints: [] },
      redactions: { 'private-key': 0, 'bearer-token': 0, authorization: 0, jwt: 0 },
    });
    expect(m.namespaces).toEqual(expect.arrayContaining(['default', 'istio-system']));
    expect(Date.parse(m.finishedAt)).toBeGreaterThanOrEqual(Date.parse(m.startedAt));

    // One entry per captured file, and one captured file per entry that ran.
    const ran = m.commands.filter((c) => c.skipped === undefined);
    const captured = [...bundle.files.keys()].filter((f) => f !== 'manifest.json' && !f.startsWith('stderr/')).sort();
    expect(ran.map((c) => c.file).sort()).toEqual(captured);
    for (const c of ran) {
      expect(c.bytes, c.file).toBe(bundle.files.get(c.file)!.length);
      expect(c.timedOut, c.file).toBe(false);
      const failure = EXPECTED_FAILURES[c.file];
      if (failure) {
        expect(c.exitCode, c.file).toBe(1);
        expect(c.stderrFile, c.file).not.toBeNull();
        expect(text(bundle, c.stderrFile!), c.file).toMatch(failure);
      } else {
        expect({ file: c.file, exitCode: c.exitCode, stderrFile: c.stderrFile }).toEqual({ file: c.file, exitCode: 0, stderrFile: null });
      }
    }
    // Only proxy-status -o json may be left out, and only as unsupported by this istioctl.
    for (const c of m.commands.filter((x) => x.skipped !== undefined)) {
      expect(c.file).toBe('istioctl/proxy-status.json');
      expect(c.skipped).toMatch(/unsupported/i);
    }
  }, LONG);
});

describe('secrets', () => {
  it('no planted private key, token or JWT survives, in any file, in plain or base64 form', async () => {
    const { run: r, bundle } = await bundleOf('secrets');
    expect(r.code, r.stderr).toBe(0);
    const leaks: string[] = [];
    for (const [file, data] of bundle.files) {
      const content = data.toString('utf8');
      for (const s of [...MARKERS, ...LITERALS]) if (content.includes(s)) leaks.push(`${file}: ${s.slice(0, 40)}`);
      // Any long base64 run, decoded both ways, must not hide a marker either.
      for (const run of content.match(/[A-Za-z0-9+/_-]{24,}={0,2}/g) ?? []) {
        for (const decoded of [Buffer.from(run, 'base64').toString('latin1'), Buffer.from(run, 'base64url').toString('latin1')]) {
          for (const s of MARKERS) if (decoded.includes(s)) leaks.push(`${file}: base64 of ${s}`);
        }
      }
    }
    expect(leaks).toEqual([]);
  }, LONG);

  it('puts [REDACTED:<kind>] where each secret was, and the manifest counts what it replaced', async () => {
    const { bundle } = await bundleOf('secrets');
    const dump = text(bundle, 'config-dumps/default/waypoint-hxzdgnszt2-m5q8z.json');
    const secrets = JSON.parse(dump).configs.find((c: { '@type': string }) => c['@type'].endsWith('SecretsConfigDump')).dynamic_active_secrets;
    const keys = secrets.map((s: { secret: { tls_certificate?: { private_key?: unknown } } }) => s.secret.tls_certificate?.private_key).filter(Boolean);
    expect(keys).toEqual([{ inline_bytes: '[REDACTED:private-key]' }, { inline_string: expect.stringMatching(/^\[REDACTED:private-key\]\n?$/) }]);
    // The certificates next to them are kept.
    expect(dump).toContain('"certificate_chain"');
    expect(dump).toMatch(/"inline_bytes": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t/);

    const log = text(bundle, 'logs/default/waypoint-hxzdgnszt2-m5q8z.log').split('\n');
    expect(log).toContain("'authorization', 'Bearer [REDACTED:bearer-token]'");
    expect(log.find((l) => l.includes('calling authorization server'))).toMatch(/authorization: (Bearer )?\[REDACTED:(authorization|bearer-token)\]/);
    expect(log.find((l) => l.includes('id_token='))).toContain('GET /api/v1/products?id_token=[REDACTED:jwt] HTTP/1.1');
    // Nothing else of the log was touched: same number of lines as the stub printed.
    expect(log.filter(Boolean)).toHaveLength(24);

    // The manifest's counts are the markers actually in the files.
    const counts: Record<string, number> = { 'private-key': 0, 'bearer-token': 0, authorization: 0, jwt: 0 };
    for (const [file, data] of bundle.files) {
      if (file === 'manifest.json') continue;
      for (const m of data.toString('utf8').matchAll(/\[REDACTED:([a-z-]+)\]/g)) counts[m[1]!] = (counts[m[1]!] ?? 0) + 1;
    }
    expect(bundle.manifest.redactions).toEqual(counts);
    expect(counts['private-key']).toBe(2);
    expect(counts['jwt']).toBe(1);
    expect(manifestErrors(bundle.manifest)).toEqual([]);
  }, LONG);

  it('scrubbing keeps every captured JSON file valid JSON (a VirtualService setting an Authorization header)', async () => {
    const { bundle } = await bundleOf('secrets');
    const broken: string[] = [];
    for (const c of bundle.manifest.commands) {
      if (c.exitCode !== 0 || !c.file.endsWith('.json')) continue;
      try {
        JSON.parse(text(bundle, c.file));
      } catch (err) {
        broken.push(`${c.file}: ${(err as Error).message}`);
      }
    }
    expect(broken).toEqual([]);
    const vs = JSON.parse(text(bundle, 'kubectl/virtualservices.json'));
    expect(vs.items[0].spec.http[0].headers.request.set.authorization).toMatch(/\[REDACTED:(bearer-token|authorization)\]/);
  }, LONG);
});

describe('a command that hangs', () => {
  it('is cut at --timeout, recorded as timed out, and the rest is collected', async () => {
    const { run: r, bundle } = await bundleOf('hang');
    expect(r.code, r.stderr).toBe(0);
    expect(r.ms).toBeLessThan(60_000);
    const hung = commandFor(bundle.manifest, /^istioctl proxy-status/).filter((c) => c.skipped === undefined);
    expect(hung.length).toBeGreaterThanOrEqual(2);
    for (const c of hung) {
      expect(c.timedOut, c.argv.join(' ')).toBe(true);
      expect(c.exitCode, c.argv.join(' ')).not.toBe(0);
      expect(c.durationMs, c.argv.join(' ')).toBeGreaterThanOrEqual(1900);
      expect(c.durationMs, c.argv.join(' ')).toBeLessThan(8_000);
    }
    const others = bundle.manifest.commands.filter((c) => !hung.includes(c) && !EXPECTED_FAILURES[c.file] && c.skipped === undefined);
    expect(others.length).toBeGreaterThan(40);
    expect(others.filter((c) => c.exitCode !== 0 || c.timedOut).map((c) => c.argv.join(' '))).toEqual([]);
    expect(bundle.files.has('istioctl/waypoint-list.txt')).toBe(true);
    expect(bundle.files.has('config-dumps/default/waypoint-hxzdgnszt2-m5q8z.json')).toBe(true);
    expect(manifestErrors(bundle.manifest)).toEqual([]);
  }, LONG);

  it('is stopped, not left running in the background', async () => {
    const r = await run('hang');
    expect(r.calls.filter((c) => c.hang).length).toBeGreaterThanOrEqual(2);
    expect(r.leftovers.map((c) => `${c.tool} ${c.argv.join(' ')} (pid ${c.pid})`)).toEqual([]);
  }, LONG);
});

describe('a command that fails, an istioctl without ztunnel-config, --context and --max-log-lines', () => {
  it('records the failure with its exit code and stderr, and goes on', async () => {
    const { run: r, bundle } = await bundleOf('degraded');
    expect(r.code, r.stderr).toBe(0);
    const [failed, ...more] = commandFor(bundle.manifest, /waypoint list/);
    expect(more).toEqual([]);
    expect(failed).toMatchObject({ file: 'istioctl/waypoint-list.txt', exitCode: 1, timedOut: false, bytes: 0 });
    expect(failed!.stderrFile).toMatch(/^stderr\/\d+\.txt$/);
    expect(text(bundle, failed!.stderrFile!)).toBe('Error: stub failure injected for "waypoint list": the server is currently unable to handle the request\n');
    const after = bundle.manifest.commands.slice(bundle.manifest.commands.indexOf(failed!) + 1);
    expect(after.filter((c) => c.exitCode === 0).length).toBeGreaterThan(30);
    expect(text(bundle, 'kubectl/pods.default.json')).toContain('"kind": "List"');
    expect(manifestErrors(bundle.manifest)).toEqual([]);
  }, LONG);

  it('records the ztunnel-config captures as skipped (unsupported) and collects the rest', async () => {
    const { run: r, bundle } = await bundleOf('degraded');
    const zc = commandFor(bundle.manifest, /ztunnel-config/);
    // Each ztunnel's tables, and the primary's dump.
    expect(zc).toHaveLength(CLUSTER.ztunnels.length + 1);
    for (const c of zc) {
      expect(c).toMatchObject({ exitCode: null, timedOut: false, stderrFile: null, bytes: 0 });
      expect(c.skipped).toMatch(/unsupported/i);
      expect(bundle.files.has(c.file), c.file).toBe(false);
    }
    // Only the probe ran; no ztunnel-config capture was attempted.
    expect(r.calls.filter((c) => c.tool === 'istioctl' && words(c.argv)[0] === 'ztunnel-config' && words(c.argv).length > 1)).toEqual([]);
    for (const pod of CLUSTER.waypointPods) {
      expect(bundle.files.has(`config-dumps/default/${pod}.json`), pod).toBe(true);
      expect(bundle.files.has(`logs/default/${pod}.log`), pod).toBe(true);
    }
    expect(r.stderr).toMatch(/^\[\d+\/\d+\] skipped \(unsupported[^)]*\): istioctl --context k3d-bookinfo ztunnel-config all ztunnel-8hg9m\.istio-system$/m);
  }, LONG);

  it('passes --context to every command and records it, and keeps logs to --max-log-lines', async () => {
    const { run: r, bundle } = await bundleOf('degraded');
    expect(bundle.manifest.context).toBe(CLUSTER.context);
    expect(bundle.manifest.options?.maxLogLines).toBe(3);
    for (const c of bundle.manifest.commands) expect(c.argv.slice(1, 3), c.file).toEqual(['--context', CLUSTER.context]);
    const withoutContext = r.calls.filter((c) => !c.argv.includes('--context') && !c.argv.includes('--help'));
    expect(withoutContext.map((c) => `${c.tool} ${c.argv.join(' ')}`)).toEqual([]);
    for (const [file, data] of bundle.files) {
      if (!file.startsWith('logs/')) continue;
      expect(data.toString('utf8').split('\n').filter(Boolean).length, file).toBeLessThanOrEqual(3);
    }
  }, LONG);
});

describe('Ctrl-C', () => {
  it('stops the running command and still leaves a valid partial bundle', async () => {
    const { run: r, bundle } = await bundleOf('interrupt');
    expect(interruptSentAt).toBeGreaterThan(0);
    expect(r.code, r.stderr).not.toBe(0);
    expect(r.code).toBe(130);
    const m = bundle.manifest;
    expect(manifestErrors(m)).toEqual([]);
    expect(m.interrupted).toBe(true);
    const i = m.commands.findIndex((c) => c.argv.join(' ') === 'kubectl get services -n default -o json');
    expect(i).toBeGreaterThan(0);
    expect(m.commands[i]).toMatchObject({ timedOut: false });
    expect(m.commands[i]!.exitCode).not.toBe(0);
    // Up to --parallel captures run at once: those started well before the hung one had finished.
    const parallel = m.options?.parallel ?? 1;
    expect(parallel).toBe(4);
    expect(m.commands.slice(0, Math.max(0, i - parallel)).filter((c) => c.exitCode !== 0 && !EXPECTED_FAILURES[c.file] && !/^unsupported/.test(c.skipped ?? ''))).toEqual([]);
    // Every command is in the manifest: those not started by the interrupt as not run, after all that ran.
    const lines = stderrLines(r).filter((l) => PROGRESS.test(l));
    const total = Number(PROGRESS.exec(lines[0]!)![2]);
    expect(m.commands).toHaveLength(total);
    const notRun = m.commands.findIndex((c) => c.skipped !== undefined && /interrupt/i.test(c.skipped));
    expect(notRun).toBeGreaterThan(i);
    // Those started beside the hung one, before the interrupt, ran to their end or were stopped.
    for (const c of m.commands.slice(i + 1, notRun)) {
      expect(c.skipped, c.file).toBeUndefined();
      expect(c.exitCode, c.file).not.toBeNull();
      expect(bundle.files.has(c.file), c.file).toBe(true);
    }
    for (const c of m.commands.slice(notRun)) {
      expect(c).toMatchObject({ exitCode: null, bytes: 0, stderrFile: null });
      expect(c.skipped).toMatch(/interrupt/i);
      expect(bundle.files.has(c.file), c.file).toBe(false);
    }
    expect(stderrLines(r).at(-1)).toContain(r.output);
  }, LONG);

  it('stops the hung command instead of leaving it running', async () => {
    const r = await run('interrupt');
    expect(r.calls.filter((c) => c.hang)).toHaveLength(1);
    expect(r.leftovers.map((c) => `${c.tool} ${c.argv.join(' ')} (pid ${c.pid})`)).toEqual([]);
  }, LONG);
});

describe('only read verbs', () => {
  const ISTIOCTL_READS = new Set([
    'version', 'analyze', 'proxy-status', 'waypoint list',
    'ztunnel-config workload', 'ztunnel-config service', 'ztunnel-config policy', 'ztunnel-config certificate', 'ztunnel-config all',
    'proxy-config all',
  ]);

  it('every run used only kubectl get/logs/version/config and the istioctl read commands, never Secrets', async () => {
    const calls: StubCall[] = [];
    for (const name of Object.keys(runs)) calls.push(...(await run(name)).calls);
    expect(calls.length).toBeGreaterThan(200);
    expect(calls.filter((c) => c.write || c.secrets)).toEqual([]);
    const kubectl = calls.filter((c) => c.tool === 'kubectl').map((c) => words(c.argv));
    const verbs = new Set(kubectl.map((w) => w[0]));
    expect([...verbs].filter((v) => !['get', 'logs', 'version', 'config'].includes(v!))).toEqual([]);
    expect(verbs.has('get') && verbs.has('logs')).toBe(true);
    const config = new Set(kubectl.filter((w) => w[0] === 'config').map((w) => w[1]));
    expect([...config].filter((v) => !['current-context', 'view'].includes(v!))).toEqual([]);
    expect(kubectl.filter((w) => w[0] === 'get' && /^secrets?($|\.)/.test(w[1] ?? ''))).toEqual([]);
    const istioctl = calls.filter((c) => c.tool === 'istioctl');
    const commands = new Set(
      istioctl.map((c) => {
        const w = words(c.argv);
        if (c.argv.includes('--help')) return `${w.join(' ')} --help`;
        return ['waypoint', 'ztunnel-config', 'proxy-config'].includes(w[0]!) ? w.slice(0, 2).join(' ') : w[0];
      }),
    );
    // `ztunnel-config --help` is the probe for older istioctl: help, no cluster access.
    const unexpected = [...commands].filter((c) => !ISTIOCTL_READS.has(c!) && c !== 'ztunnel-config --help');
    expect(unexpected).toEqual([]);
  }, LONG);
});

describe('--dry-run and --help', () => {
  it('--dry-run prints the commands a run would run and writes no bundle', async () => {
    const r = await run('dry-run');
    const full = await readCollected((await run('default')).output);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(r.output)).toBe(false);
    expect(readdirSync(r.dir).filter((f) => f.endsWith('.tgz') || f.endsWith('.partial'))).toEqual([]);
    const printed = r.stdout.split('\n').filter(Boolean);
    expect(printed).toEqual(full.manifest.commands.map((c) => (c.skipped ? `# skipped (${c.skipped}): ${c.argv.join(' ')}` : c.argv.join(' '))));
    // Discovery only: no capture ran.
    // The two probes of the local istioctl (which commands it supports) are all that runs.
    expect(r.calls.filter((c) => c.tool === 'istioctl' && !c.argv.includes('--help') && !c.argv.includes('--remote=false'))).toEqual([]);
    expect(r.calls.filter((c) => c.tool === 'kubectl' && (words(c.argv)[0] === 'logs' || c.argv.includes('json')))).toEqual([]);
  }, LONG);

  it('--no-logs, --no-config-dump, --waypoint and --namespace shape what would run', async () => {
    const noLogs = (await run('dry-run-no-logs')).stdout.split('\n').filter(Boolean);
    expect(noLogs.filter((l) => l.startsWith('kubectl logs'))).toEqual([]);
    expect(noLogs.filter((l) => l.includes('proxy-config'))).toEqual(['istioctl proxy-config all waypoint-hxzdgnszt2-m5q8z.default -o json']);
    const noDumps = await run('dry-run-no-dumps');
    expect(noDumps.code, noDumps.stderr).toBe(0);
    const lines = noDumps.stdout.split('\n').filter(Boolean);
    expect(lines.filter((l) => l.includes('proxy-config'))).toEqual([]);
    expect(lines.filter((l) => l.startsWith('kubectl logs')).map((l) => l.split(' ')[2]).sort()).toEqual(
      [...CLUSTER.waypointPods, ...CLUSTER.ztunnels, CLUSTER.istiod].sort(),
    );
    expect(lines).toContain('kubectl get pods -n default -o json');
  }, LONG);

  it('--help documents every option', () => {
    const r = spawnSync('sh', [SCRIPT, '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    for (const option of [
      '--context', '--namespace', '--all-namespaces', '--output', '--since', '--max-log-lines', '--max-log-bytes', '--max-dump-bytes', '--timeout',
      '--max-time', '--parallel', '--per-namespace-max', '--no-logs', '--no-config-dump', '--waypoint', '--dry-run',
    ]) {
      expect(r.stdout, option).toMatch(new RegExp(`^\\s+(-\\w, )?${option}\\b`, 'm'));
    }
  });
});

describe('waypoint-analyze on the collected bundle', () => {
  it('exits 1 with exactly the sample\'s faults, and reads every file without a parse problem', async () => {
    const { run: r } = await bundleOf('default');
    let stdout = '';
    let stderr = '';
    const io: Io = { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), color: false };
    const code = await main([r.output, '--format', 'json', '-o', '-'], io);
    expect(code, stderr).toBe(1);
    const report = JSON.parse(stdout);
    const failing = report.findings.filter((f: { status: string }) => f.status === 'fail');
    expect(failing.map((f: { ruleId: string }) => f.ruleId).sort()).toEqual(['WP001', 'WP004', 'WP037']);
    const bySubject = Object.fromEntries(failing.map((f: { ruleId: string; subject?: { kind: string; name: string } }) => [f.ruleId, `${f.subject?.kind} ${f.subject?.name}`]));
    expect(bySubject).toEqual({
      WP001: 'Service ratings',
      WP004: 'Pod reviews-v2-rdlrklvjsl-wv7j2',
      WP037: 'Pod waypoint-hxzdgnszt2-m5q8z',
    });
    expect(report.findings.filter((f: { status: string }) => f.status === 'inconclusive')).toEqual([]);
    expect(report.diagnostics).toEqual([]);
    // The manifest is read and what failed or was skipped is in the report, with what it printed.
    expect(report.collection).toMatchObject({ collector: 'waypoint-collect 0.1.0', context: CLUSTER.context, interrupted: false });
    expect(report.collection.problems).toEqual(expect.arrayContaining([
      expect.objectContaining({ command: expect.stringMatching(/get tcproutes/), exitCode: 1, stderr: expect.stringMatching(/doesn't have a resource type "tcproutes"/) }),
      expect.objectContaining({ file: 'istioctl/proxy-status.json', exitCode: null, skipped: expect.stringMatching(/unsupported/) }),
    ]));
  }, LONG);
});

describe('shellcheck', () => {
  const available = spawnSync('shellcheck', ['--version']).status === 0;
  if (!available) console.warn('shellcheck is not installed (apt-get install shellcheck): the collector script was not linted');
  it.skipIf(!available)('finds nothing in the collector script (-s sh)', () => {
    const r = spawnSync('shellcheck', ['-s', 'sh', SCRIPT], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
