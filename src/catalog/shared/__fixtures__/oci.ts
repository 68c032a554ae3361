import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { extract } from 'tar-stream';

/** The shared image fixtures (see /work/shared/fixtures/images/README.md). */
export const IMAGES_DIR = process.env.VIGIL_IMAGE_FIXTURES ?? resolve(import.meta.dirname, '../../../../../shared/fixtures/images');

/** The `app` image's layer 2 (Debian python/Go packages + /app/lib/snakeyaml.jar). */
export const APP_LAYER_2 = 'af22ca65e0a69b9753065ab6a3638ecb01958738767089af03717d635238df25';

/** Reads the named files (paths without a leading '/') out of one gzip layer blob. */
export async function filesFromLayer(blobHex: string, wanted: string[]): Promise<Map<string, { data: Buffer; mode: number }>> {
  const out = new Map<string, { data: Buffer; mode: number }>();
  const want = new Set(wanted.map((p) => p.replace(/^\/+/, '')));
  const tar = extract();
  tar.on('entry', (header, stream, next) => {
    const name = header.name.replace(/^\.?\/+/, '');
    if (!want.has(name) || header.type !== 'file') {
      stream.on('end', next);
      stream.resume();
      return;
    }
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => {
      chunks.push(c as Buffer);
    });
    stream.on('end', () => {
      out.set('/' + name, { data: Buffer.concat(chunks), mode: header.mode ?? 0o644 });
      next();
    });
  });
  await pipeline(createReadStream(resolve(IMAGES_DIR, 'oci/blobs/sha256', blobHex)), createGunzip(), tar);
  return out;
}
