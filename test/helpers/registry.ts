/**
 * A real Docker registry (Debian's `docker-registry`, distribution 2.8) on 127.0.0.1 for tests.
 *
 *   const reg = await startRegistry({ auth: 'token', tls: true });
 *   await reg.push('app', 'demo/app:1');
 *   ... openRegistryImage(`${reg.host}/demo/app:1`, { username: reg.username, password: reg.password, caFiles: [reg.caFile!] })
 *   await reg.stop();
 *
 * Needs the Debian packages docker-registry, skopeo, openssl and apache2-utils (htpasswd).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate, createPrivateKey, randomBytes, sign } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort, listen, closeServer } from './net.js';

const run = promisify(execFile);

const here = path.dirname(fileURLToPath(import.meta.url));
/** The shared fixtures (read-only); VIGIL_SHARED overrides for other checkouts. */
export const SHARED_DIR = process.env.VIGIL_SHARED ?? path.resolve(here, '../../../shared');
export const FIXTURE_OCI = path.join(SHARED_DIR, 'fixtures/images/oci');

export type RegistryAuth = 'none' | 'basic' | 'token';

export interface StartRegistryOptions {
  auth?: RegistryAuth;
  tls?: boolean;
  /** Token server answers `{access_token}` instead of `{token}` (both are in the spec). */
  tokenField?: 'token' | 'access_token';
  /** Token lifetime the token server announces in `expires_in` (s). */
  tokenLifetime?: number;
}

export interface StartedRegistry {
  /** `127.0.0.1:PORT`, what goes in an image reference. */
  host: string;
  /** `http(s)://127.0.0.1:PORT`. */
  url: string;
  username?: string;
  password?: string;
  /** PEM of the CA that signed the TLS certificates (tls only). */
  caFile?: string;
  /** The registry's storage root (for corrupting blobs on disk). */
  dataDir: string;
  /** Number of requests the token server got (auth 'token' only). */
  tokenRequests(): number;
  /** Path of a blob's bytes in the registry's storage. */
  blobPath(digest: string): string;
  /** skopeo copy of a fixture tag (`app`, `debian12`, …) to `repo:tag` on this registry. */
  push(ociTag: string, repoTag: string, opts?: { format?: 'oci' | 'v2s2' }): Promise<void>;
  /** PUT a manifest or index by hand (auth 'none'/'basic'); returns its digest header. */
  putManifest(repository: string, reference: string, body: Buffer | string, mediaType: string): Promise<string>;
  stop(): Promise<void>;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  await run('openssl', args, { cwd });
}

/** A throwaway CA and a certificate for 127.0.0.1/localhost signed by it (EC keys: fast). */
async function makeTls(dir: string): Promise<{ ca: string; cert: string; key: string }> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=Vigil Test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  await openssl(['req', ...ec, '-keyout', 'tls.key', '-out', 'tls.csr', '-subj', '/CN=localhost'], dir);
  await writeFile(path.join(dir, 'tls.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n');
  await openssl(['x509', '-req', '-in', 'tls.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'tls.crt', '-days', '2', '-extfile', 'tls.ext'], dir);
  return { ca: path.join(dir, 'ca.crt'), cert: path.join(dir, 'tls.crt'), key: path.join(dir, 'tls.key') };
}

interface TokenServer {
  realm: string;
  requests: number;
  close(): Promise<void>;
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

/**
 * The token service of https://distribution.github.io/distribution/spec/auth/token/: checks Basic
 * credentials and issues RS256 JWTs whose `x5c` header carries the signing certificate, which the
 * registry verifies against its rootcertbundle (registry/auth/token/token.go, parseAndVerifyCertChain).
 */
async function startTokenServer(o: {
  dir: string;
  service: string;
  issuer: string;
  username: string;
  password: string;
  tls?: { cert: string; key: string };
  field: 'token' | 'access_token';
  lifetime: number;
}): Promise<TokenServer & { bundle: string }> {
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'sign.key', '-out', 'sign.crt', '-days', '2', '-subj', '/CN=Vigil Test Token Signer'], o.dir);
  const signPem = await readFile(path.join(o.dir, 'sign.crt'), 'utf8');
  const key = createPrivateKey(await readFile(path.join(o.dir, 'sign.key')));
  const x5c = [new X509Certificate(signPem).raw.toString('base64')];
  const expected = `Basic ${Buffer.from(`${o.username}:${o.password}`).toString('base64')}`;
  const state = { requests: 0 };

  const handler: http.RequestListener = (req, res) => {
    state.requests++;
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/token') {
      res.writeHead(404).end();
      return;
    }
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="token"' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] }));
      return;
    }
    const now = Math.floor(Date.now() / 1000);
    const access = url.searchParams.getAll('scope').flatMap((s) => {
      const m = /^(repository(?:\([^)]*\))?):(.+):([a-z*,]+)$/.exec(s);
      return m ? [{ type: m[1]!.replace(/\(.*\)/, ''), name: m[2]!, actions: m[3]!.split(',') }] : [];
    });
    const header = { typ: 'JWT', alg: 'RS256', x5c };
    const claims = { iss: o.issuer, sub: o.username, aud: url.searchParams.get('service') ?? o.service, exp: now + o.lifetime, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const token = `${input}.${b64url(sign('sha256', Buffer.from(input), key))}`;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ [o.field]: token, expires_in: o.lifetime, issued_at: new Date(now * 1000).toISOString() }));
  };
  const server = o.tls
    ? https.createServer({ cert: await readFile(o.tls.cert), key: await readFile(o.tls.key) }, handler)
    : http.createServer(handler);
  const port = await listen(server);
  return {
    realm: `${o.tls ? 'https' : 'http'}://127.0.0.1:${port}/token`,
    bundle: path.join(o.dir, 'sign.crt'),
    get requests() {
      return state.requests;
    },
    close: () => closeServer(server),
  };
}

/** GET /v2/ until the registry answers (any HTTP status), bounded. */
async function waitUntilUp(url: string, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}): ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const mod = url.startsWith('https') ? https : http;
      const req = mod.get(`${url}/v2/`, { rejectUnauthorized: false, timeout: 1000 }, (res) => {
        res.resume();
        resolve(true);
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry did not answer on ${url}: ${log()}`);
}

/** Child env without proxies or REGISTRY_* overrides from the caller's environment. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(REGISTRY_|https?_proxy$|no_proxy$|all_proxy$)/i.test(k)) continue;
    env[k] = v;
  }
  return env;
}

export async function startRegistry(opts: StartRegistryOptions = {}): Promise<StartedRegistry> {
  const auth = opts.auth ?? 'none';
  const dir = await mkdtemp(path.join(tmpdir(), 'vigil-registry-'));
  const cleanups: Array<() => Promise<void>> = [() => rm(dir, { recursive: true, force: true })];
  const cleanup = async (): Promise<void> => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  try {
    const username = auth === 'none' ? undefined : 'vigil';
    const password = auth === 'none' ? undefined : `pw-${randomBytes(6).toString('hex')}`;
    const tlsFiles = opts.tls ? await makeTls(dir) : undefined;
    const dataDir = path.join(dir, 'data');
    const port = await freePort();
    const scheme = opts.tls ? 'https' : 'http';
    const config: Record<string, unknown> = {
      version: '0.1',
      log: { level: 'error', accesslog: { disabled: true } },
      storage: { filesystem: { rootdirectory: dataDir }, delete: { enabled: true } },
      http: {
        addr: `127.0.0.1:${port}`,
        secret: randomBytes(16).toString('hex'),
        ...(tlsFiles ? { tls: { certificate: tlsFiles.cert, key: tlsFiles.key } } : {}),
      },
    };
    let token: (TokenServer & { bundle: string }) | undefined;
    if (auth === 'basic') {
      const { stdout } = await run('htpasswd', ['-Bbn', '-C', '4', username!, password!]);
      await writeFile(path.join(dir, 'htpasswd'), stdout);
      config.auth = { htpasswd: { realm: 'vigil-test', path: path.join(dir, 'htpasswd') } };
    } else if (auth === 'token') {
      const service = 'vigil-test-registry';
      const issuer = 'vigil-test-issuer';
      token = await startTokenServer({
        dir, service, issuer, username: username!, password: password!,
        tls: tlsFiles, field: opts.tokenField ?? 'token', lifetime: opts.tokenLifetime ?? 300,
      });
      cleanups.push(() => token!.close());
      config.auth = { token: { realm: token.realm, service, issuer, rootcertbundle: token.bundle } };
    }
    // JSON is YAML: the registry reads it as its config file.
    const configFile = path.join(dir, 'config.yml');
    await writeFile(configFile, JSON.stringify(config, null, 1));

    let log = '';
    const child = spawn('docker-registry', ['serve', configFile], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (b: Buffer): void => {
      log = (log + b.toString()).slice(-8192);
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    cleanups.push(async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    });
    const url = `${scheme}://127.0.0.1:${port}`;
    await waitUntilUp(url, child, () => log);

    const host = `127.0.0.1:${port}`;
    const creds = username !== undefined ? `${username}:${password}` : undefined;
    const basicHeader = creds ? `Basic ${Buffer.from(creds).toString('base64')}` : undefined;

    const reg: StartedRegistry = {
      host,
      url,
      dataDir,
      tokenRequests: () => token?.requests ?? 0,
      blobPath: (digest) => {
        const [alg, hex] = digest.split(':') as [string, string];
        return path.join(dataDir, 'docker/registry/v2/blobs', alg, hex.slice(0, 2), hex, 'data');
      },
      async push(ociTag, repoTag, o = {}) {
        const args = ['copy', '--quiet', '--dest-tls-verify=false'];
        if (creds) args.push('--dest-creds', creds);
        if (o.format) args.push('--format', o.format);
        args.push(`oci:${FIXTURE_OCI}:${ociTag}`, `docker://${host}/${repoTag}`);
        try {
          await run('skopeo', args, { env: { ...cleanEnv(), HOME: dir }, timeout: 120_000 });
        } catch (e) {
          throw new Error(`skopeo ${args.join(' ')} failed: ${(e as { stderr?: string }).stderr ?? e}\nregistry log: ${log}`);
        }
      },
      async putManifest(repository, reference, body, mediaType) {
        if (auth === 'token') throw new Error('putManifest: not supported with token auth; push with skopeo');
        const res = await fetchLoopback(`${url}/v2/${repository}/manifests/${reference}`, {
          method: 'PUT',
          headers: { 'content-type': mediaType, ...(basicHeader ? { authorization: basicHeader } : {}) },
          body: Buffer.from(body),
        });
        if (res.status !== 201) throw new Error(`PUT manifest ${repository}:${reference}: HTTP ${res.status} ${res.body}`);
        return res.headers['docker-content-digest'] as string;
      },
      stop: cleanup,
    };
    if (username !== undefined) {
      reg.username = username;
      reg.password = password;
    }
    if (tlsFiles) reg.caFile = tlsFiles.ca;
    return reg;
  } catch (e) {
    await cleanup();
    throw e;
  }
}

/** A tiny HTTP(S) client for test plumbing (no proxies, TLS unverified: loopback only). */
export function fetchLoopback(
  url: string,
  o: { method?: string; headers?: Record<string, string>; body?: Buffer } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const mod = url.startsWith('https') ? https : http;
    const req = mod.request(url, { method: o.method ?? 'GET', headers: o.headers, rejectUnauthorized: false, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    req.end(o.body);
  });
}
