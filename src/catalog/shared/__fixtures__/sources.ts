import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import type { FileSource } from '../../types.js';

/** Test helpers: FileSource over a buffer or a file on disk, counting the bytes read. */
export interface CountingSource extends FileSource {
  bytesRead: number;
  reads: number;
}

export function bufferSource(buf: Buffer, path = '/test/file', mode = 0o755): CountingSource {
  const src: CountingSource = {
    path,
    mode,
    size: buf.length,
    bytesRead: 0,
    reads: 0,
    buffer: async () => {
      src.bytesRead += buf.length;
      src.reads++;
      return buf;
    },
    read: async (offset, length) => {
      const out = buf.subarray(Math.min(offset, buf.length), Math.min(offset + length, buf.length));
      src.bytesRead += out.length;
      src.reads++;
      return Buffer.from(out);
    },
  };
  return src;
}

/** Random access over a file on disk, like the engine's spooled large files. */
export function diskSource(file: string, path = file, mode = 0o755): CountingSource & { close(): void } {
  const fd = openSync(file, 'r');
  const size = fstatSync(fd).size;
  const src = {
    path,
    mode,
    size,
    bytesRead: 0,
    reads: 0,
    close: () => closeSync(fd),
    buffer: async () => src.read(0, size),
    read: async (offset: number, length: number) => {
      const n = Math.max(0, Math.min(length, size - offset));
      const out = Buffer.alloc(n);
      let got = 0;
      while (got < n) {
        const r = readSync(fd, out, got, n - got, offset + got);
        if (r === 0) break;
        got += r;
      }
      src.bytesRead += got;
      src.reads++;
      return out.subarray(0, got);
    },
  };
  return src;
}
