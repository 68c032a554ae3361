import type { FileHandle } from 'node:fs/promises';
import { VigilError } from '../../core/errors.js';

export interface TarMember {
  name: string;
  /** Byte offset of the member's data in the archive. */
  offset: number;
  size: number;
  type: 'file' | 'symlink' | 'link' | 'other';
  linkname?: string;
}

const MAX_MEMBERS = 100_000;

function cstr(buf: Buffer, start: number, len: number): string {
  const end = buf.indexOf(0, start);
  return buf.toString('utf8', start, end === -1 || end > start + len ? start + len : end);
}

function parseSize(buf: Buffer): number {
  // GNU base-256 for sizes >= 8 GiB; otherwise octal.
  if (buf[124]! & 0x80) {
    let n = 0;
    for (let i = 125; i < 136; i++) n = n * 256 + buf[i]!;
    return n;
  }
  const s = cstr(buf, 124, 12).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new VigilError('corrupt-archive', `bad size field ${JSON.stringify(s)} in a tar header`);
  return parseInt(s, 8);
}

function checksumOk(buf: Buffer): boolean {
  const stored = parseInt(cstr(buf, 148, 8).trim(), 8);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : buf[i]!;
  return stored === sum;
}

/**
 * Lists the members of an uncompressed tar archive by reading only its 512-byte headers and
 * seeking over the data, so a multi-gigabyte `docker save` archive is indexed in milliseconds.
 * Handles ustar prefixes, GNU long names (L/K) and pax path/linkpath/size records.
 */
export async function indexTar(fh: FileHandle, fileSize: number, where: string): Promise<Map<string, TarMember>> {
  const members = new Map<string, TarMember>();
  const header = Buffer.alloc(512);
  let offset = 0;
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax: Record<string, string> = {};
  while (offset + 512 <= fileSize) {
    const { bytesRead } = await fh.read(header, 0, 512, offset);
    if (bytesRead < 512) break;
    if (header.every((b) => b === 0)) break; // end-of-archive marker
    if (!checksumOk(header)) throw new VigilError('corrupt-archive', `${where}: not a tar archive, or corrupt at byte ${offset}`);
    const size = parseSize(header);
    const typeflag = String.fromCharCode(header[156]!);
    const dataOffset = offset + 512;
    const realSize = pax.size !== undefined && /^\d+$/.test(pax.size) ? Number(pax.size) : size;
    if (dataOffset + realSize > fileSize) throw new VigilError('corrupt-archive', `${where}: truncated (a member runs past the end of the file)`);
    const readData = async (): Promise<Buffer> => {
      if (realSize > 1024 * 1024) throw new VigilError('corrupt-archive', `${where}: oversized tar extension header`);
      const b = Buffer.alloc(realSize);
      await fh.read(b, 0, realSize, dataOffset);
      return b;
    };
    if (typeflag === 'L' || typeflag === 'K') {
      const s = (await readData()).toString('utf8').replace(/\0.*$/s, '');
      if (typeflag === 'L') longName = s;
      else longLink = s;
    } else if (typeflag === 'x') {
      pax = parsePax(await readData());
    } else if (typeflag === 'g') {
      // global pax header: nothing we need
    } else {
      const prefix = header.subarray(257, 263).toString('latin1').startsWith('ustar') ? cstr(header, 345, 155) : '';
      const name = pax.path ?? longName ?? (prefix ? `${prefix}/${cstr(header, 0, 100)}` : cstr(header, 0, 100));
      const linkname = pax.linkpath ?? longLink ?? cstr(header, 157, 100);
      const type = typeflag === '0' || typeflag === '\0' || typeflag === '7' ? 'file' : typeflag === '2' ? 'symlink' : typeflag === '1' ? 'link' : 'other';
      const key = name.replace(/^\.\//, '').replace(/\/+$/, '');
      const m: TarMember = { name: key, offset: dataOffset, size: realSize, type };
      if (type === 'symlink' || type === 'link') m.linkname = linkname;
      members.set(key, m);
      if (members.size > MAX_MEMBERS) throw new VigilError('corrupt-archive', `${where}: more than ${MAX_MEMBERS} members; not a docker save archive`);
      longName = longLink = undefined;
      pax = {};
    }
    offset = dataOffset + Math.ceil(realSize / 512) * 512;
  }
  return members;
}

/** pax extended header records: "<len> <key>=<value>\n", where <len> counts bytes. */
function parsePax(buf: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < buf.length) {
    const sp = buf.indexOf(0x20, i);
    if (sp === -1) break;
    const len = parseInt(buf.toString('latin1', i, sp), 10);
    if (!Number.isFinite(len) || len <= sp - i || i + len > buf.length) break;
    const rec = buf.toString('utf8', sp + 1, i + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}
