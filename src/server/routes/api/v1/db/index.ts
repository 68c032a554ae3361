/**
 * /api/v1/db: the controller's vulnerability DB. `GET` tells which one is installed and how old
 * it is; `POST /update` installs a new one uploaded as the request body and re-matches every
 * stored inventory against it without pulling images. (`vigil db update` / `vigil db import` next
 * to the server replace the file, which the server notices by itself.)
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Type } from 'typebox';
import { isVigilError } from '../../../../../core/errors.js';
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
        summary: 'install a new vulnerability DB (a file built by `vigil db build`, as application/octet-stream), then re-match every stored inventory',
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
        throw badRequest('send the DB file as the body with Content-Type: application/octet-stream (built by `vigil db build`); to rebuild from the feeds, run `vigil db update` next to the server: the new file is picked up by itself');
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
