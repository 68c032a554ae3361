/**
 * The Security Risks → Vulnerabilities view as SQL: one row per vulnerability from `risk_vulns`,
 * the filters as WHERE conditions (asset filters as `vuln_id IN (subquery)` over the findings and
 * assets indexes), any column as the sort, and offset paging. The same query feeds the list, the
 * CSV and the PDF, so an export holds exactly the rows on screen.
 */
import { sql, type Expression, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import { SEVERITIES, type Severity } from '../../report/types.js';
import { badRequest } from '../errors.js';
import type { Database } from '../store/schema.js';
import { severityOfRank, severityRank } from './findings.js';

export type Dialect = 'sqlite' | 'postgres';
export const MATCHES = ['equals', 'contains'] as const;
export type Match = (typeof MATCHES)[number];
export const VIEWS = ['all', 'containers', 'infrastructure', 'registry'] as const;
export type View = (typeof VIEWS)[number];
export const VULN_SORTS = ['id', 'severity', 'score', 'cvss2', 'cvss3', 'published', 'fixable', 'kev', 'epss', 'images', 'nodes', 'containers', 'platforms', 'unaffected', 'protected', 'unprotected'] as const;
export type VulnSort = (typeof VULN_SORTS)[number];
/** The asset filters, each with equals (any of the values) or contains (any value as a substring, case-insensitive). */
export const ASSET_FILTERS = ['namespace', 'service', 'container', 'node', 'image', 'os'] as const;
export type AssetFilter = (typeof ASSET_FILTERS)[number];

export interface TextFilter {
  values: string[];
  match: Match;
}

export interface VulnQuery {
  /** Case-insensitive substring of the id, an alias, a package name, the title or the description. */
  q?: string;
  severities?: Severity[];
  fixable?: boolean;
  kev?: boolean;
  /** true: only rows with an acceptance in force (any scope); false: only rows with none. */
  accepted?: boolean;
  scoreMin?: number;
  scoreMax?: number;
  /** Which score the range applies to: v3, v2, or the row's score (v3, else v2, else the matcher's). */
  scoreVersion?: 'v2' | 'v3' | 'any';
  publishedAfter?: string;
  publishedBefore?: string;
  view?: View;
  assets?: Partial<Record<AssetFilter, TextFilter>>;
  sort?: VulnSort;
  order?: 'asc' | 'desc';
}

const SORT_COLUMNS: Record<VulnSort, { col: string; nullable: boolean }> = {
  id: { col: 'vuln_id', nullable: false },
  severity: { col: 'severity_rank', nullable: false },
  score: { col: 'score', nullable: true },
  cvss2: { col: 'cvss2', nullable: true },
  cvss3: { col: 'cvss3', nullable: true },
  published: { col: 'published', nullable: true },
  fixable: { col: 'fixable', nullable: false },
  kev: { col: 'kev', nullable: false },
  epss: { col: 'epss', nullable: true },
  images: { col: 'images', nullable: false },
  nodes: { col: 'nodes', nullable: false },
  containers: { col: 'containers', nullable: false },
  platforms: { col: 'platforms', nullable: false },
  unaffected: { col: 'unaffected', nullable: false },
  protected: { col: 'protected', nullable: false },
  unprotected: { col: 'unprotected', nullable: false },
};

/** `%`, `_` and the escape itself taken literally in a LIKE pattern (ESCAPE '\'). */
export function likePattern(s: string): string {
  return `%${s.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A condition on one SQL expression: equal to any value, or containing any (case-insensitive). */
export function matchSql(expr: RawBuilder<unknown>, f: TextFilter): RawBuilder<SqlBool> {
  if (f.match === 'equals') return sql<SqlBool>`${expr} in (${sql.join(f.values)})`;
  return sql<SqlBool>`(${sql.join(
    f.values.map((v) => sql`lower(${expr}) like ${likePattern(v)} escape '\\'`),
    sql` or `,
  )})`;
}

const ref = (c: string) => sql.ref(c);
const running = sql`c.state = 'running'`;
/**
 * The vulnerabilities of the images the matching running containers run. The digests are
 * gathered first (one pass over containers), then each one probes the findings index: joining
 * every image finding to its containers instead costs a probe per finding.
 */
const containerVulns = (cond: RawBuilder<SqlBool>) =>
  sql`select f.vuln_id from findings f where f.asset_kind = 'image' and f.asset_id in (select c.image_digest from containers c where ${running} and ${cond})`;

/** Normalises a date or date-time to the ISO text the store compares. */
export function isoDate(what: string, s: string): string {
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw badRequest(`${what}: '${s.slice(0, 40)}' is not an ISO-8601 date or date-time`);
  return new Date(t).toISOString();
}

/** The WHERE conditions of a query over `risk_vulns as v`. */
export function vulnConditions(q: VulnQuery, now: string, dialect: Dialect): Array<Expression<SqlBool>> {
  const c: Array<Expression<SqlBool>> = [];
  // `search` is lower-case already: a plain substring test (instr / strpos) costs a third of LIKE.
  if (q.q) c.push(dialect === 'sqlite' ? sql<SqlBool>`instr(v.search, ${q.q.toLowerCase()}) > 0` : sql<SqlBool>`strpos(v.search, ${q.q.toLowerCase()}) > 0`);
  if (q.severities?.length) c.push(sql<SqlBool>`v.severity_rank in (${sql.join(q.severities.map(severityRank))})`);
  if (q.fixable !== undefined) c.push(sql<SqlBool>`v.fixable = ${q.fixable ? 1 : 0}`);
  if (q.kev !== undefined) c.push(sql<SqlBool>`v.kev = ${q.kev ? 1 : 0}`);
  const scoreCol = ref(`v.${q.scoreVersion === 'v2' ? 'cvss2' : q.scoreVersion === 'v3' ? 'cvss3' : 'score'}`);
  if (q.scoreMin !== undefined) c.push(sql<SqlBool>`${scoreCol} >= ${q.scoreMin}`);
  if (q.scoreMax !== undefined) c.push(sql<SqlBool>`${scoreCol} <= ${q.scoreMax}`);
  if (q.publishedAfter) c.push(sql<SqlBool>`v.published >= ${isoDate('publishedAfter', q.publishedAfter)}`);
  if (q.publishedBefore) c.push(sql<SqlBool>`v.published < ${isoDate('publishedBefore', q.publishedBefore)}`);
  if (q.view === 'containers') c.push(sql<SqlBool>`v.containers > 0`);
  if (q.view === 'infrastructure') c.push(sql<SqlBool>`(v.nodes > 0 or v.platforms > 0)`);
  if (q.view === 'registry') c.push(sql<SqlBool>`v.images > 0`);
  const active = sql`(a.expires_at is null or a.expires_at > ${now})`;
  if (q.accepted === true) c.push(sql<SqlBool>`v.vuln_id in (select a.vuln_id from risk_acceptances a where ${active})`);
  if (q.accepted === false) c.push(sql<SqlBool>`v.vuln_id not in (select a.vuln_id from risk_acceptances a where ${active})`);

  const a = q.assets ?? {};
  // namespace, service and container describe one container: all of them must hold for the same one.
  const onContainer: RawBuilder<SqlBool>[] = [];
  if (a.namespace) onContainer.push(matchSql(ref('c.namespace'), a.namespace));
  if (a.service) onContainer.push(matchSql(ref('c.service'), a.service));
  if (a.container) onContainer.push(sql<SqlBool>`(${matchSql(ref('c.name'), a.container)} or ${matchSql(ref('c.id'), a.container)})`);
  if (onContainer.length) c.push(sql<SqlBool>`v.vuln_id in (${containerVulns(sql<SqlBool>`${sql.join(onContainer, sql` and `)}`)})`);
  if (a.node) {
    const nodeIds = sql`select n.id from nodes n where ${matchSql(ref('n.name'), a.node)} or ${matchSql(ref('n.id'), a.node)}`;
    c.push(
      sql<SqlBool>`v.vuln_id in (select f.vuln_id from findings f where f.asset_kind = 'node' and f.asset_id in (${nodeIds}) union all ${containerVulns(sql<SqlBool>`c.node_id in (${nodeIds})`)})`,
    );
  }
  if (a.image) {
    let tagged: RawBuilder<unknown>;
    if (a.image.match === 'equals') {
      // repository:tag as the key of registry_tags, or a bare repository
      const refs = a.image.values.map((v) => {
        const colon = v.lastIndexOf(':');
        return colon > 0 && !v.slice(colon).includes('/') ? sql`(t.repository = ${v.slice(0, colon)} and t.tag = ${v.slice(colon + 1)})` : sql`t.repository = ${v}`;
      });
      tagged = sql`select t.digest from registry_tags t where ${sql.join(refs, sql` or `)}`;
    } else {
      tagged = sql`select t.digest from registry_tags t where ${matchSql(sql`t.repository || ':' || t.tag`, a.image)}`;
    }
    const digests = sql`${tagged}
      union all select c.image_digest from containers c where ${matchSql(ref('c.image_ref'), a.image)}
      union all select i.digest from images i where ${matchSql(ref('i.digest'), a.image)}`;
    c.push(sql<SqlBool>`v.vuln_id in (select f.vuln_id from findings f where f.asset_kind = 'image' and f.asset_id in (${digests}))`);
  }
  if (a.os) {
    c.push(
      sql<SqlBool>`v.vuln_id in (select f.vuln_id from findings f where f.asset_kind = 'image' and f.asset_id in (select i.digest from images i where ${matchSql(ref('i.os'), a.os)})
        union all select f.vuln_id from findings f where f.asset_kind = 'node' and f.asset_id in (select n.id from nodes n where ${matchSql(ref('n.os'), a.os)}))`,
    );
  }
  return c;
}

export interface VulnRow {
  id: string;
  severity: Severity;
  score: number | null;
  cvss2: number | null;
  cvss3: number | null;
  published: string | null;
  fixAvailable: boolean;
  kev: boolean;
  epss: number | null;
  title: string | null;
  description: string | null;
  link: string | null;
  aliases: string[];
  packages: string[];
  impact: { images: number; nodes: number; containers: number; platforms: number };
  protection: { unaffected: number; protected: number; unprotected: number; state: 'unaffected' | 'protected' | 'unprotected' | 'none' };
  /** An acceptance in force: 'global', 'partial' (per image or namespace), or null. */
  accepted: 'global' | 'partial' | null;
}

/** The row's protection circle: unprotected when any impacted item is, else protected when any is, else unaffected. */
export function protectionState(p: { unaffected: number; protected: number; unprotected: number }): VulnRow['protection']['state'] {
  if (p.unprotected > 0) return 'unprotected';
  if (p.protected > 0) return 'protected';
  if (p.unaffected > 0) return 'unaffected';
  return 'none';
}

type Selected = Database['risk_vulns'] & { accepted: string | null };

function toRow(r: Selected, descriptionMax: number): VulnRow {
  const desc = r.description && r.description.length > descriptionMax ? `${r.description.slice(0, descriptionMax)}…` : r.description;
  const p = { unaffected: Number(r.unaffected), protected: Number(r.protected), unprotected: Number(r.unprotected) };
  return {
    id: r.vuln_id,
    severity: (SEVERITIES as readonly string[]).includes(r.severity) ? (r.severity as Severity) : 'unknown',
    score: r.score === null ? null : Number(r.score),
    cvss2: r.cvss2 === null ? null : Number(r.cvss2),
    cvss3: r.cvss3 === null ? null : Number(r.cvss3),
    published: r.published,
    fixAvailable: Number(r.fixable) === 1,
    kev: Number(r.kev) === 1,
    epss: r.epss === null ? null : Number(r.epss),
    title: r.title,
    description: desc,
    link: r.link,
    aliases: JSON.parse(r.aliases) as string[],
    packages: JSON.parse(r.packages) as string[],
    impact: { images: Number(r.images), nodes: Number(r.nodes), containers: Number(r.containers), platforms: Number(r.platforms) },
    protection: { ...p, state: protectionState(p) },
    accepted: r.accepted === 'global' || r.accepted === 'partial' ? r.accepted : null,
  };
}

function selectRows(db: Kysely<Database>, q: VulnQuery, now: string, dialect: Dialect) {
  const conds = vulnConditions(q, now, dialect);
  const active = sql`(a.expires_at is null or a.expires_at > ${now})`;
  const accepted = sql<string | null>`case when exists (select 1 from risk_acceptances a where a.vuln_id = v.vuln_id and a.scope = 'global' and ${active}) then 'global'
    when exists (select 1 from risk_acceptances a where a.vuln_id = v.vuln_id and ${active}) then 'partial' else null end`;
  const sort = SORT_COLUMNS[q.sort ?? 'severity'];
  const dir = sql.raw(q.order ?? (q.sort === undefined || q.sort !== 'id' ? 'desc' : 'asc'));
  const col = ref(`v.${sort.col}`);
  let query = db.selectFrom('risk_vulns as v').selectAll('v').select(accepted.as('accepted'));
  if (conds.length) query = query.where((eb) => eb.and(conds));
  // NULLs last in both directions, on both databases (their defaults disagree); descending, that
  // is SQLite's own order, so its index on the column still serves the sort.
  return query.orderBy(sql`${col} ${dir}${sort.nullable ? sql.raw(' nulls last') : sql.raw('')}`).orderBy(sql`v.vuln_id ${dir}`);
}

export interface VulnPage {
  total: number;
  rows: VulnRow[];
  /** Rows per severity over the whole filtered view, not just the page. */
  bySeverity: Record<Severity, number>;
}

export async function listVulns(db: Kysely<Database>, q: VulnQuery, page: { offset: number; limit: number }, now: string, dialect: Dialect): Promise<VulnPage> {
  const conds = vulnConditions(q, now, dialect);
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  if (conds.length > 0) {
    const r = await filteredPage(db, q, conds, page, now);
    if (r.length > 0) {
      let total = 0;
      for (let rank = 0; rank < SEVERITIES.length; rank++) {
        const n = Number(r[0]![`c${rank}` as 'c0']);
        bySeverity[severityOfRank(rank)] = n;
        total += n;
      }
      return { total, rows: r.map((x) => toRow(x, 500)), bySeverity };
    }
  }
  // By rank, not by name: the severity index answers it without reading the (wide) rows.
  let counts = db.selectFrom('risk_vulns as v').select(['v.severity_rank', sql<number>`count(*)`.as('n')]).groupBy('v.severity_rank');
  if (conds.length) counts = counts.where((eb) => eb.and(conds));
  const [rows, sev] = await Promise.all([selectRows(db, q, now, dialect).offset(page.offset).limit(page.limit).execute(), counts.execute()]);
  let total = 0;
  for (const s of sev) {
    const n = Number(s.n);
    total += n;
    bySeverity[severityOfRank(Number(s.severity_rank))] += n;
  }
  return { total, rows: rows.map((r) => toRow(r as Selected, 500)), bySeverity };
}

type CountCols = Record<'c0' | 'c1' | 'c2' | 'c3' | 'c4' | 'c5', number>;

/**
 * A filtered page and the per-severity counts in one statement: the filter (asset subqueries,
 * text search) is evaluated once into a narrow materialised set, which both the page and the
 * counts read. Two statements would evaluate it twice.
 */
async function filteredPage(db: Kysely<Database>, q: VulnQuery, conds: Array<Expression<SqlBool>>, page: { offset: number; limit: number }, now: string): Promise<Array<Selected & CountCols>> {
  const sort = SORT_COLUMNS[q.sort ?? 'severity'];
  const dir = sql.raw(`${q.order ?? (q.sort === undefined || q.sort !== 'id' ? 'desc' : 'asc')}${sort.nullable ? ' nulls last' : ''}`);
  const idDir = sql.raw(q.order ?? (q.sort === undefined || q.sort !== 'id' ? 'desc' : 'asc'));
  const active = sql`(a.expires_at is null or a.expires_at > ${now})`;
  // One pass over the set for all six counts.
  const counts = SEVERITIES.map((_, rank) => sql`sum(case when m.severity_rank = ${rank} then 1 else 0 end) as ${sql.ref(`c${rank}`)}`);
  const r = await sql<Selected & CountCols>`
    with m as materialized (select v.vuln_id, v.severity_rank, ${ref(`v.${sort.col}`)} as s from risk_vulns v where ${sql.join(conds, sql` and `)}),
    p as (select m.vuln_id, m.s from m order by m.s ${dir}, m.vuln_id ${idDir} limit ${page.limit} offset ${page.offset}),
    c as (select ${sql.join(counts)} from m)
    select v.*,
      case when exists (select 1 from risk_acceptances a where a.vuln_id = v.vuln_id and a.scope = 'global' and ${active}) then 'global'
        when exists (select 1 from risk_acceptances a where a.vuln_id = v.vuln_id and ${active}) then 'partial' else null end as accepted,
      c.*
    from p join risk_vulns v on v.vuln_id = p.vuln_id cross join c
    order by p.s ${dir}, p.vuln_id ${idDir}`.execute(db);
  return r.rows;
}

/** Every row of the filtered view in order, fetched a page at a time by keyset-free offset paging (flat memory). */
export async function* allVulnRows(db: Kysely<Database>, q: VulnQuery, now: string, dialect: Dialect, pageSize = 1000): AsyncGenerator<VulnRow> {
  for (let offset = 0; ; offset += pageSize) {
    const rows = await selectRows(db, q, now, dialect).offset(offset).limit(pageSize).execute();
    for (const r of rows) yield toRow(r as Selected, Number.MAX_SAFE_INTEGER);
    if (rows.length < pageSize) return;
  }
}

export async function oneVuln(db: Kysely<Database>, id: string, now: string): Promise<VulnRow | undefined> {
  const r = await selectRows(db, {}, now, 'sqlite').where('v.vuln_id', '=', id).executeTakeFirst();
  return r ? toRow(r as Selected, Number.MAX_SAFE_INTEGER) : undefined;
}
