/**
 * /api/v1/containers: running workloads, registered by the node agent (PUT by container id,
 * DELETE when gone) with namespace, service, group, image and node. `write` changes, `read` lists.
 */
import { Type } from 'typebox';
import { AssetIdParams, ComplianceIn, ComplianceOut, ContainerIn, ContainerT, PageQuery, PolicyModeT, REPORT_BODY_LIMIT } from '../../../../assets/schemas.js';
import type { ComplianceReport } from '../../../../../compliance/types.js';
import { notFound } from '../../../../errors.js';
import type { VigilServer } from '../../../../types.js';
import { errors } from '../../../schemas.js';

const tags = ['containers'];

export default async function containerRoutes(app: VigilServer): Promise<void> {
  app.get(
    '/',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'containers, filtered and paged',
        querystring: Type.Object(
          {
            ...PageQuery,
            namespace: Type.Optional(Type.String({ maxLength: 253 })),
            service: Type.Optional(Type.String({ maxLength: 253 })),
            group: Type.Optional(Type.String({ maxLength: 253 })),
            node: Type.Optional(Type.String({ maxLength: 253 })),
            image: Type.Optional(Type.String({ maxLength: 1024, description: 'image digest or reference' })),
            state: Type.Optional(Type.String({ maxLength: 32 })),
            policyMode: Type.Optional(PolicyModeT),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ total: Type.Integer(), containers: Type.Array(ContainerT) }), ...errors(400, 401, 403) },
      },
    },
    async (req) => {
      const { offset, limit, ...f } = req.query;
      return app.assets.listContainers(f, { offset, limit });
    },
  );
  app.get('/:id', { config: { scope: 'read' }, schema: { tags, summary: 'one container', params: AssetIdParams, response: { 200: ContainerT, ...errors(400, 401, 403, 404) } } }, async (req) => {
    const c = await app.assets.getContainer(req.params.id);
    if (!c) throw notFound(`no container ${req.params.id}`);
    return c;
  });
  app.put(
    '/:id',
    { config: { scope: 'write' }, schema: { tags, summary: 'register or update a container (201 when new)', params: AssetIdParams, body: ContainerIn, response: { 200: ContainerT, 201: ContainerT, ...errors(400, 401, 403) } } },
    async (req, reply) => {
      const r = await app.assets.putContainer(req.params.id, req.body);
      return reply.status(r.created ? 201 : 200).send(r.container);
    },
  );
  app.delete('/:id', { config: { scope: 'write' }, schema: { tags, summary: 'remove a container that is gone', params: AssetIdParams, response: { 204: Type.Null(), ...errors(400, 401, 403, 404) } } }, async (req, reply) => {
    await app.assets.deleteContainer(req.params.id);
    return reply.status(204).send(null);
  });
  app.put(
    '/:id/compliance',
    {
      config: { scope: 'write' },
      bodyLimit: REPORT_BODY_LIMIT,
      schema: { tags, summary: "submit the container's compliance report (vigil bench container … --format json); replaces the last one of that benchmark", params: AssetIdParams, body: ComplianceIn, response: { 200: ComplianceOut, ...errors(400, 401, 403, 404) } },
    },
    async (req) => app.risks.submitCompliance('container', req.params.id, req.body as unknown as ComplianceReport),
  );
}
