// One `vigil server` process for the controller benchmark: plain HTTP on 127.0.0.1 (port 0, read
// back from its start-up line), its own data dir, SQLite store; a small JSON client for the API;
// peak RSS (VmHWM) and CPU time from /proc/<pid>, which cover the worker threads too.
/* global fetch, AbortSignal -- Node 20 globals */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { clearTimeout, setTimeout } from 'node:timers';

const CLK_TCK = 100; // Linux USER_HZ; /proc/<pid>/stat counts CPU time in these ticks

/** VmHWM (peak resident set) and VmRSS of a live process, in MB. */
export async function procMemory(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { hwmMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
}

/** User + system CPU seconds of a live process (all its threads). */
export async function procCpuSeconds(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at field 3; utime/stime are 14/15.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

/**
 * @param {{bin: string, dataDir: string, db: string, workers: number, env: object, password: string,
 *          nodeArgs?: string[], startTimeoutMs?: number, onSpawn?: (stop: () => Promise<unknown>) => void}} o
 *   onSpawn: gets the stop function as soon as the process exists, before start-up is over, so an
 *   interrupted bench can stop a server that is still starting.
 */
export async function startServer(o) {
  const args = [...(o.nodeArgs ?? []), o.bin, 'server', '--http', '--listen', '127.0.0.1:0', '--scan-workers', String(o.workers), '--db', o.db, '--log-level', 'warn'];
  const child = spawn(process.execPath, args, {
    env: { ...o.env, VIGIL_HOME: o.dataDir, VIGIL_ADMIN_PASSWORD: o.password, VIGIL_DATABASE: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const collect = (b) => {
    log = (log + b.toString()).slice(-16_384);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.once('error', (e) => collect(String(e)));

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return exited;
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      collect('\n[bench] server did not exit 15 s after SIGTERM: SIGKILL\n');
      child.kill('SIGKILL');
    }, 15_000);
    const r = await exited;
    clearTimeout(timer);
    return r;
  };

  o.onSpawn?.(stop);

  const deadline = Date.now() + (o.startTimeoutMs ?? 60_000);
  let url;
  while (!url) {
    const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
    if (m) url = m[1];
    else if (child.exitCode !== null || child.signalCode !== null) throw new Error(`vigil server exited during start-up (${child.exitCode ?? child.signalCode}):\n${log}`);
    else if (Date.now() > deadline) {
      await stop();
      throw new Error(`vigil server did not say "listening on" within ${(o.startTimeoutMs ?? 60_000) / 1000} s:\n${log}`);
    } else await new Promise((r) => setTimeout(r, 50));
  }

  let token;
  /** JSON API call; throws with the status and body on anything but 2xx. */
  const api = async (method, route, body, { timeoutMs = 600_000, contentType } = {}) => {
    const headers = { ...(token ? { authorization: `Bearer ${token}` } : {}) };
    let payload;
    if (body !== undefined) {
      headers['content-type'] = contentType ?? 'application/json';
      payload = contentType ? body : JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(`${url}${route}`, { method, headers, body: payload, signal: AbortSignal.timeout(timeoutMs) });
    } catch (e) {
      throw new Error(`${method} ${route}: ${e.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : e.message}\nserver log tail:\n${log.slice(-2000)}`);
    }
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${route}: HTTP ${res.status}: ${text.slice(0, 2000)}`);
    return text ? JSON.parse(text) : undefined;
  };
  try {
    ({ token } = await api('POST', '/api/v1/auth/login', { username: 'admin', password: o.password }, { timeoutMs: 30_000 }));
  } catch (e) {
    await stop();
    throw e;
  }

  return {
    url,
    pid: child.pid,
    api,
    stop,
    log: () => log,
    memory: () => procMemory(child.pid),
    cpuSeconds: () => procCpuSeconds(child.pid),
  };
}
