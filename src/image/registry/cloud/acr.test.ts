import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { VigilError } from '../../../core/errors.js';
import { pingRegistry } from '../ping.js';
import { makeTls, readBody, sendCanned, sendJson, startHtpasswdRegistry, startHttps, type CannedAnswer, type FakeServer, type TestTls } from './__fixtures__/loopback.js';
import { ACR_REFRESH_TOKEN_USER, azureCloudFor, jwtExpiry, parseServicePrincipal } from './acr.js';
import { CloudCredentialCache, exchangeCredentials, type ExchangeOptions } from './index.js';

const T0 = Date.UTC(2025, 4, 6, 10, 0, 0);
const TENANT = randomUUID();
const TENANT_DOMAIN = 'contoso.onmicrosoft.com';
const CLIENT_ID = randomUUID();
const SECRET = `Zq8~${randomBytes(18).toString('base64url')}`;
const MANAGEMENT = 'https://management.azure.com/.default';

const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
/** A JWT shape (the fakes know their own tokens; no signature check needed between them). */
const jwt = (claims: Record<string, unknown>) => `${b64url({ alg: 'RS256', typ: 'JWT', kid: randomBytes(6).toString('hex') })}.${b64url(claims)}.${randomBytes(32).toString('base64url')}`;

interface FakeAzure {
  aad: FakeServer;
  acr: FakeServer;
  aadQueue: CannedAnswer[];
  acrQueue: CannedAnswer[];
  aadRequests(): number;
  acrRequests(): number;
  /** Makes the refresh token the exchange hands out (default: a JWT valid three hours). */
  refreshToken: (nowMs: number) => string;
  close(): Promise<void>;
}

/**
 * Microsoft Entra ID's v2.0 token endpoint (client credentials) and an ACR login server whose
 * /oauth2/exchange takes the Entra token; everything else on the login server goes to `backend`
 * (a real docker-registry) when one is given, as ACR serves both on one host.
 */
async function startFakeAzure(tls: TestTls, now: () => number, backend?: string, acrTls: TestTls = tls): Promise<FakeAzure> {
  const issued = new Map<string, { tenant: string; aud: string }>();
  const state = { aad: 0, acr: 0, aadQueue: [] as CannedAnswer[], acrQueue: [] as CannedAnswer[] };
  const aad = await startHttps(tls, (req, res) => {
    void (async () => {
      state.aad++;
      const body = await readBody(req);
      const canned = state.aadQueue.shift();
      if (canned) return sendCanned(res, canned);
      const m = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(req.url ?? '');
      if (req.method !== 'POST' || !m) return sendJson(res, 404, { error: 'not_found' });
      const tenant = decodeURIComponent(m[1]!);
      if (tenant !== TENANT && tenant !== TENANT_DOMAIN) {
        return sendJson(res, 400, { error: 'invalid_request', error_description: `AADSTS90002: Tenant '${tenant}' not found.` });
      }
      const form = new URLSearchParams(body);
      if (form.get('grant_type') !== 'client_credentials') return sendJson(res, 400, { error: 'unsupported_grant_type', error_description: 'AADSTS70003: The app requested an unsupported grant type.' });
      if (form.get('client_id') !== CLIENT_ID) {
        return sendJson(res, 400, { error: 'unauthorized_client', error_description: `AADSTS700016: Application with identifier '${form.get('client_id')}' was not found in the directory.` });
      }
      if (form.get('client_secret') !== SECRET) {
        return sendJson(res, 401, { error: 'invalid_client', error_description: `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${CLIENT_ID}'.`, error_codes: [7000215] });
      }
      const scope = form.get('scope') ?? '';
      if (!scope.endsWith('/.default')) return sendJson(res, 400, { error: 'invalid_scope', error_description: 'AADSTS1002012: The provided value for scope is not valid.' });
      const aud = scope.slice(0, -'.default'.length);
      const t = Math.floor(now() / 1000);
      const token = jwt({ aud, iss: `https://sts.windows.net/${TENANT}/`, tid: TENANT, appid: CLIENT_ID, iat: t, nbf: t, exp: t + 3599 });
      issued.set(token, { tenant: TENANT, aud });
      sendJson(res, 200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token });
    })().catch(() => res.destroy());
  });
  const fake: Partial<FakeAzure> = { refreshToken: (n) => jwt({ exp: Math.floor(n / 1000) + 3 * 3600, grant_type: 'refresh_token', tenant: TENANT, jti: randomUUID() }) };
  let acrHost = '';
  const acr = await startHttps(acrTls, (req, res) => {
    if (req.url !== '/oauth2/exchange') {
      if (!backend) return sendJson(res, 404, { errors: [{ code: 'NOT_FOUND' }] });
      const up = http.request(`${backend}${req.url}`, { method: req.method, headers: { ...req.headers, host: new URL(backend).host } }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
      return;
    }
    void (async () => {
      state.acr++;
      const body = await readBody(req);
      const canned = state.acrQueue.shift();
      if (canned) return sendCanned(res, canned);
      const form = new URLSearchParams(body);
      const unauthorized = (message: string) => sendJson(res, 401, { errors: [{ code: 'UNAUTHORIZED', message }] });
      if (req.method !== 'POST' || form.get('grant_type') !== 'access_token') return sendJson(res, 400, { errors: [{ code: 'UNSUPPORTED', message: 'grant_type must be access_token' }] });
      if (form.get('service') !== acrHost) return unauthorized(`service ${form.get('service')} is not this registry`);
      const known = issued.get(form.get('access_token') ?? '');
      if (!known) return unauthorized('the access token is invalid');
      if (known.aud !== MANAGEMENT.slice(0, -'.default'.length)) return unauthorized(`audience ${known.aud} is not accepted`);
      const tenant = form.get('tenant');
      if (tenant !== known.tenant && !(tenant === TENANT_DOMAIN && known.tenant === TENANT)) return unauthorized('tenant does not match the access token');
      sendJson(res, 200, { refresh_token: fake.refreshToken!(now()) });
    })().catch(() => res.destroy());
  });
  acrHost = acr.host;
  return Object.assign(fake, {
    aad,
    acr,
    aadQueue: state.aadQueue,
    acrQueue: state.acrQueue,
    aadRequests: () => state.aad,
    acrRequests: () => state.acr,
    close: async () => {
      await aad.close();
      await acr.close();
    },
  }) as FakeAzure;
}

test.each`
  host                          | authority                              | scope
  ${'myreg.azurecr.io'}         | ${'https://login.microsoftonline.com'} | ${'https://management.azure.com/.default'}
  ${'myreg.azurecr.cn'}         | ${'https://login.chinacloudapi.cn'}    | ${'https://management.chinacloudapi.cn/.default'}
  ${'myreg.azurecr.us'}         | ${'https://login.microsoftonline.us'}  | ${'https://management.usgovcloudapi.net/.default'}
  ${'registry.contoso.com'}     | ${'https://login.microsoftonline.com'} | ${'https://management.azure.com/.default'}
`('azureCloudFor($host) → $authority', ({ host, authority, scope }) => {
  expect(azureCloudFor(host)).toEqual({ authority, scope });
});

test.each`
  username                         | password    | message
  ${'/client'}                     | ${'s'}      | ${/not a tenant id or domain/}
  ${'bad tenant/client'}           | ${'s'}      | ${/not a tenant id or domain/}
  ${'tenant/'}                     | ${'s'}      | ${/not an application \(client\) id/}
  ${'tenant/client/extra'}         | ${'s'}      | ${/not an application \(client\) id/}
  ${'tenant/client'}               | ${''}       | ${/client secret of client/}
`('parseServicePrincipal("$username") → usage error', ({ username, password, message }) => {
  let err: unknown;
  try {
    parseServicePrincipal({ username, password });
  } catch (e) {
    err = e;
  }
  expect(err).toMatchObject({ code: 'cloud-credentials', kind: 'usage' });
  expect((err as Error).message).toMatch(message);
});

test('jwtExpiry reads exp, and nothing from non-JWTs', () => {
  expect(jwtExpiry(jwt({ exp: 1_746_530_000 }))).toEqual(new Date(1_746_530_000_000));
  expect(jwtExpiry('opaque')).toBeUndefined();
  expect(jwtExpiry('a.!!!.b')).toBeUndefined();
  expect(jwtExpiry(jwt({ exp: 'soon' }))).toBeUndefined();
});

describe('ACR exchange against fake Entra ID and ACR endpoints', () => {
  let tls: TestTls;
  let az: FakeAzure;
  let clock = T0;
  const now = () => clock;
  const sp = { username: `${TENANT}/${CLIENT_ID}`, password: SECRET };
  const opts = (o: Partial<ExchangeOptions> = {}): ExchangeOptions => ({ azureAuthorityHost: az.aad.url, caPems: [tls.ca], useProxy: false, retries: 2, retryBaseMs: 5, timeoutMs: 5000, now, cache: null, ...o });

  beforeAll(async () => {
    tls = await makeTls();
    az = await startFakeAzure(tls, now);
  });
  afterAll(async () => {
    await az?.close();
  });

  const failure = async (p: Promise<unknown>): Promise<VigilError> => {
    const e = await p.then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(VigilError);
    expect((e as Error).message).not.toContain(SECRET);
    return e as VigilError;
  };

  test.each`
    tenant
    ${TENANT}
    ${TENANT_DOMAIN}
  `('tenant $tenant → the refresh token for user 00000000-…, expiring with the token', async ({ tenant }) => {
    clock = T0;
    const got = await exchangeCredentials('acr', az.acr.url, { username: `${tenant}/${CLIENT_ID}`, password: SECRET }, opts());
    expect(got.username).toBe(ACR_REFRESH_TOKEN_USER);
    expect(got.password?.split('.')).toHaveLength(3);
    expect(got.expiresAt).toEqual(new Date(Math.floor(T0 / 1000) * 1000 + 3 * 3600_000));
  });

  test('the admin user (no tenant) passes through without a request', async () => {
    const before = az.aadRequests();
    const admin = { username: 'myregistry', password: 'admin-password' };
    expect(await exchangeCredentials('acr', az.acr.url, admin, opts())).toBe(admin);
    expect(az.aadRequests()).toBe(before);
  });

  test.each`
    case                | username                        | password      | status | words
    ${'wrong secret'}   | ${`${TENANT}/${CLIENT_ID}`}     | ${'nope-nope'} | ${401} | ${'invalid_client: AADSTS7000215: Invalid client secret provided'}
    ${'unknown client'} | ${`${TENANT}/${randomUUID()}`}  | ${SECRET}     | ${400} | ${'unauthorized_client: AADSTS700016'}
    ${'unknown tenant'} | ${`${randomUUID()}/${CLIENT_ID}`} | ${SECRET}   | ${400} | ${'AADSTS90002'}
  `('Entra ID refuses: $case → cloud-auth-refused with its AADSTS words', async ({ username, password, status, words }) => {
    const e = await failure(exchangeCredentials('acr', az.acr.url, { username, password }, opts()));
    expect(e).toMatchObject({ code: 'cloud-auth-refused', kind: 'registry' });
    expect(e.message).toContain(`HTTP ${status}`);
    expect(e.message).toContain(words);
    expect(e.message).toMatch(/^Microsoft Entra ID https:\/\/127\.0\.0\.1:\d+ refused client /);
  });

  test('the registry refuses the Entra token → cloud-auth-refused naming the registry, no token in the message', async () => {
    az.acrQueue.push({ status: 401, body: '{"errors":[{"code":"UNAUTHORIZED","message":"aad token audience is not allowed"}]}' });
    const e = await failure(exchangeCredentials('acr', az.acr.url, sp, opts()));
    expect(e).toMatchObject({ code: 'cloud-auth-refused', kind: 'registry' });
    expect(e.message).toMatch(/^ACR token exchange at https:\/\/127\.0\.0\.1:\d+ refused the Entra ID token of client .*UNAUTHORIZED: aad token audience is not allowed/);
    expect(e.message).not.toMatch(/eyJ/);
  });

  test('Entra 429 and ACR 503 → retried, then the refresh token', async () => {
    az.aadQueue.push({ status: 429, body: '', headers: { 'retry-after': '0' } });
    az.acrQueue.push({ status: 503, body: 'busy' });
    const [aad0, acr0] = [az.aadRequests(), az.acrRequests()];
    expect((await exchangeCredentials('acr', az.acr.url, sp, opts())).username).toBe(ACR_REFRESH_TOKEN_USER);
    expect([az.aadRequests() - aad0, az.acrRequests() - acr0]).toEqual([2, 2]);
  });

  test('ACR always 500 → cloud-auth-failed after the retries', async () => {
    az.acrQueue.push(...Array.from({ length: 3 }, () => ({ status: 500, body: '{"errors":[{"code":"INTERNAL","message":"boom"}]}' })));
    const e = await failure(exchangeCredentials('acr', az.acr.url, sp, opts()));
    expect(e).toMatchObject({ code: 'cloud-auth-failed' });
    expect(e.message).toMatch(/answered HTTP 500: INTERNAL: boom/);
  });

  test.each`
    case                 | answer                                                          | code
    ${'no refresh_token'} | ${{ status: 200, body: '{"access_token":"x"}' }}                | ${'cloud-auth-failed'}
    ${'oversized'}       | ${{ status: 200, body: `{"refresh_token":"${'x'.repeat(300_000)}"}` }} | ${'too-large'}
    ${'not JSON'}        | ${{ status: 200, body: 'refresh_token=abc' }}                   | ${'cloud-auth-failed'}
  `('ACR answers $case → $code', async ({ answer, code }) => {
    az.acrQueue.push(answer as CannedAnswer);
    expect(await failure(exchangeCredentials('acr', az.acr.url, sp, opts()))).toMatchObject({ code, kind: 'registry' });
  });

  test('Entra answers without access_token → cloud-auth-failed', async () => {
    az.aadQueue.push({ status: 200, body: '{"token_type":"Bearer"}' });
    const e = await failure(exchangeCredentials('acr', az.acr.url, sp, opts()));
    expect(e).toMatchObject({ code: 'cloud-auth-failed' });
    expect(e.message).toMatch(/has no access_token/);
  });

  test('a plain-HTTP registry gets no Entra token unless marked insecure', async () => {
    const before = az.acrRequests();
    const e = await failure(exchangeCredentials('acr', 'http://127.0.0.1:9', sp, opts()));
    expect(e).toMatchObject({ code: 'cloud-credentials', kind: 'usage' });
    expect(e.message).toMatch(/is not HTTPS/);
    expect(az.acrRequests()).toBe(before);
  });

  test('insecure skips verification for the registry only, never for Entra ID', async () => {
    const registryTls = await makeTls();
    const other = await startFakeAzure(tls, now, undefined, registryTls);
    try {
      const o = opts({ azureAuthorityHost: other.aad.url, retries: 0 });
      // The registry's certificate is not trusted: refused, unless the registry is marked insecure.
      expect(await failure(exchangeCredentials('acr', other.acr.url, sp, o))).toMatchObject({ code: 'tls', kind: 'network' });
      expect((await exchangeCredentials('acr', other.acr.url, sp, { ...o, insecure: true })).username).toBe(ACR_REFRESH_TOKEN_USER);
      // An untrusted Entra ID endpoint is refused even then.
      const e = await failure(exchangeCredentials('acr', other.acr.url, sp, { ...o, insecure: true, caPems: [registryTls.ca] }));
      expect(e).toMatchObject({ code: 'tls', kind: 'network' });
      expect(e.message).toContain(other.aad.url);
    } finally {
      await other.close();
    }
  });

  test('a refresh token without a readable exp is kept three hours', async () => {
    clock = T0;
    const saved = az.refreshToken;
    az.refreshToken = () => 'opaque-refresh-token';
    try {
      expect((await exchangeCredentials('acr', az.acr.url, sp, opts())).expiresAt).toEqual(new Date(T0 + 3 * 3600_000));
    } finally {
      az.refreshToken = saved;
    }
  });

  test('the cache answers until 5 minutes before expiry; a changed secret is not answered from it', async () => {
    const cache = new CloudCredentialCache();
    clock = T0;
    const first = await exchangeCredentials('acr', az.acr.url, sp, opts({ cache }));
    const before = az.aadRequests();
    clock = T0 + 2 * 3600_000;
    expect(await exchangeCredentials('acr', az.acr.url, sp, opts({ cache }))).toEqual(first);
    expect(az.aadRequests()).toBe(before);
    await failure(exchangeCredentials('acr', az.acr.url, { ...sp, password: 'edited' }, opts({ cache })));
    clock = T0 + 3 * 3600_000 - 60_000;
    const renewed = await exchangeCredentials('acr', az.acr.url, sp, opts({ cache }));
    expect(renewed.password).not.toBe(first.password);
    clock = T0;
  });
});

test('end to end: the refresh token opens a real docker-registry behind the ACR login server', async () => {
  const tls = await makeTls();
  // htpasswd is bcrypt, which reads 72 bytes: an opaque token that fits, so the check is whole.
  const refresh = `acr-${randomBytes(24).toString('hex')}`;
  const reg = await startHtpasswdRegistry(ACR_REFRESH_TOKEN_USER, refresh);
  const az = await startFakeAzure(tls, Date.now, reg.url);
  az.refreshToken = () => refresh;
  try {
    const got = await exchangeCredentials('acr', az.acr.url, { username: `${TENANT}/${CLIENT_ID}`, password: SECRET }, { azureAuthorityHost: az.aad.url, caPems: [tls.ca], useProxy: false, retries: 0, cache: null });
    expect(got).toMatchObject({ username: ACR_REFRESH_TOKEN_USER, password: refresh });
    const ping = await pingRegistry(az.acr.url, got, { caPem: tls.ca, retries: 0, useProxy: false });
    expect(ping).toMatchObject({ ok: true, status: 200 });
    // The service principal itself is not what the registry takes.
    expect(await pingRegistry(az.acr.url, { username: `${TENANT}/${CLIENT_ID}`, password: SECRET }, { caPem: tls.ca, retries: 0, useProxy: false })).toMatchObject({ ok: false, status: 401 });
  } finally {
    await az.close();
    await reg.stop();
  }
});
