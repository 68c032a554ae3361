import type { CloudExchangeOptions } from './token-http.js';

/** What the controller stores for a registry: username and (decrypted) password, either optional. */
export interface StoredCredentials {
  username?: string;
  password?: string;
}

/** What a registry takes with Basic auth after an exchange. */
export interface CloudCredentials {
  username: string;
  password: string;
  /** When the credential stops working: exchange again before then. */
  expiresAt?: Date;
}

export type CloudRegistryType = 'ecr' | 'gcr' | 'acr';

/** Options with the clock resolved. */
export type ExchangeContext = CloudExchangeOptions & { now: () => number };

/** One cloud's token exchange. */
export interface CloudExchanger {
  readonly type: CloudRegistryType;
  /** For messages: `Amazon ECR`. */
  readonly displayName: string;
  /** False when the stored credentials are already what the registry takes (an ACR admin user, a Google access token). */
  needsExchange(creds: StoredCredentials): boolean;
  /** Trades the stored credentials at the cloud's token service for ones the registry takes. */
  exchange(registry: URL, creds: StoredCredentials, ctx: ExchangeContext): Promise<CloudCredentials>;
}
