/**
 * Real containers under rootful Podman, read through its Docker-compatible API (v1.41), and
 * inspect files captured from them. Needs podman (see test/helpers/podman.ts); never skipped.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/helpers/net.js';
import { startPodman, type PodmanService } from '../../../test/helpers/podman.js';
import type { ContainerInfo } from '../types.js';
import { DockerClient, hasNoNewPrivileges, inspectContainers, listContainers, loadInspectFile, normalizeInspect } from './index.js';

let pm: PodmanService;
let client: DockerClient;
/** Raw API inspect documents of the containers made below, for the inspect-file tests. */
const captured = new Map<string, unknown>();

beforeAll(async () => {
  pm = await startPodman();
  client = new DockerClient({ dockerHost: pm.dockerHost, timeoutMs: 10_000 });
});

afterAll(async () => {
  await client?.close();
  await pm?.stop();
});

async function start(name: string, args: string[] = [], opts: Parameters<PodmanService['run']>[2] = {}): Promise<ContainerInfo> {
  const c = await pm.run(name, args, opts);
  const raw = await client.inspectContainer(c.id);
  captured.set(name, raw);
  const info = normalizeInspect(raw);
  expect(info.id).toBe(c.id);
  expect(info.name).toBe(c.name);
  return info;
}

describe('containers under Podman through the Docker API', () => {
  it('the service answers /version and /info like a Docker daemon', { timeout: 20_000 }, async () => {
    const v = await client.version();
    expect(v.ApiVersion).toBe('1.41');
    const info = await client.info();
    expect(typeof info.ServerVersion).toBe('string');
  });

  it('a default container: running, a pid, no extras, Podman defaults normalised', { timeout: 20_000 }, async () => {
    const c = await start('plain');
    expect(c.running).toBe(true);
    expect(c.pid).toBeGreaterThan(1);
    expect(c.image).toBe('localhost/vigil-fixtures/debian12:latest');
    expect(c).toMatchObject({
      privileged: false,
      capAdd: [],
      networkMode: 'none',
      pidMode: '',
      utsMode: '',
      usernsMode: '',
      readonlyRootfs: false,
      memory: 0,
      nanoCpus: 0,
      cpuShares: 0,
      restartPolicy: { name: 'no', maximumRetryCount: 0 },
      mounts: [],
      portBindings: [],
      devices: [],
      healthcheck: false,
      user: '',
    });
    // Podman drops these from Docker's default set, and reports them as dropped.
    expect(c.capDrop).toEqual(expect.arrayContaining(['MKNOD', 'NET_RAW']));
    expect(c.capDrop.every((x) => x === x.toUpperCase() && !x.startsWith('CAP_'))).toBe(true);
    // Verified against the kernel: nothing shared with the host.
    const [k] = await inspectContainers([c.id], { dockerHost: pm.dockerHost });
    expect([k!.networkMode, k!.pidMode, k!.utsMode, k!.ipcMode === 'host']).toEqual(['none', '', '', false]);
    // containers.conf pids_limit (2048 on Debian's podman) is a real limit.
    expect(c.pidsLimit).toBeGreaterThan(0);
    expect(c.labels['vigil.test.pid']).toBe(String(process.pid));
    expect(c.env.some((e) => e.startsWith('PATH='))).toBe(true);
  });

  it('privileged (CIS 5.5)', { timeout: 20_000 }, async () => {
    const c = await start('priv', ['--privileged']);
    expect(c.privileged).toBe(true);
    expect(c.running).toBe(true);
  });

  it('host network, PID, IPC and UTS namespaces (CIS 5.10, 5.16, 5.17, 5.21)', { timeout: 20_000 }, async () => {
    const raw = await start('hostns', ['--network', 'host', '--pid', 'host', '--ipc', 'host', '--uts', 'host']);
    expect(raw.networkMode).toBe('host');
    expect(raw.pidMode).toBe('host');
    expect(raw.utsMode).toBe('host');
    // Podman 4.3 says "shareable" for --ipc host; the kernel check corrects it.
    expect(['host', 'shareable']).toContain(raw.ipcMode);
    const [c] = await inspectContainers([raw.id], { dockerHost: pm.dockerHost });
    expect(c).toMatchObject({ networkMode: 'host', pidMode: 'host', ipcMode: 'host', utsMode: 'host' });
    // Only the IPC namespace shared: the others stay private.
    const ipcOnly = await pm.run('ipconly', ['--ipc', 'host']);
    const [d] = await inspectContainers([ipcOnly.id], { dockerHost: pm.dockerHost });
    expect(d).toMatchObject({ networkMode: 'none', pidMode: '', ipcMode: 'host', utsMode: '' });
    await pm.rm(ipcOnly.name);
    const [e] = await inspectContainers([raw.id], { dockerHost: pm.dockerHost, procRoot: false });
    expect(e!.ipcMode).toBe(raw.ipcMode);
  });

  it('the API socket and a host directory bind-mounted (CIS 5.6, 5.20, 5.32)', { timeout: 20_000 }, async () => {
    const c = await start('sock', ['-v', `${pm.socket}:/var/run/docker.sock`, '-v', '/etc:/host/etc:ro,rshared']);
    const byDest = Object.fromEntries(c.mounts.map((m) => [m.destination, m]));
    expect(byDest['/var/run/docker.sock']).toMatchObject({ type: 'bind', source: pm.socket, rw: true, propagation: 'rprivate' });
    expect(byDest['/host/etc']).toMatchObject({ type: 'bind', source: '/etc', rw: false, propagation: 'rshared' });
  });

  it('read-only root filesystem with memory, CPU, shares and PIDs limits (CIS 5.11, 5.12, 5.13, 5.29)', { timeout: 20_000 }, async () => {
    const c = await start('limits', ['--read-only', '--memory', '64m', '--cpus', '0.5', '--cpu-shares', '512', '--pids-limit', '50']);
    expect(c.readonlyRootfs).toBe(true);
    expect(c.memory).toBe(64 * 1024 * 1024);
    expect(c.nanoCpus).toBe(500_000_000);
    expect(c.cpuShares).toBe(512);
    expect(c.pidsLimit).toBe(50);
  });

  it('PIDs limit 0 is unlimited', { timeout: 20_000 }, async () => {
    const c = await start('nopids', ['--pids-limit', '0']);
    expect(c.pidsLimit).toBe(0);
  });

  it('added capabilities, --cap-drop ALL and no-new-privileges (CIS 5.4, 5.26)', { timeout: 20_000 }, async () => {
    const c = await start('caps', ['--cap-add', 'NET_ADMIN', '--cap-add', 'CAP_SYS_TIME', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges']);
    expect(c.capAdd).toEqual(['NET_ADMIN', 'SYS_TIME']);
    // Podman expands ALL into the default set it removed.
    expect(c.capDrop).toEqual(expect.arrayContaining(['CHOWN', 'DAC_OVERRIDE', 'SETUID', 'SETGID', 'NET_BIND_SERVICE']));
    expect(c.securityOpt).toContain('no-new-privileges');
    expect(hasNoNewPrivileges(c)).toBe(true);
  });

  it('restart policy, user, env, labels and a healthcheck (CIS 4.1, 4.6, 5.15)', { timeout: 20_000 }, async () => {
    const c = await start('restart', ['--restart', 'on-failure:3', '--user', '1000:1000', '-e', 'FOO=bar', '--label', 'tier=web', '--health-cmd', 'true']);
    expect(c.restartPolicy).toEqual({ name: 'on-failure', maximumRetryCount: 3 });
    expect(c.user).toBe('1000:1000');
    expect(c.env).toContain('FOO=bar');
    expect(c.labels.tier).toBe('web');
    expect(c.healthcheck).toBe(true);
  });

  it('a published port on the bridge network (CIS 5.8, 5.14)', { timeout: 20_000 }, async () => {
    const port = await freePort();
    const c = await start('port', ['--network', 'bridge', '-p', `127.0.0.1:${port}:80`]);
    expect(c.networkMode).toBe('bridge');
    expect(c.portBindings).toEqual([{ containerPort: '80/tcp', hostIp: '127.0.0.1', hostPort: String(port) }]);
  });

  it('listContainers: running ones by default, created ones with all', { timeout: 20_000 }, async () => {
    const created = await pm.run('created', [], { createOnly: true });
    const mine = (list: ContainerInfo[]): string[] => list.filter((c) => c.labels['vigil.test.pid'] === String(process.pid) && c.name.startsWith(created.name.slice(0, -'created'.length))).map((c) => c.name.replace(/^vigil-[0-9a-f]+-/, '')).sort();
    const running = await listContainers({ dockerHost: pm.dockerHost });
    expect(mine(running)).toEqual(['caps', 'hostns', 'limits', 'nopids', 'plain', 'port', 'priv', 'restart', 'sock']);
    const all = await listContainers({ dockerHost: pm.dockerHost, all: true, concurrency: 3 });
    expect(mine(all)).toContain('created');
    const c = all.find((x) => x.name === created.name)!;
    expect(c.running).toBe(false);
    expect(c.pid).toBe(0);
    // Same view as a direct inspect.
    const priv = running.find((x) => x.name.endsWith('-priv'))!;
    expect(priv.privileged).toBe(true);
  });

  it('a podman run that fails says why and leaves nothing behind', { timeout: 20_000 }, async () => {
    await expect(pm.run('bad', ['--memory', 'lots'])).rejects.toThrow(/podman run .* failed: .*lots/);
    expect(await pm.podman(['ps', '-a', '--filter', 'name=-bad$', '--format', '{{.Names}}'])).not.toMatch(/-bad/);
  });

  it('DOCKER_HOST is honoured when no host is given', { timeout: 20_000 }, async () => {
    const list = await listContainers({ env: { DOCKER_HOST: pm.dockerHost } });
    expect(list.some((c) => c.name.endsWith('-priv'))).toBe(true);
  });
});

describe('inspect files captured from those containers', () => {
  it('API inspect JSON written as docker inspect would (array) gives the same ContainerInfo', { timeout: 20_000 }, async () => {
    expect(captured.size).toBeGreaterThanOrEqual(9);
    const file = path.join(pm.dir, 'inspect.json');
    const docs = [...captured.values()];
    await writeFile(file, JSON.stringify(docs, null, 2));
    const loaded = await loadInspectFile(file);
    expect(loaded.map((c) => c.id)).toEqual(docs.map((d) => (d as { Id: string }).Id));
    expect(loaded).toEqual(docs.map(normalizeInspect));
    const single = path.join(pm.dir, 'one.json');
    await writeFile(single, JSON.stringify(captured.get('caps')));
    expect((await loadInspectFile(single))[0]!.capAdd).toEqual(['NET_ADMIN', 'SYS_TIME']);
  });

  it('`podman inspect` (libpod shape, CAP_ prefixes) gives the fields the checks use', { timeout: 20_000 }, async () => {
    const names = ['priv', 'hostns', 'sock', 'limits', 'caps', 'restart'].map((n) => (captured.get(n) as { Name: string }).Name.replace(/^\//, ''));
    const file = path.join(pm.dir, 'podman-inspect.json');
    await writeFile(file, await pm.podman(['inspect', ...names]));
    expect(await readFile(file, 'utf8')).toContain('CAP_NET_ADMIN');
    const loaded = await loadInspectFile(file);
    const fromApi = names.map((_, i) => normalizeInspect(captured.get(['priv', 'hostns', 'sock', 'limits', 'caps', 'restart'][i]!)));
    const keys = ['id', 'name', 'privileged', 'capAdd', 'networkMode', 'pidMode', 'ipcMode', 'utsMode', 'readonlyRootfs', 'securityOpt', 'memory', 'nanoCpus', 'cpuShares', 'pidsLimit', 'restartPolicy', 'mounts', 'user', 'healthcheck'] as const;
    const pick = (c: ContainerInfo): Partial<ContainerInfo> => Object.fromEntries(keys.map((k) => [k, k === 'mounts' ? c.mounts.map((m) => ({ ...m, mode: '' })).sort((a, b) => a.destination.localeCompare(b.destination)) : c[k]]));
    expect(loaded.map(pick)).toEqual(fromApi.map(pick));
  });

  it('a truncated capture is bad-inspect with the parse message', { timeout: 20_000 }, async () => {
    const file = path.join(pm.dir, 'truncated.json');
    await writeFile(file, JSON.stringify([...captured.values()]).slice(0, 1000));
    await expect(loadInspectFile(file)).rejects.toMatchObject({ code: 'bad-inspect', message: expect.stringContaining('malformed JSON') });
  });
});
