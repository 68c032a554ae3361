/**
 * The one HTTP shape every cloud token exchange has: a small POST to an identity endpoint, a
 * small JSON answer. Same TLS trust, proxy, timeouts and retry policy as the registry client
 * (http.ts), plus two rules of its own: secrets go over verified HTTPS only, and no message
 * carries a secret, even when the remote echoes one back.
 */
import { request } from 'undici';
import { VigilError, isVigilError } from '../../../core/errors.js';
import { DEFAULT_RETRIES, createDispatcher, networkError, readCapped, withRetries, type HttpResponse, type TransportOptions } from '../http.js';

export interface CloudExchangeOptions extends Pick<TransportOptions, 'caPems' | 'useProxy' | 'timeoutMs' | 'retries' | 'retryBaseMs'> {
  /**
   * The registry's "skip TLS verification" switch. It applies to the registry host only (ACR's
   * /oauth2/exchange); the clouds' identity endpoints are always verified.
   */
  insecure?: boolean;
  /** Clock in ms since the epoch (signing dates, JWT times, expiry, cache); default Date.now. */
  now?: () => number;
  /** ECR API endpoint instead of https://api.ecr.<region>.amazonaws.com/ (tests, VPC endpoints). */
  ecrEndpoint?: string;
  /** AWS region instead of the one in the registry host (needed when the host is not ECR's own name). */
  ecrRegion?: string;
  /** Entra ID authority instead of the cloud's own (https://login.microsoftonline.com for *.azurecr.io). */
  azureAuthorityHost?: string;
}

/** Token answers are a few KB (an Entra token with many claims ~10 KB); anything bigger is not one. */
export const TOKEN_BODY_CAP = 256 * 1024;
const DEFAULT_EXCHANGE_TIMEOUT_MS = 30_000;
const DETAIL_MAX = 300;

export interface TokenPost {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Names the call in messages: `ECR GetAuthorizationToken at https://api.ecr…`. */
  what: string;
  /** Texts that must never appear in an error message (passwords, keys, tokens). */
  secrets: readonly string[];
  /** Skip TLS verification (only for the registry's own host, when the registry is marked insecure). */
  insecure?: boolean;
  /** A non-429/5xx answer that still means "slow down" (AWS says so with HTTP 400 ThrottlingException). */
  isThrottled?: (res: HttpResponse) => boolean;
  /** Who was refused, for the message on 400/401/403: `access key AKIA…`. */
  who: string;
}

/** `https:` URL or a usage error; secrets are never sent over plain HTTP by these exchanges. */
export function httpsUrl(raw: string, what: string, allowHttp = false): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new VigilError('cloud-credentials', `${what}: ${JSON.stringify(raw)} is not a URL`, { kind: 'usage' });
  }
  if (u.protocol === 'https:' || (allowHttp && u.protocol === 'http:')) return u;
  throw new VigilError('cloud-credentials', `${what}: ${u.origin} is not HTTPS; credentials are sent over HTTPS only`, { kind: 'usage' });
}

/** Replaces every occurrence of a secret with `***` (whole values; shorter than 4 characters they say nothing). */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length >= 4) out = out.split(s).join('***');
  }
  return out;
}

/**
 * The remote's own words about a failure, from the shapes these services use: OAuth 2.0
 * (`error`, `error_description`, RFC 6749 §5.2), AWS JSON (`__type`, `message`) and
 * Distribution (`errors[].code/message`). Plain text otherwise, one line, bounded.
 */
export function errorText(body: Buffer): string {
  const text = body.toString('utf8');
  try {
    const doc = JSON.parse(text) as Record<string, unknown>;
    if (doc && typeof doc === 'object') {
      const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
      if (str(doc.error)) return [str(doc.error), str(doc.error_description)].filter(Boolean).join(': ');
      const type = str(doc.__type)?.replace(/^.*#/, '');
      const message = str(doc.message) ?? str(doc.Message);
      if (type || message) return [type, message].filter(Boolean).join(': ');
      if (Array.isArray(doc.errors)) {
        return (doc.errors as Array<Record<string, unknown>>)
          .map((e) => [str(e?.code), str(e?.message)].filter(Boolean).join(': '))
          .filter(Boolean)
          .join('; ');
      }
    }
  } catch {
    // not JSON: the raw text below
  }
  return text.replace(/\s+/g, ' ').trim();
}

function bounded(s: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return clean.length > DETAIL_MAX ? `${clean.slice(0, DETAIL_MAX)}…` : clean;
}

/**
 * POSTs `body` and returns the answer's JSON object. 429/5xx (and `isThrottled`) are retried
 * with the shared policy; 400/401/403 are refusals (`cloud-auth-refused`); anything else, an
 * oversized or non-JSON answer is `cloud-auth-failed`. All kind 'registry', or 'network'.
 */
export async function postForJson(call: TokenPost, o: CloudExchangeOptions): Promise<Record<string, unknown>> {
  const timeoutMs = o.timeoutMs ?? DEFAULT_EXCHANGE_TIMEOUT_MS;
  const transport: TransportOptions = { ...o, insecure: call.insecure === true, timeoutMs };
  const dispatcher = createDispatcher(transport);
  const clean = (s: string) => bounded(redact(s, call.secrets));
  let status = 0;
  let throttled = false;
  try {
    let res: HttpResponse;
    try {
      res = await withRetries(async () => {
        let r;
        try {
          r = await request(call.url, { dispatcher, method: 'POST', headers: call.headers, body: call.body, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
        } catch (e) {
          throw networkError(e, call.what, call.url);
        }
        const answer: HttpResponse = { status: r.statusCode, headers: r.headers, body: r.body, url: call.url };
        status = answer.status;
        // withRetries decides on the status alone: a throttling 400 is retried like a 429.
        throttled = call.isThrottled?.(answer) === true;
        return throttled ? { ...answer, status: 429 } : answer;
      }, transport);
    } catch (e) {
      if (isVigilError(e)) throw new VigilError(e.code, clean(e.message), { kind: e.kind, cause: e });
      throw e;
    }
    if (status === 200) {
      let doc: unknown;
      try {
        doc = JSON.parse((await readCapped(res, TOKEN_BODY_CAP, call.what)).toString('utf8'));
      } catch (e) {
        // too-large and network failures keep their codes; a parse error is the cloud's fault.
        if (isVigilError(e)) throw new VigilError(e.code, clean(e.message), { kind: e.kind, cause: e });
        throw new VigilError('cloud-auth-failed', `${call.what}: the answer is not JSON`, { kind: 'registry' });
      }
      if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
        throw new VigilError('cloud-auth-failed', `${call.what}: the answer is not a JSON object`, { kind: 'registry' });
      }
      return doc as Record<string, unknown>;
    }
    let detail = '';
    try {
      detail = errorText(await readCapped(res, TOKEN_BODY_CAP, call.what));
    } catch {
      // the status alone still says what happened
    }
    const tail = `HTTP ${status}${detail ? `: ${detail}` : ''}`;
    if (throttled || status === 429) {
      throw new VigilError('cloud-auth-failed', clean(`${call.what} is still throttling after ${Math.max(0, transport.retries ?? DEFAULT_RETRIES)} retries (${tail})`), { kind: 'registry' });
    }
    if (status === 400 || status === 401 || status === 403) {
      throw new VigilError('cloud-auth-refused', clean(`${call.what} refused ${call.who} (${tail})`), { kind: 'registry' });
    }
    throw new VigilError('cloud-auth-failed', clean(`${call.what} answered ${tail}`), { kind: 'registry' });
  } finally {
    await dispatcher.close();
  }
}

/** A required non-empty string field of a token answer, or `cloud-auth-failed`. */
export function stringField(doc: Record<string, unknown>, field: string, what: string): string {
  const v = doc[field];
  if (typeof v !== 'string' || !v) throw new VigilError('cloud-auth-failed', `${what}: the answer has no ${field}`, { kind: 'registry' });
  return v;
}

/** `expires_in` (seconds) of an OAuth answer as an absolute time; `fallbackS` when absent or nonsense. */
export function expiryFrom(doc: Record<string, unknown>, now: number, fallbackS: number): Date {
  const raw = doc.expires_in;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
  const s = Number.isFinite(n) && n > 0 ? Math.min(n, 7 * 24 * 3600) : fallbackS;
  return new Date(now + s * 1000);
}
