/** Fastify declarations shared by the server: decorators, route config, the typed instance. */
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AssetService } from './assets/asset-service.js';
import type { AuthService, Principal } from './auth/auth-service.js';
import type { Scope } from './auth/scopes.js';
import type { Notifier } from './notify/notifier.js';
import type { WebhookService } from './notify/webhook-service.js';
import type { RegistryService } from './registries/registry-service.js';
import type { RiskService } from './risks/risk-service.js';
import type { ScanService } from './scans/scan-service.js';
import type { VulnDbHolder } from './scans/vulndb.js';
import type { Store } from './store/open-store.js';

declare module 'fastify' {
  interface FastifyInstance {
    store: Store;
    auth: AuthService;
    registries: RegistryService;
    scans: ScanService;
    vulndb: VulnDbHolder;
    webhooks: WebhookService;
    notifier: Notifier;
    assets: AssetService;
    risks: RiskService;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** The scope the route needs; `public` for the few routes that need no token. */
    scope?: Scope | 'public' | 'authenticated';
  }
}

/** A Fastify instance whose route schemas are TypeBox, so handlers get typed bodies and replies. */
export type VigilServer = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/** The caller, for handlers behind the auth hook (which guarantees one). */
export function principalOf(req: { principal: Principal | null }): Principal {
  if (!req.principal) throw new Error('route reached without a principal; is its scope public?');
  return req.principal;
}
