import type { Severity } from '../report/types.js';

/** A feed's own rating word → Vigil severity ("MODERATE" from GHSA, "unimportant" from Debian). */
export function severityFromWord(word: string | undefined | null): Severity | undefined {
  if (!word) return undefined;
  switch (word.trim().toLowerCase().replace(/\*+$/, '')) {
    case 'critical':
      return 'critical';
    case 'high':
    case 'important':
      return 'high';
    case 'medium':
    case 'moderate':
      return 'medium';
    case 'low':
      return 'low';
    case 'negligible':
    case 'unimportant':
      return 'negligible';
    default:
      return undefined;
  }
}
