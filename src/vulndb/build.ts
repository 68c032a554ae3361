/**
 * Builds a vulnerability DB from feed files: each input is a file, a directory tree or a zip (OSV's
 * `all.zip`); every file's format is detected from its content, so a directory can mix feeds.
 * Files no importer recognises are listed as skipped; a file that an importer recognises but
 * cannot read is rolled back and listed as rejected (fatal only when it was named explicitly).
 * `vigil db update` feeds downloaded files through the same `buildVulnDb`.
 */
import { createReadStream } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { VigilError, describeError, isVigilError } from '../core/errors.js';
import { detectImporter } from './importers/index.js';
import type { FeedFile, ImportResult, Importer } from './importers/types.js';
import { DbWriter } from './sqlite/writer.js';
import type { DbSourceInfo } from './types.js';

const HEAD_BYTES = 4096;
/** Files up to this size are read once and kept for parsing; bigger ones are streamed. */
const SMALL_FILE = 8 * 1024 * 1024;
const ZIP_MAGIC = 'PK\u0003\u0004';

export interface BuildOptions {
  out: string;
  inputs: readonly string[];
  /** Build time written into the DB (injectable for tests). */
  now?: Date;
  onProgress?: (msg: string) => void;
}

export interface BuildReport {
  out: string;
  builtAt: string;
  sources: DbSourceInfo[];
  /** Files imported, per importer. */
  imported: Record<string, number>;
  records: number;
  /** Left out on purpose by importers, by reason ("withdrawn", "unknown ecosystem GitHub Actions", …). */
  skippedRecords: Record<string, number>;
  /** Files no importer recognised. */
  skippedFiles: string[];
  /** Files recognised but unreadable (rolled back), with the reason. */
  rejectedFiles: { name: string; error: string }[];
  ms: number;
  bytes: number;
}

interface Candidate {
  path: string;
  explicit: boolean;
  importer?: Importer;
  zip?: boolean;
  size: number;
  head: string;
  small?: Buffer;
}

async function readHead(path: string, size: number): Promise<{ head: string; small?: Buffer }> {
  if (size <= SMALL_FILE) {
    const small = await readFile(path);
    return { head: small.subarray(0, HEAD_BYTES).toString('utf8'), small };
  }
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await fh.read(buf, 0, HEAD_BYTES, 0);
    return { head: buf.subarray(0, bytesRead).toString('utf8') };
  } finally {
    await fh.close();
  }
}

async function* walk(dir: string): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else if (e.isFile()) yield p;
  }
}

function bufferFile(name: string, buf: Buffer, mtime?: Date): FeedFile {
  return {
    name,
    head: buf.subarray(0, HEAD_BYTES).toString('utf8'),
    text: async () => buf.toString('utf8'),
    stream: () => Readable.from([buf]),
    mtime,
  };
}

function diskFile(c: Candidate, mtime: Date): FeedFile {
  if (c.small) return bufferFile(c.path, c.small, mtime);
  return { name: c.path, head: c.head, text: () => readFile(c.path, 'utf8'), stream: () => createReadStream(c.path), mtime };
}

function readStream(s: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    s.on('data', (b: Buffer) => parts.push(b));
    s.on('end', () => resolve(Buffer.concat(parts)));
    s.on('error', reject);
  });
}

/** Each entry of a zip, one at a time (OSV's all.zip holds one record per entry). */
async function* zipEntries(path: string): AsyncGenerator<{ name: string; data: Buffer; mtime: Date }> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: true }, (err, z) => (err || !z ? reject(err ?? new Error('no zip')) : resolve(z))),
  );
  try {
    while (true) {
      const entry = await new Promise<yauzl.Entry | undefined>((resolve, reject) => {
        const onEntry = (e: yauzl.Entry) => {
          cleanup();
          resolve(e);
        };
        const onEnd = () => {
          cleanup();
          resolve(undefined);
        };
        const onError = (e: Error) => {
          cleanup();
          reject(e);
        };
        const cleanup = () => {
          zip.off('entry', onEntry);
          zip.off('end', onEnd);
          zip.off('error', onError);
        };
        zip.on('entry', onEntry);
        zip.on('end', onEnd);
        zip.on('error', onError);
        zip.readEntry();
      });
      if (!entry) return;
      if (entry.fileName.endsWith('/')) continue;
      const stream = await new Promise<Readable>((resolve, reject) => zip.openReadStream(entry, (err, s) => (err || !s ? reject(err ?? new Error('no stream')) : resolve(s))));
      yield { name: `${path}!${entry.fileName}`, data: await readStream(stream), mtime: entry.getLastModDate() };
    }
  } finally {
    zip.close();
  }
}

function addSkips(into: Record<string, number>, from: ImportResult['skipped']): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

export async function buildVulnDb(opts: BuildOptions): Promise<BuildReport> {
  const started = Date.now();
  if (opts.inputs.length === 0) throw new VigilError('no-sources', 'vigil db build needs at least one feed file, directory or zip', { kind: 'usage' });
  const candidates: Candidate[] = [];
  const skippedFiles: string[] = [];
  for (const input of opts.inputs) {
    const st = await stat(input).catch((e: unknown) => {
      throw new VigilError('feed-missing', `${input}: ${describeError(e)}`, { kind: 'input', cause: e });
    });
    const paths: [string, boolean][] = [];
    if (st.isDirectory()) for await (const p of walk(input)) paths.push([p, false]);
    else paths.push([input, true]);
    for (const [path, explicit] of paths) {
      const size = explicit ? st.size : (await stat(path)).size;
      const { head, small } = await readHead(path, size);
      const c: Candidate = { path, explicit, size, head, small };
      if (head.startsWith(ZIP_MAGIC)) {
        c.zip = true;
        c.small = undefined;
      } else {
        c.importer = detectImporter(head, small ? () => small.toString('utf8') : undefined);
        if (!c.importer) {
          if (explicit) throw new VigilError('feed-unknown', `${path}: not a feed Vigil can read (OSV, Debian tracker/DSA list, Alpine secdb, NVD, KEV, EPSS)`, { kind: 'input' });
          skippedFiles.push(path);
          continue;
        }
      }
      // Keep memory flat on huge trees: only the head of small files is kept until their turn.
      if (!c.zip) c.small = undefined;
      candidates.push(c);
    }
  }
  // Primary feeds first; DSA lists check what the tracker gave; zips hold OSV records.
  candidates.sort((a, b) => (a.importer?.order ?? 10) - (b.importer?.order ?? 10));

  const writer = new DbWriter(opts.out);
  const imported: Record<string, number> = {};
  const skippedRecords: Record<string, number> = {};
  const rejectedFiles: { name: string; error: string }[] = [];
  let records = 0;
  const runOne = async (importer: Importer, file: FeedFile, explicit: boolean): Promise<void> => {
    try {
      const r = await writer.file(() => importer.import(file, writer));
      imported[importer.name] = (imported[importer.name] ?? 0) + 1;
      records += r.records;
      addSkips(skippedRecords, r.skipped);
    } catch (e) {
      if (explicit || !isVigilError(e)) throw e;
      rejectedFiles.push({ name: file.name, error: e.message });
    }
  };
  try {
    let n = 0;
    for (const c of candidates) {
      const mtime = (await stat(c.path)).mtime;
      if (c.zip) {
        for await (const entry of zipEntries(c.path)) {
          const file = bufferFile(entry.name, entry.data, entry.mtime);
          const importer = detectImporter(file.head, () => entry.data.toString('utf8'));
          if (!importer) skippedFiles.push(entry.name);
          else await runOne(importer, file, false);
        }
      } else {
        if (c.size <= SMALL_FILE) c.small = await readFile(c.path);
        await runOne(c.importer!, diskFile(c, mtime), c.explicit);
        c.small = undefined;
      }
      if (++n % 1000 === 0) opts.onProgress?.(`${n}/${candidates.length} files`);
    }
    const builtAt = opts.now ?? new Date();
    const sources = writer.sources();
    writer.finish(builtAt);
    const bytes = (await stat(opts.out)).size;
    return { out: opts.out, builtAt: builtAt.toISOString(), sources, imported, records, skippedRecords, skippedFiles, rejectedFiles, ms: Date.now() - started, bytes };
  } catch (e) {
    writer.abort();
    throw e;
  }
}
