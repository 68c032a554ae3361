/**
 * The scan queue survives the controller: `kill -9` while an image is being pulled, start again,
 * and the job completes — exactly one job, one image, one scan.finished, nothing lost or
 * duplicated. SIGTERM during a scan requeues it the same way (graceful shutdown). On SQLite and
 * on PostgreSQL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { usePostgres } from '../helpers/postgres.js';
import { startRegistry, type StartedRegistry } from '../helpers/registry.js';
import { spawnServer, startServer, stopServer, withTimeout, type RunningServer } from '../helpers/server.js';
import { until } from '../helpers/until.js';

/** The servers restart under the test: a refused request while polling is not a failure. */
const poll = <T>(what: string, f: () => Promise<T | undefined | false>) => until(what, f, { ignoreErrors: true, everyMs: 150 });

const ADMIN = 'restart-admin-password-1';
const pg = usePostgres();
let reg: StartedRegistry;
let proxy: FaultProxy;
let slow = true;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-restart-'));
  reg = await startRegistry();
  await reg.push('app', 'demo/app:1');
  // While `slow`, every blob waits 30 s: the scan is certainly running when the server is killed.
  proxy = await startFaultProxy(reg.url, (req) => (slow && req.url?.includes('/blobs/') ? { delayMs: 30_000 } : undefined));
}, 120_000);
afterAll(async () => {
  await proxy?.close();
  await reg?.stop();
  rmSync(dir, { recursive: true, force: true });
});


// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers, checked field by field
type Json = Record<string, any>;

function client(s: RunningServer) {
  let token = '';
  const call = async (method: string, path: string, body?: unknown): Promise<Json> => {
    const r = await fetch(s.url + path, { method, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const json = (await r.json()) as Json;
    if (r.status >= 400) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
    return json;
  };
  return {
    call,
    login: async () => {
      token = (await call('POST', '/api/v1/auth/login', { username: 'admin', password: ADMIN })).token as string;
    },
  };
}

describe.each(pg.backends)('%s', (backend, database) => {
  test('kill -9 during a scan, restart: the job completes once; SIGTERM during a scan requeues it', async () => {
    slow = true;
    const home = join(dir, backend);
    const db = backend === 'postgres' ? ['--database', await database()] : [];
    const args = ['--http', '--listen', '127.0.0.1:0', '--data-dir', home, '--scan-workers', '1', ...db];
    const env = { VIGIL_ADMIN_PASSWORD: ADMIN };

    let s = await startServer(args, env);
    let c = client(s);
    await c.login();
    const id = (await c.call('POST', '/api/v1/registries', { name: 'local', type: 'docker-v2', url: proxy.url, filters: ['demo/*'] })).id as string;
    expect((await c.call('POST', `/api/v1/registries/${id}/scan`)).queued).toBe(1);
    await poll('the job to be running and a blob requested', async () => {
      const jobs = (await c.call('GET', '/api/v1/scans')).jobs as Json[];
      return jobs[0]?.status === 'running' && proxy.requests.some((r) => r.url.includes('/blobs/'));
    });

    s.child.kill('SIGKILL');
    await withTimeout(s.exited, 10_000, 'exit after SIGKILL');

    // SIGTERM while the requeued job runs again: graceful shutdown puts it back in the queue.
    s = await startServer(args, env);
    c = client(s);
    await c.login();
    await poll('the job to run again', async () => ((await c.call('GET', '/api/v1/scans')).jobs as Json[])[0]?.status === 'running');
    const code = await stopServer(s);
    expect(code).toBe(0);

    slow = false;
    s = await startServer(args, env);
    c = client(s);
    await c.login();
    const job = await poll('the job to finish', async () => {
      const jobs = (await c.call('GET', '/api/v1/scans')).jobs as Json[];
      return jobs[0]?.status === 'done' ? jobs : undefined;
    });
    expect(job).toHaveLength(1);
    expect(job[0]!.attempts).toBe(3);
    const images = (await c.call('GET', '/api/v1/images')).images as Json[];
    expect(images).toHaveLength(1);
    expect(images[0]!.packages).toBe(158);
    expect(images[0]!.summary.total).toBeGreaterThan(0);
    expect((await c.call('GET', '/api/v1/events?action=scan.finished')).events).toHaveLength(1);
    expect((await c.call('GET', '/api/v1/events?action=scan.failed')).events).toHaveLength(0);
    expect(await stopServer(s)).toBe(0);
  }, 180_000);
});

test('bad server flags are one clear error', async () => {
  for (const [flag, value] of [
    ['--scan-workers', '0'],
    ['--scan-workers', 'many'],
    ['--scan-timeout', '-1'],
  ] as const) {
    const s = spawnServer(['--http', '--listen', '127.0.0.1:0', '--data-dir', join(dir, 'flags'), flag, value]);
    expect(await withTimeout(s.exited, 15_000, 'exit')).toBe(2);
    expect(s.stderr().trim()).toMatch(new RegExp(`^vigil: bad-option: ${flag} must be`));
  }
});
