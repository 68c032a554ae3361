/** /api/v1/auth: log in for a session token, log out. */
import { Type } from 'typebox';
import type { VigilServer } from '../../../../types.js';
import { principalOf } from '../../../../types.js';
import { UserT, errors } from '../../../schemas.js';

export default async function authRoutes(app: VigilServer): Promise<void> {
  app.post(
    '/login',
    {
      config: { scope: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'exchange a user name and password for a session bearer token',
        security: [],
        body: Type.Object({ username: Type.String({ minLength: 1, maxLength: 128 }), password: Type.String({ minLength: 1, maxLength: 1024 }) }),
        response: { 200: Type.Object({ token: Type.String(), expiresAt: Type.String(), user: UserT }), ...errors(400, 401, 429) },
      },
    },
    async (req) => app.auth.login(req.body.username, req.body.password, req.ip),
  );

  app.post(
    '/logout',
    { config: { scope: 'authenticated' }, schema: { tags: ['auth'], summary: 'end the session of this bearer token', response: { 204: Type.Null(), ...errors(400, 401) } } },
    async (req, reply) => {
      await app.auth.logout(principalOf(req), req.ip);
      return reply.status(204).send(null);
    },
  );
}
