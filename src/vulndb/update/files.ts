import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { exists, type FetchContext, type FeedOutcome } from './context.js';
import { FeedHttpError } from './http.js';
import type { FeedState, ResourceState } from './state.js';

/**
 * Feeds published as whole files (Debian tracker JSON, Alpine secdb, CISA KEV, EPSS): each is
 * downloaded again only when it changed, asked with If-None-Match / If-Modified-Since; a 304
 * keeps the cached copy.
 */

export interface FileSpec {
  url: string;
  /** Path under the feed's cache folder. */
  path: string;
  what: string;
  maxBytes: number;
  gunzip?: boolean;
  /** Asked for instead when `url` answers 404 (same cache path). */
  fallback?: { url: string; gunzip: boolean };
}

export async function fetchFiles(ctx: FetchContext, files: readonly FileSpec[]): Promise<FeedOutcome> {
  const started = ctx.now().toISOString();
  const resources: Record<string, ResourceState> = {};
  const inputs: string[] = [];
  let fetched = 0;
  let unchanged = 0;
  for (const f of files) {
    const dest = join(ctx.dir, f.path);
    await mkdir(dirname(dest), { recursive: true });
    // Validators only while the cached copy exists: a 304 for a file we lost would leave nothing.
    const prev = (await exists(dest)) ? ctx.previous?.resources?.[f.path] : undefined;
    const get = (url: string, gunzip: boolean) =>
      ctx.http.download(url, dest, {
        what: f.what,
        maxBytes: f.maxBytes,
        ...(gunzip ? { gunzip: true } : {}),
        ...(prev?.etag ? { etag: prev.etag } : {}),
        ...(prev?.lastModified ? { lastModified: prev.lastModified } : {}),
      });
    const fallback = f.fallback;
    const res = await get(f.url, !!f.gunzip).catch((e: unknown) => {
      if (!fallback || !(e instanceof FeedHttpError) || e.status !== 404) throw e;
      return get(fallback.url, fallback.gunzip);
    });
    if (res.notModified) {
      unchanged++;
      if (prev) resources[f.path] = prev;
    } else {
      fetched++;
      const r: ResourceState = {};
      if (res.etag) r.etag = res.etag;
      if (res.lastModified) r.lastModified = res.lastModified;
      resources[f.path] = r;
    }
    inputs.push(dest);
  }
  const state: FeedState = { origin: ctx.endpoints.origin, fetchedAt: started, resources };
  const summary = [fetched ? `${fetched} downloaded` : '', unchanged ? `${unchanged} unchanged` : ''].filter(Boolean).join(', ') || 'nothing';
  ctx.log(`${ctx.feed}: ${summary}`);
  return { state, inputs, summary };
}

export function debianFiles(ctx: Pick<FetchContext, 'endpoints' | 'limits'>): FileSpec[] {
  return [{ url: ctx.endpoints.debian, path: 'tracker.json', what: 'Debian security tracker JSON', maxBytes: ctx.limits.debianBytes }];
}

export function alpineFiles(ctx: Pick<FetchContext, 'endpoints' | 'limits'>, releases: readonly string[], repositories: readonly string[]): FileSpec[] {
  return releases.flatMap((rel) =>
    repositories.map((repo) => ({
      url: ctx.endpoints.alpine(rel, repo),
      path: `${rel.replace(/[/\\]/g, '_')}/${repo.replace(/[/\\]/g, '_')}.json`,
      what: `Alpine secdb ${rel}/${repo}`,
      maxBytes: ctx.limits.alpineBytes,
    })),
  );
}

export function kevFiles(ctx: Pick<FetchContext, 'endpoints' | 'limits'>): FileSpec[] {
  return [{ url: ctx.endpoints.kev, path: 'known_exploited_vulnerabilities.json', what: 'CISA KEV catalog', maxBytes: ctx.limits.kevBytes }];
}

/** Kept decompressed: the builder reads FIRST's CSV as is. */
export function epssFiles(ctx: Pick<FetchContext, 'endpoints' | 'limits'>): FileSpec[] {
  const spec: FileSpec = { url: ctx.endpoints.epss, path: 'epss_scores-current.csv', what: 'EPSS scores', maxBytes: ctx.limits.epssBytes, gunzip: true };
  if (ctx.endpoints.epssPlain) spec.fallback = { url: ctx.endpoints.epssPlain, gunzip: false };
  return [spec];
}
