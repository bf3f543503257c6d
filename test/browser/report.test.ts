/**
 * The HTML report in a real browser (Debian's chromium, driven by playwright-core): it renders the
 * findings and the guide's steps, its tables sort, filter, search and page, deep links land on their
 * row, it loads nothing from anywhere, raises no CSP or script error, and hostile names stay text.
 * Screenshots go to test-output/screenshots/. Skipped, with a note, where chromium is not installed.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { ROOT } from '../helpers.js';
import { kubeList, namespace, service, waypoint } from '../rules/rule-tester.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) console.warn(`browser tests skipped: no chromium at ${CHROMIUM} (apt-get install -y chromium)`);
const SHOTS = join(ROOT, 'test-output', 'screenshots');
const quiet = { stdout: () => {}, stderr: () => {}, color: false };

describe.skipIf(!HAVE_CHROMIUM)('HTML report in chromium', () => {
  let browser: Browser;
  const work = mkdtempSync(join(tmpdir(), 'wa-browser-'));
  const report = (name: string) => join(work, `${name}.html`);

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    await main([join(ROOT, 'samples', 'bookinfo-broken.tgz'), '-o', report('broken')], quiet);
    await main([join(ROOT, 'samples', 'bookinfo-ambient.tgz'), '-o', report('healthy')], quiet);
    // 250 Services in one namespace: three pages of the inventory.
    const big = join(work, 'big');
    mkdirSync(big);
    writeFileSync(join(big, 'namespaces.yaml'), kubeList([namespace('shop', { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' })]));
    writeFileSync(join(big, 'gateways.yaml'), kubeList([waypoint('shop', 'waypoint')]));
    writeFileSync(join(big, 'services.yaml'), kubeList(Array.from({ length: 250 }, (_, i) => service('shop', `svc-${String(i).padStart(4, '0')}`))));
    await main([big, '-o', report('big')], quiet);
    // Names that try to break out of the page.
    const hostile = join(work, 'hostile');
    mkdirSync(hostile);
    writeFileSync(join(hostile, '<img src=x onerror=alert(1)>.txt'), 'Error [IST0101] (Service default/x) <script>alert("pwned")</script> & more\n');
    writeFileSync(join(hostile, 'services.yaml'), kubeList([service('default', 'x', { 'istio.io/use-waypoint': '"><svg onload=alert(2)>' })]));
    await main([hostile, '-o', report('hostile')], quiet);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(work, { recursive: true, force: true });
  });

  /** Opens a report, failing on any request beyond it, any console message, page error or dialog. */
  async function open(name: string, hash = ''): Promise<{ page: Page; problems: string[]; requests: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => problems.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(`file://${report(name)}${hash}`);
    return { page, problems, requests };
  }

  it('shows the findings first and the guide\'s steps with their verdicts, requests nothing but itself, and logs no error', async () => {
    const { page, problems, requests } = await open('broken');
    expect(requests).toEqual([`file://${report('broken')}`]);
    const headings = await page.locator('h2').allTextContents();
    expect(headings[0]).toBe('Findings');
    expect(headings).toContain('What this bundle could not show');
    const findings = await page.locator('#findings article h3').allTextContents();
    expect(findings.map((t) => /(WP\d{3}|IST\d{4})/.exec(t)?.[1])).toEqual(['WP001', 'WP004', 'WP037', 'WP026']);
    await expect(page.locator('#findings article').first().locator('.evidence li').first().textContent()).resolves.toMatch(/kubectl\/services\.json:\d+/);
    expect(await page.locator('#findings article').first().locator('pre.context span.hit').first().textContent()).toMatch(/"istio\.io\/use-waypoint": "ratings-waypoint"/);
    const verdicts = await page.locator('section.step h2 .verdict').allTextContents();
    expect(verdicts).toEqual(['problem', 'problem', 'problem', 'not captured', 'not captured']);
    await page.locator('#step-2 > p a[href="#WP001-default-ratings"]').click();
    // The hashchange handler runs after the click returns.
    // A locator, not a string predicate: polling a string evaluates it, which the report's CSP forbids.
    await page.locator('[id="WP001-default-ratings"].target').waitFor();
    // The topology: ratings' broken binding links to its finding, healthy services to their rows.
    await page.locator('#topology a[href="#WP001-default-ratings"]').first().click();
    expect(page.url()).toMatch(/#WP001-default-ratings$/);
    await page.locator('#topology a[href="#svc-default-reviews"]').first().click();
    await page.locator('[id="svc-default-reviews"].target').waitFor();
    expect(await page.locator('#svc-default-reviews').isVisible()).toBe(true);
    await page.locator('#topology').screenshot({ path: join(SHOTS, 'broken-topology.png') });
    await page.goto(`file://${report('broken')}`);
    await page.screenshot({ path: join(SHOTS, 'broken-top.png') });
    await page.locator('#step-2').screenshot({ path: join(SHOTS, 'broken-step-2.png') });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('the healthy sample: no finding, every step fine', async () => {
    const { page, problems } = await open('healthy');
    expect(await page.locator('#findings .empty').count()).toBe(1);
    expect(await page.locator('section.step h2 .verdict').allTextContents()).toEqual(['fine', 'fine', 'fine', 'fine', 'fine']);
    await page.screenshot({ path: join(SHOTS, 'healthy-top.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('filters the findings by severity and by text', async () => {
    const { page, problems } = await open('broken');
    const visible = async () => (await page.locator('#findings article:visible .rule').allTextContents()).map((t) => t.trim());
    await page.locator('.counts button[data-severity="error"]').click();
    expect(await visible()).toEqual(['WP026']);
    await page.locator('.counts button[data-severity="error"]').click();
    await page.locator('input[data-search-for="findings"]').fill('reviews-v2');
    expect(await visible()).toEqual(['WP004']);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('sorts, filters, searches and pages the inventory, and a deep link opens the page its row is on', async () => {
    const { page, problems } = await open('big', '#svc-shop-svc-0249');
    page.setDefaultTimeout(5000);
    const rows = page.locator('#inventory-table tbody tr:visible');
    expect(await page.locator('#svc-shop-svc-0249').isVisible()).toBe(true);
    expect(await page.locator('#svc-shop-svc-0249').getAttribute('class')).toMatch(/\btarget\b/);
    expect(await page.locator('.pager [data-page-label]').textContent()).toBe('page 3 of 3');
    await page.locator('.pager [data-prev]').click();
    expect(await rows.count()).toBe(100);
    expect(await page.locator('[data-count-for="inventory-table"]').textContent()).toBe('250 rows');
    await page.locator('input[data-search-for="inventory-table"]').fill('svc-012');
    expect(await rows.count()).toBe(10);
    expect(await page.locator('[data-count-for="inventory-table"]').textContent()).toBe('10 of 250 rows');
    await page.locator('input[data-search-for="inventory-table"]').fill('');
    await page.locator('select[data-filter-for="inventory-table"]').selectOption('problem');
    expect(await rows.count()).toBe(0);
    await page.locator('select[data-filter-for="inventory-table"]').selectOption('');
    const nameHeader = page.locator('#inventory-table thead th').nth(2);
    expect(await nameHeader.textContent()).toBe('Name');
    await nameHeader.click();
    await nameHeader.click();
    expect(await nameHeader.getAttribute('aria-sort')).toBe('descending');
    expect(await rows.first().locator('td').nth(2).textContent()).toBe('svc-0249');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('runs nothing hidden in captured names: no dialog, no error, the text shown as text', async () => {
    const { page, problems } = await open('hostile');
    await page.waitForTimeout(200);
    expect(problems).toEqual([]);
    expect(await page.locator('img, iframe, svg[onload]').count()).toBe(0);
    expect(await page.content()).toContain('&lt;script&gt;alert("pwned")&lt;/script&gt;');
    await page.close();
  });
});
