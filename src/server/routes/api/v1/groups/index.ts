/**
 * /api/v1/groups: groups of workloads (and the `nodes` group) with their policy mode: Discover,
 * Monitor or Protect. A change of mode is an event (`group.policy-mode`) and moves the protection
 * state of every vulnerability that impacts a member.
 */
import { Type } from 'typebox';
import { GroupIn, GroupParams, GroupPatch, GroupT, PageQuery, PolicyModeT } from '../../../../assets/schemas.js';
import { notFound } from '../../../../errors.js';
import type { VigilServer } from '../../../../types.js';
import { principalOf } from '../../../../types.js';
import { errors } from '../../../schemas.js';

const tags = ['groups'];

export default async function groupRoutes(app: VigilServer): Promise<void> {
  app.get(
    '/',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'groups with their policy mode and member counts',
        querystring: Type.Object({ ...PageQuery, namespace: Type.Optional(Type.String({ maxLength: 253 })), policyMode: Type.Optional(PolicyModeT) }, { additionalProperties: false }),
        response: { 200: Type.Object({ total: Type.Integer(), groups: Type.Array(GroupT) }), ...errors(400, 401, 403) },
      },
    },
    async (req) => {
      const { offset, limit, ...f } = req.query;
      return app.assets.listGroups(f, { offset, limit });
    },
  );
  app.get('/:name', { config: { scope: 'read' }, schema: { tags, summary: 'one group', params: GroupParams, response: { 200: GroupT, ...errors(400, 401, 403, 404) } } }, async (req) => {
    const g = await app.assets.getGroup(req.params.name);
    if (!g) throw notFound(`no group ${req.params.name}`);
    return g;
  });
  app.put('/:name', { config: { scope: 'write' }, schema: { tags, summary: 'create or update a group (201 when new)', params: GroupParams, body: GroupIn, response: { 200: GroupT, 201: GroupT, ...errors(400, 401, 403) } } }, async (req, reply) => {
    const r = await app.assets.putGroup(req.params.name, req.body, { username: principalOf(req).username, ip: req.ip });
    return reply.status(r.created ? 201 : 200).send(r.group);
  });
  app.patch(
    '/:name',
    { config: { scope: 'write' }, schema: { tags, summary: "change a group's policy mode (or comment)", params: GroupParams, body: GroupPatch, response: { 200: GroupT, ...errors(400, 401, 403, 404) } } },
    async (req) => (await app.assets.putGroup(req.params.name, req.body, { username: principalOf(req).username, ip: req.ip }, true)).group,
  );
  app.delete('/:name', { config: { scope: 'write' }, schema: { tags, summary: 'remove a group without members', params: GroupParams, response: { 204: Type.Null(), ...errors(400, 401, 403, 404, 409) } } }, async (req, reply) => {
    await app.assets.deleteGroup(req.params.name, { username: principalOf(req).username, ip: req.ip });
    return reply.status(204).send(null);
  });
}
