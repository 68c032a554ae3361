/**
 * A throwaway PostgreSQL 15 cluster for tests, made from Debian's `postgresql` package the way
 * ../shared/env.md shows: `initdb` (as the postgres user when we are root) into a temp dir,
 * `pg_ctl start -w` on 127.0.0.1 with a free port and the unix socket in the same temp dir.
 * Durability is switched off (fsync, synchronous_commit): nothing here must survive a crash.
 * Every wait is bounded; `stop()` stops the cluster and removes the dir.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { freePort } from './net.js';

const run = promisify(execFile);
export const PG_BIN = process.env.VIGIL_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const USER = 'vigil';

export interface Postgres {
  /** postgres://vigil@127.0.0.1:<port>/postgres — the maintenance database */
  url: string;
  /** A new empty database on the cluster; returns its URL. */
  createDatabase(name?: string): Promise<string>;
  stop(): Promise<void>;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs a PostgreSQL binary; as root through `su postgres` (initdb and the server refuse root). */
async function pgRun(bin: string, args: string[], timeoutMs: number): Promise<string> {
  const cmd = join(PG_BIN, bin);
  const opts = { timeout: timeoutMs, killSignal: 'SIGKILL' as const, maxBuffer: 4 << 20 };
  const { stdout } =
    process.getuid?.() === 0 ? await run('su', ['postgres', '-c', [cmd, ...args].map(quote).join(' ')], opts) : await run(cmd, args, opts);
  return stdout;
}

let counter = 0;

export async function startPostgres(): Promise<Postgres> {
  if (!existsSync(join(PG_BIN, 'initdb')) || !existsSync(join(PG_BIN, 'pg_ctl'))) {
    throw new Error(`PostgreSQL 15 is not installed (no ${PG_BIN}/initdb): apt-get install -y --no-install-recommends postgresql (or set VIGIL_PG_BIN)`);
  }
  const root = process.getuid?.() === 0;
  let uid = -1;
  if (root) {
    try {
      uid = Number((await run('id', ['-u', 'postgres'], { timeout: 5_000 })).stdout.trim());
    } catch {
      throw new Error('there is no postgres user to run PostgreSQL as: apt-get install -y --no-install-recommends postgresql');
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'vigil-pg-'));
  if (root) chownSync(dir, uid, -1);
  const data = join(dir, 'data');
  const log = join(dir, 'log');
  const logTail = () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-15).join('\n') : '(no log)');
  try {
    await pgRun('initdb', ['-D', data, '-U', USER, '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'], 60_000);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${(e as Error).message}`);
  }
  let port = 0;
  let started = false;
  let lastError: unknown;
  // The port was free a moment ago; another process may take it first, so try a few.
  for (let attempt = 0; attempt < 3 && !started; attempt++) {
    port = await freePort();
    const o = `-k ${dir} -p ${port} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
    try {
      await pgRun('pg_ctl', ['-D', data, '-o', o, '-l', log, '-w', '-t', '60', 'start'], 90_000);
      started = true;
    } catch (e) {
      lastError = e;
    }
  }
  if (!started) {
    await pgRun('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '20', 'stop'], 30_000).catch(() => undefined);
    const tail = logTail();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`pg_ctl start failed: ${(lastError as Error).message}\n${tail}`);
  }
  const base = `postgres://${USER}@127.0.0.1:${port}`;
  const url = `${base}/postgres`;
  let stopped = false;
  return {
    url,
    async createDatabase(name) {
      const db = name ?? `t_${process.pid}_${++counter}_${Date.now().toString(36)}`;
      if (!/^[a-z_][a-z0-9_]*$/.test(db)) throw new Error(`database name ${db}: lower-case letters, digits and _ only`);
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${db}`);
      } finally {
        await client.end();
      }
      return `${base}/${db}`;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await pgRun('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop'], 40_000);
      } catch {
        await pgRun('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '10', 'stop'], 20_000).catch(() => undefined);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}


export type Backend = 'sqlite' | 'postgres';

/**
 * One cluster per test file: call at the top level of the file. `freshDatabase()` gives a new
 * empty database on it (a URL for `--database`); `backends` is the table for
 * `describe.each(backends)`: `sqlite` gives `:memory:`, `postgres` a fresh database, each call.
 */
export function usePostgres(): { freshDatabase(): Promise<string>; backends: Array<[Backend, () => Promise<string>]> } {
  let cluster: Postgres | undefined;
  beforeAll(async () => {
    cluster = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);
  const freshDatabase = () => {
    if (!cluster) throw new Error('the PostgreSQL cluster did not start (see the beforeAll error)');
    return cluster.createDatabase();
  };
  return {
    freshDatabase,
    backends: [
      ['sqlite', () => Promise.resolve(':memory:')],
      ['postgres', freshDatabase],
    ],
  };
}
