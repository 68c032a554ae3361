/**
 * Registries that are down, slow or answer 429: retries with backoff, then one clear error event
 * — never a hang, never a lost or duplicated job. Also the scheduler's idea of "due", and the
 * scan metrics.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { startFaultProxy, type Fault, type FaultProxy } from '../../../test/helpers/fault-proxy.js';
import { freePort } from '../../../test/helpers/net.js';
import { startRegistry, type StartedRegistry } from '../../../test/helpers/registry.js';
import type { RegistryRow } from '../store/schema.js';
import { PASSWORDS, bearer, testApp, type TestApp } from '../test-helpers.js';
import { isDue } from './scan-service.js';
import { until } from '../../../test/helpers/until.js';

let reg: StartedRegistry;
let proxy: FaultProxy;
let fault: (url: string) => Fault | undefined = () => undefined;

beforeAll(async () => {
  reg = await startRegistry();
  await reg.push('debian12', 'demo/base:12');
  proxy = await startFaultProxy(reg.url, (req) => fault(req.url ?? ''));
}, 120_000);
afterAll(async () => {
  await proxy?.close();
  await reg?.stop();
});


describe('registry failures', () => {
  let t: TestApp;
  let admin: string;
  beforeEach(async () => {
    fault = () => undefined;
    t = await testApp(':memory:', { scan: { workers: 1, pollMs: 100, retryBaseMs: 50, maxAttempts: 2, scanTimeoutMs: 3_000 } });
    await t.app.scans.start();
    admin = await t.login('admin', PASSWORDS.admin);
  });
  afterEach(async () => {
    await t.close();
  });

  const api = async (method: 'GET' | 'POST', url: string, payload?: object) => {
    const r = await t.app.inject({ method, url, headers: bearer(admin), ...(payload ? { payload } : {}) });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- checked field by field
    return { status: r.statusCode, body: r.json() as Record<string, any> };
  };
  const addRegistry = async (url: string) => (await api('POST', '/api/v1/registries', { name: 'r', type: 'docker-v2', url, filters: ['demo/*'] })).body.id as string;
  const failedJob = () =>
    until('the job to fail', async () => {
      const jobs = (await api('GET', '/api/v1/scans')).body.jobs as Array<{ status: string; attempts: number; error: string }>;
      return jobs.find((j) => j.status === 'failed');
    });

  test('a registry that is down: the crawl fails with a clear event and the registry shows it', async () => {
    const id = await addRegistry(`http://127.0.0.1:${await freePort()}`);
    const r = await api('POST', `/api/v1/registries/${id}/scan`);
    expect(r.status).toBe(502);
    expect(r.body.message).toMatch(/127\.0\.0\.1/);
    const ev = (await api('GET', '/api/v1/events?action=crawl.failed')).body.events as Array<{ detail: { error: string } }>;
    expect(ev).toHaveLength(1);
    expect(ev[0]!.detail.error).toMatch(/connect|refused|ECONNREFUSED/i);
    expect((await api('GET', `/api/v1/registries/${id}`)).body.lastCrawl).toMatchObject({ status: 'failed' });
  });

  test('429 on every blob: the client backs off, the job is retried, then one scan.failed event', async () => {
    const id = await addRegistry(proxy.url);
    fault = (url) => (url.includes('/blobs/') ? { status: 429, headers: { 'retry-after': '0' }, body: '{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}' } : undefined);
    const before = proxy.requests.length;
    expect((await api('POST', `/api/v1/registries/${id}/scan`)).body.queued).toBe(1);
    const job = await failedJob();
    expect(job.attempts).toBe(2);
    expect(job.error).toMatch(/429/);
    const blobs = proxy.requests.slice(before).filter((r) => r.url.includes('/blobs/'));
    // Each attempt retried the 429 inside the registry client too: more than one request per attempt, but bounded.
    expect(blobs.length).toBeGreaterThan(2);
    expect(blobs.length).toBeLessThan(30);
    const ev = (await api('GET', '/api/v1/events?action=scan.failed')).body.events as unknown[];
    expect(ev).toHaveLength(1);
  }, 90_000);

  test('a registry that hangs: the per-image timeout ends each attempt, then one scan.failed event', async () => {
    const id = await addRegistry(proxy.url);
    fault = (url) => (url.includes('/blobs/') ? 'hang' : undefined);
    await api('POST', `/api/v1/registries/${id}/scan`);
    const job = await failedJob();
    expect(job.attempts).toBe(2);
    expect(job.error).toMatch(/longer than 3 s/);
  }, 90_000);

  test('shutting down while a CI request waits on its scan: the request answers 503 at once, the job is queued again', async () => {
    await addRegistry(proxy.url);
    fault = (url) => (url.includes('/blobs/') ? 'hang' : undefined);
    const pending = t.app.inject({ method: 'POST', url: '/api/v1/scan/repository', headers: bearer(admin), payload: { image: `${proxy.host}/demo/base:12` } });
    await until('the scan to run', async () => ((await api('GET', '/api/v1/scans')).body.jobs as Array<{ status: string }>)[0]?.status === 'running');
    const started = Date.now();
    await t.app.scans.close();
    const r = await pending;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(r.statusCode).toBe(503);
    expect(r.json().message).toMatch(/shutting down/);
    expect(((await api('GET', '/api/v1/scans')).body.jobs as Array<{ status: string }>)[0]?.status).toBe('queued');
  }, 60_000);

  test('a slow registry within the timeout: the scan completes', async () => {
    const id = await addRegistry(proxy.url);
    fault = (url) => (url.includes('/blobs/') ? { delayMs: 500 } : undefined);
    await api('POST', `/api/v1/registries/${id}/scan`);
    await until('the job to finish', async () => ((await api('GET', '/api/v1/scans')).body.jobs as Array<{ status: string }>).find((j) => j.status === 'done'));
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics', headers: bearer(admin) })).body;
    expect(metrics).toMatch(/vigil_scans_total\{result="done"\} 1/);
    expect(metrics).toMatch(/vigil_scan_queue_depth\{state="queued"\} 0/);
    expect(metrics).toMatch(/vigil_vulndb_age_seconds \d/);
    expect(metrics).toMatch(/vigil_registry_crawls_total\{result="ok"\} 1/);
  }, 60_000);
});

describe('schedules', () => {
  const row = (schedule: object, last: string | null, created = '2026-01-01T00:00:00.000Z') => ({ schedule: JSON.stringify(schedule), last_crawl_at: last, created_at: created }) as RegistryRow;
  const at = (s: string) => new Date(s);

  test('manual never, interval after N minutes (and at once when never crawled)', () => {
    expect(isDue(row({ kind: 'manual' }, null), at('2030-01-01T00:00:00Z'))).toBe(false);
    expect(isDue(row({ kind: 'interval', minutes: 30 }, null), at('2026-01-01T00:00:00Z'))).toBe(true);
    expect(isDue(row({ kind: 'interval', minutes: 30 }, '2026-01-01T10:00:00.000Z'), at('2026-01-01T10:29:00Z'))).toBe(false);
    expect(isDue(row({ kind: 'interval', minutes: 30 }, '2026-01-01T10:00:00.000Z'), at('2026-01-01T10:30:00Z'))).toBe(true);
  });

  test('cron: due once the next time after the last crawl has come; missed runs caught up once', () => {
    const daily = { kind: 'cron', expression: '0 3 * * *' };
    expect(isDue(row(daily, '2026-01-01T03:00:05.000Z'), at('2026-01-02T02:59:00Z'))).toBe(false);
    expect(isDue(row(daily, '2026-01-01T03:00:05.000Z'), at('2026-01-02T03:00:00Z'))).toBe(true);
    expect(isDue(row(daily, '2026-01-01T03:00:05.000Z'), at('2026-03-01T00:00:00Z'))).toBe(true);
    // Never crawled: counted from the registry's creation.
    expect(isDue(row({ kind: 'cron', expression: '*/15 * * * *' }, null, '2026-01-01T00:01:00.000Z'), at('2026-01-01T00:14:00Z'))).toBe(false);
    expect(isDue(row({ kind: 'cron', expression: '*/15 * * * *' }, null, '2026-01-01T00:01:00.000Z'), at('2026-01-01T00:15:00Z'))).toBe(true);
  });

  test('the scheduler starts due crawls by itself', async () => {
    const t = await testApp(':memory:', { scan: { workers: 1, pollMs: 100, scheduleTickMs: 100 } });
    try {
      await t.app.scans.start();
      const admin = await t.login('admin', PASSWORDS.admin);
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/registries', headers: bearer(admin), payload: { name: 's', type: 'docker-v2', url: reg.url, filters: ['demo/*'], schedule: { kind: 'interval', minutes: 5 } } });
      expect(r.statusCode).toBe(201);
      await until('a scheduled crawl', async () => {
        const ev = (await t.app.inject({ method: 'GET', url: '/api/v1/events?action=crawl.finished', headers: bearer(admin) })).json() as { events: Array<{ actor: string | null }> };
        return ev.events.length === 1 && ev.events[0]!.actor === null;
      });
      // Not due again for 5 minutes: a few more ticks start nothing.
      await new Promise((res) => setTimeout(res, 500));
      const ev = (await t.app.inject({ method: 'GET', url: '/api/v1/events?action=crawl.finished', headers: bearer(admin) })).json() as { events: unknown[] };
      expect(ev.events).toHaveLength(1);
    } finally {
      await t.close();
    }
  }, 60_000);
});
