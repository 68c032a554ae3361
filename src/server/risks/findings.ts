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
import type { Database, FindingAssetKind, RiskVulnsTable } from '../store/schema.js';

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
 * Replaces the findings of one asset and marks every vulnerability it had or has dirty. Runs on
 * the connection given (the scan pipeline's transaction when it has one).
 */
export async function replaceAssetFindings(
  db: Kysely<Database>,
  kind: FindingAssetKind,
  id: string,
  findings: readonly Finding[],
  packages: readonly Pick<Package, 'type' | 'name' | 'version' | 'purl'>[],
): Promise<void> {
  const purls = new Map(packages.map((p) => [findingPackageKey(p), p.purl]));
  const before = await db.selectFrom('findings').select('vuln_id').distinct().where('asset_kind', '=', kind).where('asset_id', '=', id).execute();
  await db.deleteFrom('findings').where('asset_kind', '=', kind).where('asset_id', '=', id).execute();
  const seen = new Set<string>();
  const rows = [];
  for (const f of findings) {
    const key = `${f.id}\n${f.package.name}\n${f.package.version}\n${f.package.type}`;
    if (seen.has(key)) continue;
    seen.add(key);
    rows.push({
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
    });
  }
  for (let i = 0; i < rows.length; i += BATCH) await db.insertInto('findings').values(rows.slice(i, i + BATCH)).execute();
  // First sight of a vulnerability: a placeholder row with what the finding says, completed
  // (DB text, scores, counts) by the next refresh.
  const first = new Map<string, Finding>();
  for (const f of findings) if (!first.has(f.id)) first.set(f.id, f);
  const touched = new Set([...before.map((r) => r.vuln_id), ...first.keys()]);
  await markDirty(db, [...touched], first);
}

/** Marks vulnerabilities dirty, creating placeholder rows for those not yet known. */
export async function markDirty(db: Kysely<Database>, vulnIds: readonly string[], known: ReadonlyMap<string, Finding> = new Map()): Promise<void> {
  const ids = [...new Set(vulnIds)];
  for (let i = 0; i < ids.length; i += BATCH) {
    const rows = ids.slice(i, i + BATCH).map((id) => placeholder(id, known.get(id)));
    await db
      .insertInto('risk_vulns')
      .values(rows)
      .onConflict((oc) => oc.column('vuln_id').doUpdateSet({ dirty: 1 }))
      .execute();
  }
}

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
