/**
 * The event log: every change, every login attempt and what the scanner reports (scan finished
 * or failed, DB updated, findings changed), as rows of `audit_events`. One log for both, so the
 * events API and the webhooks see one ordered stream. Subscribers (the notifier) hear of each
 * event once its row is written.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { badRequest } from '../errors.js';
import type { AuditEvent, Database } from '../store/schema.js';

/**
 * The part of an action before the first dot. An event's category is derived, never given, so
 * `scan.finished` is always in `scan`. A new action prefix goes in this list.
 */
export const EVENT_CATEGORIES = ['auth', 'user', 'token', 'registry', 'crawl', 'scan', 'db', 'findings', 'webhook', 'config', 'group', 'risk'] as const;
export type EventCategory = (typeof EVENT_CATEGORIES)[number];

export function categoryOf(action: string): string {
  const dot = action.indexOf('.');
  return dot < 0 ? action : action.slice(0, dot);
}

function checkCategory(c: string): string {
  if (!(EVENT_CATEGORIES as readonly string[]).includes(c)) throw badRequest(`unknown event category ${JSON.stringify(c)}; one of ${EVENT_CATEGORIES.join(', ')}`);
  return c;
}

export interface AuditInput {
  actor: string | null;
  action: string;
  target?: string | null;
  detail?: Record<string, unknown>;
  ip?: string | null;
}

export interface AuditView {
  id: string;
  type: 'audit';
  at: string;
  category: string;
  actor: string | null;
  action: string;
  target: string | null;
  detail: Record<string, unknown>;
  ip: string | null;
}

export interface AuditQuery {
  limit: number;
  categories?: readonly string[];
  actions?: readonly string[];
  target?: string;
  /** Inclusive, any ISO-8601 date-time. */
  since?: string;
  /** Exclusive, any ISO-8601 date-time. */
  until?: string;
  /** A `next` cursor from an earlier page. */
  before?: string;
}

export interface AuditPage {
  events: AuditView[];
  /** The cursor for the following (older) page, or null when this one is the last. */
  next: string | null;
}

export type AuditListener = (e: AuditView) => void | Promise<void>;

/**
 * A cursor is the (at, id) of the last event of a page: the order is (at desc, id desc), and ids
 * are unique, so "strictly after it in that order" neither repeats nor skips an event, however
 * many events arrive in between.
 */
export function encodeCursor(e: { at: string; id: string }): string {
  return Buffer.from(`${e.at}\n${e.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { at: string; id: string } {
  const [at, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('\n');
  if (!at || !id || rest.length > 0 || Number.isNaN(Date.parse(at))) throw badRequest('before is not a cursor from this API (use the next value of an earlier page)');
  return { at, id };
}

/** Stored timestamps are `toISOString()` text, so bounds must be in that exact form to compare as text. */
function normalizeTime(what: string, s: string): string {
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw badRequest(`${what} is not an ISO-8601 date-time: ${s}`);
  return new Date(t).toISOString();
}

export class AuditLog {
  private readonly listeners = new Set<{ listener: AuditListener; onError: (err: unknown, e: AuditView) => void }>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date,
  ) {}

  async record(e: AuditInput): Promise<void> {
    const row: AuditEvent = {
      id: randomUUID(),
      at: this.now().toISOString(),
      category: categoryOf(e.action),
      actor: e.actor,
      action: e.action,
      target: e.target ?? null,
      detail: JSON.stringify(e.detail ?? {}),
      ip: e.ip ?? null,
    };
    await this.db.insertInto('audit_events').values(row).execute();
    if (this.listeners.size > 0) this.publish(toView(row));
  }

  /**
   * Calls `listener` with every event recorded from now on, after its row is written. A
   * listener's failure (thrown or rejected) goes to `onError`, never to the caller of `record`:
   * a broken subscriber must not fail a login or a scan. Returns the unsubscribe function.
   */
  onRecord(listener: AuditListener, onError: (err: unknown, e: AuditView) => void = reportListenerError): () => void {
    const entry = { listener, onError };
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  private publish(view: AuditView): void {
    for (const { listener, onError } of this.listeners) {
      const fail = (err: unknown) => {
        try {
          onError(err, view);
        } catch {
          // An error handler that throws has nowhere left to report to.
        }
      };
      try {
        const r = listener(view);
        if (r && typeof r.then === 'function') r.then(undefined, fail);
      } catch (err) {
        fail(err);
      }
    }
  }

  /** Newest first, (at desc, id desc), with a cursor for the next page. */
  async list(o: AuditQuery): Promise<AuditPage> {
    let q = this.db.selectFrom('audit_events').selectAll();
    if (o.categories?.length) q = q.where('category', 'in', o.categories.map(checkCategory));
    if (o.actions?.length) q = q.where('action', 'in', [...o.actions]);
    if (o.target !== undefined) q = q.where('target', '=', o.target);
    if (o.since) q = q.where('at', '>=', normalizeTime('since', o.since));
    if (o.until) q = q.where('at', '<', normalizeTime('until', o.until));
    if (o.before) {
      const c = decodeCursor(o.before);
      q = q.where((w) => w.or([w('at', '<', c.at), w.and([w('at', '=', c.at), w('id', '<', c.id)])]));
    }
    // One more than asked tells whether there is a next page without a count query.
    const rows = await q.orderBy('at', 'desc').orderBy('id', 'desc').limit(o.limit + 1).execute();
    const events = rows.slice(0, o.limit).map(toView);
    const last = events[events.length - 1];
    return { events, next: rows.length > o.limit && last ? encodeCursor(last) : null };
  }
}

function reportListenerError(err: unknown, e: AuditView): void {
  process.emitWarning(`an event listener failed on ${e.action}: ${err instanceof Error ? err.message : String(err)}`, 'VigilEventListener');
}

function toView(r: AuditEvent): AuditView {
  return { id: r.id, type: 'audit', at: r.at, category: r.category, actor: r.actor, action: r.action, target: r.target, detail: JSON.parse(r.detail) as Record<string, unknown>, ip: r.ip };
}
