/**
 * The tables of the controller's store, as Kysely sees them. Types are kept portable between
 * SQLite and PostgreSQL: text ids (random UUIDs), ISO-8601 UTC text timestamps, integers for
 * flags and counters, JSON as text.
 */
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export const ROLES = ['admin', 'reader', 'ci'] as const;
export type Role = (typeof ROLES)[number];

export interface UsersTable {
  id: string;
  username: string;
  password_hash: string;
  role: Role;
  failed_logins: Generated<number>;
  locked_until: string | null;
  created_at: string;
  updated_at: string;
}

export interface SessionsTable {
  id: string;
  /** sha256 of the bearer token; the token itself is never stored. */
  token_hash: string;
  user_id: string;
  created_at: string;
  expires_at: string;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  token_hash: string;
  user_id: string;
  /** JSON array of scopes. */
  scopes: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
}

export interface AuditEventsTable {
  id: string;
  at: string;
  /** user name, or null for the server itself and for anonymous failures */
  actor: string | null;
  action: string;
  /** The action's prefix (`scan` for `scan.finished`), kept as a column to filter and index on; AuditLog sets it. */
  category: Generated<string>;
  target: string | null;
  /** JSON object with details */
  detail: string;
  ip: string | null;
}

export const REGISTRY_TYPES = ['docker-v2', 'harbor', 'gitlab', 'ghcr', 'nexus', 'jfrog', 'ecr', 'gcr', 'acr'] as const;
export type RegistryType = (typeof REGISTRY_TYPES)[number];

export interface RegistriesTable {
  id: string;
  name: string;
  type: RegistryType;
  /** http(s)://host[:port], no path */
  url: string;
  username: string | null;
  /** AES-256-GCM ciphertext (src/server/secrets.ts); never the password itself. */
  password_enc: string | null;
  /** JSON array of `org/repo:tag` patterns with `*` */
  filters: string;
  /** JSON: {"kind":"manual"} | {"kind":"interval","minutes":N} | {"kind":"cron","expression":"…"} */
  schedule: string;
  rescan_after_db_update: number;
  layered_scan: number;
  repo_limit: number | null;
  tag_limit: number | null;
  use_proxy: number;
  insecure: number;
  ca_pem: string | null;
  created_at: string;
  updated_at: string;
  last_crawl_at: string | null;
  /** 'running' | 'ok' | 'failed' */
  last_crawl_status: string | null;
  last_crawl_error: string | null;
  /** Scans of this registry that may run at once (per-registry limit). */
  scan_concurrency: Generated<number>;
}

/** One scanned image, by the digest its tag resolved to; the inventory stays for re-matching. */
export interface ImagesTable {
  digest: string;
  /** The platform manifest actually read, when `digest` is an index. */
  manifest_digest: string | null;
  config_digest: string;
  platform: string;
  /** "debian 12" */
  os: string | null;
  /** JSON array of {diffId, digest, size, createdBy} */
  layers: string;
  package_count: number;
  /** gzip + base64 of the Inventory JSON */
  inventory_gz: string;
  scanned_at: string;
  scan_ms: number;
}

/** The latest match of an image's inventory against the installed vulnerability DB. */
export interface ImageResultsTable {
  digest: string;
  db_built_at: string;
  matched_at: string;
  /** JSON {critical, high, medium, low, negligible, unknown, total, fixable} */
  summary: string;
  /** JSON sorted array of "vulnId package@version": what gained/lost is computed from */
  finding_keys: string;
  /** sha256 of the stored report JSON: an unchanged re-match rewrites no report */
  report_hash: string;
  /** gzip + base64 of the ScanReport JSON */
  report_gz: string;
}

export interface RegistryTagsTable {
  registry_id: string;
  repository: string;
  tag: string;
  digest: string;
  first_seen: string;
  last_seen: string;
}

export const JOB_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const JOB_SOURCES = ['registry', 'ci', 'api'] as const;
export type JobSource = (typeof JOB_SOURCES)[number];

/** The persistent scan queue. */
export interface ScanJobsTable {
  id: string;
  source: JobSource;
  registry_id: string | null;
  /** What a worker pulls: host[:port]/repo@digest (or a tag for CI scans before resolution). */
  reference: string;
  repository: string | null;
  tag: string | null;
  digest: string | null;
  priority: Generated<number>;
  status: JobStatus;
  attempts: Generated<number>;
  max_attempts: number;
  /** Not claimed before this time (backoff). */
  not_before: string;
  progress: string | null;
  error: string | null;
  requested_by: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export const WEBHOOK_FORMATS = ['json', 'slack'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** Notification targets (NeuVector's webhooks): events are POSTed to `url` as they are recorded. */
export interface WebhooksTable {
  id: string;
  name: string;
  /** http(s) URL without credentials */
  url: string;
  format: WebhookFormat;
  /** JSON array of event categories; empty = every category */
  categories: string;
  enabled: number;
  /** AES-256-GCM ciphertext of the HMAC key (src/server/secrets.ts); never the key itself. */
  secret_enc: string | null;
  created_at: string;
  updated_at: string;
}

export interface Database {
  users: UsersTable;
  registries: RegistriesTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  audit_events: AuditEventsTable;
  webhooks: WebhooksTable;
  images: ImagesTable;
  image_results: ImageResultsTable;
  registry_tags: RegistryTagsTable;
  scan_jobs: ScanJobsTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type ApiToken = Selectable<ApiTokensTable>;
export type AuditEvent = Selectable<AuditEventsTable>;
export type RegistryRow = Selectable<RegistriesTable>;
export type WebhookRow = Selectable<WebhooksTable>;
export type ImageRow = Selectable<ImagesTable>;
export type ScanJob = Selectable<ScanJobsTable>;
