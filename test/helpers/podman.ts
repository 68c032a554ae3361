/**
 * Real containers for tests: rootful Podman (runc) and its Docker-compatible API service.
 *
 *   const pm = await startPodman();                       // service on <tmp>/podman.sock
 *   const c = await pm.run('priv', ['--privileged']);     // debian12 fixture, `sleep 600`, --network none
 *   ... new DockerClient({ dockerHost: pm.dockerHost }).inspectContainer(c.id)
 *   await pm.stop();                                      // removes every container it made, stops the service
 *
 * Uses the default Podman storage (never `--root`/`--runroot`: Podman 4.3 keeps one container
 * database for the host, and a second runroot makes it "refresh" and lose track of running
 * containers). Every container gets a unique name and the labels `vigil.test` and
 * `vigil.test.pid`; leftovers of dead test processes are removed at start.
 *
 * Needs (CI: .ci/run) the Debian packages podman runc conmon catatonit netavark aardvark-dns
 * iptables containernetworking-plugins fuse-overlayfs slirp4netns uidmap, and
 * /etc/containers/containers.conf with
 *   [containers]
 *   default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
 *   [engine]
 *   runtime = "runc"
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { FIXTURE_OCI } from './registry.js';

const exec = promisify(execFile);

export const PODMAN_CI_HINT =
  '.ci/run must install podman and configure it: `apt-get install -y --no-install-recommends podman runc conmon catatonit netavark aardvark-dns iptables containernetworking-plugins fuse-overlayfs slirp4netns uidmap` ' +
  'and write /etc/containers/containers.conf: `[containers]\\ndefault_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]\\n[engine]\\nruntime = "runc"`';

const LABEL = 'vigil.test';
const PID_LABEL = 'vigil.test.pid';

export interface StartedContainer {
  id: string;
  /** The full (unique) name: `vigil-<run>-<name>`. */
  name: string;
}

export interface RunOptions {
  /** Fixture tag in ../shared/fixtures/images/oci (default `debian12`, which has `sleep`). */
  image?: string;
  /** Command (default `sleep 600`). */
  command?: string[];
  /** `podman create` instead of `run -d`: the container exists but does not run. */
  createOnly?: boolean;
}

export interface PodmanService {
  /** The API socket path. */
  socket: string;
  /** `unix://<socket>`, for DockerClient / DOCKER_HOST. */
  dockerHost: string;
  /** A scratch directory removed by stop(). */
  dir: string;
  /** Starts a container from a fixture image; `--network none` unless args choose a network. */
  run(name: string, args?: string[], opts?: RunOptions): Promise<StartedContainer>;
  /** Removes one container (force, no grace period). */
  rm(nameOrId: string): Promise<void>;
  /** Any podman CLI call (stdout). */
  podman(args: string[]): Promise<string>;
  /** Removes everything this service started and stops the API service. Idempotent. */
  stop(): Promise<void>;
}

async function podman(args: string[], timeoutMs = 60_000): Promise<string> {
  try {
    const { stdout } = await exec('podman', args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string; code?: unknown };
    if (err.code === 'ENOENT') throw new Error(`podman is not installed (not on PATH). ${PODMAN_CI_HINT}`);
    const stderr = (err.stderr ?? '').trim();
    throw new Error(`podman ${args.join(' ')} failed: ${stderr || err.message}\n(${PODMAN_CI_HINT})`);
  }
}

/** Fails (never skips) with what CI must install when podman is missing. */
export async function requirePodman(): Promise<void> {
  const v = await podman(['--version'], 10_000);
  if (!/podman version/i.test(v)) throw new Error(`unexpected podman --version output: ${v}. ${PODMAN_CI_HINT}`);
}

function ping(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: '/_ping', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Removes containers left by test processes that died before their cleanup ran. */
async function reapLeftovers(): Promise<void> {
  const out = await podman(['ps', '-a', '--filter', `label=${LABEL}`, '--format', 'json']);
  const list = (JSON.parse(out || '[]') ?? []) as Array<{ Id: string; Labels?: Record<string, string> }>;
  const dead = list.filter((c) => {
    const pid = Number(c.Labels?.[PID_LABEL]);
    return !Number.isInteger(pid) || pid <= 0 || !alive(pid);
  });
  if (dead.length) await podman(['rm', '-f', '--ignore', '-t', '0', ...dead.map((c) => c.Id)]);
}

const imageRefs = new Map<string, Promise<string>>();

/** Loads a fixture tag into Podman's storage once per process, as localhost/vigil-fixtures/<tag>:latest. */
function fixtureImage(tag: string): Promise<string> {
  let p = imageRefs.get(tag);
  if (!p) {
    p = (async () => {
      const ref = `localhost/vigil-fixtures/${tag}:latest`;
      const id = (await podman(['pull', '-q', `oci:${FIXTURE_OCI}:${tag}`])).trim().split('\n').pop()!;
      await podman(['tag', id, ref]);
      return ref;
    })();
    p.catch(() => imageRefs.delete(tag));
    imageRefs.set(tag, p);
  }
  return p;
}

export async function startPodman(): Promise<PodmanService> {
  await requirePodman();
  try {
    await reapLeftovers();
  } catch {
    /* best effort */
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'vigil-podman-'));
  const socket = path.join(dir, 'podman.sock');
  const runId = randomBytes(3).toString('hex');
  const started = new Set<string>();
  let stderr = '';
  let exited: string | undefined;
  const child: ChildProcess = spawn('podman', ['system', 'service', '--time=0', `unix://${socket}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => {
    if (stderr.length < 16_000) stderr += d.toString();
  });
  const exitedP = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = `exit ${code ?? signal}`;
      resolve();
    });
    child.once('error', (e) => {
      exited = e.message;
      resolve();
    });
  });

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    const errors: string[] = [];
    if (started.size) {
      try {
        await podman(['rm', '-f', '--ignore', '-t', '0', ...started]);
        started.clear();
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    if (!exited) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exitedP;
      clearTimeout(t);
    }
    await rm(dir, { recursive: true, force: true });
    if (errors.length) throw new Error(`podman cleanup failed: ${errors.join('; ')}`);
  };

  try {
    const deadline = Date.now() + 20_000;
    while (!(await ping(socket))) {
      if (exited) throw new Error(`podman system service stopped (${exited}): ${stderr.trim()}\n(${PODMAN_CI_HINT})`);
      if (Date.now() > deadline) throw new Error(`podman system service did not answer /_ping on ${socket} within 20 s: ${stderr.trim()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }

  return {
    socket,
    dockerHost: `unix://${socket}`,
    dir,
    podman: (args) => podman(args),
    async run(name, args = [], opts = {}) {
      if (stopped) throw new Error('podman service already stopped');
      const full = `vigil-${runId}-${name}`;
      const image = await fixtureImage(opts.image ?? 'debian12');
      const hasNetwork = args.some((a) => a === '--network' || a === '--net' || a.startsWith('--network=') || a.startsWith('--net='));
      const argv = [
        ...(opts.createOnly ? ['create'] : ['run', '-d']),
        '--name',
        full,
        '--label',
        LABEL,
        '--label',
        `${PID_LABEL}=${process.pid}`,
        ...(hasNetwork ? [] : ['--network', 'none']),
        ...args,
        image,
        ...(opts.command ?? ['sleep', '600']),
      ];
      started.add(full); // before the call: a half-created container is removed too
      const out = await podman(argv);
      const id = out.trim().split('\n').pop()!.trim();
      return { id, name: full };
    },
    async rm(nameOrId) {
      await podman(['rm', '-f', '--ignore', '-t', '0', nameOrId]);
      started.delete(nameOrId);
    },
    stop,
  };
}
