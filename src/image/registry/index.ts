export { openRegistryImage, type RegistryImageOptions } from './open-registry-image.js';
export { RegistryClient, MANIFEST_MAX_BYTES, CONFIG_MAX_BYTES, type RegistryClientOptions, type FetchedManifest } from './client.js';
export { parseChallenges, type Challenge } from './challenge.js';
export { parseRetryAfter, isRetriableStatus, backoffDelay } from '../../core/retry.js';
export { pingRegistry, listCatalog, nextLink, RegistryBrowser, type PingOptions, type PingResult } from './ping.js';
