/** /api/v1/controllers: the controller instances; PUT with leader: true makes one the leader (the others lose the mark). */
import { Type } from 'typebox';
import { AssetIdParams, ControllerIn, ControllerT, PageQuery } from '../../../../assets/schemas.js';
import type { VigilServer } from '../../../../types.js';
import { errors } from '../../../schemas.js';

const tags = ['controllers'];

export default async function controllerRoutes(app: VigilServer): Promise<void> {
  app.get(
    '/',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'controllers, the leader first',
        querystring: Type.Object({ ...PageQuery, node: Type.Optional(Type.String({ maxLength: 253 })), state: Type.Optional(Type.String({ maxLength: 32 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ total: Type.Integer(), controllers: Type.Array(ControllerT) }), ...errors(400, 401, 403) },
      },
    },
    async (req) => {
      const { offset, limit, ...f } = req.query;
      return app.assets.listControllers(f, { offset, limit });
    },
  );
  app.put('/:id', { config: { scope: 'write' }, schema: { tags, summary: 'register or update a controller (201 when new)', params: AssetIdParams, body: ControllerIn, response: { 200: ControllerT, 201: ControllerT, ...errors(400, 401, 403) } } }, async (req, reply) => {
    const r = await app.assets.putController(req.params.id, req.body);
    return reply.status(r.created ? 201 : 200).send(r.controller);
  });
  app.delete('/:id', { config: { scope: 'write' }, schema: { tags, summary: 'remove a controller', params: AssetIdParams, response: { 204: Type.Null(), ...errors(400, 401, 403, 404) } } }, async (req, reply) => {
    await app.assets.deleteSimple('controllers', req.params.id);
    return reply.status(204).send(null);
  });
}
