// A throwaway Docker registry (Debian's `docker-registry`, distribution 2.8) on 127.0.0.1, plain
// HTTP, storage in a temp dir. The same env/config as test/helpers/registry.ts, without auth/TLS.
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { clearTimeout, setTimeout } from 'node:timers';

/** A free TCP port on 127.0.0.1 (bind to 0, read the port, close). */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Child env without proxies or REGISTRY_* overrides inherited from the caller. */
export function cleanEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(REGISTRY_|https?_proxy$|no_proxy$|all_proxy$)/i.test(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

function answers(url) {
  return new Promise((resolve) => {
    const req = http.get(`${url}/v2/`, { timeout: 1000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

/**
 * Start the registry; `stop()` is idempotent and safe to call from a finally/exit handler.
 * @param {string} dir an empty temp dir owned by the caller
 */
export async function startRegistry(dir) {
  await mkdir(dir, { recursive: true });
  const port = await freePort();
  const config = {
    version: '0.1',
    log: { level: 'error', accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: path.join(dir, 'data') }, delete: { enabled: true } },
    http: { addr: `127.0.0.1:${port}`, secret: randomBytes(16).toString('hex') },
  };
  const configFile = path.join(dir, 'config.yml');
  await writeFile(configFile, JSON.stringify(config)); // JSON is YAML
  let log = '';
  const child = spawn('docker-registry', ['serve', configFile], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const collect = (b) => {
    log = (log + b.toString()).slice(-8192);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.once('error', (e) => collect(Buffer.from(String(e))));

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) break;
    if (await answers(url)) return { host: `127.0.0.1:${port}`, url, stop, log: () => log };
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error(`docker-registry did not start on ${url}: ${log}`);
}
