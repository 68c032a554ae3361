/** Runs the built CLI (`bin/vigil.js`, after `npm run build`) as a user would, with a hard timeout. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = join(REPO, 'bin', 'vigil.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

export interface RunOptions {
  timeoutMs?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Written to the CLI's standard input (e.g. for --password-stdin). */
  input?: string;
}

export function assertBuilt(): void {
  if (!existsSync(join(REPO, 'dist', 'cli', 'main.js'))) throw new Error('run `npm run build` first: the hostile tests drive the built CLI');
}

export function runVigil(args: readonly string[], opts: RunOptions = {}): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? REPO,
      env: { ...process.env, NO_COLOR: '1', ...opts.env },
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => err.push(c));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 30_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), timedOut, ms: Date.now() - started });
    });
  });
}

export const ERROR_LINE = /^vigil: [a-z-]+: .+$/;

/** SPEC: exit 2 and exactly one stderr line `vigil: <code>: <message>`, no stack trace. */
export function expectCleanFailure(r: CliResult, code?: string | RegExp): string {
  const detail = `exit ${r.code}${r.timedOut ? ' (timed out)' : ''}\nstderr: ${r.stderr}\nstdout: ${r.stdout.slice(0, 500)}`;
  expect(r.timedOut, detail).toBe(false);
  expect(r.code, detail).toBe(2);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines, detail).toHaveLength(1);
  const line = lines[0]!;
  expect(line, detail).toMatch(ERROR_LINE);
  expect(r.stderr, detail).not.toMatch(/\n\s+at |node:internal|Error:|\.ts:\d+|\.js:\d+/);
  if (code !== undefined) {
    const got = line.split(': ')[1];
    if (typeof code === 'string') expect(got, detail).toBe(code);
    else expect(got, detail).toMatch(code);
  }
  return line;
}

/** A fresh temporary directory, removed by the returned `cleanup`. */
export async function tempDir(prefix = 'vigil-hostile-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
