/** OpenAPI 3 from the route schemas (@fastify/swagger), served at /api/openapi.json, and Swagger UI at /api/docs. */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { vigilVersion } from '../../cli/version.js';

const OPEN_PREFIXES = ['/api/docs', '/api/openapi.json'];

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  // The documentation is readable without a token: it describes the API, it is not the API.
  app.addHook('onRoute', (r) => {
    if (OPEN_PREFIXES.some((p) => r.url.startsWith(p))) r.config = { ...(r.config ?? {}), scope: 'public' };
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Vigil controller API', version: vigilVersion(), description: 'REST API of `vigil server`. Authenticate with POST /api/v1/auth/login or an API token, then send `Authorization: Bearer <token>`.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { url: '/api/openapi.json' } });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
