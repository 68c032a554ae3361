/** `vigil server`: the controller (src/server/); loaded only when the command runs. */
import type { Command } from 'commander';
import { VigilError } from '../../core/errors.js';

interface ServerFlags {
  listen: string;
  dataDir?: string;
  database?: string;
  http?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  logLevel?: string;
  db?: string;
  scanWorkers: string;
  scanTimeout: string;
}

export function registerServerCommand(program: Command, result: { code: number }): void {
  program
    .command('server')
    .description('controller: REST API (OpenAPI at /api/openapi.json, docs at /api/docs)')
    .option('--listen <host:port>', 'address to listen on', '127.0.0.1:8443')
    .option('--data-dir <dir>', 'server data: database, TLS certificate (default: $VIGIL_HOME, else ~/.vigil)')
    .option('--database <url>', 'sqlite:<file> (default: <data-dir>/server.db) or postgres://user@host:port/db (also VIGIL_DATABASE)')
    .option('--http', 'plain HTTP, for use behind a TLS-terminating proxy')
    .option('--tls-cert <file>', 'PEM certificate (chain) instead of the generated self-signed one')
    .option('--tls-key <file>', 'PEM private key for --tls-cert')
    .option('--db <file>', 'vulnerability DB to match with (default: $VIGIL_DB, else <VIGIL_HOME>/db/vigil.db); replaced files are picked up while running')
    .option('--scan-workers <n>', 'images scanned in parallel (worker threads)', '2')
    .option('--scan-timeout <seconds>', 'longest time one image scan may take', '600')
    .option('--log-level <level>', 'fatal, error, warn, info, debug or trace (default: $VIGIL_LOG_LEVEL, else info)')
    .exitOverride()
    .action(async (o: ServerFlags) => {
      const { runServer } = await import('../../server/server.js');
      const workers = Number(o.scanWorkers);
      const timeout = Number(o.scanTimeout);
      if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new VigilError('bad-option', `--scan-workers must be from 1 to 64, not ${o.scanWorkers}`, { kind: 'usage' });
      if (!Number.isFinite(timeout) || timeout <= 0) throw new VigilError('bad-option', `--scan-timeout must be a positive number of seconds, not ${o.scanTimeout}`, { kind: 'usage' });
      await runServer({ ...o, scan: { workers, scanTimeoutMs: timeout * 1000 } });
      result.code = 0;
    });
}
