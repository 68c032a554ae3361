/**
 * Azure Container Registry: a service principal → an ACR refresh token, in two steps
 * (https://github.com/Azure/acr/blob/main/docs/AAD-OAuth.md):
 *   1. Microsoft Entra ID client-credentials grant (RFC 6749 §4.4) at
 *      <authority>/<tenant>/oauth2/v2.0/token, scope https://management.azure.com/.default;
 *   2. POST https://<registry>/oauth2/exchange (grant_type=access_token, service, tenant,
 *      access_token) → refresh_token.
 * The registry then takes 00000000-0000-0000-0000-000000000000 / <refresh token> with Basic auth.
 *
 * Stored credentials:
 *   username `<tenant id>/<client id>`  password = the client secret   (exchanged)
 *   username without a `/`              e.g. the registry's admin user  (passed through: ACR
 *                                       takes it with Basic auth as it is)
 * The tenant is the directory (tenant) id or a verified domain (contoso.onmicrosoft.com).
 * *.azurecr.cn and *.azurecr.us registries use their own clouds' authority and scope.
 */
import { VigilError } from '../../../core/errors.js';
import type { CloudCredentials, CloudExchanger, ExchangeContext, StoredCredentials } from './exchanger.js';
import { httpsUrl, postForJson, stringField } from './token-http.js';

export const ACR_REFRESH_TOKEN_USER = '00000000-0000-0000-0000-000000000000';
/** ACR refresh tokens live three hours; used when the token's own `exp` is unreadable. */
const DEFAULT_REFRESH_LIFETIME_S = 3 * 3600;

interface AzureCloud {
  authority: string;
  scope: string;
}

const PUBLIC_CLOUD: AzureCloud = { authority: 'https://login.microsoftonline.com', scope: 'https://management.azure.com/.default' };
/** Sovereign clouds by registry host suffix (their own Entra ID and Resource Manager). */
const CLOUDS: Array<[suffix: string, cloud: AzureCloud]> = [
  ['.azurecr.cn', { authority: 'https://login.chinacloudapi.cn', scope: 'https://management.chinacloudapi.cn/.default' }],
  ['.azurecr.us', { authority: 'https://login.microsoftonline.us', scope: 'https://management.usgovcloudapi.net/.default' }],
];

export function azureCloudFor(hostname: string): AzureCloud {
  const h = hostname.toLowerCase();
  return CLOUDS.find(([suffix]) => h.endsWith(suffix))?.[1] ?? PUBLIC_CLOUD;
}

export interface ServicePrincipal {
  tenant: string;
  clientId: string;
  secret: string;
}

function usage(message: string): VigilError {
  return new VigilError('cloud-credentials', message, { kind: 'usage' });
}

/** A `tenant/clientId` username names a service principal; any other is the admin user or a token. */
const isServicePrincipal = (creds: StoredCredentials): boolean => (creds.username ?? '').includes('/');

/** `tenant/clientId` and the client secret → a service principal. */
export function parseServicePrincipal(creds: StoredCredentials): ServicePrincipal {
  const user = creds.username ?? '';
  const slash = user.indexOf('/');
  if (slash < 0) throw usage('ACR: a service principal username is <tenant id>/<client id>');
  const tenant = user.slice(0, slash);
  const clientId = user.slice(slash + 1);
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,253})$/.test(tenant)) {
    throw usage(`ACR: ${JSON.stringify(tenant)} before "/" in the username is not a tenant id or domain; use <tenant id>/<client id>`);
  }
  if (!/^[A-Za-z0-9-]{1,128}$/.test(clientId)) {
    throw usage(`ACR: ${JSON.stringify(clientId)} after "/" in the username is not an application (client) id; use <tenant id>/<client id>`);
  }
  if (!creds.password) throw usage(`ACR: the password must be the client secret of ${clientId}`);
  return { tenant, clientId, secret: creds.password };
}

/** The `exp` of a JWT, unverified: only a hint for when to exchange again. */
export function jwtExpiry(token: string): Date | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' && Number.isFinite(exp) && exp > 0 ? new Date(exp * 1000) : undefined;
  } catch {
    return undefined;
  }
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };

export const acr = {
  type: 'acr',
  displayName: 'Azure Container Registry',
  needsExchange: isServicePrincipal,
  async exchange(registry: URL, creds: StoredCredentials, ctx: ExchangeContext): Promise<CloudCredentials> {
    const sp = parseServicePrincipal(creds);
    const cloud = azureCloudFor(registry.hostname);
    const authority = httpsUrl(ctx.azureAuthorityHost ?? cloud.authority, 'ACR: Entra ID authority');
    const tokenUrl = new URL(`${authority.pathname.replace(/\/+$/, '')}/${encodeURIComponent(sp.tenant)}/oauth2/v2.0/token`, authority.origin);
    const aadWhat = `Microsoft Entra ID ${authority.origin}`;
    const aad = await postForJson(
      {
        url: tokenUrl.toString(),
        headers: FORM,
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: sp.clientId, client_secret: sp.secret, scope: cloud.scope }).toString(),
        what: aadWhat,
        who: `client ${sp.clientId} of tenant ${sp.tenant}`,
        secrets: [sp.secret],
      },
      ctx,
    );
    const accessToken = stringField(aad, 'access_token', aadWhat);
    // The Entra token only has to live through the exchange; the refresh token has its own `exp`.

    const exchangeUrl = httpsUrl(new URL('/oauth2/exchange', registry.origin).toString(), `ACR: registry ${registry.origin}`, ctx.insecure === true);
    const acrWhat = `ACR token exchange at ${registry.origin}`;
    const doc = await postForJson(
      {
        url: exchangeUrl.toString(),
        headers: FORM,
        body: new URLSearchParams({ grant_type: 'access_token', service: registry.host, tenant: sp.tenant, access_token: accessToken }).toString(),
        what: acrWhat,
        who: `the Entra ID token of client ${sp.clientId}`,
        secrets: [sp.secret, accessToken],
        insecure: ctx.insecure === true,
      },
      ctx,
    );
    const refreshToken = stringField(doc, 'refresh_token', acrWhat);
    const expiresAt = jwtExpiry(refreshToken) ?? new Date(ctx.now() + DEFAULT_REFRESH_LIFETIME_S * 1000);
    return { username: ACR_REFRESH_TOKEN_USER, password: refreshToken, expiresAt };
  },
} satisfies CloudExchanger;
