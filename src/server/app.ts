/**
 * The controller as a Fastify instance, in the fastify/demo order: third-party plugins
 * (OpenAPI, metrics), then domain services (store, auth), then routes. `buildApp` does not
 * listen; tests call `app.inject`, `startServer` adds the listener.
 */
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyServerOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AssetService } from './assets/asset-service.js';
import { AuthService } from './auth/auth-service.js';
import { registerAuthHook } from './plugins/auth.js';
import { registerConsole } from './plugins/console.js';
import { registerErrorHandler } from './plugins/error-handler.js';
import { registerMetrics } from './plugins/metrics.js';
import { registerOpenApi } from './plugins/openapi.js';
import { Notifier, type NotifierOptions } from './notify/notifier.js';
import { WebhookService } from './notify/webhook-service.js';
import { RegistryService } from './registries/registry-service.js';
import { RiskService } from './risks/risk-service.js';
import { ScanService, type ScanServiceOptions } from './scans/scan-service.js';
import { VulnDbHolder } from './scans/vulndb.js';
import { defaultDbPath } from '../vulndb/paths.js';
import { ROUTES } from './routes/index.js';
import { SecretBox } from './secrets.js';
import type { Store } from './store/open-store.js';
import type { VigilServer } from './types.js';

export interface BuildAppOptions {
  store: Store;
  /** Pino options, or false for none (tests). */
  logger?: FastifyServerOptions['logger'];
  /** Fastify's HTTPS options, when the app serves TLS itself. */
  https?: { cert: string | Buffer; key: string | Buffer } | null;
  /** Key for secrets at rest (`<data-dir>/secret.key`); tests get a random one. */
  secretKey?: Buffer;
  sessionTtlMs?: number;
  /** Injected clock, for lockout and expiry tests. */
  now?: () => Date;
  /** The vulnerability DB the controller matches with (default: as the CLI, $VIGIL_DB or the data dir's). */
  vulnDbPath?: string;
  /** Scan workers, timeouts, retries, poll intervals; the workers start with `app.scans.start()`. */
  scan?: Partial<ScanServiceOptions>;
  /** Webhook delivery: timeouts, attempts, backoff, queue bound (tests shorten them). */
  notify?: NotifierOptions;
}

export async function buildApp(o: BuildAppOptions): Promise<VigilServer> {
  const base = {
    logger: o.logger ?? false,
    // Request ids in every log line; a proxy's X-Request-Id is kept.
    requestIdHeader: 'x-request-id',
    forceCloseConnections: 'idle' as const,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array' as const, useDefaults: true } },
  };
  const app = (o.https ? Fastify({ ...base, https: o.https }) : Fastify(base)).withTypeProvider<TypeBoxTypeProvider>() as unknown as VigilServer;

  // 1. third-party plugins and cross-cutting hooks
  registerErrorHandler(app);
  await registerOpenApi(app);
  registerMetrics(app);

  // 2. domain services
  app.decorate('store', o.store);
  const auth = new AuthService(o.store.db, { sessionTtlMs: o.sessionTtlMs, now: o.now });
  app.decorate('auth', auth);
  app.decorate('registries', new RegistryService(o.store.db, auth.audit, new SecretBox(o.secretKey ?? randomBytes(32)), o.now ?? (() => new Date())));
  const webhooks = new WebhookService(o.store.db, auth.audit, new SecretBox(o.secretKey ?? randomBytes(32)), o.now ?? (() => new Date()));
  app.decorate('webhooks', webhooks);
  const notifier = new Notifier({ audit: auth.audit, source: webhooks, log: app.log.child({ component: 'notifier' }), metrics: app.metrics, now: o.now }, o.notify);
  app.decorate('notifier', notifier);
  // Pending deliveries are abandoned, not awaited: a shutdown must not wait on someone else's server.
  app.addHook('onClose', () => notifier.close());
  const vulndb = new VulnDbHolder(o.vulnDbPath ?? defaultDbPath(), { now: o.now });
  app.decorate('vulndb', vulndb);
  const registries = app.registries;
  const scans = new ScanService({ db: o.store.db, audit: auth.audit, registries, vulndb, metrics: app.metrics, now: o.now ?? (() => new Date()), log: app.log.child({ component: 'scans' }) }, o.scan);
  app.decorate('scans', scans);
  const assets = new AssetService(o.store.db, auth.audit, o.now ?? (() => new Date()), () => vulndb.reader);
  app.decorate('assets', assets);
  app.decorate('risks', new RiskService(o.store.db, auth.audit, assets, o.now ?? (() => new Date()), () => vulndb.reader, o.store.dialect));
  // Every scanned image's checks (I.4.x) land in Security Risks → Compliance.
  scans.onImageCompliance = (digest, report) => app.risks.submitCompliance('image', digest, report);
  // A background re-match of node inventories finishes before the store closes.
  app.addHook('onClose', () => app.risks.settled());
  // Running scans go back to the queue; the DB reader closes after them.
  app.addHook('onClose', async () => {
    await scans.close();
    vulndb.close();
  });
  registerAuthHook(app);

  // 3. routes
  for (const r of ROUTES) await app.register(r.plugin, { prefix: r.prefix });
  // 4. the web console at / (its client routes fall back to index.html; /api stays the API's)
  await registerConsole(app);
  await app.ready();
  return app;
}
