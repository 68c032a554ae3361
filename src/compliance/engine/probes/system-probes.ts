/** Kernel parameters, mounts, audit rules and allowed commands of the target. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { resolveSetting } from '../settings.js';
import { ok, type ProbeEnv, type ProbeResult, type ProbeRunner } from '../probe-types.js';
import type { AuditRuleProbe, CommandProbe, MountProbe, SysctlProbe } from '../types.js';

export const sysctlProbe: ProbeRunner<SysctlProbe> = {
  kind: 'sysctl',
  iterates: () => false,
  async run(p, env): Promise<ProbeResult> {
    const file = `/proc/sys/${p.key.replace(/\./g, '/')}`;
    const text = await env.root.readText(file);
    if (text === undefined) return { status: 'missing', reason: `${file} not found` };
    return ok(text.trim().replace(/\s+/g, ' '), file);
  },
};

interface MountEntry {
  device: string;
  mountPoint: string;
  fstype: string;
  options: string[];
}

function parseMounts(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const f = t.split(/\s+/);
    if (f.length < 4) continue;
    // /proc/mounts escapes spaces as \040.
    const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
    out.push({ device: unescape(f[0]!), mountPoint: unescape(f[1]!), fstype: f[2]!, options: f[3]!.split(',') });
  }
  return out;
}

export const mountProbe: ProbeRunner<MountProbe> = {
  kind: 'mount',
  iterates: () => false,
  async run(p, env): Promise<ProbeResult> {
    let mp = p.path;
    if (p.pathFrom) {
      const s = await resolveSetting(p.pathFrom, env);
      if (s.status === 'error') return s;
      if (s.status === 'ok' && typeof s.value === 'string' && s.value) mp = s.value;
    }
    mp = path.posix.normalize(mp).replace(/(.)\/$/, '$1');
    for (const file of ['/proc/mounts', '/etc/fstab']) {
      const text = await env.root.readText(file);
      if (text === undefined) continue;
      // The last entry wins: a later mount hides an earlier one at the same point.
      const hit = parseMounts(text).filter((m) => m.mountPoint === mp).at(-1);
      return ok(
        hit ? { mounted: true, mountPoint: mp, device: hit.device, fstype: hit.fstype, options: hit.options } : { mounted: false, mountPoint: mp, options: [] },
        `${file}: ${mp}`,
      );
    }
    return { status: 'missing', reason: 'neither /proc/mounts nor /etc/fstab found' };
  },
};

/**
 * Runs an allowed command against the target: through `chroot <root>` when the root is not
 * `/`, so the target's own binary and files are used. Kernel state (audit rules) is shared
 * with the host the agent runs on, which is the target when a host root is mounted.
 */
export function runAllowed(env: ProbeEnv, command: string, args: string[]): Promise<{ ok: true; stdout: string } | { ok: false; reason: string }> {
  if (!(env.ctx.allowCommands ?? []).includes(command)) {
    return Promise.resolve({ ok: false, reason: `running ${command} is not allowed (allow it with --allow-command ${command})` });
  }
  const [file, argv] = env.root.root === '/' ? [command, args] : ['chroot', [env.root.root, command, ...args]];
  return new Promise((resolve) => {
    execFile(file, argv, { timeout: env.ctx.commandTimeoutMs ?? 10_000, maxBuffer: 1 << 20, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' } }, (err, stdout, stderr) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const why = code === 'ENOENT' ? `${file} not found` : `${command} ${args.join(' ')} failed: ${(stderr || err.message).trim().split('\n')[0]}`;
        resolve({ ok: false, reason: why });
      } else resolve({ ok: true, stdout });
    });
  });
}

export const commandProbe: ProbeRunner<CommandProbe> = {
  kind: 'command',
  iterates: () => false,
  async run(p, env): Promise<ProbeResult> {
    const r = await runAllowed(env, p.command, p.args);
    if (!r.ok) return { status: 'unavailable', reason: r.reason };
    return ok(r.stdout, `${p.command} ${p.args.join(' ')}`);
  },
};

const RULE_FILES_DIR = '/etc/audit/rules.d';
const RULE_FILE = '/etc/audit/audit.rules';

function ruleMatches(line: string, target: string): boolean {
  const t = line.trim();
  if (!t || t.startsWith('#')) return false;
  const esc = target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|\\s)(-w\\s+|-F\\s+(path|dir)=)${esc}(/?)(\\s|$)`).test(t);
}

/** Rule files are read first (they survive reboots); `auditctl -l` (when allowed) adds live rules. */
export const auditRuleProbe: ProbeRunner<AuditRuleProbe> = {
  kind: 'audit-rule',
  iterates: () => false,
  async run(p, env): Promise<ProbeResult> {
    const files: string[] = [RULE_FILE];
    for (const f of ((await env.root.list(RULE_FILES_DIR)) ?? []).sort()) if (f.endsWith('.rules')) files.push(`${RULE_FILES_DIR}/${f}`);
    const seen: string[] = [];
    for (const f of files) {
      const text = await env.root.readText(f);
      if (text === undefined) continue;
      seen.push(f);
      for (const target of p.paths) {
        const line = text.split('\n').find((l) => ruleMatches(l, target));
        if (line) return ok(true, `${f}: ${line.trim()}`);
      }
    }
    const live = (env.ctx.allowCommands ?? []).includes('auditctl') ? await runAllowed(env, 'auditctl', ['-l']) : undefined;
    if (live?.ok) {
      for (const target of p.paths) {
        const line = live.stdout.split('\n').find((l) => ruleMatches(l, target));
        if (line) return ok(true, `auditctl -l: ${line.trim()}`);
      }
    }
    const where = [...seen, ...(live?.ok ? ['auditctl -l'] : [])];
    return ok(false, where.length ? `no rule for ${p.paths.join(' or ')} in ${where.join(', ')}` : `no audit rules found (${RULE_FILE}, ${RULE_FILES_DIR}/*.rules)`);
  },
};
