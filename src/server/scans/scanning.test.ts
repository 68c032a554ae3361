/**
 * The scan pipeline against a real Debian docker-registry holding several repositories and
 * tags (the fixture images under several names), on SQLite and PostgreSQL: crawl → queue →
 * worker threads → stored inventories and results; unchanged re-crawls queue nothing; a new
 * vulnerability DB re-matches without pulling; failures end as clear events.
 */
import { copyFileSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { usePostgres } from '../../../test/helpers/postgres.js';
import { SHARED_DIR, startRegistry, type StartedRegistry } from '../../../test/helpers/registry.js';
import { buildVulnDb } from '../../vulndb/build.js';
import { PASSWORDS, bearer, testApp, type TestApp } from '../test-helpers.js';
import { until } from '../../../test/helpers/until.js';

const pg = usePostgres();
let reg: StartedRegistry;
let dir: string;
/** A DB from the Debian tracker only: matching the same inventories against it loses the OSV findings. */
let debianOnlyDb: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-scanning-'));
  reg = await startRegistry();
  await reg.push('app', 'demo/app:1');
  await reg.push('app', 'demo/app:2'); // same digest: must be scanned once
  await reg.push('debian12', 'demo/base:12');
  await reg.push('distroless', 'other/dl:latest'); // outside the filter
  debianOnlyDb = join(dir, 'debian-only.db');
  await buildVulnDb({ out: debianOnlyDb, inputs: [join(SHARED_DIR, 'vulndata/debian')] });
}, 180_000);
afterAll(async () => {
  await reg?.stop();
  rmSync(dir, { recursive: true, force: true });
});


describe.each(pg.backends)('%s', (_backend, database) => {
  let t: TestApp;
  let admin: string;
  let dbPath: string;

  beforeEach(async () => {
    // Each app gets its own copy of the test DB: the update test replaces it.
    dbPath = join(mkdtempSync(join(dir, 'db-')), 'vigil.db');
    copyFileSync(process.env.VIGIL_DB!, dbPath);
    t = await testApp(await database(), { vulnDbPath: dbPath, scan: { workers: 2, pollMs: 100, retryBaseMs: 50, maxAttempts: 2, dbPollMs: 200 } });
    await t.app.scans.start();
    admin = await t.login('admin', PASSWORDS.admin);
  });
  afterEach(async () => {
    await t.close();
  });

  const api = async (method: 'GET' | 'POST' | 'DELETE' | 'PATCH', url: string, payload?: unknown, token = admin) => {
    const r = await t.app.inject({ method, url, headers: bearer(token), ...(payload === undefined ? {} : { payload: payload as object }) });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
    return { status: r.statusCode, body: (r.body ? r.json() : {}) as Record<string, any> };
  };
  const idle = () => until('the queue to drain', async () => {
    const r = await api('GET', '/api/v1/scans?status=queued&status=running');
    return (r.body.jobs as unknown[]).length === 0;
  });

  async function addRegistry(extra: Record<string, unknown> = {}): Promise<string> {
    const r = await api('POST', '/api/v1/registries', { name: 'local', type: 'docker-v2', url: reg.url, filters: ['demo/*'], ...extra });
    expect(r.status).toBe(201);
    return r.body.id as string;
  }

  test('crawl, scan each new digest once, results per repository and tag, layered view; a second crawl queues nothing', async () => {
    const id = await addRegistry();
    const first = await api('POST', `/api/v1/registries/${id}/scan`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ repositories: 2, tags: 3, queued: 2, changed: 0, removed: 0, errors: [] });
    await idle();

    const jobs = (await api('GET', `/api/v1/scans?registryId=${id}`)).body.jobs as Array<{ status: string; digest: string; attempts: number }>;
    expect(jobs).toHaveLength(2);
    expect(jobs.every((j) => j.status === 'done' && j.attempts === 1)).toBe(true);

    const tags = (await api('GET', `/api/v1/registries/${id}/repositories`)).body;
    expect(tags.total).toBe(3);
    const byTag = Object.fromEntries((tags.tags as Array<{ repository: string; tag: string; digest: string; state: string; summary: Record<string, number> | null; packages: number }>).map((x) => [`${x.repository}:${x.tag}`, x]));
    expect(Object.keys(byTag).sort()).toEqual(['demo/app:1', 'demo/app:2', 'demo/base:12']);
    expect(byTag['demo/app:1']!.digest).toBe(byTag['demo/app:2']!.digest);
    for (const x of Object.values(byTag)) {
      expect(x.state).toBe('scanned');
      expect(x.summary).not.toBeNull();
    }
    expect(byTag['demo/base:12']!.packages).toBe(88);

    // The stored report has the same findings as the golden report of a local scan of the fixture.
    const appDigest = byTag['demo/app:1']!.digest;
    const report = (await api('GET', `/api/v1/images/${appDigest}/report`)).body;
    const golden = JSON.parse(readFileSync(join(import.meta.dirname, '../../../test/e2e/__golden__/app.json'), 'utf8')) as { vulnerabilities: Array<{ id: string; package: { name: string } }> };
    const key = (v: { id: string; package: { name: string } }) => `${v.id} ${v.package.name}`;
    expect((report.vulnerabilities as typeof golden.vulnerabilities).map(key).sort()).toEqual(golden.vulnerabilities.map(key).sort());
    expect(report.packages.length).toBe(158);

    const image = (await api('GET', `/api/v1/images/${appDigest}`)).body;
    expect(image.tags.map((x: { tag: string }) => x.tag).sort()).toEqual(['1', '2']);
    expect(image.summary.total).toBe(report.vulnerabilities.length);

    const layered = (await api('GET', `/api/v1/images/${appDigest}/layers`)).body;
    expect(layered.layers).toHaveLength(4);
    expect(layered.layers[1].packages.some((p: { name: string }) => p.name === 'lodash')).toBe(true);
    expect(layered.layers.reduce((n: number, l: { vulnerabilities: unknown[] }) => n + l.vulnerabilities.length, 0)).toBe(report.vulnerabilities.length);

    // CSV and PDF downloads hold only the filtered rows.
    const high = (report.vulnerabilities as Array<{ id: string; severity: string }>).filter((v) => v.severity === 'high' || v.severity === 'critical');
    const csv = await t.app.inject({ method: 'GET', url: `/api/v1/images/${appDigest}/report.csv?severity=high,critical`, headers: bearer(admin) });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const rows = parse(csv.body, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => r.vulnerability_id).sort()).toEqual(high.map((v) => v.id).sort());
    const regCsv = await t.app.inject({ method: 'GET', url: `/api/v1/registries/${id}/report.csv?severity=critical&repository=demo/app`, headers: bearer(admin) });
    const regRows = parse(regCsv.body, { columns: true }) as unknown[];
    // Two tags of the same image: each tag's rows.
    expect(regRows).toHaveLength(2 * high.filter((v) => v.severity === 'critical').length);
    const pdf = await t.app.inject({ method: 'GET', url: `/api/v1/registries/${id}/report.pdf`, headers: bearer(admin) });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const bad = await t.app.inject({ method: 'GET', url: `/api/v1/images/${appDigest}/report.csv?severty=high`, headers: bearer(admin) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/unknown report filter 'severty'/);

    // The image checks ran in the same pass: the images run as root and have no HEALTHCHECK.
    const compliance = (await api('GET', '/api/v1/risks/compliance?benchmark=vigil-image-1')).body.rows as Array<{ id: string; impact: { images: number } }>;
    const byId = Object.fromEntries(compliance.map((r) => [r.id, r.impact.images]));
    expect(byId['I.4.1']).toBe(2);
    expect(byId['I.4.6']).toBe(2);

    const finished = (await api('GET', '/api/v1/events?action=scan.finished')).body.events as unknown[];
    expect(finished).toHaveLength(2);

    // Nothing changed: no job, every tag still known.
    const again = await api('POST', `/api/v1/registries/${id}/scan`);
    expect(again.body).toMatchObject({ tags: 3, queued: 0, changed: 0, removed: 0 });
    expect((await api('GET', `/api/v1/scans?registryId=${id}`)).body.jobs).toHaveLength(2);

    // A tag moved to an image already scanned elsewhere: recorded, not pulled again.
    await reg.push('debian12', 'demo/app:2');
    const moved = await api('POST', `/api/v1/registries/${id}/scan`);
    expect(moved.body).toMatchObject({ tags: 3, queued: 0, changed: 1 });
    const after = (await api('GET', `/api/v1/registries/${id}/repositories?repository=demo/app`)).body.tags as Array<{ tag: string; digest: string }>;
    expect(after.find((x) => x.tag === '2')!.digest).toBe(byTag['demo/base:12']!.digest);
    await reg.push('app', 'demo/app:2');

    const reg1 = (await api('GET', `/api/v1/registries/${id}`)).body;
    expect(reg1.lastCrawl.status).toBe('ok');
  }, 120_000);

  test('a new vulnerability DB re-matches every stored inventory without pulling, and records what changed', async () => {
    const id = await addRegistry({ filters: ['demo/base:*', 'demo/app:1'], rescanAfterDbUpdate: true });
    await api('POST', `/api/v1/registries/${id}/scan`);
    await idle();
    const requestsBefore = (await api('GET', '/api/v1/scans')).body.jobs.length;

    const body = readFileSync(debianOnlyDb);
    const up = await t.app.inject({ method: 'POST', url: '/api/v1/db/update', headers: { ...bearer(admin), 'content-type': 'application/octet-stream' }, payload: body });
    expect(up.statusCode, up.body).toBe(200);
    expect(up.json()).toMatchObject({ changed: true, rematched: 2 });
    expect((await api('GET', '/api/v1/scans')).body.jobs.length).toBe(requestsBefore);

    const changed = (await api('GET', '/api/v1/events?action=findings.changed')).body.events as Array<{ detail: { lost: string[]; gained: string[]; tags: string[] } }>;
    // The app image loses its language-package findings (OSV is not in the new DB).
    const app = changed.find((e) => e.detail.tags.includes('demo/app:1'))!;
    expect(app.detail.lost.some((k) => k.includes('lodash@'))).toBe(true);
    expect((await api('GET', '/api/v1/events?action=db.updated')).body.events).toHaveLength(1);
    // "Rescan after DB update": a crawl of that registry follows by itself.
    await until('the crawl after the DB update', async () => (await api('GET', '/api/v1/events?action=crawl.finished')).body.events.length === 2);

    const status = (await api('GET', '/api/v1/db')).body;
    expect(status).toMatchObject({ installed: true, images: 2 });
    const names = () => status.sources.map((s: { name: string }) => s.name).sort();
    expect(names().every((n: string) => n.startsWith('debian'))).toBe(true);

    // JSON is not a DB: the message says how to send one.
    const json = await api('POST', '/api/v1/db/update', { mirror: 'https://example.com' });
    expect(json.status).toBe(400);
    expect(json.body.message).toMatch(/application\/octet-stream/);
    // Garbage is refused and the installed DB stays.
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/db/update', headers: { ...bearer(admin), 'content-type': 'application/octet-stream' }, payload: Buffer.from('not a database') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/not a usable Vigil vulnerability DB/);
    expect((await api('GET', '/api/v1/db')).body.sources.map((s: { name: string }) => s.name).sort()).toEqual(names());
  }, 120_000);

  test('`vigil db import` next to the running server: the new file is noticed and everything re-matched', async () => {
    const id = await addRegistry({ filters: ['demo/base:*'] });
    await api('POST', `/api/v1/registries/${id}/scan`);
    await idle();
    const before = (await api('GET', '/api/v1/db')).body.builtAt as string;
    // What `vigil db import` does: a copy next to the DB, renamed over it.
    const tmp = join(dir, `import-${Date.now()}.db`);
    await buildVulnDb({ out: tmp, inputs: [join(SHARED_DIR, 'vulndata/debian')] });
    copyFileSync(tmp, dbPath + '.tmp');
    renameSync(dbPath + '.tmp', dbPath);
    const ev = await until('db.updated', async () => (await api('GET', '/api/v1/events?action=db.updated')).body.events[0]);
    expect(ev.detail).toMatchObject({ trigger: 'file', rematched: 1 });
    expect((await api('GET', '/api/v1/db')).body.builtAt).not.toBe(before);
  }, 120_000);

  test('jobs without a registry limit never claim more than the workers can run: all finish on the first attempt', async () => {
    await addRegistry();
    const refs = ['demo/app:1', 'demo/base:12', 'other/dl:latest'];
    for (const r of refs) await t.app.scans.queue.enqueue({ source: 'api', reference: `${reg.host}/${r}` });
    for (let i = 0; i < 5; i++) t.app.scans.kick();
    await idle();
    const jobs = (await api('GET', '/api/v1/scans')).body.jobs as Array<{ status: string; attempts: number }>;
    expect(jobs.map((j) => [j.status, j.attempts])).toEqual(refs.map(() => ['done', 1]));
  }, 120_000);

  test('a missing image fails with one clear event; cancelling a queued job; bad input and roles', async () => {
    const id = await addRegistry({ filters: ['demo/nothing-here:1'] });
    const crawl = await api('POST', `/api/v1/registries/${id}/scan`);
    expect(crawl.body.tags).toBe(0);
    expect(crawl.body.errors.join()).toMatch(/demo\/nothing-here/);

    // A job for a digest the registry does not have: 404 is final, no retry.
    const { job } = await t.app.scans.queue.enqueue({ source: 'api', registryId: id, reference: `${reg.host}/demo/app@sha256:${'0'.repeat(64)}`, digest: `sha256:${'0'.repeat(64)}` });
    t.app.scans.kick();
    const failed = await until('the job to fail', async () => {
      const j = (await api('GET', `/api/v1/scans/${job.id}`)).body;
      return j.status === 'failed' ? j : undefined;
    });
    expect(failed.attempts).toBe(1);
    expect(failed.error).toMatch(/not found/);
    const ev = (await api('GET', '/api/v1/events?action=scan.failed')).body.events as Array<{ detail: { error: string } }>;
    expect(ev).toHaveLength(1);

    const q = await t.app.scans.queue.enqueue({ source: 'api', reference: `${reg.host}/demo/app:1`, maxAttempts: 1 });
    // Hold it back so the dispatcher cannot take it before the cancel.
    await t.app.store.db.updateTable('scan_jobs').set({ not_before: '2999-01-01T00:00:00.000Z' }).where('id', '=', q.job.id).execute();
    const c = await api('DELETE', `/api/v1/scans/${q.job.id}`);
    expect(c.status).toBe(200);
    expect(c.body.status).toBe('cancelled');
    expect((await api('DELETE', `/api/v1/scans/${q.job.id}`)).status).toBe(409);

    expect((await api('GET', '/api/v1/scans/nope')).status).toBe(404);
    expect((await api('GET', '/api/v1/images/sha256:zz')).status).toBe(400);
    expect((await api('GET', `/api/v1/images/sha256:${'1'.repeat(64)}`)).status).toBe(404);
    expect((await api('GET', '/api/v1/scans?status=bogus')).status).toBe(400);
    expect((await api('POST', '/api/v1/registries/nope/scan')).status).toBe(404);

    const reader = await t.login('reader', PASSWORDS.reader);
    const ci = await t.login('ci', PASSWORDS.ci);
    expect((await api('POST', `/api/v1/registries/${id}/scan`, undefined, reader)).status).toBe(403);
    expect((await api('POST', `/api/v1/registries/${id}/scan`, undefined, ci)).status).toBe(200);
    expect((await api('POST', '/api/v1/db/update', {}, ci)).status).toBe(403);
    expect((await api('GET', '/api/v1/scans', undefined, reader)).status).toBe(200);
    expect((await api('DELETE', `/api/v1/scans/${job.id}`, undefined, reader)).status).toBe(403);
  }, 120_000);
});
