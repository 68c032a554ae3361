/**
 * The scanning side of the controller: crawls (by hand or on schedule), the dispatcher that
 * feeds queued jobs to the worker threads within each registry's concurrency limit, storing
 * inventories and results, on-demand scans for CI, cancellation, and re-matching everything
 * when the vulnerability DB changes. The queue is in the store, so all of it survives restarts.
 */
import { CronExpressionParser } from 'cron-parser';
import type { Kysely } from 'kysely';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { VigilError, describeError, isVigilError } from '../../core/errors.js';
import { parseReference } from '../../image/reference.js';
import { RegistryBrowser } from '../../image/registry/ping.js';
import type { ComplianceReport } from '../../compliance/types.js';
import type { AuditLog } from '../auth/audit.js';
import { badRequest, conflict } from '../errors.js';
import type { RegistryConnection, RegistryService, Schedule } from '../registries/registry-service.js';
import type { Database, RegistryRow, ScanJob } from '../store/schema.js';
import { crawlRegistry, type CrawlResult } from './crawler.js';
import { ImageStore, type MatchOutcome } from './images.js';
import { JobQueue, toJobView, type JobView } from './queue.js';
import { WorkerPool } from './pool.js';
import type { ScanTask } from './task.js';
import type { VulnDbHolder } from './vulndb.js';

export interface ScanServiceOptions {
  /** Worker threads (`--scan-workers`). */
  workers: number;
  /** Per-image limit. */
  scanTimeoutMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  /** How often the dispatcher looks for due jobs when nothing woke it. */
  pollMs: number;
  /** How often schedules are evaluated. */
  scheduleTickMs: number;
  /** How often the DB file is checked for a new version (`vigil db import` next to the server). */
  dbPollMs: number;
}

export const DEFAULT_SCAN_OPTIONS: ScanServiceOptions = {
  workers: 2,
  scanTimeoutMs: 10 * 60_000,
  maxAttempts: 3,
  retryBaseMs: 5_000,
  pollMs: 2_000,
  scheduleTickMs: 30_000,
  dbPollMs: 10_000,
};

/** Failures that another attempt cannot fix. */
const FINAL_CODES = new Set(['cloud-credentials', 'cloud-auth-refused', 'not-found', 'unauthorized', 'denied', 'unknown-media-type', 'bad-reference', 'no-platform', 'schema1', 'cancelled']);

function retriable(e: unknown): boolean {
  if (!isVigilError(e)) return true;
  if (FINAL_CODES.has(e.code)) return false;
  return e.kind === 'network' || e.kind === 'registry' || ['scan-timeout', 'worker-crashed', 'worker-exited', 'pool-busy'].includes(e.code);
}

export interface CiScanResult {
  job: JobView;
  digest: string;
  /** The inventory was already stored for this digest: matched again, not pulled. */
  cached: boolean;
}

interface Deps {
  db: Kysely<Database>;
  audit: AuditLog;
  registries: RegistryService;
  vulndb: VulnDbHolder;
  metrics: Registry;
  now: () => Date;
  log: { info(o: object, m?: string): void; warn(o: object, m?: string): void; error(o: object, m?: string): void };
}

export class ScanService {
  readonly images: ImageStore;
  readonly queue: JobQueue;
  private readonly o: ScanServiceOptions;
  private pool: WorkerPool | undefined;
  private readonly running = new Map<string, AbortController>();
  private readonly waiters = new Map<string, Array<(j: ScanJob) => void>>();
  private readonly crawling = new Map<string, Promise<CrawlResult>>();
  private timers: NodeJS.Timeout[] = [];
  private dispatching = false;
  private again = false;
  private stopped = false;
  private rematching: Promise<void> | undefined;
  /** Where an image's compliance report goes (the risks service); set when the app is built. */
  onImageCompliance: ((digest: string, report: ComplianceReport) => Promise<unknown>) | undefined;
  private readonly m: { scans: Counter; duration: Histogram; crawls: Counter };

  constructor(
    private readonly d: Deps,
    o: Partial<ScanServiceOptions> = {},
  ) {
    this.o = { ...DEFAULT_SCAN_OPTIONS, ...o };
    this.images = new ImageStore(d.db, d.now);
    this.queue = new JobQueue(d.db, d.now, { retryBaseMs: this.o.retryBaseMs, defaultMaxAttempts: this.o.maxAttempts });
    const registers = [d.metrics];
    this.m = {
      scans: new Counter({ name: 'vigil_scans_total', help: 'image scans finished, by result (done, failed, retried, cancelled)', labelNames: ['result'], registers }),
      duration: new Histogram({ name: 'vigil_scan_duration_seconds', help: 'time to pull and inventory one image', buckets: [0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600], registers }),
      crawls: new Counter({ name: 'vigil_registry_crawls_total', help: 'registry crawls, by result', labelNames: ['result'], registers }),
    };
    const queue = this.queue;
    new Gauge({
      name: 'vigil_scan_queue_depth',
      help: 'scan jobs by state (queued, running)',
      labelNames: ['state'],
      registers,
      async collect() {
        const c = await queue.counts();
        this.set({ state: 'queued' }, c.queued);
        this.set({ state: 'running' }, c.running);
      },
    });
    const vulndb = d.vulndb;
    new Gauge({
      name: 'vigil_vulndb_age_seconds',
      help: 'age of the installed vulnerability DB (from its build time); absent when none is installed',
      registers,
      collect() {
        const s = vulndb.status();
        this.reset();
        if (s.builtAt) this.set((d.now().getTime() - Date.parse(s.builtAt)) / 1000);
      },
    });
  }

  get workers(): number {
    return this.o.workers;
  }

  /** Starts the workers, the dispatcher, the scheduler and the DB watch; requeues jobs a dead controller left running. */
  async start(): Promise<void> {
    const n = await this.queue.requeueRunning();
    if (n) this.d.log.info({ jobs: n }, 'requeued scan jobs left running by the previous controller');
    this.pool = new WorkerPool(this.o.workers);
    this.timers.push(setInterval(() => this.kick(), this.o.pollMs));
    this.timers.push(setInterval(() => void this.tickSchedules().catch((err: unknown) => this.d.log.error({ err }, 'schedule tick failed')), this.o.scheduleTickMs));
    this.timers.push(setInterval(() => this.checkDb(), this.o.dbPollMs));
    for (const t of this.timers) t.unref();
    this.kick();
  }

  /** Stops taking jobs; running scans are abandoned and go back to the queue for the next start. */
  async close(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    const ids = [...this.running.keys()];
    for (const c of this.running.values()) c.abort();
    await this.pool?.close();
    this.pool = undefined;
    await this.queue.requeueRunning(ids).catch(() => undefined);
    // Requests waiting on a scan (CI) answer now instead of holding the shutdown open.
    for (const [id, list] of this.waiters) {
      this.waiters.delete(id);
      const j = await this.queue.get(id).catch(() => undefined);
      if (j) for (const w of list) w(j);
    }
    await Promise.allSettled([...this.crawling.values()]);
    await this.rematching?.catch(() => undefined);
  }

  /** Runs the dispatcher soon (a job was queued, a scan ended). */
  kick(): void {
    if (this.stopped || !this.pool) return;
    if (this.dispatching) {
      this.again = true;
      return;
    }
    this.dispatching = true;
    void this.dispatch()
      .catch((err: unknown) => this.d.log.error({ err }, 'scan dispatcher failed'))
      .finally(() => {
        this.dispatching = false;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async dispatch(): Promise<void> {
    const pool = this.pool;
    if (!pool || this.stopped) return;
    const limits = new Map((await this.d.registries.rows()).map((r) => [r.id, r.scan_concurrency]));
    // Jobs claimed earlier may still be resolving their digest before they reach a thread:
    // count them, not the threads, or a second dispatch would claim more than can run.
    const free = Math.min(pool.idle, this.o.workers - this.running.size);
    const jobs = await this.queue.claim(free, (id) => limits.get(id) ?? 2);
    for (const job of jobs) void this.runJob(job, pool);
  }

  private async connFor(registryHost: string, registryId: string | null | undefined): Promise<RegistryConnection | undefined> {
    if (registryId) return this.d.registries.connection(registryId);
    const row = await this.d.registries.forHost(registryHost);
    return row ? await this.d.registries.connect(row) : undefined;
  }

  private async resolveTag(conn: RegistryConnection | undefined, registryHost: string, repository: string, tag: string): Promise<string> {
    const b = this.browser(conn, registryHost);
    try {
      return await b.digest(repository, tag);
    } finally {
      await b.close();
    }
  }

  private async taskFor(job: ScanJob): Promise<{ task: ScanTask; digest: string }> {
    const ref = parseReference(job.reference);
    const conn = await this.connFor(ref.registry, job.registry_id);
    let digest = job.digest ?? ref.digest;
    if (!digest) {
      // A tag: resolve it first, so the inventory is kept under the digest it had.
      digest = await this.resolveTag(conn, ref.registry, ref.repository, ref.tag ?? 'latest');
      await this.d.db.updateTable('scan_jobs').set({ digest }).where('id', '=', job.id).execute();
    }
    const image = {
      timeoutMs: 60_000,
      ...(conn ? { ...conn.creds, insecure: conn.transport.insecure, plainHttp: conn.transport.plainHttp, useProxy: conn.transport.useProxy, caPems: conn.transport.caPems } : {}),
    };
    // One layer at a time per image: the workers already scan several images at once, and each
    // layer in flight holds its buffers and a decompressor (~12 MB less per busy thread).
    return { task: { reference: `${ref.registry}/${ref.repository}@${digest}`, image, layerConcurrency: 1 }, digest };
  }

  private browser(conn: RegistryConnection | undefined, host: string): RegistryBrowser {
    if (conn) return new RegistryBrowser(conn.row.url, conn.creds, { ...conn.transport, caPem: conn.transport.caPems[0] ?? null, timeoutMs: 30_000 });
    return new RegistryBrowser(`https://${host}`, {}, { timeoutMs: 30_000 });
  }

  private async runJob(job: ScanJob, pool: WorkerPool): Promise<void> {
    const abort = new AbortController();
    this.running.set(job.id, abort);
    const started = performance.now();
    let digest = job.digest;
    try {
      const t = await this.taskFor(job);
      digest = t.digest;
      const outcome = await pool.run(t.task, { timeoutMs: this.o.scanTimeoutMs, signal: abort.signal, onProgress: (text) => void this.queue.progress(job.id, text).catch(() => undefined) });
      await this.images.saveInventory(t.digest, outcome.inventory, outcome.scanMs);
      const reader = this.d.vulndb.reader;
      const result = reader ? await this.images.match(t.digest, outcome.inventory, reader) : undefined;
      await this.onImageCompliance?.(t.digest, outcome.compliance);
      await this.queue.succeed(job.id, t.digest);
      this.m.scans.inc({ result: 'done' });
      this.m.duration.observe(outcome.scanMs / 1000);
      await this.d.audit.record({
        actor: null,
        action: 'scan.finished',
        target: t.digest,
        detail: { jobId: job.id, registryId: job.registry_id, repository: job.repository ?? parseReference(job.reference).repository, tag: job.tag, digest: t.digest, packages: outcome.inventory.packages.length, summary: result?.summary ?? null, durationMs: Math.round(performance.now() - started) },
      });
    } catch (e) {
      if (abort.signal.aborted && this.stopped) return; // shutdown: requeued by close()
      const message = isVigilError(e) ? e.message : describeError(e);
      if (isVigilError(e) && e.code === 'cancelled') {
        this.m.scans.inc({ result: 'cancelled' });
        return;
      }
      const status = await this.queue.fail(job, message, retriable(e));
      this.m.scans.inc({ result: status === 'queued' ? 'retried' : 'failed' });
      if (status === 'failed') {
        this.d.log.warn({ job: job.id, reference: job.reference, err: message }, 'scan failed');
        await this.d.audit.record({ actor: null, action: 'scan.failed', target: digest ?? job.reference, detail: { jobId: job.id, registryId: job.registry_id, reference: job.reference, error: message, attempts: job.attempts } });
      }
    } finally {
      this.running.delete(job.id);
      await this.settle(job.id);
      this.kick();
    }
  }

  /** Wakes those waiting on a job that has reached a final state. */
  private async settle(id: string): Promise<void> {
    const list = this.waiters.get(id);
    if (!list) return;
    const j = await this.queue.get(id).catch(() => undefined);
    if (!j || j.status === 'queued' || j.status === 'running') return;
    this.waiters.delete(id);
    for (const w of list) w(j);
  }

  /** Resolves when the job is done, failed or cancelled (or after `timeoutMs`, with the job as it is). */
  async waitFor(id: string, timeoutMs: number): Promise<ScanJob> {
    const now = await this.queue.get(id);
    if (now.status !== 'queued' && now.status !== 'running') return now;
    return new Promise<ScanJob>((resolve) => {
      const done = (j: ScanJob) => {
        clearTimeout(timer);
        resolve(j);
      };
      const timer = setTimeout(() => {
        const list = this.waiters.get(id);
        list?.splice(list.indexOf(done), 1);
        void this.queue.get(id).then(resolve, () => resolve(now));
      }, timeoutMs);
      const list = this.waiters.get(id) ?? [];
      list.push(done);
      this.waiters.set(id, list);
    });
  }

  async cancel(id: string, actor: string | null, ip: string | null): Promise<JobView> {
    const ok = await this.queue.cancel(id);
    const job = await this.queue.get(id);
    if (!ok) throw conflict(`scan job ${id} has already ended (${job.status})`);
    this.running.get(id)?.abort();
    await this.settle(id);
    await this.d.audit.record({ actor, action: 'scan.cancelled', target: id, detail: { reference: job.reference }, ip });
    return toJobView(job);
  }

  /** Crawls one registry now (one crawl per registry at a time: a second call joins the first). */
  crawl(registryId: string, actor: string | null, ip: string | null = null): Promise<CrawlResult> {
    const current = this.crawling.get(registryId);
    if (current) return current;
    const p = this.doCrawl(registryId, actor, ip).finally(() => this.crawling.delete(registryId));
    this.crawling.set(registryId, p);
    return p;
  }

  private async doCrawl(registryId: string, actor: string | null, ip: string | null): Promise<CrawlResult> {
    const conn = await this.d.registries.connection(registryId);
    await this.d.registries.markCrawl(registryId, 'running', null);
    let result: CrawlResult;
    try {
      result = await crawlRegistry(conn, {
        db: this.d.db,
        now: this.d.now,
        known: async (digest) => (await this.images.has(digest)) || !!(await this.d.db.selectFrom('scan_jobs').select('id').where('digest', '=', digest).where('status', 'in', ['queued', 'running']).executeTakeFirst()),
        enqueue: async (c, repository, tag, digest) => {
          await this.queue.enqueue({ source: 'registry', registryId: c.row.id, reference: `${c.host}/${repository}@${digest}`, repository, tag, digest, requestedBy: actor });
          this.kick();
        },
      });
    } catch (e) {
      const message = describeError(e);
      await this.d.registries.markCrawl(registryId, 'failed', message);
      this.m.crawls.inc({ result: 'failed' });
      await this.d.audit.record({ actor: null, action: 'crawl.failed', target: registryId, detail: { registry: conn.row.name, error: message }, ip });
      throw isVigilError(e) ? e : new VigilError('crawl-failed', message, { kind: 'registry', cause: e });
    }
    const failed = result.errors.length > 0 && result.tags === 0 && result.repositories > 0;
    await this.d.registries.markCrawl(registryId, failed ? 'failed' : 'ok', result.errors.length ? result.errors.slice(0, 5).join('; ') : null);
    this.m.crawls.inc({ result: failed ? 'failed' : 'ok' });
    await this.d.audit.record({ actor, action: failed ? 'crawl.failed' : 'crawl.finished', target: registryId, detail: { registry: conn.row.name, ...result, errors: result.errors.slice(0, 20) }, ip });
    return result;
  }

  /** An on-demand scan (CI): a digest whose inventory is stored is matched again, not pulled, unless `force`. */
  async scanReference(reference: string, o: { force?: boolean; actor: string | null; registryId?: string; wait?: boolean }): Promise<CiScanResult> {
    let ref;
    try {
      ref = parseReference(reference);
    } catch (e) {
      throw badRequest(isVigilError(e) ? e.message : `${reference} is not an image reference`);
    }
    const conn = await this.connFor(ref.registry, o.registryId);
    const digest = ref.digest ?? (await this.resolveTag(conn, ref.registry, ref.repository, ref.tag ?? 'latest'));
    const base = { source: 'ci' as const, registryId: conn?.row.id ?? null, reference, repository: ref.repository, tag: ref.tag ?? null, digest, priority: 10, maxAttempts: 2, requestedBy: o.actor };
    if (!o.force && (await this.images.has(digest))) {
      const inv = await this.images.inventory(digest);
      const reader = this.d.vulndb.reader;
      if (inv && reader) await this.images.match(digest, inv, reader);
      const job = await this.queue.record({ ...base, status: 'done', progress: 'done (stored inventory, not pulled)' });
      return { job: toJobView(job), digest, cached: true };
    }
    const { job } = await this.queue.enqueue(base);
    this.kick();
    if (o.wait === false) return { job: toJobView(job), digest, cached: false };
    const end = await this.waitFor(job.id, this.o.scanTimeoutMs * this.o.maxAttempts + 60_000);
    if (this.stopped && end.status !== 'done') throw new VigilError('shutting-down', `the controller is shutting down; the scan of ${reference} is queued again (job ${job.id})`, { kind: 'db' });
    if (end.status !== 'done') {
      throw new VigilError(end.status === 'cancelled' ? 'cancelled' : 'scan-failed', `scan of ${reference} ${end.status === 'running' || end.status === 'queued' ? 'did not finish in time' : end.status}${end.error ? `: ${end.error}` : ''}`, { kind: 'registry' });
    }
    return { job: toJobView(end), digest, cached: false };
  }

  /** The DB file changed on disk (import, update, upload): re-match everything stored. */
  checkDb(): void {
    if (this.rematching) return;
    if (!this.d.vulndb.reloadIfChanged()) return;
    void this.rematch('file').catch((err: unknown) => this.d.log.error({ err }, 're-match after DB change failed'));
  }

  /**
   * Re-matches every stored inventory against the installed DB (no pulls), records
   * `findings.changed` per image that gained or lost findings and one `db.updated`, then queues
   * a crawl of every registry marked "rescan after DB update".
   */
  rematch(trigger: string): Promise<void> {
    if (this.rematching) return this.rematching;
    const p = this.doRematch(trigger).finally(() => {
      this.rematching = undefined;
    });
    this.rematching = p;
    return p;
  }

  private async doRematch(trigger: string): Promise<void> {
    const reader = this.d.vulndb.reader;
    if (!reader) return;
    const started = performance.now();
    const tagsOf = async (digest: string) =>
      (await this.d.db.selectFrom('registry_tags').select(['repository', 'tag']).where('digest', '=', digest).limit(20).execute()).map((t) => `${t.repository}:${t.tag}`);
    const r = await this.images.rematchAll(reader, async (digest, o: MatchOutcome) => {
      await this.d.audit.record({ actor: null, action: 'findings.changed', target: digest, detail: { tags: await tagsOf(digest), gained: o.gained.slice(0, 200), lost: o.lost.slice(0, 200), gainedCount: o.gained.length, lostCount: o.lost.length, summary: o.summary } });
    });
    const ms = Math.round(performance.now() - started);
    await this.d.audit.record({ actor: null, action: 'db.updated', target: null, detail: { trigger, builtAt: reader.info().builtAt, rematched: r.images, changed: r.changed, ms } });
    this.d.log.info({ rematched: r.images, changed: r.changed, ms }, 're-matched stored inventories against the new DB');
    for (const row of await this.d.registries.rows()) {
      if (row.rescan_after_db_update === 1) void this.crawl(row.id, null).catch(() => undefined);
    }
  }

  /** Starts the crawls whose schedule is due. */
  async tickSchedules(): Promise<void> {
    if (this.stopped) return;
    const now = this.d.now();
    for (const row of await this.d.registries.rows()) {
      if (this.crawling.has(row.id)) continue;
      if (isDue(row, now)) void this.crawl(row.id, null).catch((err: unknown) => this.d.log.warn({ err: describeError(err), registry: row.name }, 'scheduled crawl failed'));
    }
  }
}

/** Is a scheduled crawl of `row` due at `now`? Missed runs (server down) are caught up once. */
export function isDue(row: RegistryRow, now: Date): boolean {
  const s = JSON.parse(row.schedule) as Schedule;
  if (s.kind === 'manual') return false;
  const last = row.last_crawl_at ?? null;
  if (s.kind === 'interval') return !last || Date.parse(last) + s.minutes * 60_000 <= now.getTime();
  const from = new Date(last ?? row.created_at);
  const next = CronExpressionParser.parse(s.expression, { currentDate: from, tz: 'UTC' }).next().toDate();
  return next.getTime() <= now.getTime();
}
