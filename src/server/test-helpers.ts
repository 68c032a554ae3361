/**
 * Test support: an app on a fresh store (in-memory SQLite, or the `--database` URL given, e.g. a
 * new PostgreSQL database) with one user per role. Not part of the build's API.
 */
import { buildApp, type BuildAppOptions } from './app.js';
import { openStore } from './store/open-store.js';
import type { VigilServer } from './types.js';

export const PASSWORDS = { admin: 'admin-password-1', reader: 'reader-password-1', ci: 'ci-password-123' } as const;

export interface TestApp {
  app: VigilServer;
  /** Moves the injected clock. */
  advance(ms: number): void;
  login(username: string, password: string): Promise<string>;
  close(): Promise<void>;
}

export async function testApp(database = ':memory:', extra: Omit<BuildAppOptions, 'store' | 'now'> = {}): Promise<TestApp> {
  let offset = 0;
  const store = await openStore({ dataDir: '/nonexistent', database });
  const app = await buildApp({ ...extra, store, now: () => new Date(Date.now() + offset) });
  await app.auth.bootstrapAdmin(PASSWORDS.admin);
  const login = async (username: string, password: string) => {
    const r = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
    if (r.statusCode !== 200) throw new Error(`login ${username}: ${r.statusCode} ${r.body}`);
    return (r.json() as { token: string }).token;
  };
  const adminToken = await login('admin', PASSWORDS.admin);
  for (const role of ['reader', 'ci'] as const) {
    const r = await app.inject({ method: 'POST', url: '/api/v1/users', headers: { authorization: `Bearer ${adminToken}` }, payload: { username: role, password: PASSWORDS[role], role } });
    if (r.statusCode !== 201) throw new Error(`create ${role}: ${r.statusCode} ${r.body}`);
  }
  return {
    app,
    advance: (ms) => {
      offset += ms;
    },
    login,
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}

export const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
