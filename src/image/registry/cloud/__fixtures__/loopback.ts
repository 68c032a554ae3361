/**
 * Loopback plumbing for the cloud exchange tests: a throwaway TLS certificate for 127.0.0.1, an
 * HTTPS server for a fake token endpoint, and a real Debian `docker-registry` whose htpasswd
 * holds the user and password a fake cloud hands out (test/helpers/registry.ts fixes its own
 * user name, and ECR/GCR/ACR fix theirs: AWS, oauth2accesstoken, 00000000-…).
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { closeServer, freePort, listen, trackSockets } from '../../../../../test/helpers/net.js';

const run = promisify(execFile);

export interface TestTls {
  cert: string;
  key: string;
  /** The self-signed certificate again: what the client trusts (caPems). */
  ca: string;
}

/** A self-signed EC certificate for 127.0.0.1 (trusted as its own root through caPems). */
export async function makeTls(): Promise<TestTls> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vigil-cloud-tls-'));
  try {
    await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { cwd: dir });
    const cert = await readFile(path.join(dir, 'cert.pem'), 'utf8');
    return { cert, ca: cert, key: await readFile(path.join(dir, 'key.pem'), 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface FakeServer {
  /** `https://127.0.0.1:PORT`. */
  url: string;
  host: string;
  close(): Promise<void>;
}

export async function startHttps(tls: TestTls, handler: http.RequestListener): Promise<FakeServer> {
  const server = https.createServer({ cert: tls.cert, key: tls.key }, handler);
  const sockets = trackSockets(server);
  const port = await listen(server);
  return { url: `https://127.0.0.1:${port}`, host: `127.0.0.1:${port}`, close: () => closeServer(server, sockets) };
}

/** A request body, bounded as a real endpoint bounds it. */
export async function readBody(req: http.IncomingMessage, max = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req) {
    n += (c as Buffer).length;
    if (n > max) throw new Error('request body too large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJson(res: http.ServerResponse, status: number, doc: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(doc));
}

/** An answer a test queues on a fake to play a failing endpoint. */
export interface CannedAnswer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

export function sendCanned(res: http.ServerResponse, a: CannedAnswer): void {
  res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
  res.end(a.body);
}

export interface HtpasswdRegistry {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  stop(): Promise<void>;
}

/** docker-registry (distribution 2.8) with htpasswd auth for exactly one user. */
export async function startHtpasswdRegistry(username: string, password: string): Promise<HtpasswdRegistry> {
  // bcrypt reads 72 bytes: a longer password would be checked on its first 72 only.
  if (Buffer.byteLength(password) > 72) throw new Error('startHtpasswdRegistry: bcrypt checks 72 bytes at most; use a shorter password');
  const dir = await mkdtemp(path.join(tmpdir(), 'vigil-cloud-registry-'));
  const { stdout } = await run('htpasswd', ['-Bbn', '-C', '4', username, password]);
  await writeFile(path.join(dir, 'htpasswd'), stdout);
  const port = await freePort();
  const config = {
    version: '0.1',
    log: { level: 'error', accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: path.join(dir, 'data') } },
    http: { addr: `127.0.0.1:${port}`, secret: randomBytes(16).toString('hex') },
    auth: { htpasswd: { realm: 'vigil-cloud-test', path: path.join(dir, 'htpasswd') } },
  };
  // JSON is YAML.
  await writeFile(path.join(dir, 'config.yml'), JSON.stringify(config));
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(REGISTRY_|https?_proxy$|no_proxy$|all_proxy$)/i.test(k)));
  const child = spawn('docker-registry', ['serve', path.join(dir, 'config.yml')], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (b: Buffer) => {
    log = (log + b.toString()).slice(-4096);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null || i >= 200) {
      await stop();
      throw new Error(`docker-registry did not start: ${log}`);
    }
    const up = await new Promise<boolean>((resolve) => {
      http.get(`${url}/v2/`, { timeout: 1000 }, (res) => {
        res.resume();
        resolve(true);
      }).on('error', () => resolve(false));
    });
    if (up) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, stop };
}
