/**
 * Security Risks → Compliance: the latest `vigil bench` report of each image, node, container or
 * platform, flattened to one row per asset × check; the view is one row per check (benchmark +
 * id) with the assets where it fails (WARN), aggregated by SQL over the check index.
 */
import { sql, type Expression, type Kysely, type SqlBool } from 'kysely';
import { CHECK_LEVELS, type ComplianceReport } from '../../compliance/types.js';
import { badRequest } from '../errors.js';
import type { ComplianceAssetKind, Database, PolicyMode } from '../store/schema.js';
import { likePattern, matchSql, type TextFilter } from './vuln-query.js';

const BATCH = 300;

/** Replaces the asset's results for the report's benchmark. */
export async function storeComplianceReport(db: Kysely<Database>, kind: ComplianceAssetKind, id: string, report: ComplianceReport, now: string): Promise<{ checks: number; failed: number }> {
  if (report.schemaVersion !== 1 || typeof report.benchmark !== 'string' || !Array.isArray(report.results)) {
    throw badRequest('not a SPEC compliance report: schemaVersion 1, benchmark and results are required');
  }
  const seen = new Set<string>();
  const rows = report.results.map((r, i) => {
    if (typeof r?.id !== 'string' || r.id === '' || typeof r.title !== 'string' || !(CHECK_LEVELS as readonly string[]).includes(r.level)) {
      throw badRequest(`results[${i}]: id, title and a level (${CHECK_LEVELS.join(', ')}) are required`);
    }
    if (seen.has(r.id)) throw badRequest(`results[${i}]: check ${r.id} appears twice`);
    seen.add(r.id);
    return {
      asset_kind: kind,
      asset_id: id,
      benchmark: report.benchmark,
      check_id: r.id,
      level: r.level,
      title: r.title,
      type: String(r.type ?? ''),
      profile: String(r.profile ?? ''),
      scored: r.scored ? 1 : 0,
      automated: r.automated ? 1 : 0,
      remediation: String(r.remediation ?? ''),
      tags: JSON.stringify(Array.isArray(r.tags) ? r.tags : []),
      evidence: JSON.stringify(Array.isArray(r.evidence) ? r.evidence.slice(0, 50) : []),
      updated_at: now,
    };
  });
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('compliance_results').where('asset_kind', '=', kind).where('asset_id', '=', id).where('benchmark', '=', report.benchmark).execute();
    for (let i = 0; i < rows.length; i += BATCH) await trx.insertInto('compliance_results').values(rows.slice(i, i + BATCH)).execute();
  });
  return { checks: rows.length, failed: rows.filter((r) => r.level === 'WARN').length };
}

export const COMPLIANCE_SORTS = ['id', 'title', 'images', 'nodes', 'containers', 'platforms', 'total'] as const;
export type ComplianceSort = (typeof COMPLIANCE_SORTS)[number];

export interface ComplianceQuery {
  q?: string;
  benchmark?: string[];
  /** The levels that count as impacting (default WARN). */
  levels?: string[];
  tags?: string[];
  view?: 'all' | 'containers' | 'infrastructure' | 'registry';
  assets?: Partial<Record<'namespace' | 'service' | 'container' | 'node' | 'image', TextFilter>>;
  sort?: ComplianceSort;
  order?: 'asc' | 'desc';
}

export interface ComplianceRow {
  benchmark: string;
  id: string;
  title: string;
  type: string;
  profile: string;
  scored: boolean;
  remediation: string;
  tags: string[];
  impact: { images: number; nodes: number; containers: number; platforms: number };
  protection: { unaffected: number; protected: number; unprotected: number };
}

function conditions(q: ComplianceQuery): Array<Expression<SqlBool>> {
  const c: Array<Expression<SqlBool>> = [];
  c.push(sql<SqlBool>`r.level in (${sql.join(q.levels?.length ? q.levels : ['WARN'])})`);
  if (q.q) c.push(sql<SqlBool>`(lower(r.check_id) like ${likePattern(q.q)} escape '\\' or lower(r.title) like ${likePattern(q.q)} escape '\\')`);
  if (q.benchmark?.length) c.push(sql<SqlBool>`r.benchmark in (${sql.join(q.benchmark)})`);
  if (q.tags?.length) c.push(sql<SqlBool>`(${sql.join(q.tags.map((t) => sql`lower(r.tags) like ${likePattern(`"${t}"`)} escape '\\'`), sql` or `)})`);
  if (q.view === 'containers') c.push(sql<SqlBool>`r.asset_kind = 'container'`);
  if (q.view === 'infrastructure') c.push(sql<SqlBool>`r.asset_kind in ('node', 'platform')`);
  if (q.view === 'registry') c.push(sql<SqlBool>`r.asset_kind = 'image'`);
  const a = q.assets ?? {};
  const onContainer = [];
  if (a.namespace) onContainer.push(matchSql(sql.ref('c.namespace'), a.namespace));
  if (a.service) onContainer.push(matchSql(sql.ref('c.service'), a.service));
  if (a.container) onContainer.push(sql`(${matchSql(sql.ref('c.name'), a.container)} or ${matchSql(sql.ref('c.id'), a.container)})`);
  if (onContainer.length) c.push(sql<SqlBool>`r.asset_kind = 'container' and r.asset_id in (select c.id from containers c where ${sql.join(onContainer, sql` and `)})`);
  if (a.node) c.push(sql<SqlBool>`r.asset_kind = 'node' and r.asset_id in (select n.id from nodes n where ${matchSql(sql.ref('n.name'), a.node)} or ${matchSql(sql.ref('n.id'), a.node)})`);
  if (a.image) {
    c.push(
      sql<SqlBool>`r.asset_kind = 'image' and r.asset_id in (select t.digest from registry_tags t where ${matchSql(sql`t.repository || ':' || t.tag`, a.image)} or ${matchSql(sql.ref('t.repository'), a.image)} union select i.digest from images i where ${matchSql(sql.ref('i.digest'), a.image)})`,
    );
  }
  return c;
}

const SORT: Record<ComplianceSort, string> = { id: 'check_id', title: 'title', images: 'images', nodes: 'nodes', containers: 'containers', platforms: 'platforms', total: 'total' };

export async function listCompliance(db: Kysely<Database>, q: ComplianceQuery, page: { offset: number; limit: number }): Promise<{ total: number; rows: ComplianceRow[] }> {
  const conds = conditions(q);
  const grouped = db
    .selectFrom('compliance_results as r')
    .where((eb) => eb.and(conds))
    .select([
      'r.benchmark',
      'r.check_id',
      sql<string>`max(r.title)`.as('title'),
      sql<string>`max(r.type)`.as('type'),
      sql<string>`max(r.profile)`.as('profile'),
      sql<number>`max(r.scored)`.as('scored'),
      sql<string>`max(r.remediation)`.as('remediation'),
      sql<string>`max(r.tags)`.as('tags'),
      sql<number>`sum(case when r.asset_kind = 'image' then 1 else 0 end)`.as('images'),
      sql<number>`sum(case when r.asset_kind = 'node' then 1 else 0 end)`.as('nodes'),
      sql<number>`sum(case when r.asset_kind = 'container' then 1 else 0 end)`.as('containers'),
      sql<number>`sum(case when r.asset_kind = 'platform' then 1 else 0 end)`.as('platforms'),
      sql<number>`count(*)`.as('total'),
    ])
    .groupBy(['r.benchmark', 'r.check_id']);
  const dir = sql.raw(q.order ?? (q.sort && q.sort !== 'id' && q.sort !== 'title' ? 'desc' : 'asc'));
  const [rows, count] = await Promise.all([
    db
      .selectFrom(grouped.as('g'))
      .selectAll()
      .orderBy(sql`${sql.ref(`g.${SORT[q.sort ?? 'id']}`)} ${dir}`)
      .orderBy('g.benchmark')
      .orderBy('g.check_id')
      .offset(page.offset)
      .limit(page.limit)
      .execute(),
    db.selectFrom(grouped.as('g')).select(sql<number>`count(*)`.as('n')).executeTakeFirst(),
  ]);
  const out: ComplianceRow[] = [];
  for (const r of rows) {
    out.push({
      benchmark: r.benchmark,
      id: r.check_id,
      title: r.title,
      type: r.type,
      profile: r.profile,
      scored: Number(r.scored) === 1,
      remediation: r.remediation,
      tags: JSON.parse(r.tags) as string[],
      impact: { images: Number(r.images), nodes: Number(r.nodes), containers: Number(r.containers), platforms: Number(r.platforms) },
      protection: await protectionOfCheck(db, r.benchmark, r.check_id, q.levels),
    });
  }
  return { total: Number(count?.n ?? 0), rows: out };
}

/** Containers by their group's mode, nodes by theirs, images unaffected when nothing runs them. */
async function protectionOfCheck(db: Kysely<Database>, benchmark: string, checkId: string, levels?: string[]) {
  const lv = levels?.length ? levels : ['WARN'];
  const r = await sql<{ unaffected: number; protected: number; unprotected: number }>`
    select
      (select count(*) from compliance_results r where r.benchmark = ${benchmark} and r.check_id = ${checkId} and r.level in (${sql.join(lv)}) and r.asset_kind = 'image'
         and not exists (select 1 from containers c where c.image_digest = r.asset_id and c.state = 'running')) as unaffected,
      (select count(*) from compliance_results r
         left join containers c on r.asset_kind = 'container' and c.id = r.asset_id
         left join nodes n on r.asset_kind = 'node' and n.id = r.asset_id
         left join groups g on g.name = coalesce(c.group_name, n.group_name)
         where r.benchmark = ${benchmark} and r.check_id = ${checkId} and r.level in (${sql.join(lv)}) and r.asset_kind in ('container', 'node') and g.policy_mode in ('monitor', 'protect')) as protected,
      (select count(*) from compliance_results r
         left join containers c on r.asset_kind = 'container' and c.id = r.asset_id
         left join nodes n on r.asset_kind = 'node' and n.id = r.asset_id
         left join groups g on g.name = coalesce(c.group_name, n.group_name)
         where r.benchmark = ${benchmark} and r.check_id = ${checkId} and r.level in (${sql.join(lv)}) and r.asset_kind in ('container', 'node') and (g.policy_mode is null or g.policy_mode = 'discover')) as unprotected`.execute(db);
  const x = r.rows[0];
  return { unaffected: Number(x?.unaffected ?? 0), protected: Number(x?.protected ?? 0), unprotected: Number(x?.unprotected ?? 0) };
}

export interface ComplianceImpactItem {
  kind: ComplianceAssetKind;
  id: string;
  name: string;
  level: string;
  policyMode: PolicyMode | null;
  namespace: string | null;
  evidence: string[];
}

/** The assets a check fails on (or has any of `levels`), with their evidence and policy mode. */
export async function complianceImpact(db: Kysely<Database>, benchmark: string, checkId: string, levels: string[] | undefined, limit: number) {
  const head = await db.selectFrom('compliance_results').selectAll().where('benchmark', '=', benchmark).where('check_id', '=', checkId).limit(1).executeTakeFirst();
  if (!head) return undefined;
  const rows = await db
    .selectFrom('compliance_results as r')
    .leftJoin('containers as c', (j) => j.onRef('c.id', '=', 'r.asset_id').on('r.asset_kind', '=', 'container'))
    .leftJoin('nodes as n', (j) => j.onRef('n.id', '=', 'r.asset_id').on('r.asset_kind', '=', 'node'))
    .leftJoin('platforms as p', (j) => j.onRef('p.id', '=', 'r.asset_id').on('r.asset_kind', '=', 'platform'))
    .leftJoin('groups as g', (j) => j.on(sql<SqlBool>`g.name = coalesce(c.group_name, n.group_name)`))
    .select(['r.asset_kind', 'r.asset_id', 'r.level', 'r.evidence', 'c.name as cname', 'c.namespace', 'n.name as nname', 'p.name as pname', 'g.policy_mode'])
    .where('r.benchmark', '=', benchmark)
    .where('r.check_id', '=', checkId)
    .where('r.level', 'in', levels?.length ? levels : ['WARN'])
    .orderBy('r.asset_kind')
    .orderBy('r.asset_id')
    .limit(limit)
    .execute();
  const items: ComplianceImpactItem[] = rows.map((r) => ({
    kind: r.asset_kind,
    id: r.asset_id,
    name: r.cname ?? r.nname ?? r.pname ?? r.asset_id,
    level: r.level,
    policyMode: r.asset_kind === 'container' || r.asset_kind === 'node' ? ((r.policy_mode as PolicyMode | null) ?? 'discover') : null,
    namespace: r.namespace ?? null,
    evidence: JSON.parse(r.evidence) as string[],
  }));
  return {
    benchmark,
    id: checkId,
    title: head.title,
    type: head.type,
    profile: head.profile,
    scored: head.scored === 1,
    remediation: head.remediation,
    tags: JSON.parse(head.tags) as string[],
    items,
  };
}

/** Every row of the filtered view in its order, a page at a time: what the exports read. */
export async function* allComplianceRows(db: Kysely<Database>, q: ComplianceQuery, pageSize = 500): AsyncGenerator<ComplianceRow> {
  for (let offset = 0; ; offset += pageSize) {
    const { rows } = await listCompliance(db, q, { offset, limit: pageSize });
    yield* rows;
    if (rows.length < pageSize) return;
  }
}
