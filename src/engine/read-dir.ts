import { lstat, readdir, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Cataloger, ParseContext } from '../catalog/types.js';
import { VigilError } from '../core/errors.js';
import { emptyLayerFacts, maxSizeOf, parseWith, sniffed, SNIFF_BYTES, wantedBy, type LayerFacts } from './collect.js';
import { BufferFileSource, DiskFileSource } from './file-source.js';

export interface ReadDirOptions {
  /** Absolute paths inside the root that are not walked (e.g. /proc for a host). */
  skipDirs?: readonly string[];
  /** Files up to this size are read into memory; larger ones are read in place. */
  inMemoryBytes?: number;
  /** How many files are stat'ed/read at once. */
  concurrency?: number;
}

/**
 * Walks an unpacked root filesystem as if it were one layer. Symlinks are recorded, never
 * followed, so nothing outside `root` is ever read; paths are reported relative to it.
 */
export async function readDirectory(root: string, catalogers: readonly Cataloger[], ctx: ParseContext, opts: ReadDirOptions = {}): Promise<LayerFacts> {
  const facts = emptyLayerFacts(0);
  const skip = new Set(opts.skipDirs ?? []);
  const inMemory = opts.inMemoryBytes ?? 32 * 1024 * 1024;
  // The root itself is the user's choice and may be a link (stat follows it); links inside are never followed.
  const st = await stat(root).catch((e: unknown) => {
    throw new VigilError('not-found', `cannot read ${root} (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { cause: e });
  });
  if (!st.isDirectory()) throw new VigilError('not-a-directory', `${root} is not a directory`);

  const dirs: string[] = ['/'];
  const files: string[] = [];
  const limit = opts.concurrency ?? 16;

  // Breadth-first walk of directories; files are queued and processed with bounded concurrency.
  while (dirs.length) {
    const batch = dirs.splice(0, limit);
    await Promise.all(
      batch.map(async (dir) => {
        let entries;
        try {
          entries = await readdir(join(root, dir), { withFileTypes: true });
        } catch (e) {
          facts.warnings.push({ code: 'unreadable', message: `cannot list directory (${(e as NodeJS.ErrnoException).code ?? String(e)})`, location: dir });
          return;
        }
        for (const ent of entries) {
          const path = dir === '/' ? `/${ent.name}` : `${dir}/${ent.name}`;
          if (ent.isDirectory()) {
            if (!skip.has(path)) dirs.push(path);
          } else if (ent.isSymbolicLink()) {
            try {
              facts.symlinks.set(path, await readlink(join(root, path)));
            } catch {
              /* vanished while walking */
            }
          } else if (ent.isFile()) {
            files.push(path);
          }
        }
      }),
    );
  }

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const path = files[next++]!;
      const real = join(root, path);
      let s;
      try {
        s = await lstat(real);
      } catch {
        continue;
      }
      if (!s.isFile()) continue;
      facts.entries++;
      facts.bytes += s.size;
      const meta = { path, mode: s.mode & 0o7777, size: s.size };
      let wanting = wantedBy(catalogers, meta, ctx);
      if (!wanting.length) continue;
      if (meta.size > maxSizeOf(wanting)) {
        facts.warnings.push({ code: 'file-too-large', message: `${meta.size} bytes is over the catalogers' limit; skipped`, location: path });
        continue;
      }
      const disk = new DiskFileSource(meta, real);
      try {
        wanting = sniffed(wanting, await disk.read(0, SNIFF_BYTES), meta);
        if (!wanting.length) continue;
        const file = meta.size <= inMemory ? new BufferFileSource(meta, await disk.read(0, meta.size)) : disk;
        const results = await parseWith(wanting, file, ctx, facts.warnings);
        facts.records.set(path, { path, layer: 0, results });
      } catch (e) {
        facts.warnings.push({ code: 'unreadable', message: `cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, location: path });
      } finally {
        await disk.close();
      }
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return facts;
}
