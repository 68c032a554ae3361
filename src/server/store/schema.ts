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


// ---- Issue 6: run-time assets, the flattened findings and the Security Risks tables ----------

export const POLICY_MODES = ['discover', 'monitor', 'protect'] as const;
export type PolicyMode = (typeof POLICY_MODES)[number];

/** A platform the workloads run on: a Kubernetes cluster, an OpenShift cluster, a Docker engine. */
export interface PlatformsTable {
  id: string;
  name: string;
  /** kubernetes | openshift | docker | … */
  type: string;
  version: string | null;
  created_at: string;
  updated_at: string;
}

export interface NodesTable {
  id: string;
  name: string;
  /** "ubuntu 22.04", as images' `os` */
  os: string | null;
  kernel: string | null;
  address: string | null;
  platform_id: string | null;
  /** The group whose policy mode covers the node (NeuVector's `nodes` group by default). */
  group_name: string;
  /** running | stopped | unreachable */
  state: string;
  /** JSON object */
  labels: string;
  created_at: string;
  updated_at: string;
}

export interface GroupsTable {
  name: string;
  namespace: string | null;
  policy_mode: PolicyMode;
  comment: string | null;
  created_at: string;
  updated_at: string;
}

export interface ContainersTable {
  id: string;
  name: string;
  namespace: string | null;
  /** The service (deployment, compose service) the container belongs to. */
  service: string | null;
  group_name: string | null;
  /** The reference it was started from: registry/repo:tag */
  image_ref: string | null;
  /** The image's digest: joins the container to the scanned image's findings. */
  image_digest: string | null;
  node_id: string | null;
  /** running | stopped | exited; only running containers count as impacted */
  state: string;
  /** JSON object */
  labels: string;
  created_at: string;
  updated_at: string;
}

export interface ControllersTable {
  id: string;
  name: string;
  node_id: string | null;
  version: string | null;
  leader: number;
  state: string;
  created_at: string;
  updated_at: string;
}

export interface EnforcersTable {
  id: string;
  name: string;
  node_id: string | null;
  version: string | null;
  state: string;
  created_at: string;
  updated_at: string;
}

export const REPORTED_ASSET_KINDS = ['node', 'platform'] as const;
export type ReportedAssetKind = (typeof REPORTED_ASSET_KINDS)[number];

/** The latest vulnerability report of a node or a platform (images keep theirs in image_results). */
export interface AssetResultsTable {
  kind: ReportedAssetKind;
  id: string;
  os: string | null;
  db_built_at: string | null;
  matched_at: string;
  /** JSON {critical, …, total, fixable} */
  summary: string;
  report_hash: string;
  /** gzip + base64 of the ScanReport JSON (packages included) */
  report_gz: string;
  /** gzip + base64 of the Inventory JSON, when an inventory was submitted (it can be re-matched) */
  inventory_gz: string | null;
}

export type FindingAssetKind = 'image' | ReportedAssetKind;

/**
 * One row per asset × vulnerability × installed package, rewritten whenever an asset's findings
 * change: what the Security Risks view filters and aggregates in SQL. Containers have no rows of
 * their own; they join through `image_digest`.
 */
export interface FindingsTable {
  asset_kind: FindingAssetKind;
  /** image digest, node id or platform id */
  asset_id: string;
  vuln_id: string;
  package_name: string;
  package_type: string;
  installed_version: string;
  /** the installed package's purl, for OpenVEX products */
  purl: string | null;
  fixed_version: string | null;
  /** 5 critical … 0 unknown */
  severity_rank: number;
  score: number | null;
  kev: number;
  epss: number | null;
}

/** One row per vulnerability with its impact, kept up to date from `findings` (dirty rows are recomputed before a query). */
export interface RiskVulnsTable {
  vuln_id: string;
  severity: string;
  severity_rank: number;
  cvss2: number | null;
  cvss3: number | null;
  /** v3 when known, else v2, else the matcher's score */
  score: number | null;
  published: string | null;
  fixable: number;
  kev: number;
  epss: number | null;
  title: string | null;
  description: string | null;
  link: string | null;
  /** JSON array */
  aliases: string;
  /** JSON array of package names */
  packages: string;
  /** lower-case id, aliases, packages, title and description: what the text filter searches */
  search: string;
  images: number;
  nodes: number;
  containers: number;
  platforms: number;
  unaffected: number;
  protected: number;
  unprotected: number;
  dirty: number;
  /** builtAt of the vulnerability DB the text and scores came from */
  meta_built_at: string | null;
}

export const ACCEPT_SCOPES = ['global', 'image', 'namespace'] as const;
export type AcceptScope = (typeof ACCEPT_SCOPES)[number];

export interface RiskAcceptancesTable {
  id: string;
  vuln_id: string;
  scope: AcceptScope;
  /** '' for global, the image digest, or the namespace */
  target: string;
  comment: string;
  expires_at: string | null;
  created_by: string | null;
  created_at: string;
}

export type ComplianceAssetKind = 'image' | 'node' | 'container' | 'platform';

/** One row per asset × check of the latest compliance report the asset submitted. */
export interface ComplianceResultsTable {
  asset_kind: ComplianceAssetKind;
  asset_id: string;
  benchmark: string;
  check_id: string;
  level: string;
  title: string;
  type: string;
  profile: string;
  scored: number;
  automated: number;
  remediation: string;
  /** JSON array */
  tags: string;
  /** JSON array */
  evidence: string;
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
  platforms: PlatformsTable;
  nodes: NodesTable;
  groups: GroupsTable;
  containers: ContainersTable;
  controllers: ControllersTable;
  enforcers: EnforcersTable;
  asset_results: AssetResultsTable;
  findings: FindingsTable;
  risk_vulns: RiskVulnsTable;
  risk_acceptances: RiskAcceptancesTable;
  compliance_results: ComplianceResultsTable;
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
