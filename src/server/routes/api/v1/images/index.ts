/**
 * /api/v1/images: every image the controller has scanned, by digest — its tags in the
 * registries, the summary, the full report, and the layered view (which layer brought which
 * package and which vulnerabilities).
 */
import { Type } from 'typebox';
import type { Inventory } from '../../../../../core/types.js';
import type { Finding } from '../../../../../report/types.js';
import { notFound } from '../../../../errors.js';
import type { VigilServer } from '../../../../types.js';
import { errors } from '../../../schemas.js';
import { reportRoutes } from '../../../report-routes.js';

export const DigestParams = Type.Object({ digest: Type.String({ pattern: '^sha(256:[a-f0-9]{64}|512:[a-f0-9]{128})$', description: 'image digest, sha256:…' }) });
const Str = Type.Union([Type.String(), Type.Null()]);
export const SummaryT = Type.Union([
  Type.Object({
    critical: Type.Integer(),
    high: Type.Integer(),
    medium: Type.Integer(),
    low: Type.Integer(),
    negligible: Type.Integer(),
    unknown: Type.Integer(),
    total: Type.Integer(),
    fixable: Type.Integer(),
  }),
  Type.Null(),
]);
const TagT = Type.Object({ registryId: Type.String(), repository: Type.String(), tag: Type.String() });
const ImageT = Type.Object({
  digest: Type.String(),
  manifestDigest: Str,
  configDigest: Type.String(),
  platform: Type.String(),
  os: Str,
  packages: Type.Integer(),
  scannedAt: Type.String(),
  scanMs: Type.Integer(),
  tags: Type.Array(TagT),
  summary: SummaryT,
  dbBuiltAt: Str,
  matchedAt: Str,
});
const LayerT = Type.Object({
  index: Type.Integer(),
  diffId: Type.String(),
  digest: Str,
  createdBy: Str,
  size: Type.Union([Type.Integer(), Type.Null()]),
  packages: Type.Array(Type.Object({ name: Type.String(), version: Type.String(), type: Type.String() })),
  vulnerabilities: Type.Array(Type.Unknown()),
  summary: Type.Record(Type.String(), Type.Integer()),
});

export default async function imageRoutes(app: VigilServer): Promise<void> {
  const db = app.store.db;

  async function view(digest: string) {
    const img = await app.scans.images.image(digest);
    if (!img) throw notFound(`no scanned image ${digest}`);
    const tags = await db.selectFrom('registry_tags').select(['registry_id', 'repository', 'tag']).where('digest', '=', digest).orderBy('repository').orderBy('tag').limit(500).execute();
    const s = await app.scans.images.summary(digest);
    return {
      digest,
      manifestDigest: img.manifest_digest,
      configDigest: img.config_digest,
      platform: img.platform,
      os: img.os,
      packages: img.package_count,
      scannedAt: img.scanned_at,
      scanMs: img.scan_ms,
      tags: tags.map((t) => ({ registryId: t.registry_id, repository: t.repository, tag: t.tag })),
      summary: s?.summary ?? null,
      dbBuiltAt: s?.dbBuiltAt ?? null,
      matchedAt: s?.matchedAt ?? null,
    };
  }

  app.get(
    '/',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['images'],
        summary: 'scanned images, by digest, in pages',
        querystring: Type.Object({ after: Type.Optional(Type.String({ maxLength: 140, description: 'the last digest of the previous page' })), limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }) }),
        response: { 200: Type.Object({ images: Type.Array(ImageT), next: Str }), ...errors(400, 401, 403) },
      },
    },
    async (req) => {
      let q = db.selectFrom('images').select('digest').orderBy('digest').limit(req.query.limit);
      if (req.query.after) q = q.where('digest', '>', req.query.after);
      const page = await q.execute();
      const images = [];
      for (const r of page) images.push(await view(r.digest));
      return { images, next: page.length === req.query.limit ? page[page.length - 1]!.digest : null };
    },
  );

  app.get(
    '/:digest',
    { config: { scope: 'read' }, schema: { tags: ['images'], summary: 'one image: where it is tagged and its summary', params: DigestParams, response: { 200: ImageT, ...errors(400, 401, 403, 404) } } },
    async (req) => view(req.params.digest),
  );

  app.get(
    '/:digest/report',
    {
      config: { scope: 'read' },
      schema: { tags: ['images'], summary: 'the SPEC JSON scan report of the image, matched against the installed DB', params: DigestParams, response: { 200: Type.Unknown(), ...errors(400, 401, 403, 404) } },
    },
    async (req) => {
      const report = await app.scans.images.report(req.params.digest, app.vulndb.reader);
      if (!report) throw notFound(`no results for ${req.params.digest} (not scanned, or no vulnerability DB installed yet)`);
      return report;
    },
  );

  app.get(
    '/:digest/layers',
    {
      config: { scope: 'read' },
      schema: { tags: ['images'], summary: 'the layered view: each layer with the packages it brought and their vulnerabilities', params: DigestParams, response: { 200: Type.Object({ digest: Type.String(), layers: Type.Array(LayerT) }), ...errors(400, 401, 403, 404) } },
    },
    async (req) => {
      const inv: Inventory | undefined = await app.scans.images.inventory(req.params.digest);
      if (!inv) throw notFound(`no scanned image ${req.params.digest}`);
      const report = await app.scans.images.report(req.params.digest, app.vulndb.reader);
      const findings: Finding[] = report?.vulnerabilities ?? [];
      const layers = (inv.artifact.layers ?? []).map((l, index) => {
        const vulns = findings.filter((f) => f.layer === l.diffId);
        const summary: Record<string, number> = {};
        for (const f of vulns) summary[f.severity] = (summary[f.severity] ?? 0) + 1;
        return {
          index,
          diffId: l.diffId,
          digest: l.digest ?? null,
          createdBy: l.createdBy ?? null,
          size: l.size ?? null,
          packages: inv.packages.filter((p) => p.layer === l.diffId).map((p) => ({ name: p.name, version: p.version, type: p.type })),
          vulnerabilities: vulns,
          summary,
        };
      });
      return { digest: req.params.digest, layers };
    },
  );

  reportRoutes(app, {
    base: '/:digest',
    tag: 'images',
    what: "the image's vulnerabilities",
    params: DigestParams,
    async load(req, filter) {
      const digest = req.params.digest;
      const report = await app.scans.images.report(digest, app.vulndb.reader);
      if (!report) throw notFound(`no results for ${digest} (not scanned, or no vulnerability DB installed yet)`);
      const t = await db.selectFrom('registry_tags as t').innerJoin('registries as r', 'r.id', 't.registry_id').select(['r.name', 't.repository', 't.tag']).where('t.digest', '=', digest).orderBy('t.repository').orderBy('t.tag').executeTakeFirst();
      return {
        title: 'Vulnerability report',
        scope: t ? `image ${t.repository}:${t.tag} (${digest})` : `image ${digest}`,
        filter,
        reports: [{ ...(t ? { registry: t.name, repository: t.repository, tag: t.tag } : {}), report }],
      };
    },
  });
}
