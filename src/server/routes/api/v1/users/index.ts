/** /api/v1/users: user management, for admins only. */
import { Type } from 'typebox';
import type { VigilServer } from '../../../../types.js';
import { principalOf } from '../../../../types.js';
import { IdParams, RoleT, UserT, errors } from '../../../schemas.js';

const Password = Type.String({ minLength: 12, maxLength: 1024, description: 'at least 12 characters' });

export default async function userRoutes(app: VigilServer): Promise<void> {
  app.get('/', { config: { scope: 'admin' }, schema: { tags: ['users'], summary: 'list users', response: { 200: Type.Object({ users: Type.Array(UserT) }), ...errors(401, 403) } } }, async () => ({
    users: await app.auth.listUsers(),
  }));

  app.get('/:id', { config: { scope: 'admin' }, schema: { tags: ['users'], summary: 'one user', params: IdParams, response: { 200: UserT, ...errors(401, 403, 404) } } }, async (req) =>
    app.auth.getUser(req.params.id),
  );

  app.post(
    '/',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['users'],
        summary: 'create a user',
        body: Type.Object({ username: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._@-]+$' }), password: Password, role: RoleT }),
        response: { 201: UserT, ...errors(400, 401, 403, 409) },
      },
    },
    async (req, reply) => reply.status(201).send(await app.auth.createUser(principalOf(req), req.body, req.ip)),
  );

  app.patch(
    '/:id',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['users'],
        summary: 'change a user’s password or role, or lift a lockout',
        params: IdParams,
        body: Type.Object({ password: Type.Optional(Password), role: Type.Optional(RoleT), unlock: Type.Optional(Type.Boolean()) }, { minProperties: 1 }),
        response: { 200: UserT, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req) => app.auth.updateUser(principalOf(req), req.params.id, req.body, req.ip),
  );

  app.delete('/:id', { config: { scope: 'admin' }, schema: { tags: ['users'], summary: 'delete a user (and their sessions and tokens)', params: IdParams, response: { 204: Type.Null(), ...errors(401, 403, 404, 409) } } }, async (req, reply) => {
    await app.auth.deleteUser(principalOf(req), req.params.id, req.ip);
    return reply.status(204).send(null);
  });
}
