/** `vigil server`: the controller (src/server/); loaded only when the command runs. */
import type { Command } from 'commander';

interface ServerFlags {
  listen: string;
  dataDir?: string;
  database?: string;
  http?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  logLevel?: string;
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
    .option('--log-level <level>', 'fatal, error, warn, info, debug or trace (default: $VIGIL_LOG_LEVEL, else info)')
    .exitOverride()
    .action(async (o: ServerFlags) => {
      const { runServer } = await import('../../server/server.js');
      await runServer(o);
      result.code = 0;
    });
}
