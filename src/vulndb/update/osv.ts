import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { VigilError, isVigilError } from '../../core/errors.js';
import { exists, type FetchContext, type FeedOutcome } from './context.js';
import type { FeedState } from './state.js';

/**
 * OSV, one ecosystem at a time. The first time (or when the cache is gone): `all.zip`,
 * unpacked into `<cache>/osv/<ecosystem>/<id>.json`. Afterwards: `modified_id.csv` is read from
 * its top (newest first) down to the newest time already seen, and only the records modified
 * since are fetched one by one, replacing their cached copy. The builder reads the folder.
 */

/** Record ids as file names: OSV ids are letters, digits and `-_.:`; nothing that walks paths. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;

export function isSafeOsvId(id: string): boolean {
  return SAFE_ID.test(id) && !id.includes('..');
}

/** One `modified_id.csv` line: `<ISO time>,<id>`; undefined when it is not one. */
export function parseModifiedLine(line: string): { time: number; iso: string; id: string } | undefined {
  const comma = line.indexOf(',');
  if (comma <= 0) return undefined;
  const iso = line.slice(0, comma).trim();
  const id = line.slice(comma + 1).trim();
  const time = Date.parse(iso);
  if (Number.isNaN(time) || !isSafeOsvId(id)) return undefined;
  return { time, iso, id };
}

export async function fetchOsv(ctx: FetchContext, ecosystems: readonly string[]): Promise<FeedOutcome> {
  const started = ctx.now().toISOString();
  const osvModified: Record<string, string> = {};
  const inputs: string[] = [];
  const parts: string[] = [];
  for (const eco of ecosystems) {
    const dir = join(ctx.dir, safeDirName(eco));
    const cursor = ctx.previous?.osvModified?.[eco];
    let done: { newest?: string; summary: string } | undefined;
    if (cursor && (await exists(dir))) done = await incremental(ctx, eco, dir, cursor);
    if (!done) done = await full(ctx, eco, dir);
    if (done.newest) osvModified[eco] = done.newest;
    inputs.push(dir);
    parts.push(`${eco} ${done.summary}`);
    ctx.log(`osv: ${eco}: ${done.summary}`);
  }
  const state: FeedState = { origin: ctx.endpoints.origin, fetchedAt: started, osvModified };
  return { state, inputs, summary: parts.join(', ') };
}

function safeDirName(eco: string): string {
  // "crates.io" and "Rocky Linux" are fine as folder names; separators are not.
  return eco.replace(/[/\\]/g, '_').replace(/^\.+/, '_');
}

/** Newest-first lines down to `cursor`; undefined when too many changed (a full download is cheaper). */
async function incremental(ctx: FetchContext, eco: string, dir: string, cursor: string): Promise<{ newest?: string; summary: string } | undefined> {
  const since = Date.parse(cursor);
  if (Number.isNaN(since)) return undefined;
  const what = `OSV ${eco} modified_id.csv`;
  const changed = new Map<string, string>();
  let newest: string | undefined;
  let lines = 0;
  for await (const line of ctx.http.lines(ctx.endpoints.osvModifiedCsv(eco), { what, maxBytes: ctx.limits.osvCsvBytes })) {
    if (++lines > ctx.limits.osvIncrementalMax) {
      ctx.log(`osv: ${eco}: more than ${ctx.limits.osvIncrementalMax} changes; downloading all.zip instead`);
      return undefined;
    }
    if (!line.trim()) continue;
    const rec = parseModifiedLine(line);
    if (!rec) throw new VigilError('feed-corrupt', `${what}: line ${lines} is not "<time>,<id>": ${JSON.stringify(line.slice(0, 80))}`, { kind: 'network' });
    // Newest first: the first time not after the cursor ends the news.
    if (rec.time <= since) break;
    newest ??= rec.iso;
    if (!changed.has(rec.id)) changed.set(rec.id, rec.iso);
  }
  const ids = [...changed.keys()];
  // Parts left by an update that was killed mid-write are not records.
  for (const name of await readdir(dir)) if (name.startsWith('.') && name.endsWith('.part')) await rm(join(dir, name), { force: true });
  await runLimited(ids, 8, async (id) => {
    const body = await ctx.http.getBuffer(ctx.endpoints.osvRecord(eco, id), { what: `OSV ${eco} record ${id}`, maxBytes: ctx.limits.osvRecordBytes });
    checkRecord(body, id, `OSV ${eco} record ${id}`);
    const tmp = join(dir, `.${id}.json.part`);
    await writeFile(tmp, body);
    await rename(tmp, join(dir, `${id}.json`));
  });
  return { newest: newest ?? cursor, summary: ids.length ? `+${ids.length} modified record${ids.length === 1 ? '' : 's'}` : 'unchanged' };
}

function checkRecord(body: Buffer, id: string, what: string): void {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new VigilError('feed-corrupt', `${what}: not JSON`, { kind: 'network', cause: e });
  }
  if (!doc || typeof doc !== 'object' || (doc as { id?: unknown }).id !== id) {
    throw new VigilError('feed-corrupt', `${what}: not the OSV record ${id}`, { kind: 'network' });
  }
}

async function full(ctx: FetchContext, eco: string, dir: string): Promise<{ newest?: string; summary: string }> {
  // The list first: anything modified while the zip downloads is newer than this cursor and
  // is fetched again next time, never missed.
  let newest: string | undefined;
  const what = `OSV ${eco} modified_id.csv`;
  for await (const line of ctx.http.lines(ctx.endpoints.osvModifiedCsv(eco), { what, maxBytes: ctx.limits.osvCsvBytes })) {
    if (!line.trim()) continue;
    newest = parseModifiedLine(line)?.iso;
    if (!newest) throw new VigilError('feed-corrupt', `${what}: first line is not "<time>,<id>": ${JSON.stringify(line.slice(0, 80))}`, { kind: 'network' });
    break;
  }
  await mkdir(ctx.dir, { recursive: true });
  const zip = join(ctx.dir, `.${safeDirName(eco)}.all.zip`);
  const fresh = `${dir}.new`;
  await rm(fresh, { recursive: true, force: true });
  try {
    await ctx.http.download(ctx.endpoints.osvAllZip(eco), zip, { what: `OSV ${eco} all.zip`, maxBytes: ctx.limits.osvZipBytes });
    const count = await extractRecords(zip, fresh, ctx, `OSV ${eco} all.zip`);
    await rm(dir, { recursive: true, force: true });
    await rename(fresh, dir);
    return { ...(newest ? { newest } : {}), summary: `full (${count} records)` };
  } finally {
    await rm(zip, { force: true });
    await rm(fresh, { recursive: true, force: true });
  }
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: true, validateEntrySizes: true, decodeStrings: true }, (err, zf) => (err || !zf ? reject(err ?? new Error('no zip')) : resolve(zf)));
  });
}

function sizeCap(max: number, what: string): Transform {
  let n = 0;
  return new Transform({
    transform(chunk: Buffer, _e, cb: TransformCallback) {
      n += chunk.length;
      if (n > max) cb(new VigilError('feed-too-large', `${what}: more than ${max} bytes`, { kind: 'network' }));
      else cb(null, chunk);
    },
  });
}

/** Unpacks the `<id>.json` entries of an OSV all.zip into `dest`, bounded in count and size. */
export async function extractRecords(zipPath: string, dest: string, ctx: Pick<FetchContext, 'limits' | 'log'>, what: string): Promise<number> {
  await mkdir(dest, { recursive: true });
  let zf: yauzl.ZipFile;
  try {
    zf = await openZip(zipPath);
  } catch (e) {
    throw new VigilError('feed-corrupt', `${what}: not a readable zip: ${(e as Error).message}`, { kind: 'network', cause: e });
  }
  if (zf.entryCount > ctx.limits.osvZipEntries) {
    zf.close();
    throw new VigilError('feed-too-large', `${what}: ${zf.entryCount} entries is more than the limit of ${ctx.limits.osvZipEntries}`, { kind: 'network' });
  }
  let total = 0;
  let count = 0;
  let skipped = 0;
  await new Promise<void>((resolve, reject) => {
    const fail = (e: unknown) => {
      zf.close();
      reject(isVigilError(e) ? e : new VigilError('feed-corrupt', `${what}: ${(e as Error).message}`, { kind: 'network', cause: e }));
    };
    zf.on('error', fail);
    zf.on('end', () => resolve());
    zf.on('entry', (entry: yauzl.Entry) => {
      const name = entry.fileName;
      const id = name.endsWith('.json') ? name.slice(0, -5) : '';
      // all.zip is flat; a folder, a path or a name that is not an id is not a record.
      if (name.endsWith('/') || !isSafeOsvId(id)) {
        skipped++;
        zf.readEntry();
        return;
      }
      if (entry.uncompressedSize > ctx.limits.osvRecordBytes) return fail(new VigilError('feed-too-large', `${what}: ${name} is ${entry.uncompressedSize} bytes, more than the ${ctx.limits.osvRecordBytes}-byte limit`, { kind: 'network' }));
      total += entry.uncompressedSize;
      if (total > ctx.limits.osvExtractedBytes) return fail(new VigilError('feed-too-large', `${what}: more than ${ctx.limits.osvExtractedBytes} bytes unpacked`, { kind: 'network' }));
      zf.openReadStream(entry, (err, stream: Readable | undefined) => {
        if (err || !stream) return fail(err ?? new Error(`cannot read ${name}`));
        pipeline(stream, sizeCap(ctx.limits.osvRecordBytes, `${what}: ${name}`), createWriteStream(join(dest, `${id}.json`)))
          .then(() => {
            count++;
            zf.readEntry();
          })
          .catch(fail);
      });
    });
    zf.readEntry();
  });
  if (skipped) ctx.log(`${what}: ${skipped} entr${skipped === 1 ? 'y' : 'ies'} that are not <id>.json skipped`);
  return count;
}

/** Runs `fn` over `items` with at most `width` at a time; the first failure stops new work. */
async function runLimited<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(width, items.length) }, worker));
  const bad = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (bad) throw bad.reason;
}
