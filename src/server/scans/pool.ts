/**
 * Up to N scan worker threads (`--scan-workers`), started when there is a scan to run and ended
 * when idle, so an idle controller holds no scanning memory. A task that exceeds its time limit
 * or is cancelled gets its thread terminated: pulling a layer cannot be interrupted more gently
 * than that, and a terminated worker holds nothing the store needs.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { VigilError } from '../../core/errors.js';
import type { ScanOutcome, ScanTask, WorkerReply } from './task.js';

/** The compiled worker: next to this file in dist/, or dist/ when running from the TypeScript sources (tests). */
export function workerFile(): string {
  const beside = fileURLToPath(new URL('./worker.js', import.meta.url));
  if (!import.meta.url.endsWith('.ts') && existsSync(beside)) return beside;
  const built = fileURLToPath(new URL('../../../dist/server/scans/worker.js', import.meta.url));
  if (existsSync(built)) return built;
  throw new VigilError('no-worker', `the scan worker ${built} is missing; run npm run build`, { kind: 'internal' });
}

export interface RunOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (text: string) => void;
}

interface Slot {
  worker: Worker;
  busy: boolean;
  idleTimer?: NodeJS.Timeout;
}

export interface PoolOptions {
  /** An idle thread ends after this long (its memory goes back); the next scan starts a new one. */
  idleMs?: number;
  /** V8's young generation per thread: small keeps a scanning thread's footprint near its live data. */
  youngGenerationMb?: number;
}

interface Pending {
  resolve: (o: ScanOutcome) => void;
  reject: (e: Error) => void;
  onProgress?: (text: string) => void;
  slot: Slot;
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  private readonly file = workerFile();

  constructor(
    readonly size: number,
    private readonly o: PoolOptions = {},
  ) {}

  /** How many more scans could start now (threads are started on demand). */
  get idle(): number {
    return this.closed ? 0 : this.size - this.slots.filter((s) => s.busy).length;
  }

  private spawn(): Slot {
    const slot: Slot = { worker: new Worker(this.file, { resourceLimits: { maxYoungGenerationSizeMb: this.o.youngGenerationMb ?? 8 } }), busy: false };
    slot.worker.on('message', (m: WorkerReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.type === 'progress') {
        p.onProgress?.(m.text);
        return;
      }
      this.pending.delete(m.id);
      slot.busy = false;
      this.retireWhenIdle(slot);
      if (m.type === 'done') p.resolve(m.outcome);
      else p.reject(new VigilError(m.error.code, m.error.message, { kind: m.error.kind as VigilError['kind'] }));
    });
    slot.worker.on('error', (e) => this.fail(slot, new VigilError('worker-crashed', `the scan worker crashed: ${e.message}`, { kind: 'internal' })));
    slot.worker.on('exit', () => this.fail(slot, new VigilError('worker-exited', 'the scan worker stopped', { kind: 'internal' })));
    // Idle workers must not keep the process alive on shutdown.
    slot.worker.unref();
    return slot;
  }

  private retireWhenIdle(slot: Slot): void {
    clearTimeout(slot.idleTimer);
    slot.idleTimer = setTimeout(() => {
      if (slot.busy) return;
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      slot.worker.removeAllListeners();
      void slot.worker.terminate();
    }, this.o.idleMs ?? 15_000);
    slot.idleTimer.unref();
  }

  /** Rejects whatever `slot` was running and ends its thread; the next scan starts a new one. */
  private fail(slot: Slot, e: Error): void {
    for (const [id, p] of this.pending) {
      if (p.slot === slot) {
        this.pending.delete(id);
        p.reject(e);
      }
    }
    clearTimeout(slot.idleTimer);
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    slot.worker.removeAllListeners();
    void slot.worker.terminate();
    this.slots.splice(i, 1);
  }

  /** Runs a scan on an idle worker; callers check `idle` first. */
  run(task: ScanTask, o: RunOptions): Promise<ScanOutcome> {
    if (this.closed) return Promise.reject(new VigilError('pool-closed', 'the scan workers are shutting down', { kind: 'internal' }));
    let slot = this.slots.find((s) => !s.busy);
    if (!slot) {
      if (this.slots.length >= this.size) return Promise.reject(new VigilError('pool-busy', 'no idle scan worker', { kind: 'internal' }));
      slot = this.spawn();
      this.slots.push(slot);
    }
    clearTimeout(slot.idleTimer);
    slot.busy = true;
    const taken = slot;
    const id = this.nextId++;
    return new Promise<ScanOutcome>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(taken, new VigilError('scan-timeout', `the scan took longer than ${Math.round(o.timeoutMs / 1000)} s`, { kind: 'network' })), o.timeoutMs);
      const onAbort = () => this.fail(taken, new VigilError('cancelled', 'the scan was cancelled', { kind: 'usage' }));
      o.signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => {
        clearTimeout(timer);
        o.signal?.removeEventListener('abort', onAbort);
      };
      this.pending.set(id, {
        slot: taken,
        onProgress: o.onProgress,
        resolve: (v) => {
          done();
          resolve(v);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      });
      taken.worker.postMessage({ type: 'scan', id, task });
    });
  }

  /** Stops every thread; running scans reject with 'pool-closed'. */
  async close(): Promise<void> {
    this.closed = true;
    const err = new VigilError('pool-closed', 'the scan workers are shutting down', { kind: 'internal' });
    for (const slot of [...this.slots]) this.fail(slot, err);
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }
}
