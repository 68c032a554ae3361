import type { OsInfo, Package, Warning } from '../core/types.js';
import type { Finding, FindingStatus } from '../report/types.js';
import type { AffectedEntry, VulnDbReader, VulnerabilityRecord } from '../vulndb/types.js';
import type { VersionOps } from './versions.js';

/**
 * A finding as the matcher returns it: the SPEC fields plus the record's text and dates, which
 * the JSON report carries when the DB has them (SPEC lists title and link; description,
 * published and modified are extra, optional fields).
 */
export interface MatchFinding extends Finding {
  description?: string;
  published?: string;
  modified?: string;
}

export interface MatchResult {
  findings: MatchFinding[];
  warnings: Warning[];
}

export interface MatchOptions {
  /** The clock for end-of-life checks (injected so tests are deterministic). */
  now?: Date;
}

/** What a matcher says about one affected entry that holds the installed version. */
export interface Candidate {
  entry: AffectedEntry;
  status: FindingStatus;
  /** The fix of the range that holds the installed version; null when none exists. */
  fixedVersion: string | null;
}

/** Everything a matcher may use: the OS, the (cached) DB, the version schemes, a warning sink. */
export interface MatchContext {
  readonly os: OsInfo | undefined;
  readonly db: CachedDb;
  readonly versions: VersionOps;
  warn(warning: Warning): void;
}

/** The reader with per-scan caches: many binaries share a source package, many findings a CVE. */
export interface CachedDb {
  readonly reader: VulnDbReader;
  affected(namespace: string, pkg: string): readonly AffectedEntry[];
  vulnerability(id: string): VulnerabilityRecord | undefined;
}

/** One matcher per kind of package (SPEC: OS data for OS packages, OSV data for the rest). */
export interface Matcher {
  readonly id: string;
  /** Cheap test on the package alone: is this matcher responsible for it? */
  handles(pkg: Package): boolean;
  /** The affected entries that hold the installed version (the caller merges aliases). */
  match(pkg: Package, ctx: MatchContext): { version: string; scheme: string; candidates: Candidate[] } | undefined;
}
