import { generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { VigilError } from '../../../core/errors.js';
import { pingRegistry } from '../ping.js';
import { makeTls, readBody, sendCanned, sendJson, startHtpasswdRegistry, startHttps, type CannedAnswer, type FakeServer, type TestTls } from './__fixtures__/loopback.js';
import { GOOGLE_SCOPE, JWT_BEARER_GRANT } from './gcr.js';
import { CloudCredentialCache, exchangeCredentials, type ExchangeOptions } from './index.js';

const T0 = Date.UTC(2025, 4, 6, 10, 0, 0);
const EMAIL = 'vigil-scanner@example-project.iam.gserviceaccount.com';
const KEY_ID = randomBytes(20).toString('hex');

function rsaPair(): { privatePem: string; publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, publicKey };
}

/** A key file as the Cloud console downloads it. */
function keyFile(privatePem: string, tokenUri: string, over: Record<string, unknown> = {}): string {
  return JSON.stringify({
    type: 'service_account',
    project_id: 'example-project',
    private_key_id: KEY_ID,
    private_key: privatePem,
    client_email: EMAIL,
    client_id: '103958374958374958374',
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: tokenUri,
    auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
    universe_domain: 'googleapis.com',
    ...over,
  });
}

interface FakeGoogle extends FakeServer {
  tokenUri: string;
  requests: number;
  queue: CannedAnswer[];
  /** The access token the next answer carries, and its lifetime. */
  issue: { token: string; expiresIn: number };
}

const invalidGrant = (description: string) => ({ error: 'invalid_grant', error_description: description });

/** Google's OAuth 2.0 token endpoint for the JWT bearer grant, verifying the assertion with the account's public key. */
async function startFakeGoogle(tls: TestTls, publicKey: KeyObject, now: () => number): Promise<FakeGoogle> {
  const state = { requests: 0, queue: [] as CannedAnswer[], issue: { token: 'unset', expiresIn: 3599 } };
  let tokenUri = '';
  const server = await startHttps(tls, (req, res) => {
    void (async () => {
      state.requests++;
      const body = await readBody(req);
      const canned = state.queue.shift();
      if (canned) return sendCanned(res, canned);
      if (req.method !== 'POST' || req.url !== '/token') return sendJson(res, 404, { error: 'not_found' });
      if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) return sendJson(res, 400, { error: 'invalid_request', error_description: 'form body expected' });
      const form = new URLSearchParams(body);
      if (form.get('grant_type') !== JWT_BEARER_GRANT) return sendJson(res, 400, { error: 'unsupported_grant_type', error_description: `Invalid grant_type: ${form.get('grant_type')}` });
      const parts = (form.get('assertion') ?? '').split('.');
      if (parts.length !== 3) return sendJson(res, 400, invalidGrant('Invalid JWT: not a JWT'));
      const [h, c, sig] = parts as [string, string, string];
      const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>;
      const claims = JSON.parse(Buffer.from(c, 'base64url').toString()) as Record<string, unknown>;
      if (header.alg !== 'RS256' || header.kid !== KEY_ID) return sendJson(res, 400, invalidGrant('Invalid JWT: unknown key'));
      if (!verify('sha256', Buffer.from(`${h}.${c}`), publicKey, Buffer.from(sig, 'base64url'))) return sendJson(res, 400, invalidGrant('Invalid JWT Signature.'));
      if (claims.iss !== EMAIL) return sendJson(res, 400, invalidGrant('Invalid grant: account not found'));
      if (claims.aud !== tokenUri) return sendJson(res, 400, invalidGrant('Invalid JWT: Failed audience check.'));
      if (!String(claims.scope).split(' ').includes(GOOGLE_SCOPE)) return sendJson(res, 400, { error: 'invalid_scope', error_description: 'Invalid OAuth scope' });
      const t = Math.floor(now() / 1000);
      const iat = Number(claims.iat);
      const exp = Number(claims.exp);
      if (!(exp - iat <= 3600 && iat <= t + 300 && exp > t)) {
        return sendJson(res, 400, invalidGrant('Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.'));
      }
      sendJson(res, 200, { access_token: state.issue.token, expires_in: state.issue.expiresIn, token_type: 'Bearer' });
    })().catch(() => res.destroy());
  });
  tokenUri = `${server.url}/token`;
  return {
    ...server,
    tokenUri,
    queue: state.queue,
    get requests() {
      return state.requests;
    },
    get issue() {
      return state.issue;
    },
    set issue(v) {
      state.issue = v;
    },
  };
}

describe('Google JWT bearer exchange against a fake token endpoint', () => {
  let tls: TestTls;
  let fake: FakeGoogle;
  let pair: { privatePem: string; publicKey: KeyObject };
  let clock = T0;
  const now = () => clock;
  const REGISTRY = 'https://europe-docker.pkg.dev';
  const opts = (o: Partial<ExchangeOptions> = {}): ExchangeOptions => ({ caPems: [tls.ca], useProxy: false, retries: 2, retryBaseMs: 5, timeoutMs: 5000, now, cache: null, ...o });
  const key = () => keyFile(pair.privatePem, fake.tokenUri);

  beforeAll(async () => {
    pair = rsaPair();
    tls = await makeTls();
    fake = await startFakeGoogle(tls, pair.publicKey, now);
  });
  afterAll(async () => {
    await fake?.close();
  });

  const failure = async (p: Promise<unknown>): Promise<VigilError> => {
    const e = await p.then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(VigilError);
    const v = e as VigilError;
    expect(v.message).not.toContain('PRIVATE KEY');
    expect(v.message).not.toContain(pair.privatePem.split('\n')[1]!);
    return v;
  };

  test.each`
    username              | password
    ${'_json_key'}        | ${'key'}
    ${''}                 | ${'key'}
    ${undefined}          | ${'key'}
    ${'_json_key_base64'} | ${'base64'}
  `('username $username → oauth2accesstoken and the access token', async ({ username, password }) => {
    clock = T0;
    fake.issue = { token: `ya29.${randomBytes(16).toString('hex')}`, expiresIn: 3599 };
    const pw = password === 'base64' ? Buffer.from(key()).toString('base64') : key();
    const got = await exchangeCredentials('gcr', REGISTRY, { username, password: pw }, opts());
    expect(got).toEqual({ username: 'oauth2accesstoken', password: fake.issue.token, expiresAt: new Date(T0 + 3599_000) });
  });

  test('oauth2accesstoken passes through without a request', async () => {
    const before = fake.requests;
    const creds = { username: 'oauth2accesstoken', password: 'ya29.already' };
    expect(await exchangeCredentials('gcr', REGISTRY, creds, opts())).toBe(creds);
    expect(fake.requests).toBe(before);
  });

  test('a key Google does not know (signed by another key pair) → refused "Invalid JWT Signature."', async () => {
    const other = rsaPair();
    const e = await failure(exchangeCredentials('gcr', REGISTRY, { username: '_json_key', password: keyFile(other.privatePem, fake.tokenUri) }, opts()));
    expect(e).toMatchObject({ code: 'cloud-auth-refused', kind: 'registry' });
    expect(e.message).toContain(`the service-account key of ${EMAIL}`);
    expect(e.message).toContain('invalid_grant: Invalid JWT Signature.');
  });

  test('a clock two hours behind → Google refuses the assertion\'s times', async () => {
    const e = await failure(exchangeCredentials('gcr', REGISTRY, { username: '_json_key', password: key() }, opts({ now: () => T0 - 2 * 3600_000 })));
    expect(e.message).toMatch(/short-lived token/);
  });

  test.each`
    case                     | password                                                                                      | message
    ${'not JSON'}            | ${'{"type": "service_account", oops'}                                                         | ${/not a service-account JSON key \(not JSON\)/}
    ${'a JSON array'}        | ${'[1,2]'}                                                                                    | ${/not a JSON object/}
    ${'no client_email'}     | ${'nokey'}                                                                                    | ${/has no client_email/}
    ${'private_key not PEM'} | ${'badpem'}                                                                                   | ${/private_key of .* is not a PEM private key/}
    ${'an EC key'}           | ${'ec'}                                                                                       | ${/is not an RSA key/}
    ${'another key type'}    | ${'external'}                                                                                 | ${/type "external_account"/}
    ${'plain-HTTP token_uri'}| ${'http'}                                                                                     | ${/is not HTTPS/}
    ${'empty'}               | ${''}                                                                                         | ${/must be a service-account JSON key/}
  `('malformed key: $case → usage error that quotes none of it', async ({ password, message }) => {
    const variants: Record<string, () => string> = {
      nokey: () => keyFile(pair.privatePem, fake.tokenUri, { client_email: undefined }),
      badpem: () => keyFile('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n', fake.tokenUri),
      ec: () => keyFile(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, fake.tokenUri),
      external: () => keyFile(pair.privatePem, fake.tokenUri, { type: 'external_account' }),
      http: () => keyFile(pair.privatePem, fake.tokenUri.replace('https:', 'http:')),
    };
    const pw = variants[password as string]?.() ?? (password as string);
    const before = fake.requests;
    const e = await failure(exchangeCredentials('gcr', REGISTRY, { username: '_json_key', password: pw }, opts()));
    expect(e).toMatchObject({ code: 'cloud-credentials', kind: 'usage' });
    expect(e.message).toMatch(message);
    if (pw) expect(e.message).not.toContain(pw);
    expect(e.message).not.toContain('oops');
    expect(fake.requests).toBe(before);
  });

  test('an unknown username → usage error naming the ones Google takes', async () => {
    const e = await failure(exchangeCredentials('gcr', REGISTRY, { username: 'robot', password: key() }, opts()));
    expect(e).toMatchObject({ code: 'cloud-credentials', kind: 'usage' });
    expect(e.message).toMatch(/_json_key .*oauth2accesstoken/);
  });

  test('500 then 429 → retried, then the token', async () => {
    fake.issue = { token: 'ya29.after-retries', expiresIn: 3599 };
    fake.queue.push({ status: 500, body: '{"error":"internal_failure"}' }, { status: 429, body: '', headers: { 'retry-after': '0' } });
    const before = fake.requests;
    expect((await exchangeCredentials('gcr', REGISTRY, { username: '_json_key', password: key() }, opts())).password).toBe('ya29.after-retries');
    expect(fake.requests - before).toBe(3);
  });

  test('always 429 → a clear error after the retries', async () => {
    fake.queue.push(...Array.from({ length: 3 }, () => ({ status: 429, body: '{"error":"rate_limit_exceeded","error_description":"Too many requests"}', headers: { 'retry-after': '0' } })));
    const e = await failure(exchangeCredentials('gcr', REGISTRY, { username: '_json_key', password: key() }, opts()));
    expect(e).toMatchObject({ code: 'cloud-auth-failed', kind: 'registry' });
    expect(e.message).toMatch(/still throttling after 2 retries \(HTTP 429: rate_limit_exceeded: Too many requests\)/);
  });

  test.each`
    case                 | answer                                                                   | code
    ${'no access_token'} | ${{ status: 200, body: '{"token_type":"Bearer","expires_in":3599}' }}    | ${'cloud-auth-failed'}
    ${'oversized'}       | ${{ status: 200, body: JSON.stringify({ access_token: 'x'.repeat(400_000) }) }} | ${'too-large'}
    ${'HTML'}            | ${{ status: 200, body: '<!doctype html>' }}                              | ${'cloud-auth-failed'}
    ${'a 302'}           | ${{ status: 302, body: '', headers: { location: 'https://127.0.0.1:9/' } }} | ${'cloud-auth-failed'}
  `('$case answer → $code', async ({ answer, code }) => {
    fake.queue.push(answer as CannedAnswer);
    const e = await failure(exchangeCredentials('gcr', REGISTRY, { username: '_json_key', password: key() }, opts()));
    expect(e).toMatchObject({ code, kind: 'registry' });
  });

  test('a short-lived token is reused for half its life, then exchanged again', async () => {
    const cache = new CloudCredentialCache();
    clock = T0;
    fake.issue = { token: 'ya29.first', expiresIn: 600 };
    const creds = { username: '_json_key', password: key() };
    expect((await exchangeCredentials('gcr', REGISTRY, creds, opts({ cache }))).password).toBe('ya29.first');
    fake.issue = { token: 'ya29.second', expiresIn: 600 };
    clock = T0 + 290_000;
    expect((await exchangeCredentials('gcr', REGISTRY, creds, opts({ cache }))).password).toBe('ya29.first');
    clock = T0 + 310_000;
    expect((await exchangeCredentials('gcr', REGISTRY, creds, opts({ cache }))).password).toBe('ya29.second');
    clock = T0;
  });

  test('end to end: the access token opens a real docker-registry as oauth2accesstoken', async () => {
    const token = `ya29.${randomBytes(24).toString('base64url')}`;
    const reg = await startHtpasswdRegistry('oauth2accesstoken', token);
    try {
      clock = Date.now();
      fake.issue = { token, expiresIn: 3599 };
      const got = await exchangeCredentials('gcr', reg.url, { username: '_json_key', password: key() }, opts());
      expect(await pingRegistry(reg.url, got, { retries: 0, useProxy: false })).toMatchObject({ ok: true, status: 200 });
      // The key itself is not what this registry takes.
      expect(await pingRegistry(reg.url, { username: '_json_key', password: key() }, { retries: 0, useProxy: false })).toMatchObject({ ok: false, status: 401 });
    } finally {
      clock = T0;
      await reg.stop();
    }
  });
});
