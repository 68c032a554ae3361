import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort } from '../../../test/helpers/net.js';
import { startRegistry, type StartedRegistry } from '../../../test/helpers/registry.js';
import { RegistryBrowser, listCatalog, nextLink, pingRegistry } from './ping.js';

test('nextLink reads rel="next" only', () => {
  expect(nextLink('</v2/_catalog?last=b&n=2>; rel="next"')).toBe('/v2/_catalog?last=b&n=2');
  expect(nextLink('<https://x/a>; rel="prev", </v2/_catalog?last=c>; rel=next')).toBe('/v2/_catalog?last=c');
  expect(nextLink(undefined)).toBeUndefined();
});

describe('against docker-registry with basic auth and TLS', () => {
  let reg: StartedRegistry;
  let ca: string;
  beforeAll(async () => {
    reg = await startRegistry({ auth: 'basic', tls: true });
    ca = readFileSync(reg.caFile!, 'utf8');
    await reg.push('app', 'demo/app:1');
    await reg.push('app', 'demo/other:1');
    await reg.push('app', 'zz/third:1');
    await reg.push('debian12', 'demo/app:2');
    await reg.push('debian12', 'demo/app:3');
  }, 120_000);
  afterAll(async () => {
    await reg?.stop();
  });
  const FAST = { retries: 0, retryBaseMs: 10, useProxy: false };

  test('good credentials → ok with the first catalog page', async () => {
    const r = await pingRegistry(reg.url, { username: reg.username, password: reg.password }, { ...FAST, caPem: ca });
    expect(r).toMatchObject({ ok: true, status: 200 });
    expect(r.repositories).toEqual(['demo/app', 'demo/other', 'zz/third']);
  });

  test('wrong password → ok:false, 401', async () => {
    const r = await pingRegistry(reg.url, { username: reg.username, password: 'wrong' }, { ...FAST, caPem: ca });
    expect(r).toMatchObject({ ok: false, status: 401 });
    expect(r.message).toMatch(/refused the credentials of "vigil"/);
    expect(r.message).not.toContain('wrong');
  });

  test('no CA → a TLS trust message; insecure skips verification', async () => {
    const r = await pingRegistry(reg.url, { username: reg.username, password: reg.password }, FAST);
    expect(r).toMatchObject({ ok: false, status: 0 });
    expect(r.message).toMatch(/TLS certificate .* is not trusted/);
    expect((await pingRegistry(reg.url, { username: reg.username, password: reg.password }, { ...FAST, insecure: true })).ok).toBe(true);
  });

  test('listCatalog follows Link pagination', async () => {
    expect(await listCatalog(reg.url, { username: reg.username, password: reg.password }, { ...FAST, caPem: ca, pageSize: 1 })).toEqual(['demo/app', 'demo/other', 'zz/third']);
    expect(await listCatalog(reg.url, { username: reg.username, password: reg.password }, { ...FAST, caPem: ca, pageSize: 1, limit: 2 })).toEqual(['demo/app', 'demo/other']);
  });

  test('RegistryBrowser: tags follow Link pagination; digests by HEAD; a missing tag is not-found', async () => {
    const b = new RegistryBrowser(reg.url, { username: reg.username, password: reg.password }, { ...FAST, caPem: ca, pageSize: 1 });
    try {
      // In the registry's order (the crawl sorts), each tag once across the pages.
      expect((await b.tags('demo/app')).sort()).toEqual(['1', '2', '3']);
      expect(await b.tags('demo/app', 2)).toHaveLength(2);
      const [d1, d2, d3] = await Promise.all(['1', '2', '3'].map((t) => b.digest('demo/app', t)));
      expect(d1).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(d2).toBe(d3);
      expect(d1).not.toBe(d2);
      await expect(b.digest('demo/app', 'nope')).rejects.toMatchObject({ code: 'not-found' });
      await expect(b.tags('no/such-repo')).rejects.toMatchObject({ code: 'not-found' });
    } finally {
      await b.close();
    }
  });
});

test('unreachable port → ok:false with "cannot reach"', async () => {
  const port = await freePort();
  const r = await pingRegistry(`https://127.0.0.1:${port}`, {}, { retries: 0, useProxy: false });
  expect(r).toMatchObject({ ok: false, status: 0 });
  expect(r.message).toMatch(new RegExp(`cannot reach https://127.0.0.1:${port}`));
});
