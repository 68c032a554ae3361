/**
 * The persistent scan queue: rows of `scan_jobs`. A job is claimed by flipping it from queued to
 * running in one conditional UPDATE, so two dispatchers never take the same job; a job found
 * running at start-up belonged to a controller that died and goes back to the queue (its
 * attempt counted). Failed attempts wait an exponential backoff before the next claim.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { backoffDelay } from '../../core/retry.js';
import { notFound } from '../errors.js';
import type { Database, JobSource, JobStatus, ScanJob } from '../store/schema.js';

export interface EnqueueInput {
  source: JobSource;
  registryId?: string | null;
  reference: string;
  repository?: string | null;
  tag?: string | null;
  digest?: string | null;
  priority?: number;
  maxAttempts?: number;
  requestedBy?: string | null;
}

export interface JobView {
  id: string;
  source: JobSource;
  registryId: string | null;
  reference: string;
  repository: string | null;
  tag: string | null;
  digest: string | null;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  notBefore: string;
  progress: string | null;
  error: string | null;
  requestedBy: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export const ACTIVE: readonly JobStatus[] = ['queued', 'running'];

export function toJobView(j: ScanJob): JobView {
  return {
    id: j.id,
    source: j.source,
    registryId: j.registry_id,
    reference: j.reference,
    repository: j.repository,
    tag: j.tag,
    digest: j.digest,
    status: j.status,
    attempts: j.attempts,
    maxAttempts: j.max_attempts,
    notBefore: j.not_before,
    progress: j.progress,
    error: j.error,
    requestedBy: j.requested_by,
    createdAt: j.created_at,
    startedAt: j.started_at,
    finishedAt: j.finished_at,
  };
}

export class JobQueue {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date,
    private readonly o: { retryBaseMs: number; defaultMaxAttempts: number },
  ) {}

  private newRow(i: EnqueueInput, o: Pick<ScanJob, 'status' | 'progress'> & Partial<ScanJob>): ScanJob {
    const at = this.now().toISOString();
    return {
      id: randomUUID(),
      source: i.source,
      registry_id: i.registryId ?? null,
      reference: i.reference,
      repository: i.repository ?? null,
      tag: i.tag ?? null,
      digest: i.digest ?? null,
      priority: i.priority ?? 0,
      attempts: 0,
      max_attempts: i.maxAttempts ?? this.o.defaultMaxAttempts,
      not_before: at,
      error: null,
      requested_by: i.requestedBy ?? null,
      created_at: at,
      started_at: null,
      finished_at: null,
      ...o,
    };
  }

  /** Adds a job, unless one for the same digest is already queued or running: then that one. */
  async enqueue(i: EnqueueInput): Promise<{ job: ScanJob; created: boolean }> {
    if (i.digest) {
      const existing = await this.db.selectFrom('scan_jobs').selectAll().where('digest', '=', i.digest).where('status', 'in', ACTIVE).executeTakeFirst();
      if (existing) return { job: existing, created: false };
    }
    const job = this.newRow(i, { status: 'queued', progress: null });
    await this.db.insertInto('scan_jobs').values(job).execute();
    return { job, created: true };
  }

  /** A job that needed no worker (an on-demand scan answered from the stored inventory), kept for the record. */
  async record(i: EnqueueInput & { status: JobStatus; progress: string }): Promise<ScanJob> {
    const at = this.now().toISOString();
    const job = this.newRow(i, { status: i.status, progress: i.progress, started_at: at, finished_at: at });
    await this.db.insertInto('scan_jobs').values(job).execute();
    return job;
  }

  async get(id: string): Promise<ScanJob> {
    const j = await this.db.selectFrom('scan_jobs').selectAll().where('id', '=', id).executeTakeFirst();
    if (!j) throw notFound(`no scan job ${id}`);
    return j;
  }

  async list(o: { status?: JobStatus[]; registryId?: string; limit: number }): Promise<ScanJob[]> {
    let q = this.db.selectFrom('scan_jobs').selectAll();
    if (o.status?.length) q = q.where('status', 'in', o.status);
    if (o.registryId) q = q.where('registry_id', '=', o.registryId);
    return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(o.limit).execute();
  }

  async counts(): Promise<Record<JobStatus, number>> {
    const rows = await this.db.selectFrom('scan_jobs').select(['status', this.db.fn.countAll<number>().as('n')]).groupBy('status').execute();
    const out: Record<JobStatus, number> = { queued: 0, running: 0, done: 0, failed: 0, cancelled: 0 };
    for (const r of rows) out[r.status] = Number(r.n);
    return out;
  }

  /**
   * Claims up to `n` due jobs, highest priority first, without exceeding any registry's
   * concurrency limit (`running` counts include jobs claimed here).
   */
  async claim(n: number, limitOf: (registryId: string) => number): Promise<ScanJob[]> {
    if (n <= 0) return [];
    const now = this.now().toISOString();
    const running = await this.db.selectFrom('scan_jobs').select(['registry_id', this.db.fn.countAll<number>().as('n')]).where('status', '=', 'running').groupBy('registry_id').execute();
    const busy = new Map(running.map((r) => [r.registry_id ?? '', Number(r.n)]));
    const due = await this.db
      .selectFrom('scan_jobs')
      .selectAll()
      .where('status', '=', 'queued')
      .where('not_before', '<=', now)
      .orderBy('priority', 'desc')
      .orderBy('created_at')
      .orderBy('id')
      .limit(Math.max(50, n * 10))
      .execute();
    const out: ScanJob[] = [];
    for (const j of due) {
      if (out.length >= n) break;
      const key = j.registry_id ?? '';
      if (j.registry_id && (busy.get(key) ?? 0) >= limitOf(j.registry_id)) continue;
      const r = await this.db
        .updateTable('scan_jobs')
        .set({ status: 'running', started_at: now, attempts: j.attempts + 1, progress: 'starting', error: null })
        .where('id', '=', j.id)
        .where('status', '=', 'queued')
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) continue;
      busy.set(key, (busy.get(key) ?? 0) + 1);
      out.push({ ...j, status: 'running', started_at: now, attempts: j.attempts + 1, progress: 'starting', error: null });
    }
    return out;
  }

  async progress(id: string, text: string): Promise<void> {
    await this.db.updateTable('scan_jobs').set({ progress: text }).where('id', '=', id).where('status', '=', 'running').execute();
  }

  async succeed(id: string, digest: string | null): Promise<void> {
    const set: { status: JobStatus; finished_at: string; progress: string; error: null; digest?: string } = { status: 'done', finished_at: this.now().toISOString(), progress: 'done', error: null };
    if (digest) set.digest = digest;
    await this.db.updateTable('scan_jobs').set(set).where('id', '=', id).where('status', '=', 'running').execute();
  }

  /** A failed attempt: back to the queue after a backoff while attempts remain and it may help, else failed. Returns the new status. */
  async fail(job: ScanJob, error: string, retriable: boolean, retryAfterMs?: number): Promise<JobStatus> {
    const again = retriable && job.attempts < job.max_attempts;
    const now = this.now();
    const delay = Math.max(retryAfterMs ?? 0, backoffDelay(job.attempts - 1, this.o.retryBaseMs));
    const r = await this.db
      .updateTable('scan_jobs')
      .set(again ? { status: 'queued', error, progress: `retrying in ${Math.ceil(delay / 1000)} s`, not_before: new Date(now.getTime() + delay).toISOString() } : { status: 'failed', error, progress: null, finished_at: now.toISOString() })
      .where('id', '=', job.id)
      .where('status', '=', 'running')
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return (await this.get(job.id)).status;
    return again ? 'queued' : 'failed';
  }

  /** Cancels a queued or running job; false when it had already ended. */
  async cancel(id: string): Promise<boolean> {
    await this.get(id);
    const r = await this.db.updateTable('scan_jobs').set({ status: 'cancelled', finished_at: this.now().toISOString(), progress: null }).where('id', '=', id).where('status', 'in', ACTIVE).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Jobs left running by a controller that stopped (crash, kill -9, shutdown mid-scan) go back to the queue. */
  async requeueRunning(ids?: string[]): Promise<number> {
    let q = this.db.updateTable('scan_jobs').set({ status: 'queued', progress: 'requeued', not_before: this.now().toISOString() }).where('status', '=', 'running');
    if (ids) {
      if (ids.length === 0) return 0;
      q = q.where('id', 'in', ids);
    }
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows);
  }
}
