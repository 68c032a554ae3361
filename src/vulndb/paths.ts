import { homedir } from 'node:os';
import { join } from 'node:path';

/** SPEC: `--db FILE`, else `VIGIL_DB`, else `$VIGIL_HOME/db/vigil.db`, else `~/.vigil/db/vigil.db`. */
export function defaultDbPath(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return explicit;
  if (env.VIGIL_DB) return env.VIGIL_DB;
  const home = env.VIGIL_HOME || join(homedir(), '.vigil');
  return join(home, 'db', 'vigil.db');
}
