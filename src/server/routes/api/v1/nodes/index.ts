/**
 * /api/v1/nodes: the hosts workloads run on, registered by the node agent (PUT by a stable id,
 * DELETE when gone), with their own vulnerability report (a SPEC JSON report, or an inventory
 * matched here) and compliance report. `write` changes, `read` lists.
 */
import { Type } from 'typebox';
import type { ComplianceReport } from '../../../../../compliance/types.js';
import type { Inventory } from '../../../../../core/types.js';
import type { ScanReport } from '../../../../../report/types.js';
import { AssetIdParams, AssetReportIn, AssetReportOut, ComplianceIn, ComplianceOut, NodeIn, NodeT, PageQuery, REPORT_BODY_LIMIT } from '../../../../assets/schemas.js';
import { notFound } from '../../../../errors.js';
import type { VigilServer } from '../../../../types.js';
import { errors } from '../../../schemas.js';

const tags = ['nodes'];

export default async function nodeRoutes(app: VigilServer): Promise<void> {
  app.get(
    '/',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'nodes, filtered and paged',
        querystring: Type.Object(
          { ...PageQuery, group: Type.Optional(Type.String({ maxLength: 253 })), state: Type.Optional(Type.String({ maxLength: 32 })), platform: Type.Optional(Type.String({ maxLength: 253 })), os: Type.Optional(Type.String({ maxLength: 128 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ total: Type.Integer(), nodes: Type.Array(NodeT) }), ...errors(400, 401, 403) },
      },
    },
    async (req) => {
      const { offset, limit, ...f } = req.query;
      return app.assets.listNodes(f, { offset, limit });
    },
  );
  app.get('/:id', { config: { scope: 'read' }, schema: { tags, summary: 'one node with its vulnerability summary', params: AssetIdParams, response: { 200: NodeT, ...errors(400, 401, 403, 404) } } }, async (req) => {
    const n = await app.assets.getNode(req.params.id);
    if (!n) throw notFound(`no node ${req.params.id}`);
    return n;
  });
  app.put('/:id', { config: { scope: 'write' }, schema: { tags, summary: 'register or update a node (201 when new)', params: AssetIdParams, body: NodeIn, response: { 200: NodeT, 201: NodeT, ...errors(400, 401, 403) } } }, async (req, reply) => {
    const r = await app.assets.putNode(req.params.id, req.body);
    return reply.status(r.created ? 201 : 200).send(r.node);
  });
  app.delete('/:id', { config: { scope: 'write' }, schema: { tags, summary: 'remove a node, its findings and compliance results', params: AssetIdParams, response: { 204: Type.Null(), ...errors(400, 401, 403, 404) } } }, async (req, reply) => {
    await app.assets.deleteNode(req.params.id);
    return reply.status(204).send(null);
  });
  app.put(
    '/:id/report',
    {
      config: { scope: 'write' },
      bodyLimit: REPORT_BODY_LIMIT,
      schema: { tags, summary: "submit the node's vulnerability report (vigil scan host --format json), or its inventory to match here", params: AssetIdParams, body: AssetReportIn, response: { 200: AssetReportOut, ...errors(400, 401, 403, 404, 503) } },
    },
    async (req) => app.assets.submitReport('node', req.params.id, req.body as unknown as ScanReport | Inventory),
  );
  app.get('/:id/report', { config: { scope: 'read' }, schema: { tags, summary: "the node's last vulnerability report (SPEC JSON)", params: AssetIdParams, response: { 200: Type.Unknown(), ...errors(400, 401, 403, 404) } } }, async (req) => {
    const r = await app.assets.report('node', req.params.id);
    if (!r) throw notFound(`no report for node ${req.params.id}`);
    return r;
  });
  app.put(
    '/:id/compliance',
    {
      config: { scope: 'write' },
      bodyLimit: REPORT_BODY_LIMIT,
      schema: { tags, summary: "submit the node's compliance report (vigil bench host|docker|kubernetes --format json); replaces the last one of that benchmark", params: AssetIdParams, body: ComplianceIn, response: { 200: ComplianceOut, ...errors(400, 401, 403, 404) } },
    },
    async (req) => app.risks.submitCompliance('node', req.params.id, req.body as unknown as ComplianceReport),
  );
}
