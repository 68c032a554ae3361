/**
 * `vigil server` as a real process (the built CLI), for tests that restart, kill or signal it.
 * Every child is killed when the test file ends, whatever happened.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { BIN, REPO } from './cli.js';

export interface RunningServer {
  child: ChildProcess;
  /** http(s)://127.0.0.1:PORT once `started` resolved, else '' */
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

const children = new Set<ChildProcess>();
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<T>((_, rej) => (timer = setTimeout(() => rej(new Error(`timed out after ${ms} ms: ${what}`)), ms)))]).finally(() => clearTimeout(timer));
}

/** Spawns `vigil server <args>`; VIGIL_ADMIN_PASSWORD is empty unless `env` sets it. */
export function spawnServer(args: string[], env: NodeJS.ProcessEnv = {}): RunningServer {
  if (!existsSync(join(REPO, 'dist/cli/main.js'))) throw new Error('run `npm run build` first');
  const child = spawn(process.execPath, [BIN, 'server', ...args], {
    cwd: REPO,
    env: { ...process.env, VIGIL_ADMIN_PASSWORD: '', VIGIL_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout!.resume();
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  void exited.finally(() => children.delete(child));
  return { child, url: '', stderr: () => stderr, exited };
}

/** Waits for "listening on URL" (20 s at most). */
export async function started(r: RunningServer): Promise<RunningServer> {
  const url = await withTimeout(
    new Promise<string>((res, rej) => {
      const check = () => {
        const m = /listening on (https?:\/\/\S+)/.exec(r.stderr());
        if (m?.[1]) res(m[1]);
      };
      r.child.stderr!.on('data', check);
      void r.exited.then((code) => rej(new Error(`server exited ${code}: ${r.stderr()}`)));
      check();
    }),
    20_000,
    'server start',
  );
  return { ...r, url };
}

export async function startServer(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunningServer> {
  return started(spawnServer(args, env));
}

/** SIGTERM, and the exit code (10 s at most). */
export async function stopServer(r: RunningServer): Promise<number | null> {
  r.child.kill('SIGTERM');
  return withTimeout(r.exited, 10_000, 'exit after SIGTERM');
}
