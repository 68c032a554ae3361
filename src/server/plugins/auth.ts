/**
 * Secure by default: every route needs a bearer token holding the scope in its `config.scope`
 * (a route without one needs `admin`); only routes marked `public` are open.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { forbidden, unauthorized } from '../errors.js';

export function registerAuthHook(app: FastifyInstance): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (req: FastifyRequest) => {
    const need = req.routeOptions.config.scope ?? 'admin';
    if (need === 'public') return;
    const h = req.headers.authorization;
    const m = h ? /^Bearer\s+(\S+)$/i.exec(h) : null;
    if (!m?.[1]) throw unauthorized();
    const p = await req.server.auth.authenticate(m[1]);
    req.principal = p;
    if (need !== 'authenticated' && !p.scopes.includes(need)) {
      throw forbidden(`this needs the ${need} scope; ${p.username} (${p.role}${p.via === 'token' ? ', API token' : ''}) has ${p.scopes.join(', ') || 'none'}`);
    }
  });
}
