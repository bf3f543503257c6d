/**
 * Measures waypoint-collect against the stub kubectl/istioctl answering as a big cluster (STUB_CLUSTER=big:
 * 20,000 pods, 5,000 Services, 200 waypoints, 182 nodes and ztunnels; test/collect/stubs/big-cluster.cjs) with a
 * real cluster's latencies: wall time, calls, peak scratch space, and the bundle's size compressed and
 * uncompressed, by top folder. Not part of `npm test`: it takes minutes.
 *
 *   npx tsx test/collect/big-cluster.ts [--script PATH] [--latency 0.15-1.5] [--per-mb 0.05] [--keep]
 *                                       [--json FILE] [--analyze] [-- collector options...]
 *
 * --script runs another copy of the collector (e.g. the previous one: `git show HEAD~1:src/collect/...`);
 * --analyze also runs waypoint-analyze on the bundle (needs `npm run build`) and reports its time and exit code.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const STUBS = join(ROOT, 'test', 'collect', 'stubs');

interface Options {
  script: string;
  latency: string;
  perMb: string;
  keep: boolean;
  json?: string;
  analyze: boolean;
  extra: string[];
}

function parseArgs(argv: string[]): Options {
  const o: Options = { script: join(ROOT, 'src', 'collect', 'waypoint-collect.sh'), latency: '0.15-1.5', perMb: '0.05', keep: false, analyze: false, extra: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      o.extra = argv.slice(i + 1);
      break;
    }
    if (a === '--script') o.script = argv[++i]!;
    else if (a === '--latency') o.latency = argv[++i]!;
    else if (a === '--per-mb') o.perMb = argv[++i]!;
    else if (a === '--json') o.json = argv[++i]!;
    else if (a === '--keep') o.keep = true;
    else if (a === '--analyze') o.analyze = true;
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

/** Bytes under a folder (du -sk, in KiB, times 1024), 0 when it is gone. */
function duBytes(dir: string): number {
  const r = spawnSync('du', ['-sk', dir], { encoding: 'utf8' });
  return r.status === 0 ? Number(r.stdout.split(/\s/)[0]) * 1024 : 0;
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), 'wpc-big-'));
  const scratch = join(dir, 'tmp');
  mkdirSync(scratch);
  const output = join(dir, 'bundle.tgz');
  const log = join(dir, 'stub.log');
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('STUB_')) env[k] = v;
  Object.assign(env, {
    PATH: `${STUBS}:${process.env['PATH'] ?? '/usr/bin:/bin'}`,
    STUB_CLUSTER: 'big',
    STUB_LOG: log,
    STUB_LATENCY: o.latency,
    STUB_LATENCY_PER_MB: o.perMb,
    TMPDIR: scratch,
    LC_ALL: 'C',
  });
  const args = [o.script, '--output', output, ...o.extra];
  console.error(`collecting: sh ${args.join(' ')}  (STUB_LATENCY=${o.latency} STUB_LATENCY_PER_MB=${o.perMb}, in ${dir})`);
  const started = Date.now();
  let peak = 0;
  let lastLine = '';
  const child = spawn('sh', args, { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => {
    const t = b.toString('utf8');
    stderr += t;
    const lines = t.split('\n').filter(Boolean);
    if (lines.length) lastLine = lines[lines.length - 1]!;
  });
  const sampler = setInterval(() => {
    // Scratch: the collector's temporary folder (its bundle folder and anything it stages) plus the partial output.
    const partial = existsSync(`${output}.partial`) ? statSync(`${output}.partial`).size : 0;
    peak = Math.max(peak, duBytes(scratch) + partial);
    process.stderr.write(`\r${Math.round((Date.now() - started) / 1000)}s ${mb(peak)} peak scratch  ${lastLine.slice(0, 100).padEnd(100)}`);
  }, 5000);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearInterval(sampler);
  const seconds = (Date.now() - started) / 1000;
  process.stderr.write('\n');
  writeFileSync(join(dir, 'collector.stderr'), stderr);

  // One line per call, and one per exit ({pid, end}), which is not a call.
  const calls = (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { tool?: string; argv?: string[] }) : []).filter(
    (c) => c.tool !== undefined,
  );
  const byTool = { kubectl: calls.filter((c) => c.tool === 'kubectl').length, istioctl: calls.filter((c) => c.tool === 'istioctl').length };
  const compressed = existsSync(output) ? statSync(output).size : 0;
  // Sizes of the files in the bundle, by top folder under the bundle's folder.
  const byFolder: Record<string, { files: number; bytes: number }> = {};
  let uncompressed = 0;
  let manifest: { commands?: { skipped?: string; timedOut?: boolean; exitCode: number | null }[]; ztunnels?: unknown[] } = {};
  if (compressed) {
    const listing = spawnSync('tar', ['-tvzf', output], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    for (const line of listing.stdout.split('\n')) {
      const m = /^-\S+\s+\S+\s+(\d+)\s+\S+\s+\S+\s+(.*)$/.exec(line);
      if (!m) continue;
      const size = Number(m[1]);
      const parts = m[2]!.split('/');
      const folder = parts.length > 2 ? parts[1]! : '(top)';
      byFolder[folder] ??= { files: 0, bytes: 0 };
      byFolder[folder].files++;
      byFolder[folder].bytes += size;
      uncompressed += size;
    }
    const m = spawnSync('sh', ['-c', 'tar -xzOf "$1" --wildcards "*/manifest.json"', 'sh', output], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    try {
      manifest = JSON.parse(m.stdout);
    } catch {
      manifest = {};
    }
  }
  const commands = manifest.commands ?? [];
  const result: Record<string, unknown> = {
    script: o.script,
    extraArgs: o.extra,
    latency: o.latency,
    latencyPerMb: o.perMb,
    exitCode: code,
    wallSeconds: Math.round(seconds),
    calls: calls.length,
    callsByTool: byTool,
    captures: commands.length,
    skipped: commands.filter((c) => c.skipped !== undefined).length,
    timedOut: commands.filter((c) => c.timedOut).length,
    failed: commands.filter((c) => c.skipped === undefined && c.exitCode !== 0).length,
    compressedBytes: compressed,
    uncompressedBytes: uncompressed,
    peakScratchBytes: peak,
    byFolder,
  };
  if (o.analyze && compressed) {
    const cli = join(ROOT, 'dist', 'cli', 'main.js');
    const t0 = Date.now();
    const a = spawnSync('node', ['--max-old-space-size=8192', cli, output, '--format', 'json', '-o', join(dir, 'report.json')], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    result['analyze'] = { exitCode: a.status, seconds: Math.round((Date.now() - t0) / 1000), stderr: a.stderr.slice(0, 2000) };
  }
  const text = JSON.stringify(result, null, 2);
  console.log(text);
  if (o.json) writeFileSync(o.json, text + '\n');
  console.error(
    `\n${code === 0 ? 'ok' : `exit ${code}`}: ${Math.round(seconds)} s, ${calls.length} calls (${byTool.kubectl} kubectl, ${byTool.istioctl} istioctl), ` +
      `bundle ${mb(compressed)} compressed / ${mb(uncompressed)} uncompressed, peak scratch ${mb(peak)}`,
  );
  if (o.keep) console.error(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
