/**
 * What one vulnerability impacts: the images, containers, nodes and platforms with it, each with
 * its policy mode and protection state, the installed and fixed package versions, and whether an
 * acceptance covers it. Each list is bounded (`limit`) and carries its total.
 */
import { sql, type Kysely } from 'kysely';
import type { Database, PolicyMode } from '../store/schema.js';

export interface PackageHit {
  name: string;
  type: string;
  installed: string;
  fixed: string | null;
}

export type Protection = 'unaffected' | 'protected' | 'unprotected';

export interface ImpactLists {
  images: { total: number; items: Array<{ digest: string; names: string[]; os: string | null; containers: number; protection: Protection; accepted: boolean; packages: PackageHit[] }> };
  containers: {
    total: number;
    items: Array<{ id: string; name: string; namespace: string | null; service: string | null; group: string | null; policyMode: PolicyMode; protection: Protection; node: string | null; image: string | null; imageDigest: string; accepted: boolean; packages: PackageHit[] }>;
  };
  nodes: { total: number; items: Array<{ id: string; name: string; os: string | null; group: string; policyMode: PolicyMode; protection: Protection; packages: PackageHit[] }> };
  platforms: { total: number; items: Array<{ id: string; name: string; type: string; version: string | null; packages: PackageHit[] }> };
}

export interface ActiveAcceptances {
  global: boolean;
  images: Set<string>;
  namespaces: Set<string>;
}

const modeOf = (m: string | null | undefined): PolicyMode => (m === 'monitor' || m === 'protect' ? m : 'discover');
const protectionOf = (m: PolicyMode): Protection => (m === 'discover' ? 'unprotected' : 'protected');

async function packagesOf(db: Kysely<Database>, vulnId: string, kind: 'image' | 'node' | 'platform', ids: readonly string[]): Promise<Map<string, PackageHit[]>> {
  const out = new Map<string, PackageHit[]>();
  if (ids.length === 0) return out;
  const rows = await db
    .selectFrom('findings')
    .select(['asset_id', 'package_name', 'package_type', 'installed_version', 'fixed_version'])
    .where('vuln_id', '=', vulnId)
    .where('asset_kind', '=', kind)
    .where('asset_id', 'in', [...ids])
    .orderBy('package_name')
    .execute();
  for (const r of rows) {
    const list = out.get(r.asset_id) ?? [];
    list.push({ name: r.package_name, type: r.package_type, installed: r.installed_version, fixed: r.fixed_version });
    out.set(r.asset_id, list);
  }
  return out;
}

export async function impactOf(db: Kysely<Database>, vulnId: string, acc: ActiveAcceptances, limit: number): Promise<ImpactLists> {
  const count = async (kind: 'image' | 'node' | 'platform') =>
    Number((await db.selectFrom('findings').select(sql<number>`count(distinct asset_id)`.as('n')).where('vuln_id', '=', vulnId).where('asset_kind', '=', kind).executeTakeFirst())?.n ?? 0);
  const idsOf = async (kind: 'image' | 'node' | 'platform') =>
    (await db.selectFrom('findings').select('asset_id').distinct().where('vuln_id', '=', vulnId).where('asset_kind', '=', kind).orderBy('asset_id').limit(limit).execute()).map((r) => r.asset_id);

  // Images
  const imageIds = await idsOf('image');
  const imgPkgs = await packagesOf(db, vulnId, 'image', imageIds);
  const imgRows = imageIds.length ? await db.selectFrom('images').select(['digest', 'os']).where('digest', 'in', imageIds).execute() : [];
  const osOf = new Map(imgRows.map((r) => [r.digest, r.os]));
  const tagRows = imageIds.length ? await db.selectFrom('registry_tags').select(['digest', 'repository', 'tag']).where('digest', 'in', imageIds).orderBy('repository').orderBy('tag').execute() : [];
  const names = new Map<string, string[]>();
  for (const t of tagRows) names.set(t.digest, [...(names.get(t.digest) ?? []), `${t.repository}:${t.tag}`]);
  const usage = imageIds.length
    ? await db
        .selectFrom('containers as c')
        .leftJoin('groups as g', 'g.name', 'c.group_name')
        .select(['c.image_digest', sql<number>`count(*)`.as('n'), sql<number>`sum(case when g.policy_mode in ('monitor', 'protect') then 0 else 1 end)`.as('unprotected')])
        .where('c.image_digest', 'in', imageIds)
        .where('c.state', '=', 'running')
        .groupBy('c.image_digest')
        .execute()
    : [];
  const usageOf = new Map(usage.map((u) => [u.image_digest ?? '', { n: Number(u.n), unprotected: Number(u.unprotected) }]));
  const images = imageIds.map((digest) => {
    const u = usageOf.get(digest);
    const protection: Protection = !u ? 'unaffected' : u.unprotected > 0 ? 'unprotected' : 'protected';
    return { digest, names: names.get(digest) ?? [], os: osOf.get(digest) ?? null, containers: u?.n ?? 0, protection, accepted: acc.global || acc.images.has(digest), packages: imgPkgs.get(digest) ?? [] };
  });

  // Containers: running ones whose image has the vulnerability.
  const cBase = db
    .selectFrom('containers as c')
    .where('c.state', '=', 'running')
    .where('c.image_digest', 'in', (eb) => eb.selectFrom('findings').select('asset_id').where('vuln_id', '=', vulnId).where('asset_kind', '=', 'image'));
  const cTotal = Number((await cBase.select(sql<number>`count(*)`.as('n')).executeTakeFirst())?.n ?? 0);
  const cRows = await cBase
    .leftJoin('groups as g', 'g.name', 'c.group_name')
    .leftJoin('nodes as n', 'n.id', 'c.node_id')
    .select(['c.id', 'c.name', 'c.namespace', 'c.service', 'c.group_name', 'g.policy_mode', 'c.node_id', 'n.name as node_name', 'c.image_ref', 'c.image_digest'])
    .orderBy('c.namespace')
    .orderBy('c.name')
    .orderBy('c.id')
    .limit(limit)
    .execute();
  const cPkgs = await packagesOf(db, vulnId, 'image', [...new Set(cRows.map((r) => r.image_digest ?? ''))]);
  const containers = cRows.map((r) => {
    const mode = modeOf(r.policy_mode);
    return {
      id: r.id,
      name: r.name,
      namespace: r.namespace,
      service: r.service,
      group: r.group_name,
      policyMode: mode,
      protection: protectionOf(mode),
      node: r.node_name ?? r.node_id,
      image: r.image_ref,
      imageDigest: r.image_digest ?? '',
      accepted: acc.global || acc.images.has(r.image_digest ?? '') || (r.namespace !== null && acc.namespaces.has(r.namespace)),
      packages: cPkgs.get(r.image_digest ?? '') ?? [],
    };
  });

  // Nodes and platforms
  const nodeIds = await idsOf('node');
  const nPkgs = await packagesOf(db, vulnId, 'node', nodeIds);
  const nRows = nodeIds.length
    ? await db.selectFrom('nodes as n').leftJoin('groups as g', 'g.name', 'n.group_name').select(['n.id', 'n.name', 'n.os', 'n.group_name', 'g.policy_mode']).where('n.id', 'in', nodeIds).orderBy('n.name').execute()
    : [];
  const nodes = nRows.map((r) => {
    const mode = modeOf(r.policy_mode);
    return { id: r.id, name: r.name, os: r.os, group: r.group_name, policyMode: mode, protection: protectionOf(mode), packages: nPkgs.get(r.id) ?? [] };
  });
  const platIds = await idsOf('platform');
  const pPkgs = await packagesOf(db, vulnId, 'platform', platIds);
  const pRows = platIds.length ? await db.selectFrom('platforms').select(['id', 'name', 'type', 'version']).where('id', 'in', platIds).orderBy('name').execute() : [];
  const platforms = pRows.map((r) => ({ ...r, packages: pPkgs.get(r.id) ?? [] }));

  return {
    images: { total: await count('image'), items: images },
    containers: { total: cTotal, items: containers },
    nodes: { total: await count('node'), items: nodes },
    platforms: { total: await count('platform'), items: platforms },
  };
}

/** What to do about it, in one or two sentences per package. */
export function remediationOf(packages: ReadonlyArray<{ name: string; fixed: string | null }>): string {
  const fixes = new Map<string, Set<string>>();
  const unfixed = new Set<string>();
  for (const p of packages) {
    if (p.fixed) fixes.set(p.name, (fixes.get(p.name) ?? new Set()).add(p.fixed));
    else unfixed.add(p.name);
  }
  const parts = [...fixes].map(([name, v]) => `Upgrade ${name} to ${[...v].sort().join(' or ')} or later.`);
  if (unfixed.size) parts.push(`No fixed version is known for ${[...unfixed].sort().join(', ')}: remove the package, mitigate, or accept the risk.`);
  return parts.join(' ');
}
