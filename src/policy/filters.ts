import { SEVERITIES, type Finding, type ScanReport, type Severity } from '../report/types.js';
import { countSeverities } from '../report/json/canonical.js';

/**
 * The report with a new list of findings and the summary counted again, so that the summary
 * always describes the findings the report shows.
 */
export function withFindings(report: ScanReport, vulnerabilities: Finding[]): ScanReport {
  return { ...report, vulnerabilities, summary: countSeverities(vulnerabilities) };
}

export interface FilterOptions {
  /** `--severity`: keep only these severities. */
  severities?: readonly Severity[];
  /** `--ignore-unfixed`: drop findings without a fixed version. */
  ignoreUnfixed?: boolean;
}

/**
 * `--severity` and `--ignore-unfixed` (moved from the CLI, same behaviour). These are display
 * choices, not decisions about a finding: what they drop is not listed under `suppressed`.
 */
export function applyFilters(report: ScanReport, options: FilterOptions): ScanReport {
  const { severities, ignoreUnfixed } = options;
  if (!severities && !ignoreUnfixed) return report;
  return withFindings(
    report,
    report.vulnerabilities.filter(
      (v) => (!severities || severities.includes(v.severity)) && (!ignoreUnfixed || (v.fixedVersion ?? null) !== null),
    ),
  );
}

/**
 * `--fail-on`: is there a finding at or above `threshold`? Only the report's findings count:
 * suppressed ones (VEX, ignore file) were moved out of `vulnerabilities` and never fail a build.
 * A finding of unknown severity counts only for `--fail-on unknown` (fail on anything).
 */
export function failOn(report: ScanReport, threshold: Severity): boolean {
  const rank = (s: Severity): number => SEVERITIES.indexOf(s);
  return report.vulnerabilities.some((v) =>
    v.severity === 'unknown' ? threshold === 'unknown' : rank(v.severity) <= rank(threshold),
  );
}
