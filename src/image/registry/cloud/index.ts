/**
 * Cloud registries whose stored credentials are not what the registry takes: ECR (IAM keys),
 * GCR / Artifact Registry (a service-account key) and ACR (a service principal). Each is traded
 * at the cloud's token service for a short-lived registry password, reused until shortly
 * before it expires. Every other registry type keeps its credentials as stored.
 *
 *   const creds = await exchangeCredentials(row.type, row.url, { username, password },
 *     { caPems: row.caPem ? [row.caPem] : [], useProxy: row.useProxy, insecure: row.insecure });
 *   await pingRegistry(row.url, creds, …)   // or RegistryClient / openRegistryImage
 */
import { VigilError } from '../../../core/errors.js';
import { acr } from './acr.js';
import { CloudCredentialCache } from './credential-cache.js';
import { ecr } from './ecr.js';
import type { CloudExchanger, CloudRegistryType, StoredCredentials } from './exchanger.js';
import { gcr } from './gcr.js';
import type { CloudExchangeOptions } from './token-http.js';

export type { CloudCredentials, CloudExchanger, CloudRegistryType, StoredCredentials } from './exchanger.js';
export type { CloudExchangeOptions } from './token-http.js';
export { CloudCredentialCache, REFRESH_MARGIN_MS } from './credential-cache.js';
export { parseEcrHost } from './ecr.js';
export { parseServiceAccountKey } from './gcr.js';
export { parseServicePrincipal } from './acr.js';

/** The exchanges by registry type; a type missing here keeps its credentials. */
export const CLOUD_EXCHANGERS: ReadonlyMap<CloudRegistryType, CloudExchanger> = new Map<CloudRegistryType, CloudExchanger>([
  ['ecr', ecr],
  ['gcr', gcr],
  ['acr', acr],
]);

export function isCloudRegistryType(type: string): type is CloudRegistryType {
  return CLOUD_EXCHANGERS.has(type as CloudRegistryType);
}

/** The process-wide cache the controller shares between crawls, scans and "test connection". */
export const defaultCloudCredentialCache = new CloudCredentialCache();

export interface ExchangeOptions extends CloudExchangeOptions {
  /** Where exchanged credentials are kept; default the process-wide one, null for none. */
  cache?: CloudCredentialCache | null;
}

/**
 * The credentials to give the registry of `type` at `registryUrl` (its https origin): for ecr,
 * gcr and acr the result of the cloud's token exchange (with `expiresAt`), for every other type
 * `creds` as they are. Throws VigilError: kind 'usage' for malformed stored credentials (code
 * `cloud-credentials`), 'registry' when the cloud refuses or fails (`cloud-auth-refused`,
 * `cloud-auth-failed`, `too-large`), 'network' for connection, TLS and timeouts. No message
 * contains a secret.
 */
export async function exchangeCredentials(
  type: string,
  registryUrl: string,
  creds: StoredCredentials,
  o: ExchangeOptions = {},
): Promise<StoredCredentials & { expiresAt?: Date }> {
  const exchanger = CLOUD_EXCHANGERS.get(type as CloudRegistryType);
  if (!exchanger) return creds;
  let registry: URL;
  try {
    registry = new URL(registryUrl);
  } catch {
    throw new VigilError('cloud-credentials', `${exchanger.displayName}: registry URL ${JSON.stringify(registryUrl)} is not a URL`, { kind: 'usage' });
  }
  if (registry.protocol !== 'https:' && registry.protocol !== 'http:') {
    throw new VigilError('cloud-credentials', `${exchanger.displayName}: registry URL must be https:// (or http://), not ${registry.protocol}`, { kind: 'usage' });
  }
  if (!exchanger.needsExchange(creds)) return creds;
  const { cache = defaultCloudCredentialCache, ...rest } = o;
  const ctx = { ...rest, now: o.now ?? Date.now };
  const run = () => exchanger.exchange(registry, creds, ctx);
  if (!cache) return run();
  return cache.get(CloudCredentialCache.key(type, registry.origin, creds.username, creds.password), ctx.now, run);
}
