import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileMeta, FileSource } from '../catalog/types.js';

/** A file held in memory. */
export class BufferFileSource implements FileSource {
  readonly path: string;
  readonly mode: number;
  readonly size: number;
  private readonly data: Buffer;

  constructor(meta: FileMeta, data: Buffer) {
    this.path = meta.path;
    this.mode = meta.mode;
    this.size = data.length;
    this.data = data;
  }

  async buffer(): Promise<Buffer> {
    return this.data;
  }

  async read(offset: number, length: number): Promise<Buffer> {
    if (offset < 0 || offset >= this.data.length || length <= 0) return Buffer.alloc(0);
    return this.data.subarray(offset, Math.min(this.data.length, offset + length));
  }
}

/** A file on disk (a spooled layer entry, or a file of a scanned root filesystem). */
export class DiskFileSource implements FileSource {
  readonly path: string;
  readonly mode: number;
  readonly size: number;
  private readonly diskPath: string;
  private handle: Promise<FileHandle> | undefined;

  constructor(meta: FileMeta, diskPath: string) {
    this.path = meta.path;
    this.mode = meta.mode;
    this.size = meta.size;
    this.diskPath = diskPath;
  }

  private fh(): Promise<FileHandle> {
    this.handle ??= open(this.diskPath, 'r');
    return this.handle;
  }

  async buffer(): Promise<Buffer> {
    return this.read(0, this.size);
  }

  async read(offset: number, length: number): Promise<Buffer> {
    if (offset < 0 || offset >= this.size || length <= 0) return Buffer.alloc(0);
    const n = Math.min(length, this.size - offset);
    const buf = Buffer.allocUnsafe(n);
    const fh = await this.fh();
    let done = 0;
    while (done < n) {
      const { bytesRead } = await fh.read(buf, done, n - done, offset + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === n ? buf : buf.subarray(0, done);
  }

  async close(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    if (h) await (await h).close();
  }
}

/** Where large layer entries are spooled while a cataloger reads them. Removed by `dispose()`. */
export class SpoolDir {
  private dir: Promise<string> | undefined;
  private n = 0;

  private get(): Promise<string> {
    this.dir ??= mkdtemp(join(tmpdir(), 'vigil-spool-'));
    return this.dir;
  }

  /** A fresh file name in the spool directory. */
  async newFile(): Promise<string> {
    return join(await this.get(), String(this.n++));
  }

  async remove(file: string): Promise<void> {
    await rm(file, { force: true });
  }

  async dispose(): Promise<void> {
    const d = this.dir;
    this.dir = undefined;
    if (d) await rm(await d, { recursive: true, force: true });
  }
}
