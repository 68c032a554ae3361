import { VigilError } from '../core/errors.js';
import type { VersionScheme } from './types.js';

/**
 * The shared half of every scheme (renovate's `GenericVersioningApi` idea): a scheme writes only
 * `parse` (null for a string it cannot read) and `compareParsed`; validity, the sign
 * normalisation and the `invalid-version` error are the same everywhere.
 */
export function parsedApi<P>(
  id: string,
  parse: (version: string) => P | null,
  compareParsed: (a: P, b: P) => number,
): Pick<VersionScheme, 'isValid' | 'compare'> {
  const parseOrThrow = (v: string): P => {
    const p = typeof v === 'string' ? parse(v) : null;
    if (p === null) throw invalidVersion(id, v);
    return p;
  };
  return {
    isValid: (v) => typeof v === 'string' && parse(v) !== null,
    compare: (a, b) => Math.sign(compareParsed(parseOrThrow(a), parseOrThrow(b))),
  };
}

export function invalidVersion(scheme: string, version: unknown): VigilError {
  return new VigilError('invalid-version', `not a valid ${scheme} version: ${JSON.stringify(version)}`);
}

/** Three-way comparison of two non-negative decimal digit strings of any length. */
export function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Plain code-unit string comparison (C `strcmp`, Java `String.compareTo` sign). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
