import { getScheme } from '../versioning/index.js';
import { isAffected } from '../versioning/ranges.js';
import type { VersionScheme } from '../versioning/types.js';
import type { RangeEvent } from '../vulndb/types.js';

/** The answer for one installed version against one affected entry. */
export interface Evaluation {
  affected: boolean;
  /** The fix of the range that holds the version. */
  fixed?: string;
  /** The version (or a range bound) cannot be read by the scheme. */
  invalid?: boolean;
  /** No scheme with that id. */
  unknownScheme?: boolean;
}

/**
 * The matcher's view of src/versioning: schemes by id (looked up once each) and range checks
 * that never throw, so one unreadable version is a warning, not an aborted scan.
 */
export interface VersionOps {
  evaluate(schemeId: string, version: string, ranges: RangeEvent[][], versions: string[] | undefined): Evaluation;
  /** Whether the scheme reads the version (false for an unknown scheme). */
  isValid(schemeId: string, version: string): boolean;
  /** Negative, zero or positive; undefined when either side is unreadable. */
  compare(schemeId: string, a: string, b: string): number | undefined;
}

export function createVersionOps(): VersionOps {
  const schemes = new Map<string, VersionScheme | undefined>();
  const scheme = (id: string): VersionScheme | undefined => {
    if (!schemes.has(id)) {
      let s: VersionScheme | undefined;
      try {
        s = getScheme(id);
      } catch {
        s = undefined;
      }
      schemes.set(id, s);
    }
    return schemes.get(id);
  };
  return {
    evaluate(schemeId, version, ranges, versions) {
      const s = scheme(schemeId);
      if (!s) return { affected: false, unknownScheme: true };
      try {
        const r = isAffected(s, version, ranges, versions);
        const out: Evaluation = { affected: r.affected };
        if (r.fixed !== undefined) out.fixed = r.fixed;
        if (r.invalid) out.invalid = true;
        return out;
      } catch {
        return { affected: false, invalid: true };
      }
    },
    isValid(schemeId, version) {
      const s = scheme(schemeId);
      try {
        return !!s && s.isValid(version);
      } catch {
        return false;
      }
    },
    compare(schemeId, a, b) {
      const s = scheme(schemeId);
      if (!s) return undefined;
      try {
        return s.compare(a, b);
      } catch {
        return undefined;
      }
    },
  };
}
