import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { FileSource } from '../../types.js';

/** A FileSource over bytes, as the engine hands it to `parse`. */
export function sourceOf(path: string, content: string | Buffer): FileSource {
  const buf = typeof content === 'string' ? Buffer.from(content) : content;
  return {
    path,
    mode: 0o644,
    size: buf.length,
    buffer: async () => buf,
    read: async (offset, length) => buf.subarray(offset, offset + length),
  };
}

/** A file of a `__fixtures__/<tree>` copy of a real filesystem, under its in-artifact path. */
export function fixtureSource(root: string, path: string): FileSource {
  return sourceOf(path, readFileSync(join(root, path)));
}

/** Every file of a fixture tree, as absolute in-artifact paths ("/app/package.json"). */
export function fixturePaths(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push('/' + relative(root, full).split(sep).join('/'));
    }
  };
  walk(root);
  return out.sort();
}
