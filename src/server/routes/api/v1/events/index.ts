/**
 * /api/v1/events: the one event log — the audit trail (logins, changes) and what the scanner
 * reports (scan.finished, scan.failed, db.updated, findings.changed) — newest first, filtered,
 * and paged with a cursor that neither repeats nor skips an event while new ones arrive.
 */
import { Type } from 'typebox';
import { EVENT_CATEGORIES } from '../../../../auth/audit.js';
import type { VigilServer } from '../../../../types.js';
import { errors } from '../../../schemas.js';

// Checked in AuditLog.list, whose message lists the categories (Ajv's enum message does not).
const CategoryT = Type.String({ minLength: 1, maxLength: 32, description: `the action’s prefix, one of ${EVENT_CATEGORIES.join(', ')}` });

const EventT = Type.Object({
  id: Type.String(),
  type: Type.Literal('audit'),
  at: Type.String({ description: 'ISO-8601 UTC' }),
  category: Type.String({ description: 'the action’s prefix (scan for scan.finished)' }),
  actor: Type.Union([Type.String(), Type.Null()], { description: 'user name; null for the server itself and anonymous failures' }),
  action: Type.String({ description: 'auth.login, registry.create, scan.finished, db.updated, findings.changed, webhook.failed, …' }),
  target: Type.Union([Type.String(), Type.Null()]),
  detail: Type.Record(Type.String(), Type.Unknown()),
  ip: Type.Union([Type.String(), Type.Null()]),
});

export default async function eventRoutes(app: VigilServer): Promise<void> {
  app.get(
    '/',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['events'],
        summary: 'events, newest first (at desc, id desc); follow next with before= for older pages',
        querystring: Type.Object(
          {
            type: Type.Optional(Type.Literal('audit')),
            category: Type.Optional(Type.Array(CategoryT, { maxItems: EVENT_CATEGORIES.length, description: 'repeatable: category=scan&category=db' })),
            action: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 50, description: 'exact action, repeatable' })),
            target: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'exact target (a user name, a registry id, an image digest, …)' })),
            since: Type.Optional(Type.String({ format: 'date-time', description: 'inclusive' })),
            until: Type.Optional(Type.String({ format: 'date-time', description: 'exclusive' })),
            before: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'the next cursor of the previous page' })),
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ events: Type.Array(EventT), next: Type.Union([Type.String(), Type.Null()], { description: 'cursor for the next (older) page; null on the last page' }) }),
          ...errors(400, 401, 403),
        },
      },
    },
    async (req) => {
      const q = req.query;
      return app.auth.audit.list({ limit: q.limit, categories: q.category, actions: q.action, target: q.target, since: q.since, until: q.until, before: q.before });
    },
  );
}
