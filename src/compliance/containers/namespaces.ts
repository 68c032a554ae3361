/**
 * Namespace modes checked against the kernel, for containers on the machine Vigil runs on.
 *
 * Podman 4.3 reports `IpcMode: "shareable"` for `--ipc host` (libpod and compat API alike),
 * which would make CIS 5.16 pass for a container that shares the host's IPC namespace. When the
 * container's process is visible under `procRoot` (same host, host PID namespace), its
 * /proc/<pid>/ns/{net,pid,ipc,uts} are compared with those of its parent (conmon or
 * containerd-shim, which run in the host's namespaces), or of PID 1 when the parent's are
 * unreadable, and a shared namespace is reported as `host`. The process is trusted only if its
 * cgroup path names the container ID, so a PID from another PID namespace is never mistaken
 * for the container.
 */
import { readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import type { ContainerInfo } from '../types.js';

const NAMESPACES = [
  ['net', 'networkMode'],
  ['pid', 'pidMode'],
  ['ipc', 'ipcMode'],
  ['uts', 'utsMode'],
] as const;

async function link(p: string): Promise<string | undefined> {
  try {
    return await readlink(p);
  } catch {
    return undefined;
  }
}

/** Returns a copy with `host` where the kernel says the namespace is the host's; unchanged when unverifiable. */
export async function reconcileNamespaces(c: ContainerInfo, procRoot = '/proc'): Promise<ContainerInfo> {
  if (!c.running || c.pid <= 1 || !/^[0-9a-f]{12,}$/i.test(c.id)) return c;
  const proc = path.join(procRoot, String(c.pid));
  let cgroup: string;
  try {
    cgroup = await readFile(path.join(proc, 'cgroup'), 'utf8');
  } catch {
    return c;
  }
  if (!cgroup.includes(c.id)) return c;
  let ppid = 0;
  try {
    ppid = Number(/^PPid:\s*(\d+)/m.exec(await readFile(path.join(proc, 'status'), 'utf8'))?.[1] ?? 0);
  } catch {
    /* no status: PID 1 only */
  }
  const anchors = [...new Set([ppid, 1])].filter((p) => p > 0 && p !== c.pid);
  const out: ContainerInfo = { ...c };
  for (const [ns, field] of NAMESPACES) {
    if (out[field] === 'host') continue;
    const mine = await link(path.join(proc, 'ns', ns));
    if (!mine) continue;
    for (const a of anchors) {
      const host = await link(path.join(procRoot, String(a), 'ns', ns));
      if (!host) continue;
      if (host === mine) out[field] = 'host';
      break;
    }
  }
  return out;
}
