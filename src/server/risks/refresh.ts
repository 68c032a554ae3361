/**
 * Brings dirty `risk_vulns` rows up to date: counts of impacted images, nodes, containers and
 * platforms, the protection state, the packages, and the text and scores from the installed
 * vulnerability DB. Every aggregate is one GROUP BY over the findings indexes, restricted to a
 * chunk of dirty ids; nothing is aggregated in JavaScript over all rows.
 *
 * Claiming: a chunk is first set to dirty = 2; the final upsert clears only a 2, so a row marked
 * dirty again (1) while the chunk was computed stays dirty for the next refresh.
 */
import { sql, type Insertable, type Kysely } from 'kysely';
import type { CvssEntry, VulnDbReader } from '../../vulndb/types.js';
import type { Database, RiskVulnsTable } from '../store/schema.js';
import { severityOfRank } from './findings.js';

const CHUNK = 500;
const UPSERT_BATCH = 200;
/** A policy mode that counts as protected (NeuVector: Monitor or Protect). */
export const PROTECTED_MODES = ['monitor', 'protect'] as const;

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
/** Published dates as full ISO-8601 UTC text, so that range filters compare them as text on both databases. */
function isoOrNull(s: string | undefined): string | null {
  if (!s) return null;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** The best score of one CVSS version: NVD's when it gave one, else the highest. */
function scoreOf(cvss: readonly CvssEntry[], versions: readonly string[]): number | null {
  const of = cvss.filter((c) => versions.includes(c.version));
  if (of.length === 0) return null;
  const nvd = of.find((c) => c.source?.includes('nvd'));
  return nvd ? nvd.score : Math.max(...of.map((c) => c.score));
}

/**
 * Refreshes every dirty row. With `reader`, rows whose text came from another DB build are made
 * dirty first (once per build, remembered by the caller through the returned builtAt).
 */
export async function refreshRiskVulns(db: Kysely<Database>, reader: VulnDbReader | undefined): Promise<number> {
  let done = 0;
  for (;;) {
    const ids = (await db.selectFrom('risk_vulns').select('vuln_id').where('dirty', '>=', 1).orderBy('dirty').orderBy('vuln_id').limit(CHUNK).execute()).map((r) => r.vuln_id);
    if (ids.length === 0) return done;
    await db.updateTable('risk_vulns').set({ dirty: 2 }).where('vuln_id', 'in', ids).execute();
    await refreshChunk(db, ids, reader);
    done += ids.length;
  }
}

/** Makes dirty the rows whose text and scores are not from this DB build. */
export async function markStaleMeta(db: Kysely<Database>, builtAt: string): Promise<void> {
  await db
    .updateTable('risk_vulns')
    .set({ dirty: 1 })
    .where((eb) => eb.or([eb('meta_built_at', 'is', null), eb('meta_built_at', '<>', builtAt)]))
    .where('dirty', '=', 0)
    .execute();
}

async function refreshChunk(db: Kysely<Database>, ids: string[], reader: VulnDbReader | undefined): Promise<void> {
  const base = await db
    .selectFrom('findings')
    .select([
      'vuln_id',
      sql<number>`max(severity_rank)`.as('sev'),
      sql<number | null>`max(score)`.as('score'),
      sql<number>`max(case when fixed_version is null then 0 else 1 end)`.as('fixable'),
      sql<number>`max(kev)`.as('kev'),
      sql<number | null>`max(epss)`.as('epss'),
      sql<number>`count(distinct case when asset_kind = 'image' then asset_id end)`.as('images'),
      sql<number>`count(distinct case when asset_kind = 'node' then asset_id end)`.as('nodes'),
      sql<number>`count(distinct case when asset_kind = 'platform' then asset_id end)`.as('platforms'),
    ])
    .where('vuln_id', 'in', ids)
    .groupBy('vuln_id')
    .execute();
  const imagePairs = db.selectFrom('findings').select(['vuln_id', 'asset_id']).distinct().where('asset_kind', '=', 'image').where('vuln_id', 'in', ids);
  const containers = await db
    .selectFrom(imagePairs.as('d'))
    .innerJoin('containers as c', (j) => j.onRef('c.image_digest', '=', 'd.asset_id').on('c.state', '=', 'running'))
    .leftJoin('groups as g', 'g.name', 'c.group_name')
    .select(['d.vuln_id', sql<number>`count(*)`.as('n'), sql<number>`sum(case when g.policy_mode in ('monitor', 'protect') then 1 else 0 end)`.as('protected')])
    .groupBy('d.vuln_id')
    .execute();
  const unaffected = await db
    .selectFrom(imagePairs.as('d'))
    .select(['d.vuln_id', sql<number>`count(*)`.as('n')])
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('containers as c').select('c.id').whereRef('c.image_digest', '=', 'd.asset_id').where('c.state', '=', 'running'))))
    .groupBy('d.vuln_id')
    .execute();
  const nodes = await db
    .selectFrom(db.selectFrom('findings').select(['vuln_id', 'asset_id']).distinct().where('asset_kind', '=', 'node').where('vuln_id', 'in', ids).as('d'))
    .innerJoin('nodes as n', 'n.id', 'd.asset_id')
    .leftJoin('groups as g', 'g.name', 'n.group_name')
    .select(['d.vuln_id', sql<number>`count(*)`.as('n'), sql<number>`sum(case when g.policy_mode in ('monitor', 'protect') then 1 else 0 end)`.as('protected')])
    .groupBy('d.vuln_id')
    .execute();
  const packages = await db.selectFrom('findings').select(['vuln_id', 'package_name']).distinct().where('vuln_id', 'in', ids).orderBy('vuln_id').orderBy('package_name').execute();
  const current = await db.selectFrom('risk_vulns').select(['vuln_id', 'title', 'link', 'aliases', 'description', 'published', 'cvss2', 'cvss3', 'meta_built_at']).where('vuln_id', 'in', ids).execute();

  const byId = <T extends { vuln_id: string }>(rows: T[]) => new Map(rows.map((r) => [r.vuln_id, r]));
  const cMap = byId(containers);
  const uMap = byId(unaffected);
  const nMap = byId(nodes);
  const curMap = byId(current);
  const pkgMap = new Map<string, string[]>();
  for (const p of packages) {
    const list = pkgMap.get(p.vuln_id) ?? [];
    list.push(p.package_name);
    pkgMap.set(p.vuln_id, list);
  }
  const builtAt = reader?.info().builtAt ?? null;
  const rows: Insertable<RiskVulnsTable>[] = [];
  for (const b of base) {
    const cur = curMap.get(b.vuln_id);
    let title = cur?.title ?? null;
    let link = cur?.link ?? null;
    let aliases: string[] = cur ? (JSON.parse(cur.aliases) as string[]) : [];
    let description = cur?.description ?? null;
    let published = cur?.published ?? null;
    let cvss2 = cur?.cvss2 ?? null;
    let cvss3 = cur?.cvss3 ?? null;
    const rec = reader?.vulnerability(b.vuln_id);
    if (rec) {
      title = rec.title ?? title;
      link = rec.link ?? link;
      aliases = rec.aliases.length ? rec.aliases : aliases;
      description = rec.description ?? description;
      published = isoOrNull(rec.published) ?? published;
      cvss2 = scoreOf(rec.cvss, ['2.0']) ?? cvss2;
      cvss3 = scoreOf(rec.cvss, ['3.1', '3.0']) ?? cvss3;
    }
    const score = cvss3 ?? cvss2 ?? numOrNull(b.score);
    const rank = num(b.sev);
    const pkgs = pkgMap.get(b.vuln_id) ?? [];
    const c = cMap.get(b.vuln_id);
    const n = nMap.get(b.vuln_id);
    const cProtected = num(c?.protected);
    const nProtected = num(n?.protected);
    rows.push({
      vuln_id: b.vuln_id,
      severity: severityOfRank(rank),
      severity_rank: rank,
      cvss2,
      cvss3,
      score,
      published,
      fixable: num(b.fixable),
      kev: num(b.kev),
      epss: numOrNull(b.epss),
      title,
      description,
      link,
      aliases: JSON.stringify(aliases),
      packages: JSON.stringify(pkgs),
      search: [b.vuln_id, ...aliases, ...pkgs, title ?? '', description ?? ''].join('\n').toLowerCase(),
      images: num(b.images),
      nodes: num(b.nodes),
      containers: num(c?.n),
      platforms: num(b.platforms),
      unaffected: num(uMap.get(b.vuln_id)?.n),
      protected: cProtected + nProtected,
      unprotected: num(c?.n) - cProtected + (num(n?.n) - nProtected),
      dirty: 0,
      meta_built_at: rec || !reader ? builtAt : (cur?.meta_built_at ?? builtAt),
    });
  }
  for (let i = 0; i < rows.length; i += UPSERT_BATCH) {
    await db
      .insertInto('risk_vulns')
      .values(rows.slice(i, i + UPSERT_BATCH))
      .onConflict((oc) =>
        oc.column('vuln_id').doUpdateSet((eb) => {
          const set: Record<string, unknown> = {};
          for (const k of Object.keys(rows[0]!)) if (k !== 'vuln_id' && k !== 'dirty') set[k] = eb.ref(`excluded.${k}` as 'excluded.title');
          return { ...set, dirty: sql<number>`case when risk_vulns.dirty = 2 then 0 else 1 end` };
        }),
      )
      .execute();
  }
  // No finding left anywhere: the vulnerability leaves the view (unless marked again meanwhile).
  const present = new Set(base.map((b) => b.vuln_id));
  const gone = ids.filter((id) => !present.has(id));
  if (gone.length) await db.deleteFrom('risk_vulns').where('vuln_id', 'in', gone).where('dirty', '=', 2).execute();
}
