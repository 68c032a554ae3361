/**
 * /api/v1/db: the controller's vulnerability DB. `GET` tells which one is installed and how old
 * it is; `POST /update` installs a new one — uploaded as the request body, or rebuilt from the
 * feeds (a mirror) — and re-matches every stored inventory against it without pulling images.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Type } from 'typebox';
import { VigilError, describeError, isVigilError } from '../../../../../core/errors.js';
import { badRequest } from '../../../../errors.js';
import type { VigilServer } from '../../../../types.js';
import { principalOf } from '../../../../types.js';
import { errors } from '../../../schemas.js';

const Str = Type.Union([Type.String(), Type.Null()]);
const StatusT = Type.Object({
  path: Type.String(),
  installed: Type.Boolean(),
  schemaVersion: Type.Union([Type.Integer(), Type.Null()]),
  builtAt: Str,
  ageDays: Type.Union([Type.Number(), Type.Null()]),
  stale: Type.Boolean(),
  sources: Type.Array(Type.Object({ name: Type.String(), records: Type.Integer(), updatedAt: Type.String() })),
  error: Str,
  images: Type.Integer(),
});
const UpdateResultT = Type.Object({ changed: Type.Boolean(), builtAt: Str, rematched: Type.Integer(), ms: Type.Integer(), message: Type.String() });

/** The largest DB upload accepted (the full DB is ~11 MiB; room for growth). */
export const DB_UPLOAD_MAX_BYTES = 1024 * 1024 * 1024;

export default async function dbRoutes(app: VigilServer): Promise<void> {
  // A DB file arrives as the raw body; Fastify hands us the stream.
  app.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));

  app.get('/', { config: { scope: 'read' }, schema: { tags: ['db'], summary: 'the installed vulnerability DB', response: { 200: StatusT, ...errors(401, 403) } } }, async () => {
    const n = await app.store.db.selectFrom('images').select(app.store.db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return { ...app.vulndb.status(), images: Number(n.n) };
  });

  app.post(
    '/update',
    {
      config: { scope: 'admin' },
      bodyLimit: DB_UPLOAD_MAX_BYTES,
      schema: {
        tags: ['db'],
        summary: 'install a new vulnerability DB (upload a file built by `vigil db build` as application/octet-stream, or JSON {"mirror": url} to rebuild from the feeds), then re-match every stored inventory',
        response: { 200: UpdateResultT, ...errors(400, 401, 403, 413, 502) },
      },
    },
    async (req) => {
      const actor = principalOf(req).username;
      const started = performance.now();
      const before = app.vulndb.status().builtAt;
      if (req.headers['content-type']?.startsWith('application/octet-stream')) {
        const target = app.vulndb.path;
        mkdirSync(dirname(target), { recursive: true });
        const tmp = join(dirname(target), `.upload-${randomBytes(6).toString('hex')}.db`);
        try {
          await pipeline(req.body as NodeJS.ReadableStream, createWriteStream(tmp, { mode: 0o644 }));
          app.vulndb.install(tmp);
        } catch (e) {
          rmSync(tmp, { force: true });
          if (isVigilError(e) && e.code === 'bad-db') throw badRequest(e.message);
          throw e;
        }
      } else {
        const body = (req.body ?? {}) as { mirror?: unknown };
        if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('the body is a DB file (application/octet-stream) or JSON {"mirror": "https://…"}');
        if (body.mirror !== undefined && typeof body.mirror !== 'string') throw badRequest('mirror must be a URL string');
        const { updateVulnDb } = await import('../../../../../vulndb/update/update.js');
        try {
          await updateVulnDb({ db: app.vulndb.path, ...(body.mirror ? { mirror: body.mirror } : {}) });
        } catch (e) {
          const message = isVigilError(e) ? e.message : describeError(e);
          await app.auth.audit.record({ actor, action: 'db.update.failed', detail: { error: message }, ip: req.ip });
          throw isVigilError(e) && (e.kind === 'usage' || e.kind === 'input') ? badRequest(message) : new VigilError('db-update-failed', message, { kind: 'network' });
        }
      }
      const changed = app.vulndb.reloadIfChanged();
      const after = app.vulndb.status();
      let rematched = 0;
      if (changed || after.builtAt !== before) {
        await app.scans.rematch(`api by ${actor}`);
        const n = await app.store.db.selectFrom('images').select(app.store.db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
        rematched = Number(n.n);
      }
      const ms = Math.round(performance.now() - started);
      return {
        changed: after.builtAt !== before,
        builtAt: after.builtAt,
        rematched,
        ms,
        message: after.builtAt !== before ? `installed the DB built ${after.builtAt}; re-matched ${rematched} images` : `the DB built ${after.builtAt} is already installed`,
      };
    },
  );
}
