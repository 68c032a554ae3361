import { access, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FeedEndpoints, FeedId } from './feeds.js';
import type { FeedHttp } from './http.js';
import type { FeedState } from './state.js';

/** Size and count limits: generous for real feeds, finite against a hostile or broken mirror. */
export interface UpdateLimits {
  /** One OSV all.zip on the wire. */
  osvZipBytes: number;
  /** Entries in one all.zip, and bytes in one record (zipped or fetched alone). */
  osvZipEntries: number;
  osvRecordBytes: number;
  /** Everything extracted from one all.zip. */
  osvExtractedBytes: number;
  /** Lines read from one modified_id.csv before giving up on the incremental path. */
  osvIncrementalMax: number;
  /** Bytes of modified_id.csv read at most (it is read only down to the last known time). */
  osvCsvBytes: number;
  debianBytes: number;
  alpineBytes: number;
  kevBytes: number;
  epssBytes: number;
  nvdPageBytes: number;
  /** Pages of one NVD window (or of the full download). */
  nvdMaxPages: number;
}

export const DEFAULT_LIMITS: UpdateLimits = {
  osvZipBytes: 4 * 1024 ** 3,
  osvZipEntries: 2_000_000,
  osvRecordBytes: 16 * 1024 ** 2,
  osvExtractedBytes: 32 * 1024 ** 3,
  osvIncrementalMax: 20_000,
  osvCsvBytes: 256 * 1024 ** 2,
  debianBytes: 1024 ** 3,
  alpineBytes: 64 * 1024 ** 2,
  kevBytes: 64 * 1024 ** 2,
  epssBytes: 512 * 1024 ** 2,
  nvdPageBytes: 256 * 1024 ** 2,
  nvdMaxPages: 1000,
};

export interface FetchContext {
  feed: FeedId;
  http: FeedHttp;
  endpoints: FeedEndpoints;
  /** This feed's folder in the cache: `<cache>/<feed>`. */
  dir: string;
  /** The last successful state, only when it came from the same origin as this cache. */
  previous: FeedState | undefined;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  log: (message: string) => void;
  limits: UpdateLimits;
}

export interface FeedOutcome {
  state: FeedState;
  /** Cached files and folders the builder reads for this feed. */
  inputs: string[];
  /** One line for the report: what was fetched and how. */
  summary: string;
}

const ORIGIN_MARKER = '.origin';

/** The origin the cached files of one feed came from, if the cache says. */
export async function cachedOrigin(dir: string): Promise<string | undefined> {
  try {
    return (await readFile(join(dir, ORIGIN_MARKER), 'utf8')).trim() || undefined;
  } catch {
    return undefined;
  }
}

export async function markOrigin(dir: string, origin: string): Promise<void> {
  await writeFile(join(dir, ORIGIN_MARKER), origin + '\n');
}

/** Forget the origin while a feed is rewritten: a half-rewritten cache is never reused as incremental. */
export async function unmarkOrigin(dir: string): Promise<void> {
  await rm(join(dir, ORIGIN_MARKER), { force: true });
}

export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
