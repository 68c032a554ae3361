/**
 * The web console end to end, all real processes on 127.0.0.1 (`npm run build` first): a Debian
 * docker-registry with fixture images, `vigil server --http` serving the built console, and
 * headless Debian Chromium through playwright-core. A user signs in, adds the registry, tests it,
 * scans it, reads the results per tag and an image's layered view, and downloads the CSV and PDF
 * of exactly the filtered view. Every page is kept as a screenshot in test-artifacts/console/.
 * Every wait is bounded.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { pdfItems } from '../../src/server/reports/__fixtures__/pdf-text.js';
import { launchChromium, newPage } from '../helpers/browser.js';
import { REPO } from '../helpers/cli.js';
import { startRegistry, type StartedRegistry } from '../helpers/registry.js';
import { startServer, stopServer, type RunningServer } from '../helpers/server.js';

const ADMIN_PASSWORD = 'console-e2e-admin-password';
const ARTIFACTS = path.join(REPO, 'test-artifacts/console');

let dir: string;
let reg: StartedRegistry;
let server: RunningServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

async function shot(name: string): Promise<void> {
  // Let skeletons resolve and fonts settle, so the picture shows the page as a user sees it.
  await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => undefined);
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}

/** Clicks a button that starts a download and returns the downloaded bytes (kept as an artifact). */
async function downloadVia(button: ReturnType<Page['getByRole']>, keepAs: string): Promise<{ name: string; bytes: Buffer }> {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), button.click()]);
  const file = await dl.path();
  const bytes = readFileSync(file);
  await dl.saveAs(path.join(ARTIFACTS, keepAs));
  return { name: dl.suggestedFilename(), bytes };
}

beforeAll(async () => {
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  dir = mkdtempSync(path.join(tmpdir(), 'vigil-console-e2e-'));
  reg = await startRegistry();
  await reg.push('app', 'demo/app:1');
  await reg.push('app', 'demo/app:2');
  await reg.push('debian12', 'demo/debian12:1');
  // VIGIL_DB (the test DB from global setup) is inherited: the controller matches with it.
  server = await startServer(['--http', '--listen', '127.0.0.1:0', '--data-dir', path.join(dir, 'data'), '--scan-workers', '2'], {
    VIGIL_ADMIN_PASSWORD: ADMIN_PASSWORD,
    VIGIL_HOME: path.join(dir, 'home'),
  });
  browser = await launchChromium();
  ({ page } = await newPage(browser));
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  // Layout shifts, summed as Chromium reports them (Cumulative Layout Shift), for the no-jump checks.
  // (Browser code as strings: this file is type-checked for Node, without the DOM.)
  await page.addInitScript(`
    window.__cls = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
    }).observe({ type: 'layout-shift', buffered: true });
  `);
}, 180_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  if (server) await stopServer(server).catch(() => undefined);
  await reg?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// A failing step leaves a picture of what the browser showed.
afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail' && page) {
    await page.screenshot({ path: path.join(ARTIFACTS, `failed-${ctx.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}.png`) }).catch(() => undefined);
  }
});

async function cls(): Promise<number> {
  return page.evaluate<number>('window.__cls');
}

describe('the web console', () => {
  test('is served at / with its client routes, and never shadows the API', async () => {
    const index = await fetch(`${server.url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/text\/html/);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const html = await index.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const js = await fetch(`${server.url}${asset}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toMatch(/immutable/);
    // A client route is the console; the API's own 404s and 401s stay JSON.
    const deep = await fetch(`${server.url}/risks/vulnerabilities`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toBe(html);
    expect((await fetch(`${server.url}/api/v1/no-such-thing`)).status).toBe(401);
    expect((await fetch(`${server.url}/api/v1/registries`)).status).toBe(401);
    const login = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
    const { token } = (await login.json()) as { token: string };
    const unknownApi = await fetch(`${server.url}/api/v1/no-such-thing`, { headers: { authorization: `Bearer ${token}` } });
    expect(unknownApi.status).toBe(404);
    expect(await unknownApi.json()).toMatchObject({ code: 'not-found' });
    expect((await fetch(`${server.url}/assets/missing.js`)).status).toBe(404);
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
  });

  test('login: a wrong password is refused, the right one opens the dashboard', async () => {
    await page.goto(`${server.url}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await shot('01-login');
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByLabel('Password').press('Enter');
    await page.getByRole('alert').filter({ hasText: /invalid|wrong|incorrect|credentials/i }).waitFor();
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.getByText('Vulnerability DB age').waitFor();
    await shot('02-dashboard-empty');
  });

  test('add a registry with the keyboard, test its connection and scan it', async () => {
    await page.getByRole('link', { name: 'Registries' }).click();
    await page.getByRole('heading', { name: 'Registries' }).waitFor();
    await page.getByRole('button', { name: 'Add registry' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add registry' });
    await dialog.waitFor();
    // Escape closes a dialog; reopening starts clean.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: 'Add registry' }).click();
    await dialog.waitFor();
    // The name field has focus: type and Tab through the form.
    await page.keyboard.type('local');
    await dialog.getByLabel('URL').fill(reg.url);
    await dialog.getByLabel(/Filters/).fill('demo/*');
    await dialog.getByLabel('Every N minutes').check();
    await dialog.getByLabel(/Minutes between scans/).fill('60');
    await dialog.getByLabel(/Layered scan/).check();
    await dialog.getByLabel(/Rescan after a vulnerability DB update/).check();
    await shot('03-registry-add');
    await dialog.getByLabel('URL').press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    const table = page.getByTestId('registries');
    await table.getByText(reg.url).waitFor();
    await expect(table.getByText('every 60 min').count()).resolves.toBe(1);

    await table.getByRole('button', { name: 'Test' }).click();
    await page.getByRole('status').filter({ hasText: 'answers the Distribution API' }).waitFor();
    await table.getByRole('button', { name: 'Scan now' }).click();
    await page.getByRole('status').filter({ hasText: /2 repositories, 3 tags/ }).waitFor({ timeout: 30_000 });
    await shot('04-registries');
  });

  test('results per repository and tag fill in as the scans finish', async () => {
    await page.getByTestId('registries').getByRole('link', { name: 'local' }).click();
    await page.getByRole('heading', { name: 'local' }).waitFor();
    // (expect.poll, not waitForFunction: the console's CSP forbids evaluating strings.)
    await expect.poll(() => page.locator('[data-testid="registry-tags"] .state-scanned').count(), { timeout: 120_000, interval: 250 }).toBe(3);
    const rows = page.getByTestId('registry-tags').getByRole('row');
    const text = (await rows.allInnerTexts()).join('\n');
    expect(text).toMatch(/demo\/app\s+1/);
    expect(text).toMatch(/demo\/app\s+2/);
    expect(text).toMatch(/demo\/debian12\s+1/);
    expect(text).toContain('debian 12');
    // The filter box narrows the tags.
    await page.getByPlaceholder('Filter repository:tag or OS').fill('debian12');
    await page.getByText('2 repositories, 1 of 3 tags').waitFor();
    await shot('05-registry-results');
    await page.getByPlaceholder('Filter repository:tag or OS').fill('');
  });

  test('registry CSV and PDF hold the scanned tags', async () => {
    const csv = await downloadVia(page.getByRole('button', { name: 'CSV' }), 'registry-report.csv');
    const records = parseCsv(csv.bytes, { columns: true }) as Array<Record<string, string>>;
    expect(records.length).toBeGreaterThan(0);
    expect(new Set(records.map((r) => `${r.repository}:${r.tag}`))).toEqual(new Set(['demo/app:1', 'demo/app:2', 'demo/debian12:1']));
    expect(records.some((r) => r.vulnerability_id === 'CVE-2021-23369')).toBe(true);
    const pdf = await downloadVia(page.getByRole('button', { name: 'PDF' }), 'registry-report.pdf');
    expect(pdf.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const { items } = await pdfItems(pdf.bytes);
    const words = items.map((i) => i.str).join(' ');
    expect(words).toContain('CVE-2021-23369');
    expect(words).toContain('demo/app');
  });

  test("an image's findings, their details, and the layered view", async () => {
    await page.getByTestId('registry-tags').getByRole('row').filter({ hasText: 'demo/app' }).first().click();
    await page.getByRole('heading', { name: /demo\/app:[12]/ }).waitFor();
    const findings = page.getByTestId('image-findings');
    await findings.getByText('CVE-2021-23369').waitFor();
    await shot('06-image-vulnerabilities');
    // Keyboard: focus the first row, Enter opens the details, Escape closes them.
    await findings.getByRole('row').filter({ hasText: 'CVE-2021-23369' }).focus();
    await page.keyboard.press('Enter');
    const details = page.getByRole('dialog', { name: 'CVE-2021-23369' });
    await details.waitFor();
    await details.getByText(/Remote Code Execution/i).first().waitFor();
    await details.getByText('Upgrade handlebars to 4.7.7 or later.').waitFor();
    await shot('07-image-finding-details');
    await page.keyboard.press('Escape');
    await details.waitFor({ state: 'hidden' });

    await page.getByRole('tab', { name: /Layers/ }).click();
    const layers = page.getByRole('list', { name: 'Layers, base first' });
    await layers.waitFor();
    expect(await layers.getByRole('listitem').count()).toBeGreaterThanOrEqual(2);
    await layers.getByRole('button', { name: /COPY app/ }).click();
    await layers.getByText('CVE-2021-23369').waitFor();
    await shot('08-image-layers');
    expect(await cls()).toBeLessThan(0.1);
  });

  test('image CSV and PDF are exactly the filtered view', async () => {
    await page.getByRole('tab', { name: /Vulnerabilities/ }).click();
    await page.getByRole('combobox', { name: 'Severity' }).selectOption('critical');
    const findings = page.getByTestId('image-findings');
    await page.getByText('2 shown').waitFor();
    const onScreen = (await findings.getByRole('row').allInnerTexts()).slice(1).map((t) => t.split(/\s+/)[0]).sort();
    const csv = await downloadVia(page.getByRole('button', { name: 'CSV' }), 'image-critical.csv');
    expect(csv.name).toMatch(/\.csv$/);
    const records = parseCsv(csv.bytes, { columns: true }) as Array<Record<string, string>>;
    expect(records.map((r) => r.severity)).toEqual(['critical', 'critical']);
    expect(records.map((r) => r.vulnerability_id).sort()).toEqual(onScreen);
    const pdf = await downloadVia(page.getByRole('button', { name: 'PDF' }), 'image-critical.pdf');
    const words = (await pdfItems(pdf.bytes)).items.map((i) => i.str).join(' ');
    for (const id of onScreen) expect(words).toContain(id);
    expect(words).not.toContain('CVE-2020-8203');
  });

  test('the dashboard counts the scanned images without layout jumps', async () => {
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    const top = page.getByTestId('top-images');
    await top.getByText('demo/app:1').waitFor();
    await page.getByRole('figure', { name: /Vulnerabilities by severity/ }).getByText(/critical/i).waitFor();
    await shot('09-dashboard');
    // A fresh load: skeletons hold the place of the numbers and tables.
    await page.reload();
    await top.getByText('demo/app:1').waitFor();
    expect(await cls()).toBeLessThan(0.1);
  });

  test('settings: the DB status, users and API tokens', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    await page.getByText('current', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Update now' }).click();
    await page.getByRole('status').filter({ hasText: /\S/ }).first().waitFor();
    await page.getByTestId('users').getByText('admin').first().waitFor();
    await page.getByRole('button', { name: 'Create token' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create API token' });
    await dialog.getByLabel('Name').fill('ci-pipeline');
    await dialog.getByLabel('scan').check();
    await dialog.getByRole('button', { name: 'Create token' }).click();
    const token = await page.getByLabel('New API token').inputValue();
    expect(token.length).toBeGreaterThan(20);
    await shot('10-settings-token');
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByTestId('tokens').getByText('ci-pipeline').waitFor();
    // The token works against the API.
    const r = await fetch(`${server.url}/api/v1/registries`, { headers: { authorization: `Bearer ${token}` } });
    expect(r.status).toBe(200);
    await shot('11-settings');
  });

  test('sign out returns to the login page', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(pageErrors).toEqual([]);
  });
});
