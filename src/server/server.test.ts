/**
 * `vigil server` as a real process (`npm run build` first): HTTPS with the generated
 * certificate (trusted as the CA by undici), login with VIGIL_ADMIN_PASSWORD, the certificate
 * and the admin reused on restart, --http with a printed one-time password, and SIGTERM → exit 0.
 * Until main.ts wires `registerServerCommand`, the command runs under a small runner with
 * main.ts's error path. Loopback only; every wait is bounded; temp dirs are removed.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort } from '../../test/helpers/net.js';
import { usePostgres } from '../../test/helpers/postgres.js';
import { spawnServer as start, started, stopServer as stop, withTimeout } from '../../test/helpers/server.js';

const ADMIN_PASSWORD = 'e2e-admin-password-1';
let dir: string;
const pg = usePostgres();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-server-e2e-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('vigil server (built)', () => {
  test('HTTPS with a generated certificate, login, reuse on restart, SIGTERM → exit 0', async () => {
    const dataDir = join(dir, 'tls-home');
    const first = await started(start(['--listen', '127.0.0.1:0', '--data-dir', dataDir], { VIGIL_ADMIN_PASSWORD: ADMIN_PASSWORD }));
    expect(first.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(first.stderr()).toContain('created user admin with the password from VIGIL_ADMIN_PASSWORD');
    expect(first.stderr()).not.toContain(ADMIN_PASSWORD);
    const certFile = join(dataDir, 'tls', 'server.crt');
    const cert = readFileSync(certFile, 'utf8');
    const dispatcher = new Agent({ connect: { ca: cert } });
    try {
      const health = await withTimeout(fetch(`${first.url}/healthz`, { dispatcher }), 10_000, 'healthz');
      expect(await health.json()).toEqual({ status: 'ok' });
      const login = await fetch(`${first.url}/api/v1/auth/login`, { dispatcher, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
      expect(login.status).toBe(200);
      const { token } = (await login.json()) as { token: string };
      const users = await fetch(`${first.url}/api/v1/users`, { dispatcher, headers: { authorization: `Bearer ${token}` } });
      expect(users.status).toBe(200);
      // an untrusted client is refused: the certificate is real TLS, not plain HTTP
      await expect(fetch(`${first.url}/healthz`)).rejects.toThrow();
    } finally {
      await dispatcher.close();
    }
    expect(await stop(first)).toBe(0);
    // The key for registry credentials at rest: made on first start, owner-only, kept.
    const keyFile = join(dataDir, 'secret.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const key = readFileSync(keyFile, 'utf8');

    // Second start: same certificate, the admin is not made again, the first password still works.
    const second = await started(start(['--listen', '127.0.0.1:0', '--data-dir', dataDir], { VIGIL_ADMIN_PASSWORD: 'another-password-2' }));
    expect(readFileSync(certFile, 'utf8')).toBe(cert);
    expect(readFileSync(keyFile, 'utf8')).toBe(key);
    expect(second.stderr()).not.toContain('created user admin');
    expect(second.stderr()).not.toContain('self-signed');
    const d2 = new Agent({ connect: { ca: cert } });
    try {
      const login = await fetch(`${second.url}/api/v1/auth/login`, { dispatcher: d2, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
      expect(login.status).toBe(200);
    } finally {
      await d2.close();
    }
    expect(await stop(second)).toBe(0);
  });

  test('--http: the random admin password is printed once and works', async () => {
    const dataDir = join(dir, 'http-home');
    const r = await started(start(['--listen', '127.0.0.1:0', '--data-dir', dataDir, '--http']));
    expect(r.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const password = /created user admin with password (\S+)/.exec(r.stderr())?.[1];
    expect(password).toBeTruthy();
    expect(existsSync(join(dataDir, 'tls'))).toBe(false);
    const login = await withTimeout(fetch(`${r.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) }), 10_000, 'login');
    expect(login.status).toBe(200);
    expect(await stop(r)).toBe(0);
  });

  test('--database postgres://…: the admin and sessions live in PostgreSQL; VIGIL_DATABASE selects it too', async () => {
    const database = await pg.freshDatabase();
    const login = async (url: string) =>
      withTimeout(fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) }), 10_000, 'login');
    const first = await started(start(['--listen', '127.0.0.1:0', '--data-dir', join(dir, 'pg-home-1'), '--http', '--database', database], { VIGIL_ADMIN_PASSWORD: ADMIN_PASSWORD }));
    expect(first.stderr()).toContain('created user admin with the password from VIGIL_ADMIN_PASSWORD');
    expect((await login(first.url)).status).toBe(200);
    expect((await withTimeout(fetch(`${first.url}/readyz`), 10_000, 'readyz')).status).toBe(200);
    expect(await stop(first)).toBe(0);
    // Another data dir, the same database: the admin is already there, the first password works.
    const second = await started(start(['--listen', '127.0.0.1:0', '--data-dir', join(dir, 'pg-home-2'), '--http'], { VIGIL_ADMIN_PASSWORD: 'another-password-2', VIGIL_DATABASE: database }));
    expect(second.stderr()).not.toContain('created user admin');
    expect((await login(second.url)).status).toBe(200);
    expect(existsSync(join(dir, 'pg-home-2', 'server.db'))).toBe(false);
    expect(await stop(second)).toBe(0);
  });

  test('an unreachable PostgreSQL → exit 2 with one line naming it, no password', async () => {
    const port = await freePort();
    const r = start(['--listen', '127.0.0.1:0', '--data-dir', join(dir, 'bad-home'), '--database', `postgres://vigil:s3cret@127.0.0.1:${port}/vigil`]);
    expect(await withTimeout(r.exited, 30_000, 'exit')).toBe(2);
    expect(r.stderr()).toContain(`cannot connect to the server database postgres://vigil:***@127.0.0.1:${port}/vigil`);
    expect(r.stderr()).not.toContain('s3cret');
    expect(r.stderr().trim().split('\n')).toHaveLength(1);
  });

  test.each`
    args                                                        | message
    ${['--database', 'mysql://h/db']}                           | ${'--database must be sqlite:<file> or postgres://'}
    ${['--listen', 'nowhere']}                                  | ${'--listen wants HOST:PORT'}
    ${['--tls-cert', '/nonexistent.crt']}                       | ${'--tls-cert and --tls-key go together'}
    ${['--http', '--tls-cert', '/a.crt', '--tls-key', '/a.key']}| ${'--http serves plain HTTP'}
  `('bad options $args → exit 2 with one line', async ({ args, message }) => {
    const r = start(['--listen', '127.0.0.1:0', '--data-dir', join(dir, 'bad-home'), ...(args as string[])]);
    expect(await withTimeout(r.exited, 20_000, 'exit')).toBe(2);
    expect(r.stderr()).toContain(message);
    expect(r.stderr().trim().split('\n')).toHaveLength(1);
  });
});
