import type { FoundPackage, OwnedFiles } from '../types.js';

/**
 * The rpm header as rpm stores it in its database (the "header blob"; format described in
 * https://github.com/rpm-software-management/rpm/blob/master/docs/manual/format.md and
 * hregions.md): big-endian `il` (index entry count) and `dl` (data length), then `il` index
 * entries of 16 bytes {tag, type, offset, count}, then `dl` bytes of data. Every offset and
 * count is checked against the blob, because the blob comes from an untrusted image.
 */

export const RPMTAG = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  VENDOR: 1011,
  LICENSE: 1014,
  ARCH: 1022,
  OLDFILENAMES: 1027,
  SOURCERPM: 1044,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
  MODULARITYLABEL: 5096,
} as const;

const TYPE = { INT32: 4, STRING: 6, STRING_ARRAY: 8, I18NSTRING: 9 } as const;

/** rpm's own limits on imported headers (lib/header.c: HEADER_TAGS_MAX-ish and 256 MB data). */
const MAX_INDEX_ENTRIES = 0xffff;
const MAX_DATA_LENGTH = 256 * 1024 * 1024;

export class RpmHeaderError extends Error {
  override readonly name = 'RpmHeaderError';
}

interface IndexEntry {
  type: number;
  offset: number;
  count: number;
}

export interface RpmHeader {
  /** The raw value of a tag, if present and well-formed. */
  strings(tag: number): string[] | undefined;
  string(tag: number): string | undefined;
  int32s(tag: number): number[] | undefined;
}

const utf8 = new TextDecoder('utf-8');

export function parseRpmHeader(blob: Buffer): RpmHeader {
  if (blob.length < 8) throw new RpmHeaderError(`header blob too short (${blob.length} bytes)`);
  const il = blob.readUInt32BE(0);
  const dl = blob.readUInt32BE(4);
  if (il === 0 || il > MAX_INDEX_ENTRIES) throw new RpmHeaderError(`bad index entry count ${il}`);
  if (dl > MAX_DATA_LENGTH) throw new RpmHeaderError(`bad data length ${dl}`);
  const dataStart = 8 + il * 16;
  if (dataStart + dl > blob.length) throw new RpmHeaderError(`header blob truncated (${blob.length} < ${dataStart + dl} bytes)`);
  const data = blob.subarray(dataStart, dataStart + dl);

  const index = new Map<number, IndexEntry>();
  for (let i = 0; i < il; i++) {
    const at = 8 + i * 16;
    const tag = blob.readUInt32BE(at);
    const entry = { type: blob.readUInt32BE(at + 4), offset: blob.readUInt32BE(at + 8), count: blob.readUInt32BE(at + 12) };
    if (!index.has(tag)) index.set(tag, entry);
  }

  /** `count` NUL-terminated strings from `offset`, or undefined when they run off the data. */
  const readStrings = (e: IndexEntry): string[] | undefined => {
    if (e.offset >= data.length || e.count === 0 || e.count > data.length - e.offset) return undefined;
    const out: string[] = [];
    let pos = e.offset;
    for (let n = 0; n < e.count; n++) {
      const end = data.indexOf(0, pos);
      if (end < 0) return undefined;
      out.push(utf8.decode(data.subarray(pos, end)));
      pos = end + 1;
    }
    return out;
  };

  return {
    strings(tag) {
      const e = index.get(tag);
      if (!e || (e.type !== TYPE.STRING && e.type !== TYPE.STRING_ARRAY && e.type !== TYPE.I18NSTRING)) return undefined;
      // STRING always has count 1; I18NSTRING's first entry is the untranslated text.
      return readStrings(e.type === TYPE.STRING ? { ...e, count: 1 } : e);
    },
    string(tag) {
      return this.strings(tag)?.[0];
    },
    int32s(tag) {
      const e = index.get(tag);
      if (!e || e.type !== TYPE.INT32) return undefined;
      if (e.count > (data.length - Math.min(e.offset, data.length)) / 4) return undefined;
      const out = new Array<number>(e.count);
      for (let i = 0; i < e.count; i++) out[i] = data.readUInt32BE(e.offset + i * 4);
      return out;
    },
  };
}

/** "openssl-3.0.7-24.el9.src.rpm" → ["openssl", "3.0.7-24.el9"]. */
export function splitSourceRpm(sourceRpm: string): [string, string] | undefined {
  const m = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(sourceRpm);
  return m ? [m[1]!, `${m[2]}-${m[3]}`] : undefined;
}

/** Characters rpm itself never allows in a name, version or release (and undecodable bytes). */
const BAD_TOKEN = /[\s\p{Cc}\uFFFD]/u;

export interface RpmPackage {
  pkg: FoundPackage;
  owned?: OwnedFiles;
  /** Set when the package is good but its file list is not (the files are then not owned). */
  problem?: string;
}

/**
 * A found package from a header. Returns undefined for gpg-pubkey pseudo packages (imported
 * signing keys, not software). Throws RpmHeaderError when name/version/release are unusable.
 */
export function packageFromHeader(h: RpmHeader): RpmPackage | undefined {
  const name = h.string(RPMTAG.NAME);
  const version = h.string(RPMTAG.VERSION);
  const release = h.string(RPMTAG.RELEASE);
  if (!name || BAD_TOKEN.test(name)) throw new RpmHeaderError(name ? 'invalid package name' : 'no NAME tag');
  if (name === 'gpg-pubkey') return undefined;
  if (!version || !release || BAD_TOKEN.test(version) || BAD_TOKEN.test(release)) {
    throw new RpmHeaderError(`package ${name}: missing or invalid VERSION/RELEASE`);
  }
  const epoch = h.int32s(RPMTAG.EPOCH)?.[0];
  // Like rpm's %{EVR}: the epoch is shown whenever the tag exists.
  const evr = `${epoch === undefined ? '' : `${epoch}:`}${version}-${release}`;
  const pkg: FoundPackage = { name, version: evr, type: 'rpm', licenses: [] };

  const arch = h.string(RPMTAG.ARCH);
  if (arch && !BAD_TOKEN.test(arch)) pkg.arch = arch;
  const license = h.string(RPMTAG.LICENSE)?.trim();
  if (license) pkg.licenses = [license];
  const src = h.string(RPMTAG.SOURCERPM);
  const split = src ? splitSourceRpm(src) : undefined;
  if (split) {
    pkg.sourceName = split[0];
    pkg.sourceVersion = `${epoch === undefined ? '' : `${epoch}:`}${split[1]}`;
  }
  const metadata: Record<string, unknown> = {};
  const vendor = h.string(RPMTAG.VENDOR);
  if (vendor) metadata.vendor = vendor;
  // RHEL 8+ modules: the matcher needs the stream to pick the right advisory.
  const modularity = h.string(RPMTAG.MODULARITYLABEL);
  if (modularity) metadata.modularityLabel = modularity;
  if (src) metadata.sourceRpm = src;
  if (Object.keys(metadata).length) pkg.metadata = metadata;

  let paths: string[];
  try {
    paths = filePaths(h);
  } catch (e) {
    if (!(e instanceof RpmHeaderError)) throw e;
    return { pkg, problem: `package ${name}: ${e.message}` };
  }
  return paths.length ? { pkg, owned: { owner: { type: 'rpm', name }, paths } } : { pkg };
}

/** Files from DIRNAMES[DIRINDEXES[i]] + BASENAMES[i], or the pre-4.0 OLDFILENAMES list. */
function filePaths(h: RpmHeader): string[] {
  const basenames = h.strings(RPMTAG.BASENAMES);
  const dirnames = h.strings(RPMTAG.DIRNAMES);
  const dirindexes = h.int32s(RPMTAG.DIRINDEXES);
  if (basenames && dirnames && dirindexes) {
    if (dirindexes.length !== basenames.length) throw new RpmHeaderError('file list: DIRINDEXES and BASENAMES differ in length');
    const out: string[] = [];
    for (let i = 0; i < basenames.length; i++) {
      const dir = dirnames[dirindexes[i]!];
      if (dir === undefined) throw new RpmHeaderError('file list: directory index out of range');
      out.push(dir + basenames[i]);
    }
    return out;
  }
  return h.strings(RPMTAG.OLDFILENAMES) ?? [];
}
