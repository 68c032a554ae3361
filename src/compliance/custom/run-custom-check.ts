/**
 * Custom compliance checks: a shell script run against a host root (ROOT=<dir>, cwd the root)
 * or inside a container (`docker|podman exec`), with a time limit, an output cap and, when we
 * are root, as `nobody`. Exit 0 is PASS; anything else WARN with the output as evidence; a
 * script stopped at a limit is ERROR with the reason.
 *
 * The script is fed on stdin to `sh -s`, so it need not be readable by the unprivileged user
 * and nothing is written anywhere.
 */
import { spawn } from 'node:child_process';
import { access, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { VigilError } from '../../core/errors.js';
import { buildReport } from '../engine/run-benchmark.js';
import type { CheckLevel, ComplianceReport } from '../types.js';

export interface CustomCheckOptions {
  /** Host root the script checks (default `/`). */
  root?: string;
  /** Run inside this container instead (id or name). */
  container?: string;
  /** Default 30 s. */
  timeoutMs?: number;
  /** Output kept as evidence (default 64 KiB); past 16× this the script is stopped. */
  maxOutputBytes?: number;
  /** Container CLI (default: `docker`, else `podman`, from PATH). */
  cli?: string;
  /** Run as this uid/gid when we are root (default: the `nobody` account). */
  runAs?: { uid: number; gid: number } | false;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_OUTPUT = 64 * 1024;
const FLOOD_FACTOR = 16;

async function onPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    const p = path.join(dir, name);
    try {
      await access(p, 1);
      return p;
    } catch {
      // next
    }
  }
  return undefined;
}

/** This machine's `nobody` (the script runs here, so it is this machine's account). */
async function nobody(): Promise<{ uid: number; gid: number }> {
  const text = await readFile('/etc/passwd', 'utf8').catch(() => '');
  const line = text.split('\n').find((l) => l.startsWith('nobody:'));
  const f = line?.split(':');
  return f && /^\d+$/.test(f[2] ?? '') && /^\d+$/.test(f[3] ?? '') ? { uid: Number(f[2]), gid: Number(f[3]) } : { uid: 65534, gid: 65534 };
}

interface Outcome {
  code: number | null;
  signal: string | null;
  output: string;
  dropped: number;
  stopped?: string;
}

function run(file: string, args: string[], script: string, o: { cwd?: string; env: NodeJS.ProcessEnv; uid?: number; gid?: number; timeoutMs: number; maxOutput: number }): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: o.cwd,
      env: o.env,
      // A new process group: the limits kill the script and everything it started.
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(o.uid !== undefined ? { uid: o.uid, gid: o.gid } : {}),
    });
    const chunks: Buffer[] = [];
    let kept = 0;
    let total = 0;
    let stopped: string | undefined;
    const killGroup = (why: string) => {
      if (stopped) return;
      stopped = why;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => killGroup(`timed out after ${o.timeoutMs / 1000} s; the script's process group was killed`), o.timeoutMs);
    const take = (b: Buffer) => {
      total += b.length;
      if (kept < o.maxOutput) {
        const part = b.subarray(0, o.maxOutput - kept);
        chunks.push(part);
        kept += part.length;
      }
      if (total > o.maxOutput * FLOOD_FACTOR) killGroup(`output flood: more than ${o.maxOutput * FLOOD_FACTOR} bytes; the script's process group was killed`);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.stdin.on('error', () => {}); // a script that exits without reading its stdin
    child.stdin.end(script);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output: Buffer.concat(chunks).toString('utf8'), dropped: total - kept, ...(stopped ? { stopped } : {}) });
    });
  });
}

export async function runCustomCheck(scriptPath: string, opts: CustomCheckOptions = {}): Promise<ComplianceReport> {
  let script: string;
  try {
    if (!(await stat(scriptPath)).isFile()) throw new Error('not a file');
    script = await readFile(scriptPath, 'utf8');
  } catch (e) {
    throw new VigilError('bad-script', `cannot read script ${scriptPath}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { kind: 'usage', cause: e });
  }
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxOutput = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  const env: NodeJS.ProcessEnv = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' };
  const isRoot = process.getuid?.() === 0;
  let outcome: Outcome;
  let where: string;
  if (opts.container) {
    const cli = opts.cli ?? (await onPath('docker')) ?? (await onPath('podman'));
    if (!cli) throw new VigilError('no-container-cli', 'neither docker nor podman is on PATH to run the script in a container', { kind: 'usage' });
    where = `container ${opts.container}`;
    // Inside the container the unprivileged user is uid 65534, which need not have a name there.
    const user = opts.runAs === false ? [] : ['--user', '65534:65534'];
    outcome = await run(cli, ['exec', '-i', ...user, opts.container, 'sh', '-s'], script, { env: { ...env, ...pick(process.env, ['DOCKER_HOST', 'CONTAINER_HOST', 'HOME', 'XDG_RUNTIME_DIR']) }, timeoutMs, maxOutput });
  } else {
    const root = path.resolve(opts.root ?? '/');
    const st = await stat(root).catch(() => undefined);
    if (!st?.isDirectory()) throw new VigilError('bad-root', `--root ${root} is not a directory`, { kind: 'usage' });
    where = `root ${root}`;
    const as = isRoot && opts.runAs !== false ? (opts.runAs ?? (await nobody())) : undefined;
    outcome = await run('/bin/sh', ['-s'], script, { cwd: root, env: { ...env, ROOT: root }, ...(as ? { uid: as.uid, gid: as.gid } : {}), timeoutMs, maxOutput });
  }

  const evidence: string[] = [];
  let level: CheckLevel;
  if (outcome.stopped) {
    level = 'ERROR';
    evidence.push(`stopped: ${outcome.stopped}`);
  } else if (opts.container && outcome.code !== null && outcome.code >= 125 && outcome.code <= 127 && /no such container|not found|cannot exec|OCI runtime/i.test(outcome.output)) {
    // docker/podman exec's own failures, not the script's verdict
    level = 'ERROR';
    evidence.push(`could not run the script in ${where}: exit ${outcome.code}`);
  } else {
    level = outcome.code === 0 ? 'PASS' : 'WARN';
    evidence.push(outcome.signal ? `killed by ${outcome.signal}` : `exit status ${outcome.code}`);
  }
  const text = outcome.output.trimEnd();
  if (text) evidence.push(text);
  if (outcome.dropped > 0) evidence.push(`[output capped at ${maxOutput} bytes; ${outcome.dropped} more bytes dropped]`);

  const name = path.basename(scriptPath);
  return buildReport(
    'custom',
    { type: opts.container ? 'container' : 'host', name: opts.container ?? path.resolve(opts.root ?? '/'), ...(opts.container ? {} : { root: path.resolve(opts.root ?? '/') }) },
    [
      {
        id: name,
        title: `Custom check ${name} (${where})`,
        level,
        type: opts.container ? 'container' : 'host',
        profile: 'Level 1',
        scored: true,
        automated: true,
        evidence,
        remediation: 'See the script and its output: it defines what compliant means for this check.',
        tags: [],
      },
    ],
  );
}

function pick(env: NodeJS.ProcessEnv, keys: string[]): NodeJS.ProcessEnv {
  return Object.fromEntries(keys.filter((k) => env[k] !== undefined).map((k) => [k, env[k]]));
}
