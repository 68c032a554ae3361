/** Probes and metrics, at the root where orchestrators and Prometheus look for them. */
import { Type } from 'typebox';
import { VigilError, describeError } from '../../core/errors.js';
import type { VigilServer } from '../types.js';
import { errors } from './schemas.js';

export default async function healthRoutes(app: VigilServer): Promise<void> {
  app.get('/healthz', { config: { scope: 'public' }, schema: { tags: ['health'], summary: 'the process is up', security: [], response: { 200: Type.Object({ status: Type.Literal('ok') }) } } }, async () => ({ status: 'ok' as const }));

  app.get(
    '/readyz',
    { config: { scope: 'public' }, schema: { tags: ['health'], summary: 'the store answers', security: [], response: { 200: Type.Object({ status: Type.Literal('ok') }), ...errors(503) } } },
    async () => {
      try {
        await app.store.ping();
      } catch (e) {
        throw new VigilError('not-ready', `the store does not answer: ${describeError(e)}`, { kind: 'db', cause: e });
      }
      return { status: 'ok' as const };
    },
  );

  app.get('/metrics', { config: { scope: 'read' }, schema: { tags: ['health'], summary: 'Prometheus metrics (text format)', produces: ['text/plain'] } }, async (_req, reply) => {
    reply.type(app.metrics.contentType);
    return app.metrics.metrics();
  });
}
