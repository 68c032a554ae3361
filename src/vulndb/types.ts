import type { Severity } from '../report/types.js';

/**
 * The vulnerability DB as the matcher sees it. The SQLite file (src/vulndb/sqlite/) implements
 * `VulnDbReader`; matcher tests may use an in-memory implementation built from small YAML files.
 *
 * Rows are small and indexed by (namespace, package); the text of a vulnerability (description,
 * CVSS, references) is stored once per vulnerability, never per affected row.
 */

/** How a package is affected, from the source's point of view. */
export type AffectedStatus =
  | 'fixed' // affected below a fixed version
  | 'affected' // affected, no fix exists (yet)
  | 'will_not_fix' // the distro will not fix it (Debian no-dsa "ignored", RHEL "Will not fix")
  | 'fix_deferred' // the distro postponed the fix (Debian no-dsa "postponed")
  | 'end_of_life'; // the release is out of support: no fix will come

/** One OSV-style range: ordered events, each with exactly one key. */
export type RangeEvent = { introduced: string } | { fixed: string } | { last_affected: string } | { limit: string };

export interface AffectedEntry {
  /** The record's own id (CVE-…, GHSA-…, GO-…, PYSEC-…, RUSTSEC-…, DSA is never an id). */
  vulnerability: string;
  /** See `namespace.ts`: "debian:12", "alpine:3.15", "npm", "pypi", "go", "maven", … */
  namespace: string;
  /** Normalised with `normalizePackageName(namespace, name)`; distros: the source package. */
  package: string;
  /** Version scheme id (src/versioning/): deb, apk, rpm, semver, npm, pep440, maven, go, gem, nuget, composer. */
  scheme: string;
  /** OSV semantics: affected when any range holds the version, or the version is in `versions`. */
  ranges: RangeEvent[][];
  versions?: string[];
  status: AffectedStatus;
  /** The source's own rating for this package (Debian urgency, Alpine none, GHSA severity …). */
  severity?: Severity;
  /** Feed name: "debian", "alpine", "osv-npm", "osv-pypi", "ghsa", "go", "rustsec", … */
  source: string;
}

export interface CvssEntry {
  version: '2.0' | '3.0' | '3.1' | '4.0';
  vector: string;
  /** Base score (computed from the vector when the feed does not give it). */
  score: number;
  /** Who scored it: "nvd@nist.gov", "ghsa", "debian", … */
  source?: string;
}

export interface VulnerabilityRecord {
  id: string;
  aliases: string[];
  title?: string;
  description?: string;
  link?: string;
  published?: string;
  modified?: string;
  /** A rating the record itself gives (GHSA "HIGH" → high), if any. */
  severity?: Severity;
  cvss: CvssEntry[];
  cwes: string[];
  source: string;
}

export interface KevEntry {
  cve: string;
  dateAdded: string;
  dueDate?: string;
  knownRansomwareCampaignUse?: string;
}

export interface EpssEntry {
  cve: string;
  score: number;
  percentile: number;
  date?: string;
}

export interface DbSourceInfo {
  name: string;
  /** Newest record time in this source (ISO 8601). */
  updatedAt: string;
  records: number;
}

export interface DbInfo {
  schemaVersion: number;
  builtAt: string;
  sources: DbSourceInfo[];
}

export interface VulnDbReader {
  info(): DbInfo;
  /** Every entry for a package in a namespace (name normalised by the caller). */
  affected(namespace: string, pkg: string): AffectedEntry[];
  /** The record text by its id, or by an alias (a CVE id finds the NVD record). */
  vulnerability(id: string): VulnerabilityRecord | undefined;
  kev(cve: string): KevEntry | undefined;
  epss(cve: string): EpssEntry | undefined;
  close(): void;
}
