import type { Readable, TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream';
import type { Dispatcher } from 'undici';
import { VigilError, isVigilError } from '../../core/errors.js';
import { DigestVerifier, digestOf, parseDigest, verifyDigest } from '../digest.js';
import { Authenticator, type Credentials } from './auth.js';
import {
  DEFAULT_BLOB_IDLE_MS,
  createDispatcher,
  discard,
  drain,
  errorDetail,
  networkError,
  readCapped,
  send,
  withRetries,
  type Headers,
  type HttpResponse,
  type TransportOptions,
} from './http.js';

/** Distribution's own manifest limit; also bounds what a hostile registry can make us buffer. */
export const MANIFEST_MAX_BYTES = 4 * 1024 * 1024;
export const CONFIG_MAX_BYTES = 8 * 1024 * 1024;

export interface RegistryClientOptions extends TransportOptions, Credentials {
  /** Talk plain HTTP from the start (no https attempt). */
  plainHttp?: boolean;
}

export interface FetchedManifest {
  body: Buffer;
  /** Content-Type without parameters. */
  contentType: string | undefined;
  /** Digest of the bytes received (sha256 unless the reference asked for sha512). */
  digest: string;
}

/**
 * A client for one registry host speaking the OCI Distribution API v2
 * (https://github.com/opencontainers/distribution-spec/blob/main/spec.md): pull side only.
 */
export class RegistryClient {
  readonly registry: string;
  private readonly opts: RegistryClientOptions;
  private readonly dispatcher: Dispatcher;
  private readonly auth: Authenticator;
  /** Decided on first contact: https, or http when insecure and https does not work. */
  private scheme: 'https' | 'http' | undefined;
  private closed = false;

  constructor(registry: string, opts: RegistryClientOptions = {}) {
    this.registry = registry;
    this.opts = opts;
    this.dispatcher = createDispatcher(opts);
    this.auth = new Authenticator(registry, { username: opts.username, password: opts.password }, this.dispatcher, opts);
    if (opts.plainHttp) this.scheme = 'http';
  }

  /** One attempt on the base URL, trying https then (insecure only) http, as containerd and skopeo do. */
  private async attempt(path: string, headers: Headers, scope: string, what: string, bodyTimeoutMs?: number): Promise<HttpResponse> {
    const o = { headers, what, authorization: this.auth.header(scope), bodyTimeoutMs };
    if (this.scheme) return send(this.dispatcher, `${this.scheme}://${this.registry}${path}`, o, this.opts);
    if (!this.opts.insecure) {
      this.scheme = 'https';
      return send(this.dispatcher, `https://${this.registry}${path}`, o, this.opts);
    }
    try {
      const res = await send(this.dispatcher, `https://${this.registry}${path}`, o, this.opts);
      this.scheme = 'https';
      return res;
    } catch (e) {
      if (!isVigilError(e) || (e.kind !== 'network')) throw e;
      const res = await send(this.dispatcher, `http://${this.registry}${path}`, o, this.opts);
      this.scheme = 'http';
      return res;
    }
  }

  /**
   * GET `path` with retries and authentication; returns a 2xx response or throws a VigilError
   * ('unauthorized', 'denied', 'not-found', 'registry-error', network codes).
   */
  private async get(path: string, headers: Headers, scope: string, what: string, bodyTimeoutMs?: number): Promise<HttpResponse> {
    if (this.closed) throw new VigilError('closed', `${what}: the image source was closed`, { kind: 'internal' });
    let authTried = false;
    // At most two rounds: as-is, then once more after answering a 401 challenge.
    for (let round = 0; round < 2; round++) {
      const res = await withRetries(() => this.attempt(path, headers, scope, what, bodyTimeoutMs), this.opts);
      if (res.status >= 200 && res.status < 300) return res;
      if (res.status === 401 && !authTried) {
        const challenge = res.headers['www-authenticate'];
        await drain(res);
        authTried = true;
        if (await this.auth.challenge(challenge, scope, what)) continue;
        throw new VigilError('unauthorized', `${what}: authentication required by ${this.registry}${this.opts.username === undefined ? ' (no credentials given)' : ''}`, { kind: 'registry' });
      }
      throw await this.statusError(res, what);
    }
    throw new VigilError('unauthorized', `${what}: ${this.registry} rejected the credentials${this.opts.username !== undefined ? ` of ${JSON.stringify(this.opts.username)}` : ''}`, { kind: 'registry' });
  }

  private async statusError(res: HttpResponse, what: string): Promise<VigilError> {
    const detail = await errorDetail(res);
    const suffix = detail ? ` (${detail})` : '';
    switch (res.status) {
      case 401:
        return new VigilError('unauthorized', `${what}: ${this.registry} rejected the credentials${this.opts.username !== undefined ? ` of ${JSON.stringify(this.opts.username)}` : ''}${suffix}`, { kind: 'registry' });
      case 403:
        return new VigilError('denied', `${what}: access denied by ${this.registry}${suffix}`, { kind: 'registry' });
      case 404:
        return new VigilError('not-found', `${what}: not found on ${this.registry}${suffix}`, { kind: 'registry' });
      default:
        return new VigilError('registry-error', `${what}: ${this.registry} answered HTTP ${res.status}${suffix}`, { kind: 'registry' });
    }
  }

  /**
   * Fetches a manifest or index by tag or digest and checks its bytes: against `reference` when it
   * is a digest, and against the registry's Docker-Content-Digest header when it sends one.
   */
  async getManifest(repository: string, reference: string, accept: string): Promise<FetchedManifest> {
    const what = `manifest ${this.registry}/${repository}${reference.includes(':') ? '@' : ':'}${reference}`;
    const res = await this.get(`/v2/${repository}/manifests/${reference}`, { accept }, pullScope(repository), what);
    const body = await readCapped(res, MANIFEST_MAX_BYTES, what);
    const contentType = headerValue(res.headers['content-type'])?.split(';')[0]?.trim() || undefined;
    let algorithm: 'sha256' | 'sha512' = 'sha256';
    if (reference.includes(':')) {
      algorithm = parseDigest(reference).algorithm;
      verifyDigest(body, reference, what);
    }
    const claimed = headerValue(res.headers['docker-content-digest']);
    if (claimed) {
      let parsed: ReturnType<typeof parseDigest> | undefined;
      try {
        parsed = parseDigest(claimed);
      } catch {
        parsed = undefined; // an algorithm we cannot check: the body digest above still stands
      }
      if (parsed) verifyDigest(body, claimed, `${what} (Docker-Content-Digest)`);
    }
    return { body, contentType, digest: digestOf(body, algorithm) };
  }

  /** A small blob (config) read whole, size-capped and verified. */
  async getBlob(repository: string, digest: string, max: number): Promise<Buffer> {
    const what = `blob ${digest} in ${this.registry}/${repository}`;
    const res = await this.get(`/v2/${repository}/blobs/${digest}`, {}, pullScope(repository), what);
    const body = await readCapped(res, max, what);
    verifyDigest(body, digest, what);
    return body;
  }

  /**
   * Streams a blob, following redirects to blob storage. The stream fails with 'digest-mismatch'
   * when the bytes do not hash to `digest` or exceed `size`, and with 'timeout'/'network' on I/O failure.
   */
  async openBlob(repository: string, digest: string, size?: number): Promise<Readable> {
    const what = `blob ${digest} in ${this.registry}/${repository}`;
    parseDigest(digest);
    const res = await this.get(`/v2/${repository}/blobs/${digest}`, {}, pullScope(repository), what, this.opts.timeoutMs ?? DEFAULT_BLOB_IDLE_MS);
    const declared = Number(headerValue(res.headers['content-length']));
    if (size !== undefined && Number.isFinite(declared) && declared !== size) {
      discard(res.body);
      throw new VigilError('digest-mismatch', `${what}: registry sends ${declared} bytes, the manifest says ${size}`);
    }
    const out = new VerifiedBlob(digest, what, res.url, size);
    pipeline(res.body, out, () => {
      // Errors surface on `out` (mapped in its _destroy); nothing else to do here.
    });
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.dispatcher.close();
  }
}

export function pullScope(repository: string): string {
  return `repository:${repository}:pull`;
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** DigestVerifier plus a size ceiling, with socket errors turned into VigilErrors. */
class VerifiedBlob extends DigestVerifier {
  constructor(
    expected: string,
    private readonly label: string,
    private readonly url: string,
    private readonly limit?: number,
  ) {
    super(expected, label);
  }

  override _transform(chunk: Buffer, enc: BufferEncoding, cb: TransformCallback): void {
    if (this.limit !== undefined && this.bytes + chunk.length > this.limit) {
      cb(new VigilError('digest-mismatch', `${this.label}: more than the ${this.limit} bytes the manifest declares`));
      return;
    }
    super._transform(chunk, enc, cb);
  }

  override _destroy(err: Error | null, cb: (error: Error | null) => void): void {
    cb(err && !isVigilError(err) && !isPrematureClose(err) ? networkError(err, this.label, this.url) : err);
  }
}

function isPrematureClose(e: Error): boolean {
  return (e as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE';
}
