/** /api/v1/platforms: the orchestration platforms (Kubernetes version, Docker engine, …), with their own vulnerability and compliance reports. */
import { Type } from 'typebox';
import type { ComplianceReport } from '../../../../../compliance/types.js';
import type { Inventory } from '../../../../../core/types.js';
import type { ScanReport } from '../../../../../report/types.js';
import { AssetIdParams, AssetReportIn, AssetReportOut, ComplianceIn, ComplianceOut, PageQuery, PlatformIn, PlatformT, REPORT_BODY_LIMIT } from '../../../../assets/schemas.js';
import { notFound } from '../../../../errors.js';
import type { VigilServer } from '../../../../types.js';
import { errors } from '../../../schemas.js';

const tags = ['platforms'];

export default async function platformRoutes(app: VigilServer): Promise<void> {
  app.get(
    '/',
    { config: { scope: 'read' }, schema: { tags, summary: 'platforms', querystring: Type.Object(PageQuery, { additionalProperties: false }), response: { 200: Type.Object({ total: Type.Integer(), platforms: Type.Array(PlatformT) }), ...errors(400, 401, 403) } } },
    async (req) => {
      const { offset, limit, ...f } = req.query;
      return app.assets.listPlatforms(f, { offset, limit });
    },
  );
  app.get('/:id', { config: { scope: 'read' }, schema: { tags, summary: 'one platform', params: AssetIdParams, response: { 200: PlatformT, ...errors(400, 401, 403, 404) } } }, async (req) => {
    const p = await app.assets.getPlatform(req.params.id);
    if (!p) throw notFound(`no platform ${req.params.id}`);
    return p;
  });
  app.put('/:id', { config: { scope: 'write' }, schema: { tags, summary: 'register or update a platform (201 when new)', params: AssetIdParams, body: PlatformIn, response: { 200: PlatformT, 201: PlatformT, ...errors(400, 401, 403) } } }, async (req, reply) => {
    const r = await app.assets.putPlatform(req.params.id, req.body);
    return reply.status(r.created ? 201 : 200).send(r.platform);
  });
  app.delete('/:id', { config: { scope: 'write' }, schema: { tags, summary: 'remove a platform and its findings', params: AssetIdParams, response: { 204: Type.Null(), ...errors(400, 401, 403, 404) } } }, async (req, reply) => {
    await app.assets.deletePlatform(req.params.id);
    return reply.status(204).send(null);
  });
  app.put(
    '/:id/report',
    {
      config: { scope: 'write' },
      bodyLimit: REPORT_BODY_LIMIT,
      schema: { tags, summary: "submit the platform's vulnerability report (SPEC JSON), or its inventory to match here", params: AssetIdParams, body: AssetReportIn, response: { 200: AssetReportOut, ...errors(400, 401, 403, 404, 503) } },
    },
    async (req) => app.assets.submitReport('platform', req.params.id, req.body as unknown as ScanReport | Inventory),
  );
  app.put(
    '/:id/compliance',
    { config: { scope: 'write' }, bodyLimit: REPORT_BODY_LIMIT, schema: { tags, summary: "submit the platform's compliance report", params: AssetIdParams, body: ComplianceIn, response: { 200: ComplianceOut, ...errors(400, 401, 403, 404) } } },
    async (req) => app.risks.submitCompliance('platform', req.params.id, req.body as unknown as ComplianceReport),
  );
}
