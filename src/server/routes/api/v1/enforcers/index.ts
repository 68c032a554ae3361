/** /api/v1/enforcers: the enforcer (node agent) instances, one per node. */
import { Type } from 'typebox';
import { AssetIdParams, EnforcerIn, EnforcerT, PageQuery } from '../../../../assets/schemas.js';
import type { VigilServer } from '../../../../types.js';
import { errors } from '../../../schemas.js';

const tags = ['enforcers'];

export default async function enforcerRoutes(app: VigilServer): Promise<void> {
  app.get(
    '/',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'enforcers',
        querystring: Type.Object({ ...PageQuery, node: Type.Optional(Type.String({ maxLength: 253 })), state: Type.Optional(Type.String({ maxLength: 32 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ total: Type.Integer(), enforcers: Type.Array(EnforcerT) }), ...errors(400, 401, 403) },
      },
    },
    async (req) => {
      const { offset, limit, ...f } = req.query;
      return app.assets.listEnforcers(f, { offset, limit });
    },
  );
  app.put('/:id', { config: { scope: 'write' }, schema: { tags, summary: 'register or update an enforcer (201 when new)', params: AssetIdParams, body: EnforcerIn, response: { 200: EnforcerT, 201: EnforcerT, ...errors(400, 401, 403) } } }, async (req, reply) => {
    const r = await app.assets.putEnforcer(req.params.id, req.body);
    return reply.status(r.created ? 201 : 200).send(r.enforcer);
  });
  app.delete('/:id', { config: { scope: 'write' }, schema: { tags, summary: 'remove an enforcer', params: AssetIdParams, response: { 204: Type.Null(), ...errors(400, 401, 403, 404) } } }, async (req, reply) => {
    await app.assets.deleteSimple('enforcers', req.params.id);
    return reply.status(204).send(null);
  });
}
