import type { ByteSource, DbReadResult, HeaderBlob } from './byte-source.js';

/**
 * Berkeley DB hash database, as rpm < 4.16 wrote /var/lib/rpm/Packages (CentOS/RHEL ≤ 8,
 * Amazon Linux 2). Layout (BDB dbinc/db_page.h; rpm's own reader lib/backend/bdb_ro.c):
 *   - page 0, the hash meta page: magic 0x061561 at 12 (its byte order is the file's byte
 *     order), version at 16, page size at 20, encryption at 24, last page number at 32;
 *   - every page starts with a 26-byte header: page number at 8, next page at 16, item count at
 *     20, "high free offset" at 22 (on overflow pages: bytes used), page type at 25;
 *   - hash pages (type 13, or 2 before BDB 4.6) hold an array of item offsets after the header,
 *     key and value alternating; an item's first byte is its kind: 1 = inline bytes up to the
 *     previous item, 3 = off-page {pad[3], first overflow page, total length};
 *   - overflow pages (type 7) chain the long values (rpm headers) through "next page".
 * Keys are rpm's 4-byte header numbers. Pages are scanned in order rather than walked bucket by
 * bucket, so a damaged bucket map loses nothing; duplicates are dropped by key.
 */
const HASH_MAGIC = 0x061561;
const PAGE_HEADER = 26;
const P_HASH_UNSORTED = 2;
const P_OVERFLOW = 7;
const P_HASH = 13;
const H_KEYDATA = 1;
const H_OFFPAGE = 3;

export function isBdbHash(head: Buffer): boolean {
  return head.length >= 16 && (head.readUInt32LE(12) === HASH_MAGIC || head.readUInt32BE(12) === HASH_MAGIC);
}

export async function readBdbRpmdb(src: ByteSource): Promise<DbReadResult> {
  const meta = await src.read(0, 512);
  if (!isBdbHash(meta) || meta.length < 36) throw new Error('not a Berkeley DB hash database');
  const le = meta.readUInt32LE(12) === HASH_MAGIC;
  const u32 = (b: Buffer, o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const u16 = (b: Buffer, o: number): number => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));

  const version = u32(meta, 16);
  if (version < 8 || version > 10) throw new Error(`unsupported hash version ${version}`);
  const pageSize = u32(meta, 20);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) throw new Error(`bad page size ${pageSize}`);
  if (meta[24] !== 0) throw new Error('encrypted database');
  const problems: string[] = [];
  const pagesInFile = Math.floor(src.size / pageSize);
  let lastPage = u32(meta, 32);
  if (lastPage >= pagesInFile) {
    problems.push(`database truncated: last page ${lastPage}, file holds ${pagesInFile} pages`);
    lastPage = pagesInFile - 1;
  }

  const getPage = async (pgno: number): Promise<Buffer | undefined> => {
    if (pgno === 0 || pgno > lastPage) return undefined;
    const page = await src.read(pgno * pageSize, pageSize);
    return page.length === pageSize && u32(page, 8) === pgno ? page : undefined;
  };

  /** Follow an overflow chain; undefined (with a problem) when it is broken, loops or overruns. */
  const overflow = async (first: number, total: number): Promise<Buffer | undefined> => {
    if (total === 0 || total > src.size) return undefined;
    const out = Buffer.alloc(total);
    const visited = new Set<number>();
    let filled = 0;
    let pgno = first;
    while (filled < total) {
      if (visited.has(pgno)) return undefined; // a cycle
      visited.add(pgno);
      const page = await getPage(pgno);
      if (!page || page[25] !== P_OVERFLOW) return undefined;
      const len = u16(page, 22);
      if (len + PAGE_HEADER > pageSize || len > total - filled) return undefined;
      page.copy(out, filled, PAGE_HEADER, PAGE_HEADER + len);
      filled += len;
      pgno = u32(page, 16);
      if (filled < total && pgno === 0) return undefined;
    }
    return out;
  };

  const found = new Map<number, Buffer>();
  for (let pgno = 1; pgno <= lastPage; pgno++) {
    const page = await getPage(pgno);
    if (!page || (page[25] !== P_HASH && page[25] !== P_HASH_UNSORTED)) continue;
    const entries = Math.min(u16(page, 20), Math.floor((pageSize - PAGE_HEADER) / 2));
    const minOffset = PAGE_HEADER + entries * 2;
    const offsetAt = (i: number): number => u16(page, PAGE_HEADER + i * 2);
    for (let i = 0; i + 1 < entries; i += 2) {
      const kOff = offsetAt(i);
      const vOff = offsetAt(i + 1);
      const kEnd = i === 0 ? pageSize : offsetAt(i - 1);
      if (kOff < minOffset || vOff < minOffset || kEnd > pageSize || kOff >= kEnd || vOff >= kOff) {
        problems.push(`page ${pgno}: item ${i / 2} has bad offsets`);
        continue;
      }
      // rpm's keys are 4-byte header numbers stored inline.
      if (page[kOff] !== H_KEYDATA || kEnd - kOff !== 5) continue;
      const key = u32(page, kOff + 1);
      let value: Buffer | undefined;
      if (page[vOff] === H_KEYDATA) {
        value = Buffer.from(page.subarray(vOff + 1, kOff));
      } else if (page[vOff] === H_OFFPAGE && kOff - vOff === 12) {
        value = await overflow(u32(page, vOff + 4), u32(page, vOff + 8));
        if (!value) {
          problems.push(`header ${key}: broken overflow chain`);
          continue;
        }
      } else {
        continue;
      }
      // Header number 0 is not a package: rpm keeps its "next header number" counter there.
      if (key !== 0 && value.length > 8 && !found.has(key)) found.set(key, value);
    }
  }
  const blobs: HeaderBlob[] = [...found].sort((a, b) => a[0] - b[0]).map(([key, blob]) => ({ key, blob }));
  return { blobs, problems };
}
