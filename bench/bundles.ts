/**
 * `npm run bench`: the whole analyzer on generated bundles of 2,000 and 20,000 pods (and 100,000 with
 * `BENCH_HUGE=1`), YAML and JSON captures: the time to stream-gunzip the file (the floor), the wall time
 * and peak RSS of `waypoint-analyze --format json` and of the HTML report, the ratio to the floor, the
 * report's size, and the time headless Chromium takes to load it. Numbers are printed, never asserted.
 *
 *   node --import tsx bench/bundles.ts
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createGunzip } from 'node:zlib';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORK = join(tmpdir(), 'waypoint-bench');
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const SIZES = [
  { pods: 2_000, services: 500, waypoints: 20 },
  { pods: 20_000, services: 5_000, waypoints: 200 },
  ...(process.env['BENCH_HUGE'] ? [{ pods: 100_000, services: 25_000, waypoints: 1_000 }] : []),
];
const MB = 1024 ** 2;

/** Prints the child's peak RSS on exit: `process.resourceUsage` works everywhere, `/usr/bin/time` does not. */
const RSS_HOOK = join(WORK, 'rss-hook.mjs');

async function gunzipSeconds(file: string): Promise<number> {
  const t0 = performance.now();
  await pipeline(createReadStream(file), createGunzip(), new Writable({ write: (_chunk, _enc, done) => done() }));
  return (performance.now() - t0) / 1000;
}

function analyze(bundle: string, format: 'json' | 'html', out: string): { seconds: number; rssMB: number } {
  const t0 = performance.now();
  // The built CLI, as users run it (`npm run build` first); the TypeScript sources through tsx otherwise.
  const built = join(ROOT, 'dist/cli/main.js');
  const cli = existsSync(built) ? [built] : ['--import', TSX, join(ROOT, 'src/cli/main.ts')];
  // A 100,000-pod pods List is 375 MiB, over the default per-file limit (it streams, so memory is not the issue).
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(RSS_HOOK).href, ...cli, bundle, '-f', format, '-o', out, '--quiet', '--max-file-size', '1G'], { encoding: 'utf8' });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0 && r.status !== 1) throw new Error(`waypoint-analyze exited ${r.status}: ${r.stderr}`);
  const rss = /maxRSS (\d+)/.exec(r.stderr);
  return { seconds, rssMB: rss ? Number(rss[1]) / 1024 : NaN };
}

async function chromiumLoad(file: string): Promise<number | undefined> {
  if (!existsSync(CHROMIUM)) return undefined;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage();
    const t0 = performance.now();
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    return (performance.now() - t0) / 1000;
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  mkdirSync(WORK, { recursive: true });
  writeFileSync(RSS_HOOK, "process.on('exit', () => process.stderr.write(`maxRSS ${process.resourceUsage().maxRSS}\\n`));\n");
  const rows: string[][] = [['bundle', 'gz MB', 'gunzip s', 'json s', 'x floor', 'json RSS MB', 'html s', 'html RSS MB', 'html MB', 'chromium s']];
  for (const size of SIZES) {
    for (const format of ['yaml', 'json'] as const) {
      const bundle = join(WORK, `bundle-${size.pods}-${format}.tgz`);
      if (!existsSync(bundle)) {
        const gen = spawnSync(process.execPath, ['--import', TSX, join(ROOT, 'scripts/gen-bundle.ts'), '--pods', String(size.pods), '--services', String(size.services), '--waypoints', String(size.waypoints), '--format', format, '--out', bundle], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'inherit'] });
        if (gen.status !== 0) throw new Error(`gen-bundle failed for ${size.pods} pods`);
      }
      const floor = await gunzipSeconds(bundle);
      const json = analyze(bundle, 'json', join(WORK, 'report.json'));
      const htmlFile = join(WORK, `report-${size.pods}.html`);
      const html = analyze(bundle, 'html', htmlFile);
      const load = await chromiumLoad(htmlFile);
      rows.push([
        `${size.pods} pods, ${format}`, (statSync(bundle).size / MB).toFixed(1), floor.toFixed(2), json.seconds.toFixed(2), (json.seconds / floor).toFixed(1),
        json.rssMB.toFixed(0), html.seconds.toFixed(2), html.rssMB.toFixed(0), (statSync(htmlFile).size / MB).toFixed(1), load === undefined ? 'n/a' : load.toFixed(2),
      ]);
      print(rows);
    }
  }
}

function print(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  process.stdout.write(`\n${rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n')}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`bench: ${err.message}\n`);
  process.exit(1);
});
