import { createHash, createHmac, randomBytes } from 'node:crypto';
import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { VigilError } from '../../../core/errors.js';
import { pingRegistry } from '../ping.js';
import { makeTls, readBody, sendCanned, sendJson, startHtpasswdRegistry, startHttps, type CannedAnswer, type FakeServer, type TestTls } from './__fixtures__/loopback.js';
import { ecrApiEndpoint, parseEcrHost } from './ecr.js';
import { CloudCredentialCache, exchangeCredentials, type ExchangeOptions } from './index.js';

// --- An independent SigV4 verifier (not aws4), checked against AWS's published examples -------

const sha256 = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');
const hmac = (k: string | Buffer, s: string): Buffer => createHmac('sha256', k).update(s).digest();

interface SignedRequest {
  method: string;
  path: string;
  query: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  signedHeaders: string[];
  body: string;
  region: string;
  service: string;
  secret: string;
}

/** https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html, written out step by step. */
function sigV4(r: SignedRequest): string {
  const amzDate = r.headers['x-amz-date']!;
  const day = amzDate.slice(0, 8);
  const canonicalHeaders = r.signedHeaders.map((k) => `${k}:${(r.headers[k] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonicalRequest = [r.method, r.path, r.query, canonicalHeaders, r.signedHeaders.join(';'), sha256(r.body)].join('\n');
  const scope = `${day}/${r.region}/${r.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const kSigning = hmac(hmac(hmac(hmac(`AWS4${r.secret}`, day), r.region), r.service), 'aws4_request');
  return hmac(kSigning, stringToSign).toString('hex');
}

const DOC_SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const AMZ = { 'x-amz-date': '20150830T123600Z' };

// From AWS's SigV4 documentation (IAM ListUsers) and its signature test suite (get-/post-vanilla).
test.each`
  name                   | method    | query                                  | headers                                                                                                   | region         | service      | expected
  ${'IAM ListUsers'}     | ${'GET'}  | ${'Action=ListUsers&Version=2010-05-08'} | ${{ 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', host: 'iam.amazonaws.com', ...AMZ }} | ${'us-east-1'} | ${'iam'}     | ${'5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7'}
  ${'get-vanilla'}       | ${'GET'}  | ${''}                                  | ${{ host: 'example.amazonaws.com', ...AMZ }}                                                              | ${'us-east-1'} | ${'service'} | ${'5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'}
  ${'post-vanilla'}      | ${'POST'} | ${''}                                  | ${{ host: 'example.amazonaws.com', ...AMZ }}                                                              | ${'us-east-1'} | ${'service'} | ${'5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b'}
`('the test verifier reproduces AWS vector $name', ({ method, query, headers, region, service, expected }) => {
  const h = headers as Record<string, string>;
  expect(sigV4({ method, path: '/', query, headers: h, signedHeaders: Object.keys(h).sort(), body: '', region, service, secret: DOC_SECRET })).toBe(expected);
});

// --- A fake ECR API: checks what AWS checks, answers what AWS answers ----------------------------

interface FakeEcr extends FakeServer {
  requests: number;
  /** Answers to give before behaving (failures to play). */
  queue: CannedAnswer[];
  /** Registry password the next tokens carry. */
  registryPassword: string;
}

const ACCESS_KEY = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = `secret-${randomBytes(12).toString('hex')}`;
const TEMP_KEY = 'ASIAIOSFODNN7EXAMPLE';
const TEMP_SECRET = `tmpsecret-${randomBytes(12).toString('hex')}`;
const SESSION_TOKEN = `session-${randomBytes(24).toString('base64')}`;
const REGION = 'eu-west-3';
const TARGET = 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken';
/** A fixed clock for client and fake alike. */
const T0 = Date.UTC(2025, 4, 6, 10, 0, 0);

function awsError(res: http.ServerResponse, type: string, message: string): void {
  sendJson(res, 400, { __type: type, message }, { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.coral.service/` });
}

async function startFakeEcr(tls: TestTls, now: () => number): Promise<FakeEcr> {
  const keys = new Map([
    [ACCESS_KEY, { secret: SECRET, token: undefined as string | undefined }],
    [TEMP_KEY, { secret: TEMP_SECRET, token: SESSION_TOKEN }],
  ]);
  const state = { requests: 0, queue: [] as CannedAnswer[], registryPassword: 'unset' };
  const server = await startHttps(tls, (req, res) => {
    void (async () => {
      state.requests++;
      const body = await readBody(req);
      const canned = state.queue.shift();
      if (canned) return sendCanned(res, canned);
      if (req.method !== 'POST' || req.url !== '/') return awsError(res, 'UnknownOperationException', 'only POST /');
      if (req.headers['x-amz-target'] !== TARGET) return awsError(res, 'UnknownOperationException', 'unknown X-Amz-Target');
      if (req.headers['content-type'] !== 'application/x-amz-json-1.1') return awsError(res, 'SerializationException', 'wrong content type');
      const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(String(req.headers.authorization ?? ''));
      if (!m) return awsError(res, 'IncompleteSignatureException', 'Authorization header requires Credential, SignedHeaders, Signature');
      const [, akid, day, region, service, signedList, signature] = m as unknown as string[];
      const key = keys.get(akid!);
      if (!key) return awsError(res, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
      const amzDate = String(req.headers['x-amz-date'] ?? '');
      const at = Date.parse(amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
      if (!(Math.abs(at - now()) <= 5 * 60_000)) return awsError(res, 'InvalidSignatureException', 'Signature expired');
      if (day !== amzDate.slice(0, 8) || region !== REGION || service !== 'ecr') return awsError(res, 'InvalidSignatureException', 'Credential should be scoped to a valid region and service');
      const signed = signedList!.split(';');
      for (const need of ['host', 'x-amz-date', 'x-amz-target', ...(key.token ? ['x-amz-security-token'] : [])]) {
        if (!signed.includes(need)) return awsError(res, 'InvalidSignatureException', `${need} must be signed`);
      }
      if (key.token && req.headers['x-amz-security-token'] !== key.token) return awsError(res, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
      const headers = Object.fromEntries(signed.map((h) => [h, String(req.headers[h] ?? '')]));
      const expected = sigV4({ method: 'POST', path: '/', query: '', headers, signedHeaders: signed, body, region: REGION, service: 'ecr', secret: key.secret });
      if (expected !== signature) return awsError(res, 'InvalidSignatureException', 'The request signature we calculated does not match the signature you provided.');
      JSON.parse(body);
      sendJson(res, 200, {
        authorizationData: [{
          authorizationToken: Buffer.from(`AWS:${state.registryPassword}`).toString('base64'),
          expiresAt: (now() + 12 * 3600_000) / 1000 + 0.125,
          proxyEndpoint: `https://123456789012.dkr.ecr.${REGION}.amazonaws.com`,
        }],
      });
    })().catch(() => res.destroy());
  });
  return {
    url: server.url,
    host: server.host,
    close: server.close,
    queue: state.queue,
    get requests() {
      return state.requests;
    },
    get registryPassword() {
      return state.registryPassword;
    },
    set registryPassword(p: string) {
      state.registryPassword = p;
    },
  };
}

// --- The tests -----------------------------------------------------------------------------------

test.each`
  host                                                     | expected
  ${'123456789012.dkr.ecr.us-east-1.amazonaws.com'}        | ${{ account: '123456789012', region: 'us-east-1', fips: false, domain: 'amazonaws.com' }}
  ${'123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn'}    | ${{ account: '123456789012', region: 'cn-north-1', fips: false, domain: 'amazonaws.com.cn' }}
  ${'123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com'} | ${{ account: '123456789012', region: 'us-gov-west-1', fips: true, domain: 'amazonaws.com' }}
  ${'123456789012.DKR.ECR.AP-SOUTHEAST-2.AMAZONAWS.COM'}   | ${{ account: '123456789012', region: 'ap-southeast-2', fips: false, domain: 'amazonaws.com' }}
  ${'public.ecr.aws'}                                      | ${undefined}
  ${'123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.io'} | ${undefined}
  ${'12345.dkr.ecr.us-east-1.amazonaws.com'}               | ${undefined}
  ${'registry.example.com'}                                | ${undefined}
`('parseEcrHost("$host")', ({ host, expected }) => {
  expect(parseEcrHost(host)).toEqual(expected);
});

test.each`
  host                                                       | endpoint
  ${'123456789012.dkr.ecr.us-east-1.amazonaws.com'}          | ${'https://api.ecr.us-east-1.amazonaws.com/'}
  ${'123456789012.dkr.ecr.cn-northwest-1.amazonaws.com.cn'}  | ${'https://api.ecr.cn-northwest-1.amazonaws.com.cn/'}
  ${'123456789012.dkr.ecr-fips.us-east-2.amazonaws.com'}     | ${'https://ecr-fips.us-east-2.amazonaws.com/'}
`('ecrApiEndpoint for $host is $endpoint', ({ host, endpoint }) => {
  expect(ecrApiEndpoint(parseEcrHost(host)!)).toBe(endpoint);
});

describe('ECR GetAuthorizationToken against a fake ECR API', () => {
  let tls: TestTls;
  let fake: FakeEcr;
  let clock = T0;
  const now = () => clock;
  const REGISTRY = `https://123456789012.dkr.ecr.${REGION}.amazonaws.com`;
  const opts = (o: Partial<ExchangeOptions> = {}): ExchangeOptions => ({
    ecrEndpoint: `${fake.url}/`, caPems: [tls.ca], useProxy: false, retries: 2, retryBaseMs: 5, timeoutMs: 5000, now, cache: null, ...o,
  });
  const creds = { username: ACCESS_KEY, password: SECRET };

  beforeAll(async () => {
    tls = await makeTls();
    fake = await startFakeEcr(tls, now);
  });
  afterAll(async () => {
    await fake?.close();
  });

  const refusal = async (p: Promise<unknown>): Promise<VigilError> => {
    const e = await p.then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(VigilError);
    const v = e as VigilError;
    for (const s of [SECRET, TEMP_SECRET, SESSION_TOKEN]) expect(v.message).not.toContain(s);
    return v;
  };

  test('a correctly signed request → user AWS, the decoded password and expiresAt', async () => {
    clock = T0;
    fake.registryPassword = 'pw-one';
    const got = await exchangeCredentials('ecr', REGISTRY, creds, opts());
    expect(got).toEqual({ username: 'AWS', password: 'pw-one', expiresAt: new Date(T0 + 12 * 3600_000 + 125) });
  });

  test('temporary credentials: "<secret>:<session token>" signs with X-Amz-Security-Token', async () => {
    fake.registryPassword = 'pw-temp';
    const got = await exchangeCredentials('ecr', REGISTRY, { username: TEMP_KEY, password: `${TEMP_SECRET}:${SESSION_TOKEN}` }, opts());
    expect(got.password).toBe('pw-temp');
    // Without the session token AWS does not know the temporary key's signature.
    const e = await refusal(exchangeCredentials('ecr', REGISTRY, { username: TEMP_KEY, password: TEMP_SECRET }, opts()));
    expect(e).toMatchObject({ code: 'cloud-auth-refused', kind: 'registry' });
  });

  test('username AWS (a password from get-login-password) passes through without a request', async () => {
    const before = fake.requests;
    const ready = { username: 'AWS', password: 'eyJwYXlsb2FkIjoi' };
    expect(await exchangeCredentials('ecr', REGISTRY, ready, opts())).toBe(ready);
    expect(fake.requests).toBe(before);
  });

  test.each`
    case                 | username      | password            | type
    ${'wrong secret'}    | ${ACCESS_KEY} | ${'not-the-secret'} | ${'InvalidSignatureException'}
    ${'unknown key id'}  | ${'AKIAUNKNOWNKEY0000'} | ${SECRET}  | ${'UnrecognizedClientException'}
  `('$case → cloud-auth-refused naming AWS\'s reason, no secret in the message', async ({ username, password, type }) => {
    const before = fake.requests;
    const e = await refusal(exchangeCredentials('ecr', REGISTRY, { username, password }, opts()));
    expect(e).toMatchObject({ code: 'cloud-auth-refused', kind: 'registry' });
    expect(e.message).toContain(type);
    expect(e.message).toContain(`access key ${username}`);
    expect(e.message).not.toContain(password);
    expect(fake.requests - before).toBe(1); // a refusal is not retried
  });

  test('a clock 10 minutes off → "Signature expired"', async () => {
    clock = T0;
    const e = await refusal(exchangeCredentials('ecr', REGISTRY, creds, opts({ now: () => T0 - 10 * 60_000 })));
    expect(e.message).toMatch(/Signature expired/);
  });

  test.each`
    host                              | message
    ${'https://registry.example.com'} | ${/registry\.example\.com is not an ECR registry host .*AWS region/}
    ${'https://public.ecr.aws'}       | ${/public\.ecr\.aws is not an ECR registry host/}
  `('unparseable host $host → usage error before any request', async ({ host, message }) => {
    const before = fake.requests;
    const e = await refusal(exchangeCredentials('ecr', host, creds, opts()));
    expect(e).toMatchObject({ code: 'cloud-credentials', kind: 'usage' });
    expect(e.message).toMatch(message);
    expect(fake.requests).toBe(before);
  });

  test('ecrRegion names the region for another host name', async () => {
    fake.registryPassword = 'pw-region';
    expect((await exchangeCredentials('ecr', 'https://ecr-mirror.internal', creds, opts({ ecrRegion: REGION }))).password).toBe('pw-region');
  });

  test.each`
    case                       | username          | password               | message
    ${'no access key id'}      | ${''}             | ${SECRET}              | ${/AWS access key id/}
    ${'key id with a slash'}   | ${'AKIA/1234567'} | ${SECRET}              | ${/AWS access key id/}
    ${'no secret'}             | ${ACCESS_KEY}     | ${''}                  | ${/secret access key/}
    ${'empty session token'}   | ${ACCESS_KEY}     | ${`${SECRET}:`}        | ${/session token .* is empty/}
  `('$case → usage error', async ({ username, password, message }) => {
    const e = await refusal(exchangeCredentials('ecr', REGISTRY, { username, password }, opts()));
    expect(e).toMatchObject({ code: 'cloud-credentials', kind: 'usage' });
    expect(e.message).toMatch(message);
  });

  test.each`
    case                       | answers
    ${'500'}                   | ${[{ status: 500, body: '{"__type":"ServerException","message":"oops"}' }]}
    ${'429'}                   | ${[{ status: 429, body: '' }]}
    ${'400 ThrottlingException'} | ${[{ status: 400, body: '{"__type":"ThrottlingException","message":"Rate exceeded"}', headers: { 'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/' } }]}
    ${'503 then 500'}          | ${[{ status: 503, body: '' }, { status: 500, body: '' }]}
  `('transient $case → retried, then the token', async ({ answers }) => {
    fake.registryPassword = 'pw-retried';
    fake.queue.push(...(answers as CannedAnswer[]));
    const before = fake.requests;
    expect((await exchangeCredentials('ecr', REGISTRY, creds, opts())).password).toBe('pw-retried');
    expect(fake.requests - before).toBe((answers as CannedAnswer[]).length + 1);
  });

  test('always 500 → cloud-auth-failed after the retries, with AWS\'s words', async () => {
    const before = fake.requests;
    fake.queue.push(...Array.from({ length: 3 }, () => ({ status: 500, body: '{"__type":"ServerException","message":"try later"}' })));
    const e = await refusal(exchangeCredentials('ecr', REGISTRY, creds, opts()));
    expect(e).toMatchObject({ code: 'cloud-auth-failed', kind: 'registry' });
    expect(e.message).toMatch(/answered HTTP 500: ServerException: try later/);
    expect(fake.requests - before).toBe(3);
  });

  test('always throttled → a "still throttling" error after the retries', async () => {
    fake.queue.push(...Array.from({ length: 3 }, () => ({ status: 400, body: '{"__type":"ThrottlingException","message":"Rate exceeded"}', headers: { 'x-amzn-errortype': 'ThrottlingException:' } })));
    const e = await refusal(exchangeCredentials('ecr', REGISTRY, creds, opts()));
    expect(e).toMatchObject({ code: 'cloud-auth-failed', kind: 'registry' });
    expect(e.message).toMatch(/still throttling after 2 retries .*Rate exceeded/);
  });

  test('403 → refused at once', async () => {
    const before = fake.requests;
    fake.queue.push({ status: 403, body: '{"__type":"AccessDeniedException","message":"User is not authorized to perform: ecr:GetAuthorizationToken"}' });
    const e = await refusal(exchangeCredentials('ecr', REGISTRY, creds, opts()));
    expect(e).toMatchObject({ code: 'cloud-auth-refused' });
    expect(e.message).toMatch(/HTTP 403: AccessDeniedException: User is not authorized/);
    expect(fake.requests - before).toBe(1);
  });

  test('an error body that echoes the secret is redacted', async () => {
    fake.queue.push({ status: 400, body: JSON.stringify({ __type: 'ValidationException', message: `bad key ${SECRET}` }) });
    const e = await refusal(exchangeCredentials('ecr', REGISTRY, creds, opts()));
    expect(e.message).toMatch(/bad key \*\*\*/);
  });

  test.each`
    case                        | body                                                                           | code                   | message
    ${'oversized'}              | ${JSON.stringify({ pad: 'x'.repeat(300 * 1024) })}                             | ${'too-large'}         | ${/limit/}
    ${'not JSON'}               | ${'<html>gateway</html>'}                                                      | ${'cloud-auth-failed'} | ${/not JSON/}
    ${'a JSON array'}           | ${'[]'}                                                                        | ${'cloud-auth-failed'} | ${/not a JSON object/}
    ${'no authorizationData'}   | ${'{"authorizationData":[]}'}                                                  | ${'cloud-auth-failed'} | ${/no authorizationData/}
    ${'token not base64'}       | ${'{"authorizationData":[{"authorizationToken":"***"}]}'}                      | ${'cloud-auth-failed'} | ${/not base64/}
    ${'token without a colon'}  | ${JSON.stringify({ authorizationData: [{ authorizationToken: Buffer.from('AWS').toString('base64') }] })} | ${'cloud-auth-failed'} | ${/not "user:password"/}
  `('$case answer → $code', async ({ body, code, message }) => {
    fake.queue.push({ status: 200, body });
    const e = await refusal(exchangeCredentials('ecr', REGISTRY, creds, opts()));
    expect(e).toMatchObject({ code, kind: 'registry' });
    expect(e.message).toMatch(message);
  });

  test('a plain-HTTP endpoint is refused (the signature would travel in clear)', async () => {
    const e = await refusal(exchangeCredentials('ecr', REGISTRY, creds, opts({ ecrEndpoint: 'http://127.0.0.1:9/' })));
    expect(e).toMatchObject({ code: 'cloud-credentials', kind: 'usage' });
  });

  test('an untrusted endpoint certificate → a TLS error, kind network', async () => {
    const e = await refusal(exchangeCredentials('ecr', REGISTRY, creds, opts({ caPems: [], retries: 0 })));
    expect(e).toMatchObject({ code: 'tls', kind: 'network' });
  });

  test('the cache reuses a token until 5 minutes before it expires, then exchanges again', async () => {
    const cache = new CloudCredentialCache();
    clock = T0;
    fake.registryPassword = 'pw-cached';
    const before = fake.requests;
    const first = await exchangeCredentials('ecr', REGISTRY, creds, opts({ cache }));
    fake.registryPassword = 'pw-renewed';
    clock = T0 + 11 * 3600_000; // an hour before the 12-hour token expires
    expect(await exchangeCredentials('ecr', REGISTRY, creds, opts({ cache }))).toEqual(first);
    expect(fake.requests - before).toBe(1);
    clock = T0 + 12 * 3600_000 - 4 * 60_000; // inside the refresh margin
    expect((await exchangeCredentials('ecr', REGISTRY, creds, opts({ cache }))).password).toBe('pw-renewed');
    expect(fake.requests - before).toBe(2);
    // Another secret for the same key id is exchanged afresh (and refused), not answered from the cache.
    await refusal(exchangeCredentials('ecr', REGISTRY, { username: ACCESS_KEY, password: 'edited-wrong' }, opts({ cache })));
    clock = T0;
  });

  test('concurrent requests share one exchange', async () => {
    const cache = new CloudCredentialCache();
    const before = fake.requests;
    const all = await Promise.all(Array.from({ length: 5 }, () => exchangeCredentials('ecr', REGISTRY, creds, opts({ cache }))));
    expect(new Set(all.map((c) => c.password)).size).toBe(1);
    expect(fake.requests - before).toBe(1);
  });

  test('end to end: the exchanged credential opens a real docker-registry that knows only AWS/<token>', async () => {
    const password = `ecr-${randomBytes(20).toString('hex')}`;
    const reg = await startHtpasswdRegistry('AWS', password);
    try {
      fake.registryPassword = password;
      const got = await exchangeCredentials('ecr', reg.url, creds, opts({ ecrRegion: REGION }));
      const ping = await pingRegistry(reg.url, got, { retries: 0, useProxy: false });
      expect(ping).toMatchObject({ ok: true, status: 200 });
      expect(ping.message).toContain('"AWS"');
      // The stored IAM keys themselves are not registry credentials.
      expect(await pingRegistry(reg.url, creds, { retries: 0, useProxy: false })).toMatchObject({ ok: false, status: 401 });
    } finally {
      await reg.stop();
    }
  });
});
