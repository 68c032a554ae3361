/**
 * /api/v1/risks: Security Risks across every asset.
 *   GET  /vulnerabilities               one row per vulnerability: filters, sort, paging
 *   GET  /vulnerabilities.csv|.pdf      exactly that filtered view as a file
 *   GET  /vulnerabilities/:id           the row with description, remediation and impact lists
 *   GET  /compliance                    one row per check (benchmark + id) failing somewhere
 *   GET  /compliance.csv|.pdf           exactly that filtered view as a file
 *   GET  /compliance/:benchmark/:check  the assets it fails on, with evidence
 *   PUT  /compliance/images/:digest     an image's compliance report
 *   GET|POST /acceptances, DELETE /acceptances/:id, GET /acceptances/openvex
 */
import { Type, type Static } from 'typebox';
import type { ComplianceReport } from '../../../../../compliance/types.js';
import { SEVERITIES, type Severity } from '../../../../../report/types.js';
import { ComplianceIn, ComplianceOut, REPORT_BODY_LIMIT } from '../../../../assets/schemas.js';
import { badRequest } from '../../../../errors.js';
import { riskFilename } from '../../../../risks/export.js';
import { ASSET_FILTERS, MATCHES, VIEWS, VULN_SORTS, type AssetFilter, type Match, type VulnQuery } from '../../../../risks/vuln-query.js';
import { COMPLIANCE_SORTS, type ComplianceQuery } from '../../../../risks/compliance.js';
import { complianceFilename } from '../../../../risks/compliance-export.js';
import type { VigilServer } from '../../../../types.js';
import { principalOf } from '../../../../types.js';
import { errors } from '../../../schemas.js';

const tags = ['risks'];
const Nul = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const lit = <T extends string>(xs: readonly T[]) => Type.Union(xs.map((x) => Type.Literal(x)));
const List = (description: string) => Type.Optional(Type.Array(Type.String({ maxLength: 256 }), { maxItems: 100, description: `${description} (repeat or comma-separate)` }));

const matchT = Type.Optional(lit(MATCHES));
const assetFilterProps = {
  namespace: List('namespaces (namespaceMatch=contains: containing any)'),
  namespaceMatch: matchT,
  service: List('services (serviceMatch=contains: containing any)'),
  serviceMatch: matchT,
  container: List('containers by name or id (containerMatch=contains: containing any)'),
  containerMatch: matchT,
  node: List('nodes by name or id, and the containers on them (nodeMatch=contains: containing any)'),
  nodeMatch: matchT,
  image: List('images by repository, repository:tag, reference or digest (imageMatch=contains: containing any)'),
  imageMatch: matchT,
  os: List('base OS of images and nodes, e.g. "debian 12" (osMatch=contains: containing any)'),
  osMatch: matchT,
};

export const VulnQueryT = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 256, description: 'id, alias, package, title or description contains (case-insensitive)' })),
    severity: List('critical, high, medium, low, negligible, unknown'),
    fixable: Type.Optional(Type.Boolean({ description: 'true: a fix is available; false: none' })),
    kev: Type.Optional(Type.Boolean({ description: 'in CISA KEV or not' })),
    accepted: Type.Optional(Type.Boolean({ description: 'true: an acceptance is in force (any scope); false: none' })),
    scoreMin: Type.Optional(Type.Number({ minimum: 0, maximum: 10 })),
    scoreMax: Type.Optional(Type.Number({ minimum: 0, maximum: 10 })),
    scoreVersion: Type.Optional(Type.Union([Type.Literal('v2'), Type.Literal('v3'), Type.Literal('any')], { description: 'the score the range applies to (default any: v3, else v2)' })),
    publishedAfter: Type.Optional(Type.String({ maxLength: 40, description: 'ISO-8601 date or date-time, inclusive' })),
    publishedBefore: Type.Optional(Type.String({ maxLength: 40, description: 'ISO-8601 date or date-time, exclusive' })),
    view: Type.Optional(lit(VIEWS)),
    ...assetFilterProps,
    sort: Type.Optional(lit(VULN_SORTS)),
    order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
  },
  { additionalProperties: false },
);
const PageT = { offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }), limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }) };
const VulnListQueryT = Type.Object({ ...VulnQueryT.properties, ...PageT }, { additionalProperties: false });

const split = (xs: string[] | undefined): string[] | undefined => {
  if (!xs) return undefined;
  const out = xs.flatMap((x) => x.split(',')).map((s) => s.trim());
  if (out.some((s) => s === '')) throw badRequest('empty item in a list filter');
  return out;
};

/** The HTTP query as a VulnQuery; a bad value is a 400 that names it. */
export function parseVulnQuery(raw: Static<typeof VulnQueryT>): VulnQuery {
  const r: Record<string, unknown> = raw;
  const q: VulnQuery = {};
  if (raw.q?.trim()) q.q = raw.q.trim();
  const sev = split(raw.severity);
  if (sev) {
    q.severities = sev.map((s) => {
      const v = s.toLowerCase();
      if (!(SEVERITIES as readonly string[]).includes(v)) throw badRequest(`severity: '${s.slice(0, 40)}' is not one of ${SEVERITIES.join(', ')}`);
      return v as Severity;
    });
  }
  for (const k of ['fixable', 'kev', 'accepted', 'scoreMin', 'scoreMax', 'scoreVersion', 'publishedAfter', 'publishedBefore', 'view', 'sort', 'order'] as const) {
    if (raw[k] !== undefined) (q as Record<string, unknown>)[k] = raw[k];
  }
  if (q.scoreMin !== undefined && q.scoreMax !== undefined && q.scoreMin > q.scoreMax) throw badRequest('scoreMin is greater than scoreMax');
  for (const k of ['publishedAfter', 'publishedBefore'] as const) {
    const v = q[k];
    if (v !== undefined && Number.isNaN(Date.parse(v))) throw badRequest(`${k}: '${v}' is not an ISO-8601 date or date-time`);
  }
  for (const k of ASSET_FILTERS) {
    const values = split(r[k] as string[] | undefined);
    const match = r[`${k}Match`] as Match | undefined;
    if (!values) {
      if (match) throw badRequest(`${k}Match without ${k}`);
      continue;
    }
    (q.assets ??= {})[k as AssetFilter] = { values, match: match ?? 'equals' };
  }
  return q;
}

const Counts = Type.Object({ images: Type.Integer(), nodes: Type.Integer(), containers: Type.Integer(), platforms: Type.Integer() });
const ProtectionT = Type.Object({
  unaffected: Type.Integer({ description: 'impacted images with no running container' }),
  protected: Type.Integer({ description: 'impacted containers and nodes in Monitor or Protect' }),
  unprotected: Type.Integer({ description: 'impacted containers and nodes in Discover' }),
  state: Type.Union([Type.Literal('unaffected'), Type.Literal('protected'), Type.Literal('unprotected'), Type.Literal('none')]),
});
const VulnRowT = Type.Object({
  id: Type.String(),
  severity: Type.String(),
  score: Nul(Type.Number()),
  cvss2: Nul(Type.Number()),
  cvss3: Nul(Type.Number()),
  published: Nul(Type.String()),
  fixAvailable: Type.Boolean(),
  kev: Type.Boolean(),
  epss: Nul(Type.Number()),
  title: Nul(Type.String()),
  description: Nul(Type.String()),
  link: Nul(Type.String()),
  aliases: Type.Array(Type.String()),
  packages: Type.Array(Type.String()),
  impact: Counts,
  protection: ProtectionT,
  accepted: Nul(Type.Union([Type.Literal('global'), Type.Literal('partial')])),
});
const AcceptanceT = Type.Object({
  id: Type.String(),
  vulnerability: Type.String(),
  scope: Type.Union([Type.Literal('global'), Type.Literal('image'), Type.Literal('namespace')]),
  image: Nul(Type.String()),
  namespace: Nul(Type.String()),
  comment: Type.String(),
  expiresAt: Nul(Type.String()),
  active: Type.Boolean(),
  createdBy: Nul(Type.String()),
  createdAt: Type.String(),
});
const AcceptIn = Type.Object(
  {
    vulnerability: Type.String({ minLength: 1, maxLength: 128 }),
    scope: Type.Union([Type.Literal('global'), Type.Literal('image'), Type.Literal('namespace')]),
    image: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'scope image: a digest, or repository:tag' })),
    namespace: Type.Optional(Type.String({ minLength: 1, maxLength: 253, description: 'scope namespace' })),
    comment: Type.String({ minLength: 1, maxLength: 2000 }),
    expiresAt: Type.Optional(Nul(Type.String({ maxLength: 40, description: 'ISO-8601 date-time in the future; null or absent: never' }))),
  },
  { additionalProperties: false },
);
const VulnIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$' }) });

export const ComplianceQueryT = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 256, description: 'check id or title contains' })),
    benchmark: List('benchmark ids, e.g. cis-docker-1.6.0'),
    level: List('levels that count as failing (default WARN)'),
    tags: List('HIPAA, PCI, GDPR, NIST'),
    view: Type.Optional(lit(VIEWS)),
    namespace: List('containers in these namespaces'),
    namespaceMatch: Type.Optional(lit(MATCHES)),
    service: List('containers of these services'),
    serviceMatch: Type.Optional(lit(MATCHES)),
    container: List('containers by name or id'),
    containerMatch: Type.Optional(lit(MATCHES)),
    node: List('nodes by name or id'),
    nodeMatch: Type.Optional(lit(MATCHES)),
    image: List('images by repository[:tag] or digest'),
    imageMatch: Type.Optional(lit(MATCHES)),
    sort: Type.Optional(lit(COMPLIANCE_SORTS)),
    order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
  },
  { additionalProperties: false },
);
const ComplianceListQueryT = Type.Object({ ...ComplianceQueryT.properties, ...PageT }, { additionalProperties: false });
const ComplianceRowT = Type.Object({
  benchmark: Type.String(),
  id: Type.String(),
  title: Type.String(),
  type: Type.String(),
  profile: Type.String(),
  scored: Type.Boolean(),
  remediation: Type.String(),
  tags: Type.Array(Type.String()),
  impact: Counts,
  protection: Type.Object({ unaffected: Type.Integer(), protected: Type.Integer(), unprotected: Type.Integer() }),
});
const LEVELS = ['PASS', 'WARN', 'INFO', 'NOTE', 'MANUAL', 'ERROR'];
const levelsOf = (xs: string[] | undefined) =>
  split(xs)?.map((l) => {
    const u = l.toUpperCase();
    if (!LEVELS.includes(u)) throw badRequest(`level: '${l.slice(0, 40)}' is not one of ${LEVELS.join(', ')}`);
    return u;
  });

/** The HTTP query as a ComplianceQuery (the list and its exports share it); a bad value is a 400 that names it. */
export function parseComplianceQuery(raw: Static<typeof ComplianceQueryT>): ComplianceQuery {
  const { level, benchmark, tags: tagList, sort, order, view, q, ...assets } = raw;
  const a: NonNullable<ComplianceQuery['assets']> = {};
  for (const k of ['namespace', 'service', 'container', 'node', 'image'] as const) {
    const values = split(assets[k]);
    const match = assets[`${k}Match`];
    if (!values) {
      if (match) throw badRequest(`${k}Match without ${k}`);
      continue;
    }
    a[k] = { values, match: match ?? 'equals' };
  }
  return { q: q?.trim() || undefined, benchmark: split(benchmark), levels: levelsOf(level), tags: split(tagList), view, sort, order, assets: a };
}

export default async function riskRoutes(app: VigilServer): Promise<void> {
  app.get(
    '/vulnerabilities',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'one row per vulnerability across images, nodes, containers and platforms: filtered, sorted, paged',
        querystring: VulnListQueryT,
        response: { 200: Type.Object({ total: Type.Integer(), offset: Type.Integer(), limit: Type.Integer(), bySeverity: Type.Record(Type.String(), Type.Integer()), rows: Type.Array(VulnRowT) }), ...errors(400, 401, 403) },
      },
    },
    async (req) => {
      const { offset, limit, ...rest } = req.query;
      const page = await app.risks.vulnerabilities(parseVulnQuery(rest), { offset, limit });
      return { total: page.total, offset, limit, bySeverity: page.bySeverity, rows: page.rows };
    },
  );

  for (const format of ['csv', 'pdf'] as const) {
    app.get(
      `/vulnerabilities.${format}`,
      {
        config: { scope: 'read' },
        schema: {
          tags,
          summary: `the filtered vulnerabilities view as ${format.toUpperCase()} (same filters and sort as the list, every row${format === 'pdf' ? '; a summary with charts, then the table' : ''})`,
          querystring: VulnQueryT,
          produces: [format === 'csv' ? 'text/csv' : 'application/pdf'],
          response: { 200: Type.Unknown({ description: `the ${format.toUpperCase()} file` }), ...errors(400, 401, 403) },
        },
      },
      async (req, reply) => {
        const q = parseVulnQuery(req.query);
        const stream = format === 'csv' ? await app.risks.csv(q) : await app.risks.pdf(q);
        const name = riskFilename(new Date(), format);
        return reply
          .type(format === 'csv' ? 'text/csv; charset=utf-8; header=present' : 'application/pdf')
          .header('content-disposition', `attachment; filename="${name}"`)
          .send(stream);
      },
    );
  }

  app.get(
    '/vulnerabilities/:id',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'one vulnerability: the row, its full description, remediation, acceptances, and the images, containers, nodes and platforms it impacts',
        params: VulnIdParams,
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 5000, default: 500, description: 'items per impact list' }) }, { additionalProperties: false }),
        response: { 200: Type.Unknown(), ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => app.risks.vulnerability(req.params.id, req.query.limit),
  );

  app.get(
    '/compliance',
    {
      config: { scope: 'read' },
      schema: { tags, summary: 'one row per compliance check failing on some asset: filtered, sorted, paged', querystring: ComplianceListQueryT, response: { 200: Type.Object({ total: Type.Integer(), rows: Type.Array(ComplianceRowT) }), ...errors(400, 401, 403) } },
    },
    async (req) => {
      const { offset, limit, ...rest } = req.query;
      return app.risks.compliance(parseComplianceQuery(rest), { offset, limit });
    },
  );
  for (const format of ['csv', 'pdf'] as const) {
    app.get(
      `/compliance.${format}`,
      {
        config: { scope: 'read' },
        schema: {
          tags,
          summary: `the filtered compliance view as ${format.toUpperCase()} (same filters and sort as the list, every row${format === 'pdf' ? '; a summary with charts, then the table' : ''})`,
          querystring: ComplianceQueryT,
          produces: [format === 'csv' ? 'text/csv' : 'application/pdf'],
          response: { 200: Type.Unknown({ description: `the ${format.toUpperCase()} file` }), ...errors(400, 401, 403) },
        },
      },
      async (req, reply) => {
        const q = parseComplianceQuery(req.query);
        const stream = format === 'csv' ? app.risks.complianceCsv(q) : await app.risks.compliancePdf(q);
        return reply
          .type(format === 'csv' ? 'text/csv; charset=utf-8; header=present' : 'application/pdf')
          .header('content-disposition', `attachment; filename="${complianceFilename(new Date(), format)}"`)
          .send(stream);
      },
    );
  }
  app.get(
    '/compliance/:benchmark/:check',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'one check: title, remediation, and the assets it fails on with evidence and policy mode',
        params: Type.Object({ benchmark: Type.String({ minLength: 1, maxLength: 128 }), check: Type.String({ minLength: 1, maxLength: 64 }) }),
        querystring: Type.Object({ level: List('levels that count (default WARN)'), limit: Type.Integer({ minimum: 1, maximum: 5000, default: 500 }) }, { additionalProperties: false }),
        response: { 200: Type.Unknown(), ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => app.risks.complianceCheck(req.params.benchmark, req.params.check, levelsOf(req.query.level), req.query.limit),
  );
  app.put(
    '/compliance/images/:digest',
    {
      config: { scope: 'write' },
      bodyLimit: REPORT_BODY_LIMIT,
      schema: {
        tags,
        summary: "submit a scanned image's compliance report (vigil bench image … --format json)",
        params: Type.Object({ digest: Type.String({ pattern: '^sha(256:[a-f0-9]{64}|512:[a-f0-9]{128})$' }) }),
        body: ComplianceIn,
        response: { 200: ComplianceOut, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => app.risks.submitCompliance('image', req.params.digest, req.body as unknown as ComplianceReport),
  );

  app.get(
    '/acceptances',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'accepted vulnerabilities',
        querystring: Type.Object({ vulnerability: Type.Optional(Type.String({ maxLength: 128 })), active: Type.Optional(Type.Boolean({ description: 'true: in force; false: expired' })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ acceptances: Type.Array(AcceptanceT) }), ...errors(400, 401, 403) },
      },
    },
    async (req) => ({ acceptances: await app.risks.acceptances(req.query) }),
  );
  app.post(
    '/acceptances',
    { config: { scope: 'write' }, schema: { tags, summary: 'accept a vulnerability globally, in one image or in one namespace, with a comment and an optional expiry', body: AcceptIn, response: { 201: AcceptanceT, ...errors(400, 401, 403, 404, 409) } } },
    async (req, reply) => reply.status(201).send(await app.risks.accept(req.body, { username: principalOf(req).username, ip: req.ip })),
  );
  app.delete(
    '/acceptances/:id',
    { config: { scope: 'write' }, schema: { tags, summary: 'withdraw an acceptance', params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }), response: { 204: Type.Null(), ...errors(400, 401, 403, 404) } } },
    async (req, reply) => {
      await app.risks.unaccept(req.params.id, { username: principalOf(req).username, ip: req.ip });
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/acceptances/openvex',
    { config: { scope: 'read' }, schema: { tags, summary: 'the acceptances in force as an OpenVEX v0.2.0 document (readable by vigil scan --vex)', response: { 200: Type.Unknown(), ...errors(401, 403) } } },
    async (req, reply) => {
      const doc = await app.risks.openVex(`Vigil (${principalOf(req).username})`);
      return reply.type('application/json').header('content-disposition', 'attachment; filename="vigil-accepted.openvex.json"').send(doc);
    },
  );
}
