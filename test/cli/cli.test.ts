import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Papa from 'papaparse';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonReport, runCli as run, sample } from './run.js';
import { ROOT, alarms } from '../helpers.js';
import { validateReport } from '../report/schema.js';

const work = mkdtempSync(join(tmpdir(), 'wa-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));


function failing(report: { findings: { status: string; ruleId: string; severity: string }[] }) {
  return alarms(report.findings);
}

describe('the healthy bookinfo sample', () => {
  for (const form of ['bookinfo-ambient', 'bookinfo-ambient.tgz']) {
    it(`${form}: exit 0, no error or warning finding, every service and pod where the guide says`, async () => {
      const { code, report, stderr } = await jsonReport(sample(form));
      expect(code).toBe(0);
      expect(failing(report).filter((f) => f.severity !== 'info')).toEqual([]);
      expect(report.counts.inconclusive).toBe(0);
      expect(stderr).toContain('0 errors');
      const byName = (kind: string, name: string) => report.bindings.find((b: { kind: string; name: string }) => b.kind === kind && b.name.startsWith(name));
      expect(byName('Service', 'productpage')).toMatchObject({ expected: 'waypoint', observed: 'waypoint', agrees: true });
      expect(byName('Service', 'reviews')).toMatchObject({ expected: 'reviews-svc-waypoint', observed: 'reviews-svc-waypoint', agrees: true });
      expect(byName('Pod', 'reviews-v2')).toMatchObject({ expected: 'reviews-v2-pod-waypoint', observed: 'reviews-v2-pod-waypoint', agrees: true });
      // A pod that only inherits a service-only namespace waypoint uses none, by design: no row of its own.
      expect(byName('Pod', 'reviews-v1')).toBeUndefined();
      expect(byName('Service', 'reviews')).toMatchObject({ verdict: 'ok', synced: true });
      expect(validateReport(report)).toEqual([]);
    });
  }
});

describe('the broken bookinfo sample', () => {
  it('traces a request to each Service with a finding, in JSON and in the HTML report', async () => {
    const { report } = await jsonReport(sample('bookinfo-broken'));
    const traces = (report as unknown as { traces: { service: string; client: string; from: string; result: string; brokenAt?: string; hops: { step: string }[] }[] }).traces;
    const ratings = traces.find((t) => t.service === 'default/ratings')!;
    expect(ratings).toMatchObject({ result: 'broken', brokenAt: 'waypoint' });
    expect(ratings.hops.map((h) => h.step)).toEqual(['source', 'address', 'waypoint']);
    expect(ratings.client).toMatch(/ambient pod|ztunnel's log/);
    const out = join(work, 'traces.html');
    await run(sample('bookinfo-broken'), '-o', out);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('<section id="traces">');
    expect(html).toMatch(/default\/ratings:9080 <span class="note">from default\/\S+ \([^)]*\)<\/span> &mdash; <span class="hop broken">broken at waypoint<\/span>/);
  });

  for (const form of ['bookinfo-broken', 'bookinfo-broken.tgz']) {
    it(`${form}: exit 1 with exactly WP001, WP004, WP037; the analyze message it carries is evidence of WP001`, async () => {
      const { code, report } = await jsonReport(sample(form));
      expect(code).toBe(1);
      const ids = failing(report).map((f) => f.ruleId).sort();
      expect(ids).toEqual(['WP001', 'WP004', 'WP037']);
      // istioctl analyze said the same of default/ratings (IST0171): linked to WP001, not shown twice.
      const wp001 = failing(report).find((f) => f.ruleId === 'WP001') as unknown as { evidence: { file: string; note?: string }[] };
      expect(wp001.evidence.some((e) => e.file.endsWith('istioctl/analyze.txt') && /IST0171/.test(e.note ?? ''))).toBe(true);
      const bySubject = Object.fromEntries(failing(report).map((f: { ruleId: string; subject?: { kind: string; name: string } }) => [f.ruleId, `${f.subject?.kind} ${f.subject?.name}`]));
      expect(bySubject['WP001']).toBe('Service ratings');
      expect(bySubject['WP004']).toMatch(/^Pod reviews-v2-/);
      expect(bySubject['WP037']).toMatch(/^Pod waypoint-/);
      for (const f of failing(report)) {
        expect(f).toHaveProperty('evidence.0.file');
        expect((f as unknown as { evidence: { line?: number }[] }).evidence[0]!.line).toBeGreaterThan(0);
      }
      expect(validateReport(report)).toEqual([]);
    });
  }

  it('writes the HTML report where asked and prints the summary and its path', async () => {
    const out = join(work, 'broken.html');
    const { code, stdout } = await run(sample('bookinfo-broken.tgz'), '-o', out);
    expect(code).toBe(1);
    expect(stdout).toMatch(/3 errors, 0 warnings,/);
    expect(stdout).toContain(`Report: ${out}`);
    const html = readFileSync(out, 'utf8');
    // One inline script and one inline style, each allowed by its hash, and nothing loaded from anywhere.
    expect(html).not.toMatch(/<link|<img|<iframe|src=|@import|url\(/i);
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
    expect(html.match(/<script/g)).toHaveLength(1);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!;
    const sha = (t: string) => `'sha256-${createHash('sha256').update(t, 'utf8').digest('base64')}'`;
    expect(csp).toBe(`default-src 'none'; style-src ${styles.map(sha).join(' ')}; script-src ${scripts.map(sha).join(' ')}; img-src data:; base-uri 'none'; form-action 'none'`);
    expect(html).not.toMatch(/ style="/);
    expect(html).toContain('WP001');
    expect(html).toContain('kubectl/services.json:');
  });

  it('writes CSV with one row per finding', async () => {
    const { stdout, code } = await run(sample('bookinfo-broken'), '-f', 'csv', '-o', '-');
    expect(code).toBe(1);
    const rows = Papa.parse<Record<string, string>>(stdout.trim(), { header: true }).data;
    expect(rows.map((r) => r['rule']).sort()).toEqual(['WP001', 'WP004', 'WP026', 'WP037']);
    expect(rows.find((r) => r['rule'] === 'WP001')!['evidence']).toMatch(/kubectl\/services\.json:\d+/);
  });
});

describe('--fail-on and the inventory CSV', () => {
  it.each([
    ['bookinfo-broken', [], 1],
    ['bookinfo-broken', ['--fail-on', 'error'], 1],
    ['scenarios/wp006-invalid-waypoint-for', [], 0],
    ['scenarios/wp006-invalid-waypoint-for', ['--fail-on', 'warning'], 1],
    ['scenarios/wp026-no-require-waypoint-guard', ['--fail-on', 'warning'], 0],
    ['scenarios/wp026-no-require-waypoint-guard', ['--fail-on', 'info'], 1],
    ['bookinfo-ambient', ['--fail-on', 'info'], 0],
  ])('%s %j exits %i', async (bundle, flags, code) => {
    const r = await run(sample(bundle), '-f', 'json', '-o', '-', ...flags);
    expect(r.code).toBe(code);
  });

  it('rejects a severity it does not know, with one line', async () => {
    const r = await run(sample('bookinfo-ambient'), '--fail-on', 'fatal');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("waypoint-analyze: option '--fail-on <severity>' argument 'fatal' is invalid. Allowed choices are error, warning, info.\n");
  });

  it('writes the inventory: one row per Service and per Pod with its own waypoint, with verdicts', async () => {
    const { stdout, code } = await run(sample('bookinfo-broken'), '-f', 'inventory-csv', '-o', '-');
    expect(code).toBe(1);
    const rows = Papa.parse<Record<string, string>>(stdout.trim(), { header: true }).data;
    expect(rows.find((r) => r['kind'] === 'Service' && r['name'] === 'ratings')).toMatchObject({ verdict: 'problem', requested: 'default/ratings-waypoint', expected: 'None', findings: 'WP001-default-ratings' });
    expect(rows.find((r) => r['kind'] === 'Service' && r['name'] === 'reviews')).toMatchObject({ verdict: 'ok', expected: 'reviews-svc-waypoint', observed: 'reviews-svc-waypoint', agrees: 'true', synced: 'true' });
    expect(rows.find((r) => r['kind'] === 'Service' && r['name'] === 'productpage')!['policies']).toBe('default/productpage-viewer');
    expect(rows.filter((r) => r['kind'] === 'Pod').map((r) => r['name'])).toEqual([expect.stringMatching(/^reviews-v2-/)]);
  });
});

describe('captured text reaching HTML is escaped', () => {
  it('renders hostile analyze messages and file names as text', async () => {
    const dir = join(work, 'hostile');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '<img src=x onerror=alert(1)>.txt'), 'Error [IST0101] (Service default/x) <script>alert("pwned")</script> & more\n');
    const out = join(work, 'hostile.html');
    const { code } = await run(dir, '-o', out);
    expect(code).toBe(1);
    const html = readFileSync(out, 'utf8');
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; more');
  });
});

describe('bad invocations exit 2 with one clear line', () => {
  it.each([
    [['/no/such/bundle.tgz'], /no such file or directory: \/no\/such\/bundle\.tgz/],
    [[], /missing required argument 'bundle'/],
    [['x', '--format', 'xml'], /argument 'xml' is invalid/],
    [['x', '--bogus'], /unknown option '--bogus'/],
    [[sample('bookinfo-broken'), '--max-file-size', 'lots'], /--max-file-size expects a size/],
    [[sample('bookinfo-broken.tgz'), '--max-file-size', '1KiB'], /over the per-file limit of 1 KiB \(raise it with --max-file-size\)/],
    [[sample('bookinfo-broken.tgz'), '--max-entries', '3'], /--max-entries/],
  ])('%j', async (args, message) => {
    const { code, stderr, stdout } = await run(...args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stdout).toBe('');
  });

  it('refuses a file that is not an archive and a truncated one', async () => {
    const text = join(work, 'notes.txt');
    writeFileSync(text, 'hello');
    expect((await run(text)).stderr).toMatch(/is not a \.tgz, \.tar\.gz, \.tar or a directory/);
    const cut = join(work, 'cut.tgz');
    const full = readFileSync(sample('bookinfo-broken.tgz'));
    writeFileSync(cut, full.subarray(0, Math.floor(full.length / 2)));
    const r = await run(cut);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/truncated or corrupt/);
  });

  it('--help exits 0', async () => {
    const { code, stdout } = await run('--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/Usage: waypoint-analyze/);
  });
});

describe('as a process', () => {
  // tsx's loader by absolute URL: the process runs in a scratch folder where `tsx` would not resolve.
  const tsx = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
  const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', tsx, join(ROOT, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd: work });

  it('exits 2 without a stack trace, and shows one with --debug', () => {
    const plain = cli('/no/such/bundle');
    expect(plain.status).toBe(2);
    expect(plain.stderr.trim()).toBe('waypoint-analyze: no such file or directory: /no/such/bundle');
    const debug = cli('/no/such/bundle', '--debug');
    expect(debug.status).toBe(2);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });

  it.each([
    ['inspect', '--all'],
    ['analyze', '-f', 'json', '-o', '-'],
    ['rules'],
    ['explain', 'WP001'],
  ])('%s ends quietly when its reader closes the pipe early', (...args) => {
    // `waypoint-analyze ... | head -c 1`: the shell closes stdout after one byte.
    const script = `"${process.execPath}" --import "${tsx}" "${join(ROOT, 'src/cli/main.ts')}" ${args.join(' ')} ${['inspect', 'analyze'].includes(args[0]!) ? `"${sample('bookinfo-ambient.tgz')}"` : ''} | head -c 1 >/dev/null; echo "\${PIPESTATUS[0]}"`;
    const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', cwd: work });
    // analyze -o - prints its summary on stderr; nothing else may be there.
    expect(r.stderr).not.toMatch(/EPIPE|Error|\n\s+at /);
    expect(r.stdout.trim()).toBe('0');
  });

  // `script` gives the process a terminal, which is the only place colours belong.
  it.skipIf(spawnSync('script', ['--version']).status !== 0)('colours the summary on a terminal, never with NO_COLOR, never in a pipe', () => {
    const command = (env: string) => `${env} "${process.execPath}" --import "${tsx}" "${join(ROOT, 'src/cli/main.ts')}" "${sample('bookinfo-broken')}" -o "${join(work, 'tty.html')}"`;
    const onTty = (env: string) => spawnSync('script', ['-qec', command(env), '/dev/null'], { encoding: 'utf8', cwd: work }).stdout;
    expect(onTty('')).toContain('\x1b[1;31m3 errors\x1b[0m');
    expect(onTty('NO_COLOR=1')).not.toContain('\x1b[');
    expect(onTty('NO_COLOR=1')).toMatch(/ERROR {3}WP001 {3}Service default\/ratings/);
    expect(cli(sample('bookinfo-broken'), '-o', join(work, 'pipe.html')).stdout).not.toContain('\x1b[');
  });

  it('exits 1 on the broken sample and writes the default report in the working directory', () => {
    const copy = join(work, 'copy');
    cpSync(sample('bookinfo-broken'), copy, { recursive: true });
    const r = cli(copy);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`Report: ${join(work, 'waypoint-report.html')}`);
    expect(readFileSync(join(work, 'waypoint-report.html'), 'utf8')).toContain('<!DOCTYPE html>');
  });
});
