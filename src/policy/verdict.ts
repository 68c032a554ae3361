/**
 * A pass/fail verdict on a report for CI: `--fail-on` (a severity or worse), counts (more than N
 * findings of a severity), and named vulnerabilities that must not be present. Pure, like the
 * rest of this folder; the controller answers `POST /api/v1/scan/repository` with it and the CLI
 * uses the same function, so both judge a report the same way.
 */
import { VigilError } from '../core/errors.js';
import { SEVERITIES, type Finding, type ScanReport, type Severity } from '../report/types.js';
import { applyFilters, failOn } from './filters.js';

export interface VerdictPolicy {
  /** Fail on a finding of this severity or worse (as `--fail-on`: `unknown` means any finding). */
  failOn?: Severity;
  /** Fail when there are more than N findings of a severity. */
  maxCounts?: Partial<Record<Severity, number>>;
  /** Fail when a finding's id or one of its aliases is listed (case-insensitive: `cve-2024-1` = `CVE-2024-1`). */
  denyIds?: readonly string[];
  /** Judge only findings that have a fix (as `--ignore-unfixed`). */
  ignoreUnfixed?: boolean;
}

export interface Verdict {
  pass: boolean;
  /** One sentence per rule that failed, naming the offending ids (at most MAX_NAMED of them). */
  reasons: string[];
}

/** How many ids a reason names before it says "and N more": a verdict must stay readable in a CI log. */
export const MAX_NAMED = 10;

function named(ids: readonly string[]): string {
  const unique = [...new Set(ids)];
  const shown = unique.slice(0, MAX_NAMED).join(', ');
  return unique.length > MAX_NAMED ? `${shown} and ${unique.length - MAX_NAMED} more` : shown;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Severities `failOn(report, t)` fails on: `t` and worse; `unknown` only for `unknown` (see filters.ts). */
function atOrAbove(t: Severity): Severity[] {
  return SEVERITIES.slice(0, SEVERITIES.indexOf(t) + 1);
}

function checkPolicy(policy: VerdictPolicy): void {
  if (policy.failOn !== undefined && !SEVERITIES.includes(policy.failOn)) {
    throw new VigilError('bad-policy', `failOn: unknown severity ${JSON.stringify(policy.failOn)} (valid: ${SEVERITIES.join(', ')})`, { kind: 'usage' });
  }
  for (const [s, n] of Object.entries(policy.maxCounts ?? {})) {
    if (!(SEVERITIES as readonly string[]).includes(s)) throw new VigilError('bad-policy', `maxCounts: unknown severity ${JSON.stringify(s)} (valid: ${SEVERITIES.join(', ')})`, { kind: 'usage' });
    if (n !== undefined && (!Number.isInteger(n) || n < 0)) throw new VigilError('bad-policy', `maxCounts.${s} must be a whole number of findings, 0 or more, not ${JSON.stringify(n)}`, { kind: 'usage' });
  }
}

/**
 * Judges the findings a report shows: suppressed ones (VEX, ignore file) are not in
 * `vulnerabilities` and never fail. Rules are checked in the order failOn, maxCounts, denyIds;
 * every failing rule gives a reason.
 */
export function evaluateVerdict(report: ScanReport, policy: VerdictPolicy): Verdict {
  checkPolicy(policy);
  const r = applyFilters(report, { ignoreUnfixed: !!policy.ignoreUnfixed });
  const unfixed = policy.ignoreUnfixed ? ' with a fix' : '';
  const reasons: string[] = [];

  if (policy.failOn && failOn(r, policy.failOn)) {
    const hits = applyFilters(r, { severities: atOrAbove(policy.failOn) }).vulnerabilities;
    const what = policy.failOn === 'unknown' ? 'of any severity' : `of severity ${policy.failOn}${policy.failOn === 'critical' ? '' : ' or worse'}`;
    reasons.push(`${plural(hits.length, 'finding')}${unfixed} ${what}: ${named(hits.map((f) => f.id))}`);
  }

  for (const s of SEVERITIES) {
    const max = policy.maxCounts?.[s];
    if (max === undefined || r.summary[s] <= max) continue;
    const hits = r.vulnerabilities.filter((f) => f.severity === s);
    reasons.push(`${plural(r.summary[s], `${s} finding`)}${unfixed}, more than the ${max} allowed: ${named(hits.map((f) => f.id))}`);
  }

  if (policy.denyIds?.length) {
    const denied = new Set(policy.denyIds.map((id) => id.trim().toUpperCase()));
    const hit = (f: Finding): string | undefined => [f.id, ...f.aliases].find((id) => denied.has(id.toUpperCase()));
    const hits = r.vulnerabilities.flatMap((f) => {
      const id = hit(f);
      if (!id) return [];
      return [`${id}${id === f.id ? '' : ` (as ${f.id})`} in ${f.package.name} ${f.package.version}`];
    });
    if (hits.length) reasons.push(`denied ${hits.length === 1 ? 'vulnerability' : 'vulnerabilities'} found: ${named(hits)}`);
  }

  return { pass: reasons.length === 0, reasons };
}
