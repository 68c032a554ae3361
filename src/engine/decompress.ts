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

/** Reads at least `n` bytes (or all of a shorter stream) and gives back a stream that still has them. */
export async function peek(stream: Readable, n: number): Promise<{ head: Buffer; stream: Readable }> {
  const chunks: Buffer[] = [];
  let len = 0;
  let ended = false;
  await new Promise<void>((resolve, reject) => {
    const onReadable = (): void => {
      let c: Buffer | null;
      while (len < n && (c = stream.read() as Buffer | null) !== null) {
        chunks.push(c);
        len += c.length;
      }
      if (len >= n) done();
    };
    const onEnd = (): void => {
      ended = true;
      done();
    };
    const onError = (e: Error): void => {
      cleanup();
      reject(e);
    };
    const cleanup = (): void => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    const done = (): void => {
      cleanup();
      resolve();
    };
    stream.on('readable', onReadable);
    stream.once('end', onEnd);
    stream.once('error', onError);
  });
  const head = Buffer.concat(chunks);
  if (ended) return { head, stream: Readable.from(head.length ? [head] : []) };
  if (head.length) stream.unshift(head);
  return { head, stream };
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
