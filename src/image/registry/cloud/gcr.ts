/**
 * Google Container Registry / Artifact Registry: a service-account JSON key → a one-hour OAuth 2.0
 * access token, by the JWT bearer grant (RFC 7523; Google's "OAuth 2.0 for server to server
 * applications"). The registry then takes `oauth2accesstoken` / <access token> with Basic auth.
 * Exchanging (rather than sending `_json_key` and the key itself, which Google also accepts)
 * keeps the private key between Vigil and Google's token endpoint.
 *
 * Stored credentials:
 *   username `_json_key` (or empty)  password = the key file's JSON
 *   username `_json_key_base64`      password = the key file, base64
 *   username `oauth2accesstoken`     password = an access token already: passed through
 */
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { VigilError } from '../../../core/errors.js';
import type { CloudCredentials, CloudExchanger, ExchangeContext, StoredCredentials } from './exchanger.js';
import { expiryFrom, httpsUrl, postForJson, stringField } from './token-http.js';

export const GOOGLE_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
export const ACCESS_TOKEN_USER = 'oauth2accesstoken';
/** Google accepts assertions of at most one hour. */
const ASSERTION_LIFETIME_S = 3600;
const DEFAULT_TOKEN_LIFETIME_S = 3600;
/** A key file is ~2.3 KB; refuse to parse megabytes of "key". */
const KEY_MAX_CHARS = 64 * 1024;

export interface ServiceAccountKey {
  clientEmail: string;
  privateKey: KeyObject;
  /** The PEM text, to keep it out of messages. */
  privateKeyPem: string;
  privateKeyId?: string;
  tokenUri: string;
}

function usage(message: string): VigilError {
  return new VigilError('cloud-credentials', message, { kind: 'usage' });
}

/**
 * The fields of a service-account key that the exchange needs. Messages never quote the key
 * (JSON.parse's own message would, so it is not passed on).
 */
export function parseServiceAccountKey(text: string): ServiceAccountKey {
  if (text.length > KEY_MAX_CHARS) throw usage(`GCR: the password is ${text.length} characters, too long for a service-account JSON key`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw usage('GCR: the password is not a service-account JSON key (not JSON); paste the whole key file');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw usage('GCR: the password is not a service-account JSON key (not a JSON object)');
  const k = doc as Record<string, unknown>;
  if (k.type !== undefined && k.type !== 'service_account') {
    throw usage(`GCR: the JSON key is of type ${JSON.stringify(String(k.type).slice(0, 40))}; Vigil takes "service_account" keys`);
  }
  const missing = ['client_email', 'private_key', 'token_uri'].filter((f) => typeof k[f] !== 'string' || !k[f]);
  if (missing.length) throw usage(`GCR: the service-account JSON key has no ${missing.join(', ')}`);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(k.private_key as string);
  } catch {
    throw usage(`GCR: the private_key of ${k.client_email as string} is not a PEM private key`);
  }
  if (privateKey.asymmetricKeyType !== 'rsa') throw usage(`GCR: the private_key of ${k.client_email as string} is not an RSA key`);
  return {
    clientEmail: k.client_email as string,
    privateKey,
    privateKeyPem: k.private_key as string,
    ...(typeof k.private_key_id === 'string' && k.private_key_id ? { privateKeyId: k.private_key_id } : {}),
    tokenUri: k.token_uri as string,
  };
}

const b64url = (s: string | Buffer): string => Buffer.from(s).toString('base64url');

/** The signed assertion (RS256 JWT, RFC 7519) that the token endpoint trades for an access token. */
export function signAssertion(key: ServiceAccountKey, nowMs: number): string {
  const iat = Math.floor(nowMs / 1000);
  const header = { alg: 'RS256', typ: 'JWT', ...(key.privateKeyId ? { kid: key.privateKeyId } : {}) };
  const claims = { iss: key.clientEmail, scope: GOOGLE_SCOPE, aud: key.tokenUri, iat, exp: iat + ASSERTION_LIFETIME_S };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${b64url(sign('sha256', Buffer.from(input), key.privateKey))}`;
}

function keyText(creds: StoredCredentials): string {
  const user = creds.username ?? '';
  const password = creds.password ?? '';
  if (user !== '' && user !== '_json_key' && user !== '_json_key_base64') {
    throw usage(`GCR: username ${JSON.stringify(user)} is not one Google takes; use _json_key (password: the key file), _json_key_base64 or ${ACCESS_TOKEN_USER}`);
  }
  if (!password) throw usage('GCR: the password must be a service-account JSON key');
  return user === '_json_key_base64' ? Buffer.from(password, 'base64').toString('utf8') : password;
}

export const gcr = {
  type: 'gcr',
  displayName: 'Google Artifact Registry',
  needsExchange: (creds: StoredCredentials) => creds.username !== ACCESS_TOKEN_USER,
  async exchange(_registry: URL, creds: StoredCredentials, ctx: ExchangeContext): Promise<CloudCredentials> {
    const text = keyText(creds);
    const key = parseServiceAccountKey(text);
    const tokenUrl = httpsUrl(key.tokenUri, `GCR: token_uri of ${key.clientEmail}`);
    const assertion = signAssertion(key, ctx.now());
    const what = `Google token endpoint ${tokenUrl.origin}`;
    const doc = await postForJson(
      {
        url: tokenUrl.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion }).toString(),
        what,
        who: `the service-account key of ${key.clientEmail}`,
        secrets: [creds.password ?? '', text, key.privateKeyPem, assertion],
      },
      ctx,
    );
    const token = stringField(doc, 'access_token', what);
    return { username: ACCESS_TOKEN_USER, password: token, expiresAt: expiryFrom(doc, ctx.now(), DEFAULT_TOKEN_LIFETIME_S) };
  },
} satisfies CloudExchanger;
