import type { Severity } from '../report/types.js';
import type { CvssEntry } from '../vulndb/types.js';

/**
 * CVSS v3.x first (what most feeds and users rate by), then v4.0 (newer but still sparse, and
 * not comparable with v3 scores), then v2.0 (legacy). Within a version NVD's own score first.
 */
const VERSION_RANK: Record<CvssEntry['version'], number> = { '3.1': 0, '3.0': 0, '4.0': 1, '2.0': 2 };

export function bestCvss(entries: readonly CvssEntry[]): CvssEntry | undefined {
  let best: CvssEntry | undefined;
  for (const e of entries) {
    if (!Number.isFinite(e.score)) continue;
    if (!best || rank(e) < rank(best)) best = e;
  }
  return best;
}

function rank(e: CvssEntry): number {
  const v = VERSION_RANK[e.version] ?? 3;
  // 3.1 before 3.0 of the same source; NVD ("nvd@nist.gov") before other scorers.
  return v * 10 + (e.source === 'nvd@nist.gov' ? 0 : 4) + (e.version === '3.0' ? 1 : 0);
}

/** The usual qualitative bands (CVSS v3.1 spec §5, applied to every version); 0 → unknown. */
export function severityFromScore(score: number): Severity {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score > 0) return 'low';
  return 'unknown';
}

/** A rating that says something: undefined and "unknown" mean "ask the next source". */
export function isRated(s: Severity | undefined): s is Exclude<Severity, 'unknown'> {
  return s !== undefined && s !== 'unknown';
}
