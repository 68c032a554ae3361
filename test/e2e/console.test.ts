/**
 * The web console end to end, all real processes on 127.0.0.1 (`npm run build` first): a Debian
 * docker-registry with fixture images, `vigil server --http` serving the built console, and
 * headless Debian Chromium through playwright-core. A user signs in, adds the registry, tests it,
 * scans it, reads the results per tag and an image's layered view, and downloads the CSV and PDF
 * of exactly the filtered view. Then, with run-time assets registered through the API (as the
 * node agent will), the Security Risks view: filter by severity and namespace, open a CVE's
 * impact, change a group's policy mode and see the protection state follow. Every page is kept
 * as a screenshot in test-artifacts/console/. Every wait is bounded.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page, Route } from 'playwright-core';
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

async function apiToken(): Promise<string> {
  const r = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
  return ((await r.json()) as { token: string }).token;
}

async function put(token: string, url: string, body: unknown): Promise<void> {
  const r = await fetch(`${server.url}${url}`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (r.status >= 300) throw new Error(`PUT ${url}: ${r.status} ${await r.text()}`);
}

async function imageDigest(token: string, repository: string, tag: string): Promise<string> {
  const r = await fetch(`${server.url}/api/v1/images?limit=100`, { headers: { authorization: `Bearer ${token}` } });
  const { images } = (await r.json()) as { images: Array<{ digest: string; tags: Array<{ repository: string; tag: string }> }> };
  const hit = images.find((i) => i.tags.some((t) => t.repository === repository && t.tag === tag));
  if (!hit) throw new Error(`no scanned image ${repository}:${tag}`);
  return hit.digest;
}

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
    await page.getByText('DB age', { exact: true }).waitFor();
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

  test('edit the registry: a cron schedule', async () => {
    await page.getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit local' });
    await dialog.getByLabel('Cron', { exact: true }).check();
    await dialog.getByLabel(/^Cron \(/).fill('30 2 * * 1-5');
    await shot('05b-registry-edit');
    await dialog.getByLabel(/^Cron \(/).press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText('cron 30 2 * * 1-5').waitFor();
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

    // From an image's finding to the CVE across all assets.
    await findings.getByRole('row').filter({ hasText: 'CVE-2021-23369' }).click();
    await page.getByRole('dialog', { name: 'CVE-2021-23369' }).getByRole('link', { name: /impact across all assets/ }).click();
    await page.getByRole('heading', { name: 'Vulnerabilities' }).waitFor();
    expect(await page.getByPlaceholder('CVE, package or description').inputValue()).toBe('CVE-2021-23369');
    const risks = page.getByTestId('vulnerabilities');
    await expect.poll(async () => (await risks.getByRole('row').allInnerTexts()).slice(1).map((t) => t.split(/\s+/)[0]), { timeout: 10_000 }).toEqual(['CVE-2021-23369']);
  });

  test('the dashboard counts the scanned images without layout jumps', async () => {
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    const top = page.getByTestId('top-images');
    await top.getByText('demo/app:1').waitFor();
    await page.getByRole('figure', { name: 'Vulnerabilities by severity' }).getByText(/critical/i).waitFor();
    // Every card filled in (the counts come from a second request), so the screenshot shows the page as used.
    await page.getByText(/^(unique, )?[\d,]+ fixable$/).first().waitFor({ timeout: 10_000 });
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
    // Add a reader with the keyboard (the dialog opens on its first field), then make it ci.
    await page.getByRole('button', { name: 'Add user' }).click();
    const addUser = page.getByRole('dialog', { name: 'Add user' });
    await page.keyboard.type('auditor');
    await addUser.getByLabel(/Password/).fill('auditor-password-1');
    await addUser.getByLabel(/Password/).press('Enter');
    await addUser.waitFor({ state: 'hidden' });
    await page.getByLabel('Role of auditor').selectOption('ci');
    await expect.poll(async () => {
      const r = await fetch(`${server.url}/api/v1/users`, { headers: { authorization: `Bearer ${await apiToken()}` } });
      return ((await r.json()) as { users: Array<{ username: string; role: string }> }).users.find((u) => u.username === 'auditor')?.role;
    }, { timeout: 10_000 }).toBe('ci');
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

  test('run-time assets registered through the API appear under Assets', async () => {
    const token = await apiToken();
    const app1 = await imageDigest(token, 'demo/app', '1');
    const deb = await imageDigest(token, 'demo/debian12', '1');
    await put(token, '/api/v1/platforms/k8s-prod', { name: 'prod-cluster', type: 'kubernetes', version: '1.30.2' });
    await put(token, '/api/v1/nodes/node-a', { name: 'node-a', os: 'debian 12', kernel: '6.1.0-18-amd64', platform: 'k8s-prod' });
    // The node's own packages: the debian12 image's report stands in for `vigil scan host`.
    const hostReport = await fetch(`${server.url}/api/v1/images/${deb}/report`, { headers: { authorization: `Bearer ${token}` } });
    await put(token, '/api/v1/nodes/node-a/report', await hostReport.json());
    await put(token, '/api/v1/controllers/ctl-0', { name: 'vigil-controller-0', node: 'node-a', version: '0.1.0', leader: true });
    await put(token, '/api/v1/enforcers/enf-a', { name: 'vigil-enforcer-a', node: 'node-a', version: '0.1.0' });
    await put(token, '/api/v1/containers/web-1', { name: 'web-1', namespace: 'prod', service: 'web', image: `${reg.host}/demo/app:1`, imageDigest: app1, node: 'node-a' });
    await put(token, '/api/v1/containers/worker-1', { name: 'worker-1', namespace: 'dev', service: 'worker', image: `${reg.host}/demo/debian12:1`, imageDigest: deb, node: 'node-a' });
    await put(token, '/api/v1/containers/web-1/compliance', {
      schemaVersion: 1,
      benchmark: 'cis-docker-1.6.0',
      results: [
        { id: '4.1', title: 'Ensure that a user for the container has been created', level: 'WARN', type: 'container', profile: 'Level 1', scored: true, evidence: ['runs as root'], remediation: 'Add a USER instruction.', tags: ['PCI'] },
        { id: '5.10', title: 'Ensure that the memory usage for containers is limited', level: 'PASS', type: 'container', profile: 'Level 1', scored: true, evidence: [], remediation: 'Set --memory.', tags: [] },
      ],
    });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByLabel('Password').press('Enter');
    // Signing in again returns to the page one was on.
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByTestId('top-workloads').getByText('web-1').waitFor();
    await shot('12-dashboard-workloads');
    for (const [nav, testId, text, name] of [
      ['Platforms', 'assets-platforms', 'prod-cluster', '13-platforms'],
      ['Nodes', 'assets-nodes', '1 high', '14-nodes'],
      ['Containers', 'assets-containers', 'worker-1', '15-containers'],
      ['Controllers', 'assets-controllers', 'vigil-controller-0', '16-controllers'],
      ['Enforcers', 'assets-enforcers', 'vigil-enforcer-a', '17-enforcers'],
    ] as const) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: nav, exact: true }).click();
      await page.getByTestId(testId).getByText(text).waitFor();
      await shot(name);
    }
    await page.getByRole('link', { name: 'Controllers' }).click();
    await page.getByTestId('assets-controllers').getByText('leader').waitFor();
  });

  test('vulnerabilities: filter by severity and namespace; CSV and PDF are the filtered view', async () => {
    await page.getByRole('link', { name: 'Vulnerabilities' }).click();
    const table = page.getByTestId('vulnerabilities');
    await table.getByText('CVE-2021-23369').waitFor();
    // A fresh load of the page: the counts and rows fill in without moving anything.
    await page.reload();
    await table.getByText('CVE-2021-23369').waitFor();
    await page.getByText(/\d+ vulnerabilities/).waitFor();
    expect(await cls()).toBeLessThan(0.1);
    await shot('18-vulnerabilities');
    const ids = async (): Promise<string[]> => (await table.getByRole('row').allInnerTexts()).slice(1).map((t) => t.split(/\s+/)[0]!);

    // Severity through the advanced filter (keyboard: Enter applies).
    await page.getByRole('button', { name: /Advanced filter/ }).click();
    const panel = page.getByRole('dialog', { name: 'Advanced filter' });
    await panel.getByLabel('critical').check();
    await panel.getByLabel('high').check();
    await shot('19-vulnerabilities-advanced-filter');
    await panel.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('severity: critical, high').waitFor();
    await expect.poll(async () => (await table.getByRole('row').allInnerTexts()).slice(1).every((t) => /Critical|High/i.test(t)), { timeout: 10_000 }).toBe(true);
    expect(await ids()).toContain('CVE-2021-23369');

    // Namespace dev: only what the worker's image (debian12) carries.
    await page.getByRole('button', { name: /Advanced filter/ }).click();
    await panel.getByLabel('Namespace', { exact: true }).fill('dev');
    await panel.getByLabel('Namespace', { exact: true }).press('Enter');
    await page.getByText('namespace = dev').waitFor();
    // (Skeleton rows hold the place while the filtered page loads: wait for the real one.)
    await expect.poll(ids, { timeout: 10_000 }).toEqual(['CVE-2026-103111']);
    const devIds = await ids();
    await shot('20-vulnerabilities-filtered');

    const csv = await downloadVia(page.getByRole('button', { name: 'CSV' }), 'vulnerabilities-dev-critical-high.csv');
    const records = parseCsv(csv.bytes, { columns: true }) as Array<Record<string, string>>;
    const idCol = Object.keys(records[0] ?? {}).find((k) => /^(id|vulnerability|vulnerability_id)$/i.test(k))!;
    expect(records.map((r) => r[idCol])).toEqual(devIds);
    const pdf = await downloadVia(page.getByRole('button', { name: 'PDF' }), 'vulnerabilities-dev-critical-high.pdf');
    const words = (await pdfItems(pdf.bytes)).items.map((i) => i.str).join(' ');
    expect(words).toContain('CVE-2026-103111');
    expect(words).not.toContain('CVE-2021-23369');

    // Chips remove their filter.
    await page.getByRole('button', { name: 'Remove filter namespace = dev' }).click();
    await table.getByText('CVE-2021-23369').waitFor();
  });

  test("a CVE's impact, and a group's policy mode moves its protection state", async () => {
    const table = page.getByTestId('vulnerabilities');
    const row = table.getByRole('row').filter({ hasText: 'CVE-2021-23369' });
    await expect.poll(() => row.locator('[data-protection]').getAttribute('data-protection'), { timeout: 10_000 }).toBe('unprotected');
    await row.click();
    const details = page.getByRole('dialog', { name: 'CVE-2021-23369' });
    await details.getByRole('tab', { name: 'Containers (1)' }).click();
    const web = details.getByRole('row').filter({ hasText: 'web-1' });
    await web.waitFor();
    expect(await web.getAttribute('data-mode')).toBe('discover');
    await details.getByText(/Upgrade handlebars to 4\.7\.7/).waitFor();
    await shot('21-vulnerability-impact');
    await page.keyboard.press('Escape');
    await details.waitFor({ state: 'hidden' });

    await page.getByRole('link', { name: 'Groups' }).click();
    const mode = page.getByLabel('Policy mode of nv.web.prod');
    await mode.waitFor();
    await mode.selectOption('protect');
    await expect.poll(() => mode.inputValue(), { timeout: 10_000 }).toBe('protect');
    await shot('22-groups');

    await page.getByRole('link', { name: 'Vulnerabilities' }).click();
    await expect.poll(() => row.locator('[data-protection]').getAttribute('data-protection'), { timeout: 10_000 }).toBe('protected');
    await row.click();
    await details.getByRole('tab', { name: 'Containers (1)' }).click();
    await expect.poll(() => web.getAttribute('data-mode'), { timeout: 10_000 }).toBe('protect');
    await shot('23-vulnerability-impact-protected');
    await page.keyboard.press('Escape');
  });

  test("an asset's row opens its vulnerabilities; the filters live in the address", async () => {
    await page.getByRole('link', { name: 'Containers' }).click();
    await page.getByTestId('assets-containers').getByRole('row').filter({ hasText: 'worker-1' }).click();
    await page.getByText('container = worker-1').waitFor();
    const table = page.getByTestId('vulnerabilities');
    const ids = async (): Promise<string[]> => (await table.getByRole('row').allInnerTexts()).slice(1).map((t) => t.split(/\s+/)[0]!);
    await expect.poll(ids, { timeout: 10_000 }).toContain('CVE-2026-103111');
    expect(await ids()).not.toContain('CVE-2021-23369');
    expect(new URL(page.url()).searchParams.get('container')).toBe('worker-1');
    await page.reload();
    await page.getByText('container = worker-1').waitFor();
    await expect.poll(ids, { timeout: 10_000 }).toContain('CVE-2026-103111');
    await page.getByRole('button', { name: 'Remove filter container = worker-1' }).click();
    await table.getByText('CVE-2021-23369').waitFor();
    expect(new URL(page.url()).searchParams.get('container')).toBeNull();
  });

  test('accept a vulnerability: marked, filterable, exported as OpenVEX', async () => {
    const table = page.getByTestId('vulnerabilities');
    await table.getByRole('row').filter({ hasText: 'CVE-2021-44906' }).click();
    const details = page.getByRole('dialog', { name: 'CVE-2021-44906' });
    await details.getByRole('button', { name: 'Accept this risk…' }).click();
    const form = details.getByRole('form', { name: 'Accept CVE-2021-44906' });
    await form.getByLabel('Comment').fill('minimist is only used at build time');
    await form.getByLabel('Comment').press('Enter');
    await details.getByText('minimist is only used at build time').waitFor();
    await shot('24a-vulnerability-accepted');
    await page.keyboard.press('Escape');
    await table.getByRole('row').filter({ hasText: 'CVE-2021-44906' }).getByText('accepted').waitFor();

    await page.getByRole('button', { name: /Advanced filter/ }).click();
    const panel = page.getByRole('dialog', { name: 'Advanced filter' });
    await panel.getByLabel('Accepted').selectOption('true');
    await panel.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(async () => (await table.getByRole('row').allInnerTexts()).slice(1).map((t) => t.split(/\s+/)[0]), { timeout: 10_000 }).toEqual(['CVE-2021-44906']);
    await page.getByRole('button', { name: 'Remove filter accepted' }).click();

    const vex = await downloadVia(page.getByRole('button', { name: 'OpenVEX' }), 'accepted.openvex.json');
    const doc = JSON.parse(vex.bytes.toString()) as { '@context': string; statements: Array<{ vulnerability: { name: string } }> };
    expect(doc['@context']).toMatch(/openvex/);
    expect(doc.statements.map((s) => s.vulnerability.name)).toContain('CVE-2021-44906');
  });

  test('compliance: failing checks and the assets they fail on', async () => {
    await page.getByRole('link', { name: 'Compliance' }).click();
    const table = page.getByTestId('compliance');
    await table.getByText('Ensure that a user for the container has been created').waitFor();
    expect(await table.getByText('Ensure that the memory usage').count()).toBe(0);
    // (Every scanned image has its own I.4.x checks too: pick the container check by its whole id.)
    await table.getByRole('row', { name: /^4\.1 / }).click();
    const details = page.getByRole('dialog', { name: /4\.1/ });
    await details.getByText('runs as root').waitFor();
    await details.getByText('Add a USER instruction.').waitFor();
    await shot('24-compliance-details');
    await page.keyboard.press('Escape');
    await shot('25-compliance');

    // The exports carry the on-screen filter: the server builds both files.
    await page.getByPlaceholder('Filter by check id or title').fill('that a user for the container');
    await expect.poll(() => page.url(), { timeout: 10_000 }).toMatch(/q=that/);
    await expect.poll(async () => (await table.getByRole('row').allInnerTexts()).length, { timeout: 10_000 }).toBe(2);
    const csv = await downloadVia(page.getByRole('button', { name: 'CSV' }), 'compliance-user.csv');
    expect(csv.name).toMatch(/^vigil-report-security-risks-compliance-\d{8}\.csv$/);
    const records = parseCsv(csv.bytes, { columns: true }) as Array<Record<string, string>>;
    expect(records.map((r) => [r.benchmark, r.check_id, r.containers, r.tags, r.remediation])).toEqual([['cis-docker-1.6.0', '4.1', '1', 'PCI', 'Add a USER instruction.']]);
    const pdf = await downloadVia(page.getByRole('button', { name: 'PDF' }), 'compliance-user.pdf');
    expect(pdf.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const words = (await pdfItems(pdf.bytes)).items.map((i) => i.str);
    expect(words.join(' ')).toMatch(/text contains "that a user for the container"/);
    expect(words).toContain('4.1');
    expect(words).not.toContain('5.10');
    expect(words).not.toContain('I.4.1');
  });

  test('the vulnerabilities table stays fast with 50,000 rows', async () => {
    // The server's answers are synthesized here: what is under test is the table (only the rows
    // in view are in the DOM, pages load as they scroll into view), not the server's SQL.
    const TOTAL = 50_000;
    const asked: number[] = [];
    const handler = async (route: Route): Promise<void> => {
      const u = new URL(route.request().url());
      const offset = Number(u.searchParams.get('offset') ?? 0);
      const limit = Number(u.searchParams.get('limit') ?? 50);
      asked.push(offset);
      const rows = Array.from({ length: Math.max(0, Math.min(limit, TOTAL - offset)) }, (_, k) => {
        const i = offset + k;
        return {
          id: `CVE-2099-${String(i).padStart(6, '0')}`,
          severity: (['critical', 'high', 'medium', 'low'] as const)[i % 4],
          score: 9.9 - (i % 90) / 10,
          cvss2: null,
          cvss3: 9.9 - (i % 90) / 10,
          published: '2025-01-01T00:00:00Z',
          fixAvailable: i % 2 === 0,
          kev: i % 97 === 0,
          epss: null,
          title: null,
          description: null,
          link: null,
          aliases: [],
          packages: ['pkg'],
          impact: { images: 1, nodes: 0, containers: i % 3, platforms: 0 },
          protection: { unaffected: i % 3 === 0 ? 1 : 0, protected: i % 3 === 1 ? 1 : 0, unprotected: i % 3 === 2 ? 2 : 0, state: 'none' },
          accepted: null,
        };
      });
      await route.fulfill({ json: { total: TOTAL, offset, limit, bySeverity: { critical: 12_500, high: 12_500, medium: 12_500, low: 12_500 }, rows } });
    };
    const isList = (url: URL): boolean => url.pathname === '/api/v1/risks/vulnerabilities';
    await page.route(isList, handler);
    try {
      await page.getByRole('link', { name: 'Dashboard' }).click();
      await page.getByRole('link', { name: 'Vulnerabilities' }).click();
      const table = page.getByTestId('vulnerabilities');
      await table.getByText('CVE-2099-000000').waitFor();
      await page.getByText('50,000 vulnerabilities').waitFor();
      expect(await cls()).toBeLessThan(0.1);
      // Only the rows in view (plus overscan) exist.
      expect(await table.getByRole('row').count()).toBeLessThan(60);
      const started = Date.now();
      await table.getByRole('row').filter({ hasText: 'CVE-2099-000000' }).focus();
      await page.keyboard.press('End');
      await table.getByText('CVE-2099-049999').waitFor({ timeout: 10_000 });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(await table.getByRole('row').count()).toBeLessThan(60);
      // The first page and the last one, not the 248 between.
      expect(asked.length).toBeLessThan(6);
      expect(asked).toContain(TOTAL - (TOTAL % 200 || 200));
      await shot('26-vulnerabilities-50000-rows');
    } finally {
      await page.unroute(isList, handler);
    }
  });

  test('keyboard: a skip link first, then visible focus', async () => {
    await page.getByRole('link', { name: 'Registries' }).click();
    await page.getByRole('heading', { name: 'Registries' }).waitFor();
    await page.locator('body').focus();
    await page.reload();
    await page.getByRole('heading', { name: 'Registries' }).waitFor();
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to content' });
    expect(await skip.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    expect(await skip.isVisible()).toBe(true);
    await page.keyboard.press('Tab');
    await shot('27-keyboard-focus');
    // The focused link has a visible outline.
    const outline = await page.evaluate(`getComputedStyle(document.activeElement).outlineStyle`);
    expect(outline).not.toBe('none');
  });

  test('sign out returns to the login page', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(pageErrors).toEqual([]);
  });
});
