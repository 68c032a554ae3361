import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { usePostgres } from '../../../test/helpers/postgres.js';
import { PASSWORDS, bearer, testApp, type TestApp } from '../test-helpers.js';

const pg = usePostgres();
const SECRET = 'S3cret-Webhook-Signing-Key';
// Slack's incoming-webhook URLs are credentials in their path.
const SLACK_URL = 'https://hooks.slack.example/services/T000/B000/PathToken12345';

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

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: Record<string, unknown>, token = admin) =>
    t.app.inject({ method, url: `/api/v1/webhooks${url}`, headers: bearer(token), ...(payload ? { payload } : {}) });
  const create = (body: Record<string, unknown>, token = admin) => call('POST', '', body, token);
  const base = () => ({ name: 'ops-slack', url: SLACK_URL, format: 'slack' });
  const webhookEvents = async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/v1/events?category=webhook', headers: bearer(admin) });
    return { body: r.body, events: (r.json() as { events: Array<{ action: string; target: string; detail: Record<string, unknown> }> }).events };
  };

  test('create → get/list without the secret; the DB holds only ciphertext; defaults', async () => {
    const r = await create({ ...base(), secret: SECRET, categories: ['scan', 'findings', 'scan'] });
    expect(r.statusCode, r.body).toBe(201);
    const created = r.json() as Record<string, unknown>;
    expect(created).toEqual({ id: expect.any(String), name: 'ops-slack', url: SLACK_URL, format: 'slack', categories: ['scan', 'findings'], enabled: true, hasSecret: true, createdAt: expect.any(String), updatedAt: created.createdAt });
    expect(r.body).not.toContain(SECRET);
    expect((await call('GET', '')).json()).toEqual({ webhooks: [created] });
    expect((await call('GET', `/${String(created.id)}`)).json()).toEqual(created);

    const rows = await sql<{ secret_enc: string }>`select * from webhooks`.execute(t.app.store.db);
    expect(JSON.stringify(rows.rows)).not.toContain(SECRET);
    expect(rows.rows[0]!.secret_enc).toMatch(/^v1:/);

    const plain = await create({ name: 'generic', url: 'http://receiver.example:8080/in?team=ops' });
    expect(plain.json()).toMatchObject({ format: 'json', categories: [], enabled: true, hasSecret: false, url: 'http://receiver.example:8080/in?team=ops' });
  });

  test('update, clear the secret, disable, delete: audited by field name, never the secret nor the URL path', async () => {
    const id = String((await create({ ...base(), secret: SECRET })).json().id);
    const p1 = await call('PATCH', `/${id}`, { name: 'renamed', categories: ['db'], enabled: false, secret: SECRET + '-2' });
    expect(p1.statusCode, p1.body).toBe(200);
    expect(p1.json()).toMatchObject({ name: 'renamed', categories: ['db'], enabled: false, hasSecret: true, url: SLACK_URL });
    expect((await call('PATCH', `/${id}`, { secret: null })).json()).toMatchObject({ hasSecret: false });
    expect((await call('DELETE', `/${id}`)).statusCode).toBe(204);
    expect((await call('GET', `/${id}`)).statusCode).toBe(404);

    const { body, events } = await webhookEvents();
    expect(events.map((e) => e.action)).toEqual(['webhook.delete', 'webhook.update', 'webhook.update', 'webhook.create']);
    expect(events[3]).toMatchObject({ target: id, detail: { name: 'ops-slack', host: 'https://hooks.slack.example', format: 'slack', categories: [], enabled: true, hasSecret: true } });
    expect(events[2]!.detail.changed).toEqual(expect.arrayContaining(['name', 'categories', 'enabled', 'secret']));
    expect(body).not.toContain(SECRET);
    expect(body).not.toContain('PathToken12345');
  });

  test('duplicate names conflict, on create and on rename', async () => {
    expect((await create(base())).statusCode).toBe(201);
    const dup = await create(base());
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toEqual({ code: 'conflict', message: 'a webhook named ops-slack exists' });
    const other = String((await create({ ...base(), name: 'other' })).json().id);
    expect((await call('PATCH', `/${other}`, { name: 'ops-slack' })).statusCode).toBe(409);
    // Renaming to its own name is no change, not a conflict.
    expect((await call('PATCH', `/${other}`, { name: 'other' })).statusCode).toBe(200);
  });

  test.each`
    body                                            | message
    ${{ url: 'file:///etc/passwd' }}                | ${/url must be http:\/\/ or https:\/\/, not file:/}
    ${{ url: 'ftp://files.example/x' }}             | ${/not ftp:/}
    ${{ url: 'not a url' }}                         | ${/is not a URL/}
    ${{ url: 'https://user:pw@hooks.example/x' }}   | ${/must not carry credentials/}
    ${{ url: 'https://hooks.example/x#frag' }}      | ${/fragment/}
    ${{ url: '' }}                                  | ${/url/}
    ${{ format: 'teams' }}                          | ${/format must be equal to one of the allowed values/}
    ${{ categories: ['scans'] }}                    | ${/unknown category "scans"; one of auth, user, token, registry, crawl, scan, db, findings, config, group, risk$/}
    ${{ categories: ['webhook'] }}                  | ${/webhook events are never delivered to webhooks/}
    ${{ secret: 'short' }}                          | ${/secret/}
    ${{ enabled: 'maybe' }}                         | ${/enabled/}
    ${{ name: '' }}                                 | ${/name/}
    ${{ name: '../etc' }}                           | ${/name/}
    ${{ extra: 1 }}                                 | ${/additional/}
  `('bad input $body → 400 with a message', async ({ body, message }: { body: Record<string, unknown>; message: RegExp }) => {
    const r = await create({ ...base(), ...body });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json()).toMatchObject({ code: 'bad-request' });
    expect((r.json() as { message: string }).message).toMatch(message);
  });

  test('a bad update is refused and changes nothing; an empty one is refused', async () => {
    const id = String((await create(base())).json().id);
    const r = await call('PATCH', `/${id}`, { name: 'renamed', url: 'file:///tmp/x' });
    expect(r.statusCode).toBe(400);
    expect((r.json() as { message: string }).message).toMatch(/not file:/);
    expect((await call('GET', `/${id}`)).json()).toMatchObject({ name: 'ops-slack', url: SLACK_URL });
    expect((await call('PATCH', `/${id}`, {})).statusCode).toBe(400);
  });

  test.each`
    method      | path
    ${'GET'}    | ${'/nope'}
    ${'PATCH'}  | ${'/nope'}
    ${'DELETE'} | ${'/nope'}
    ${'POST'}   | ${'/nope/test'}
  `('$method $path of an unknown id → 404 with a message', async ({ method, path }: { method: 'GET' | 'PATCH' | 'DELETE' | 'POST'; path: string }) => {
    const r = await call(method, path, method === 'PATCH' ? { enabled: false } : undefined);
    expect(r.statusCode).toBe(404);
    expect(r.json()).toEqual({ code: 'not-found', message: 'no webhook nope' });
  });

  test('readers, ci and a write-scoped API token can neither read nor change webhooks', async () => {
    const id = String((await create(base())).json().id);
    const tok = await t.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: bearer(admin), payload: { name: 'writer', scopes: ['read', 'scan', 'write'] } });
    expect(tok.statusCode, tok.body).toBe(201);
    const tokens = { reader: await t.login('reader', PASSWORDS.reader), ci: await t.login('ci', PASSWORDS.ci), writer: (tok.json() as { token: string }).token };
    for (const [who, token] of Object.entries(tokens)) {
      for (const [method, path, payload] of [
        ['GET', '', undefined],
        ['GET', `/${id}`, undefined],
        ['POST', '', { ...base(), name: `by-${who}` }],
        ['PATCH', `/${id}`, { enabled: false }],
        ['DELETE', `/${id}`, undefined],
        ['POST', `/${id}/test`, undefined],
      ] as const) {
        const r = await call(method, path, payload, token);
        expect(r.statusCode, `${who} ${method} ${path}`).toBe(403);
        expect(r.json()).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/needs the admin scope/) });
      }
    }
    expect((await call('GET', '', undefined, 'vgs_not-a-token')).statusCode).toBe(401);
    expect((await call('GET', `/${id}`)).json()).toMatchObject({ name: 'ops-slack', enabled: true });
  });

  test('the OpenAPI document describes the webhook routes', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/webhooks/', '/api/v1/webhooks/{id}', '/api/v1/webhooks/{id}/test']));
  });
});
