/** Container and image configuration, from views the caller supplies (Engine API, inspect JSON). */
import path from 'node:path';
import { ok, type ProbeEnv, type ProbeResult, type ProbeRunner } from '../probe-types.js';
import type { ContainerInfo } from '../../types.js';
import type { ContainerProbe, ImageProbe } from '../types.js';

/** The capabilities Docker grants by default (moby's oci/caps/defaults.go): adding one of these changes nothing. */
const DEFAULT_CAPS = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'NET_RAW', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);

function capName(c: string): string {
  return c.toUpperCase().replace(/^CAP_/, '');
}

function secOpt(opts: string[], name: string): string | undefined {
  for (const o of opts) {
    const m = /^([a-z-]+)[:=](.*)$/.exec(o);
    if (m && m[1] === name) return m[2];
    if (o === name) return 'true';
  }
  return undefined;
}

/** Whether a process named `sshd` runs in the container's PID namespace (read from the root's /proc). */
async function sshdRunning(c: ContainerInfo, env: ProbeEnv): Promise<boolean | null> {
  if (!c.running || c.pid <= 0) return null;
  const real = await env.root.resolve(`/proc/${c.pid}/ns/pid`);
  if (!real) return null;
  const { readlink, readFile } = await import('node:fs/promises');
  let ns: string;
  try {
    ns = await readlink(real);
  } catch {
    return null;
  }
  for (const p of await env.processes()) {
    try {
      const procDir = path.dirname(path.dirname(real)).replace(/\/\d+$/, `/${p.pid}`);
      if ((await readlink(`${procDir}/ns/pid`)) !== ns) continue;
      const comm = (await readFile(`${procDir}/comm`, 'utf8')).trim();
      if (comm === 'sshd' || path.basename(p.argv[0] ?? '') === 'sshd') return true;
    } catch {
      // exited meanwhile
    }
  }
  return false;
}

/** ContainerInfo plus the fields checks need and the Engine API only implies. */
async function containerView(c: ContainerInfo, env: ProbeEnv): Promise<Record<string, unknown>> {
  const raw = (c.raw ?? {}) as { HostConfig?: Record<string, unknown> };
  const hc = raw.HostConfig ?? {};
  const seccomp = secOpt(c.securityOpt, 'seccomp');
  const nnp = secOpt(c.securityOpt, 'no-new-privileges');
  return {
    ...c,
    addedCaps: c.capAdd.map(capName).filter((x) => !DEFAULT_CAPS.has(x)),
    seccompProfile: seccomp ?? 'default',
    selinuxLabel: c.securityOpt.filter((o) => /^label[:=]/.test(o)).map((o) => o.slice(6)).filter((l) => l !== 'disable'),
    noNewPrivileges: nnp !== undefined && nnp !== 'false',
    mountSources: c.mounts.map((m) => m.source),
    writableMountSources: c.mounts.filter((m) => m.rw).map((m) => m.source),
    mountPropagations: c.mounts.map((m) => m.propagation).filter(Boolean),
    hostPorts: c.portBindings.map((b) => Number(b.hostPort)).filter((n) => Number.isFinite(n) && n > 0),
    privilegedHostPorts: c.portBindings.map((b) => Number(b.hostPort)).filter((n) => Number.isFinite(n) && n > 0 && n < 1024),
    hostIps: c.portBindings.map((b) => b.hostIp || '0.0.0.0'),
    ulimits: Array.isArray(hc.Ulimits) ? (hc.Ulimits as unknown[]) : [],
    cgroupParent: typeof hc.CgroupParent === 'string' ? hc.CgroupParent : '',
    sshd: await sshdRunning(c, env),
  };
}

export const containerProbe: ProbeRunner<ContainerProbe> = {
  kind: 'container',
  iterates: () => true,
  async run(_p, env): Promise<ProbeResult> {
    if (env.ctx.containersError) return { status: 'error', reason: env.ctx.containersError };
    if (!env.containers) return { status: 'missing', reason: 'no container information (give --docker-host or --inspect)' };
    const items = await Promise.all(env.containers.map(async (c) => ({ name: `${c.name || c.id.slice(0, 12)}`, value: await containerView(c, env), source: `container ${c.name || c.id.slice(0, 12)}` })));
    return { status: 'ok', items };
  },
};

export const imageProbe: ProbeRunner<ImageProbe> = {
  kind: 'image',
  iterates: () => false,
  async run(_p, env): Promise<ProbeResult> {
    if (!env.ctx.image) return { status: 'missing', reason: 'no image given' };
    return ok(env.ctx.image, 'image config');
  },
};
