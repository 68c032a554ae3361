/**
 * Policy: what the user decided about findings, applied to a ScanReport by pure functions.
 * VEX statements and ignore-file entries *suppress* findings (moved to `report.suppressed`,
 * with the reason); `--severity` / `--ignore-unfixed` only filter what is shown; `--fail-on`
 * looks at the findings that remain. The engine never imports this folder.
 */
import type { ScanReport } from '../report/types.js';
import { applyFilters, type FilterOptions } from './filters.js';
import { applyIgnores, type IgnoreEntry } from './ignore-file.js';
import { applyVex, type VexDocument } from './vex.js';

export { applyFilters, failOn, withFindings, type FilterOptions } from './filters.js';
export { applyVex, loadVex, parseVex, type VexDocument, type VexStatement } from './vex.js';
export { applyIgnores, DEFAULT_IGNORE_FILE, isExpired, loadIgnoreFile, parseIgnoreFile, type IgnoreEntry } from './ignore-file.js';
export { purlMatches } from './purl-match.js';
export { productMatchesImage } from './image-match.js';

export interface PolicyOptions extends FilterOptions {
  vex?: readonly VexDocument[];
  ignores?: readonly IgnoreEntry[];
  /** For ignore-file expiry; defaults to the current time. */
  now?: Date;
}

/** All of it, in order: VEX, then the ignore file, then the display filters. */
export function applyPolicy(report: ScanReport, options: PolicyOptions): ScanReport {
  let r = report;
  if (options.vex?.length) r = applyVex(r, options.vex);
  if (options.ignores?.length) r = applyIgnores(r, options.ignores, options.now ?? new Date());
  return applyFilters(r, options);
}
