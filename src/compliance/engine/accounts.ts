/** uid/gid → names from the target's own /etc/passwd and /etc/group (never this machine's). */
import type { TargetRoot } from './target-root.js';

export interface Accounts {
  users: Map<number, string>;
  groups: Map<number, string>;
  /** Group name → member user names (the 4th field). */
  members: Map<string, string[]>;
}

export async function readAccounts(root: TargetRoot): Promise<Accounts> {
  const users = new Map<number, string>();
  const groups = new Map<number, string>();
  const members = new Map<string, string[]>();
  for (const line of ((await root.readText('/etc/passwd')) ?? '').split('\n')) {
    const f = line.split(':');
    if (f.length >= 3 && f[0] && /^\d+$/.test(f[2]!) && !users.has(Number(f[2]))) users.set(Number(f[2]), f[0]);
  }
  for (const line of ((await root.readText('/etc/group')) ?? '').split('\n')) {
    const f = line.split(':');
    if (f.length >= 3 && f[0] && /^\d+$/.test(f[2]!)) {
      if (!groups.has(Number(f[2]))) groups.set(Number(f[2]), f[0]);
      members.set(f[0], (f[3] ?? '').split(',').map((x) => x.trim()).filter(Boolean));
    }
  }
  return { users, groups, members };
}
