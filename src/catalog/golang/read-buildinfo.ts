import { VigilError } from '../../core/errors.js';
import { ElfFile, PF_W, PF_X, PT_LOAD, readExact, readUint, type RandomAccess } from '../shared/elf.js';

/**
 * Finds and decodes the build-info blob that the Go linker writes into every executable, as
 * Go's own debug/buildinfo does (src/debug/buildinfo/buildinfo.go, readRawBuildInfo):
 *
 *   16-byte aligned: "\xff Go buildinf:" | ptrSize (1 byte) | flags (1 byte) | ... (32 bytes)
 *   flags & 2 (Go >= 1.18): two uvarint-length-prefixed strings follow the header;
 *   otherwise (Go < 1.18):  two pointers at offset 16 to Go string headers {data, len} for
 *                           runtime.buildVersion and runtime.modinfo, in the header's byte order.
 */

export const BUILDINFO_MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const ALIGN = 16;
const HEADER_SIZE = 32;
/** debug/buildinfo reads 64 KiB from the data start; the blob sits near its beginning. */
const SEARCH_WINDOW = 64 * 1024;
/** Without section headers we scan the file for the magic, up to this many bytes. */
const MAX_SCAN = 512 * 1024 * 1024;
const SCAN_CHUNK = 1024 * 1024;
const MAX_VERSION_LEN = 4096;
/** The largest modinfo seen in the wild (kubernetes, cloud SDK binaries) is a few hundred KiB. */
export const MAX_MODINFO_LEN = 16 * 1024 * 1024;

export interface RawBuildInfo {
  /** runtime.buildVersion, e.g. "go1.19.8" or "go1.20.3 X:boringcrypto". */
  goVersion: string;
  /** runtime.modinfo without its 16-byte sentinels; "" for GOPATH builds. */
  modinfo: string;
  format: 'inline' | 'pointer';
  /** File offset of the magic. */
  offset: number;
}

function corrupt(message: string): VigilError {
  return new VigilError('go-buildinfo-corrupt', message);
}

/** The first 16-byte aligned magic in `buf` (whose first byte is at file offset `base`). */
function findAligned(buf: Buffer, base: number): number | undefined {
  let from = 0;
  while (from < buf.length) {
    const i = buf.indexOf(BUILDINFO_MAGIC, from);
    if (i < 0) return undefined;
    if ((base + i) % ALIGN === 0) return base + i;
    from = i + 1;
  }
  return undefined;
}

async function searchRange(src: RandomAccess, start: number, length: number): Promise<number | undefined> {
  const len = Math.min(length, src.size - start);
  if (len < HEADER_SIZE) return undefined;
  return findAligned(await readExact(src, start, len, 'Go build info search'), start);
}

/** Scan the whole file (chunked, so memory stays flat) for the aligned magic. */
async function scanFile(src: RandomAccess): Promise<number | undefined> {
  const end = Math.min(src.size, MAX_SCAN);
  // Chunks start at multiples of 16 and the magic (14 bytes) starts at one, so it never straddles.
  for (let pos = 0; pos < end; pos += SCAN_CHUNK) {
    const found = findAligned(await readExact(src, pos, Math.min(SCAN_CHUNK, src.size - pos), 'Go build info scan'), pos);
    if (found !== undefined) return found;
  }
  return undefined;
}

async function locate(elf: ElfFile, src: RandomAccess): Promise<number | undefined> {
  const section = elf.section('.go.buildinfo');
  if (section) {
    if (section.offset >= src.size) throw corrupt('.go.buildinfo section lies past the end of the file');
    return searchRange(src, section.offset, Math.min(section.size, SEARCH_WINDOW));
  }
  // Every Go linker since 1.13 writes the section; without it, only a file whose section headers
  // were removed (sstrip, some packers) can still be a Go binary.
  if (elf.sections.length > 0) return undefined;
  const data = elf.programs.find((p) => p.type === PT_LOAD && (p.flags & (PF_X | PF_W)) === PF_W);
  if (data && data.offset < src.size) {
    const found = await searchRange(src, data.offset, Math.min(data.filesz, SEARCH_WINDOW));
    if (found !== undefined) return found;
  }
  return scanFile(src);
}

/** Go's binary.Uvarint: at most 10 bytes; undefined on overflow or truncation. */
export function decodeUvarint(b: Buffer, offset: number): { value: number; size: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10 && offset + i < b.length; i++) {
    const byte = b[offset + i]!;
    value += (byte & 0x7f) * scale;
    if (!Number.isSafeInteger(value)) return undefined;
    if (byte < 0x80) return { value, size: i + 1 };
    scale *= 128;
  }
  return undefined;
}

async function readInlineString(src: RandomAccess, offset: number, max: number, what: string): Promise<{ data: Buffer; next: number }> {
  const head = await readExact(src, offset, Math.min(10, src.size - offset), what);
  const v = decodeUvarint(head, 0);
  if (!v) throw corrupt(`${what}: bad length prefix at offset ${offset}`);
  if (v.value > max) throw corrupt(`${what}: length ${v.value} exceeds the limit of ${max} bytes`);
  const start = offset + v.size;
  const data = await readExact(src, start, v.value, what);
  return { data, next: start + v.value };
}

/** A Go string header {data pointer, length} at virtual address `addr`, then its bytes. */
async function readPointerString(elf: ElfFile, addr: number, ptrSize: 4 | 8, le: boolean, max: number): Promise<Buffer> {
  const hdr = await elf.readVirtual(addr, 2 * ptrSize);
  if (!hdr) return Buffer.alloc(0);
  const dataAddr = readUint(hdr, 0, ptrSize, le);
  const dataLen = readUint(hdr, ptrSize, ptrSize, le);
  if (!Number.isSafeInteger(dataLen) || dataLen > max) return Buffer.alloc(0);
  const data = await elf.readVirtual(dataAddr, dataLen);
  return data ?? Buffer.alloc(0);
}

/** Removes cmd/go's 16-byte sentinels around modinfo (modload.infoStart / infoEnd). */
export function stripModinfoSentinels(b: Buffer): string {
  // On bytes, before any decoding: the sentinels are not valid UTF-8.
  if (b.length >= 33 && b[b.length - 17] === 0x0a) return b.subarray(16, b.length - 16).toString('utf8');
  return '';
}

/**
 * Reads the Go build info of an ELF file. Returns undefined when the file is not a Go binary;
 * throws a VigilError when it is one with a corrupt blob.
 */
export async function readGoBuildInfo(src: RandomAccess, elf?: ElfFile): Promise<RawBuildInfo | undefined> {
  const file = elf ?? (await ElfFile.open(src));
  const offset = await locate(file, src);
  if (offset === undefined) return undefined;
  const header = await readExact(src, offset, HEADER_SIZE, 'Go build info header');
  const ptrSize = header[14]!;
  const flags = header[15]!;

  let goVersion: string;
  let rawMod: Buffer;
  let format: RawBuildInfo['format'];
  if (flags & 2) {
    format = 'inline';
    const vers = await readInlineString(src, offset + HEADER_SIZE, MAX_VERSION_LEN, 'Go version string');
    goVersion = vers.data.toString('utf8');
    rawMod = (await readInlineString(src, vers.next, MAX_MODINFO_LEN, 'Go modinfo string')).data;
  } else {
    format = 'pointer';
    if (ptrSize !== 4 && ptrSize !== 8) throw corrupt(`bad pointer size ${ptrSize} in Go build info`);
    const le = (flags & 1) === 0;
    const versAddr = readUint(header, 16, ptrSize, le);
    const modAddr = readUint(header, 16 + ptrSize, ptrSize, le);
    goVersion = (await readPointerString(file, versAddr, ptrSize, le, MAX_VERSION_LEN)).toString('utf8');
    rawMod = await readPointerString(file, modAddr, ptrSize, le, MAX_MODINFO_LEN);
  }
  if (!goVersion) throw corrupt('Go build info has no Go version');
  return { goVersion, modinfo: stripModinfoSentinels(rawMod), format, offset };
}
