import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { LOCKOUT_MS, MAX_FAILED_LOGINS } from './auth/auth-service.js';
import { PASSWORDS, bearer, testApp, type TestApp } from './test-helpers.js';
import { usePostgres } from '../../test/helpers/postgres.js';

// The same suite on both stores: in-memory SQLite, and a fresh database on a throwaway PostgreSQL 15.
const pg = usePostgres();
let t: TestApp;

describe.each(pg.backends)('%s', (_backend, database) => {
  beforeEach(async () => {
    t = await testApp(await database());
  });
  afterEach(async () => {
    await t.close();
  });

  const events = async (token: string, action?: string) => {
    const r = await t.app.inject({ method: 'GET', url: `/api/v1/events?type=audit${action ? `&action=${action}` : ''}`, headers: bearer(token) });
    expect(r.statusCode).toBe(200);
    return (r.json() as { events: Array<{ action: string; actor: string | null; target: string | null; detail: Record<string, unknown> }> }).events;
  };

  describe('login', () => {
    test('good password → session token that works, and logout ends it', async () => {
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: PASSWORDS.admin } });
      expect(r.statusCode).toBe(200);
      const body = r.json() as { token: string; expiresAt: string; user: { role: string } };
      expect(body.token).toMatch(/^vgs_/);
      expect(body.user.role).toBe('admin');
      expect(Date.parse(body.expiresAt)).toBeGreaterThan(Date.now());
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: bearer(body.token) })).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(body.token) })).statusCode).toBe(204);
      const after = await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: bearer(body.token) });
      expect(after.statusCode).toBe(401);
      expect(after.json()).toMatchObject({ code: 'unauthorized' });
    });

    test('session expires', async () => {
      const token = await t.login('reader', PASSWORDS.reader);
      t.advance(13 * 3600_000);
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/tokens', headers: bearer(token) })).statusCode).toBe(401);
    });

    test.each`
      username   | password
      ${'admin'} | ${'wrong-password'}
      ${'nobody'}| ${'whatever-password'}
    `('$username / bad password → 401 with one message for both', async ({ username, password }) => {
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
      expect(r.statusCode).toBe(401);
      expect(r.json()).toEqual({ code: 'bad-credentials', message: 'wrong user name or password' });
    });

    test('bad body → 400 with a message', async () => {
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin' } });
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({ code: 'bad-request' });
    });

    test(`lockout after ${MAX_FAILED_LOGINS} failures, for 15 minutes, even with the right password`, async () => {
      const attempt = (password: string) => t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'reader', password } });
      for (let i = 1; i < MAX_FAILED_LOGINS; i++) expect((await attempt('nope-nope')).statusCode).toBe(401);
      const fifth = await attempt('nope-nope');
      expect(fifth.statusCode).toBe(429);
      expect(fifth.json()).toMatchObject({ code: 'locked-out' });
      expect((await attempt(PASSWORDS.reader)).statusCode).toBe(429);
      t.advance(LOCKOUT_MS - 60_000);
      expect((await attempt(PASSWORDS.reader)).statusCode).toBe(429);
      t.advance(120_000);
      expect((await attempt(PASSWORDS.reader)).statusCode).toBe(200);
      const admin = await t.login('admin', PASSWORDS.admin);
      const lock = await events(admin, 'auth.lockout');
      expect(lock).toHaveLength(1);
      expect(lock[0]).toMatchObject({ target: 'reader' });
    });

    test('an admin can lift a lockout', async () => {
      for (let i = 0; i < MAX_FAILED_LOGINS; i++) await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'ci', password: 'x' } });
      const admin = await t.login('admin', PASSWORDS.admin);
      const users = (await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: bearer(admin) })).json() as { users: Array<{ id: string; username: string; lockedUntil: string | null }> };
      const ci = users.users.find((u) => u.username === 'ci')!;
      expect(ci.lockedUntil).not.toBeNull();
      expect((await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${ci.id}`, headers: bearer(admin), payload: { unlock: true } })).statusCode).toBe(200);
      await t.login('ci', PASSWORDS.ci);
    });
  });

  describe('roles and scopes', () => {
    test.each`
      method      | url                   | payload
      ${'POST'}   | ${'/api/v1/users'}    | ${{ username: 'x', password: 'long-enough-password', role: 'reader' }}
      ${'PATCH'}  | ${'/api/v1/users/u1'} | ${{ role: 'admin' }}
      ${'DELETE'} | ${'/api/v1/users/u1'} | ${undefined}
      ${'GET'}    | ${'/api/v1/users'}    | ${undefined}
      ${'POST'}   | ${'/api/v1/tokens'}   | ${{ name: 'x', scopes: ['read'] }}
      ${'DELETE'} | ${'/api/v1/tokens/t1'}| ${undefined}
    `('reader and ci: $method $url → 403', async ({ method, url, payload }) => {
      for (const role of ['reader', 'ci'] as const) {
        const token = await t.login(role, PASSWORDS[role]);
        const r = await t.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
        expect(r.statusCode, `${role} ${r.body}`).toBe(403);
        expect(r.json()).toMatchObject({ code: 'forbidden' });
      }
    });

    test.each`
      url
      ${'/api/v1/tokens'}
      ${'/api/v1/events?type=audit'}
      ${'/metrics'}
    `('reader may read $url', async ({ url }) => {
      const token = await t.login('reader', PASSWORDS.reader);
      expect((await t.app.inject({ method: 'GET', url, headers: bearer(token) })).statusCode).toBe(200);
    });

    test.each`
      method    | url
      ${'GET'}  | ${'/api/v1/users'}
      ${'GET'}  | ${'/api/v1/tokens'}
      ${'GET'}  | ${'/api/v1/events'}
      ${'GET'}  | ${'/metrics'}
      ${'POST'} | ${'/api/v1/auth/logout'}
      ${'GET'}  | ${'/api/v1/no-such-route'}
    `('no token: $method $url → 401', async ({ method, url }) => {
      const r = await t.app.inject({ method, url });
      expect(r.statusCode).toBe(401);
      expect(r.json()).toMatchObject({ code: 'unauthorized' });
      expect((await t.app.inject({ method, url, headers: bearer('vgs_forged') })).statusCode).toBe(401);
    });

    test('API token: scopes limit it, a reader-owned token cannot get write scopes, delete revokes it', async () => {
      const admin = await t.login('admin', PASSWORDS.admin);
      const tooMuch = await t.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: bearer(admin), payload: { name: 'x', scopes: ['write'], username: 'reader' } });
      expect(tooMuch.statusCode).toBe(400);
      expect(tooMuch.json().message).toMatch(/reader user cannot hold the scope\(s\) write/);

      const made = await t.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: bearer(admin), payload: { name: 'ci pipeline', scopes: ['read', 'scan'], username: 'ci', expiresInDays: 30 } });
      expect(made.statusCode).toBe(201);
      const { token, info } = made.json() as { token: string; info: { id: string; scopes: string[]; username: string } };
      expect(token).toMatch(/^vgt_/);
      expect(info).toMatchObject({ username: 'ci', scopes: ['read', 'scan'] });

      expect((await t.app.inject({ method: 'GET', url: '/api/v1/events', headers: bearer(token) })).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: bearer(token) })).statusCode).toBe(403);
      expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(token) })).statusCode).toBe(400);

      // an admin-owned token with only `read` is a reader for every purpose
      const readOnly = (await t.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: bearer(admin), payload: { name: 'dash', scopes: ['read'] } })).json() as { token: string };
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: bearer(readOnly.token) })).statusCode).toBe(403);

      const list = (await t.app.inject({ method: 'GET', url: '/api/v1/tokens', headers: bearer(admin) })).json() as { tokens: Array<{ id: string; lastUsedAt: string | null }> };
      expect(list.tokens).toHaveLength(2);
      expect(JSON.stringify(list)).not.toContain('vgt_');
      expect(list.tokens.find((x) => x.id === info.id)?.lastUsedAt).not.toBeNull();

      expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${info.id}`, headers: bearer(admin) })).statusCode).toBe(204);
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/events', headers: bearer(token) })).statusCode).toBe(401);
      expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${info.id}`, headers: bearer(admin) })).statusCode).toBe(404);
    });

    test('the last admin cannot be demoted or deleted; nobody deletes themselves', async () => {
      const admin = await t.login('admin', PASSWORDS.admin);
      const users = (await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: bearer(admin) })).json() as { users: Array<{ id: string; username: string }> };
      const me = users.users.find((u) => u.username === 'admin')!;
      expect((await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${me.id}`, headers: bearer(admin), payload: { role: 'reader' } })).statusCode).toBe(409);
      expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/users/${me.id}`, headers: bearer(admin) })).statusCode).toBe(403);
    });

    test('a role change ends the user’s sessions', async () => {
      const admin = await t.login('admin', PASSWORDS.admin);
      const readerToken = await t.login('reader', PASSWORDS.reader);
      const users = (await t.app.inject({ method: 'GET', url: '/api/v1/users', headers: bearer(admin) })).json() as { users: Array<{ id: string; username: string }> };
      const reader = users.users.find((u) => u.username === 'reader')!;
      expect((await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${reader.id}`, headers: bearer(admin), payload: { role: 'admin' } })).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/tokens', headers: bearer(readerToken) })).statusCode).toBe(401);
    });
  });

  describe('audit events', () => {
    test('every change and every login is recorded, newest first, without secrets', async () => {
      const admin = await t.login('admin', PASSWORDS.admin);
      await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'reader', password: 'wrong-one' } });
      const made = (await t.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: bearer(admin), payload: { name: 'gh', scopes: ['read'] } })).json() as { token: string; info: { id: string } };
      await t.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${made.info.id}`, headers: bearer(admin) });
      const all = await events(admin);
      const actions = all.map((e) => e.action);
      expect(actions.slice(0, 4)).toEqual(['token.delete', 'token.create', 'auth.login.failed', 'auth.login']);
      expect(actions.filter((a) => a === 'user.create')).toHaveLength(3); // bootstrap admin, reader, ci
      expect(all.find((e) => e.action === 'auth.login.failed')).toMatchObject({ actor: null, target: 'reader' });
      expect(all.find((e) => e.action === 'token.create')).toMatchObject({ actor: 'admin', detail: { name: 'gh', scopes: ['read'] } });
      const text = JSON.stringify(all);
      for (const secret of [made.token, PASSWORDS.admin, PASSWORDS.reader, 'wrong-one', admin]) expect(text).not.toContain(secret);
    });

    test('bad query → 400', async () => {
      const admin = await t.login('admin', PASSWORDS.admin);
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/events?type=scan', headers: bearer(admin) })).statusCode).toBe(400);
      expect((await t.app.inject({ method: 'GET', url: '/api/v1/events?limit=0', headers: bearer(admin) })).statusCode).toBe(400);
    });
  });

  describe('OpenAPI, health, metrics', () => {
    test('the OpenAPI document is public, valid JSON, OpenAPI 3, and lists the routes', async () => {
      const r = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
      expect(r.statusCode).toBe(200);
      const doc = JSON.parse(r.body) as { openapi: string; paths: Record<string, Record<string, { security?: unknown[] }>> };
      expect(doc.openapi).toMatch(/^3\./);
      for (const p of ['/api/v1/auth/login', '/api/v1/auth/logout', '/api/v1/tokens/', '/api/v1/tokens/{id}', '/api/v1/users/', '/api/v1/users/{id}', '/api/v1/events/', '/healthz', '/readyz', '/metrics']) {
        expect(doc.paths, p).toHaveProperty([p]);
      }
      expect(doc.paths['/api/v1/auth/login']?.post?.security).toEqual([]);
      expect(Object.keys(doc.paths).some((p) => p.startsWith('/api/docs') || p === '/api/openapi.json')).toBe(false);
    });

    test('the docs page is public', async () => {
      const r = await t.app.inject({ method: 'GET', url: '/api/docs/' });
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toMatch(/text\/html/);
    });

    test('healthz and readyz need no token', async () => {
      expect((await t.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
      expect((await t.app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ok' });
    });

    test('readyz → 503 when the store is gone, without internals', async () => {
      await t.app.store.close();
      const r = await t.app.inject({ method: 'GET', url: '/readyz' });
      expect(r.statusCode).toBe(503);
      expect(r.json()).toMatchObject({ code: 'not-ready' });
    });

    test('metrics: Prometheus text with process metrics and requests by route pattern and status', async () => {
      const admin = await t.login('admin', PASSWORDS.admin);
      await t.app.inject({ method: 'GET', url: '/healthz' });
      await t.app.inject({ method: 'GET', url: '/api/v1/users/does-not-exist', headers: bearer(admin) });
      const r = await t.app.inject({ method: 'GET', url: '/metrics', headers: bearer(admin) });
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toMatch(/^text\/plain/);
      expect(r.body).toContain('vigil_process_cpu_user_seconds_total');
      expect(r.body).toMatch(/vigil_http_requests_total\{method="GET",route="\/healthz",status="200"\} 1/);
      expect(r.body).toMatch(/vigil_http_requests_total\{method="GET",route="\/api\/v1\/users\/:id",status="404"\} 1/);
      expect(r.body).toMatch(/vigil_http_request_duration_seconds_bucket\{le="0.005",method="POST",route="\/api\/v1\/auth\/login",status="200"\}/);
    });
  });

  test('parallel wrong passwords are all counted', async () => {
    const tries = Array.from({ length: MAX_FAILED_LOGINS }, () => t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'reader', password: 'parallel-guess' } }));
    await Promise.all(tries);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'reader', password: PASSWORDS.reader } })).statusCode).toBe(429);
  });
});
