/**
 * Reading a target through its root prefix. A host mounted at /host has absolute symlinks
 * (`/etc/mtab -> /proc/self/mounts`, `/var/run -> /run`) that mean /host/…, never this
 * machine's own files: links are resolved inside the root, as chroot would.
 */
import { lstat, readdir, readFile, readlink, stat } from 'node:fs/promises';
import path from 'node:path';

const MAX_LINKS = 40;

export interface Lookup {
  /** The path on this machine (root-prefixed, links resolved inside the root). */
  real: string;
}

export class TargetRoot {
  readonly root: string;
  private readonly cache = new Map<string, Promise<string | undefined>>();

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /** Where `p` (a path as the target sees it) lives on this machine; undefined when missing. */
  resolve(p: string): Promise<string | undefined> {
    let hit = this.cache.get(p);
    if (!hit) {
      hit = this.root === '/' ? Promise.resolve(path.resolve('/', p)) : this.walk(p);
      this.cache.set(p, hit);
    }
    return hit;
  }

  private async walk(p: string): Promise<string | undefined> {
    const pending = path.posix.normalize('/' + p).split('/').filter(Boolean);
    const done: string[] = [];
    let links = 0;
    while (pending.length > 0) {
      const part = pending.shift()!;
      if (part === '..') {
        done.pop();
        continue;
      }
      if (part === '.') continue;
      const real = path.join(this.root, ...done, part);
      let st;
      try {
        st = await lstat(real);
      } catch {
        // A missing component: report the would-be path so callers can say "not found".
        return path.join(this.root, ...done, part, ...pending);
      }
      // /proc/<pid>/root, /proc/self … are magic links into this machine: never follow them.
      if (st.isSymbolicLink() && done[0] !== 'proc') {
        if (++links > MAX_LINKS) return undefined;
        const target = await readlink(real);
        // Absolute: from the root; relative: from the link's directory.
        const next = [...(target.startsWith('/') ? [] : done), ...target.split('/').filter(Boolean)];
        done.length = 0;
        pending.unshift(...next);
        continue;
      }
      done.push(part);
    }
    return path.join(this.root, ...done);
  }

  /** The target-side path, for evidence. */
  display(p: string): string {
    return this.root === '/' ? p : `${p} (under ${this.root})`;
  }

  async readText(p: string): Promise<string | undefined> {
    const real = await this.resolve(p);
    if (!real) return undefined;
    try {
      return await readFile(real, 'utf8');
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  }

  async stat(p: string): Promise<import('node:fs').Stats | undefined> {
    const real = await this.resolve(p);
    if (!real) return undefined;
    try {
      return await stat(real);
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  }

  async list(p: string): Promise<string[] | undefined> {
    const real = await this.resolve(p);
    if (!real) return undefined;
    try {
      return await readdir(real);
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  }
}

export function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP';
}
