import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { freePort } from '../../../test/helpers/net.js';
import { usePostgres } from '../../../test/helpers/postgres.js';
import { startReceiver, type Receiver, type Responder } from '../../../test/helpers/webhook-receiver.js';
import type { AuditInput } from '../auth/audit.js';
import { PASSWORDS, bearer, testApp, type TestApp } from '../test-helpers.js';
import type { NotifierOptions } from './notifier.js';

const pg = usePostgres();
const SECRET = 'hook-signing-secret-1';

const SCAN_FINISHED: AuditInput = {
  actor: null,
  action: 'scan.finished',
  target: 'sha256:' + 'ab'.repeat(32),
  detail: { registry: 'local', repository: 'demo/app', tag: '1', digest: 'sha256:' + 'ab'.repeat(32), counts: { critical: 3, high: 10, medium: 0, low: 2 }, durationMs: 1500 },
};
const DB_UPDATED: AuditInput = { actor: null, action: 'db.updated', detail: { built: '2026-03-02T00:00:00Z', previousBuilt: '2026-03-01T00:00:00Z', rematched: 4 } };

type Event = { action: string; category: string; target: string | null; detail: Record<string, unknown> };

describe.each(pg.backends)('%s', (_backend, database) => {
  const open: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    // The apps first (they were opened first): receivers stay up until nothing can send.
    for (const o of open.splice(0)) await o.close();
  });

  /** Waits are recorded and skipped: backoff is checked by value, not by the clock. */
  const fast = () => {
    const waits: number[] = [];
    const sleep = (ms: number, signal: AbortSignal) => {
      waits.push(ms);
      return signal.aborted ? Promise.reject(signal.reason) : Promise.resolve();
    };
    return { waits, options: { sleep, random: () => 0.5, retryBaseMs: 100, maxAttempts: 3, timeoutMs: 5_000 } satisfies NotifierOptions };
  };

  const start = async (notify: NotifierOptions = fast().options) => {
    const t: TestApp = await testApp(await database(), { notify });
    let closing: Promise<void> | undefined;
    const close = () => (closing ??= t.close());
    open.push({ close });
    const admin = await t.login('admin', PASSWORDS.admin);
    const hook = async (body: Record<string, unknown>) => {
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: bearer(admin), payload: { name: `hook-${Math.random().toString(36).slice(2, 8)}`, ...body } });
      expect(r.statusCode, r.body).toBe(201);
      return r.json() as { id: string; name: string };
    };
    const events = async (query: string) => {
      const r = await t.app.inject({ method: 'GET', url: `/api/v1/events?${query}`, headers: bearer(admin) });
      expect(r.statusCode, r.body).toBe(200);
      return (r.json() as { events: Event[] }).events;
    };
    const idle = () => vi.waitFor(() => expect(t.app.notifier.stats()).toMatchObject({ pending: 0 }), { timeout: 10_000, interval: 10 });
    return { t, admin, hook, events, idle, close, record: (e: AuditInput) => t.app.auth.audit.record(e) };
  };

  const receiver = async (respond?: Responder): Promise<Receiver> => {
    const r = await startReceiver(respond);
    open.push(r);
    return r;
  };

  test('an event is POSTed as JSON, signed with HMAC-SHA256 of the exact body', async () => {
    const s = await start();
    const rx = await receiver();
    await s.hook({ url: rx.url, secret: SECRET, categories: ['scan'] });
    await s.record(SCAN_FINISHED);
    const [req] = await rx.waitFor(1);
    expect(req!.method).toBe('POST');
    expect(req!.path).toBe('/hook');
    expect(req!.headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8', 'x-vigil-event': 'scan.finished', 'user-agent': expect.stringMatching(/^vigil\//) });
    expect(req!.headers['x-vigil-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    expect(req!.headers['x-vigil-signature']).toBe('sha256=' + createHmac('sha256', SECRET).update(req!.body).digest('hex'));
    expect(JSON.parse(req!.body)).toMatchObject({
      event: { type: 'audit', category: 'scan', action: 'scan.finished', actor: null, target: SCAN_FINISHED.target, detail: SCAN_FINISHED.detail, at: expect.any(String), id: expect.any(String) },
      summary: 'Scan finished: demo/app:1 — 3 critical, 10 high, 2 low (1.5 s)',
      server: { product: 'vigil', version: expect.any(String) },
    });
    await s.idle();
    expect(s.t.app.notifier.stats()).toMatchObject({ delivered: 1, failed: 0, dropped: 0 });
  });

  test('without a secret there is no signature header', async () => {
    const s = await start();
    const rx = await receiver();
    await s.hook({ url: rx.url });
    await s.record(DB_UPDATED);
    const [req] = await rx.waitFor(1);
    expect(req!.headers['x-vigil-signature']).toBeUndefined();
  });

  test('slack format: {text, blocks} with a readable summary', async () => {
    const s = await start();
    const rx = await receiver();
    await s.hook({ url: rx.url, format: 'slack' });
    await s.record(SCAN_FINISHED);
    const body = JSON.parse((await rx.waitFor(1))[0]!.body) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['blocks', 'text']);
    expect(body.text).toBe('Scan finished: demo/app:1 — 3 critical, 10 high, 2 low (1.5 s)');
    expect(body.blocks).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: body.text } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: expect.stringMatching(/^`scan\.finished` · \d{4}-.* · by Vigil · target sha256:abab/) }] },
    ]);
  });

  test('categories filter; webhook.* events are never delivered; disabled webhooks get nothing', async () => {
    const s = await start();
    const all = await receiver();
    const dbOnly = await receiver();
    const off = await receiver();
    await s.hook({ url: all.url });
    await s.hook({ url: dbOnly.url, categories: ['db'] });
    const disabled = await s.hook({ url: off.url, enabled: false });
    await s.record(SCAN_FINISHED);
    // An event caused by a request: delivered after, not inside, the request.
    await s.t.login('reader', PASSWORDS.reader);
    await s.record(DB_UPDATED);
    await all.waitFor(3);
    await dbOnly.waitFor(1);
    await s.idle();
    const actions = (rx: Receiver) => rx.requests.map((r) => (JSON.parse(r.body) as { event: Event }).event.action).sort();
    expect(actions(all)).toEqual(['auth.login', 'db.updated', 'scan.finished']);
    expect(actions(dbOnly)).toEqual(['db.updated']);
    expect(off.requests).toHaveLength(0);
    // The webhook.create events of the setup went nowhere either.
    expect(await s.events('category=webhook')).toHaveLength(3);
    // Enabling takes effect on the next event.
    await s.t.app.inject({ method: 'PATCH', url: `/api/v1/webhooks/${disabled.id}`, headers: bearer(s.admin), payload: { enabled: true } });
    await s.record(DB_UPDATED);
    await off.waitFor(1);
  });

  test('500 twice then 200: delivered on the 3rd attempt, same delivery id, exponential backoff', async () => {
    const f = fast();
    const s = await start({ ...f.options, maxAttempts: 5 });
    const rx = await receiver((_r, n) => ({ status: n <= 2 ? 500 : 200 }));
    await s.hook({ url: rx.url, secret: SECRET });
    await s.record(SCAN_FINISHED);
    const reqs = await rx.waitFor(3);
    await s.idle();
    expect(new Set(reqs.map((r) => r.headers['x-vigil-delivery'])).size).toBe(1);
    // backoffDelay with base 100 and jitter 0.5: 75 then 150.
    expect(f.waits).toEqual([75, 150]);
    expect(s.t.app.notifier.stats()).toMatchObject({ delivered: 1, failed: 0 });
    expect(await s.events('action=webhook.failed')).toEqual([]);
  });

  test('429 with Retry-After: the wait is what the receiver asked for', async () => {
    const f = fast();
    const s = await start(f.options);
    const rx = await receiver((_r, n) => (n === 1 ? { status: 429, headers: { 'retry-after': '7' } } : { status: 200 }));
    await s.hook({ url: rx.url });
    await s.record(DB_UPDATED);
    await rx.waitFor(2);
    await s.idle();
    expect(f.waits).toEqual([7000]);
    expect(s.t.app.notifier.stats()).toMatchObject({ delivered: 1 });
  });

  test('a 4xx other than 408/429 is not retried', async () => {
    const f = fast();
    const s = await start(f.options);
    const rx = await receiver(() => ({ status: 404 }));
    const h = await s.hook({ url: rx.url });
    await s.record(DB_UPDATED);
    await vi.waitFor(async () => expect(await s.events('action=webhook.failed')).toHaveLength(1), { timeout: 10_000 });
    expect(rx.requests).toHaveLength(1);
    expect(f.waits).toEqual([]);
    expect((await s.events('action=webhook.failed'))[0]).toMatchObject({ target: h.id, detail: { attempts: 1, status: 404, error: expect.stringMatching(/answered HTTP 404/) } });
  });

  test('always down: webhook.failed after maxAttempts, never delivered itself (no loop)', async () => {
    const s = await start();
    const rx = await receiver(() => ({ status: 503 }));
    const h = await s.hook({ url: rx.url + '/secret-path-token' });
    await s.record(SCAN_FINISHED);
    await vi.waitFor(async () => expect(await s.events('action=webhook.failed')).toHaveLength(1), { timeout: 10_000 });
    await s.idle();
    const [failed] = await s.events('action=webhook.failed');
    expect(failed).toMatchObject({
      category: 'webhook',
      target: h.id,
      detail: { name: h.name, host: new URL(rx.url).origin, eventAction: 'scan.finished', attempts: 3, status: 503, error: expect.stringMatching(/answered HTTP 503/) },
    });
    // The URL's path can be a credential (Slack): it is not in the event.
    expect(JSON.stringify(failed)).not.toContain('secret-path-token');
    expect(rx.requests).toHaveLength(3);
    expect(rx.requests.every((r) => (JSON.parse(r.body) as { event: Event }).event.action === 'scan.finished')).toBe(true);
    expect(s.t.app.notifier.stats()).toMatchObject({ delivered: 0, failed: 1, pending: 0 });
  });

  test('unreachable receiver: retried as a network error, then webhook.failed', async () => {
    const f = fast();
    const s = await start(f.options);
    const port = await freePort();
    await s.hook({ url: `http://127.0.0.1:${port}/hook` });
    await s.record(DB_UPDATED);
    await vi.waitFor(async () => expect(await s.events('action=webhook.failed')).toHaveLength(1), { timeout: 10_000 });
    expect((await s.events('action=webhook.failed'))[0]!.detail).toMatchObject({ attempts: 3, status: 0, error: `cannot reach http://127.0.0.1:${port}: ECONNREFUSED` });
    expect(f.waits).toHaveLength(2);
  });

  test('a receiver that never answers times out and is retried', async () => {
    const f = fast();
    const s = await start({ ...f.options, timeoutMs: 200, maxAttempts: 2 });
    const rx = await receiver(() => 'hang');
    await s.hook({ url: rx.url });
    await s.record(DB_UPDATED);
    await vi.waitFor(async () => expect(await s.events('action=webhook.failed')).toHaveLength(1), { timeout: 10_000 });
    expect(rx.requests).toHaveLength(2);
    expect((await s.events('action=webhook.failed'))[0]!.detail).toMatchObject({ error: expect.stringMatching(/did not answer within 200 ms/) });
  });

  test('a full queue drops and counts; app.close() with pending retries and hung requests returns promptly', async () => {
    // The real sleep: a retry would wait 30-60 s, which close() must not.
    const s = await start({ retryBaseMs: 60_000, timeoutMs: 60_000, concurrency: 1, queueLimit: 3 });
    const down = await receiver(() => ({ status: 500 }));
    const hung = await receiver(() => 'hang');
    await s.hook({ url: down.url, categories: ['db'] });
    await s.record(DB_UPDATED);
    await down.waitFor(1);
    await vi.waitFor(() => expect(s.t.app.notifier.stats()).toMatchObject({ waiting: 1 }), { timeout: 5_000, interval: 10 });
    await s.hook({ url: hung.url, categories: ['scan'] });
    for (let i = 0; i < 4; i++) await s.record(SCAN_FINISHED);
    await hung.waitFor(1);
    await vi.waitFor(() => expect(s.t.app.notifier.stats()).toMatchObject({ pending: 3, active: 1, queued: 1, waiting: 1, dropped: 2 }), { timeout: 5_000, interval: 10 });
    const metrics = await s.t.app.metrics.getSingleMetricAsString('vigil_webhook_deliveries_total');
    expect(metrics).toContain('vigil_webhook_deliveries_total{outcome="dropped"} 2');
    const started = performance.now();
    await s.close();
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(s.t.app.notifier.stats()).toMatchObject({ pending: 0, abandoned: 3, failed: 0 });
  });

  test('a retry goes to the webhook as it is now: deleted meanwhile → dropped', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const sleep = (_ms: number, signal: AbortSignal) => new Promise<void>((resolve, reject) => {
      void gate.then(resolve);
      signal.addEventListener('abort', () => reject(signal.reason as Error));
    });
    const s = await start({ ...fast().options, sleep });
    const rx = await receiver(() => ({ status: 500 }));
    const h = await s.hook({ url: rx.url });
    await s.record(DB_UPDATED);
    await rx.waitFor(1);
    await vi.waitFor(() => expect(s.t.app.notifier.stats()).toMatchObject({ waiting: 1 }), { timeout: 5_000, interval: 10 });
    expect((await s.t.app.inject({ method: 'DELETE', url: `/api/v1/webhooks/${h.id}`, headers: bearer(s.admin) })).statusCode).toBe(204);
    release();
    await s.idle();
    expect(rx.requests).toHaveLength(1);
    expect(s.t.app.notifier.stats()).toMatchObject({ abandoned: 1, failed: 0 });
  });

  test('POST /webhooks/:id/test sends webhook.test once and says how it went; audited', async () => {
    const s = await start();
    const rx = await receiver();
    const h = await s.hook({ url: rx.url, secret: SECRET, categories: ['db'], enabled: false });
    const r = await s.t.app.inject({ method: 'POST', url: `/api/v1/webhooks/${h.id}/test`, headers: bearer(s.admin) });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ ok: true, status: 204, message: `${new URL(rx.url).origin} answered HTTP 204`, attempts: 1 });
    const req = rx.requests[0]!;
    expect(req.headers['x-vigil-signature']).toBe('sha256=' + createHmac('sha256', SECRET).update(req.body).digest('hex'));
    expect(JSON.parse(req.body)).toMatchObject({ event: { action: 'webhook.test', actor: 'admin', target: h.id }, summary: `Test notification from Vigil for webhook ${h.name} by admin` });
    expect(await s.events('action=webhook.test')).toMatchObject([{ actor: 'admin', target: h.id, detail: { ok: true, status: 204 } }]);

    const port = await freePort();
    await s.t.app.inject({ method: 'PATCH', url: `/api/v1/webhooks/${h.id}`, headers: bearer(s.admin), payload: { url: `http://127.0.0.1:${port}/x` } });
    const down = await s.t.app.inject({ method: 'POST', url: `/api/v1/webhooks/${h.id}/test`, headers: bearer(s.admin) });
    expect(down.json()).toEqual({ ok: false, status: 0, message: `cannot reach http://127.0.0.1:${port}: ECONNREFUSED`, attempts: 1 });
  });
});
