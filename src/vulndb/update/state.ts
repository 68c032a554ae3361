import { readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { VigilError } from '../../core/errors.js';
import type { FeedId } from './feeds.js';

/**
 * What the last successful update of one DB knew, kept next to it (`<db>.state.json`) so the
 * next update asks only for what changed. Written only after the new DB is in place: a failed
 * update leaves the old state, and the next one simply asks again.
 */

/** Validators of one downloaded file, keyed by its path in the cache. */
export interface ResourceState {
  etag?: string;
  lastModified?: string;
}

export interface FeedState {
  /** "upstream" or the mirror URL the data came from: another origin means a full download. */
  origin: string;
  /** Start of the last successful fetch (ISO 8601). */
  fetchedAt: string;
  resources?: Record<string, ResourceState>;
  /** OSV: per ecosystem, the newest `modified` time seen in its modified_id.csv. */
  osvModified?: Record<string, string>;
  /** NVD: the end of the last lastModified window fetched (or the start of the full download). */
  nvdLastWindowEnd?: string;
}

export interface UpdateState {
  version: 1;
  feeds: Partial<Record<FeedId, FeedState>>;
}

export function statePath(db: string): string {
  return `${db}.state.json`;
}

export function emptyState(): UpdateState {
  return { version: 1, feeds: {} };
}

/** The state of `db`; an absent or unreadable state file means "download everything". */
export async function readState(db: string): Promise<UpdateState> {
  let text: string;
  try {
    text = await readFile(statePath(db), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw new VigilError('db-state', `cannot read ${statePath(db)}: ${(e as Error).message}`, { kind: 'db', cause: e });
  }
  try {
    const doc = JSON.parse(text) as Partial<UpdateState>;
    if (doc.version !== 1 || !doc.feeds || typeof doc.feeds !== 'object') return emptyState();
    return { version: 1, feeds: doc.feeds };
  } catch {
    // A damaged state only costs a full download; it must not block the update.
    return emptyState();
  }
}

export async function writeState(db: string, state: UpdateState): Promise<void> {
  const path = statePath(db);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(state, null, 2) + '\n');
  await rename(tmp, path);
}

/** `$VIGIL_HOME/cache/feeds`, else `~/.vigil/cache/feeds`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.VIGIL_HOME || join(homedir(), '.vigil');
  return join(home, 'cache', 'feeds');
}
