import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileNamespaces } from './namespaces.js';
import { normalizeInspect } from './normalize.js';

const ID = 'a'.repeat(64);
let proc: string;

async function fakeProcess(pid: number, cgroup: string, ns: Record<string, string>, ppid = 0): Promise<void> {
  await mkdir(path.join(proc, String(pid), 'ns'), { recursive: true });
  await writeFile(path.join(proc, String(pid), 'cgroup'), cgroup);
  await writeFile(path.join(proc, String(pid), 'status'), `Name:\tx\nPPid:\t${ppid}\n`);
  for (const [k, v] of Object.entries(ns)) await symlink(v, path.join(proc, String(pid), 'ns', k));
}

beforeAll(async () => {
  proc = await mkdtemp(path.join(tmpdir(), 'vigil-proc-'));
  await fakeProcess(1, '0::/init.scope\n', { net: 'net:[1]', pid: 'pid:[2]', ipc: 'ipc:[3]', uts: 'uts:[4]' });
  await fakeProcess(500, `8:pids:/libpod_parent/libpod-${ID}\n`, { net: 'net:[10]', pid: 'pid:[11]', ipc: 'ipc:[3]', uts: 'uts:[12]' });
  // Parent (conmon) readable, PID 1 not: the parent is the host anchor.
  await fakeProcess(50, '0::/\n', { net: 'net:[20]', pid: 'pid:[21]', ipc: 'ipc:[22]', uts: 'uts:[23]' });
  await fakeProcess(501, `0::/system.slice/docker-${ID}.scope\n`, { net: 'net:[20]', pid: 'pid:[31]', ipc: 'ipc:[32]', uts: 'uts:[23]' }, 50);
  await fakeProcess(600, '0::/user.slice/some-other-process\n', { net: 'net:[1]', pid: 'pid:[2]', ipc: 'ipc:[3]', uts: 'uts:[4]' });
});
afterAll(async () => {
  await rm(proc, { recursive: true, force: true });
});

const container = (pid: number, running = true) =>
  normalizeInspect({ Id: ID, State: { Running: running, Pid: pid }, HostConfig: { NetworkMode: 'none', PidMode: 'private', IpcMode: 'shareable', UTSMode: 'private' } });

describe('reconcileNamespaces', () => {
  it('reports a namespace shared with PID 1 as host (Podman 4.3 --ipc host says "shareable")', async () => {
    const c = await reconcileNamespaces(container(500), proc);
    expect([c.networkMode, c.pidMode, c.ipcMode, c.utsMode]).toEqual(['none', '', 'host', '']);
  });

  it('prefers the parent (conmon, containerd-shim) as the host anchor', async () => {
    const c = await reconcileNamespaces(container(501), proc);
    expect([c.networkMode, c.pidMode, c.ipcMode, c.utsMode]).toEqual(['host', '', 'shareable', 'host']);
  });

  it('changes nothing when the PID is not the container (cgroup without its ID), gone, or stopped', async () => {
    for (const c of [container(600), container(700), container(500, false)]) {
      expect(await reconcileNamespaces(c, proc)).toEqual(c);
    }
  });
});
