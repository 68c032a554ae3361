/**
 * Run-time assets: platforms, nodes, containers, groups (with their policy mode), controllers and
 * enforcers. The node agent registers and updates them with PUT by a stable id (upsert) and
 * removes them with DELETE; the console lists them. Every change that moves a vulnerability's
 * impact (a container's image or group, a group's mode) marks the vulnerabilities concerned
 * dirty, so the Security Risks view recomputes only those.
 */
import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Inventory } from '../../core/types.js';
import { VigilError } from '../../core/errors.js';
import { buildReport, match } from '../../match/index.js';
import type { Finding, ScanReport } from '../../report/types.js';
import type { VigilDbReader } from '../../vulndb/sqlite/reader.js';
import type { AuditLog } from '../auth/audit.js';
import { badRequest, notFound } from '../errors.js';
import { markAssetsDirty, markImagesDirty, replaceAssetFindings } from '../risks/findings.js';
import { packJson, unpackJson } from '../scans/codec.js';
import type { Database, PolicyMode, ReportedAssetKind } from '../store/schema.js';

export interface Page {
  offset: number;
  limit: number;
}

export interface Actor {
  username: string | null;
  ip?: string | null;
}

const DEFAULT_NODE_GROUP = 'nodes';
const modeOf = (m: string | null | undefined): PolicyMode => (m === 'monitor' || m === 'protect' ? m : 'discover');

export interface ContainerInput {
  name: string;
  namespace?: string | null;
  service?: string | null;
  group?: string | null;
  image?: string | null;
  imageDigest?: string | null;
  node?: string | null;
  state?: string;
  labels?: Record<string, string>;
}

export interface NodeInput {
  name: string;
  os?: string | null;
  kernel?: string | null;
  address?: string | null;
  platform?: string | null;
  group?: string;
  state?: string;
  labels?: Record<string, string>;
}

export interface PlatformInput {
  name: string;
  type: string;
  version?: string | null;
}

export interface ControllerInput {
  name: string;
  node?: string | null;
  version?: string | null;
  leader?: boolean;
  state?: string;
}

export type EnforcerInput = Omit<ControllerInput, 'leader'>;

export interface GroupInput {
  namespace?: string | null;
  policyMode?: PolicyMode;
  comment?: string | null;
}

export interface ListFilter {
  q?: string;
  namespace?: string;
  service?: string;
  group?: string;
  node?: string;
  image?: string;
  state?: string;
  platform?: string;
  os?: string;
  policyMode?: PolicyMode;
}

type Summary = Record<string, number>;

function sevSummary(vulns: readonly Finding[]): Summary {
  const s: Summary = { critical: 0, high: 0, medium: 0, low: 0, negligible: 0, unknown: 0, total: vulns.length, fixable: 0 };
  for (const v of vulns) {
    s[v.severity] = (s[v.severity] ?? 0) + 1;
    if (v.fixedVersion) s.fixable = (s.fixable ?? 0) + 1;
  }
  return s;
}

const like = (s: string) => `%${s.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export class AssetService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly audit: AuditLog,
    private readonly now: () => Date,
    private readonly reader: () => VigilDbReader | undefined,
  ) {}

  private stamp(): string {
    return this.now().toISOString();
  }

  /** A group named by an asset exists from then on, in Discover mode until someone changes it. */
  private async ensureGroup(db: Kysely<Database>, name: string | null | undefined, namespace: string | null = null): Promise<void> {
    if (!name) return;
    const now = this.stamp();
    await db
      .insertInto('groups')
      .values({ name, namespace, policy_mode: 'discover', comment: null, created_at: now, updated_at: now })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
  }

  // ---- containers ------------------------------------------------------------------------------

  async putContainer(id: string, c: ContainerInput): Promise<{ created: boolean; container: ReturnType<AssetService['containerView']> }> {
    if (c.imageDigest && !/^sha(256:[a-f0-9]{64}|512:[a-f0-9]{128})$/.test(c.imageDigest)) throw badRequest(`imageDigest: '${c.imageDigest.slice(0, 80)}' is not a sha256:… digest`);
    const group = c.group === undefined ? (c.service ? `nv.${c.service}${c.namespace ? `.${c.namespace}` : ''}` : null) : c.group;
    const now = this.stamp();
    let created = false;
    await this.db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom('containers').select(['image_digest', 'group_name', 'state']).where('id', '=', id).executeTakeFirst();
      created = !before;
      await this.ensureGroup(trx, group, c.namespace ?? null);
      const row = {
        id,
        name: c.name,
        namespace: c.namespace ?? null,
        service: c.service ?? null,
        group_name: group,
        image_ref: c.image ?? null,
        image_digest: c.imageDigest ?? null,
        node_id: c.node ?? null,
        state: c.state ?? 'running',
        labels: JSON.stringify(c.labels ?? {}),
        created_at: now,
        updated_at: now,
      };
      await trx
        .insertInto('containers')
        .values(row)
        .onConflict((oc) => oc.column('id').doUpdateSet({ ...row, id: undefined, created_at: undefined }))
        .execute();
      if (!before || before.image_digest !== row.image_digest || before.group_name !== row.group_name || before.state !== row.state) {
        await markImagesDirty(trx, [before?.image_digest, row.image_digest]);
      }
    });
    return { created, container: (await this.getContainer(id))! };
  }

  private containerQuery() {
    return this.db
      .selectFrom('containers as c')
      .leftJoin('groups as g', 'g.name', 'c.group_name')
      .select(['c.id', 'c.name', 'c.namespace', 'c.service', 'c.group_name', 'g.policy_mode', 'c.image_ref', 'c.image_digest', 'c.node_id', 'c.state', 'c.labels', 'c.created_at', 'c.updated_at']);
  }

  private containerView(r: { id: string; name: string; namespace: string | null; service: string | null; group_name: string | null; policy_mode: string | null; image_ref: string | null; image_digest: string | null; node_id: string | null; state: string; labels: string; created_at: string; updated_at: string }) {
    return {
      id: r.id,
      name: r.name,
      namespace: r.namespace,
      service: r.service,
      group: r.group_name,
      policyMode: modeOf(r.policy_mode),
      image: r.image_ref,
      imageDigest: r.image_digest,
      node: r.node_id,
      state: r.state,
      labels: JSON.parse(r.labels) as Record<string, string>,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  async getContainer(id: string) {
    const r = await this.containerQuery().where('c.id', '=', id).executeTakeFirst();
    return r ? this.containerView(r) : undefined;
  }

  async listContainers(f: ListFilter, page: Page) {
    let q = this.containerQuery();
    if (f.q) q = q.where((eb) => eb.or([eb(sql`lower(c.name)`, 'like', like(f.q!)), eb(sql`lower(c.id)`, 'like', like(f.q!))]));
    if (f.namespace) q = q.where('c.namespace', '=', f.namespace);
    if (f.service) q = q.where('c.service', '=', f.service);
    if (f.group) q = q.where('c.group_name', '=', f.group);
    if (f.node) q = q.where('c.node_id', '=', f.node);
    if (f.state) q = q.where('c.state', '=', f.state);
    if (f.image) q = q.where((eb) => eb.or([eb('c.image_digest', '=', f.image!), eb('c.image_ref', '=', f.image!)]));
    if (f.policyMode) q = f.policyMode === 'discover' ? q.where((eb) => eb.or([eb('g.policy_mode', 'is', null), eb('g.policy_mode', '=', 'discover')])) : q.where('g.policy_mode', '=', f.policyMode);
    const total = Number((await q.clearSelect().select(sql<number>`count(*)`.as('n')).executeTakeFirst())?.n ?? 0);
    const rows = await q.orderBy('c.namespace').orderBy('c.name').orderBy('c.id').offset(page.offset).limit(page.limit).execute();
    return { total, containers: rows.map((r) => this.containerView(r)) };
  }

  async deleteContainer(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom('containers').select('image_digest').where('id', '=', id).executeTakeFirst();
      if (!before) throw notFound(`no container ${id}`);
      await trx.deleteFrom('containers').where('id', '=', id).execute();
      await trx.deleteFrom('compliance_results').where('asset_kind', '=', 'container').where('asset_id', '=', id).execute();
      await markImagesDirty(trx, [before.image_digest]);
    });
  }

  // ---- nodes -----------------------------------------------------------------------------------

  async putNode(id: string, n: NodeInput) {
    const now = this.stamp();
    const group = n.group ?? DEFAULT_NODE_GROUP;
    let created = false;
    await this.db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom('nodes').select(['group_name']).where('id', '=', id).executeTakeFirst();
      created = !before;
      await this.ensureGroup(trx, group);
      const row = {
        id,
        name: n.name,
        os: n.os ?? null,
        kernel: n.kernel ?? null,
        address: n.address ?? null,
        platform_id: n.platform ?? null,
        group_name: group,
        state: n.state ?? 'running',
        labels: JSON.stringify(n.labels ?? {}),
        created_at: now,
        updated_at: now,
      };
      await trx
        .insertInto('nodes')
        .values(row)
        .onConflict((oc) => oc.column('id').doUpdateSet({ ...row, id: undefined, created_at: undefined }))
        .execute();
      if (before && before.group_name !== group) await markAssetsDirty(trx, 'node', [id]);
    });
    return { created, node: (await this.getNode(id))! };
  }

  private nodeQuery() {
    return this.db
      .selectFrom('nodes as n')
      .leftJoin('groups as g', 'g.name', 'n.group_name')
      .leftJoin('asset_results as r', (j) => j.onRef('r.id', '=', 'n.id').on('r.kind', '=', 'node'))
      .select(['n.id', 'n.name', 'n.os', 'n.kernel', 'n.address', 'n.platform_id', 'n.group_name', 'g.policy_mode', 'n.state', 'n.labels', 'n.created_at', 'n.updated_at', 'r.summary', 'r.matched_at']);
  }

  private nodeView(r: Awaited<ReturnType<ReturnType<AssetService['nodeQuery']>['execute']>>[number]) {
    return {
      id: r.id,
      name: r.name,
      os: r.os,
      kernel: r.kernel,
      address: r.address,
      platform: r.platform_id,
      group: r.group_name,
      policyMode: modeOf(r.policy_mode),
      state: r.state,
      labels: JSON.parse(r.labels) as Record<string, string>,
      summary: r.summary ? (JSON.parse(r.summary) as Summary) : null,
      matchedAt: r.matched_at ?? null,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  async getNode(id: string) {
    const r = await this.nodeQuery().where('n.id', '=', id).executeTakeFirst();
    return r ? this.nodeView(r) : undefined;
  }

  async listNodes(f: ListFilter, page: Page) {
    let q = this.nodeQuery();
    if (f.q) q = q.where((eb) => eb.or([eb(sql`lower(n.name)`, 'like', like(f.q!)), eb(sql`lower(n.id)`, 'like', like(f.q!))]));
    if (f.group) q = q.where('n.group_name', '=', f.group);
    if (f.state) q = q.where('n.state', '=', f.state);
    if (f.platform) q = q.where('n.platform_id', '=', f.platform);
    if (f.os) q = q.where('n.os', '=', f.os);
    const total = Number((await q.clearSelect().select(sql<number>`count(*)`.as('n')).executeTakeFirst())?.n ?? 0);
    const rows = await q.orderBy('n.name').orderBy('n.id').offset(page.offset).limit(page.limit).execute();
    return { total, nodes: rows.map((r) => this.nodeView(r)) };
  }

  async deleteNode(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      if (!(await trx.selectFrom('nodes').select('id').where('id', '=', id).executeTakeFirst())) throw notFound(`no node ${id}`);
      await replaceAssetFindings(trx, 'node', id, [], []);
      await trx.deleteFrom('asset_results').where('kind', '=', 'node').where('id', '=', id).execute();
      await trx.deleteFrom('compliance_results').where('asset_kind', '=', 'node').where('asset_id', '=', id).execute();
      await trx.deleteFrom('nodes').where('id', '=', id).execute();
    });
  }

  // ---- platforms, controllers, enforcers ---------------------------------------------------------

  async putPlatform(id: string, p: PlatformInput) {
    const now = this.stamp();
    const created = !(await this.db.selectFrom('platforms').select('id').where('id', '=', id).executeTakeFirst());
    const row = { id, name: p.name, type: p.type, version: p.version ?? null, created_at: now, updated_at: now };
    await this.db
      .insertInto('platforms')
      .values(row)
      .onConflict((oc) => oc.column('id').doUpdateSet({ ...row, id: undefined, created_at: undefined }))
      .execute();
    return { created, platform: (await this.getPlatform(id))! };
  }

  async getPlatform(id: string) {
    const r = await this.db
      .selectFrom('platforms as p')
      .leftJoin('asset_results as r', (j) => j.onRef('r.id', '=', 'p.id').on('r.kind', '=', 'platform'))
      .select(['p.id', 'p.name', 'p.type', 'p.version', 'p.created_at', 'p.updated_at', 'r.summary', 'r.matched_at'])
      .where('p.id', '=', id)
      .executeTakeFirst();
    return r ? this.platformView(r) : undefined;
  }

  private platformView(r: { id: string; name: string; type: string; version: string | null; created_at: string; updated_at: string; summary: string | null; matched_at: string | null }) {
    return { id: r.id, name: r.name, type: r.type, version: r.version, summary: r.summary ? (JSON.parse(r.summary) as Summary) : null, matchedAt: r.matched_at, createdAt: r.created_at, updatedAt: r.updated_at };
  }

  async listPlatforms(f: ListFilter, page: Page) {
    let q = this.db
      .selectFrom('platforms as p')
      .leftJoin('asset_results as r', (j) => j.onRef('r.id', '=', 'p.id').on('r.kind', '=', 'platform'))
      .select(['p.id', 'p.name', 'p.type', 'p.version', 'p.created_at', 'p.updated_at', 'r.summary', 'r.matched_at']);
    if (f.q) q = q.where((eb) => eb.or([eb(sql`lower(p.name)`, 'like', like(f.q!)), eb(sql`lower(p.id)`, 'like', like(f.q!))]));
    const total = Number((await q.clearSelect().select(sql<number>`count(*)`.as('n')).executeTakeFirst())?.n ?? 0);
    const rows = await q.orderBy('p.name').orderBy('p.id').offset(page.offset).limit(page.limit).execute();
    return { total, platforms: rows.map((r) => this.platformView(r)) };
  }

  async deletePlatform(id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      if (!(await trx.selectFrom('platforms').select('id').where('id', '=', id).executeTakeFirst())) throw notFound(`no platform ${id}`);
      await replaceAssetFindings(trx, 'platform', id, [], []);
      await trx.deleteFrom('asset_results').where('kind', '=', 'platform').where('id', '=', id).execute();
      await trx.deleteFrom('compliance_results').where('asset_kind', '=', 'platform').where('asset_id', '=', id).execute();
      await trx.deleteFrom('platforms').where('id', '=', id).execute();
    });
  }

  /** Marking one controller leader clears the mark on every other, in the same transaction. */
  async putController(id: string, c: ControllerInput) {
    const now = this.stamp();
    let created = false;
    await this.db.transaction().execute(async (trx) => {
      created = !(await trx.selectFrom('controllers').select('id').where('id', '=', id).executeTakeFirst());
      if (c.leader) await trx.updateTable('controllers').set({ leader: 0 }).where('id', '<>', id).where('leader', '=', 1).execute();
      const row = { id, name: c.name, node_id: c.node ?? null, version: c.version ?? null, leader: c.leader ? 1 : 0, state: c.state ?? 'running', created_at: now, updated_at: now };
      await trx
        .insertInto('controllers')
        .values(row)
        .onConflict((oc) => oc.column('id').doUpdateSet({ ...row, id: undefined, created_at: undefined }))
        .execute();
    });
    return { created, controller: (await this.listControllers({}, { offset: 0, limit: 1 }, id)).controllers[0]! };
  }

  async listControllers(f: ListFilter, page: Page, id?: string) {
    let q = this.db.selectFrom('controllers').selectAll();
    if (id) q = q.where('id', '=', id);
    if (f.q) q = q.where((eb) => eb.or([eb(sql`lower(name)`, 'like', like(f.q!)), eb(sql`lower(id)`, 'like', like(f.q!))]));
    if (f.node) q = q.where('node_id', '=', f.node);
    if (f.state) q = q.where('state', '=', f.state);
    const total = Number((await q.clearSelect().select(sql<number>`count(*)`.as('n')).executeTakeFirst())?.n ?? 0);
    const rows = await q.orderBy('leader', 'desc').orderBy('name').orderBy('id').offset(page.offset).limit(page.limit).execute();
    return {
      total,
      controllers: rows.map((r) => ({ id: r.id, name: r.name, node: r.node_id, version: r.version, leader: r.leader === 1, state: r.state, createdAt: r.created_at, updatedAt: r.updated_at })),
    };
  }

  async putEnforcer(id: string, e: EnforcerInput) {
    const now = this.stamp();
    const created = !(await this.db.selectFrom('enforcers').select('id').where('id', '=', id).executeTakeFirst());
    const row = { id, name: e.name, node_id: e.node ?? null, version: e.version ?? null, state: e.state ?? 'running', created_at: now, updated_at: now };
    await this.db
      .insertInto('enforcers')
      .values(row)
      .onConflict((oc) => oc.column('id').doUpdateSet({ ...row, id: undefined, created_at: undefined }))
      .execute();
    return { created, enforcer: (await this.listEnforcers({}, { offset: 0, limit: 1 }, id)).enforcers[0]! };
  }

  async listEnforcers(f: ListFilter, page: Page, id?: string) {
    let q = this.db.selectFrom('enforcers').selectAll();
    if (id) q = q.where('id', '=', id);
    if (f.q) q = q.where((eb) => eb.or([eb(sql`lower(name)`, 'like', like(f.q!)), eb(sql`lower(id)`, 'like', like(f.q!))]));
    if (f.node) q = q.where('node_id', '=', f.node);
    if (f.state) q = q.where('state', '=', f.state);
    const total = Number((await q.clearSelect().select(sql<number>`count(*)`.as('n')).executeTakeFirst())?.n ?? 0);
    const rows = await q.orderBy('name').orderBy('id').offset(page.offset).limit(page.limit).execute();
    return { total, enforcers: rows.map((r) => ({ id: r.id, name: r.name, node: r.node_id, version: r.version, state: r.state, createdAt: r.created_at, updatedAt: r.updated_at })) };
  }

  async deleteSimple(table: 'controllers' | 'enforcers', id: string): Promise<void> {
    const r = await this.db.deleteFrom(table).where('id', '=', id).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw notFound(`no ${table === 'controllers' ? 'controller' : 'enforcer'} ${id}`);
  }

  // ---- groups ----------------------------------------------------------------------------------

  private groupQuery() {
    return this.db
      .selectFrom('groups as g')
      .select([
        'g.name',
        'g.namespace',
        'g.policy_mode',
        'g.comment',
        'g.created_at',
        'g.updated_at',
        sql<number>`(select count(*) from containers c where c.group_name = g.name)`.as('containers'),
        sql<number>`(select count(*) from nodes n where n.group_name = g.name)`.as('nodes'),
      ]);
  }

  private groupView(r: Awaited<ReturnType<ReturnType<AssetService['groupQuery']>['execute']>>[number]) {
    return { name: r.name, namespace: r.namespace, policyMode: modeOf(r.policy_mode), comment: r.comment, members: { containers: Number(r.containers), nodes: Number(r.nodes) }, createdAt: r.created_at, updatedAt: r.updated_at };
  }

  async getGroup(name: string) {
    const r = await this.groupQuery().where('g.name', '=', name).executeTakeFirst();
    return r ? this.groupView(r) : undefined;
  }

  async listGroups(f: ListFilter, page: Page) {
    let q = this.groupQuery();
    if (f.q) q = q.where(sql`lower(g.name)`, 'like', like(f.q));
    if (f.namespace) q = q.where('g.namespace', '=', f.namespace);
    if (f.policyMode) q = q.where('g.policy_mode', '=', f.policyMode);
    const total = Number((await q.clearSelect().select(sql<number>`count(*)`.as('n')).executeTakeFirst())?.n ?? 0);
    const rows = await q.orderBy('g.name').offset(page.offset).limit(page.limit).execute();
    return { total, groups: rows.map((r) => this.groupView(r)) };
  }

  /** Creates or updates a group; a change of policy mode is recorded as `group.policy-mode`. */
  async putGroup(name: string, g: GroupInput, actor: Actor, mustExist = false) {
    const now = this.stamp();
    let from: PolicyMode | null = null;
    let created = false;
    await this.db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom('groups').select(['policy_mode', 'namespace', 'comment']).where('name', '=', name).executeTakeFirst();
      if (!before && mustExist) throw notFound(`no group ${name}`);
      created = !before;
      from = before ? modeOf(before.policy_mode) : null;
      const row = {
        name,
        namespace: g.namespace !== undefined ? g.namespace : (before?.namespace ?? null),
        policy_mode: g.policyMode ?? from ?? 'discover',
        comment: g.comment !== undefined ? g.comment : (before?.comment ?? null),
        created_at: now,
        updated_at: now,
      };
      await trx
        .insertInto('groups')
        .values(row)
        .onConflict((oc) => oc.column('name').doUpdateSet({ ...row, name: undefined, created_at: undefined }))
        .execute();
      if (before && row.policy_mode !== from) {
        const digests = await trx.selectFrom('containers').select('image_digest').distinct().where('group_name', '=', name).where('image_digest', 'is not', null).execute();
        await markImagesDirty(trx, digests.map((d) => d.image_digest));
        const nodes = await trx.selectFrom('nodes').select('id').where('group_name', '=', name).execute();
        await markAssetsDirty(trx, 'node', nodes.map((n) => n.id));
      }
    });
    const after = (await this.getGroup(name))!;
    if (created || from !== after.policyMode) {
      await this.audit.record({ actor: actor.username, action: 'group.policy-mode', target: name, detail: { from, to: after.policyMode, created }, ip: actor.ip ?? null });
    }
    return { created, group: after };
  }

  async deleteGroup(name: string, actor: Actor): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      if (!(await trx.selectFrom('groups').select('name').where('name', '=', name).executeTakeFirst())) throw notFound(`no group ${name}`);
      const used = await trx.selectFrom('containers').select('id').where('group_name', '=', name).limit(1).executeTakeFirst();
      const usedByNode = await trx.selectFrom('nodes').select('id').where('group_name', '=', name).limit(1).executeTakeFirst();
      if (used || usedByNode) throw new VigilError('conflict', `group ${name} still has members; move or delete its containers and nodes first`);
      await trx.deleteFrom('groups').where('name', '=', name).execute();
    });
    await this.audit.record({ actor: actor.username, action: 'group.deleted', target: name, ip: actor.ip ?? null });
  }

  // ---- vulnerability reports of nodes and platforms ----------------------------------------------

  /**
   * Stores a node's or platform's vulnerability report: a SPEC JSON scan report as is, or an
   * inventory (`vigil sbom`-like: artifact + packages, no vulnerabilities), matched here against
   * the installed DB and kept so that a new DB re-matches it.
   */
  async submitReport(kind: ReportedAssetKind, id: string, body: ScanReport | Inventory): Promise<{ summary: Summary; findings: number; matched: boolean }> {
    const table = kind === 'node' ? 'nodes' : 'platforms';
    if (!(await this.db.selectFrom(table).select('id').where('id', '=', id).executeTakeFirst())) throw notFound(`no ${kind} ${id}; register it first (PUT /api/v1/${table}/${id})`);
    let report: ScanReport;
    let inventory: Inventory | null = null;
    if ('vulnerabilities' in body && Array.isArray(body.vulnerabilities)) {
      report = body;
    } else {
      const reader = this.reader();
      if (!reader) throw new VigilError('db-missing', 'no vulnerability DB is installed to match the inventory against; submit a scan report instead, or install a DB', { kind: 'db' });
      inventory = body as Inventory;
      report = buildReport(inventory, match(inventory, reader), reader.info(), { dbStale: reader.staleWarning() ?? false });
    }
    await this.storeAssetReport(this.db, kind, id, report, inventory);
    return { summary: sevSummary(report.vulnerabilities), findings: report.vulnerabilities.length, matched: inventory !== null };
  }

  private async storeAssetReport(db: Kysely<Database>, kind: ReportedAssetKind, id: string, report: ScanReport, inventory: Inventory | null): Promise<boolean> {
    const hash = createHash('sha256').update(JSON.stringify(report.vulnerabilities)).digest('hex');
    const a = report.artifact;
    const os = a?.os ? `${a.os.family} ${a.os.version}`.trim() : null;
    const row = {
      kind,
      id,
      os,
      db_built_at: report.db?.builtAt ?? null,
      matched_at: this.stamp(),
      summary: JSON.stringify(sevSummary(report.vulnerabilities)),
      report_hash: hash,
      report_gz: packJson(report),
      inventory_gz: inventory ? packJson(inventory) : null,
    };
    let changed = false;
    await db.transaction().execute(async (trx) => {
      const prev = await trx.selectFrom('asset_results').select('report_hash').where('kind', '=', kind).where('id', '=', id).executeTakeFirst();
      await trx
        .insertInto('asset_results')
        .values(row)
        .onConflict((oc) => oc.columns(['kind', 'id']).doUpdateSet({ ...row, kind: undefined, id: undefined }))
        .execute();
      if (kind === 'node' && os) await trx.updateTable('nodes').set({ os }).where('id', '=', id).where('os', 'is', null).execute();
      if (prev?.report_hash !== hash) {
        changed = true;
        await replaceAssetFindings(trx, kind, id, report.vulnerabilities, report.packages ?? []);
      }
    });
    return changed;
  }

  async report(kind: ReportedAssetKind, id: string): Promise<ScanReport | undefined> {
    const r = await this.db.selectFrom('asset_results').select('report_gz').where('kind', '=', kind).where('id', '=', id).executeTakeFirst();
    return r ? unpackJson<ScanReport>(r.report_gz) : undefined;
  }

  /** Re-matches the stored node and platform inventories against a new DB; returns how many changed. */
  async rematchInventories(reader: VigilDbReader): Promise<number> {
    const rows = await this.db.selectFrom('asset_results').select(['kind', 'id', 'inventory_gz']).where('inventory_gz', 'is not', null).execute();
    let changed = 0;
    for (const r of rows) {
      const inv = unpackJson<Inventory>(r.inventory_gz!);
      const report = buildReport(inv, match(inv, reader), reader.info(), { dbStale: false });
      if (await this.storeAssetReport(this.db, r.kind, r.id, report, inv)) changed++;
    }
    return changed;
  }
}
