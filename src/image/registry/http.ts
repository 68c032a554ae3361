import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import { VigilError, isVigilError } from '../../core/errors.js';
import { backoffDelay, isRetriableStatus, parseRetryAfter } from '../../core/retry.js';

export type Headers = Record<string, string>;

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
  /** The URL that answered (after redirects). */
  url: string;
}

export interface TransportOptions {
  insecure?: boolean;
  caFiles?: string[];
  /** Extra trusted CAs as PEM text (the controller keeps them in its DB, not in files). */
  caPems?: string[];
  /** Honour HTTPS_PROXY/HTTP_PROXY/NO_PROXY (default true). */
  useProxy?: boolean;
  /** Headers timeout and, for small documents, body idle timeout (ms). */
  timeoutMs?: number;
  retries?: number;
  /** First backoff step (ms); tests shorten it. */
  retryBaseMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_BLOB_IDLE_MS = 10 * 60_000;
export const DEFAULT_RETRIES = 4;
const MAX_REDIRECTS = 5;
const ERROR_BODY_CAP = 64 * 1024;

const TLS_TRUST_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);

function errCode(e: unknown): string | undefined {
  let cur: unknown = e;
  // Bounded walk down `cause` chains (undici wraps socket errors).
  for (let depth = 0; depth < 4 && cur && typeof cur === 'object'; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  const top = (e as { code?: unknown } | undefined)?.code;
  return typeof top === 'string' ? top : undefined;
}

/** Turns a socket/TLS/timeout failure into a VigilError; VigilErrors pass through. */
export function networkError(e: unknown, what: string, url: string): VigilError {
  if (isVigilError(e)) return e;
  const origin = safeOrigin(url);
  const code = errCode(e);
  const reason = e instanceof Error ? e.message : String(e);
  if (code && TIMEOUT_CODES.has(code)) {
    return new VigilError('timeout', `${what}: ${origin} did not answer in time (${code})`, { kind: 'network', cause: e });
  }
  if (code && TLS_TRUST_CODES.has(code)) {
    return new VigilError('tls', `${what}: TLS certificate of ${origin} is not trusted (${code}: ${reason}); add its CA or use --insecure-registry`, { kind: 'network', cause: e });
  }
  return new VigilError('network', `${what}: cannot reach ${origin}: ${reason}${code ? ` (${code})` : ''}`, { kind: 'network', cause: e });
}

function isRetriableNetworkError(e: VigilError): boolean {
  if (e.code === 'timeout') return true;
  if (e.code !== 'network') return false;
  return errCode(e.cause) !== 'ENOTFOUND';
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/**
 * One dispatcher per image source: TLS trust from opts, proxies from HTTPS_PROXY/HTTP_PROXY/NO_PROXY
 * (undici's EnvHttpProxyAgent behaves like a plain Agent when none is set).
 */
export function createDispatcher(opts: TransportOptions): Dispatcher {
  const tls: { ca?: string[]; rejectUnauthorized: boolean; timeout: number } = {
    rejectUnauthorized: !opts.insecure,
    timeout: Math.min(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, 30_000),
  };
  const extra = (opts.caFiles ?? []).map((f) => {
    try {
      return readFileSync(f, 'utf8');
    } catch (e) {
      throw new VigilError('bad-ca-file', `cannot read CA file ${f}: ${(e as Error).message}`, { kind: 'usage', cause: e });
    }
  });
  extra.push(...(opts.caPems ?? []));
  // `ca` replaces Node's bundled roots, so keep them.
  if (extra.length) tls.ca = [...rootCertificates, ...extra];
  if (opts.useProxy === false) return new Agent({ connect: tls });
  return new EnvHttpProxyAgent({
    connect: tls,
    requestTls: tls,
    ...(tls.ca ? { proxyTls: { ca: tls.ca } } : {}),
  });
}

/** Drops a body we will not read; undici reports the abort as an error, which is expected here. */
export function discard(body: Readable): void {
  body.on('error', () => undefined);
  body.destroy();
}

export async function drain(res: HttpResponse): Promise<void> {
  discard(res.body);
}

/** Reads a whole body, refusing more than `max` bytes (checked against Content-Length first). */
export async function readCapped(res: HttpResponse, max: number, what: string): Promise<Buffer> {
  const len = Number(res.headers['content-length']);
  if (Number.isFinite(len) && len > max) {
    discard(res.body);
    throw new VigilError('too-large', `${what}: ${len} bytes is more than the ${max}-byte limit`, { kind: 'registry' });
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of res.body) {
      const b = chunk as Buffer;
      total += b.length;
      if (total > max) {
        discard(res.body);
        throw new VigilError('too-large', `${what}: more than the ${max}-byte limit`, { kind: 'registry' });
      }
      chunks.push(b);
    }
  } catch (e) {
    throw networkError(e, what, res.url);
  }
  return Buffer.concat(chunks);
}

/** The registry's own error text (`{"errors":[{"code","message"}]}`), for messages. */
export async function errorDetail(res: HttpResponse): Promise<string> {
  let text = '';
  try {
    text = (await readCapped(res, ERROR_BODY_CAP, 'error body')).toString('utf8');
  } catch {
    return '';
  }
  try {
    const doc = JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }> };
    const parts = (doc.errors ?? []).map((x) => [x.code, x.message].filter(Boolean).join(': ')).filter(Boolean);
    if (parts.length) return parts.join('; ');
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.trim().slice(0, 200);
}

export interface SendOptions {
  method?: 'GET' | 'HEAD';
  headers?: Headers;
  /** Sent only to `url`'s own origin, never to a redirect target elsewhere. */
  authorization?: string;
  bodyTimeoutMs?: number;
  what: string;
}

/**
 * One HTTP exchange, following redirects by hand so that Authorization never leaves the
 * registry's origin (blob storage URLs are pre-signed) and HTTPS is never downgraded.
 */
export async function send(dispatcher: Dispatcher, url: string, o: SendOptions, t: TransportOptions): Promise<HttpResponse> {
  let current = url;
  const origin = new URL(url).origin;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const headers: Headers = { ...o.headers };
    if (o.authorization && new URL(current).origin === origin) headers.authorization = o.authorization;
    let res: Dispatcher.ResponseData;
    try {
      res = await request(current, {
        dispatcher,
        method: o.method ?? 'GET',
        headers,
        headersTimeout: t.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        bodyTimeout: o.bodyTimeoutMs ?? t.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      });
    } catch (e) {
      throw networkError(e, o.what, current);
    }
    const location = res.headers.location;
    if ([301, 302, 303, 307, 308].includes(res.statusCode) && typeof location === 'string') {
      discard(res.body);
      const next = new URL(location, current);
      if (next.protocol !== 'https:' && next.protocol !== 'http:') {
        throw new VigilError('registry-error', `${o.what}: redirect to unsupported URL scheme ${next.protocol}`, { kind: 'registry' });
      }
      if (new URL(current).protocol === 'https:' && next.protocol === 'http:' && !t.insecure) {
        throw new VigilError('registry-error', `${o.what}: refusing redirect from HTTPS to ${next.origin} (plain HTTP)`, { kind: 'registry' });
      }
      current = next.toString();
      continue;
    }
    return { status: res.statusCode, headers: res.headers, body: res.body, url: current };
  }
  throw new VigilError('registry-error', `${o.what}: more than ${MAX_REDIRECTS} redirects`, { kind: 'registry' });
}

/**
 * Runs `attempt` until it gives a non-transient answer: 429/5xx (not 501) and network errors
 * are retried with exponential backoff and jitter, honouring Retry-After (capped).
 * Returns the first non-retriable response; throws the last network error.
 */
export async function withRetries(attempt: () => Promise<HttpResponse>, t: TransportOptions): Promise<HttpResponse> {
  const retries = Math.max(0, t.retries ?? DEFAULT_RETRIES);
  const base = t.retryBaseMs ?? 500;
  for (let n = 0; ; n++) {
    let res: HttpResponse;
    try {
      res = await attempt();
    } catch (e) {
      if (!isVigilError(e) || n >= retries || !isRetriableNetworkError(e)) throw e;
      await sleep(backoffDelay(n, base));
      continue;
    }
    if (!isRetriableStatus(res.status) || n >= retries) return res;
    const wait = parseRetryAfter(res.headers['retry-after']) ?? backoffDelay(n, base);
    await drain(res);
    await sleep(wait);
  }
}
