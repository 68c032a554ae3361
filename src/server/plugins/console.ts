/**
 * The web console (console/, built by Vite into dist/console) at `/`, with @fastify/static.
 * Every file is registered as its own public route (wildcard: false); a last `GET /*` answers
 * the console's client-side routes (/risks/vulnerabilities, …) with index.html. Missing files
 * keep the JSON 404; the more specific /api, /healthz and /metrics routes always win over the
 * catch-all, and `GET /api/*` has a catch-all of its own that is not public, so an unknown API
 * path answers exactly as before (401 without a token, 403 without the admin scope, else 404). Hashed assets are cached for a year; index.html never is, so
 * a new build is picked up on the next load.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

const here = path.dirname(fileURLToPath(import.meta.url));

/** dist/server/plugins → dist/console when built; src/server/plugins → dist/console when run from source (tests). */
export function defaultConsoleDir(): string | null {
  for (const dir of [path.resolve(here, '../../console'), path.resolve(here, '../../../dist/console')]) {
    if (existsSync(path.join(dir, 'index.html'))) return dir;
  }
  return null;
}

const IMMUTABLE = 'public, max-age=31536000, immutable';
const NO_CACHE = 'no-cache';
// The console loads only its own files and talks only to this server.
const CSP = "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

function securityHeaders(reply: FastifyReply): void {
  reply.header('content-security-policy', CSP);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
}

/** Serves the console from `dir` (default: the built one); without a build, the server runs API-only. */
export async function registerConsole(app: FastifyInstance, o: { dir?: string | null } = {}): Promise<void> {
  const root = o.dir === undefined ? defaultConsoleDir() : o.dir;
  if (!root || !existsSync(path.join(root, 'index.html'))) {
    app.log.debug('no console build (dist/console): serving the API only');
    return;
  }
  await app.register(async (scope) => {
    // Static files are readable without a token (the API behind them is not), and not API: hidden from OpenAPI.
    scope.addHook('onRoute', (r) => {
      r.config = { ...(r.config ?? {}), scope: 'public' };
      r.schema = { ...(r.schema ?? {}), hide: true };
    });
    await scope.register(fastifyStatic, {
      root,
      prefix: '/',
      wildcard: false,
      // `/` is the catch-all's, like every client route (the plugin's own root route does not
      // find the pre-compressed index).
      index: false,
      cacheControl: false,
      // The build writes .br and .gz copies; a client that accepts them gets them.
      preCompressed: true,
      setHeaders: (reply, file) => {
        const assets = `${path.sep}assets${path.sep}`;
        reply.header('cache-control', file.includes(assets) ? IMMUTABLE : NO_CACHE);
        if (/\.html(\.br|\.gz)?$/.test(file)) securityHeaders(reply);
      },
    });
    scope.get('/*', async (req, reply) => {
      const p = req.url.split('?')[0] ?? '/';
      const last = p.slice(p.lastIndexOf('/') + 1);
      // A file: one that appeared after start (a rebuild while running), else the JSON 404 —
      // never the console's HTML, which a browser would try to run as a script.
      if (last.includes('.')) return reply.sendFile(p.slice(1));
      securityHeaders(reply);
      reply.header('cache-control', NO_CACHE);
      return reply.sendFile('index.html');
    });
  });
  // Outside the public scope: the auth hook guards it as it guards any route without a scope.
  for (const url of ['/api', '/api/*']) app.get(url, { schema: { hide: true } }, async (_req, reply) => reply.callNotFound());
}
