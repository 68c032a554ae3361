import { adler32 } from '../read-ndb.js';

/**
 * Writes an ndb Packages.db (the layout of rpm lib/backend/ndb/rpmpkg.c) holding the given
 * header blobs. This rpm build cannot write ndb, so the test wraps real header blobs, taken
 * from an rpmdb.sqlite that rpm wrote, in the ndb container. `slotPages` > 1 and `gap` blocks
 * between blobs mimic a database that grew and had packages removed.
 */
export function writeNdb(blobs: Buffer[], opts: { slotPages?: number; gap?: number } = {}): Buffer {
  const slotPages = opts.slotPages ?? 1;
  const gap = opts.gap ?? 0;
  const parts: Buffer[] = [];
  const slots = Buffer.alloc(slotPages * 4096);
  for (let off = 0; off < slots.length; off += 16) slots.writeUInt32LE(0x746f6c53, off);
  slots.writeUInt32LE(0x506d7052, 0); // "RpmP"
  slots.writeUInt32LE(0, 4);
  slots.writeUInt32LE(1, 8); // generation
  slots.writeUInt32LE(slotPages, 12);
  slots.writeUInt32LE(blobs.length + 1, 16);
  slots.fill(0, 20, 32);
  parts.push(slots);
  let blk = slots.length / 16;
  blobs.forEach((blob, i) => {
    blk += gap;
    if (gap) parts.push(Buffer.alloc(gap * 16));
    const pkgIdx = i + 1;
    const blkCnt = Math.ceil((16 + blob.length + 12) / 16);
    const area = Buffer.alloc(blkCnt * 16);
    area.writeUInt32LE(0x53626c42, 0); // "BlbS"
    area.writeUInt32LE(pkgIdx, 4);
    area.writeUInt32LE(1735689600, 8);
    area.writeUInt32LE(blob.length, 12);
    blob.copy(area, 16);
    const tail = area.length - 12;
    area.writeUInt32LE(adler32(area.subarray(0, tail)), tail);
    area.writeUInt32LE(blob.length, tail + 4);
    area.writeUInt32LE(0x45626c42, tail + 8); // "BlbE"
    const slot = 32 + i * 16;
    slots.writeUInt32LE(pkgIdx, slot + 4);
    slots.writeUInt32LE(blk, slot + 8);
    slots.writeUInt32LE(blkCnt, slot + 12);
    parts.push(area);
    blk += blkCnt;
  });
  return Buffer.concat(parts);
}
