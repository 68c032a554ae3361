import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FileSource } from '../types.js';

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
