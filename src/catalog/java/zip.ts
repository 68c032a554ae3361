import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { VigilError } from '../../core/errors.js';
import type { RandomAccess } from '../shared/elf.js';

/**
 * Zip access for the Java cataloger, on top of yauzl: the central directory is read through
 * random access (a 200 MiB fat jar costs its directory plus the few entries we want), entry names
 * are decoded by us (yauzl's own decoding aborts the whole archive on a "../" name), and every
 * read is capped.
 */

const READ_CHUNK = 1024 * 1024;

/** yauzl reader over `RandomAccess.read`, streaming ranges in chunks so memory stays flat. */
class SourceReader extends yauzl.RandomAccessReader {
  constructor(private readonly src: RandomAccess) {
    super();
  }
  override _readStreamForRange(start: number, end: number): Readable {
    const src = this.src;
    return Readable.from(
      (async function* () {
        for (let pos = start; pos < end; pos += READ_CHUNK) {
          const want = Math.min(READ_CHUNK, end - pos);
          const buf = await src.read(pos, want);
          if (buf.length < want) throw new Error(`short read at ${pos}`);
          yield buf;
        }
      })(),
      { objectMode: false },
    );
  }
}

export interface ZipEntry {
  name: string;
  /** True when the raw name was not valid UTF-8 (decoded as Latin-1 instead). */
  badName: boolean;
  compressedSize: number;
  uncompressedSize: number;
  compressionMethod: number;
  encrypted: boolean;
  isDirectory: boolean;
  raw: yauzl.Entry;
}

export interface ZipArchive {
  entries: ZipEntry[];
  /** Entries beyond the cap were not listed. */
  truncated: boolean;
  readEntry(entry: ZipEntry, maxBytes: number): Promise<Buffer>;
  /** Stored entries only: where the entry's bytes start, for `sliceSource`. */
  dataStart(entry: ZipEntry): Promise<number>;
  close(): void;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeName(raw: Buffer): { name: string; bad: boolean } {
  try {
    return { name: utf8.decode(raw), bad: false };
  } catch {
    return { name: raw.toString('latin1'), bad: true };
  }
}

function zipError(message: string, cause?: unknown): VigilError {
  return new VigilError('java-archive-corrupt', message, cause === undefined ? {} : { cause });
}

export async function openZip(src: RandomAccess, maxEntries: number): Promise<ZipArchive> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => {
    yauzl.fromRandomAccessReader(
      new SourceReader(src),
      src.size,
      { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, autoClose: false },
      (err, z) => (err ? reject(zipError(`not a readable zip: ${err.message}`, err)) : resolve(z)),
    );
  });
  const entries: ZipEntry[] = [];
  let truncated = false;
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (e: yauzl.Entry) => {
        const rawName = (e as yauzl.Entry & { fileNameRaw?: Buffer }).fileNameRaw ?? Buffer.from(String(e.fileName));
        const { name, bad } = decodeName(rawName);
        entries.push({
          name,
          badName: bad,
          compressedSize: e.compressedSize,
          uncompressedSize: e.uncompressedSize,
          compressionMethod: e.compressionMethod,
          encrypted: e.isEncrypted(),
          isDirectory: name.endsWith('/'),
          raw: e,
        });
        if (entries.length >= maxEntries) {
          truncated = zip.entryCount > entries.length;
          resolve();
        } else zip.readEntry();
      });
      zip.on('end', () => resolve());
      zip.on('error', (err: Error) => reject(zipError(`corrupt zip central directory: ${err.message}`, err)));
      zip.readEntry();
    });
  } catch (e) {
    zip.close();
    throw e;
  }

  return {
    entries,
    truncated,
    close: () => zip.close(),
    async readEntry(entry, maxBytes) {
      if (entry.encrypted) throw zipError(`${entry.name}: encrypted entry`);
      if (entry.uncompressedSize > maxBytes) {
        throw new VigilError('java-archive-too-large', `${entry.name}: ${entry.uncompressedSize} bytes uncompressed (limit ${maxBytes})`);
      }
      let stream: Readable;
      try {
        stream = await zip.openReadStreamPromise(entry.raw);
      } catch (err) {
        throw zipError(`${entry.name}: ${(err as Error).message}`, err);
      }
      const chunks: Buffer[] = [];
      let total = 0;
      try {
        for await (const chunk of stream) {
          const b = chunk as Buffer;
          total += b.length;
          // yauzl already stops at the declared size; this guards a lying declared size of 0.
          if (total > maxBytes) throw new VigilError('java-archive-too-large', `${entry.name}: more than ${maxBytes} bytes`);
          chunks.push(b);
        }
      } catch (err) {
        stream.destroy();
        if (err instanceof VigilError) throw err;
        throw zipError(`${entry.name}: ${(err as Error).message}`, err);
      }
      return Buffer.concat(chunks, total);
    },
    async dataStart(entry) {
      try {
        const h = await zip.readLocalFileHeaderPromise(entry.raw, { minimal: true });
        return h.fileDataStart;
      } catch (err) {
        throw zipError(`${entry.name}: ${(err as Error).message}`, err);
      }
    },
  };
}
