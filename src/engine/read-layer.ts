import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { createHash } from 'node:crypto';
import tar from 'tar-stream';
import type { Cataloger, ParseContext } from '../catalog/types.js';
import { VigilError, isVigilError } from '../core/errors.js';
import { decompressor, peek, sniffCompression } from './decompress.js';
import { BufferFileSource, DiskFileSource, type SpoolDir } from './file-source.js';
import { emptyLayerFacts, maxSizeOf, parseWith, sniffed, SNIFF_BYTES, wantedBy, type LayerFacts } from './collect.js';
import { basename, dirname, normalizeEntryPath } from './paths.js';
import { EntryReader, type EntryStream } from './entry-reader.js';
import { DEFAULT_ANALYZER_MAX_SIZE, type Analyzer, type AnalyzedRecord, type EntryMeta } from './analyzer.js';
import type { FileSource } from '../catalog/types.js';
import type { Warning } from '../core/types.js';

export interface LayerLimits {
  /** Largest uncompressed layer accepted (bytes). */
  maxLayerBytes: number;
  /** Uncompressed/compressed ratio above which a layer larger than `ratioFloor` is a bomb. */
  maxRatio: number;
  ratioFloor: number;
  /** Entries up to this size are read into memory; larger ones are spooled to disk. */
  inMemoryBytes: number;
}

export const DEFAULT_LIMITS: LayerLimits = {
  maxLayerBytes: 64 * 1024 ** 3,
  maxRatio: 500,
  ratioFloor: 1024 ** 3,
  inMemoryBytes: 32 * 1024 * 1024,
};

/** Counts the bytes that pass (the compressed side of a layer). */
class Counter extends Transform {
  bytes = 0;
  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    cb(null, chunk);
  }
}

/**
 * The uncompressed side: hashes it (the diffId must match the image config), and stops a
 * decompression bomb by absolute size and by ratio to the compressed bytes read so far.
 */
class DiffIdGuard extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;

  constructor(
    private readonly expected: string | undefined,
    private readonly compressed: Counter,
    private readonly limits: LayerLimits,
    private readonly where: string,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _e: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limits.maxLayerBytes) {
      cb(new VigilError('layer-too-large', `${this.where}: more than ${this.limits.maxLayerBytes} bytes uncompressed`));
      return;
    }
    if (this.bytes > this.limits.ratioFloor && this.bytes > this.limits.maxRatio * Math.max(1, this.compressed.bytes)) {
      cb(new VigilError('decompression-bomb', `${this.where}: expands more than ${this.limits.maxRatio}x (${this.compressed.bytes} bytes → over ${this.bytes}); refusing a likely decompression bomb`));
      return;
    }
    if (this.expected) this.hash.update(chunk);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    if (this.expected) {
      const actual = `sha256:${this.hash.digest('hex')}`;
      if (actual !== this.expected) {
        cb(new VigilError('digest-mismatch', `${this.where}: uncompressed content hashes to ${actual}, but the image config says ${this.expected}`));
        return;
      }
    }
    cb();
  }
}

export interface ReadLayerInput {
  index: number;
  /** The raw blob (compressed or not). */
  blob: Readable;
  /** Expected sha256 of the uncompressed tar; verified when given. */
  diffId?: string;
  where: string;
}

function wrapStreamError(e: unknown, where: string): VigilError {
  if (isVigilError(e)) return e;
  const err = e as NodeJS.ErrnoException;
  const msg = err?.message ?? String(e);
  if (err?.code?.startsWith?.('Z_') || /unexpected end of file|incorrect header check|invalid (block type|distance|stored block)/i.test(msg)) {
    return new VigilError('corrupt-layer', `${where}: compressed data is corrupt or truncated (${msg})`, { cause: e });
  }
  return new VigilError('corrupt-layer', `${where}: not a readable tar archive (${msg})`, { cause: e });
}

/**
 * Streams one layer once: decompresses it, checks its diffId, walks its tar entries, and hands
 * every wanted file to the catalogers that asked for it. Nothing but the wanted files is kept.
 */
export async function readLayer(
  input: ReadLayerInput,
  catalogers: readonly Cataloger[],
  ctx: ParseContext,
  spool: SpoolDir,
  limits: LayerLimits = DEFAULT_LIMITS,
  analyzers: readonly Analyzer[] = [],
): Promise<LayerFacts> {
  const facts = emptyLayerFacts(input.index);
  const where = input.where;

  const extract = tar.extract({ filenameEncoding: 'utf-8' } as Parameters<typeof tar.extract>[0]);
  let failure: unknown;
  // Until the loop below listens to `extract`, destroying it with an error would be an
  // unhandled 'error' event: a failure before then is only recorded, and thrown after peek().
  let iterating = false;
  const fail = (e: unknown): void => {
    failure ??= e;
    if (iterating) extract.destroy(e as Error);
  };

  const counter = new Counter();
  // Listen from the start: a blob that fails right after its first bytes (a small range of a
  // docker-archive whose digest is wrong) errors between peek() resolving and the pipeline
  // being wired, and an 'error' with no listener crashed the process.
  counter.on('error', fail);
  input.blob.on('error', (e) => counter.destroy(e));
  input.blob.pipe(counter);
  const { head, stream: counted } = await peek(counter, 4).catch((e: unknown) => {
    throw wrapStreamError(e, where);
  });
  if (failure) throw wrapStreamError(failure, where);
  const decomp = decompressor(sniffCompression(head));
  const guard = new DiffIdGuard(input.diffId, counter, limits, where);

  counted.on('error', fail);
  decomp.on('error', fail);
  guard.on('error', fail);
  counted.pipe(decomp).pipe(guard).pipe(extract as unknown as NodeJS.WritableStream);

  iterating = true;
  // A source error between peek() and here was only recorded: end the tar stream with it now.
  if (failure) extract.destroy(failure as Error);
  try {
    for await (const entry of extract) {
      const h = entry.header;
      facts.entries++;
      const path = normalizeEntryPath(h.name);
      if (path === null) {
        facts.warnings.push({ code: 'unsafe-path', message: `${where}: tar entry ${JSON.stringify(h.name)} points outside the image root; ignored`, location: h.name });
        entry.resume();
        continue;
      }
      const base = basename(path);
      if (base.startsWith('.wh.')) {
        if (base === '.wh..wh..opq') facts.opaqueDirs.push(dirname(path));
        else if (!base.startsWith('.wh..wh.')) facts.whiteouts.push(dirname(path) === '/' ? '/' + base.slice(4) : `${dirname(path)}/${base.slice(4)}`);
        entry.resume();
        continue;
      }
      if (h.type === 'symlink') {
        facts.symlinks.set(path, h.linkname ?? '');
        entry.resume();
        continue;
      }
      const meta = { path, mode: (h.mode ?? 0) & 0o7777, size: h.size ?? 0 };
      if (h.type === 'link') {
        // A hard link names an earlier entry of the same layer: its parsed facts are reused.
        entry.resume();
        const target = normalizeEntryPath(h.linkname ?? '');
        if (target === null) {
          // Same rule as for entry names: a link that climbs above the root is refused, visibly.
          facts.warnings.push({ code: 'unsafe-path', message: `${where}: hard link ${JSON.stringify(h.name)} points outside the image root (${JSON.stringify(h.linkname)}); ignored`, location: h.name });
          continue;
        }
        const rec = facts.records.get(target);
        if (rec && wantedBy(catalogers, meta, ctx).length) facts.records.set(path, { ...rec, path, results: rec.results.map((r) => relocate(r, target, path)) });
        const analyzed = facts.analyzed.get(target);
        // Same inode: the target's mode, owner and content, under the link's name.
        if (analyzed && analyzers.some((a) => a.wants({ ...analyzed.meta, path }, ctx))) facts.analyzed.set(path, { ...analyzed, path, meta: { ...analyzed.meta, path } });
        continue;
      }
      if (h.type !== 'file' && h.type !== 'contiguous-file') {
        entry.resume();
        continue;
      }
      facts.bytes += meta.size;
      let wanting = wantedBy(catalogers, meta, ctx);
      // Analyzers: those that only record metadata run now; those that read run with the catalogers.
      let reading: Analyzer[] = [];
      if (analyzers.length) {
        const entryMeta: EntryMeta = { ...meta, uid: h.uid ?? 0, gid: h.gid ?? 0, uname: h.uname ?? '', gname: h.gname ?? '' };
        const split = await analyzeMeta(analyzers, entryMeta, ctx, input.index, facts);
        reading = split.reading;
        if (split.record) facts.analyzed.set(path, split.record);
      }
      if (wanting.length && meta.size > maxSizeOf(wanting)) {
        facts.warnings.push({ code: 'file-too-large', message: `${where}: ${meta.size} bytes is over the catalogers' limit; skipped`, location: path });
        wanting = [];
      }
      if (!wanting.length && !reading.length) {
        entry.resume();
        continue;
      }
      // Read the first bytes, let content-sniffing catalogers decline, then read the rest.
      const reader = new EntryReader(entry as unknown as EntryStream);
      await reader.fill(Math.min(SNIFF_BYTES, meta.size));
      wanting = sniffed(wanting, Buffer.concat(reader.chunks), meta);
      if (!wanting.length && !reading.length) {
        reader.skip();
        continue;
      }
      let spooled: string | undefined;
      let data: Buffer | undefined;
      if (meta.size > limits.inMemoryBytes) {
        spooled = await spool.newFile();
        await reader.spoolTo(spooled);
      } else {
        data = await reader.readAll();
      }
      const file = spooled ? new DiskFileSource(meta, spooled) : new BufferFileSource(meta, data!);
      try {
        if (wanting.length) {
          const results = await parseWith(wanting, file, ctx, facts.warnings);
          facts.records.set(path, { path, layer: input.index, results });
        }
        const record = facts.analyzed.get(path);
        if (record?.layer === input.index) await analyzeContent(reading, record, file, ctx, facts.warnings);
      } finally {
        if (file instanceof DiskFileSource) {
          await file.close();
          await spool.remove(spooled!);
        }
      }
    }
  } catch (e) {
    throw wrapStreamError(failure ?? e, where);
  }
  if (failure) throw wrapStreamError(failure, where);
  return facts;
}

/** Rewrites locations from a hard link's target to the link's own path. */
function relocate(r: { cataloger: Cataloger; facts: import('../catalog/types.js').FileFacts }, from: string, to: string) {
  const pkgs = r.facts.packages?.map((p) => ({
    ...p,
    locations: p.locations?.map((l) => (l === from || l.startsWith(from + '!') ? to + l.slice(from.length) : l)),
  }));
  return { cataloger: r.cataloger, facts: pkgs ? { ...r.facts, packages: pkgs } : r.facts };
}

/**
 * Asks every analyzer whether it wants the entry; runs the metadata-only ones (and the reading
 * ones whose size limit the file is over, with no content) and returns those left to read.
 */
async function analyzeMeta(analyzers: readonly Analyzer[], meta: EntryMeta, ctx: ParseContext, layer: number, facts: LayerFacts): Promise<{ reading: Analyzer[]; record?: AnalyzedRecord }> {
  const reading: Analyzer[] = [];
  let record: AnalyzedRecord | undefined;
  for (const a of analyzers) {
    const want = a.wants(meta, ctx);
    if (!want) continue;
    record ??= { path: meta.path, layer, meta, values: {} };
    if (want === 'content' && meta.size <= (a.maxSize ?? DEFAULT_ANALYZER_MAX_SIZE)) {
      reading.push(a);
      continue;
    }
    await runAnalyzer(a, record, undefined, ctx, facts.warnings);
  }
  return record ? { reading, record } : { reading };
}

async function analyzeContent(analyzers: readonly Analyzer[], record: AnalyzedRecord, file: FileSource, ctx: ParseContext, warnings: Warning[]): Promise<void> {
  for (const a of analyzers) await runAnalyzer(a, record, file, ctx, warnings);
}

async function runAnalyzer(a: Analyzer, record: AnalyzedRecord, file: FileSource | undefined, ctx: ParseContext, warnings: Warning[]): Promise<void> {
  try {
    const value = await a.analyze(record.meta, file, ctx);
    if (value !== undefined) record.values[a.name] = value;
  } catch (e) {
    warnings.push({ code: 'analyze-failed', message: `${a.name}: ${e instanceof Error ? e.message : String(e)}`, location: record.path });
  }
}
