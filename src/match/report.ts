import type { Inventory, Warning } from '../core/types.js';
import type { DbMeta, ScanReport } from '../report/types.js';
import type { DbInfo } from '../vulndb/types.js';
import { summarize } from './summary.js';
import type { MatchResult } from './types.js';

export interface BuildReportOptions {
  /** The clock for the DB age (tests inject one). */
  now?: Date;
  /** Warn when the DB was built longer ago than this many hours (e.g. 24 * 7). */
  maxDbAgeHours?: number;
  /**
   * The caller already knows the DB is stale: `true`, or the sentence to show (the SQLite
   * reader's `staleWarning()`). Warns regardless of `maxDbAgeHours`.
   */
  dbStale?: boolean | string;
}

/**
 * The SPEC JSON scan report from an inventory and its match result: every finding (the CLI
 * then applies `--severity`, `--ignore-unfixed`, VEX and the ignore file with src/policy's
 * `applyPolicy`, which counts the summary again). Warnings keep their order: the inventory's,
 * then the matcher's, then the DB's own (staleness).
 */
export function buildReport(inventory: Inventory, result: MatchResult, dbInfo: DbInfo | null, opts: BuildReportOptions = {}): ScanReport {
  const vulnerabilities = [...result.findings];

  const warnings: Warning[] = [...inventory.warnings, ...result.warnings];
  if (dbInfo) {
    const stale = staleWarning(dbInfo, opts);
    if (stale) warnings.push(stale);
  }
  return {
    schemaVersion: 1,
    artifact: inventory.artifact,
    db: dbInfo ? dbMeta(dbInfo) : null,
    packages: inventory.packages,
    vulnerabilities,
    summary: summarize(vulnerabilities),
    warnings,
  };
}

function dbMeta(info: DbInfo): DbMeta {
  return {
    schemaVersion: info.schemaVersion,
    builtAt: info.builtAt,
    sources: info.sources.map((s) => ({ name: s.name, updatedAt: s.updatedAt })),
  };
}

function staleWarning(info: DbInfo, opts: BuildReportOptions): Warning | undefined {
  const built = Date.parse(info.builtAt);
  const ageHours = Number.isFinite(built) ? ((opts.now ?? new Date()).getTime() - built) / 3_600_000 : undefined;
  const tooOld = opts.maxDbAgeHours !== undefined && ageHours !== undefined && ageHours > opts.maxDbAgeHours;
  if (!opts.dbStale && !tooOld) return undefined;
  if (typeof opts.dbStale === 'string' && opts.dbStale) return { code: 'db-stale', message: opts.dbStale };
  const age = ageHours === undefined ? 'of unknown age' : `${formatAge(ageHours)} old`;
  return {
    code: 'db-stale',
    message: `the vulnerability DB (built ${info.builtAt}) is ${age}: recent vulnerabilities may be missing; run "vigil db update"`,
  };
}

function formatAge(hours: number): string {
  return hours >= 48 ? `${Math.floor(hours / 24)} days` : `${Math.max(0, Math.floor(hours))} hours`;
}
