/**
 * Amazon ECR: IAM credentials → a 12-hour registry password, through ECR's GetAuthorizationToken
 * (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetAuthorizationToken.html).
 *
 * Stored credentials:
 *   username  the IAM access key id (`AKIA…`, or `ASIA…` for temporary credentials)
 *   password  the secret access key, or `<secret access key>:<session token>` for temporary
 *             credentials (neither ever contains a colon, so the split is unambiguous)
 *   username `AWS` means the password is already a registry password (`aws ecr
 *   get-login-password`, valid 12 hours): passed through.
 * The region comes from the registry host `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`
 * (options.ecrRegion overrides it for other host names). The request is signed with AWS
 * Signature Version 4 by the `aws4` package; the answer's token is base64 `AWS:<password>`.
 */
import aws4 from 'aws4';
import { VigilError } from '../../../core/errors.js';
import type { CloudCredentials, CloudExchanger, ExchangeContext, StoredCredentials } from './exchanger.js';
import { httpsUrl, postForJson } from './token-http.js';

/** The user name of every ECR registry password. */
export const ECR_REGISTRY_USER = 'AWS';
const TARGET = 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken';
/** Signing name of the ECR API (the `ecr` in the credential scope). */
const SERVICE = 'ecr';
/** ECR's documented token lifetime, used when the answer leaves `expiresAt` out. */
const DEFAULT_LIFETIME_S = 12 * 3600;

export interface EcrHost {
  account: string;
  region: string;
  fips: boolean;
  /** `amazonaws.com` or `amazonaws.com.cn`. */
  domain: string;
}

const ECR_HOST = /^(\d{12})\.dkr\.ecr(-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.(amazonaws\.com(?:\.cn)?)$/;

/** The account and region of a private ECR registry host name, or undefined for any other host. */
export function parseEcrHost(hostname: string): EcrHost | undefined {
  const m = ECR_HOST.exec(hostname.toLowerCase());
  if (!m) return undefined;
  return { account: m[1]!, fips: m[2] !== undefined, region: m[3]!, domain: m[4]! };
}

/** The ECR API endpoint for a registry host (`https://api.ecr.<region>.amazonaws.com/`). */
export function ecrApiEndpoint(h: Pick<EcrHost, 'region' | 'fips' | 'domain'>): string {
  return h.fips ? `https://ecr-fips.${h.region}.${h.domain}/` : `https://api.ecr.${h.region}.${h.domain}/`;
}

function usage(message: string): VigilError {
  return new VigilError('cloud-credentials', message, { kind: 'usage' });
}

interface AwsKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

function awsKeys(creds: StoredCredentials): AwsKeys {
  const accessKeyId = creds.username?.trim() ?? '';
  // An access key id is upper-case letters and digits; anything else would break the credential scope.
  if (!/^[A-Za-z0-9]{8,128}$/.test(accessKeyId)) {
    throw usage('ECR: the username must be an AWS access key id (letters and digits, like AKIA…)');
  }
  const password = creds.password ?? '';
  const colon = password.indexOf(':');
  const secretAccessKey = colon < 0 ? password : password.slice(0, colon);
  const sessionToken = colon < 0 ? undefined : password.slice(colon + 1);
  if (!secretAccessKey) throw usage('ECR: the password must be the secret access key (or "<secret access key>:<session token>")');
  if (sessionToken !== undefined && !sessionToken) throw usage('ECR: the session token after ":" in the password is empty');
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

/** `X-Amz-Date` form of a time: 20150830T123600Z. */
export function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, '');
}

function decodeToken(doc: Record<string, unknown>, what: string, now: number): CloudCredentials {
  const fail = (why: string) => new VigilError('cloud-auth-failed', `${what}: ${why}`, { kind: 'registry' });
  const data = Array.isArray(doc.authorizationData) ? (doc.authorizationData[0] as Record<string, unknown> | undefined) : undefined;
  const token = data?.authorizationToken;
  if (typeof token !== 'string' || !token) throw fail('the answer has no authorizationData[0].authorizationToken');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token)) throw fail('the authorization token is not base64');
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon === decoded.length - 1) throw fail('the authorization token is not "user:password"');
  // JSON 1.1 timestamps are epoch seconds (with a fraction).
  const at = typeof data?.expiresAt === 'number' && Number.isFinite(data.expiresAt) ? data.expiresAt * 1000 : now + DEFAULT_LIFETIME_S * 1000;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), expiresAt: new Date(at) };
}

export const ecr = {
  type: 'ecr',
  displayName: 'Amazon ECR',
  needsExchange: (creds: StoredCredentials) => creds.username !== ECR_REGISTRY_USER,
  async exchange(registry: URL, creds: StoredCredentials, ctx: ExchangeContext): Promise<CloudCredentials> {
    const keys = awsKeys(creds);
    const host = parseEcrHost(registry.hostname);
    const region = ctx.ecrRegion ?? host?.region;
    if (!region) {
      throw usage(`ECR: ${registry.hostname} is not an ECR registry host (<account>.dkr.ecr.<region>.amazonaws.com); cannot tell its AWS region`);
    }
    if (!/^[a-z0-9-]{1,40}$/.test(region)) throw usage(`ECR: ${JSON.stringify(region)} is not an AWS region name`);
    const domain = host?.domain ?? (region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com');
    const endpoint = httpsUrl(ctx.ecrEndpoint ?? ecrApiEndpoint({ region, domain, fips: host?.fips ?? false }), 'ECR API endpoint');
    const body = '{}';
    const signed = aws4.sign(
      {
        method: 'POST',
        host: endpoint.host,
        path: endpoint.pathname + endpoint.search,
        service: SERVICE,
        region,
        body,
        headers: {
          'Content-Type': 'application/x-amz-json-1.1',
          'X-Amz-Target': TARGET,
          // The injected clock, not aws4's own `new Date()`.
          'X-Amz-Date': amzDate(ctx.now()),
        },
      },
      keys,
    );
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(signed.headers ?? {})) {
      // undici derives Host from the URL (the same host that was signed).
      if (v !== undefined && k.toLowerCase() !== 'host') headers[k] = String(v);
    }
    const what = `ECR GetAuthorizationToken at ${endpoint.origin}`;
    const doc = await postForJson(
      {
        url: endpoint.toString(),
        headers,
        body,
        what,
        who: `access key ${keys.accessKeyId}`,
        secrets: [keys.secretAccessKey, ...(keys.sessionToken ? [keys.sessionToken] : [])],
        // AWS JSON protocols report throttling as HTTP 400 with this error type.
        isThrottled: (res) => res.status === 400 && /^(Throttling|TooManyRequests|RequestLimitExceeded)/.test(String(res.headers['x-amzn-errortype'] ?? '')),
      },
      ctx,
    );
    return decodeToken(doc, what, ctx.now());
  },
} satisfies CloudExchanger;
