/**
 * Processes of the target, from its root's /proc/<pid>/cmdline, and a daemon's flags.
 * A fixture root fakes this with plain files; a mounted host gives its real /proc.
 */
import path from 'node:path';
import type { TargetRoot } from './target-root.js';

export interface ProcessInfo {
  pid: number;
  argv: string[];
}

export async function listProcesses(root: TargetRoot): Promise<ProcessInfo[]> {
  const entries = (await root.list('/proc')) ?? [];
  const out: ProcessInfo[] = [];
  await Promise.all(
    entries
      .filter((e) => /^\d+$/.test(e))
      .map(async (e) => {
        let text: string | undefined;
        try {
          text = await root.readText(`/proc/${e}/cmdline`);
        } catch {
          return; // a process that exited, or one we may not read
        }
        if (!text) return; // kernel threads have an empty cmdline
        const argv = text.split('\0');
        if (argv[argv.length - 1] === '') argv.pop();
        out.push({ pid: Number(e), argv });
      }),
  );
  return out.sort((a, b) => a.pid - b.pid);
}

/** The process whose executable base name is one of `names` (argv[0], or argv[1] for `k3s server`). */
export function findProcess(procs: ProcessInfo[], names: string[]): ProcessInfo | undefined {
  return procs.find((p) => names.includes(path.basename(p.argv[0] ?? '')));
}

/**
 * Every value given to a flag: `--x=v`, `--x v`, and a bare boolean `--x` (→ "true").
 * A value that looks like another flag is not taken as the value.
 */
export function flagValues(argv: string[], spellings: string[]): string[] {
  const out: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    for (const s of spellings) {
      if (a === s) {
        const next = argv[i + 1];
        if (next !== undefined && !next.startsWith('-')) {
          out.push(next);
          i++;
        } else out.push('true');
      } else if (a.startsWith(s + '=')) out.push(a.slice(s.length + 1));
    }
  }
  return out;
}
