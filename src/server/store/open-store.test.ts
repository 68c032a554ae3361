import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { freePort } from '../../../test/helpers/net.js';
import { usePostgres } from '../../../test/helpers/postgres.js';
import { isVigilError } from '../../core/errors.js';
import { migrationProvider } from './migrations.js';
import { openStore, redact } from './open-store.js';

/** Every migration the code has, in the order they run. */
const allMigrations = async () => Object.keys(await migrationProvider.getMigrations()).sort().map((name) => ({ name }));

const dir = mkdtempSync(join(tmpdir(), 'vigil-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const pg = usePostgres();

describe.each([
  ['sqlite', (home: string) => Promise.resolve(`sqlite:${join(home, 'server.db')}`)],
  ['postgres', () => pg.freshDatabase()],
] as const)('openStore on %s', (backend, databaseFor) => {
  test('migrates once, keeps data and the migration record across reopen', async () => {
    const dataDir = join(dir, `home-${backend}`);
    const database = await databaseFor(dataDir);
    // SQLite: the first open takes the default file in the data dir, the reopen names it.
    const a = await openStore({ dataDir, database: backend === 'sqlite' ? undefined : database });
    expect(a.dialect).toBe(backend);
    await a.db.insertInto('audit_events').values({ id: 'e1', at: '2026-01-01T00:00:00.000Z', actor: null, action: 'test', target: null, detail: '{}', ip: null }).execute();
    await a.close();
    const b = await openStore({ dataDir, database });
    await b.ping();
    expect(await b.db.selectFrom('audit_events').select('action').execute()).toEqual([{ action: 'test' }]);
    const applied = await b.db.selectFrom('kysely_migration' as never).select('name' as never).execute();
    expect(applied).toEqual(await allMigrations());
    await b.close();
    await expect(b.ping()).rejects.toThrow();
  });

  // Several controllers on one PostgreSQL is the point of PostgreSQL; Kysely's migration lock is
  // an advisory lock there. (SQLite serves one process: its lock is in-process only.)
  test.runIf(backend === 'postgres')('three stores opened at once on one database migrate it once', async () => {
    const database = await databaseFor(join(dir, `race-${backend}`));
    const stores = await Promise.all([0, 1, 2].map(() => openStore({ dataDir: join(dir, `race-${backend}`), database })));
    const applied = await stores[0]!.db.selectFrom('kysely_migration' as never).select('name' as never).execute();
    expect(applied).toEqual(await allMigrations());
    await Promise.all(stores.map((s) => s.close()));
  });

  test('the failed-login counter is one atomic update: parallel increments all count', async () => {
    const s = await openStore({ dataDir: join(dir, `count-${backend}`), database: await databaseFor(join(dir, `count-${backend}`)) });
    const now = new Date().toISOString();
    await s.db.insertInto('users').values({ id: 'u1', username: 'u', password_hash: 'x', role: 'reader', locked_until: null, created_at: now, updated_at: now }).execute();
    const { sql } = await import('kysely');
    const after = await Promise.all(
      Array.from({ length: 20 }, () =>
        s.db.updateTable('users').set({ failed_logins: sql<number>`failed_logins + 1` }).where('id', '=', 'u1').returning('failed_logins').executeTakeFirstOrThrow(),
      ),
    );
    expect(after.map((r) => r.failed_logins).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    await s.close();
  });
});

describe('openStore refuses', () => {
  test.each`
    database                      | code             | message
    ${'mysql://h/db'}             | ${'bad-database'} | ${/sqlite:<file> or postgres/}
    ${'postgres://vigil@h:5432'}  | ${'bad-database'} | ${/names no database/}
  `('--database $database → $code', async ({ database, code, message }) => {
    const e: unknown = await openStore({ dataDir: join(dir, 'unused'), database }).catch((x: unknown) => x);
    expect(isVigilError(e) && e.kind === 'usage' && e.code === code).toBe(true);
    expect((e as Error).message).toMatch(message);
  });

  test('an unreachable PostgreSQL: a usage error naming it, without the password, quickly', async () => {
    const port = await freePort();
    const started = Date.now();
    const e: unknown = await openStore({ dataDir: join(dir, 'unused'), database: `postgres://vigil:s3cret@127.0.0.1:${port}/vigil` }).catch((x: unknown) => x);
    expect(isVigilError(e) && e.kind === 'usage' && e.code === 'store-open').toBe(true);
    expect((e as Error).message).toContain(`cannot connect to the server database postgres://vigil:***@127.0.0.1:${port}/vigil`);
    expect((e as Error).message).not.toContain('s3cret');
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  test('redact hides only the password', () => {
    expect(redact('postgres://u:p@h:1/d?sslmode=require')).toBe('postgres://u:***@h:1/d?sslmode=require');
    expect(redact('postgres://u@h/d')).toBe('postgres://u@h/d');
  });
});
