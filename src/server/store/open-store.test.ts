import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { isVigilError } from '../../core/errors.js';
import { openStore } from './open-store.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('openStore', () => {
  test('SQLite in the data dir: migrates once, keeps data and the migration record across reopen', async () => {
    const dataDir = join(dir, 'home');
    const a = await openStore({ dataDir });
    expect(a.dialect).toBe('sqlite');
    await a.db.insertInto('audit_events').values({ id: 'e1', at: '2026-01-01T00:00:00.000Z', actor: null, action: 'test', target: null, detail: '{}', ip: null }).execute();
    await a.close();
    const b = await openStore({ dataDir, database: `sqlite:${join(dataDir, 'server.db')}` });
    await b.ping();
    expect(await b.db.selectFrom('audit_events').select('action').execute()).toEqual([{ action: 'test' }]);
    const applied = await b.db.selectFrom('kysely_migration' as never).select('name' as never).execute();
    expect(applied).toEqual([{ name: '0001_auth_and_audit' }]);
    await b.close();
    await expect(b.ping()).rejects.toThrow();
  });

  test.each`
    database                              | code                      | message
    ${'postgres://vigil@127.0.0.1/vigil'} | ${'database-unsupported'} | ${/PostgreSQL support comes in the next slice/}
    ${'postgresql://h/db'}                | ${'database-unsupported'} | ${/PostgreSQL/}
    ${'mysql://h/db'}                     | ${'bad-database'}         | ${/sqlite:<file> or postgres/}
  `('--database $database → $code', async ({ database, code, message }) => {
    const e: unknown = await openStore({ dataDir: join(dir, 'unused'), database }).catch((x: unknown) => x);
    expect(isVigilError(e) && e.kind === 'usage' && e.code === code).toBe(true);
    expect((e as Error).message).toMatch(message);
  });
});
