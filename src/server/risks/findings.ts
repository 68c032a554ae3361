/**
 * The flattened findings table: one row per asset × vulnerability × installed package. It is
 * rewritten whenever an asset's findings change (a scan result that differs from the last one, a
 * node or platform report), and the vulnerabilities it touched are marked dirty in `risk_vulns`,
 * whose counts are recomputed before the next Security Risks query. An unchanged re-match costs
 * nothing here: the scan pipeline calls in only when the stored report changed.
 */
import type { Insertable, Kysely } from 'kysely';
import type { Package } from '../../core/types.js';
import { findingPackageKey } from '../../report/json/canonical.js';
import { SEVERITIES, type Finding, type Severity } from '../../report/types.js';
import type { Database, FindingAssetKind, FindingsTable, RiskVulnsTable } from '../store/schema.js';

/** 5 critical … 0 unknown: sorting by severity is sorting by this number. */
export function severityRank(s: Severity | string): number {
  const i = (SEVERITIES as readonly string[]).indexOf(s);
  return i < 0 ? 0 : SEVERITIES.length - 1 - i;
}

export function severityOfRank(rank: number): Severity {
  return SEVERITIES[SEVERITIES.length - 1 - rank] ?? 'unknown';
}

/** Rows per INSERT: well under SQLite's bound-variable limit with 12 columns. */
const BATCH = 400;

/**
 * Replaces the findings of one asset and marks dirty every vulnerability whose rows changed.
 * Only the difference is written: a re-match usually moves a few findings of an image, not all.
 * Runs on the connection given (the scan pipeline's transaction when it has one).
 */
export async function replaceAssetFindings(
  db: Kysely<Database>,
  kind: FindingAssetKind,
  id: string,
  findings: readonly Finding[],
  packages: readonly Pick<Package, 'type' | 'name' | 'version' | 'purl'>[],
): Promise<void> {
  const purls = new Map(packages.map((p) => [findingPackageKey(p), p.purl]));
  const want = new Map<string, Insertable<FindingsTable>>();
  for (const f of findings) {
    const row = {
      asset_kind: kind,
      asset_id: id,
      vuln_id: f.id,
      package_name: f.package.name,
      package_type: f.package.type,
      installed_version: f.package.version,
      purl: purls.get(findingPackageKey(f.package)) ?? null,
      fixed_version: f.fixedVersion ?? null,
      severity_rank: severityRank(f.severity),
      score: f.cvss?.score ?? null,
      kev: f.kev ? 1 : 0,
      epss: f.epss ?? null,
    };
    const key = rowKey(row);
    if (!want.has(key)) want.set(key, row);
  }
  const desired = new Map(want);
  const have = await db
    .selectFrom('findings')
    .select(['vuln_id', 'package_name', 'package_type', 'installed_version', 'purl', 'fixed_version', 'severity_rank', 'score', 'kev', 'epss'])
    .where('asset_kind', '=', kind)
    .where('asset_id', '=', id)
    .execute();
  const touched = new Set<string>();
  const stale: typeof have = [];
  for (const h of have) {
    const w = want.get(rowKey(h));
    if (w && sameValues(w, h)) want.delete(rowKey(h));
    else {
      stale.push(h);
      touched.add(h.vuln_id);
    }
  }
  const rebuild = stale.length > 32;
  if (rebuild) {
    // Most of it changed: one delete and a full insert are cheaper than a delete per row.
    await db.deleteFrom('findings').where('asset_kind', '=', kind).where('asset_id', '=', id).execute();
    for (const [k, r] of desired) want.set(k, r);
  }
  for (const h of rebuild ? [] : stale) {
    await db
      .deleteFrom('findings')
      .where('asset_kind', '=', kind)
      .where('asset_id', '=', id)
      .where('vuln_id', '=', h.vuln_id)
      .where('package_name', '=', h.package_name)
      .where('package_type', '=', h.package_type)
      .where('installed_version', '=', h.installed_version)
      .execute();
  }
  const rows = [...want.values()];
  for (const r of rows) touched.add(r.vuln_id);
  for (let i = 0; i < rows.length; i += BATCH) await db.insertInto('findings').values(rows.slice(i, i + BATCH)).execute();
  if (touched.size === 0) return;
  // First sight of a vulnerability: a placeholder row with what the finding says, completed
  // (DB text, scores, counts) by the next refresh.
  const first = new Map<string, Finding>();
  for (const f of findings) if (touched.has(f.id) && !first.has(f.id)) first.set(f.id, f);
  await markDirty(db, [...touched], first);
}

const rowKey = (r: { vuln_id: string; package_name: string; package_type: string; installed_version: string }) => `${r.vuln_id}\n${r.package_name}\n${r.package_type}\n${r.installed_version}`;

function sameValues(a: Insertable<FindingsTable>, b: { purl: string | null; fixed_version: string | null; severity_rank: number; score: number | null; kev: number; epss: number | null }): boolean {
  const num = (x: number | null | undefined) => (x === null || x === undefined ? null : Number(x));
  return (a.purl ?? null) === b.purl && (a.fixed_version ?? null) === b.fixed_version && a.severity_rank === Number(b.severity_rank) && num(a.score) === num(b.score) && a.kev === Number(b.kev) && num(a.epss) === num(b.epss);
}

/** Marks vulnerabilities dirty, creating placeholder rows for those not yet known. */
export async function markDirty(db: Kysely<Database>, vulnIds: readonly string[], known: ReadonlyMap<string, Finding> = new Map()): Promise<void> {
  const ids = [...new Set(vulnIds)];
  for (let i = 0; i < ids.length; i += BATCH) {
    const chunk = ids.slice(i, i + BATCH);
    // Most are known already: one UPDATE, and an INSERT only for the new ones. Every row is
    // written, even one already dirty: inside the caller's transaction the write holds the row
    // until the findings change commits, so a refresh cannot claim it and count the old findings
    // (a row skipped here because it was already dirty would be claimed, counted from the
    // uncommitted state's past, and marked clean — a stale row until its next change).
    await db.updateTable('risk_vulns').set({ dirty: 1 }).where('vuln_id', 'in', chunk).execute();
    const exist = new Set((await db.selectFrom('risk_vulns').select('vuln_id').where('vuln_id', 'in', chunk).execute()).map((r) => r.vuln_id));
    const rows = chunk.filter((id) => !exist.has(id)).map((id) => placeholder(id, known.get(id)));
    for (let j = 0; j < rows.length; j += PLACEHOLDER_BATCH) {
      await db
        .insertInto('risk_vulns')
        .values(rows.slice(j, j + PLACEHOLDER_BATCH))
        .onConflict((oc) => oc.column('vuln_id').doUpdateSet({ dirty: 1 }))
        .execute();
    }
  }
}

/** 25 columns a row: well under SQLite's bound-variable limit. */
const PLACEHOLDER_BATCH = 200;

function placeholder(id: string, f: Finding | undefined): Insertable<RiskVulnsTable> {
  const sev = f?.severity ?? 'unknown';
  return {
    vuln_id: id,
    severity: sev,
    severity_rank: severityRank(sev),
    cvss2: null,
    cvss3: null,
    score: f?.cvss?.score ?? null,
    published: null,
    fixable: 0,
    kev: f?.kev ? 1 : 0,
    epss: f?.epss ?? null,
    title: f?.title ?? null,
    description: null,
    link: f?.link ?? null,
    aliases: JSON.stringify(f?.aliases ?? []),
    packages: '[]',
    search: id.toLowerCase(),
    images: 0,
    nodes: 0,
    containers: 0,
    platforms: 0,
    unaffected: 0,
    protected: 0,
    unprotected: 0,
    dirty: 1,
    meta_built_at: null,
  };
}

/** Marks dirty every vulnerability of the given images (a container moved, a group changed mode). */
export async function markImagesDirty(db: Kysely<Database>, digests: ReadonlyArray<string | null | undefined>): Promise<void> {
  const ds = [...new Set(digests.filter((d): d is string => !!d))];
  for (let i = 0; i < ds.length; i += BATCH) {
    await db
      .updateTable('risk_vulns')
      .set({ dirty: 1 })
      .where('vuln_id', 'in', (eb) => eb.selectFrom('findings').select('vuln_id').where('asset_kind', '=', 'image').where('asset_id', 'in', ds.slice(i, i + BATCH)))
      .execute();
  }
}

/** Marks dirty every vulnerability of the given nodes (a node's group changed mode). */
export async function markAssetsDirty(db: Kysely<Database>, kind: FindingAssetKind, ids: readonly string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += BATCH) {
    await db
      .updateTable('risk_vulns')
      .set({ dirty: 1 })
      .where('vuln_id', 'in', (eb) => eb.selectFrom('findings').select('vuln_id').where('asset_kind', '=', kind).where('asset_id', 'in', ids.slice(i, i + BATCH)))
      .execute();
  }
}
