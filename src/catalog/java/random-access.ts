import type { RandomAccess } from '../shared/elf.js';

/** A window onto part of another source: a stored (uncompressed) nested archive, without copying. */
export function sliceSource(src: RandomAccess, start: number, length: number): RandomAccess {
  const size = Math.max(0, Math.min(length, src.size - start));
  return {
    size,
    read: (offset, len) => {
      const from = Math.min(Math.max(0, offset), size);
      return src.read(start + from, Math.max(0, Math.min(len, size - from)));
    },
  };
}

export function bufferAccess(buf: Buffer): RandomAccess {
  return { size: buf.length, read: async (offset, length) => buf.subarray(offset, offset + length) };
}
