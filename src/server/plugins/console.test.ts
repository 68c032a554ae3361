import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, brotliDecompressSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { unauthorized } from '../errors.js';
import { registerAuthHook } from './auth.js';
import { registerConsole } from './console.js';
import { registerErrorHandler } from './error-handler.js';

const INDEX = '<!doctype html><title>Vigil</title><script type="module" src="/assets/index-abc123.js"></script>';
let dir: string;
let app: FastifyInstance;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'vigil-console-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), INDEX);
  writeFileSync(path.join(dir, 'assets/index-abc123.js'), 'console.log(1)');
  writeFileSync(path.join(dir, 'index.html.br'), brotliCompressSync(INDEX));
  writeFileSync(path.join(dir, 'assets/index-abc123.js.br'), brotliCompressSync('console.log(1)'));
  app = Fastify();
  registerErrorHandler(app);
  // Every token is refused: only public routes answer.
  app.decorate('auth', { authenticate: async () => Promise.reject(unauthorized()) } as unknown as FastifyInstance['auth']);
  registerAuthHook(app);
  app.get('/api/v1/things', async () => ({ things: [] }));
  app.get('/healthz', { config: { scope: 'public' } }, async () => ({ status: 'ok' }));
  await registerConsole(app, { dir });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('registerConsole', () => {
  test.each`
    url                             | status | type                  | cache
    ${'/'}                          | ${200} | ${'text/html'}        | ${'no-cache'}
    ${'/risks/vulnerabilities'}     | ${200} | ${'text/html'}        | ${'no-cache'}
    ${'/assets/registries/abc?x=1'} | ${200} | ${'text/html'}        | ${'no-cache'}
    ${'/assets/index-abc123.js'}    | ${200} | ${'javascript'}       | ${'public, max-age=31536000, immutable'}
    ${'/assets/index-gone.js'}      | ${404} | ${'application/json'} | ${undefined}
    ${'/api/v1/unknown'}            | ${401} | ${'application/json'} | ${undefined}
    ${'/api'}                       | ${401} | ${'application/json'} | ${undefined}
    ${'/api/v1/things'}             | ${401} | ${'application/json'} | ${undefined}
    ${'/healthz'}                   | ${200} | ${'application/json'} | ${undefined}
  `('GET $url → $status $type', async ({ url, status, type, cache }) => {
    const r = await app.inject({ method: 'GET', url });
    expect(r.statusCode).toBe(status);
    expect(r.headers['content-type']).toContain(type);
    expect(r.headers['cache-control']).toBe(cache);
    if (type === 'text/html') {
      expect(r.body).toBe(INDEX);
      expect(r.headers['content-security-policy']).toContain("default-src 'self'");
    }
  });

  test('a file built after start is served; paths outside the build are not', async () => {
    writeFileSync(path.join(dir, 'assets/index-new456.js'), 'console.log(2)');
    const r = await app.inject({ method: 'GET', url: '/assets/index-new456.js' });
    expect(r.statusCode).toBe(200);
    expect(r.body).toBe('console.log(2)');
    expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const outside = `${path.basename(dir)}-outside.json`;
    writeFileSync(path.join(path.dirname(dir), outside), '{"leaked": "OUTSIDE-THE-BUILD"}');
    try {
      // Either refused, or the console's own index (a client route): never a file outside it.
      for (const url of [`/../${outside}`, `/assets/..%2f..%2f${outside}`, `/%2e%2e/${outside}`, '/%2e%2e/%2e%2e/etc/passwd']) {
        const r2 = await app.inject({ method: 'GET', url });
        expect(r2.statusCode === 404 || r2.statusCode === 403 || r2.body === INDEX, `${url}: ${r2.statusCode} ${r2.body.slice(0, 40)}`).toBe(true);
        expect(r2.body).not.toContain('OUTSIDE-THE-BUILD');
        expect(r2.body).not.toContain('root:');
      }
    } finally {
      rmSync(path.join(path.dirname(dir), outside), { force: true });
    }
  });

  test.each`
    url                          | type
    ${'/'}                       | ${'text/html'}
    ${'/settings'}               | ${'text/html'}
    ${'/assets/index-abc123.js'} | ${'javascript'}
  `('GET $url with Accept-Encoding br → the build-time brotli copy', async ({ url, type }) => {
    const r = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'br, gzip' } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-encoding']).toBe('br');
    expect(r.headers['content-type']).toContain(type);
    expect(r.headers.vary).toMatch(/accept-encoding/i);
    expect(brotliDecompressSync(r.rawPayload).toString()).toBe(type === 'text/html' ? INDEX : 'console.log(1)');
    if (type === 'text/html') expect(r.headers['content-security-policy']).toContain("default-src 'self'");
  });

  test('client routes answer HEAD too; other methods are not the console', async () => {
    expect((await app.inject({ method: 'HEAD', url: '/dashboard' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/dashboard' })).statusCode).toBe(401);
  });

  test('without a build the server is API-only', async () => {
    const bare = Fastify();
    registerErrorHandler(bare);
    await registerConsole(bare, { dir: path.join(dir, 'missing') });
    expect((await bare.inject({ method: 'GET', url: '/' })).statusCode).toBe(404);
    await bare.close();
  });
});

describe('registerConsole with a signed-in admin', () => {
  test('an unknown API path is the JSON 404, not the console', async () => {
    const a = Fastify();
    registerErrorHandler(a);
    a.decorate('auth', { authenticate: async () => ({ username: 'admin', role: 'admin', scopes: ['admin'], via: 'session' }) } as unknown as FastifyInstance['auth']);
    registerAuthHook(a);
    await registerConsole(a, { dir });
    const r = await a.inject({ method: 'GET', url: '/api/v1/nothing-here', headers: { authorization: 'Bearer x' } });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toEqual({ code: 'not-found', message: 'no route GET /api/v1/nothing-here' });
    await a.close();
  });
});
