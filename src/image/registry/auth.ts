import type { Dispatcher } from 'undici';
import { VigilError } from '../../core/errors.js';
import { parseChallenges, type Challenge } from './challenge.js';
import { errorDetail, readCapped, send, withRetries, type TransportOptions } from './http.js';

export interface Credentials {
  username?: string;
  password?: string;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

const TOKEN_BODY_CAP = 1024 * 1024;
/** The Docker token spec's default lifetime when `expires_in` is missing. */
const DEFAULT_TOKEN_LIFETIME_S = 60;

/**
 * Keeps what one registry asked for (Basic or Bearer) and the bearer tokens it handed out,
 * per scope (https://distribution.github.io/distribution/spec/auth/token/).
 */
export class Authenticator {
  private scheme: 'basic' | 'bearer' | undefined;
  private readonly tokens = new Map<string, CachedToken>();

  constructor(
    private readonly registry: string,
    private readonly creds: Credentials,
    private readonly dispatcher: Dispatcher,
    private readonly transport: TransportOptions,
    private readonly now: () => number = Date.now,
  ) {}

  private basic(): string | undefined {
    if (this.creds.username === undefined) return undefined;
    return `Basic ${Buffer.from(`${this.creds.username}:${this.creds.password ?? ''}`).toString('base64')}`;
  }

  /** The Authorization header for a request in `scope`, if one is known. */
  header(scope: string): string | undefined {
    if (this.scheme === 'basic') return this.basic();
    if (this.scheme === 'bearer') {
      const t = this.tokens.get(scope);
      if (t && t.expiresAt > this.now()) return `Bearer ${t.token}`;
    }
    return undefined;
  }

  /**
   * Handles a 401: learns the scheme and fetches a token. Returns false when there is nothing
   * new to try (e.g. Basic asked and no credentials).
   */
  async challenge(header: string | string[] | undefined, scope: string, what: string): Promise<boolean> {
    const challenges = parseChallenges(header);
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    const basic = challenges.find((c) => c.scheme === 'basic');
    this.tokens.delete(scope);
    if (bearer) {
      this.scheme = 'bearer';
      await this.fetchToken(bearer, scope, what);
      return true;
    }
    if (basic) {
      const had = this.scheme === 'basic';
      this.scheme = 'basic';
      return this.basic() !== undefined && !had;
    }
    const got = challenges.map((c) => c.scheme).join(', ') || 'none';
    throw new VigilError('registry-auth', `${what}: ${this.registry} asks for an unsupported authentication scheme (${got}); Vigil speaks Basic and Bearer`, { kind: 'registry' });
  }

  private async fetchToken(c: Challenge, scope: string, what: string): Promise<void> {
    const realm = c.params.realm;
    let url: URL;
    try {
      url = new URL(realm ?? '');
    } catch {
      throw new VigilError('registry-auth', `${what}: ${this.registry} sent a Bearer challenge without a usable realm (${JSON.stringify(realm)})`, { kind: 'registry' });
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new VigilError('registry-auth', `${what}: token realm ${url.origin} is not HTTP(S)`, { kind: 'registry' });
    }
    const basic = this.basic();
    if (basic && url.protocol === 'http:' && !this.transport.insecure) {
      throw new VigilError('registry-auth', `${what}: refusing to send credentials to plain-HTTP token service ${url.origin} (use --insecure-registry to allow)`, { kind: 'registry' });
    }
    if (c.params.service) url.searchParams.set('service', c.params.service);
    // The challenge's scope is what the registry wants; ours is the fallback (e.g. a /v2/ ping).
    const wanted = c.params.scope || scope;
    for (const s of wanted.split(' ').filter(Boolean)) url.searchParams.append('scope', s);
    if (this.creds.username !== undefined) url.searchParams.set('account', this.creds.username);
    const tokenWhat = `${what}: token service ${url.origin}`;
    let res;
    try {
      res = await withRetries(
        () => send(this.dispatcher, url.toString(), { what: tokenWhat, authorization: basic, headers: { accept: 'application/json' } }, this.transport),
        this.transport,
      );
    } catch (e) {
      if (e instanceof VigilError) throw new VigilError('registry-auth', `${tokenWhat} failed: ${e.message}`, { kind: e.kind, cause: e });
      throw e;
    }
    if (res.status === 401 || res.status === 403) {
      const detail = await errorDetail(res);
      throw new VigilError('unauthorized', `${tokenWhat} refused ${this.creds.username !== undefined ? `the credentials of ${JSON.stringify(this.creds.username)}` : 'anonymous access'} (HTTP ${res.status}${detail ? `: ${detail}` : ''})`, { kind: 'registry' });
    }
    if (res.status !== 200) {
      const detail = await errorDetail(res);
      throw new VigilError('registry-auth', `${tokenWhat} answered HTTP ${res.status}${detail ? `: ${detail}` : ''}`, { kind: 'registry' });
    }
    let doc: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      doc = JSON.parse((await readCapped(res, TOKEN_BODY_CAP, tokenWhat)).toString('utf8')) as typeof doc;
    } catch (e) {
      if (e instanceof VigilError && e.code !== 'too-large') throw e;
      throw new VigilError('registry-auth', `${tokenWhat} did not return JSON`, { kind: 'registry', cause: e });
    }
    const token = typeof doc.token === 'string' && doc.token ? doc.token : typeof doc.access_token === 'string' ? doc.access_token : '';
    if (!token) throw new VigilError('registry-auth', `${tokenWhat} returned no token`, { kind: 'registry' });
    const lifetime = typeof doc.expires_in === 'number' && doc.expires_in > 0 ? doc.expires_in : DEFAULT_TOKEN_LIFETIME_S;
    // Renew a little early so a token does not expire between check and use.
    this.tokens.set(scope, { token, expiresAt: this.now() + Math.max(lifetime - 5, 1) * 1000 });
  }
}
