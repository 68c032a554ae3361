/**
 * /api/v1/scan: on-demand scans for CI. `POST /repository` scans one registry image (or matches
 * its stored inventory again when the digest was scanned before) and answers with the SPEC
 * report and a verdict against the caller's policy, so a pipeline needs one request and no
 * vulnerability DB of its own. `vigil scan image --server` is a client of this route.
 */
import { Type, type Static } from 'typebox';
import { VigilError, isVigilError } from '../../../../../core/errors.js';
import { familiarName, parseReference } from '../../../../../image/reference.js';
import { evaluateVerdict, type VerdictPolicy } from '../../../../../policy/verdict.js';
import type { ScanReport, Severity } from '../../../../../report/types.js';
import { badRequest } from '../../../../errors.js';
import type { VigilServer } from '../../../../types.js';
import { principalOf } from '../../../../types.js';
import { errors } from '../../../schemas.js';
import { JobT } from '../scans/index.js';

const severity = (description?: string) =>
  Type.Union([Type.Literal('critical'), Type.Literal('high'), Type.Literal('medium'), Type.Literal('low'), Type.Literal('negligible'), Type.Literal('unknown')], description ? { description } : {});
// The schema must list exactly the severities the report knows.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const _severitiesMatch: Same<Static<ReturnType<typeof severity>>, Severity> = true;

const Count = Type.Integer({ minimum: 0, maximum: 1_000_000 });
const PolicyT = Type.Object(
  {
    failOn: Type.Optional(severity('fail on a finding of this severity or worse (unknown: any finding)')),
    maxCounts: Type.Optional(
      Type.Object(
        { critical: Type.Optional(Count), high: Type.Optional(Count), medium: Type.Optional(Count), low: Type.Optional(Count), negligible: Type.Optional(Count), unknown: Type.Optional(Count) },
        { additionalProperties: false, description: 'fail when there are more than N findings of a severity' },
      ),
    ),
    denyIds: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 1000, description: 'fail when a finding has one of these ids or aliases (CVE-…, GHSA-…)' })),
    ignoreUnfixed: Type.Optional(Type.Boolean({ description: 'judge only findings that have a fixed version' })),
  },
  { additionalProperties: false },
);
// Every policy the schema accepts is one evaluateVerdict takes.
export const _policyFits: Static<typeof PolicyT> extends VerdictPolicy ? true : false = true;

const BodyT = Type.Object(
  {
    image: Type.String({ minLength: 1, maxLength: 1024, description: 'registry reference: host[:port]/repo[:tag|@sha256:…] (Docker Hub shorthand accepted)' }),
    registryId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'use this registry’s credentials and TLS settings (default: the registry whose URL host is the reference’s)' })),
    force: Type.Optional(Type.Boolean({ description: 'pull and inventory the image again even when its digest was scanned before' })),
    policy: Type.Optional(PolicyT),
    wait: Type.Optional(Type.Boolean({ default: true, description: 'false: answer 202 with the queued job at once (poll GET /api/v1/scans/{id}, then GET /api/v1/images/{digest}/report); a digest scanned before still answers 200 at once' })),
  },
  { additionalProperties: false },
);
const QueuedT = Type.Object({ job: JobT, digest: Type.String() });

const VerdictT = Type.Object({ pass: Type.Boolean(), reasons: Type.Array(Type.String(), { description: 'one sentence per failing rule, naming the offending ids' }) });
const ResultT = Type.Object({
  job: JobT,
  digest: Type.String(),
  cached: Type.Boolean({ description: 'the digest’s stored inventory was matched again; nothing was pulled' }),
  verdict: VerdictT,
  report: Type.Unknown({ description: 'the JSON scan report (schemaVersion 1) of `vigil scan image --format json`' }),
});

/** Only registry references reach a registry; the CLI's local sources mean nothing on the controller. */
function checkReference(image: string): ReturnType<typeof parseReference> {
  if (/^(oci|docker-archive):/.test(image) || image.includes('://')) {
    throw badRequest(`image: ${JSON.stringify(image)} is not a registry reference (host[:port]/repo[:tag|@digest]); the controller scans registry images only`);
  }
  try {
    return parseReference(image);
  } catch (e) {
    throw badRequest(isVigilError(e) ? e.message : `image: ${JSON.stringify(image)} is not an image reference`);
  }
}

/**
 * A registry that refuses the controller's credentials must not look like a bad API token: keep
 * the registry's message, but as a 502 rather than the 401 its `unauthorized` code maps to.
 */
function registryFailure(e: unknown): unknown {
  if (isVigilError(e) && (e.kind === 'registry' || e.kind === 'network') && e.code === 'unauthorized') {
    return new VigilError('registry-unauthorized', e.message, { kind: 'registry', cause: e });
  }
  return e;
}

/** The stored report is per digest; name it as the caller asked for it, as a local scan of that reference would. */
function asRequested(report: ScanReport, ref: ReturnType<typeof parseReference>): ScanReport {
  const base = familiarName({ registry: ref.registry, repository: ref.repository });
  const artifact = { ...report.artifact, name: familiarName(ref) };
  if (ref.tag !== undefined) artifact.repoTags = [`${base}:${ref.tag}`];
  return { ...report, artifact };
}

export default async function ciScanRoutes(app: VigilServer): Promise<void> {
  app.post(
    '/repository',
    {
      config: { scope: 'scan' },
      schema: {
        tags: ['scan'],
        summary: 'scan a registry image now (CI) and judge it against a policy',
        description:
          'Resolves the tag, scans the image (or, when that digest was scanned before and `force` is not set, matches its stored inventory again without pulling) and waits for the result. ' +
          'The registry’s credentials and TLS settings come from the registry entry whose URL host is the reference’s, or from `registryId`. ' +
          'The verdict judges the report’s findings against `policy`; a missing policy passes.',
        body: BodyT,
        response: { 200: ResultT, 202: QueuedT, ...errors(400, 401, 403, 404, 502, 503) },
      },
    },
    async (req, reply) => {
      const { image, registryId, force, policy, wait } = req.body;
      const ref = checkReference(image);
      const actor = principalOf(req).username;
      const r = await app.scans.scanReference(image, { actor, force: !!force, wait: wait !== false, ...(registryId ? { registryId } : {}) }).catch((e: unknown) => {
        throw registryFailure(e);
      });
      if (r.job.status === 'queued' || r.job.status === 'running') return reply.status(202).send({ job: r.job, digest: r.digest });
      const report = await app.scans.images.report(r.digest, app.vulndb.reader);
      if (!report) {
        const why = app.vulndb.reader ? 'was scanned but has no result yet' : 'was scanned, but the controller has no vulnerability DB to match it with (vigil db import / vigil db update next to the server)';
        throw new VigilError('no-result', `${image} (${r.digest}) ${why}`, { kind: 'db' });
      }
      return { job: r.job, digest: r.digest, cached: r.cached, verdict: evaluateVerdict(report, policy ?? {}), report: asRequested(report, ref) };
    },
  );
}
