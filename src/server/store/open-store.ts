/**
 * The controller's store: Kysely over an SQL dialect chosen from `--database`. SQLite
 * (better-sqlite3) in the data dir serves one machine; PostgreSQL (a `pg` pool) serves when one
 * machine is not enough. Only `dialectFor` knows which: the schema, the migrations and every
 * query above it are shared, and the same test suites run against both.
 */
import Sqlite from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Dialect } from 'kysely';
import { createRequire } from 'node:module';
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
  if (/^postgres(ql)?:\/\//i.test(url)) return { dialect: postgresDialect(url), name: 'postgres' };
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

/** Connections wait at most this long, so an unreachable server fails the start, not hangs it. */
const PG_CONNECT_TIMEOUT_MS = 10_000;

function postgresDialect(url: string): Dialect {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (e) {
    throw new VigilError('bad-database', `--database ${redact(url)} is not a valid postgres:// URL`, { kind: 'usage', cause: e });
  }
  if (!parsed.pathname.replace(/^\//, '')) throw new VigilError('bad-database', `--database ${redact(url)} names no database (postgres://user@host:port/<database>)`, { kind: 'usage' });
  // pg loads only for a PostgreSQL store: an SQLite server does not carry it.
  const pg = createRequire(import.meta.url)('pg') as typeof import('pg');
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS, idleTimeoutMillis: 30_000 });
  // An idle client that loses its server (restart, failover) must not crash the process; the
  // pool drops it and the next query opens a new connection.
  pool.on('error', () => {});
  return new PostgresDialect({ pool });
}

/** The URL without its password, for messages and logs. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
  }
}

/** Opens the store and brings its schema to the latest migration. */
export async function openStore(o: StoreOptions): Promise<Store> {
  const { dialect, name } = dialectFor(o);
  const db = new Kysely<Database>({ dialect });
  if (name === 'postgres') {
    // Connect before migrating, so "cannot reach the database" reads as that, not as a failed migration.
    try {
      await sql`select 1`.execute(db);
    } catch (e) {
      await db.destroy();
      throw new VigilError('store-open', `cannot connect to the server database ${redact(o.database ?? '')}: ${describeError(e)}`, { kind: 'usage', cause: e });
    }
  }
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
