import { posix } from 'node:path';

/**
 * Normalise a tar entry name or a path inside an artifact to "/a/b". Returns null when the
 * path would climb above the root ("../../etc/passwd"): such entries are refused, never
 * clamped, because their meaning is ambiguous and they are a classic tar exploit.
 */
export function normalizeEntryPath(name: string): string | null {
  const parts: string[] = [];
  for (const seg of name.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) return null;
      parts.pop();
      continue;
    }
    parts.push(seg);
  }
  return '/' + parts.join('/');
}

/** Is `path` equal to `dir` or below it? Both normalised. */
export function isWithin(path: string, dir: string): boolean {
  if (dir === '/') return true;
  return path === dir || path.startsWith(dir + '/');
}

const MAX_LINK_HOPS = 40; // as Linux's MAXSYMLINKS

/**
 * Resolve `path` through the symlinks of an image (a map of normalised path → link target),
 * chroot-style: absolute targets start at the image root and ".." stops at the root, so no
 * link can lead outside the image. `followLast` resolves the final component too.
 * Returns null on a loop (more than 40 links).
 */
export function resolveInRoot(path: string, links: ReadonlyMap<string, string>, followLast = true): string | null {
  let hops = 0;
  let pending = path.split('/').filter((s) => s !== '' && s !== '.');
  const out: string[] = [];
  while (pending.length) {
    const seg = pending.shift()!;
    if (seg === '..') {
      out.pop();
      continue;
    }
    out.push(seg);
    if (!followLast && pending.length === 0) break;
    const target = links.get('/' + out.join('/'));
    if (target === undefined) continue;
    if (++hops > MAX_LINK_HOPS) return null;
    out.pop();
    const t = target.split('/').filter((s) => s !== '' && s !== '.');
    if (target.startsWith('/')) out.length = 0;
    pending = [...t, ...pending];
  }
  return '/' + out.join('/');
}

export const dirname = posix.dirname;
export const basename = posix.basename;
