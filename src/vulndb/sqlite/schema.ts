/**
 * The on-disk layout of the vulnerability DB (one SQLite file). Bump SCHEMA_VERSION on any
 * incompatible change: readers refuse other versions (`db-schema`) rather than misread rows.
 *
 * Compactness, after grype's v6 DB: affected rows are small integers plus the package name;
 * namespaces, schemes and sources are interned in `strings`; identical range/version JSON is
 * stored once in `blobs`; the text of a vulnerability lives once in `vulnerabilities`.
 */
import type { AffectedStatus } from '../types.js';
import type { Severity } from '../../report/types.js';

export const SCHEMA_VERSION = 1;

/** SQLite page size: 4 KiB matches the OS page and keeps the (namespace, package) index shallow. */
export const PAGE_SIZE = 4096;

export const DDL = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE sources (name TEXT PRIMARY KEY, updated_at TEXT NOT NULL, records INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE strings (id INTEGER PRIMARY KEY, value TEXT NOT NULL UNIQUE);
CREATE TABLE blobs (id INTEGER PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE vulnerabilities (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  title TEXT, description TEXT, link TEXT, published TEXT, modified TEXT,
  severity INTEGER, cvss TEXT, cwes TEXT, source INTEGER
);
CREATE TABLE affected (
  namespace INTEGER NOT NULL,
  package TEXT NOT NULL,
  vulnerability INTEGER NOT NULL,
  scheme INTEGER NOT NULL,
  status INTEGER NOT NULL,
  severity INTEGER,
  source INTEGER NOT NULL,
  ranges INTEGER NOT NULL
);
CREATE INDEX affected_by_package ON affected (namespace, package);
CREATE TABLE aliases (vulnerability INTEGER NOT NULL, alias INTEGER NOT NULL, PRIMARY KEY (vulnerability, alias)) WITHOUT ROWID;
CREATE INDEX aliases_reverse ON aliases (alias, vulnerability);
CREATE TABLE kev (cve TEXT PRIMARY KEY, date_added TEXT NOT NULL, due_date TEXT, ransomware TEXT) WITHOUT ROWID;
CREATE TABLE epss (cve TEXT PRIMARY KEY, score REAL NOT NULL, percentile REAL NOT NULL) WITHOUT ROWID;
`;

/** Only while building: finds an existing blob by content. Dropped before VACUUM. */
export const BUILD_ONLY_DDL = `CREATE UNIQUE INDEX blobs_by_value ON blobs (value);`;
export const DROP_BUILD_ONLY = `DROP INDEX IF EXISTS blobs_by_value;`;

/** Small integer codes keep affected rows short; the order is part of the schema. */
export const STATUS_CODES: readonly AffectedStatus[] = ['fixed', 'affected', 'will_not_fix', 'fix_deferred', 'end_of_life'];
export const SEVERITY_CODES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'negligible', 'unknown'];

export function statusCode(s: AffectedStatus): number {
  return STATUS_CODES.indexOf(s);
}
export function severityCode(s: Severity | undefined): number | null {
  return s === undefined ? null : SEVERITY_CODES.indexOf(s);
}
export function severityFromCode(c: number | null | undefined): Severity | undefined {
  return c === null || c === undefined ? undefined : SEVERITY_CODES[c];
}
