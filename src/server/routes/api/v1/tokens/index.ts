/** /api/v1/tokens: long-lived API tokens with scopes, for CI. Admins manage them; everyone lists their own. */
import { Type } from 'typebox';
import type { VigilServer } from '../../../../types.js';
import { principalOf } from '../../../../types.js';
import { IdParams, ScopeT, TokenT, errors } from '../../../schemas.js';

export default async function tokenRoutes(app: VigilServer): Promise<void> {
  app.post(
    '/',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['tokens'],
        summary: 'create an API token; the secret is shown in this answer only',
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 128 }),
          scopes: Type.Array(ScopeT, { minItems: 1 }),
          username: Type.Optional(Type.String({ minLength: 1, description: 'owner of the token (default: the caller)' })),
          expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
        }),
        response: { 201: Type.Object({ token: Type.String(), info: TokenT }), ...errors(400, 401, 403, 404) },
      },
    },
    async (req, reply) => reply.status(201).send(await app.auth.createToken(principalOf(req), req.body, req.ip)),
  );

  app.get('/', { config: { scope: 'read' }, schema: { tags: ['tokens'], summary: 'list API tokens (never their secrets)', response: { 200: Type.Object({ tokens: Type.Array(TokenT) }), ...errors(401, 403) } } }, async (req) => ({
    tokens: await app.auth.listTokens(principalOf(req)),
  }));

  app.delete('/:id', { config: { scope: 'admin' }, schema: { tags: ['tokens'], summary: 'revoke an API token', params: IdParams, response: { 204: Type.Null(), ...errors(401, 403, 404) } } }, async (req, reply) => {
    await app.auth.deleteToken(principalOf(req), req.params.id, req.ip);
    return reply.status(204).send(null);
  });
}
