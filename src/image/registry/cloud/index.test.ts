import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { CLOUD_EXCHANGERS, CloudCredentialCache, REFRESH_MARGIN_MS, exchangeCredentials, isCloudRegistryType, type CloudCredentials } from './index.js';
import { errorText, redact } from './token-http.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Files of this folder that are plumbing, not one cloud each. */
const PLUMBING = new Set(['index', 'exchanger', 'token-http', 'credential-cache']);

test('every cloud file is registered under its own type, and nothing else is', () => {
  const clouds = readdirSync(here)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => f.slice(0, -3))
    .filter((f) => !PLUMBING.has(f))
    .sort();
  expect([...CLOUD_EXCHANGERS.keys()].sort()).toEqual(clouds);
  for (const [type, x] of CLOUD_EXCHANGERS) {
    expect(x.type).toBe(type);
    expect(x.displayName).toBeTruthy();
  }
});

test.each`
  type
  ${'docker-v2'}
  ${'harbor'}
  ${'gitlab'}
  ${'ghcr'}
  ${'nexus'}
  ${'jfrog'}
  ${'something-new'}
`('$type keeps its credentials as stored', async ({ type }) => {
  const creds = { username: 'u', password: 'p' };
  expect(isCloudRegistryType(type)).toBe(false);
  expect(await exchangeCredentials(type, 'not even a URL', creds)).toBe(creds);
  const none = {};
  expect(await exchangeCredentials(type, 'https://r.example', none)).toBe(none);
});

test.each`
  type     | url
  ${'ecr'} | ${'123456789012.dkr.ecr.us-east-1.amazonaws.com'}
  ${'gcr'} | ${'ftp://gcr.io'}
  ${'acr'} | ${'::'}
`('$type with registry URL "$url" → usage error', async ({ type, url }) => {
  await expect(exchangeCredentials(type, url, { username: 'x', password: 'y' }, { cache: null })).rejects.toMatchObject({ code: 'cloud-credentials', kind: 'usage' });
});

describe('CloudCredentialCache', () => {
  const T0 = 1_000_000_000_000;
  const cred = (password: string, lifetimeMs?: number): CloudCredentials => ({ username: 'u', password, ...(lifetimeMs === undefined ? {} : { expiresAt: new Date(T0 + lifetimeMs) }) });

  test('a key changes with every part, the password included', () => {
    const base = CloudCredentialCache.key('ecr', 'https://a', 'u', 'p');
    expect(CloudCredentialCache.key('ecr', 'https://a', 'u', 'p')).toBe(base);
    for (const other of [
      CloudCredentialCache.key('gcr', 'https://a', 'u', 'p'),
      CloudCredentialCache.key('ecr', 'https://b', 'u', 'p'),
      CloudCredentialCache.key('ecr', 'https://a', 'v', 'p'),
      CloudCredentialCache.key('ecr', 'https://a', 'u', 'q'),
    ]) {
      expect(other).not.toBe(base);
    }
    expect(base).not.toContain('"p"');
  });

  test.each`
    lifetime              | reusedAt                       | renewedAt
    ${12 * 3600_000}      | ${12 * 3600_000 - REFRESH_MARGIN_MS - 1} | ${12 * 3600_000 - REFRESH_MARGIN_MS}
    ${4 * 60_000}         | ${2 * 60_000 - 1}              | ${2 * 60_000}
  `('lifetime $lifetime ms: reused at +$reusedAt, exchanged again at +$renewedAt', async ({ lifetime, reusedAt, renewedAt }) => {
    const cache = new CloudCredentialCache();
    let clock = T0;
    let n = 0;
    const exchange = async () => cred(`pw${++n}`, lifetime);
    expect((await cache.get('k', () => clock, exchange)).password).toBe('pw1');
    clock = T0 + reusedAt;
    expect((await cache.get('k', () => clock, exchange)).password).toBe('pw1');
    clock = T0 + renewedAt;
    expect((await cache.get('k', () => clock, exchange)).password).toBe('pw2');
  });

  test('failures and credentials without an expiry are not kept', async () => {
    const cache = new CloudCredentialCache();
    await expect(cache.get('k', () => T0, async () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(await cache.get('k', () => T0, async () => cred('a'))).toMatchObject({ password: 'a' });
    expect(await cache.get('k', () => T0, async () => cred('b'))).toMatchObject({ password: 'b' });
    expect(cache.size).toBe(0);
  });

  test('holds at most 512 entries, dropping the oldest', async () => {
    const cache = new CloudCredentialCache();
    for (let i = 0; i < 600; i++) await cache.get(`k${i}`, () => T0, async () => cred(`p${i}`, 3600_000));
    expect(cache.size).toBe(512);
    let exchanged = false;
    await cache.get('k0', () => T0, async () => {
      exchanged = true;
      return cred('again', 3600_000);
    });
    expect(exchanged).toBe(true);
    cache.clear();
    expect(cache.size).toBe(0);
  });
});

test.each`
  body                                                                                 | text
  ${'{"error":"invalid_grant","error_description":"Invalid JWT Signature."}'}          | ${'invalid_grant: Invalid JWT Signature.'}
  ${'{"__type":"com.amazon.coral.service#UnrecognizedClientException","message":"x"}'} | ${'UnrecognizedClientException: x'}
  ${'{"errors":[{"code":"UNAUTHORIZED","message":"m"},{"code":"DENIED"}]}'}            | ${'UNAUTHORIZED: m; DENIED'}
  ${'  plain\n text  '}                                                                | ${'plain text'}
`('errorText($body) → $text', ({ body, text }) => {
  expect(errorText(Buffer.from(body))).toBe(text);
});

test('redact removes every occurrence of each secret, ignoring trivially short ones', () => {
  expect(redact('a SECRET and SECRET, key TOKEN1', ['SECRET', 'TOKEN1', 'ab'])).toBe('a *** and ***, key ***');
});
