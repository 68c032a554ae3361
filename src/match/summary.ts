import { SEVERITIES, type Finding, type Severity } from '../report/types.js';

const RANK = Object.fromEntries(SEVERITIES.map((s, i) => [s, i])) as Record<Severity, number>;

/** Most severe first, then id, then package (name, version, type): the same order every run. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    (RANK[a.severity] ?? SEVERITIES.length) - (RANK[b.severity] ?? SEVERITIES.length) ||
    cmp(a.id, b.id) ||
    cmp(a.package.name, b.package.name) ||
    cmp(a.package.version, b.package.version) ||
    cmp(a.package.type, b.package.type)
  );
}

/** Findings per severity, every severity present (the report's `summary`): the reporters' count. */
export { countSeverities as summarize } from '../report/json/canonical.js';

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
