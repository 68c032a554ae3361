/**
 * Accepted risks: a vulnerability accepted everywhere, in one image, or in one namespace, with a
 * comment and an optional expiry. Accepted rows stay in the view, marked; the acceptances in
 * force export as an OpenVEX document that `vigil scan --vex` reads back (src/policy/vex.ts).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { PackageURL } from 'packageurl-js';
import { parsePurl } from '../../policy/purl-match.js';
import { badRequest, conflict, notFound } from '../errors.js';
import type { AcceptScope, Database } from '../store/schema.js';
import type { ActiveAcceptances } from './impact.js';

export interface Acceptance {
  id: string;
  vulnerability: string;
  scope: AcceptScope;
  /** The image digest (scope image) or the namespace (scope namespace); null for global. */
  image: string | null;
  namespace: string | null;
  comment: string;
  expiresAt: string | null;
  /** false once expired */
  active: boolean;
  createdBy: string | null;
  createdAt: string;
}

export interface AcceptInput {
  vulnerability: string;
  scope: AcceptScope;
  image?: string;
  namespace?: string;
  comment: string;
  expiresAt?: string | null;
}

type Row = Database['risk_acceptances'];

function view(r: Row, now: string): Acceptance {
  return {
    id: r.id,
    vulnerability: r.vuln_id,
    scope: r.scope,
    image: r.scope === 'image' ? r.target : null,
    namespace: r.scope === 'namespace' ? r.target : null,
    comment: r.comment,
    expiresAt: r.expires_at,
    active: r.expires_at === null || r.expires_at > now,
    createdBy: r.created_by,
    createdAt: r.created_at,
  };
}

const DIGEST = /^sha(256:[a-f0-9]{64}|512:[a-f0-9]{128})$/;

/** An image given by digest, or by `repository:tag` as the registries know it. */
async function resolveImage(db: Kysely<Database>, image: string): Promise<string> {
  if (DIGEST.test(image)) {
    if (!(await db.selectFrom('images').select('digest').where('digest', '=', image).executeTakeFirst())) throw notFound(`no scanned image ${image}`);
    return image;
  }
  const colon = image.lastIndexOf(':');
  if (colon > 0 && !image.slice(colon).includes('/')) {
    const t = await db.selectFrom('registry_tags').select('digest').where('repository', '=', image.slice(0, colon)).where('tag', '=', image.slice(colon + 1)).orderBy('last_seen', 'desc').executeTakeFirst();
    if (t) return t.digest;
  }
  const c = await db.selectFrom('containers').select('image_digest').where('image_ref', '=', image).where('image_digest', 'is not', null).executeTakeFirst();
  if (c?.image_digest) return c.image_digest;
  throw notFound(`no scanned image ${image} (give its digest, or repository:tag as a registry lists it)`);
}

export async function createAcceptance(db: Kysely<Database>, input: AcceptInput, by: string | null, now: string): Promise<Acceptance> {
  if (!(await db.selectFrom('risk_vulns').select('vuln_id').where('vuln_id', '=', input.vulnerability).executeTakeFirst())) {
    throw notFound(`no vulnerability ${input.vulnerability} in any asset`);
  }
  let target = '';
  if (input.scope === 'image') {
    if (!input.image) throw badRequest('scope image needs image (a digest or repository:tag)');
    if (input.namespace) throw badRequest('scope image takes image, not namespace');
    target = await resolveImage(db, input.image);
  } else if (input.scope === 'namespace') {
    if (!input.namespace) throw badRequest('scope namespace needs namespace');
    if (input.image) throw badRequest('scope namespace takes namespace, not image');
    target = input.namespace;
  } else if (input.image || input.namespace) {
    throw badRequest('scope global takes neither image nor namespace');
  }
  let expires: string | null = null;
  if (input.expiresAt) {
    const t = Date.parse(input.expiresAt);
    if (Number.isNaN(t)) throw badRequest(`expiresAt: '${input.expiresAt.slice(0, 40)}' is not an ISO-8601 date-time`);
    expires = new Date(t).toISOString();
    if (expires <= now) throw badRequest('expiresAt must be in the future');
  }
  const dup = await db.selectFrom('risk_acceptances').select('id').where('vuln_id', '=', input.vulnerability).where('scope', '=', input.scope).where('target', '=', target).executeTakeFirst();
  if (dup) throw conflict(`${input.vulnerability} is already accepted ${input.scope === 'global' ? 'globally' : `for ${input.scope} ${target}`} (acceptance ${dup.id}); delete it first to change it`);
  const row: Row = { id: randomUUID(), vuln_id: input.vulnerability, scope: input.scope, target, comment: input.comment, expires_at: expires, created_by: by, created_at: now };
  await db.insertInto('risk_acceptances').values(row).execute();
  return view(row, now);
}

export async function listAcceptances(db: Kysely<Database>, o: { vulnerability?: string; active?: boolean }, now: string): Promise<Acceptance[]> {
  let q = db.selectFrom('risk_acceptances').selectAll();
  if (o.vulnerability) q = q.where('vuln_id', '=', o.vulnerability);
  if (o.active === true) q = q.where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
  if (o.active === false) q = q.where('expires_at', '<=', now);
  return (await q.orderBy('vuln_id').orderBy('created_at').limit(10_000).execute()).map((r) => view(r, now));
}

export async function deleteAcceptance(db: Kysely<Database>, id: string, now: string): Promise<Acceptance> {
  const r = await db.selectFrom('risk_acceptances').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) throw notFound(`no acceptance ${id}`);
  await db.deleteFrom('risk_acceptances').where('id', '=', id).execute();
  return view(r, now);
}

export async function activeAcceptances(db: Kysely<Database>, vulnId: string, now: string): Promise<ActiveAcceptances> {
  const rows = await db
    .selectFrom('risk_acceptances')
    .select(['scope', 'target'])
    .where('vuln_id', '=', vulnId)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .execute();
  return {
    global: rows.some((r) => r.scope === 'global'),
    images: new Set(rows.filter((r) => r.scope === 'image').map((r) => r.target)),
    namespaces: new Set(rows.filter((r) => r.scope === 'namespace').map((r) => r.target)),
  };
}

/** The purl of a package without version and qualifiers other than the distro's namespace: every version of it. */
function packageProduct(purl: string): string | undefined {
  const p = parsePurl(purl);
  if (!p) return undefined;
  return new PackageURL(p.type, p.namespace, p.name, undefined, undefined, undefined).toString();
}

/** `pkg:oci/<name>@<digest>`: the image, whatever it is tagged (purl-spec's oci type). */
function imageProduct(digest: string, repository: string | undefined): string {
  const name = (repository?.split('/').pop() ?? 'image').toLowerCase().replace(/[^a-z0-9._-]/g, '-') || 'image';
  return new PackageURL('oci', undefined, name, digest, undefined, undefined).toString();
}

/**
 * The acceptances in force as an OpenVEX v0.2.0 document: one `not_affected` statement per
 * acceptance, its comment as the impact statement. Products: for a global acceptance, each
 * affected package (any version); for an image, the image by digest (manifest digest too);
 * for a namespace, every image running there now.
 */
export async function openVexDocument(db: Kysely<Database>, now: string, author: string): Promise<Record<string, unknown>> {
  const acc = (await listAcceptances(db, { active: true }, now)).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  const statements: Array<Record<string, unknown>> = [];
  const imageProducts = async (digests: string[]) => {
    if (digests.length === 0) return [];
    const tags = await db.selectFrom('registry_tags').select(['digest', 'repository']).where('digest', 'in', digests).orderBy('repository').execute();
    const repoOf = new Map<string, string>();
    for (const t of tags) if (!repoOf.has(t.digest)) repoOf.set(t.digest, t.repository);
    const manifests = await db.selectFrom('images').select(['digest', 'manifest_digest']).where('digest', 'in', digests).execute();
    const out: Array<{ '@id': string }> = [];
    for (const d of [...digests].sort()) {
      out.push({ '@id': imageProduct(d, repoOf.get(d)) });
      const m = manifests.find((x) => x.digest === d)?.manifest_digest;
      if (m && m !== d) out.push({ '@id': imageProduct(m, repoOf.get(d)) });
    }
    return out;
  };
  for (const a of acc) {
    let products: Array<{ '@id': string }>;
    if (a.scope === 'global') {
      const purls = await db.selectFrom('findings').select('purl').distinct().where('vuln_id', '=', a.vulnerability).where('purl', 'is not', null).execute();
      products = [...new Set(purls.map((p) => packageProduct(p.purl!)).filter((p): p is string => !!p))].sort().map((id) => ({ '@id': id }));
    } else if (a.scope === 'image') {
      products = await imageProducts([a.image!]);
    } else {
      const ds = await db.selectFrom('containers').select('image_digest').distinct().where('namespace', '=', a.namespace!).where('image_digest', 'is not', null).execute();
      products = await imageProducts(ds.map((d) => d.image_digest!));
    }
    if (products.length === 0) continue;
    const where = a.scope === 'global' ? 'everywhere' : a.scope === 'image' ? `in image ${a.image}` : `in namespace ${a.namespace}`;
    statements.push({
      vulnerability: { name: a.vulnerability },
      products,
      status: 'not_affected',
      impact_statement: `Risk accepted ${where} by ${a.createdBy ?? 'unknown'}${a.expiresAt ? ` until ${a.expiresAt}` : ''}: ${a.comment}`,
      timestamp: a.createdAt,
    });
  }
  const id = createHash('sha256').update(JSON.stringify(statements)).digest('hex').slice(0, 32);
  return {
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': `https://openvex.dev/docs/vigil/${id}`,
    author,
    role: 'Document Creator',
    timestamp: now,
    version: 1,
    tooling: 'Vigil',
    statements,
  };
}
