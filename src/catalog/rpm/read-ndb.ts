import type { ByteSource, DbReadResult, HeaderBlob } from './byte-source.js';

/**
 * SUSE's "ndb" Packages.db (rpm lib/backend/ndb/rpmpkg.c), all little-endian:
 *   - a 32-byte header {magic "RpmP", version 0, generation, slot page count, next index};
 *   - slot pages of 4096 bytes right after it (the header takes the first two slots), each
 *     slot 16 bytes {magic "Slot", package index, block offset, block count}; offset 0 = free;
 *   - blobs at blockOffset*16: head {magic "BlbS", package index, timestamp, length}, the
 *     header blob, zero padding, tail {adler32 of all before it, length, magic "BlbE"}.
 */
const MAGIC = 0x506d7052; // "RpmP"
const SLOT_MAGIC = 0x746f6c53; // "Slot"
const HEAD_MAGIC = 0x53626c42; // "BlbS"
const TAIL_MAGIC = 0x45626c42; // "BlbE"
const PAGE = 4096;
const SLOT = 16;
const BLK = 16;
const HEAD = 16;
const TAIL = 12;
const HEADER_SIZE = 32;

export const NDB_MAGIC = Buffer.from('RpmP', 'latin1');

/** RFC 1950 Adler-32, which ndb uses as the blob checksum. */
export function adler32(buf: Buffer, start = 1): number {
  let a = start & 0xffff;
  let b = start >>> 16;
  for (let i = 0; i < buf.length; ) {
    const end = Math.min(buf.length, i + 5552);
    for (; i < end; i++) {
      a += buf[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

export async function readNdbRpmdb(src: ByteSource): Promise<DbReadResult> {
  const problems: string[] = [];
  const head = await src.read(0, HEADER_SIZE);
  if (head.length < HEADER_SIZE || head.readUInt32LE(0) !== MAGIC) throw new Error('not an ndb Packages.db (bad magic)');
  if (head.readUInt32LE(4) !== 0) throw new Error(`unsupported ndb version ${head.readUInt32LE(4)}`);
  let slotPages = head.readUInt32LE(12);
  const maxPages = Math.floor(src.size / PAGE);
  if (slotPages === 0 || slotPages > maxPages) {
    problems.push(`slot page count ${slotPages} does not fit the file; reading ${Math.min(slotPages, maxPages)}`);
    slotPages = Math.min(slotPages, maxPages);
  }
  const fileBlocks = Math.floor(src.size / BLK);
  const firstDataBlock = (slotPages * PAGE) / BLK;
  const slots = await src.read(0, slotPages * PAGE);

  const blobs: HeaderBlob[] = [];
  const seen = new Set<number>();
  for (let off = HEADER_SIZE; off + SLOT <= slots.length; off += SLOT) {
    if (slots.readUInt32LE(off) !== SLOT_MAGIC) {
      problems.push(`slot at byte ${off}: bad magic`);
      continue;
    }
    const pkgIdx = slots.readUInt32LE(off + 4);
    const blkOff = slots.readUInt32LE(off + 8);
    const blkCnt = slots.readUInt32LE(off + 12);
    if (blkOff === 0) continue; // free slot
    if (pkgIdx === 0 || blkCnt === 0 || blkOff < firstDataBlock || blkOff + blkCnt > fileBlocks) {
      problems.push(`package ${pkgIdx}: slot points outside the data area`);
      continue;
    }
    if (seen.has(pkgIdx)) {
      problems.push(`package ${pkgIdx}: listed twice`);
      continue;
    }
    const area = await src.read(blkOff * BLK, blkCnt * BLK);
    const problem = checkBlob(area, pkgIdx, blkCnt);
    if (problem) {
      problems.push(`package ${pkgIdx}: ${problem}`);
      continue;
    }
    seen.add(pkgIdx);
    blobs.push({ key: pkgIdx, blob: area.subarray(HEAD, HEAD + area.readUInt32LE(12)) });
  }
  return { blobs, problems };
}

function checkBlob(area: Buffer, pkgIdx: number, blkCnt: number): string | undefined {
  if (area.length !== blkCnt * BLK || area.length < HEAD + TAIL) return 'blob truncated';
  if (area.readUInt32LE(0) !== HEAD_MAGIC || area.readUInt32LE(4) !== pkgIdx) return 'bad blob head';
  const len = area.readUInt32LE(12);
  if (blkCnt !== Math.ceil((HEAD + len + TAIL) / BLK)) return 'blob length does not match its slot';
  const tail = area.length - TAIL;
  if (area.readUInt32LE(tail + 4) !== len || area.readUInt32LE(tail + 8) !== TAIL_MAGIC) return 'bad blob tail';
  if (adler32(area.subarray(0, tail)) !== area.readUInt32LE(tail)) return 'blob checksum mismatch';
  return undefined;
}
