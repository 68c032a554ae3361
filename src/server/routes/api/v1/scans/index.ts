/** /api/v1/scans: the scan queue — jobs with status and progress; cancel with DELETE. */
import { Type } from 'typebox';
import { toJobView } from '../../../../scans/queue.js';
import type { VigilServer } from '../../../../types.js';
import { principalOf } from '../../../../types.js';
import { IdParams, errors } from '../../../schemas.js';

const Str = Type.Union([Type.String(), Type.Null()]);
export const JobT = Type.Object({
  id: Type.String(),
  source: Type.Union([Type.Literal('registry'), Type.Literal('ci'), Type.Literal('api')]),
  registryId: Str,
  reference: Type.String(),
  repository: Str,
  tag: Str,
  digest: Str,
  status: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('done'), Type.Literal('failed'), Type.Literal('cancelled')]),
  attempts: Type.Integer(),
  maxAttempts: Type.Integer(),
  notBefore: Type.String(),
  progress: Str,
  error: Str,
  requestedBy: Str,
  createdAt: Type.String(),
  startedAt: Str,
  finishedAt: Str,
});
const StatusT = Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('done'), Type.Literal('failed'), Type.Literal('cancelled')]);

export default async function scanJobRoutes(app: VigilServer): Promise<void> {
  app.get(
    '/',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['scans'],
        summary: 'scan jobs, newest first, with the queue counts',
        querystring: Type.Object({
          status: Type.Optional(Type.Array(StatusT, { maxItems: 5 })),
          registryId: Type.Optional(Type.String({ maxLength: 64 })),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
        }),
        response: { 200: Type.Object({ jobs: Type.Array(JobT), counts: Type.Record(Type.String(), Type.Integer()) }), ...errors(400, 401, 403) },
      },
    },
    async (req) => ({
      jobs: (await app.scans.queue.list({ status: req.query.status, registryId: req.query.registryId, limit: req.query.limit })).map(toJobView),
      counts: await app.scans.queue.counts(),
    }),
  );

  app.get('/:id', { config: { scope: 'read' }, schema: { tags: ['scans'], summary: 'one scan job', params: IdParams, response: { 200: JobT, ...errors(401, 403, 404) } } }, async (req) =>
    toJobView(await app.scans.queue.get(req.params.id)),
  );

  app.delete(
    '/:id',
    { config: { scope: 'scan' }, schema: { tags: ['scans'], summary: 'cancel a queued or running scan', params: IdParams, response: { 200: JobT, ...errors(401, 403, 404, 409) } } },
    async (req) => app.scans.cancel(req.params.id, principalOf(req).username, req.ip),
  );
}
