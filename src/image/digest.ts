import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { VigilError } from '../core/errors.js';

const DIGEST_RE = /^(sha256|sha512):([a-f0-9]+)$/;

export function parseDigest(digest: string): { algorithm: 'sha256' | 'sha512'; hex: string } {
  const m = DIGEST_RE.exec(digest);
  if (!m) throw new VigilError('bad-digest', `not a valid digest: ${JSON.stringify(digest)}`);
  const algorithm = m[1] as 'sha256' | 'sha512';
  const hex = m[2]!;
  if (hex.length !== (algorithm === 'sha256' ? 64 : 128)) {
    throw new VigilError('bad-digest', `not a valid digest: ${JSON.stringify(digest)}`);
  }
  return { algorithm, hex };
}

export function digestOf(data: Buffer | string, algorithm: 'sha256' | 'sha512' = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}

/** Throws 'digest-mismatch' unless `data` hashes to `expected`. */
export function verifyDigest(data: Buffer, expected: string, what: string): void {
  const { algorithm } = parseDigest(expected);
  const actual = digestOf(data, algorithm);
  if (actual !== expected) {
    throw new VigilError('digest-mismatch', `${what}: content hashes to ${actual}, expected ${expected}`);
  }
}

/**
 * A pass-through stream that hashes what flows through it and fails at the end when the hash
 * is not `expected`. Consumers see the error before they can trust the last bytes.
 */
export class DigestVerifier extends Transform {
  private readonly hash;
  private readonly expected: string;
  private readonly what: string;
  private algorithm: 'sha256' | 'sha512';
  bytes = 0;

  constructor(expected: string, what: string) {
    super();
    this.algorithm = parseDigest(expected).algorithm;
    this.hash = createHash(this.algorithm);
    this.expected = expected;
    this.what = what;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    const actual = `${this.algorithm}:${this.hash.digest('hex')}`;
    if (actual !== this.expected) {
      cb(new VigilError('digest-mismatch', `${this.what}: content hashes to ${actual}, expected ${this.expected}`));
    } else cb();
  }
}
