/**
 * The processes of a target root: `<root>/proc/<pid>/cmdline` (NUL-separated argv). The root's
 * own /proc is read, never this machine's, so a host mounted at /host is checked as that host.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { KubeProcess } from './types.js';

export async function listProcesses(root: string): Promise<KubeProcess[]> {
  let entries: string[];
  try {
    entries = await readdir(path.join(root, 'proc'));
  } catch {
    return [];
  }
  const out: KubeProcess[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    let raw: string;
    try {
      raw = await readFile(path.join(root, 'proc', e, 'cmdline'), 'utf8');
    } catch {
      continue; // exited between readdir and read, or a kernel thread
    }
    const argv = raw.split('\0');
    while (argv.length > 0 && argv[argv.length - 1] === '') argv.pop();
    if (argv.length > 0) out.push({ pid: Number(e), argv });
  }
  return out.sort((a, b) => a.pid - b.pid);
}

/** The executable's base name (`/usr/bin/kubelet` → `kubelet`). */
export function exeName(p: KubeProcess): string {
  return path.posix.basename(p.argv[0] ?? '');
}

export function findProcess(procs: KubeProcess[], names: string[]): KubeProcess | undefined {
  return procs.find((p) => names.includes(exeName(p)));
}

/**
 * Flags of an argv as name → value. `--a=b` and `--a b` both give a=b; a bare `--a` (next word
 * is another flag or nothing) is a boolean `true`. Repeated flags keep the last value, as the
 * Kubernetes flag parser does.
 */
export function parseFlags(argv: string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('-') || a === '-' || a === '--') continue;
    const body = a.replace(/^--?/, '');
    const eq = body.indexOf('=');
    if (eq >= 0) {
      flags.set(body.slice(0, eq), body.slice(eq + 1));
      continue;
    }
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('-')) {
      flags.set(body, next);
      i++;
    } else {
      flags.set(body, 'true');
    }
  }
  return flags;
}

/** All values of a repeatable flag (`--kube-apiserver-arg a=b --kube-apiserver-arg=c=d`). */
export function flagValues(argv: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === `--${name}` && argv[i + 1] !== undefined) out.push(argv[++i]!);
    else if (a.startsWith(`--${name}=`)) out.push(a.slice(name.length + 3));
  }
  return out;
}
