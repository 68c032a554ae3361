/**
 * "Test connection" and catalog listing for one registry given by URL (the controller's
 * registries): GET /v2/ and /v2/_catalog with the same auth (Basic or Bearer), TLS trust,
 * redirects and retries as image pulls. Failures are answers (`ok: false`), not exceptions.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { VigilError, describeError, isVigilError } from '../../core/errors.js';
import { MANIFEST_ACCEPT } from '../manifest.js';
import { parseDigest } from '../digest.js';
import { Authenticator, type Credentials } from './auth.js';
import { MANIFEST_MAX_BYTES, pullScope } from './client.js';
import { createDispatcher, drain, errorDetail, readCapped, send, withRetries, type HttpResponse, type TransportOptions } from './http.js';

export interface PingOptions extends Omit<TransportOptions, 'caFiles'> {
  /** Extra trusted CA certificates, PEM text (kept in the controller's DB, not in files). */
  caPem?: string | null;
  /** Use HTTPS_PROXY/HTTP_PROXY/NO_PROXY from the environment (default true). */
  useProxy?: boolean;
  /** Catalog page size (`n`), default 100. */
  pageSize?: number;
}

export interface PingResult {
  ok: boolean;
  /** HTTP status of the last answer; 0 when none came (network, TLS). */
  status: number;
  message: string;
  /** The first catalog page, when the registry serves `/v2/_catalog` to these credentials. */
  repositories?: string[];
}

const CATALOG_MAX_BYTES = 4 * 1024 * 1024;
const CATALOG_SCOPE = 'registry:catalog:*';

/** The image client's dispatcher, with the CA as PEM text and the proxy switch the controller stores. */
function dispatcherFor(o: PingOptions): Dispatcher {
  return createDispatcher({ ...o, timeoutMs: Math.min(o.timeoutMs ?? 30_000, 30_000), ...(o.caPem ? { caPems: [o.caPem] } : {}) });
}

function baseUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch (e) {
    throw new VigilError('bad-registry-url', `registry URL ${JSON.stringify(url)} is not a URL`, { kind: 'usage', cause: e });
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new VigilError('bad-registry-url', `registry URL must be http(s), not ${u.protocol}`, { kind: 'usage' });
  return new URL(u.origin);
}

/** One registry session: a dispatcher, an authenticator, GETs that answer one 401 challenge. */
class Session {
  readonly auth: Authenticator;
  constructor(
    readonly base: URL,
    readonly dispatcher: Dispatcher,
    readonly creds: Credentials,
    readonly o: PingOptions,
  ) {
    this.auth = new Authenticator(base.host, creds, dispatcher, o);
  }

  async get(pathAndQuery: string, scope: string, what: string, o: { method?: 'GET' | 'HEAD'; accept?: string } = {}): Promise<HttpResponse> {
    const url = new URL(pathAndQuery, this.base).toString();
    const once = () => withRetries(() => send(this.dispatcher, url, { what, method: o.method ?? 'GET', authorization: this.auth.header(scope), headers: { accept: o.accept ?? 'application/json' } }, this.o), this.o);
    const res = await once();
    if (res.status !== 401) return res;
    const challenge = res.headers['www-authenticate'];
    await drain(res);
    if (!(await this.auth.challenge(challenge, scope, what))) {
      return { ...res, body: emptyBody() };
    }
    return once();
  }
}

function emptyBody(): HttpResponse['body'] {
  // A drained 401 answer stands for itself; callers only read its status.
  return Readable.from([]);
}
/**
 * GET /v2/ with the credentials, then the first page of /v2/_catalog. `ok` means the registry
 * speaks the Distribution API and accepts the credentials (or needs none).
 */
export async function pingRegistry(url: string, creds: Credentials, o: PingOptions = {}): Promise<PingResult> {
  const base = baseUrl(url);
  const dispatcher = dispatcherFor(o);
  const s = new Session(base, dispatcher, creds, o);
  try {
    const res = await s.get('/v2/', CATALOG_SCOPE, `ping ${base.origin}`);
    if (res.status === 401 || res.status === 403) {
      const detail = await errorDetail(res).catch(() => '');
      const who = creds.username !== undefined ? `the credentials of ${JSON.stringify(creds.username)}` : 'anonymous access (no credentials given)';
      return { ok: false, status: res.status, message: `${base.origin} refused ${who} (HTTP ${res.status}${detail ? `: ${detail}` : ''})` };
    }
    if (res.status !== 200) {
      const detail = await errorDetail(res).catch(() => '');
      return { ok: false, status: res.status, message: `${base.origin}/v2/ answered HTTP ${res.status}${detail ? `: ${detail}` : ''}; is this an OCI/Docker registry?` };
    }
    await drain(res);
    const out: PingResult = { ok: true, status: 200, message: `${base.origin} answers the Distribution API v2 and accepts ${creds.username !== undefined ? `the credentials of ${JSON.stringify(creds.username)}` : 'anonymous access'}` };
    try {
      const page = await catalogPage(s, `/v2/_catalog?n=${o.pageSize ?? 100}`);
      if (page) out.repositories = page.repositories;
    } catch {
      // The catalog is optional (many hosted registries refuse it); the ping stands.
    }
    return out;
  } catch (e) {
    if (isVigilError(e) && e.code === 'unauthorized') return { ok: false, status: 401, message: e.message };
    return { ok: false, status: 0, message: isVigilError(e) ? e.message : describeError(e) };
  } finally {
    await dispatcher.close();
  }
}

async function catalogPage(s: Session, pathAndQuery: string): Promise<{ repositories: string[]; next?: string } | undefined> {
  const what = `catalog of ${s.base.origin}`;
  const res = await s.get(pathAndQuery, CATALOG_SCOPE, what);
  if (res.status !== 200) {
    await drain(res);
    return undefined;
  }
  const doc = JSON.parse((await readCapped(res, CATALOG_MAX_BYTES, what)).toString('utf8')) as { repositories?: unknown };
  const repositories = Array.isArray(doc.repositories) ? doc.repositories.filter((r): r is string => typeof r === 'string') : [];
  return { repositories, next: nextLink(res.headers.link) };
}

/** The `rel="next"` target of a Link header (RFC 8288), as Distribution paginates catalog and tags. */
export function nextLink(header: string | string[] | undefined): string | undefined {
  const values = Array.isArray(header) ? header : header ? [header] : [];
  for (const v of values) {
    for (const part of v.split(/,(?=\s*<)/)) {
      const m = /^\s*<([^>]*)>\s*(.*)$/.exec(part);
      if (m && /(^|;)\s*rel="?next"?\s*(;|$)/i.test(m[2] ?? '')) return m[1];
    }
  }
  return undefined;
}

/**
 * What a registry crawl needs, over one connection pool and one token cache: the catalog, each
 * repository's tags (both paginated with Link headers), and the digest a tag points at (HEAD, so
 * an unchanged tag costs one small request and no manifest body).
 */
export class RegistryBrowser {
  private readonly s: Session;
  private readonly dispatcher: Dispatcher;

  constructor(url: string, creds: Credentials, o: PingOptions = {}) {
    const base = baseUrl(url);
    this.dispatcher = dispatcherFor(o);
    this.s = new Session(base, this.dispatcher, creds, o);
  }

  get origin(): string {
    return this.s.base.origin;
  }

  /** Every repository of `/v2/_catalog` (at most `limit` names). */
  async catalog(limit = Infinity): Promise<string[]> {
    return this.paged(`/v2/_catalog?n=${this.s.o.pageSize ?? 100}`, CATALOG_SCOPE, `catalog of ${this.origin}`, 'repositories', limit);
  }

  /** Every tag of `repository` (at most `limit`). */
  async tags(repository: string, limit = Infinity): Promise<string[]> {
    return this.paged(`/v2/${repository}/tags/list?n=${this.s.o.pageSize ?? 100}`, pullScope(repository), `tags of ${this.origin}/${repository}`, 'tags', limit);
  }

  /** The digest `repository:tag` points at now: Docker-Content-Digest of a HEAD, else the digest of the GET body. */
  async digest(repository: string, tag: string): Promise<string> {
    const what = `manifest ${this.origin}/${repository}:${tag}`;
    const path = `/v2/${repository}/manifests/${encodeURIComponent(tag)}`;
    const head = await this.s.get(path, pullScope(repository), what, { method: 'HEAD', accept: MANIFEST_ACCEPT });
    await drain(head);
    const claimed = head.headers['docker-content-digest'];
    const value = Array.isArray(claimed) ? claimed[0] : claimed;
    if (head.status === 200 && value) {
      parseDigest(value);
      return value;
    }
    if (head.status !== 200 && head.status !== 405) throw this.statusError(head.status, what);
    // No digest header (some registries, some proxies): hash the manifest itself.
    const res = await this.s.get(path, pullScope(repository), what, { accept: MANIFEST_ACCEPT });
    if (res.status !== 200) {
      await drain(res);
      throw this.statusError(res.status, what);
    }
    const body = await readCapped(res, MANIFEST_MAX_BYTES, what);
    return 'sha256:' + createHash('sha256').update(body).digest('hex');
  }

  private statusError(status: number, what: string): VigilError {
    if (status === 404) return new VigilError('not-found', `${what}: not found`, { kind: 'registry' });
    if (status === 401 || status === 403) return new VigilError('unauthorized', `${what}: HTTP ${status}, the credentials do not allow pulling it`, { kind: 'registry' });
    return new VigilError('registry-error', `${what}: HTTP ${status}`, { kind: 'registry' });
  }

  private async paged(first: string, scope: string, what: string, key: 'repositories' | 'tags', limit: number): Promise<string[]> {
    const all: string[] = [];
    let next: string | undefined = first;
    for (let pages = 0; next && all.length < limit; pages++) {
      if (pages > 10_000) throw new VigilError('registry-error', `${what}: too many pages`, { kind: 'registry' });
      const target: URL = new URL(next, this.s.base);
      if (target.origin !== this.s.base.origin) throw new VigilError('registry-error', `${what}: next page on another origin (${target.origin})`, { kind: 'registry' });
      const res = await this.s.get(target.pathname + target.search, scope, what);
      if (res.status !== 200) {
        await drain(res);
        if (key === 'repositories') throw new VigilError('registry-error', `${what}: not served to these credentials (HTTP ${res.status})`, { kind: 'registry' });
        throw this.statusError(res.status, what);
      }
      let doc: Record<string, unknown>;
      try {
        doc = JSON.parse((await readCapped(res, CATALOG_MAX_BYTES, what)).toString('utf8')) as Record<string, unknown>;
      } catch (e) {
        if (isVigilError(e)) throw e;
        throw new VigilError('registry-error', `${what}: the answer is not JSON`, { kind: 'registry', cause: e });
      }
      const list = doc?.[key];
      if (Array.isArray(list)) all.push(...list.filter((r): r is string => typeof r === 'string'));
      next = nextLink(res.headers.link);
    }
    return all.slice(0, limit);
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}

/** Every repository of `/v2/_catalog`, following Link pagination (at most `limit` names). */
export async function listCatalog(url: string, creds: Credentials, o: PingOptions & { limit?: number } = {}): Promise<string[]> {
  const b = new RegistryBrowser(url, creds, o);
  try {
    return await b.catalog(o.limit);
  } finally {
    await b.close();
  }
}
