/**
 * Delivers recorded events to the webhooks that want them. It listens to the AuditLog, so an
 * event is sent only once its row is written, and never inside the request that caused it:
 * jobs go to a bounded in-memory queue (a full queue drops and counts, and says so in the log),
 * a few run at once, and a failed attempt is retried with exponential backoff and jitter on
 * network errors, 429 (after Retry-After) and 5xx. After the last attempt the failure becomes a
 * `webhook.failed` event — which, like every `webhook.*` event, is never delivered, so a dead
 * receiver cannot start a loop. Closing abandons what is pending at once.
 *
 * Delivery is at most `maxAttempts` tries, in-memory: a restart loses what was queued. Each
 * POST carries `X-Vigil-Delivery` (the same id on every retry, for receivers to de-duplicate),
 * `X-Vigil-Event` (the action) and, when the webhook has a secret, `X-Vigil-Signature:
 * sha256=<hex HMAC-SHA256 of the body>`.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';
import { Agent, request, type Dispatcher } from 'undici';
import { vigilVersion } from '../../cli/version.js';
import { backoffDelay, isRetriableStatus, parseRetryAfter, RETRY_AFTER_CAP_MS } from '../../core/retry.js';
import type { AuditLog, AuditView } from '../auth/audit.js';
import { MAX_BODY_BYTES, renderBody, signBody, type ServerInfo } from './payloads.js';
import { hostOf, wants, type DeliveryResult, type WebhookTarget } from './webhook-service.js';

export interface NotifierOptions {
  /** Per attempt: connect, response headers, and the whole exchange (ms). */
  timeoutMs?: number;
  /** Tries per event and webhook, the first included. */
  maxAttempts?: number;
  /** First backoff step (ms); doubles per retry, with jitter. */
  retryBaseMs?: number;
  /** Longest Retry-After honoured (ms); a longer one is cut to this. */
  maxRetryAfterMs?: number;
  /** Deliveries in flight at once. */
  concurrency?: number;
  /** Deliveries accepted and not finished (queued, in flight, waiting to retry); more are dropped. */
  queueLimit?: number;
  maxBodyBytes?: number;
  /** Injected for tests: jitter source, and the wait between attempts (must reject when `signal` aborts). */
  random?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  dispatcher?: Dispatcher;
}

/** Where the notifier reads webhooks: WebhookService. */
export interface TargetSource {
  targets(): Promise<WebhookTarget[]>;
  target(id: string): Promise<WebhookTarget | null>;
}

type Log = Pick<FastifyBaseLogger, 'debug' | 'info' | 'warn' | 'error'>;

export interface NotifierDeps {
  audit: AuditLog;
  source: TargetSource;
  log?: Log;
  /** The app's prom-client registry, for delivery counters. */
  metrics?: Registry;
  now?: () => Date;
}

export interface NotifierStats {
  pending: number;
  queued: number;
  active: number;
  waiting: number;
  delivered: number;
  failed: number;
  dropped: number;
  abandoned: number;
}

interface Job {
  delivery: string;
  target: WebhookTarget;
  event: AuditView;
  attempts: number;
}

interface Attempt {
  ok: boolean;
  status: number;
  message: string;
  retriable: boolean;
  retryAfterMs?: number;
  aborted?: boolean;
}

type Outcome = 'delivered' | 'failed' | 'dropped' | 'abandoned';

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const silent: Log = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const abortableSleep = (ms: number, signal: AbortSignal) => delay(ms, undefined, { signal });

export class Notifier {
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly concurrency: number;
  private readonly queueLimit: number;
  private readonly maxBodyBytes: number;
  private readonly random: () => number;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly log: Log;
  private readonly now: () => Date;
  private readonly server: ServerInfo = { product: 'vigil', version: vigilVersion() };

  private readonly queue: Job[] = [];
  private readonly tasks = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private readonly unsubscribe: () => void;
  private readonly counter?: Counter<'outcome'>;
  private pending = 0;
  private active = 0;
  private waiting = 0;
  private overflowing = false;
  private closing: Promise<void> | null = null;
  private readonly counts: Record<Outcome, number> = { delivered: 0, failed: 0, dropped: 0, abandoned: 0 };

  constructor(
    private readonly deps: NotifierDeps,
    o: NotifierOptions = {},
  ) {
    this.timeoutMs = o.timeoutMs ?? 10_000;
    this.maxAttempts = Math.max(1, o.maxAttempts ?? 5);
    this.retryBaseMs = o.retryBaseMs ?? 1_000;
    this.maxRetryAfterMs = Math.min(o.maxRetryAfterMs ?? RETRY_AFTER_CAP_MS, RETRY_AFTER_CAP_MS);
    this.concurrency = Math.max(1, o.concurrency ?? 4);
    this.queueLimit = Math.max(1, o.queueLimit ?? 1_000);
    this.maxBodyBytes = o.maxBodyBytes ?? MAX_BODY_BYTES;
    this.random = o.random ?? Math.random;
    this.sleep = o.sleep ?? abortableSleep;
    this.ownsDispatcher = !o.dispatcher;
    this.dispatcher = o.dispatcher ?? new Agent({ connect: { timeout: this.timeoutMs }, headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs, keepAliveTimeout: 10_000 });
    this.log = deps.log ?? silent;
    this.now = deps.now ?? (() => new Date());
    if (deps.metrics) {
      this.counter = new Counter({ name: 'vigil_webhook_deliveries_total', help: 'webhook deliveries by outcome (delivered, failed after every attempt, dropped on a full queue, abandoned at shutdown)', labelNames: ['outcome'], registers: [deps.metrics] });
      const stats = () => this.stats();
      new Gauge({
        name: 'vigil_webhook_pending',
        help: 'webhook deliveries queued, in flight or waiting to retry',
        registers: [deps.metrics],
        collect() {
          this.set(stats().pending);
        },
      });
    }
    this.unsubscribe = deps.audit.onRecord(
      (e) => this.onEvent(e),
      (err, e) => this.log.error({ err, action: e.action }, 'webhook notifier failed to take an event'),
    );
  }

  stats(): NotifierStats {
    return { pending: this.pending, queued: this.queue.length, active: this.active, waiting: this.waiting, ...this.counts };
  }

  /** One attempt, now, outside the queue: the "send a test event" button. */
  async sendOnce(target: WebhookTarget, event: AuditView): Promise<DeliveryResult> {
    const r = await this.attempt(target, event, randomUUID());
    return { ok: r.ok, status: r.status, message: r.message, attempts: 1 };
  }

  /** Stops taking events and abandons pending deliveries (in-flight requests and retry waits end at once). */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.unsubscribe();
    this.queue.length = 0;
    this.abort.abort();
    await Promise.allSettled([...this.tasks]);
    const abandoned = this.pending;
    this.pending = 0;
    if (abandoned > 0) {
      this.count('abandoned', abandoned);
      this.log.warn({ abandoned }, `abandoned ${abandoned} webhook deliver${abandoned === 1 ? 'y' : 'ies'} at shutdown`);
    }
    if (this.ownsDispatcher) await this.dispatcher.destroy().catch(() => undefined);
  }

  private get closed(): boolean {
    return this.abort.signal.aborted;
  }

  private onEvent(e: AuditView): void {
    // webhook.* events (failures, tests, changes) are never delivered: no loops.
    if (this.closed || e.category === 'webhook') return;
    this.track(
      this.route(e).catch((err: unknown) => {
        if (!this.closed) this.log.error({ err, action: e.action }, 'cannot read the webhooks to notify');
      }),
    );
  }

  private track(p: Promise<void>): void {
    const t = p.finally(() => this.tasks.delete(t));
    this.tasks.add(t);
  }

  private async route(e: AuditView): Promise<void> {
    const targets = await this.deps.source.targets();
    if (this.closed) return;
    for (const target of targets) if (wants(target, e)) this.enqueue({ delivery: randomUUID(), target, event: e, attempts: 0 });
  }

  private enqueue(job: Job): void {
    if (this.pending >= this.queueLimit) {
      this.count('dropped');
      if (!this.overflowing) {
        this.overflowing = true;
        this.log.warn({ queueLimit: this.queueLimit, dropped: this.counts.dropped, webhook: job.target.name, action: job.event.action }, 'webhook queue full: dropping deliveries until it drains');
      }
      return;
    }
    this.pending++;
    this.queue.push(job);
    this.pump();
  }

  private pump(): void {
    while (!this.closed && this.active < this.concurrency && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.active++;
      this.track(
        this.run(job)
          .catch((err: unknown) => {
            // A bug, not a receiver's failure: count it so that `pending` stays true.
            this.finish('failed');
            this.log.error({ err, webhook: job.target.name }, 'webhook delivery crashed');
          })
          .finally(() => {
            this.active--;
            this.pump();
          }),
      );
    }
  }

  private finish(outcome: Outcome): void {
    this.pending--;
    this.count(outcome);
    if (this.overflowing && this.pending <= this.queueLimit / 2) {
      this.overflowing = false;
      this.log.info({ dropped: this.counts.dropped }, 'webhook queue drained; taking deliveries again');
    }
  }

  private count(outcome: Outcome, n = 1): void {
    this.counts[outcome] += n;
    this.counter?.inc({ outcome }, n);
  }

  private async run(job: Job): Promise<void> {
    const r = await this.attempt(job.target, job.event, job.delivery);
    if (r.aborted) return; // counted by shutdown
    job.attempts++;
    const where = { webhook: job.target.name, host: hostOf(job.target.url), action: job.event.action, delivery: job.delivery, attempt: job.attempts };
    if (r.ok) {
      this.finish('delivered');
      this.log.debug({ ...where, status: r.status }, 'webhook delivered');
      return;
    }
    if (r.retriable && job.attempts < this.maxAttempts) {
      const wait = r.retryAfterMs !== undefined ? Math.min(r.retryAfterMs, this.maxRetryAfterMs) : backoffDelay(job.attempts - 1, this.retryBaseMs, this.random);
      this.log.info({ ...where, status: r.status, retryInMs: wait, reason: r.message }, 'webhook delivery failed; retrying');
      this.retryLater(job, wait);
      return;
    }
    this.finish('failed');
    this.log.warn({ ...where, status: r.status, reason: r.message }, 'webhook delivery failed');
    await this.deps.audit
      .record({
        actor: null,
        action: 'webhook.failed',
        target: job.target.id,
        detail: { name: job.target.name, host: hostOf(job.target.url), eventId: job.event.id, eventAction: job.event.action, attempts: job.attempts, status: r.status, error: r.message },
      })
      .catch((err: unknown) => {
        if (!this.closed) this.log.error({ err, webhook: job.target.name }, 'cannot record webhook.failed');
      });
  }

  /** The wait does not hold a delivery slot; afterwards the job goes back in the queue with the webhook as it is now. */
  private retryLater(job: Job, ms: number): void {
    this.waiting++;
    this.track(
      this.sleep(ms, this.abort.signal)
        .then(async () => {
          const current = await this.deps.source.target(job.target.id).catch(() => job.target);
          if (this.closed) return;
          if (!current) {
            this.finish('abandoned');
            this.log.info({ webhook: job.target.name, delivery: job.delivery }, 'webhook deleted or disabled; delivery dropped');
            return;
          }
          job.target = current;
          this.queue.push(job);
          this.pump();
        })
        .catch(() => undefined) // aborted by close()
        .finally(() => {
          this.waiting--;
        }),
    );
  }

  private async attempt(target: WebhookTarget, event: AuditView, delivery: string): Promise<Attempt> {
    if (this.closed) return { ok: false, status: 0, retriable: false, aborted: true, message: 'the server is shutting down' };
    if (target.secretError) return { ok: false, status: 0, retriable: false, message: target.secretError };
    const origin = hostOf(target.url);
    const body = renderBody(target.format, event, this.server, this.maxBodyBytes);
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': `vigil/${this.server.version}`,
      'x-vigil-event': event.action,
      'x-vigil-delivery': delivery,
    };
    if (target.secret) headers['x-vigil-signature'] = signBody(body, target.secret);
    const timeout = AbortSignal.timeout(this.timeoutMs);
    try {
      const res = await request(target.url, { method: 'POST', body, headers, dispatcher: this.dispatcher, signal: AbortSignal.any([this.abort.signal, timeout]), headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs });
      const status = res.statusCode;
      // The answer is not read: it is not ours to log, and a slow one must not hold a slot.
      await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
      if (status >= 200 && status < 300) return { ok: true, status, retriable: false, message: `${origin} answered HTTP ${status}` };
      const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(res.headers['retry-after'], this.now().getTime()) : undefined;
      const hint = status >= 300 && status < 400 ? ' (redirects are not followed; give the final URL)' : '';
      return { ok: false, status, retriable: isRetriableStatus(status) || status === 408, retryAfterMs, message: `${origin} answered HTTP ${status}${hint}` };
    } catch (e) {
      if (this.closed) return { ok: false, status: 0, retriable: false, aborted: true, message: 'the server is shutting down' };
      const code = (e as { code?: string }).code;
      if (timeout.aborted || (code && TIMEOUT_CODES.has(code))) return { ok: false, status: 0, retriable: true, message: `${origin} did not answer within ${this.timeoutMs} ms` };
      return { ok: false, status: 0, retriable: true, message: `cannot reach ${origin}: ${code ?? (e as Error).message}` };
    }
  }
}
