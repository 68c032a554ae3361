/** /api/v1/events: the event log. This slice has the audit trail; scan and DB events come with the scanner. */
import { Type } from 'typebox';
import type { VigilServer } from '../../../../types.js';
import { errors } from '../../../schemas.js';

const EventT = Type.Object({
  id: Type.String(),
  type: Type.Literal('audit'),
  at: Type.String(),
  actor: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
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
        summary: 'events, newest first',
        querystring: Type.Object({
          type: Type.Optional(Type.Literal('audit')),
          action: Type.Optional(Type.String({ maxLength: 64 })),
          since: Type.Optional(Type.String({ format: 'date-time' })),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
        }),
        response: { 200: Type.Object({ events: Type.Array(EventT) }), ...errors(400, 401, 403) },
      },
    },
    async (req) => ({ events: await app.auth.audit.list({ limit: req.query.limit, action: req.query.action, since: req.query.since }) }),
  );
}
