/**
 * A registry crawl: the catalog (or nothing when the filters name the repositories exactly), the
 * tags of every repository that passes the filters, and the digest each tag points at now, by
 * HEAD. Tags are recorded with their digest; only a digest never scanned before is queued, so
 * an unchanged registry costs one small request per tag and no pull, and the same image under
 * another tag is not scanned twice. Tags gone from the registry are forgotten.
 */
import type { Kysely } from 'kysely';
import { describeError } from '../../core/errors.js';
import { RegistryBrowser } from '../../image/registry/ping.js';
import { matchesFilters, matchesRepository, type RegistryConnection } from '../registries/registry-service.js';
import type { Database } from '../store/schema.js';

export interface CrawlResult {
  repositories: number;
  tags: number;
  /** Tags whose digest needs a scan (new or changed, never scanned). */
  queued: number;
  /** Tags whose digest moved since the last crawl. */
  changed: number;
  /** Tags no longer in the registry. */
  removed: number;
  errors: string[];
  ms: number;
}

export interface CrawlDeps {
  db: Kysely<Database>;
  now: () => Date;
  /** Is there an inventory, or an active job, for this digest already? */
  known(digest: string): Promise<boolean>;
  enqueue(c: RegistryConnection, repository: string, tag: string, digest: string): Promise<void>;
  /** HEAD requests in flight at once. */
  concurrency?: number;
}

/** The repositories a filter list names without wildcards, for registries that refuse the catalog. */
function literalRepositories(filters: readonly string[]): string[] | undefined {
  const repos = filters.map((f) => f.split(':')[0] ?? '');
  return repos.every((r) => r && !r.includes('*')) ? [...new Set(repos)] : undefined;
}

async function eachLimited<T>(items: readonly T[], limit: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const run = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
}

export async function crawlRegistry(c: RegistryConnection, d: CrawlDeps): Promise<CrawlResult> {
  const started = performance.now();
  const r = c.row;
  const filters = JSON.parse(r.filters) as string[];
  const browser = new RegistryBrowser(r.url, c.creds, { ...c.transport, caPem: c.transport.caPems[0] ?? null, timeoutMs: 30_000 });
  const out: CrawlResult = { repositories: 0, tags: 0, queued: 0, changed: 0, removed: 0, errors: [], ms: 0 };
  const crawlStart = d.now().toISOString();
  try {
    const all = literalRepositories(filters) ?? (await browser.catalog());
    // The repository part of a filter decides which repositories are listed at all.
    let repos = all.filter((repo) => matchesRepository(filters, repo));
    repos.sort();
    if (r.repo_limit) repos = repos.slice(0, r.repo_limit);
    out.repositories = repos.length;

    const existing = new Map<string, string>();
    for (const t of await d.db.selectFrom('registry_tags').select(['repository', 'tag', 'digest']).where('registry_id', '=', r.id).execute()) existing.set(`${t.repository}:${t.tag}`, t.digest);

    const work: Array<{ repository: string; tag: string }> = [];
    await eachLimited(repos, d.concurrency ?? 8, async (repository) => {
      try {
        let tags = (await browser.tags(repository)).filter((t) => matchesFilters(filters, repository, t)).sort();
        if (r.tag_limit) tags = tags.slice(0, r.tag_limit);
        for (const tag of tags) work.push({ repository, tag });
      } catch (e) {
        out.errors.push(`${repository}: ${describeError(e)}`);
      }
    });
    out.tags = work.length;

    const seen = new Set<string>();
    const queuedDigests = new Set<string>();
    await eachLimited(work, d.concurrency ?? 8, async ({ repository, tag }) => {
      let digest: string;
      try {
        digest = await browser.digest(repository, tag);
      } catch (e) {
        out.errors.push(`${repository}:${tag}: ${describeError(e)}`);
        return;
      }
      const key = `${repository}:${tag}`;
      seen.add(key);
      const before = existing.get(key);
      const at = d.now().toISOString();
      if (before === undefined) {
        await d.db.insertInto('registry_tags').values({ registry_id: r.id, repository, tag, digest, first_seen: at, last_seen: at }).onConflict((oc) => oc.columns(['registry_id', 'repository', 'tag']).doUpdateSet({ digest, last_seen: at })).execute();
      } else {
        if (before !== digest) out.changed++;
        await d.db.updateTable('registry_tags').set(before !== digest ? { digest, last_seen: at, first_seen: at } : { last_seen: at }).where('registry_id', '=', r.id).where('repository', '=', repository).where('tag', '=', tag).execute();
      }
      if (queuedDigests.has(digest)) return;
      queuedDigests.add(digest);
      if (await d.known(digest)) return;
      await d.enqueue(c, repository, tag, digest);
      out.queued++;
    });

    // Forget tags that are gone, but only when the listing itself worked: a failed tags list must not erase results.
    if (out.errors.length === 0) {
      const gone = [...existing.keys()].filter((k) => !seen.has(k));
      for (const k of gone) {
        const i = k.lastIndexOf(':');
        await d.db.deleteFrom('registry_tags').where('registry_id', '=', r.id).where('repository', '=', k.slice(0, i)).where('tag', '=', k.slice(i + 1)).where('last_seen', '<', crawlStart).execute();
      }
      out.removed = gone.length;
    }
  } finally {
    await browser.close();
  }
  out.ms = Math.round(performance.now() - started);
  return out;
}
