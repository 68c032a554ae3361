import { Migrator } from 'kysely';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { usePostgres } from '../../../../../../test/helpers/postgres.js';
import { AuditLog, type AuditInput } from '../../../../auth/audit.js';
import { migrationProvider } from '../../../../store/migrations.js';
import { PASSWORDS, bearer, testApp, type TestApp } from '../../../../test-helpers.js';

const pg = usePostgres();

type Event = { id: string; at: string; category: string; action: string; actor: string | null; target: string | null; detail: Record<string, unknown> };
type Page = { events: Event[]; next: string | null };

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const iso = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

/**
 * 12 events over 6 minutes, two per minute, so that paging crosses ties on `at` (the id breaks
 * them). What the scanner records, plus logins and changes.
 */
const SEED: Array<[minute: number, AuditInput]> = [
  [0, { actor: 'admin', action: 'registry.create', target: 'reg-1', detail: { name: 'local' } }],
  [0, { actor: null, action: 'auth.login.failed', target: 'mallory', detail: { reason: 'unknown user' }, ip: '10.0.0.9' }],
  [1, { actor: null, action: 'scan.finished', target: 'sha256:aa', detail: { repository: 'demo/app', tag: '1' } }],
  [1, { actor: null, action: 'scan.failed', target: null, detail: { reference: 'demo/bad:1', error: 'manifest unknown', attempts: 3 } }],
  [2, { actor: null, action: 'db.updated', detail: { built: '2026-03-01T09:00:00Z', rematched: 2 } }],
  [2, { actor: null, action: 'findings.changed', target: 'sha256:aa', detail: { gained: ['CVE-2026-1'], lost: [] } }],
  [3, { actor: 'admin', action: 'user.create', target: 'bob', detail: { role: 'reader' } }],
  [3, { actor: null, action: 'scan.finished', target: 'sha256:bb', detail: { repository: 'demo/web', tag: '2' } }],
  [4, { actor: 'admin', action: 'token.create', target: 'tok-1', detail: { name: 'ci' } }],
  [4, { actor: null, action: 'findings.changed', target: 'sha256:bb', detail: { gained: [], lost: ['CVE-2026-2'] } }],
  [5, { actor: 'admin', action: 'webhook.create', target: 'wh-1', detail: { name: 'ops' } }],
  [5, { actor: null, action: 'scan.finished', target: 'sha256:aa', detail: { repository: 'demo/app', tag: '1' } }],
];

describe.each(pg.backends)('%s', (_backend, database) => {
  let t: TestApp;
  let reader: string;
  beforeEach(async () => {
    t = await testApp(await database());
    reader = await t.login('reader', PASSWORDS.reader);
    // The fixture's own log, on the same table, with a clock set per event.
    let at = T0;
    const seedLog = new AuditLog(t.app.store.db, () => new Date(at));
    for (const [minute, e] of SEED) {
      at = T0 + minute * 60_000;
      await seedLog.record(e);
    }
  });
  afterEach(async () => {
    await t.close();
  });

  const get = async (query: string): Promise<Page> => {
    const r = await t.app.inject({ method: 'GET', url: `/api/v1/events?${query}`, headers: bearer(reader) });
    expect(r.statusCode, r.body).toBe(200);
    return r.json() as Page;
  };
  /** Only the seeded events: the setup's logins and user creations happen "now", after T0 + 1 day. */
  const seeded = `until=${encodeURIComponent(iso(24 * 60))}`;
  const actions = (p: Page) => p.events.map((e) => e.action);

  test('newest first; every event has its category; the response keeps `events` and adds `next`', async () => {
    const p = await get(seeded);
    expect(p.next).toBeNull();
    expect(p.events).toHaveLength(SEED.length);
    for (let i = 1; i < p.events.length; i++) {
      const [a, b] = [p.events[i - 1]!, p.events[i]!];
      expect(a.at > b.at || (a.at === b.at && a.id > b.id)).toBe(true);
    }
    expect(p.events.map((e) => [e.action, e.category])).toEqual(expect.arrayContaining([
      ['scan.finished', 'scan'],
      ['auth.login.failed', 'auth'],
      ['findings.changed', 'findings'],
      ['db.updated', 'db'],
      ['webhook.create', 'webhook'],
    ]));
    // The old query (type=audit&action=…) still works.
    expect(actions(await get('type=audit&action=db.updated'))).toEqual(['db.updated']);
  });

  // Compared as sets: the order is the subject of the tests around this one.
  test.each`
    query                                                                     | expected
    ${'category=scan'}                                                        | ${['scan.finished', 'scan.finished', 'scan.failed', 'scan.finished']}
    ${'category=db&category=findings'}                                        | ${['findings.changed', 'findings.changed', 'db.updated']}
    ${'action=findings.changed&action=user.create'}                           | ${['findings.changed', 'user.create', 'findings.changed']}
    ${'category=findings&target=sha256:aa'}                                   | ${['findings.changed']}
    ${'target=sha256:aa'}                                                     | ${['scan.finished', 'findings.changed', 'scan.finished']}
    ${`since=${iso(4)}`}                                                      | ${['findings.changed', 'scan.finished', 'token.create', 'webhook.create']}
    ${`since=${iso(2)}&until=${iso(4)}&category=scan`}                        | ${['scan.finished']}
    ${`until=${iso(1)}`}                                                      | ${['auth.login.failed', 'registry.create']}
    ${'since=2026-03-01T12:04:00%2B02:00&until=2026-03-01T12:05:00%2B02:00'} | ${['findings.changed', 'token.create']}
    ${'category=config'}                                                      | ${[]}
  `('$query', async ({ query, expected }: { query: string; expected: string[] }) => {
    const p = await get(query.includes('until=') ? query : `${query}&${seeded}`);
    expect(actions(p).sort()).toEqual([...expected].sort());
  });

  test('cursor paging: every page size walks the log without duplicates or gaps', async () => {
    const all = (await get(seeded)).events.map((e) => e.id);
    for (const limit of [1, 2, 3, 5, 12, 13]) {
      const seen: string[] = [];
      let next: string | null = null;
      let pages = 0;
      do {
        const p: Page = await get(`limit=${limit}&${seeded}${next ? `&before=${encodeURIComponent(next)}` : ''}`);
        expect(p.events.length).toBeLessThanOrEqual(limit);
        seen.push(...p.events.map((e) => e.id));
        next = p.next;
        pages++;
      } while (next && pages < 50);
      expect(seen, `limit ${limit}`).toEqual(all);
      expect(pages).toBe(Math.max(1, Math.ceil(all.length / limit)));
    }
  });

  test('paging stays exact while new events arrive, and combines with filters', async () => {
    const first = await get(`category=scan&limit=2&${seeded}`);
    expect(actions(first)).toEqual(['scan.finished', 'scan.finished']);
    // New events, older and newer than the cursor's position (a late-recorded event at minute 1).
    let at = T0 + 60_000;
    const late = new AuditLog(t.app.store.db, () => new Date(at));
    await late.record({ actor: null, action: 'scan.finished', target: 'sha256:cc' });
    at = T0 + 10 * 60_000;
    await late.record({ actor: null, action: 'scan.finished', target: 'sha256:dd' });
    const rest = await get(`category=scan&limit=10&${seeded}&before=${encodeURIComponent(first.next!)}`);
    expect(rest.next).toBeNull();
    const targets = rest.events.map((e) => e.target);
    expect(targets).toHaveLength(3);
    expect(targets).toEqual(expect.arrayContaining(['sha256:cc', null, 'sha256:aa']));
    expect(targets).not.toContain('sha256:dd');
    expect([...first.events, ...rest.events].map((e) => e.id)).toHaveLength(new Set([...first.events, ...rest.events].map((e) => e.id)).size);
  });

  test.each`
    query                         | message
    ${'category=nope'}            | ${/unknown event category "nope"; one of auth, user, token, registry, crawl, scan, db, findings, webhook, config/}
    ${'before=xxx'}               | ${/before is not a cursor from this API/}
    ${'before=' + Buffer.from('yesterday\nid').toString('base64url')} | ${/before is not a cursor/}
    ${'since=yesterday'}          | ${/since must match format "date-time"/}
    ${'until=2026-13-01T00:00:00Z'} | ${/until/}
    ${'limit=0'}                  | ${/limit/}
    ${'limit=1001'}               | ${/limit/}
    ${'categry=scan'}             | ${/additional properties/}
    ${'type=scan'}                | ${/type/}
  `('bad query $query → 400 with a message', async ({ query, message }: { query: string; message: RegExp }) => {
    const r = await t.app.inject({ method: 'GET', url: `/api/v1/events?${query}`, headers: bearer(reader) });
    expect(r.statusCode, r.body).toBe(400);
    expect(r.json()).toMatchObject({ code: 'bad-request' });
    expect((r.json() as { message: string }).message).toMatch(message);
  });

  test('events need a token with the read scope', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/events' })).statusCode).toBe(401);
  });

  test('migration 0005 gives events recorded before it their category', async () => {
    const db = t.app.store.db;
    const migrator = new Migrator({ db, provider: migrationProvider });
    const down = await migrator.migrateTo('0004_webhooks');
    expect(down.error).toBeUndefined();
    const legacy = db as unknown as import('kysely').Kysely<{ audit_events: { id: string; at: string; actor: null; action: string; target: null; detail: string; ip: null } }>;
    await legacy.insertInto('audit_events').values({ id: 'legacy-1', at: iso(30), actor: null, action: 'auth.lockout', target: null, detail: '{}', ip: null }).execute();
    await legacy.insertInto('audit_events').values({ id: 'legacy-2', at: iso(31), actor: null, action: 'odd', target: null, detail: '{}', ip: null }).execute();
    const up = await migrator.migrateToLatest();
    expect(up.error).toBeUndefined();
    const rows = await db.selectFrom('audit_events').select(['id', 'category']).where('id', 'in', ['legacy-1', 'legacy-2']).orderBy('id').execute();
    expect(rows).toEqual([
      { id: 'legacy-1', category: 'auth' },
      { id: 'legacy-2', category: 'odd' },
    ]);
    expect((await get(`category=auth&${seeded}`)).events.map((e) => e.id)).toContain('legacy-1');
  });
});
