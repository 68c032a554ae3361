import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { VigilError } from '../core/errors.js';
import { DigestVerifier, verifyDigest } from './digest.js';

/** Small JSON blobs (manifests, configs) are capped so that a hostile file cannot exhaust memory. */
export const MAX_JSON_BLOB = 8 * 1024 * 1024;

export async function readSmallFile(path: string, what: string, max = MAX_JSON_BLOB): Promise<Buffer> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new VigilError(code === 'ENOENT' ? 'not-found' : 'unreadable', `${what}: cannot open ${path} (${code ?? String(e)})`, { cause: e });
  }
  try {
    const st = await fh.stat();
    if (st.size > max) throw new VigilError('too-large', `${what}: ${path} is ${st.size} bytes, more than the ${max} allowed`);
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

/** Reads a small blob and checks it against its digest. */
export async function readVerified(path: string, digest: string, what: string): Promise<Buffer> {
  const data = await readSmallFile(path, what);
  verifyDigest(data, digest, what);
  return data;
}

/** A stream of a file (or a byte range of it) that fails at its end unless it hashes to `digest`. */
export function verifiedStream(path: string, digest: string | undefined, what: string, range?: { start: number; end: number }): Readable {
  const raw = createReadStream(path, range ? { start: range.start, end: range.end, highWaterMark: 256 * 1024 } : { highWaterMark: 256 * 1024 });
  if (!digest) return raw;
  const v = new DigestVerifier(digest, what);
  raw.on('error', (e) => v.destroy(e));
  // A reader that gives up (another layer failed) destroys the verifier: close the file too.
  v.on('close', () => raw.destroy());
  return raw.pipe(v);
}
