import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { VigilError, describeError } from '../../core/errors.js';
import { buildVulnDb, type BuildReport } from '../build.js';
import { DEFAULT_LIMITS, cachedOrigin, markOrigin, unmarkOrigin, type FetchContext, type FeedOutcome, type UpdateLimits } from './context.js';
import { ALPINE_RELEASES, ALPINE_REPOSITORIES, FEED_IDS, OSV_ECOSYSTEMS, feedEndpoints, normalizeMirror, type FeedId } from './feeds.js';
import { alpineFiles, debianFiles, epssFiles, fetchFiles, kevFiles } from './files.js';
import { FeedHttp, type HttpOptions } from './http.js';
import { fetchNvd } from './nvd.js';
import { fetchOsv } from './osv.js';
import { defaultCacheDir, readState, writeState, type UpdateState } from './state.js';

/**
 * `vigil db update`: download the feeds (incrementally where they allow it) into the cache, then
 * rebuild the DB from the cached files with the same builder as `vigil db build`. The builder
 * writes a temp file and renames it over the DB only when the build succeeds; the state file
 * follows the DB. Any failed feed stops the update before the build: the old DB stays as it was.
 */

export interface UpdateOptions {
  db: string;
  /** Base URL of a mirror in the layout of feeds.ts; else VIGIL_DB_MIRROR; else upstream. */
  mirror?: string;
  /** The feeds the DB is built from (and fetched); default all. */
  sources?: readonly FeedId[];
  /** Default `$VIGIL_HOME/cache/feeds`, else `~/.vigil/cache/feeds`. */
  cacheDir?: string;
  osvEcosystems?: readonly string[];
  alpineReleases?: readonly string[];
  alpineRepositories?: readonly string[];
  /** Default NVD_API_KEY. */
  nvdApiKey?: string;
  nvdDelayMs?: number;
  nvdResultsPerPage?: number;
  http?: HttpOptions;
  limits?: Partial<UpdateLimits>;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  log?: (message: string) => void;
}

export interface FeedReport {
  feed: FeedId;
  mode: 'full' | 'incremental';
  summary: string;
}

export interface UpdateResult {
  db: string;
  origin: string;
  feeds: FeedReport[];
  build: BuildReport;
  /** HTTP requests sent, every attempt counted. */
  requests: number;
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One update per cache at a time: two would rewrite the same files. */
async function lock(cacheDir: string): Promise<() => Promise<void>> {
  await mkdir(cacheDir, { recursive: true });
  const path = join(cacheDir, '.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(path, 'wx');
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      return () => rm(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // A lock whose process is gone (or older than a day) is left over from a killed update.
      const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      const st = await stat(path).catch(() => undefined);
      if (!st || !isAlive(holder) || Date.now() - st.mtimeMs > 24 * 3600_000) {
        await rm(path, { force: true });
        continue;
      }
      throw new VigilError('db-update-busy', `another vigil db update is using ${cacheDir} (remove ${path} if none is running)`, { kind: 'db' });
    }
  }
  throw new VigilError('db-update-busy', `cannot lock ${cacheDir}`, { kind: 'db' });
}

export async function updateVulnDb(o: UpdateOptions): Promise<UpdateResult> {
  const env = o.env ?? process.env;
  const db = resolve(o.db);
  const mirrorRaw = o.mirror ?? (env.VIGIL_DB_MIRROR || undefined);
  let endpoints;
  try {
    endpoints = feedEndpoints(mirrorRaw ? normalizeMirror(mirrorRaw) : undefined);
  } catch (e) {
    throw new VigilError('bad-mirror', `--mirror ${JSON.stringify(mirrorRaw)}: ${describeError(e)}`, { kind: 'usage', cause: e });
  }
  const sources = o.sources?.length ? [...o.sources] : [...FEED_IDS];
  const cacheDir = resolve(o.cacheDir ?? defaultCacheDir(env));
  const log = o.log ?? (() => undefined);
  const now = o.now ?? (() => new Date());
  const limits: UpdateLimits = { ...DEFAULT_LIMITS, ...o.limits };
  const nvdApiKey = o.nvdApiKey ?? (env.NVD_API_KEY || undefined);

  await mkdir(dirname(db), { recursive: true });
  const unlock = await lock(cacheDir);
  const http = new FeedHttp(o.http);
  try {
    const previous = await readState(db);
    const next: UpdateState = { version: 1, feeds: {} };
    const inputs: string[] = [];
    const reports: FeedReport[] = [];
    for (const feed of sources) {
      const dir = join(cacheDir, feed);
      await mkdir(dir, { recursive: true });
      const prev = previous.feeds[feed];
      // Cursors and validators are trusted only for data from the same origin as the cache holds.
      const sameOrigin = prev?.origin === endpoints.origin && (await cachedOrigin(dir)) === endpoints.origin;
      if (!sameOrigin) await unmarkOrigin(dir);
      const ctx: FetchContext = {
        feed,
        http,
        endpoints,
        dir,
        previous: sameOrigin ? prev : undefined,
        now,
        sleep: o.sleep ?? ((ms) => sleep(ms)),
        log,
        limits,
      };
      let outcome: FeedOutcome;
      switch (feed) {
        case 'osv':
          outcome = await fetchOsv(ctx, o.osvEcosystems ?? OSV_ECOSYSTEMS);
          break;
        case 'debian':
          outcome = await fetchFiles(ctx, debianFiles(ctx));
          break;
        case 'alpine':
          outcome = await fetchFiles(ctx, alpineFiles(ctx, o.alpineReleases ?? ALPINE_RELEASES, o.alpineRepositories ?? ALPINE_REPOSITORIES));
          break;
        case 'nvd':
          outcome = await fetchNvd(ctx, {
            ...(nvdApiKey ? { apiKey: nvdApiKey } : {}),
            ...(o.nvdDelayMs !== undefined ? { delayMs: o.nvdDelayMs } : {}),
            ...(o.nvdResultsPerPage !== undefined ? { resultsPerPage: o.nvdResultsPerPage } : {}),
          });
          break;
        case 'kev':
          outcome = await fetchFiles(ctx, kevFiles(ctx));
          break;
        case 'epss':
          outcome = await fetchFiles(ctx, epssFiles(ctx));
          break;
      }
      await markOrigin(dir, endpoints.origin);
      next.feeds[feed] = outcome.state;
      inputs.push(...outcome.inputs);
      reports.push({ feed, mode: ctx.previous ? 'incremental' : 'full', summary: outcome.summary });
    }
    log(`building ${db} from ${inputs.length} cached input${inputs.length === 1 ? '' : 's'}`);
    const build = await buildVulnDb({ out: db, inputs, now: now(), onProgress: log });
    await writeState(db, next);
    return { db, origin: endpoints.origin, feeds: reports, build, requests: http.requests };
  } finally {
    await http.close();
    await unlock();
  }
}

/** The report of an update as lines of text: one per feed, then the DB's sources. */
export function describeUpdate(r: UpdateResult): string[] {
  const lines = [`updated ${r.db} from ${r.origin === 'upstream' ? 'the upstream feeds' : r.origin} (${r.requests} requests, build ${(r.build.ms / 1000).toFixed(1)} s, ${(r.build.bytes / 1048576).toFixed(1)} MiB)`];
  for (const f of r.feeds) lines.push(`  ${f.feed.padEnd(8)} ${f.mode.padEnd(12)} ${f.summary}`);
  lines.push('sources:');
  for (const s of r.build.sources) lines.push(`  ${s.name.padEnd(12)} ${String(s.records).padStart(8)} records  newest ${s.updatedAt || '-'}`);
  for (const f of r.build.rejectedFiles) lines.push(`warning: rejected ${f.name}: ${f.error}`);
  return lines;
}
