import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { openStore, type Store } from '../store/open-store.js';
import { AuditLog, categoryOf, decodeCursor, encodeCursor, type AuditView } from './audit.js';

let store: Store;
let log: AuditLog;
beforeEach(async () => {
  store = await openStore({ dataDir: '/nonexistent', database: ':memory:' });
  log = new AuditLog(store.db, () => new Date('2026-03-01T10:00:00.000Z'));
});
afterEach(async () => {
  await store.close();
});

test.each`
  action                  | category
  ${'scan.finished'}      | ${'scan'}
  ${'auth.login.failed'}  | ${'auth'}
  ${'findings.changed'}   | ${'findings'}
  ${'config'}             | ${'config'}
`('categoryOf("$action") === "$category"', ({ action, category }: { action: string; category: string }) => {
  expect(categoryOf(action)).toBe(category);
});

test('a cursor round-trips; anything else is refused', () => {
  const c = { at: '2026-03-01T10:00:00.000Z', id: 'b1e0' };
  expect(decodeCursor(encodeCursor(c))).toEqual(c);
  expect(() => decodeCursor('garbage')).toThrow(/not a cursor/);
});

test('listeners hear each event after its row is written, with its category', async () => {
  const heard: Array<{ e: AuditView; rows: number }> = [];
  log.onRecord(async (e) => {
    heard.push({ e, rows: (await store.db.selectFrom('audit_events').select('id').where('id', '=', e.id).execute()).length });
  });
  await log.record({ actor: null, action: 'scan.finished', target: 'sha256:aa', detail: { counts: { high: 1 } } });
  await vi.waitFor(() => expect(heard).toHaveLength(1));
  expect(heard[0]).toMatchObject({ rows: 1, e: { action: 'scan.finished', category: 'scan', target: 'sha256:aa', detail: { counts: { high: 1 } }, at: '2026-03-01T10:00:00.000Z' } });
});

test('a listener that throws or rejects never fails record(); its error goes to its handler; unsubscribe stops it', async () => {
  const errors: string[] = [];
  const good = vi.fn();
  log.onRecord(() => {
    throw new Error('sync boom');
  }, (err, e) => errors.push(`${(err as Error).message} on ${e.action}`));
  log.onRecord(() => Promise.reject(new Error('async boom')), (err, e) => errors.push(`${(err as Error).message} on ${e.action}`));
  // A handler that throws too is contained.
  log.onRecord(() => {
    throw new Error('x');
  }, () => {
    throw new Error('handler boom');
  });
  const off = log.onRecord(good);
  await expect(log.record({ actor: 'admin', action: 'user.create' })).resolves.toBeUndefined();
  await vi.waitFor(() => expect(errors).toEqual(['sync boom on user.create', 'async boom on user.create']));
  expect(good).toHaveBeenCalledTimes(1);
  off();
  await log.record({ actor: 'admin', action: 'user.delete' });
  expect(good).toHaveBeenCalledTimes(1);
});

test('a failed insert tells no listener', async () => {
  const heard = vi.fn();
  log.onRecord(heard);
  await store.close();
  await expect(log.record({ actor: null, action: 'db.updated' })).rejects.toThrow();
  expect(heard).not.toHaveBeenCalled();
  store = await openStore({ dataDir: '/nonexistent', database: ':memory:' });
});
