/** The queue's rules, on SQLite and PostgreSQL: dedupe by digest, priority, per-registry limits, backoff, requeue. */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { usePostgres } from '../../../test/helpers/postgres.js';
import { openStore, type Store } from '../store/open-store.js';
import { JobQueue } from './queue.js';

const pg = usePostgres();
const D = (n: number) => `sha256:${String(n).padStart(64, '0')}`;

describe.each(pg.backends)('%s', (_backend, database) => {
  let store: Store;
  let now = new Date('2026-06-01T00:00:00.000Z');
  let q: JobQueue;
  beforeEach(async () => {
    store = await openStore({ dataDir: '/nonexistent', database: await database() });
    now = new Date('2026-06-01T00:00:00.000Z');
    // Every reading of the clock moves it 1 ms on, so jobs have distinct creation times (FIFO is checked).
    q = new JobQueue(store.db, () => (now = new Date(now.getTime() + 1)), { retryBaseMs: 1000, defaultMaxAttempts: 3 });
    for (const id of ['ra', 'rb']) {
      await store.db
        .insertInto('registries')
        .values({ id, name: id, type: 'docker-v2', url: 'http://127.0.0.1:1', username: null, password_enc: null, filters: '["*"]', schedule: '{"kind":"manual"}', rescan_after_db_update: 0, layered_scan: 0, repo_limit: null, tag_limit: null, use_proxy: 0, insecure: 0, ca_pem: null, created_at: now.toISOString(), updated_at: now.toISOString(), last_crawl_at: null, last_crawl_status: null, last_crawl_error: null })
        .execute();
    }
  });
  afterEach(async () => {
    await store.close();
  });

  test('one active job per digest; claims honour priority and each registry limit', async () => {
    const a = await q.enqueue({ source: 'registry', registryId: 'ra', reference: 'h/x@' + D(1), digest: D(1) });
    expect((await q.enqueue({ source: 'registry', registryId: 'ra', reference: 'h/y@' + D(1), digest: D(1) })).created).toBe(false);
    await q.enqueue({ source: 'registry', registryId: 'ra', reference: 'h/x@' + D(2), digest: D(2) });
    await q.enqueue({ source: 'registry', registryId: 'ra', reference: 'h/x@' + D(3), digest: D(3) });
    await q.enqueue({ source: 'registry', registryId: 'rb', reference: 'h/x@' + D(4), digest: D(4) });
    const ci = await q.enqueue({ source: 'ci', reference: 'h/x@' + D(5), digest: D(5), priority: 10 });
    const limits = { ra: 2, rb: 1 } as Record<string, number>;
    const first = await q.claim(10, (id) => limits[id]!);
    expect(first.map((j) => j.id)[0]).toBe(ci.job.id);
    expect(first.filter((j) => j.registry_id === 'ra')).toHaveLength(2);
    expect(first.filter((j) => j.registry_id === 'rb')).toHaveLength(1);
    expect(first.some((j) => j.id === a.job.id)).toBe(true);
    // Nothing more for ra until one of its jobs ends.
    expect(await q.claim(10, (id) => limits[id]!)).toEqual([]);
    await q.succeed(first.find((j) => j.registry_id === 'ra')!.id, null);
    expect((await q.claim(10, (id) => limits[id]!)).map((j) => j.registry_id)).toEqual(['ra']);
    expect(await q.counts()).toMatchObject({ queued: 0, running: 4, done: 1 });
  });

  test('a failed attempt waits its backoff, then fails for good after max attempts; requeue after a crash', async () => {
    await q.enqueue({ source: 'api', reference: 'h/x@' + D(9), digest: D(9), maxAttempts: 2 });
    let [j] = await q.claim(1, () => 1);
    expect(await q.fail(j!, 'HTTP 503', true)).toBe('queued');
    expect(await q.claim(1, () => 1)).toEqual([]); // backing off
    now = new Date(now.getTime() + 60_000);
    [j] = await q.claim(1, () => 1);
    expect(j!.attempts).toBe(2);
    expect(await q.fail(j!, 'HTTP 503', true)).toBe('failed');
    expect((await q.get(j!.id)).error).toBe('HTTP 503');

    await q.enqueue({ source: 'api', reference: 'h/x@' + D(10), digest: D(10) });
    const [k] = await q.claim(1, () => 1);
    expect(await q.requeueRunning()).toBe(1);
    const [again] = await q.claim(1, () => 1);
    expect(again!.id).toBe(k!.id);
    expect(again!.attempts).toBe(2);
    // Not retriable: failed at once.
    expect(await q.fail(again!, 'not found', false)).toBe('failed');
  });

  test('two dispatchers never claim the same job', async () => {
    for (let i = 0; i < 20; i++) await q.enqueue({ source: 'api', reference: 'h/x@' + D(100 + i), digest: D(100 + i) });
    const q2 = new JobQueue(store.db, () => now, { retryBaseMs: 1000, defaultMaxAttempts: 3 });
    const [x, y] = await Promise.all([q.claim(20, () => 99), q2.claim(20, () => 99)]);
    const ids = [...x, ...y].map((j) => j.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(20);
  });
});
