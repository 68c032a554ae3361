/**
 * `vigil server` minus the command line: open the store, make the first admin, build the app,
 * listen (HTTPS unless told otherwise), and shut down cleanly on SIGTERM/SIGINT: stop
 * accepting, let in-flight requests finish, close the store.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { VigilError } from '../core/errors.js';
import { buildApp } from './app.js';
import { randomPassword } from './auth/passwords.js';
import { loadOrCreateSecretKey } from './secrets.js';
import { openStore } from './store/open-store.js';
import type { ScanServiceOptions } from './scans/scan-service.js';
import { defaultDbPath } from '../vulndb/paths.js';
import { loadOrCreateTls } from './tls.js';

export interface ServerOptions {
  listen: string;
  dataDir?: string;
  /** `--database`, else $VIGIL_DATABASE, else SQLite in the data dir. */
  database?: string;
  http?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  logLevel?: string;
  env?: NodeJS.ProcessEnv;
  /** Vulnerability DB file (`--db`); default as the CLI's. */
  db?: string;
  scan?: Partial<ScanServiceOptions>;
  /** Where the one-time admin password and start-up notes go (stderr). */
  say?: (line: string) => void;
}

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.VIGIL_HOME || join(homedir(), '.vigil');
}

export function parseListen(s: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(s) ?? /^()()(\d{1,5})$/.exec(s);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) throw new VigilError('bad-listen', `--listen wants HOST:PORT (e.g. 127.0.0.1:8443), not ${s}`, { kind: 'usage' });
  return { host: m[1] || m[2] || '127.0.0.1', port };
}

/** Runs until a signal; resolves once everything is closed. */
export async function runServer(o: ServerOptions): Promise<void> {
  const env = o.env ?? process.env;
  const say = o.say ?? ((l: string) => process.stderr.write(l + '\n'));
  const { host, port } = parseListen(o.listen);
  if (o.http && (o.tlsCert || o.tlsKey)) throw new VigilError('tls-options', '--http serves plain HTTP; leave out --tls-cert/--tls-key, or --http', { kind: 'usage' });
  const dataDir = o.dataDir ?? defaultDataDir(env);
  // The store first: a bad --database is refused before anything is written to the data dir.
  const store = await openStore({ dataDir, database: o.database ?? (env.VIGIL_DATABASE || undefined) });
  let app;
  let tls;
  try {
    tls = o.http ? null : await loadOrCreateTls({ dataDir, certFile: o.tlsCert, keyFile: o.tlsKey });
    const secretKey = loadOrCreateSecretKey(dataDir);
    app = await buildApp({
      store,
      secretKey,
      https: tls ? { cert: tls.cert, key: tls.key } : null,
      logger: { level: o.logLevel ?? env.VIGIL_LOG_LEVEL ?? 'info' },
      vulnDbPath: defaultDbPath(o.db),
      ...(o.scan ? { scan: o.scan } : {}),
    });
    const given = env.VIGIL_ADMIN_PASSWORD;
    const password = given || randomPassword();
    if (await app.auth.bootstrapAdmin(password)) {
      if (given) say('vigil: created user admin with the password from VIGIL_ADMIN_PASSWORD');
      else say(`vigil: created user admin with password ${password}\nvigil: this password is shown once; change it with PATCH /api/v1/users/{id}`);
    }
    if (tls?.generated) say(`vigil: made a self-signed TLS certificate: ${tls.certFile}`);
  } catch (e) {
    await app?.close();
    await store.close();
    throw e;
  }

  const stopped = new Promise<void>((resolve) => {
    let closing = false;
    const stop = (signal: string) => {
      if (closing) return;
      closing = true;
      app.log.info({ signal }, 'shutting down');
      // app.close() stops the listener and waits for in-flight requests (idle keep-alive
      // connections are closed at once); the store closes after the last request.
      app
        .close()
        .catch((err: unknown) => app.log.error({ err }, 'error while closing'))
        .finally(() => {
          store.close().finally(() => {
            process.off('SIGTERM', onTerm);
            process.off('SIGINT', onInt);
            resolve();
          });
        });
    };
    const onTerm = () => stop('SIGTERM');
    const onInt = () => stop('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
  });

  const address = await app.listen({ host, port });
  await app.scans.start();
  const dbs = app.vulndb.status();
  if (!dbs.installed) say(`vigil: no vulnerability DB at ${dbs.path}: images are inventoried, and matched once a DB is installed (vigil db import, or POST /api/v1/db/update)`);
  say(`vigil: listening on ${address.replace(/^http:/, tls ? 'https:' : 'http:')}`);
  await stopped;
}
