import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { freePort } from '../../../test/helpers/net.js';
import { usePostgres } from '../../../test/helpers/postgres.js';
import { startRegistry, type StartedRegistry } from '../../../test/helpers/registry.js';
import { PASSWORDS, bearer, testApp, type TestApp } from '../test-helpers.js';
import { matchesFilters } from './registry-service.js';

const pg = usePostgres();
let reg: StartedRegistry;
let ca: string;
beforeAll(async () => {
  reg = await startRegistry({ auth: 'basic', tls: true });
  ca = readFileSync(reg.caFile!, 'utf8');
  await reg.push('app', 'demo/app:1');
}, 120_000);
afterAll(async () => {
  await reg?.stop();
});

const SECRET = 'S3cret-Registry-Pass!';

test('filters: * spans any run, the tag part is optional', () => {
  expect(matchesFilters(['demo/*:1.*'], 'demo/app', '1.2')).toBe(true);
  expect(matchesFilters(['demo/*:1.*'], 'demo/app', '2.0')).toBe(false);
  expect(matchesFilters(['*'], 'a/b/c', 'latest')).toBe(true);
  expect(matchesFilters(['org/app'], 'org/app', 'v1')).toBe(true);
  expect(matchesFilters(['org/app'], 'org/app2', 'v1')).toBe(false);
});

describe.each(pg.backends)('%s', (_backend, database) => {
  let t: TestApp;
  let admin: string;
  beforeEach(async () => {
    t = await testApp(await database());
    admin = await t.login('admin', PASSWORDS.admin);
  });
  afterEach(async () => {
    await t.close();
  });

  const create = (body: Record<string, unknown>, token = admin) => t.app.inject({ method: 'POST', url: '/api/v1/registries', headers: bearer(token), payload: body });
  const base = () => ({ name: 'local', type: 'docker-v2', url: reg.url, username: reg.username, password: reg.password, caPem: ca });

  test('create → get/list without the password; the DB holds only ciphertext', async () => {
    const r = await create({ ...base(), password: SECRET, filters: ['demo/*:1*', 'org/app'], schedule: { kind: 'interval', minutes: 60 }, rescanAfterDbUpdate: true, repoLimit: 10 });
    expect(r.statusCode).toBe(201);
    const created = r.json() as Record<string, unknown>;
    expect(created).toMatchObject({ name: 'local', type: 'docker-v2', url: reg.url, username: 'vigil', hasPassword: true, filters: ['demo/*:1*', 'org/app'], schedule: { kind: 'interval', minutes: 60 }, rescanAfterDbUpdate: true, layeredScan: false, repoLimit: 10, tagLimit: null, insecure: false });
    expect(r.body).not.toContain(SECRET);
    expect(created).not.toHaveProperty('password');
    const reader = await t.login('reader', PASSWORDS.reader);
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/registries', headers: bearer(reader) });
    expect(list.statusCode).toBe(200);
    expect((list.json() as { registries: unknown[] }).registries).toEqual([created]);
    expect(list.body).not.toContain(SECRET);
    const one = await t.app.inject({ method: 'GET', url: `/api/v1/registries/${String(created.id)}`, headers: bearer(reader) });
    expect(one.json()).toEqual(created);

    const rows = await sql<{ password_enc: string }>`select * from registries`.execute(t.app.store.db);
    expect(rows.rows).toHaveLength(1);
    expect(JSON.stringify(rows.rows[0])).not.toContain(SECRET);
    expect(rows.rows[0]!.password_enc).toMatch(/^v1:/);

    const audit = await t.app.inject({ method: 'GET', url: '/api/v1/events?type=audit&action=registry.create', headers: bearer(admin) });
    expect(audit.json()).toMatchObject({ events: [{ actor: 'admin', target: created.id, detail: { name: 'local', hasPassword: true } }] });
    expect(audit.body).not.toContain(SECRET);
  });

  test('partial update, password change and clear, delete: all audited, no secret in events', async () => {
    const id = String((await create(base())).json().id);
    const patch = (payload: Record<string, unknown>) => t.app.inject({ method: 'PATCH', url: `/api/v1/registries/${id}`, headers: bearer(admin), payload });
    const p1 = await patch({ tagLimit: 5, schedule: { kind: 'cron', expression: '0  3 * * mon-fri' }, password: SECRET });
    expect(p1.statusCode).toBe(200);
    expect(p1.json()).toMatchObject({ name: 'local', tagLimit: 5, schedule: { kind: 'cron', expression: '0 3 * * mon-fri' }, hasPassword: true, url: reg.url });
    expect((await patch({ password: null, username: null })).json()).toMatchObject({ hasPassword: false, username: null });
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/registries/${id}`, headers: bearer(admin) })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/registries/${id}`, headers: bearer(admin) })).statusCode).toBe(404);
    const ev = await t.app.inject({ method: 'GET', url: '/api/v1/events?type=audit', headers: bearer(admin) });
    const actions = (ev.json() as { events: Array<{ action: string; detail: { changed?: string[] } }> }).events.filter((e) => e.action.startsWith('registry.'));
    expect(actions.map((e) => e.action)).toEqual(['registry.delete', 'registry.update', 'registry.update', 'registry.create']);
    expect(actions[2]!.detail.changed).toEqual(expect.arrayContaining(['tag_limit', 'schedule', 'password']));
    expect(ev.body).not.toContain(SECRET);
  });

  test('readers and ci cannot change registries; duplicate names conflict', async () => {
    expect((await create(base())).statusCode).toBe(201);
    expect((await create(base())).statusCode).toBe(409);
    for (const who of ['reader', 'ci'] as const) {
      const tok = await t.login(who, PASSWORDS[who]);
      const r = await create({ ...base(), name: `by-${who}` }, tok);
      expect(r.statusCode).toBe(403);
      expect(r.json()).toMatchObject({ code: 'forbidden' });
    }
  });

  test.each`
    body                                                         | message
    ${{ filters: ['Demo/App:1'] }}                               | ${/filter "Demo\/App:1" is not a pattern/}
    ${{ filters: ['demo/app:1:2'] }}                             | ${/is not a pattern/}
    ${{ schedule: { kind: 'interval', minutes: 4 } }}            | ${/from 5 \(5 minutes\) to 10080 \(7 days\), not 4/}
    ${{ schedule: { kind: 'interval', minutes: 10081 } }}        | ${/not 10081/}
    ${{ schedule: { kind: 'cron', expression: '* * *' } }}       | ${/must have 5 fields/}
    ${{ schedule: { kind: 'cron', expression: '61 * * * *' } }}  | ${/minute field "61"/}
    ${{ url: 'ftp://registry.example.com' }}                     | ${/must be http:\/\/ or https:\/\//}
    ${{ url: 'not a url' }}                                      | ${/is not a URL/}
    ${{ url: 'https://u:p@registry.example.com' }}               | ${/must not carry credentials/}
    ${{ url: 'https://registry.example.com/v2/' }}               | ${/without a path/}
    ${{ type: 'quay' }}                                          | ${/type/}
    ${{ caPem: 'garbage' }}                                      | ${/caPem is not a PEM certificate/}
    ${{ repoLimit: 0 }}                                          | ${/repoLimit/}
    ${{ extra: 1 }}                                              | ${/additional/}
  `('bad input $body → 400 with a message', async ({ body, message }: { body: Record<string, unknown>; message: RegExp }) => {
    const r = await create({ ...base(), ...body });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ code: 'bad-request' });
    expect((r.json() as { message: string }).message).toMatch(message);
  });

  test('a bad update is refused and changes nothing', async () => {
    const id = String((await create(base())).json().id);
    const r = await t.app.inject({ method: 'PATCH', url: `/api/v1/registries/${id}`, headers: bearer(admin), payload: { schedule: { kind: 'interval', minutes: 2 }, name: 'renamed' } });
    expect(r.statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/registries/${id}`, headers: bearer(admin) })).json()).toMatchObject({ name: 'local', schedule: { kind: 'manual' } });
    expect((await t.app.inject({ method: 'PATCH', url: `/api/v1/registries/${id}`, headers: bearer(admin), payload: {} })).statusCode).toBe(400);
  });

  describe('test connection against docker-registry (basic auth, TLS)', () => {
    const testConn = async (body: Record<string, unknown>) => {
      const id = String((await create(body)).json().id);
      const r = await t.app.inject({ method: 'POST', url: `/api/v1/registries/${id}/test`, headers: bearer(admin) });
      expect(r.statusCode).toBe(200);
      return r.json() as { ok: boolean; status: number; message: string; repositories?: string[] };
    };

    test('good credentials → ok, with the catalog; audited', async () => {
      expect(await testConn(base())).toMatchObject({ ok: true, status: 200, repositories: ['demo/app'] });
      const ev = await t.app.inject({ method: 'GET', url: '/api/v1/events?type=audit&action=registry.test', headers: bearer(admin) });
      expect(ev.json()).toMatchObject({ events: [{ detail: { ok: true, status: 200 } }] });
    });

    test('wrong password → ok:false, 401, without the password in the message', async () => {
      const r = await testConn({ ...base(), password: SECRET });
      expect(r).toMatchObject({ ok: false, status: 401 });
      expect(r.message).toMatch(/refused the credentials of "vigil"/);
      expect(r.message).not.toContain(SECRET);
    });

    test('unreachable port → ok:false with a clear message', async () => {
      const port = await freePort();
      const r = await testConn({ ...base(), url: `https://127.0.0.1:${port}` });
      expect(r).toMatchObject({ ok: false, status: 0 });
      expect(r.message).toMatch(new RegExp(`cannot reach https://127.0.0.1:${port}`));
    });

    test('readers may not test connections', async () => {
      const id = String((await create(base())).json().id);
      const reader = await t.login('reader', PASSWORDS.reader);
      expect((await t.app.inject({ method: 'POST', url: `/api/v1/registries/${id}/test`, headers: bearer(reader) })).statusCode).toBe(403);
    });
  });
});
