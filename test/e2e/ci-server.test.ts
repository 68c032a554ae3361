/**
 * CI against a controller, all as real processes (`npm run build` first): a Debian
 * docker-registry with the `app` fixture, `vigil server` (plain HTTP, and HTTPS with its generated
 * certificate), an API token with the scan scope, then `vigil scan image --server`. The report and
 * exit codes must be those of a local `vigil scan image` of the same reference; the second ask is
 * answered from the stored inventory; bad tokens, missing images and unreachable controllers are
 * one-line errors with exit 2. Loopback only; every wait is bounded; temp dirs are removed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { BIN, REPO, assertBuilt, expectCleanFailure, runVigil, type CliResult } from '../helpers/cli.js';
import { closeServer, freePort, listen } from '../helpers/net.js';
import { startRegistry, type StartedRegistry } from '../helpers/registry.js';

const ADMIN_PASSWORD = 'ci-e2e-admin-password-1';

interface Server {
  child: ChildProcess;
  url: string;
  dataDir: string;
  stderr(): string;
  exited: Promise<number | null>;
}

const children = new Set<ChildProcess>();
let dir: string;
let reg: StartedRegistry;
let server: Server;
let scanToken: string;
let readToken: string;
let adminToken: string;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<T>((_, rej) => (timer = setTimeout(() => rej(new Error(`timed out after ${ms} ms: ${what}`)), ms)))]).finally(() => clearTimeout(timer));
}

/** `vigil server` as a user starts it; resolves once it prints where it listens. */
async function startServer(name: string, args: string[]): Promise<Server> {
  const dataDir = join(dir, name);
  const child = spawn(process.execPath, [BIN, 'server', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--scan-workers', '1', ...args], {
    cwd: REPO,
    // VIGIL_DB (the test DB from global setup) is inherited: the controller matches with it.
    env: { ...process.env, VIGIL_HOME: dataDir, VIGIL_ADMIN_PASSWORD: ADMIN_PASSWORD, VIGIL_LOG_LEVEL: 'warn', VIGIL_SERVER: '', VIGIL_TOKEN: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout!.resume();
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  void exited.finally(() => children.delete(child));
  const url = await withTimeout(
    new Promise<string>((res, rej) => {
      const check = () => {
        const m = /listening on (https?:\/\/\S+)/.exec(stderr);
        if (m?.[1]) res(m[1]);
      };
      child.stderr!.on('data', check);
      void exited.then((code) => rej(new Error(`server exited ${code}: ${stderr}`)));
      check();
    }),
    30_000,
    'server start',
  );
  return { child, url, dataDir, stderr: () => stderr, exited };
}

async function stopServer(s: Server | undefined): Promise<void> {
  if (!s || s.child.exitCode !== null) return;
  s.child.kill('SIGTERM');
  await withTimeout(s.exited, 15_000, 'server exit after SIGTERM');
}

/** The REST API as a pipeline would call it (curl's job). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
async function api(s: Server, method: string, path: string, token: string | null, body?: unknown, dispatcher?: Agent): Promise<{ status: number; json: any }> {
  const res = await fetch(`${s.url}${path}`, {
    method,
    ...(dispatcher ? { dispatcher } : {}),
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

/** Admin login, a registry entry for the loopback registry, and API tokens for a ci user. */
async function provision(s: Server, dispatcher?: Agent): Promise<{ admin: string; scan: string; read: string }> {
  const login = await api(s, 'POST', '/api/v1/auth/login', null, { username: 'admin', password: ADMIN_PASSWORD }, dispatcher);
  expect(login.status, JSON.stringify(login.json)).toBe(200);
  const admin = login.json.token as string;
  const regEntry = await api(s, 'POST', '/api/v1/registries', admin, { name: 'loopback', type: 'docker-v2', url: reg.url }, dispatcher);
  expect(regEntry.status, JSON.stringify(regEntry.json)).toBe(201);
  const user = await api(s, 'POST', '/api/v1/users', admin, { username: 'pipeline', password: 'pipeline-password-1', role: 'ci' }, dispatcher);
  expect(user.status, JSON.stringify(user.json)).toBe(201);
  const tokens: Record<string, string> = {};
  for (const scope of ['scan', 'read'] as const) {
    const t = await api(s, 'POST', '/api/v1/tokens', admin, { name: `ci-${scope}`, scopes: [scope], username: 'pipeline', expiresInDays: 1 }, dispatcher);
    expect(t.status, JSON.stringify(t.json)).toBe(201);
    tokens[scope] = t.json.token as string;
  }
  return { admin, scan: tokens.scan!, read: tokens.read! };
}

type Report = { artifact: Record<string, unknown>; db: unknown; packages: unknown[]; vulnerabilities: Array<{ id: string; package: { name: string } }>; summary: Record<string, number>; warnings: unknown[] };

function parseReport(r: CliResult): Report {
  expect(r.stderr, `exit ${r.code}`).toBe('');
  return JSON.parse(r.stdout) as Report;
}

const ref = () => `${reg.host}/demo/app:1`;
const remote = (args: string[], env: NodeJS.ProcessEnv = {}) => runVigil(['scan', 'image', ref(), '--server', server.url, '--token', scanToken, ...args], { timeoutMs: 120_000, env });
const local = (args: string[]) => runVigil(['scan', 'image', ref(), '--insecure-registry', ...args], { timeoutMs: 120_000 });

beforeAll(async () => {
  assertBuilt();
  dir = mkdtempSync(join(tmpdir(), 'vigil-ci-e2e-'));
  reg = await startRegistry();
  await reg.push('app', 'demo/app:1');
  server = await startServer('http-home', ['--http']);
  const t = await provision(server);
  [adminToken, scanToken, readToken] = [t.admin, t.scan, t.read];
}, 180_000);

afterAll(async () => {
  await stopServer(server).catch(() => undefined);
  for (const c of children) c.kill('SIGKILL');
  await reg?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('vigil scan image --server (built, real processes)', () => {
  test('the report is the one a local scan makes of the same reference; the second ask is answered from the stored inventory', async () => {
    const [viaServer, viaLocal] = await Promise.all([remote(['--format', 'json']), local(['--format', 'json'])]);
    expect(viaServer.code, viaServer.stderr).toBe(0);
    expect(viaLocal.code, viaLocal.stderr).toBe(0);
    const a = parseReport(viaServer);
    const b = parseReport(viaLocal);
    expect(a.vulnerabilities.length).toBeGreaterThan(50);
    expect(a.vulnerabilities).toEqual(b.vulnerabilities);
    expect(a.summary).toEqual(b.summary);
    expect(a.packages).toEqual(b.packages);
    expect(a.artifact).toEqual(b.artifact);
    expect(a.db).toEqual(b.db);

    // The same again through the REST API: cached, and in all one pull only.
    const again = await api(server, 'POST', '/api/v1/scan/repository', scanToken, { image: ref() });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ cached: true, verdict: { pass: true, reasons: [] }, job: { status: 'done', source: 'ci', requestedBy: 'pipeline' } });
    const finished = await api(server, 'GET', '/api/v1/events?action=scan.finished', adminToken);
    expect(finished.status).toBe(200);
    expect(finished.json.events).toHaveLength(1);

    // table output is the same too
    const [tRemote, tLocal] = await Promise.all([remote([]), local([])]);
    expect(tRemote.stdout).toBe(tLocal.stdout);
  });

  test.each`
    flags
    ${['--fail-on', 'critical']}
    ${['--fail-on', 'high', '--ignore-unfixed']}
    ${['--fail-on', 'critical', '--severity', 'low']}
    ${['--fail-on', 'unknown', '--ignore-unfixed', '--severity', 'medium']}
  `('exit code with $flags is the local one', async ({ flags }: { flags: string[] }) => {
    const [viaServer, viaLocal] = await Promise.all([remote(['--format', 'json', ...flags]), local(['--format', 'json', ...flags])]);
    expect(viaServer.code, viaServer.stderr).toBe(viaLocal.code);
    expect([0, 1]).toContain(viaServer.code);
    expect(JSON.parse(viaServer.stdout)).toEqual(JSON.parse(viaLocal.stdout));
    if (flags.join(' ') === '--fail-on critical') expect(viaServer.code).toBe(1);
  });

  test('the REST API gives the verdict a pipeline can fail on', async () => {
    const r = await api(server, 'POST', '/api/v1/scan/repository', scanToken, { image: ref(), policy: { failOn: 'critical', maxCounts: { high: 100 }, denyIds: ['CVE-1999-0001'] } });
    expect(r.status).toBe(200);
    expect(r.json.verdict.pass).toBe(false);
    expect(r.json.verdict.reasons).toEqual([expect.stringMatching(/^2 findings of severity critical: CVE-\d+-\d+, CVE-\d+-\d+$/)]);
  });

  test('--server, --token from VIGIL_SERVER and VIGIL_TOKEN; no local DB is needed', async () => {
    const r = await runVigil(['scan', 'image', ref(), '--format', 'json', '--fail-on', 'critical'], { timeoutMs: 120_000, env: { VIGIL_SERVER: server.url, VIGIL_TOKEN: scanToken, VIGIL_DB: join(dir, 'no-such.db') } });
    expect(r.code, r.stderr).toBe(1);
    expect(parseReport(r).summary.critical).toBe(2);
  });

  test('a wrong token, a token without the scan scope → exit 2 with one line', async () => {
    const bad = await runVigil(['scan', 'image', ref(), '--server', server.url, '--token', 'vgl_not-a-real-token'], { timeoutMs: 60_000 });
    expect(expectCleanFailure(bad, 'unauthorized')).toContain('refused the API token');
    const reader = await runVigil(['scan', 'image', ref(), '--server', server.url, '--token', readToken], { timeoutMs: 60_000 });
    expect(expectCleanFailure(reader, 'forbidden')).toContain('scan scope');
    const none = await runVigil(['scan', 'image', ref(), '--server', server.url], { timeoutMs: 60_000, env: { VIGIL_TOKEN: '' } });
    expectCleanFailure(none, 'bad-option');
  });

  test('an image the registry does not have, a registry option that does not apply → exit 2 with one line', async () => {
    const missing = await runVigil(['scan', 'image', `${reg.host}/demo/app:nope`, '--server', server.url, '--token', scanToken], { timeoutMs: 60_000 });
    expect(expectCleanFailure(missing, 'not-found')).toContain('demo/app');
    const flag = await remote(['--insecure-registry']);
    expect(expectCleanFailure(flag, 'bad-option')).toContain('--insecure-registry');
  });

  test('a controller nobody answers for, one that hangs (--timeout) or fails (exit 3), or a URL that is not one', async () => {
    const port = await freePort();
    const down = await runVigil(['scan', 'image', ref(), '--server', `http://127.0.0.1:${port}`, '--token', scanToken], { timeoutMs: 60_000 });
    expect(expectCleanFailure(down, 'server-unreachable')).toContain(`127.0.0.1:${port}`);
    const notUrl = await runVigil(['scan', 'image', ref(), '--server', 'controller.example', '--token', scanToken], { timeoutMs: 60_000 });
    expectCleanFailure(notUrl, 'bad-option');
    // something that accepts the request and never answers: bounded by --timeout
    const sockets = new Set<import('node:net').Socket>();
    const silent = http.createServer(() => undefined);
    silent.on('connection', (c) => sockets.add(c));
    const silentPort = await listen(silent);
    try {
      const hung = await runVigil(['scan', 'image', ref(), '--server', `http://127.0.0.1:${silentPort}`, '--token', scanToken, '--timeout', '1'], { timeoutMs: 30_000 });
      expect(expectCleanFailure(hung, 'server-timeout')).toContain('--timeout');
    } finally {
      await closeServer(silent, sockets);
    }
    // the controller's own failure is exit 3, as an internal failure of a local scan would be
    const broken = http.createServer((_req, res) => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'internal', message: 'internal server error' })));
    const brokenPort = await listen(broken);
    try {
      const r = await runVigil(['scan', 'image', ref(), '--server', `http://127.0.0.1:${brokenPort}`, '--token', scanToken], { timeoutMs: 30_000 });
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/^vigil: internal: controller http:\/\/127\.0\.0\.1:\d+: internal server error\n$/);
    } finally {
      await closeServer(broken);
    }
    // the registry, not the controller: it answers 404 without a Vigil error body
    const wrong = await runVigil(['scan', 'image', ref(), '--server', reg.url, '--token', scanToken], { timeoutMs: 60_000 });
    expect(expectCleanFailure(wrong, 'bad-server-answer')).toContain('HTTP 404');
  });

  test('HTTPS with the generated certificate: refused until trusted with --server-ca (or --insecure-server)', async () => {
    const tls = await startServer('tls-home', []);
    try {
      expect(tls.url).toMatch(/^https:/);
      const ca = join(tls.dataDir, 'tls', 'server.crt');
      const dispatcher = new Agent({ connect: { rejectUnauthorized: false } });
      let token: string;
      try {
        token = (await provision(tls, dispatcher)).scan;
      } finally {
        await dispatcher.close();
      }
      const untrusted = await runVigil(['scan', 'image', ref(), '--server', tls.url, '--token', token], { timeoutMs: 60_000 });
      expect(expectCleanFailure(untrusted, 'server-tls')).toContain('--server-ca');
      const trusted = await runVigil(['scan', 'image', ref(), '--server', tls.url, '--token', token, '--server-ca', ca, '--format', 'json', '--fail-on', 'critical'], { timeoutMs: 120_000 });
      expect(trusted.code, trusted.stderr).toBe(1);
      expect(parseReport(trusted).summary.critical).toBe(2);
      const insecure = await runVigil(['scan', 'image', ref(), '--server', tls.url, '--token', token, '--insecure-server', '--format', 'json'], { timeoutMs: 120_000 });
      expect(insecure.code, insecure.stderr).toBe(0);
    } finally {
      await stopServer(tls);
    }
  });
});

describe('docs/ci examples', () => {
  const docs = join(REPO, 'docs/ci');
  const files = readdirSync(docs);

  test('there is one for each CI system, and the YAML ones parse', () => {
    expect(files.sort()).toEqual(['Jenkinsfile', 'README.md', 'circleci-config.yml', 'github-actions.yml', 'gitlab-ci.yml']);
    for (const f of files.filter((x) => x.endsWith('.yml'))) expect(() => parseYaml(readFileSync(join(docs, f), 'utf8')), f).not.toThrow();
  });

  test('every `vigil scan image` in them uses options the CLI has, and passes --server-ca', async () => {
    const help = (await runVigil(['scan', 'image', '--help'])).stdout;
    let calls = 0;
    for (const f of files) {
      // A call ends at the end of its line, or of its backslash-continued lines.
      const text = readFileSync(join(docs, f), 'utf8').replace(/\\\n\s*/g, ' ');
      for (const m of text.matchAll(/(?:vigil|\$VIGIL|vigil@[\d.]+) scan image ([^\n']*)/g)) {
        calls++;
        for (const flag of m[1]!.match(/--[a-z-]+/g) ?? []) expect(help, `${f}: ${flag}`).toContain(`${flag} `);
        if (f !== 'README.md') expect(m[1], f).toContain('--server-ca');
      }
    }
    expect(calls).toBeGreaterThanOrEqual(8);
  });

  test('the GitLab REST job, run as written against the controller, fails on the verdict and says why', async () => {
    const job = (parseYaml(readFileSync(join(docs, 'gitlab-ci.yml'), 'utf8')) as Record<string, { script: string[] }>)['vigil-verdict']!;
    const work = mkdtempSync(join(dir, 'gitlab-'));
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: work, IMAGE: ref(), VIGIL_SERVER: server.url, VIGIL_TOKEN: scanToken, VIGIL_SERVER_CA: join(work, 'unused-for-http.crt') };
    // GitLab runs the script entries in one shell that stops at the first failing command.
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn('bash', ['-eo', 'pipefail', '-c', job.script.join('\n')], { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, out });
      });
    });
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain(`${ref()} sha256:`);
    expect(r.out).toMatch(/2 findings with a fix of severity critical: CVE-2021-23369, CVE-2021-44906/);
  });

  test('the REST form names the route and the policy fields the API takes', () => {
    for (const f of ['README.md', 'github-actions.yml', 'gitlab-ci.yml']) {
      const text = readFileSync(join(docs, f), 'utf8');
      expect(text, f).toContain('/api/v1/scan/repository');
      expect(text, f).toMatch(/failOn: "critical", maxCounts: \{high: 10\}, denyIds: \[/);
      expect(text, f).toContain(`jq -e '.verdict.pass'`);
    }
  });
});
