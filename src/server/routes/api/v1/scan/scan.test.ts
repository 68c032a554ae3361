/**
 * POST /api/v1/scan/repository against a real Debian docker-registry (plain HTTP on loopback),
 * through app.inject: who may call it, the report and verdict, the stored-inventory shortcut,
 * and every refusal as a 4xx/5xx with a message (never a 500). The worker threads load from
 * dist/, so `npm run build` first.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { freePort } from '../../../../../../test/helpers/net.js';
import { startRegistry, type StartedRegistry } from '../../../../../../test/helpers/registry.js';
import { PASSWORDS, bearer, testApp, type TestApp } from '../../../../test-helpers.js';

type Finding = { id: string; severity: string; package: { name: string } };
type Answer = { job: { id: string; status: string; source: string; requestedBy: string | null }; digest: string; cached: boolean; verdict: { pass: boolean; reasons: string[] }; report: { schemaVersion: number; artifact: { name: string; digest: string; repoTags?: string[] }; packages: unknown[]; vulnerabilities: Finding[]; summary: Record<string, number> } };

const GOLDEN = JSON.parse(readFileSync(join(import.meta.dirname, '../../../../../../test/e2e/__golden__/app.json'), 'utf8')) as { vulnerabilities: Finding[]; summary: Record<string, number> };
const key = (v: Finding) => `${v.id} ${v.package.name}`;

let reg: StartedRegistry;
let locked: StartedRegistry;
beforeAll(async () => {
  [reg, locked] = await Promise.all([startRegistry(), startRegistry({ auth: 'basic' })]);
  await Promise.all([reg.push('app', 'demo/app:1'), locked.push('app', 'demo/app:1')]);
}, 180_000);
afterAll(async () => {
  await Promise.all([reg?.stop(), locked?.stop()]);
});

describe('POST /api/v1/scan/repository', () => {
  let t: TestApp;
  let admin: string;
  let ci: string;
  let reader: string;
  beforeEach(async () => {
    t = await testApp(':memory:', { scan: { workers: 1, pollMs: 100, retryBaseMs: 50, maxAttempts: 1 } });
    await t.app.scans.start();
    [admin, ci, reader] = await Promise.all([t.login('admin', PASSWORDS.admin), t.login('ci', PASSWORDS.ci), t.login('reader', PASSWORDS.reader)]);
    const r = await post('/api/v1/registries', { name: 'local', type: 'docker-v2', url: reg.url }, admin);
    expect(r.statusCode, r.body).toBe(201);
  });
  afterEach(async () => {
    await t.close();
  });

  function post(url: string, payload: unknown, token?: string) {
    return t.app.inject({ method: 'POST', url, headers: token ? bearer(token) : {}, payload: payload as object });
  }
  const scan = (payload: unknown, token = ci) => post('/api/v1/scan/repository', payload, token);

  test('a ci user scans a tag: the report has the findings of a local scan, the verdict follows the policy; the next call reuses the stored inventory', async () => {
    const image = `${reg.host}/demo/app:1`;
    const first = await scan({ image, policy: { failOn: 'critical' } });
    expect(first.statusCode, first.body).toBe(200);
    const a = first.json() as Answer;
    expect(a.cached).toBe(false);
    expect(a.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(a.job).toMatchObject({ status: 'done', source: 'ci', requestedBy: 'ci' });
    expect(a.report.schemaVersion).toBe(1);
    expect(a.report.artifact).toMatchObject({ name: image, digest: a.digest, repoTags: [image] });
    expect(a.report.vulnerabilities.map(key).sort()).toEqual(GOLDEN.vulnerabilities.map(key).sort());
    expect(a.report.summary).toEqual(GOLDEN.summary);
    expect(a.report.packages.length).toBeGreaterThan(100);
    expect(a.verdict.pass).toBe(false);
    expect(a.verdict.reasons).toEqual([expect.stringMatching(/^2 findings of severity critical: CVE-/)]);

    const again = await scan({ image, policy: { maxCounts: { critical: 2 }, denyIds: ['CVE-1999-0001'] } });
    expect(again.statusCode, again.body).toBe(200);
    const b = again.json() as Answer;
    expect(b).toMatchObject({ cached: true, digest: a.digest, verdict: { pass: true, reasons: [] } });
    expect(b.job.id).not.toBe(a.job.id);
    expect(b.report.vulnerabilities.map(key).sort()).toEqual(a.report.vulnerabilities.map(key).sort());

    // by digest, and with force: pulled again
    const forced = await scan({ image: `${reg.host}/demo/app@${a.digest}`, force: true, policy: { denyIds: [a.report.vulnerabilities[0]!.id] } });
    expect(forced.statusCode, forced.body).toBe(200);
    expect(forced.json()).toMatchObject({ cached: false, digest: a.digest, verdict: { pass: false } });
    expect((forced.json() as Answer).report.artifact.name).toBe(`${reg.host}/demo/app@${a.digest}`);

    // wait: false → 202 with the queued job; the job then finishes on its own.
    const queued = await scan({ image: `${reg.host}/demo/app@${a.digest}`, force: true, wait: false });
    expect(queued.statusCode, queued.body).toBe(202);
    const q = queued.json() as { job: { id: string; status: string }; digest: string };
    expect(q).toMatchObject({ digest: a.digest, job: { status: 'queued' } });
    const end = Date.now() + 60_000;
    let status = '';
    while (Date.now() < end && status !== 'done') {
      status = ((await t.app.inject({ method: 'GET', url: `/api/v1/scans/${q.job.id}`, headers: bearer(admin) })).json() as { status: string }).status;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe('done');
  });

  test('no policy: the verdict passes; an admin may call it too', async () => {
    const r = await scan({ image: `${reg.host}/demo/app:1` }, admin);
    expect(r.statusCode, r.body).toBe(200);
    expect((r.json() as Answer).verdict).toEqual({ pass: true, reasons: [] });
  });

  test('a reader may not (403), nor anyone without a token (401)', async () => {
    const r = await scan({ image: `${reg.host}/demo/app:1` }, reader);
    expect(r.statusCode).toBe(403);
    expect(r.json()).toMatchObject({ code: 'forbidden', message: expect.stringContaining('scan scope') });
    expect((await scan({ image: `${reg.host}/demo/app:1` }, '')).statusCode).toBe(401);
    expect((await post('/api/v1/scan/repository', { image: 'x' }, 'not-a-token')).statusCode).toBe(401);
  });

  test.each`
    what                           | body                                                          | message
    ${'no image'}                  | ${{}}                                                         | ${/image/}
    ${'an empty image'}            | ${{ image: '' }}                                              | ${/image/}
    ${'a huge image'}              | ${{ image: 'a'.repeat(5000) }}                                | ${/image/}
    ${'an unknown field'}          | ${{ image: 'debian:12', tag: 'x' }}                           | ${/additional/}
    ${'an invalid reference'}      | ${{ image: 'Demo/App::1' }}                                   | ${/invalid image reference/}
    ${'an OCI layout'}             | ${{ image: 'oci:/tmp/layout:app' }}                           | ${/not a registry reference/}
    ${'a docker archive'}          | ${{ image: 'docker-archive:x.tar' }}                          | ${/not a registry reference/}
    ${'a URL'}                     | ${{ image: 'https://registry.example.com/app:1' }}            | ${/not a registry reference/}
    ${'an unknown severity'}       | ${{ image: 'debian:12', policy: { failOn: 'severe' } }}       | ${/failOn/}
    ${'a negative count'}          | ${{ image: 'debian:12', policy: { maxCounts: { high: -1 } } }} | ${/maxCounts/}
    ${'a count for no severity'}   | ${{ image: 'debian:12', policy: { maxCounts: { bad: 1 } } }}  | ${/additional/}
    ${'an unknown policy field'}   | ${{ image: 'debian:12', policy: { failon: 'high' } }}         | ${/additional/}
    ${'an empty denied id'}        | ${{ image: 'debian:12', policy: { denyIds: [''] } }}          | ${/denyIds/}
  `('$what → 400 with a message', async ({ body, message }: { body: unknown; message: RegExp }) => {
    const r = await scan(body);
    expect(r.statusCode, r.body).toBe(400);
    const e = r.json() as { code: string; message: string };
    expect(e.code).toBe('bad-request');
    expect(e.message).toMatch(message);
  });

  test('a body that is not JSON → 400', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/scan/repository', headers: { ...bearer(ci), 'content-type': 'application/json' }, payload: '{"image":' });
    expect(r.statusCode).toBe(400);
  });

  test('an unknown registryId → 404', async () => {
    const r = await scan({ image: `${reg.host}/demo/app:1`, registryId: 'no-such-registry' });
    expect(r.statusCode, r.body).toBe(404);
    expect(r.json()).toMatchObject({ code: 'not-found', message: expect.stringContaining('no-such-registry') });
  });

  test('a tag the registry does not have → 404 with the registry’s message', async () => {
    const r = await scan({ image: `${reg.host}/demo/app:nope` });
    expect(r.statusCode, r.body).toBe(404);
    expect(r.json()).toMatchObject({ code: 'not-found', message: expect.stringMatching(/demo\/app.*not found/) });
  });

  test('a registry that refuses the controller → 502, not a 401 that would blame the API token', async () => {
    const add = await post('/api/v1/registries', { name: 'locked', type: 'docker-v2', url: locked.url }, admin);
    expect(add.statusCode, add.body).toBe(201);
    const r = await scan({ image: `${locked.host}/demo/app:1` });
    expect(r.statusCode, r.body).toBe(502);
    expect(r.json()).toMatchObject({ code: 'registry-unauthorized', message: expect.stringContaining(locked.host) });

    // with the credentials in the registry entry it works
    const id = (add.json() as { id: string }).id;
    const patch = await t.app.inject({ method: 'PATCH', url: `/api/v1/registries/${id}`, headers: bearer(admin), payload: { username: locked.username, password: locked.password } });
    expect(patch.statusCode, patch.body).toBe(200);
    const ok = await scan({ image: `${locked.host}/demo/app:1`, registryId: id });
    expect(ok.statusCode, ok.body).toBe(200);
  });

  test('a registry nobody answers for → 502 with the reason', async () => {
    const port = await freePort();
    const add = await post('/api/v1/registries', { name: 'gone', type: 'docker-v2', url: `http://127.0.0.1:${port}` }, admin);
    expect(add.statusCode, add.body).toBe(201);
    const r = await scan({ image: `127.0.0.1:${port}/demo/app:1` });
    expect(r.statusCode, r.body).toBe(502);
    expect((r.json() as { message: string }).message).toContain(`127.0.0.1:${port}`);
  });

  test('the OpenAPI document describes the route', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>> };
    const op = doc.paths['/api/v1/scan/repository']?.post;
    expect(op).toBeDefined();
    expect(JSON.stringify(op!.requestBody)).toContain('denyIds');
    expect(Object.keys(op!.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404', '502']));
  });
});

describe('without a vulnerability DB on the controller', () => {
  test('the scan runs, the answer is a 503 that says what is missing', async () => {
    const t = await testApp(':memory:', { vulnDbPath: '/nonexistent/vigil.db', scan: { workers: 1, pollMs: 100, maxAttempts: 1 } });
    try {
      await t.app.scans.start();
      const admin = await t.login('admin', PASSWORDS.admin);
      const add = await t.app.inject({ method: 'POST', url: '/api/v1/registries', headers: bearer(admin), payload: { name: 'local', type: 'docker-v2', url: reg.url } });
      expect(add.statusCode, add.body).toBe(201);
      const token = await t.login('ci', PASSWORDS.ci);
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/scan/repository', headers: bearer(token), payload: { image: `${reg.host}/demo/app:1` } });
      expect(r.statusCode, r.body).toBe(503);
      expect(r.json()).toMatchObject({ code: 'no-result', message: expect.stringContaining('no vulnerability DB') });
    } finally {
      await t.close();
    }
  });
});
