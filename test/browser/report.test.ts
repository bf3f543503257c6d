/**
 * The HTML report in a real browser (Debian's chromium, driven by playwright-core): it renders the
 * findings, loads nothing from anywhere, and raises no CSP or script error. Skipped, with a note,
 * where chromium is not installed; CI installs it.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { ROOT } from '../helpers.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) console.warn(`browser tests skipped: no chromium at ${CHROMIUM} (apt-get install -y chromium)`);

describe.skipIf(!HAVE_CHROMIUM)('HTML report in chromium', () => {
  let browser: Browser;
  const work = mkdtempSync(join(tmpdir(), 'wa-browser-'));
  const report = join(work, 'report.html');

  beforeAll(async () => {
    await main([join(ROOT, 'samples', 'bookinfo-broken.tgz'), '-o', report], { stdout: () => {}, stderr: () => {}, color: false });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('shows the findings first, requests nothing but itself, and logs no error', async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => problems.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`file://${report}`);
    expect(requests).toEqual([`file://${report}`]);
    expect(problems).toEqual([]);
    const headings = await page.locator('h2').allTextContents();
    expect(headings[0]).toBe('Findings');
    expect(headings).toContain('What this bundle could not show');
    const findings = await page.locator('#findings article h3').allTextContents();
    expect(findings.map((t) => /(WP\d{3}|IST\d{4})/.exec(t)?.[1])).toEqual(['WP001', 'WP004', 'WP037', 'WP026']);
    await expect(page.locator('#findings article').first().locator('.evidence li').first().textContent()).resolves.toMatch(/kubectl\/services\.json:\d+/);
    await page.close();
  });
});
