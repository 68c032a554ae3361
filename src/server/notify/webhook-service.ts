/**
 * Webhooks (NeuVector's notification targets): CRUD over `webhooks`, the signing secret sealed
 * with the data dir's key, every change an audit event (never with the secret, nor the URL's
 * path, which for Slack is itself the credential), and the list of targets the notifier reads.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { EVENT_CATEGORIES, type AuditLog, type AuditView } from '../auth/audit.js';
import type { Principal } from '../auth/auth-service.js';
import { badRequest, conflict, notFound } from '../errors.js';
import type { SecretBox } from '../secrets.js';
import type { Database, WebhookFormat, WebhookRow, WebhooksTable } from '../store/schema.js';

/** Categories a webhook may ask for: everything but its own, whose events are never delivered (no loops). */
export const WEBHOOK_CATEGORIES = EVENT_CATEGORIES.filter((c) => c !== 'webhook');
const DEFAULT_CACHE_TTL_MS = 5_000;

export interface WebhookInput {
  name: string;
  url: string;
  format?: WebhookFormat;
  categories?: string[];
  enabled?: boolean;
  secret?: string | null;
}

export interface WebhookView {
  id: string;
  name: string;
  url: string;
  format: WebhookFormat;
  categories: string[];
  enabled: boolean;
  /** The secret itself never leaves the server. */
  hasSecret: boolean;
  createdAt: string;
  updatedAt: string;
}

/** What the notifier needs to deliver: the view's fields plus the opened secret. */
export interface WebhookTarget {
  id: string;
  name: string;
  url: string;
  format: WebhookFormat;
  categories: readonly string[];
  enabled: boolean;
  secret: string | null;
  /** Set when the stored secret does not open (the data dir's key was replaced): never send unsigned. */
  secretError?: string;
}

export interface DeliveryResult {
  ok: boolean;
  /** HTTP status, 0 when there was no answer. */
  status: number;
  message: string;
  attempts: number;
}

export interface TestSender {
  sendOnce(target: WebhookTarget, e: AuditView): Promise<DeliveryResult>;
}

/** http(s) only, no user:password@ (the secret belongs in `secret`), no #fragment (never sent). */
export function checkWebhookUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw badRequest(`url ${JSON.stringify(url)} is not a URL; use https://host/path`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw badRequest(`url must be http:// or https://, not ${u.protocol}`);
  if (u.username || u.password) throw badRequest('url must not carry credentials; give a secret to sign the body with instead');
  if (u.hash) throw badRequest('url must not have a #fragment');
  return u.href;
}

export function checkCategories(categories: readonly string[]): string[] {
  for (const c of categories) {
    if (c === 'webhook') throw badRequest('categories: webhook events are never delivered to webhooks (a failing webhook would notify itself)');
    if (!(WEBHOOK_CATEGORIES as readonly string[]).includes(c)) throw badRequest(`categories: unknown category ${JSON.stringify(c)}; one of ${WEBHOOK_CATEGORIES.join(', ')}`);
  }
  return [...new Set(categories)];
}

/** Does the event go to this target? `webhook.*` never does. */
export function wants(t: Pick<WebhookTarget, 'enabled' | 'categories'>, e: Pick<AuditView, 'category'>): boolean {
  return t.enabled && e.category !== 'webhook' && (t.categories.length === 0 || t.categories.includes(e.category));
}

/** The origin only: what an audit event or a log line may say about a webhook's URL. */
export const hostOf = (url: string) => new URL(url).origin;

export class WebhookService {
  private cache: { until: number; targets: Promise<WebhookTarget[]> } | null = null;
  private readonly cacheTtlMs: number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly audit: AuditLog,
    private readonly box: SecretBox,
    private readonly now: () => Date,
    o: { cacheTtlMs?: number } = {},
  ) {
    this.cacheTtlMs = o.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
  }

  async list(): Promise<WebhookView[]> {
    return (await this.db.selectFrom('webhooks').selectAll().orderBy('name').execute()).map(toView);
  }

  async get(id: string): Promise<WebhookView> {
    return toView(await this.row(id));
  }

  private async row(id: string): Promise<WebhookRow> {
    const r = await this.db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw notFound(`no webhook ${id}`);
    return r;
  }

  private async nameFree(name: string, except?: string): Promise<void> {
    let q = this.db.selectFrom('webhooks').select('id').where('name', '=', name);
    if (except) q = q.where('id', '!=', except);
    if (await q.executeTakeFirst()) throw conflict(`a webhook named ${name} exists`);
  }

  async create(actor: Principal, o: WebhookInput, ip: string): Promise<WebhookView> {
    const url = checkWebhookUrl(o.url);
    const categories = checkCategories(o.categories ?? []);
    await this.nameFree(o.name);
    const id = randomUUID();
    const at = this.now().toISOString();
    const row: WebhooksTable = {
      id,
      name: o.name,
      url,
      format: o.format ?? 'json',
      categories: JSON.stringify(categories),
      enabled: o.enabled === false ? 0 : 1,
      secret_enc: o.secret ? this.box.seal(o.secret, id) : null,
      created_at: at,
      updated_at: at,
    };
    await this.db.insertInto('webhooks').values(row).execute();
    this.invalidate();
    await this.audit.record({
      actor: actor.username,
      action: 'webhook.create',
      target: id,
      detail: { name: row.name, host: hostOf(url), format: row.format, categories, enabled: row.enabled === 1, hasSecret: row.secret_enc !== null },
      ip,
    });
    return toView(row);
  }

  async update(actor: Principal, id: string, o: Partial<WebhookInput>, ip: string): Promise<WebhookView> {
    const cur = await this.row(id);
    const set: Partial<WebhooksTable> = {};
    if (o.url !== undefined) set.url = checkWebhookUrl(o.url);
    if (o.categories !== undefined) set.categories = JSON.stringify(checkCategories(o.categories));
    if (o.name !== undefined && o.name !== cur.name) {
      await this.nameFree(o.name, id);
      set.name = o.name;
    }
    if (o.format !== undefined) set.format = o.format;
    if (o.enabled !== undefined) set.enabled = o.enabled ? 1 : 0;
    if (o.secret !== undefined) set.secret_enc = o.secret ? this.box.seal(o.secret, id) : null;
    set.updated_at = this.now().toISOString();
    await this.db.updateTable('webhooks').set(set).where('id', '=', id).execute();
    this.invalidate();
    const next = { ...cur, ...set };
    // Field names only: the trail never holds the secret nor the URL's path.
    const changed = Object.keys(set)
      .filter((k) => k !== 'updated_at')
      .map((k) => (k === 'secret_enc' ? 'secret' : k));
    await this.audit.record({ actor: actor.username, action: 'webhook.update', target: id, detail: { name: next.name, host: hostOf(next.url), changed }, ip });
    return toView(next);
  }

  async delete(actor: Principal, id: string, ip: string): Promise<void> {
    const cur = await this.row(id);
    await this.db.deleteFrom('webhooks').where('id', '=', id).execute();
    this.invalidate();
    await this.audit.record({ actor: actor.username, action: 'webhook.delete', target: id, detail: { name: cur.name, host: hostOf(cur.url) }, ip });
  }

  /** Sends a `webhook.test` event once, now, whether the webhook is enabled or not; audited with its outcome. */
  async test(actor: Principal, id: string, ip: string, sender: TestSender): Promise<DeliveryResult> {
    const target = this.toTarget(await this.row(id));
    const event: AuditView = {
      id: randomUUID(),
      type: 'audit',
      at: this.now().toISOString(),
      category: 'webhook',
      actor: actor.username,
      action: 'webhook.test',
      target: id,
      detail: { name: target.name, message: 'This is a test notification from Vigil.' },
      ip,
    };
    const result = await sender.sendOnce(target, event);
    await this.audit.record({ actor: actor.username, action: 'webhook.test', target: id, detail: { name: target.name, host: hostOf(target.url), ok: result.ok, status: result.status }, ip });
    return result;
  }

  /**
   * The enabled targets, secrets opened, for the notifier. Cached for a few seconds, and dropped
   * at every change made here; the TTL covers changes made by another controller on the same
   * PostgreSQL database.
   */
  targets(): Promise<WebhookTarget[]> {
    const now = performance.now();
    if (this.cache && this.cache.until > now) return this.cache.targets;
    const targets = this.db
      .selectFrom('webhooks')
      .selectAll()
      .where('enabled', '=', 1)
      .orderBy('name')
      .execute()
      .then((rows) => rows.map((r) => this.toTarget(r)));
    const entry = { until: now + this.cacheTtlMs, targets };
    this.cache = entry;
    // A failed read is not cached.
    targets.catch(() => {
      if (this.cache === entry) this.cache = null;
    });
    return targets;
  }

  /** The current state of one enabled target, or null when it was deleted or disabled. */
  async target(id: string): Promise<WebhookTarget | null> {
    return (await this.targets()).find((t) => t.id === id) ?? null;
  }

  invalidate(): void {
    this.cache = null;
  }

  private toTarget(r: WebhookRow): WebhookTarget {
    const v = toView(r);
    const t: WebhookTarget = { id: v.id, name: v.name, url: v.url, format: v.format, categories: v.categories, enabled: v.enabled, secret: null };
    if (r.secret_enc) {
      try {
        t.secret = this.box.open(r.secret_enc, r.id);
      } catch {
        t.secretError = "the stored secret does not decrypt with secret.key (was the data dir's key replaced?); set the webhook's secret again";
      }
    }
    return t;
  }
}

function toView(r: WebhookRow): WebhookView {
  return {
    id: r.id,
    name: r.name,
    url: r.url,
    format: r.format,
    categories: JSON.parse(r.categories) as string[],
    enabled: r.enabled === 1,
    hasSecret: r.secret_enc !== null,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
