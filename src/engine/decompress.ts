import { PassThrough, Readable, Transform, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import { VigilError } from '../core/errors.js';

export type Compression = 'gzip' | 'zstd' | 'none';

/** Detects the compression of a layer from its first bytes (registries mislabel media types). */
export function sniffCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

/**
 * Reads at least `n` bytes (or all of a shorter stream) and gives back a stream that still has
 * them. Everything read is forwarded into a fresh PassThrough as it arrives (with back-pressure),
 * rather than `unshift`ed back: a source that delivers all its bytes in one chunk and ends in the
 * same tick would otherwise lose them (its 'end' is already on its way).
 */
export function peek(stream: Readable, n: number): Promise<{ head: Buffer; stream: Readable }> {
  return new Promise((resolve, reject) => {
    const out = new PassThrough({ highWaterMark: 256 * 1024 });
    const chunks: Buffer[] = [];
    let len = 0;
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      settled = true;
      resolve({ head: Buffer.concat(chunks), stream: out });
    };
    stream.on('data', (c: Buffer) => {
      if (!settled) {
        chunks.push(c);
        len += c.length;
      }
      if (!out.write(c)) stream.pause();
      if (len >= n) settle();
    });
    out.on('drain', () => stream.resume());
    stream.once('end', () => {
      out.end();
      settle();
    });
    stream.once('error', (e: Error) => {
      if (!settled) {
        settled = true;
        out.destroy();
        reject(e);
      } else if (out.listenerCount('error') > 0) {
        out.destroy(e);
      } else {
        // Nobody listens yet (the caller is between peek() resolving and wiring its pipeline):
        // an 'error' with no listener would crash the process. The caller hears the source's
        // own 'error'; the copy just ends.
        out.destroy();
      }
    });
    // A consumer that gives up (another layer failed) stops the source too.
    out.once('close', () => {
      if (!stream.readableEnded) stream.destroy();
    });
  });
}

/** fzstd's streaming decoder as a Node transform. */
class ZstdTransform extends Transform {
  private readonly dec: ZstdDecompress;
  private pending: Uint8Array[] = [];

  constructor() {
    super();
    this.dec = new ZstdDecompress((chunk) => {
      this.pending.push(chunk);
    });
  }

  private drain(): void {
    for (const c of this.pending) this.push(Buffer.from(c.buffer, c.byteOffset, c.byteLength));
    this.pending = [];
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    try {
      this.dec.push(chunk);
      this.drain();
      cb();
    } catch (e) {
      cb(new VigilError('corrupt-layer', `zstd data is corrupt: ${(e as Error).message}`, { cause: e }));
    }
  }

  override _flush(cb: TransformCallback): void {
    try {
      this.dec.push(new Uint8Array(0), true);
      this.drain();
      cb();
    } catch (e) {
      cb(new VigilError('corrupt-layer', `zstd data is truncated or corrupt: ${(e as Error).message}`, { cause: e }));
    }
  }
}

export function decompressor(c: Compression): Transform {
  if (c === 'gzip') return createGunzip({ chunkSize: 256 * 1024 });
  if (c === 'zstd') return new ZstdTransform();
  return new PassThrough();
}
