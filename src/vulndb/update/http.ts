import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import { VigilError, isVigilError } from '../../core/errors.js';
// The registry client's retry policy is pure and fits feeds as is: one policy for every download.
import { backoffDelay, isRetriableStatus, parseRetryAfter } from '../../core/retry.js';

/**
 * HTTP for feed downloads: proxies from HTTPS_PROXY/HTTP_PROXY/NO_PROXY (undici's
 * EnvHttpProxyAgent), conditional requests, retries with backoff that honour Retry-After,
 * header and idle-body timeouts, size caps, and redirects followed by hand so that a secret
 * header (NVD's apiKey) never leaves the origin it was meant for.
 */

export interface HttpOptions {
  /** Time to the response headers, and the longest pause inside a body (ms). */
  timeoutMs?: number;
  /** Retries after the first attempt, for 429/5xx and network failures. */
  retries?: number;
  /** First backoff step (ms); tests shorten it. */
  retryBaseMs?: number;
  /** Longest Retry-After honoured (ms); a longer one is cut to this. */
  maxRetryAfterMs?: number;
  userAgent?: string;
  dispatcher?: Dispatcher;
}

export interface GetOptions {
  /** For messages: "OSV npm all.zip". */
  what: string;
  headers?: Record<string, string>;
  /** Sent only to the request URL's own origin, never to a redirect target elsewhere. */
  secretHeaders?: Record<string, string>;
  /** Conditional request: a 304 answer means the cached copy is current. */
  etag?: string;
  lastModified?: string;
  /** Bytes on the wire (and, with gunzip, also after decompression). */
  maxBytes: number;
  /** Statuses retried besides 429/5xx (NVD answers 403 when rate limited). */
  retryStatuses?: readonly number[];
}

export interface DownloadResult {
  notModified: boolean;
  etag?: string;
  lastModified?: string;
  bytes: number;
}

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_RETRIES = 4;
const MAX_REDIRECTS = 5;
const ERROR_SNIPPET = 200;

/** An HTTP answer other than 200/304, with its status for callers that have a fallback. */
export class FeedHttpError extends VigilError {
  constructor(
    message: string,
    readonly status: number,
    readonly url: string,
  ) {
    super('feed-http', message, { kind: 'network' });
  }
}

/** A failure worth another attempt, with the wait the server asked for (if any). */
class Transient extends Error {
  constructor(
    readonly error: VigilError,
    readonly waitMs?: number,
  ) {
    super(error.message);
  }
}

function errCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let depth = 0; depth < 4 && cur && typeof cur === 'object'; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

const PERMANENT_NETWORK_CODES = new Set(['ENOTFOUND', 'ERR_INVALID_URL', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_TLS_CERT_ALTNAME_INVALID']);

function networkFailure(e: unknown, what: string, url: string): VigilError | Transient {
  if (isVigilError(e)) return e;
  const code = errCode(e);
  const reason = e instanceof Error ? e.message : String(e);
  const err = new VigilError('feed-network', `${what}: GET ${url} failed: ${reason}${code ? ` (${code})` : ''}`, { kind: 'network', cause: e });
  return code && PERMANENT_NETWORK_CODES.has(code) ? err : new Transient(err);
}

function header(h: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

function discard(body: Readable): void {
  body.on('error', () => undefined);
  body.destroy();
}

async function snippet(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const c of body) {
      chunks.push(c as Buffer);
      total += (c as Buffer).length;
      if (total >= 4096) break;
    }
  } catch {
    return '';
  } finally {
    discard(body);
  }
  const text = Buffer.concat(chunks).toString('utf8').replace(/\s+/g, ' ').trim();
  return text.length > ERROR_SNIPPET ? `${text.slice(0, ERROR_SNIPPET)}…` : text;
}

/** Counts bytes through a stream and fails past a limit, so a hostile server cannot fill the disk. */
function byteCap(max: number, what: string, counted: { bytes: number }): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      counted.bytes += chunk.length;
      if (counted.bytes > max) cb(new VigilError('feed-too-large', `${what}: more than the ${max}-byte limit`, { kind: 'network' }));
      else cb(null, chunk);
    },
  });
}

export interface OpenResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
  url: string;
}

export class FeedHttp {
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly o: Required<Omit<HttpOptions, 'dispatcher'>>;
  /** Requests sent (every attempt and redirect hop), for reports and tests. */
  requests = 0;

  constructor(o: HttpOptions = {}) {
    this.ownsDispatcher = !o.dispatcher;
    this.dispatcher = o.dispatcher ?? new EnvHttpProxyAgent({ connect: { timeout: Math.min(o.timeoutMs ?? DEFAULT_TIMEOUT_MS, 30_000) } });
    this.o = {
      timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      retries: Math.max(0, o.retries ?? DEFAULT_RETRIES),
      retryBaseMs: o.retryBaseMs ?? 1000,
      maxRetryAfterMs: o.maxRetryAfterMs ?? 120_000,
      userAgent: o.userAgent ?? 'vigil-db-update',
    };
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  /** One attempt: follows redirects; returns 200 or 304; throws Transient or VigilError otherwise. */
  private async exchange(url: string, g: GetOptions): Promise<OpenResponse> {
    let current = url;
    const origin = new URL(url).origin;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const headers: Record<string, string> = { 'user-agent': this.o.userAgent, ...g.headers };
      if (g.etag) headers['if-none-match'] = g.etag;
      if (g.lastModified) headers['if-modified-since'] = g.lastModified;
      if (g.secretHeaders && new URL(current).origin === origin) Object.assign(headers, g.secretHeaders);
      let res: Dispatcher.ResponseData;
      this.requests++;
      try {
        res = await request(current, {
          dispatcher: this.dispatcher,
          method: 'GET',
          headers,
          headersTimeout: this.o.timeoutMs,
          bodyTimeout: this.o.timeoutMs,
        });
      } catch (e) {
        throw networkFailure(e, g.what, current);
      }
      const status = res.statusCode;
      const location = header(res.headers, 'location');
      if ([301, 302, 303, 307, 308].includes(status) && location) {
        discard(res.body);
        const next = new URL(location, current);
        if (next.protocol !== 'https:' && next.protocol !== 'http:') {
          throw new VigilError('feed-http', `${g.what}: GET ${current} redirected to unsupported URL scheme ${next.protocol}`, { kind: 'network' });
        }
        if (new URL(current).protocol === 'https:' && next.protocol === 'http:') {
          throw new VigilError('feed-http', `${g.what}: GET ${current} redirected from HTTPS to plain HTTP (${next.origin}); refused`, { kind: 'network' });
        }
        current = next.toString();
        continue;
      }
      if (status === 200 || status === 304) return { status, headers: res.headers, body: res.body, url: current };
      const detail = await snippet(res.body);
      const err = new FeedHttpError(`${g.what}: GET ${current} answered HTTP ${status}${detail ? `: ${detail}` : ''}`, status, current);
      if (isRetriableStatus(status) || g.retryStatuses?.includes(status)) {
        const ra = parseRetryAfter(res.headers['retry-after']);
        throw new Transient(err, ra === undefined ? undefined : Math.min(ra, this.o.maxRetryAfterMs));
      }
      throw err;
    }
    throw new VigilError('feed-http', `${g.what}: GET ${url}: more than ${MAX_REDIRECTS} redirects`, { kind: 'network' });
  }

  /** Runs `fn` (one whole exchange, body included) until it succeeds or fails for good. */
  private async retrying<T>(fn: () => Promise<T>): Promise<T> {
    for (let n = 0; ; n++) {
      try {
        return await fn();
      } catch (e) {
        if (!(e instanceof Transient)) throw e;
        if (n >= this.o.retries) throw e.error;
        // Retry-After is parsed with a 60 s ceiling by the shared policy; our own cap may be lower.
        await sleep(e.waitMs ?? backoffDelay(n, this.o.retryBaseMs));
      }
    }
  }

  /**
   * Downloads `url` to `dest` (written as `dest.part`, renamed when complete). With `gunzip`
   * the file holds the decompressed bytes. A 304 leaves `dest` as it was.
   */
  async download(url: string, dest: string, g: GetOptions & { gunzip?: boolean }): Promise<DownloadResult> {
    return this.retrying(async () => {
      const res = await this.exchange(url, g);
      if (res.status === 304) {
        discard(res.body);
        return { notModified: true, bytes: 0 };
      }
      const declared = Number(header(res.headers, 'content-length'));
      if (Number.isFinite(declared) && declared > g.maxBytes) {
        discard(res.body);
        throw new VigilError('feed-too-large', `${g.what}: GET ${url}: ${declared} bytes is more than the ${g.maxBytes}-byte limit`, { kind: 'network' });
      }
      const part = `${dest}.part`;
      const wire = { bytes: 0 };
      const plain = { bytes: 0 };
      try {
        if (g.gunzip) await pipeline(res.body, byteCap(g.maxBytes, g.what, wire), createGunzip(), byteCap(g.maxBytes, `${g.what} (decompressed)`, plain), createWriteStream(part));
        else await pipeline(res.body, byteCap(g.maxBytes, g.what, wire), createWriteStream(part));
      } catch (e) {
        await rm(part, { force: true });
        if (isVigilError(e)) throw e;
        if ((e as { code?: string }).code === 'Z_DATA_ERROR' || (e as { code?: string }).code === 'Z_BUF_ERROR') {
          throw new VigilError('feed-corrupt', `${g.what}: GET ${url}: not valid gzip data`, { kind: 'network', cause: e });
        }
        throw networkFailure(e, g.what, url);
      }
      await rename(part, dest);
      const out: DownloadResult = { notModified: false, bytes: g.gunzip ? plain.bytes : wire.bytes };
      const etag = header(res.headers, 'etag');
      const lm = header(res.headers, 'last-modified');
      if (etag) out.etag = etag;
      if (lm) out.lastModified = lm;
      return out;
    });
  }

  /** The whole body in memory, capped: for small documents (NVD pages, OSV records). */
  async getBuffer(url: string, g: GetOptions): Promise<Buffer> {
    return this.retrying(async () => {
      const res = await this.exchange(url, g);
      if (res.status === 304) {
        discard(res.body);
        throw new VigilError('feed-http', `${g.what}: GET ${url} answered 304 to an unconditional request`, { kind: 'network' });
      }
      const chunks: Buffer[] = [];
      let total = 0;
      try {
        for await (const c of res.body) {
          total += (c as Buffer).length;
          if (total > g.maxBytes) {
            discard(res.body);
            throw new VigilError('feed-too-large', `${g.what}: GET ${url}: more than the ${g.maxBytes}-byte limit`, { kind: 'network' });
          }
          chunks.push(c as Buffer);
        }
      } catch (e) {
        throw networkFailure(e, g.what, url);
      }
      return Buffer.concat(chunks);
    });
  }

  /**
   * The body's lines, read as they arrive; the caller may stop early (newest-first lists).
   * `maxBytes` bounds what is read, not the file. Not retried once lines were handed out.
   */
  async *lines(url: string, g: GetOptions): AsyncGenerator<string> {
    const res = await this.retrying(() => this.exchange(url, g));
    if (res.status === 304) {
      discard(res.body);
      return;
    }
    // A decoder, not chunk.toString(): a UTF-8 character may straddle two chunks.
    const decoder = new StringDecoder('utf8');
    let rest = '';
    let total = 0;
    try {
      for await (const c of res.body) {
        total += (c as Buffer).length;
        if (total > g.maxBytes) throw new VigilError('feed-too-large', `${g.what}: GET ${url}: more than the ${g.maxBytes}-byte limit`, { kind: 'network' });
        rest += decoder.write(c as Buffer);
        const parts = rest.split('\n');
        rest = parts.pop() ?? '';
        for (const p of parts) yield p.replace(/\r$/, '');
      }
      rest += decoder.end();
      if (rest) yield rest.replace(/\r$/, '');
    } catch (e) {
      const f = networkFailure(e, g.what, url);
      throw f instanceof Transient ? f.error : f;
    } finally {
      discard(res.body);
    }
  }
}
