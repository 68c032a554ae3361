/** The audit trail: every change and every login attempt, as rows of `audit_events`. */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AuditEvent, Database } from '../store/schema.js';

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
  actor: string | null;
  action: string;
  target: string | null;
  detail: Record<string, unknown>;
  ip: string | null;
}

export class AuditLog {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date,
  ) {}

  async record(e: AuditInput): Promise<void> {
    await this.db
      .insertInto('audit_events')
      .values({ id: randomUUID(), at: this.now().toISOString(), actor: e.actor, action: e.action, target: e.target ?? null, detail: JSON.stringify(e.detail ?? {}), ip: e.ip ?? null })
      .execute();
  }

  /** Newest first. */
  async list(o: { limit: number; action?: string; since?: string }): Promise<AuditView[]> {
    let q = this.db.selectFrom('audit_events').selectAll();
    if (o.action) q = q.where('action', '=', o.action);
    if (o.since) q = q.where('at', '>=', o.since);
    const rows = await q.orderBy('at', 'desc').orderBy('id', 'desc').limit(o.limit).execute();
    return rows.map(toView);
  }
}

function toView(r: AuditEvent): AuditView {
  return { id: r.id, type: 'audit', at: r.at, actor: r.actor, action: r.action, target: r.target, detail: JSON.parse(r.detail) as Record<string, unknown>, ip: r.ip };
}
