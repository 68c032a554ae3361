/**
 * The controller's store: Kysely over an SQL dialect chosen from `--database`. SQLite
 * (better-sqlite3) in the data dir serves one machine; PostgreSQL is the next slice and gets
 * its own branch in `dialectFor` — everything above the dialect is shared.
 */
import Sqlite from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, Migrator, SqliteDialect, sql, type Dialect } from 'kysely';
import { VigilError, describeError } from '../../core/errors.js';
import { migrationProvider } from './migrations.js';
import type { Database } from './schema.js';

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: 'sqlite' | 'postgres';
  /** Throws when the database cannot answer (for /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** Data dir; the SQLite file is `<dataDir>/server.db`. */
  dataDir: string;
  /** `--database`: unset or `sqlite:<file>` for SQLite, `postgres://…` for PostgreSQL; `:memory:` for tests. */
  database?: string;
}

function dialectFor(o: StoreOptions): { dialect: Dialect; name: Store['dialect'] } {
  const url = o.database ?? '';
  if (/^postgres(ql)?:\/\//i.test(url)) {
    throw new VigilError('database-unsupported', 'PostgreSQL support comes in the next slice; use the embedded SQLite store (leave out --database)', { kind: 'usage' });
  }
  let file: string;
  if (url === '' || url === 'sqlite:') file = join(o.dataDir, 'server.db');
  else if (url === ':memory:' || url === 'sqlite::memory:') file = ':memory:';
  else if (url.startsWith('sqlite:')) file = url.slice('sqlite:'.length);
  else throw new VigilError('bad-database', `--database must be sqlite:<file> or postgres://…, not ${url}`, { kind: 'usage' });
  if (file !== ':memory:') mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
  let handle: Sqlite.Database;
  try {
    handle = new Sqlite(file);
    handle.pragma('journal_mode = WAL');
    handle.pragma('foreign_keys = ON');
    handle.pragma('busy_timeout = 5000');
  } catch (e) {
    throw new VigilError('store-open', `cannot open the server database ${file}: ${describeError(e)}`, { kind: 'usage', cause: e });
  }
  return { dialect: new SqliteDialect({ database: handle }), name: 'sqlite' };
}

/** Opens the store and brings its schema to the latest migration. */
export async function openStore(o: StoreOptions): Promise<Store> {
  const { dialect, name } = dialectFor(o);
  const db = new Kysely<Database>({ dialect });
  const { error, results } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  if (error) {
    await db.destroy();
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new VigilError('store-migrate', `server database migration ${failed} failed: ${describeError(error)}`, { kind: 'internal', cause: error });
  }
  return {
    db,
    dialect: name,
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await db.destroy();
    },
  };
}
