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
}

export interface Database {
  users: UsersTable;
  registries: RegistriesTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  audit_events: AuditEventsTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type ApiToken = Selectable<ApiTokensTable>;
export type AuditEvent = Selectable<AuditEventsTable>;
export type RegistryRow = Selectable<RegistriesTable>;
