/**
 * A tar writer that writes exactly what it is told: names with "..", absolute names, raw
 * non-UTF-8 bytes, links to anywhere. Real tar tools (and tar-stream's pack) refuse or clean
 * some of these, which is the point of writing headers by hand.
 */

export type TarType = 'file' | 'dir' | 'symlink' | 'link';

export interface TarEntry {
  /** The name as stored: a string (UTF-8) or raw bytes. */
  name: string | Buffer;
  type?: TarType;
  data?: Buffer | string;
  linkname?: string | Buffer;
  mode?: number;
  /** Declared size when it must differ from the data's (a lying header). */
  size?: number;
}

const TYPEFLAG: Record<TarType, string> = { file: '0', dir: '5', symlink: '2', link: '1' };

function bytes(v: string | Buffer): Buffer {
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

/** One 512-byte ustar header with a correct checksum. */
export function tarHeader(opts: { name: Buffer; typeflag: string; size: number; linkname?: Buffer; mode?: number }): Buffer {
  const h = Buffer.alloc(512);
  opts.name.copy(h, 0, 0, Math.min(100, opts.name.length));
  h.write(octal(opts.mode ?? 0o644, 8), 100, 'latin1');
  h.write(octal(0, 8), 108, 'latin1');
  h.write(octal(0, 8), 116, 'latin1');
  h.write(octal(opts.size, 12), 124, 'latin1');
  h.write(octal(0, 12), 136, 'latin1');
  h.write(opts.typeflag, 156, 'latin1');
  if (opts.linkname) opts.linkname.copy(h, 157, 0, Math.min(100, opts.linkname.length));
  h.write('ustar\0' + '00', 257, 'latin1');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return h;
}

function pad(data: Buffer): Buffer[] {
  const rest = data.length % 512;
  return rest ? [data, Buffer.alloc(512 - rest)] : [data];
}

/** A pax record "<len> key=value\n", where len counts the whole record in bytes. */
function paxRecord(key: string, value: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.concat([Buffer.from(String(len)), body]);
}

/** The blocks of one entry (with a pax header first when a name or link does not fit in ustar). */
export function tarEntryBlocks(e: TarEntry): Buffer[] {
  const type = e.type ?? 'file';
  const name = bytes(e.name);
  const linkname = e.linkname === undefined ? undefined : bytes(e.linkname);
  const data = type === 'file' ? bytes(e.data ?? '') : Buffer.alloc(0);
  const out: Buffer[] = [];
  const pax: Buffer[] = [];
  if (name.length > 100) pax.push(paxRecord('path', name));
  if (linkname && linkname.length > 100) pax.push(paxRecord('linkpath', linkname));
  if (pax.length) {
    const body = Buffer.concat(pax);
    out.push(tarHeader({ name: Buffer.from('PaxHeader'), typeflag: 'x', size: body.length }), ...pad(body));
  }
  const hdr: Parameters<typeof tarHeader>[0] = { name, typeflag: TYPEFLAG[type], size: e.size ?? data.length, mode: e.mode ?? (type === 'dir' ? 0o755 : 0o644) };
  if (linkname) hdr.linkname = linkname;
  out.push(tarHeader(hdr));
  if (data.length) out.push(...pad(data));
  return out;
}

export const TAR_END = Buffer.alloc(1024);

/** A whole tar archive, with its end-of-archive marker. */
export function makeTar(entries: readonly TarEntry[]): Buffer {
  return Buffer.concat([...entries.flatMap(tarEntryBlocks), TAR_END]);
}
