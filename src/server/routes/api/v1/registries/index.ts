/** /api/v1/registries: the registries to scan. Writers (admin, or a token with `write`) change them; readers list them. */
import { Type, type Static, type TSchema } from 'typebox';
import type { RegistryType } from '../../../../store/schema.js';
import type { VigilServer } from '../../../../types.js';
import { principalOf } from '../../../../types.js';
import { IdParams, errors } from '../../../schemas.js';
import { reportRoutes } from '../../../report-routes.js';

const RegistryTypeT = Type.Union([Type.Literal('docker-v2'), Type.Literal('harbor'), Type.Literal('gitlab'), Type.Literal('ghcr'), Type.Literal('nexus'), Type.Literal('jfrog'), Type.Literal('ecr'), Type.Literal('gcr'), Type.Literal('acr')]);
// The schema must list exactly the types the store knows.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const _typesMatch: Same<Static<typeof RegistryTypeT>, RegistryType> = true;
const ScheduleT = Type.Union([
  Type.Object({ kind: Type.Literal('manual') }),
  Type.Object({ kind: Type.Literal('interval'), minutes: Type.Integer() }),
  Type.Object({ kind: Type.Literal('cron'), expression: Type.String() }),
]);
const ScheduleInT = Type.Object(
  {
    kind: Type.Union([Type.Literal('manual'), Type.Literal('interval'), Type.Literal('cron')]),
    minutes: Type.Optional(Type.Integer({ description: 'interval: every N minutes, 5 (5 minutes) to 10080 (7 days)' })),
    expression: Type.Optional(Type.String({ maxLength: 256, description: 'cron: minute hour day-of-month month day-of-week' })),
  },
  { additionalProperties: false },
);
// Range checked by the service: with Ajv's type coercion a 0 would turn into null in a union.
const Limit = Type.Union([Type.Integer({ description: '1 to 1000000, or null for none' }), Type.Null()]);
const Nullable = (max: number) => Type.Union([Type.String({ maxLength: max }), Type.Null()]);

const fields = {
  name: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._ -]*$' }),
  type: RegistryTypeT,
  url: Type.String({ minLength: 1, maxLength: 2048, description: 'http(s)://host[:port]' }),
  username: Nullable(256),
  password: Type.Union([Type.String({ maxLength: 8192, description: 'write-only; stored encrypted, never returned' }), Type.Null()]),
  filters: Type.Array(Type.String({ maxLength: 512 }), { minItems: 1, maxItems: 100, description: 'org/repo[:tag] with * wildcards' }),
  schedule: ScheduleInT,
  rescanAfterDbUpdate: Type.Boolean(),
  layeredScan: Type.Boolean(),
  repoLimit: Limit,
  tagLimit: Limit,
  useProxy: Type.Boolean(),
  insecure: Type.Boolean(),
  caPem: Nullable(65536),
  scanConcurrency: Type.Integer({ description: 'scans of this registry that may run at once, 1 to 16 (default 2)' }),
};

const RegistryT = Type.Object({
  id: Type.String(),
  name: Type.String(),
  type: RegistryTypeT,
  url: Type.String(),
  username: Type.Union([Type.String(), Type.Null()]),
  hasPassword: Type.Boolean(),
  filters: Type.Array(Type.String()),
  schedule: ScheduleT,
  rescanAfterDbUpdate: Type.Boolean(),
  layeredScan: Type.Boolean(),
  repoLimit: Type.Union([Type.Integer(), Type.Null()]),
  tagLimit: Type.Union([Type.Integer(), Type.Null()]),
  useProxy: Type.Boolean(),
  insecure: Type.Boolean(),
  caPem: Type.Union([Type.String(), Type.Null()]),
  scanConcurrency: Type.Integer(),
  lastCrawl: Type.Object({ at: Type.Union([Type.String(), Type.Null()]), status: Type.Union([Type.String(), Type.Null()]), error: Type.Union([Type.String(), Type.Null()]) }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const CreateT = Type.Object(
  {
    name: fields.name,
    type: fields.type,
    url: fields.url,
    username: Type.Optional(fields.username),
    password: Type.Optional(fields.password),
    filters: Type.Optional(fields.filters),
    schedule: Type.Optional(fields.schedule),
    rescanAfterDbUpdate: Type.Optional(fields.rescanAfterDbUpdate),
    layeredScan: Type.Optional(fields.layeredScan),
    repoLimit: Type.Optional(fields.repoLimit),
    tagLimit: Type.Optional(fields.tagLimit),
    useProxy: Type.Optional(fields.useProxy),
    insecure: Type.Optional(fields.insecure),
    caPem: Type.Optional(fields.caPem),
    scanConcurrency: Type.Optional(fields.scanConcurrency),
  },
  { additionalProperties: false },
);
const UpdateT = Type.Partial(Type.Object(fields), { additionalProperties: false, minProperties: 1 });

const CrawlResultT = Type.Object({
  repositories: Type.Integer(),
  tags: Type.Integer(),
  queued: Type.Integer({ description: 'digests queued for a scan (never scanned before)' }),
  changed: Type.Integer({ description: 'tags whose digest moved' }),
  removed: Type.Integer({ description: 'tags gone from the registry' }),
  errors: Type.Array(Type.String()),
  ms: Type.Integer(),
});
const Nul = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const TagResultT = Type.Object({
  repository: Type.String(),
  tag: Type.String(),
  digest: Type.String(),
  firstSeen: Type.String(),
  lastSeen: Type.String(),
  os: Nul(Type.String()),
  packages: Nul(Type.Integer()),
  scannedAt: Nul(Type.String()),
  matchedAt: Nul(Type.String()),
  summary: Nul(Type.Record(Type.String(), Type.Integer())),
  state: Type.String({ description: 'scanned, queued, running, failed, cancelled or pending' }),
  error: Nul(Type.String()),
});

const TestResultT = Type.Object({ ok: Type.Boolean(), status: Type.Integer(), message: Type.String(), repositories: Type.Optional(Type.Array(Type.String())) });

export default async function registryRoutes(app: VigilServer): Promise<void> {
  app.get('/', { config: { scope: 'read' }, schema: { tags: ['registries'], summary: 'list registries (never their passwords)', response: { 200: Type.Object({ registries: Type.Array(RegistryT) }), ...errors(401, 403) } } }, async () => ({
    registries: await app.registries.list(),
  }));

  app.get('/:id', { config: { scope: 'read' }, schema: { tags: ['registries'], summary: 'one registry', params: IdParams, response: { 200: RegistryT, ...errors(401, 403, 404) } } }, async (req) =>
    app.registries.get(req.params.id),
  );

  app.post('/', { config: { scope: 'write' }, schema: { tags: ['registries'], summary: 'add a registry', body: CreateT, response: { 201: RegistryT, ...errors(400, 401, 403, 409) } } }, async (req, reply) =>
    reply.status(201).send(await app.registries.create(principalOf(req), req.body, req.ip)),
  );

  app.patch(
    '/:id',
    { config: { scope: 'write' }, schema: { tags: ['registries'], summary: 'change some fields of a registry (password: a string sets it, null clears it)', params: IdParams, body: UpdateT, response: { 200: RegistryT, ...errors(400, 401, 403, 404, 409) } } },
    async (req) => app.registries.update(principalOf(req), req.params.id, req.body, req.ip),
  );

  app.delete('/:id', { config: { scope: 'write' }, schema: { tags: ['registries'], summary: 'remove a registry', params: IdParams, response: { 204: Type.Null(), ...errors(401, 403, 404) } } }, async (req, reply) => {
    await app.registries.delete(principalOf(req), req.params.id, req.ip);
    return reply.status(204).send(null);
  });

  app.post(
    '/:id/test',
    {
      config: { scope: 'write' },
      schema: { tags: ['registries'], summary: 'test connection: GET /v2/ with the stored credentials, and the first catalog page', params: IdParams, response: { 200: TestResultT, ...errors(401, 403, 404) } },
    },
    async (req) => app.registries.test(principalOf(req), req.params.id, req.ip),
  );

  app.post(
    '/:id/scan',
    {
      config: { scope: 'scan' },
      schema: {
        tags: ['registries'],
        summary: 'scan now: crawl the catalog and tags through the filters and queue every digest not scanned before',
        params: IdParams,
        response: { 200: CrawlResultT, ...errors(401, 403, 404, 502) },
      },
    },
    async (req) => {
      await app.registries.get(req.params.id);
      return app.scans.crawl(req.params.id, principalOf(req).username, req.ip);
    },
  );

  app.get(
    '/:id/repositories',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['registries'],
        summary: 'results per repository and tag: digest, summary, scan state',
        params: IdParams,
        querystring: Type.Object({
          repository: Type.Optional(Type.String({ maxLength: 256, description: 'only this repository' })),
          limit: Type.Integer({ minimum: 1, maximum: 5000, default: 1000 }),
          offset: Type.Integer({ minimum: 0, maximum: 10_000_000, default: 0 }),
        }),
        response: { 200: Type.Object({ tags: Type.Array(TagResultT), total: Type.Integer() }), ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => {
      await app.registries.get(req.params.id);
      const db = app.store.db;
      let q = db
        .selectFrom('registry_tags as t')
        .leftJoin('image_results as r', 'r.digest', 't.digest')
        .leftJoin('images as i', 'i.digest', 't.digest')
        .select(['t.repository', 't.tag', 't.digest', 't.first_seen', 't.last_seen', 'r.summary', 'r.matched_at', 'i.scanned_at', 'i.os', 'i.package_count'])
        .where('t.registry_id', '=', req.params.id);
      if (req.query.repository) q = q.where('t.repository', '=', req.query.repository);
      const total = await db
        .selectFrom('registry_tags')
        .select(db.fn.countAll<number>().as('n'))
        .where('registry_id', '=', req.params.id)
        .$if(!!req.query.repository, (qb) => qb.where('repository', '=', req.query.repository!))
        .executeTakeFirstOrThrow();
      const rows = await q.orderBy('t.repository').orderBy('t.tag').limit(req.query.limit).offset(req.query.offset).execute();
      // The newest job per digest says "queued", "running" or "failed" for tags without results.
      const digests = [...new Set(rows.map((r) => r.digest))];
      const jobs = digests.length ? await db.selectFrom('scan_jobs').select(['digest', 'status', 'error', 'created_at']).where('digest', 'in', digests).orderBy('created_at', 'desc').execute() : [];
      const latest = new Map<string, { status: string; error: string | null }>();
      for (const j of jobs) if (j.digest && !latest.has(j.digest)) latest.set(j.digest, { status: j.status, error: j.error });
      return {
        total: Number(total.n),
        tags: rows.map((r) => ({
          repository: r.repository,
          tag: r.tag,
          digest: r.digest,
          firstSeen: r.first_seen,
          lastSeen: r.last_seen,
          os: r.os ?? null,
          packages: r.package_count ?? null,
          scannedAt: r.scanned_at ?? null,
          matchedAt: r.matched_at ?? null,
          summary: r.summary ? (JSON.parse(r.summary) as Record<string, number>) : null,
          state: r.scanned_at ? 'scanned' : (latest.get(r.digest)?.status ?? 'pending'),
          error: r.scanned_at ? null : (latest.get(r.digest)?.error ?? null),
        })),
      };
    },
  );

  reportRoutes(app, {
    base: '/:id',
    tag: 'registries',
    what: "every tag's vulnerabilities (`repository=` for one repository)",
    params: IdParams,
    otherKeys: ['repository'],
    async load(req, filter) {
      const reg = await app.registries.get(req.params.id);
      const repository = typeof req.query.repository === 'string' ? req.query.repository : undefined;
      let q = app.store.db.selectFrom('registry_tags').select(['repository', 'tag', 'digest']).where('registry_id', '=', reg.id);
      if (repository) q = q.where('repository', '=', repository);
      const tags = await q.orderBy('repository').orderBy('tag').execute();
      // Tags share images: each digest's report is read once.
      const byDigest = new Map<string, Awaited<ReturnType<typeof app.scans.images.report>>>();
      const reports = [];
      for (const t of tags) {
        if (!byDigest.has(t.digest)) byDigest.set(t.digest, await app.scans.images.report(t.digest, app.vulndb.reader));
        const report = byDigest.get(t.digest);
        if (report) reports.push({ registry: reg.name, repository: t.repository, tag: t.tag, report });
      }
      return { title: 'Registry vulnerability report', scope: `registry ${reg.name}${repository ? ` repository ${repository}` : ''}`, filter, reports };
    },
  });
}
