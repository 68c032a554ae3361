/**
 * OSV range evaluation (https://ossf.github.io/osv-schema/#evaluation), for one version against
 * an entry's ranges and explicit `versions` list, plus the fix that applies to that version.
 *
 * - Events of a range are sorted by version here (OSV does not require them sorted);
 *   `introduced: "0"` is the beginning of time. Walking them in order, `introduced` opens the
 *   range, `fixed` closes it (the fixed version itself is not affected), `last_affected` closes
 *   it after that version; `limit` events bound the whole range (the version must be below one).
 * - `fixed` is the fix for *this* version: the lowest `fixed` above it, among the ranges that
 *   hold it, that is itself unaffected. With several ranges (a distro backport, several release
 *   lines) that is the fix closing the user's own range, not the first or last fix listed.
 * - Nothing throws: a version the scheme cannot read is "not comparable" (not affected, unless
 *   listed verbatim in `versions`), and `invalid: true` lets the matcher warn. A range with an
 *   unreadable event is skipped the same way.
 */
import type { RangeEvent } from '../vulndb/types.js';
import type { VersionScheme } from './types.js';

export interface AffectedResult {
  affected: boolean;
  /** The first version that fixes the range holding the installed version, when known. */
  fixed?: string;
  /** The installed version, or an event of a range, was not readable in this scheme. */
  invalid?: true;
}

type Kind = 'introduced' | 'fixed' | 'last_affected' | 'limit';
interface Event {
  kind: Kind;
  version: string;
}

const KIND_ORDER: Record<Kind, number> = { introduced: 0, last_affected: 1, fixed: 2, limit: 3 };

function toEvent(e: RangeEvent): Event | null {
  if ('introduced' in e) return { kind: 'introduced', version: e.introduced };
  if ('fixed' in e) return { kind: 'fixed', version: e.fixed };
  if ('last_affected' in e) return { kind: 'last_affected', version: e.last_affected };
  if ('limit' in e) return { kind: 'limit', version: e.limit };
  return null;
}

/** A range with its events sorted, or null when one of its versions is unreadable. */
function prepare(scheme: VersionScheme, range: RangeEvent[]): Event[] | null {
  const events: Event[] = [];
  for (const raw of range) {
    const e = toEvent(raw);
    if (!e) return null;
    const special = (e.kind === 'introduced' && e.version === '0') || (e.kind === 'limit' && e.version === '*');
    if (!special && !scheme.isValid(e.version)) return null;
    events.push(e);
  }
  const rank = (e: Event): number => (e.kind === 'introduced' && e.version === '0' ? -1 : e.kind === 'limit' && e.version === '*' ? 1 : 0);
  return events.sort((a, b) => {
    const r = rank(a) - rank(b);
    if (r !== 0 || rank(a) !== 0) return r;
    // On a tie, introduced before fixed: "introduced X, fixed X" is an empty range.
    return scheme.compare(a.version, b.version) || KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
  });
}

function inRange(scheme: VersionScheme, version: string, events: Event[]): boolean {
  const limits = events.filter((e) => e.kind === 'limit');
  if (limits.length > 0 && !limits.some((l) => l.version === '*' || scheme.compare(version, l.version) < 0)) return false;
  let affected = false;
  for (const e of events) {
    if (e.kind === 'introduced') {
      if (e.version === '0' || scheme.compare(version, e.version) >= 0) affected = true;
    } else if (e.kind === 'fixed') {
      if (scheme.compare(version, e.version) >= 0) affected = false;
    } else if (e.kind === 'last_affected') {
      if (scheme.compare(version, e.version) > 0) affected = false;
    }
  }
  return affected;
}

export function isAffected(
  scheme: VersionScheme,
  version: string,
  ranges: RangeEvent[][],
  versions?: string[],
): AffectedResult {
  const prepared = ranges.map((r) => prepare(scheme, r));
  const sorted = prepared.filter((r): r is Event[] => r !== null);
  const someRangeInvalid = sorted.length !== prepared.length;
  const flag = (r: AffectedResult, invalid: boolean): AffectedResult => (invalid ? { ...r, invalid: true } : r);

  if (!scheme.isValid(version)) {
    // Not comparable: only a verbatim entry of the explicit list can match.
    return { affected: versions?.includes(version) ?? false, invalid: true };
  }
  const listed = (v: string): boolean =>
    versions?.some((x) => x === v || (scheme.isValid(x) && scheme.compare(x, v) === 0)) ?? false;
  const holding = (v: string): Event[][] => sorted.filter((events) => inRange(scheme, v, events));
  const affectedAt = (v: string): boolean => listed(v) || holding(v).length > 0;

  const holders = holding(version);
  if (holders.length === 0) return flag({ affected: listed(version) }, someRangeInvalid);
  return flag({ affected: true, ...fixFor(scheme, version, holders, affectedAt, holding) }, someRangeInvalid);
}

/**
 * The lowest `fixed` above the version among the ranges holding it; if that fix is itself
 * affected (it opens a further range), follow on from there.
 */
function fixFor(
  scheme: VersionScheme,
  version: string,
  holders: Event[][],
  affectedAt: (v: string) => boolean,
  holding: (v: string) => Event[][],
): { fixed?: string } {
  let current = version;
  let ranges = holders;
  for (let step = 0; step < 32; step++) {
    const fixes = ranges
      .flatMap((events) => events.filter((e) => e.kind === 'fixed').map((e) => e.version))
      .filter((f) => scheme.compare(f, current) > 0)
      .sort((a, b) => scheme.compare(a, b));
    const next = fixes[0];
    if (next === undefined) return {};
    if (!affectedAt(next)) return { fixed: next };
    current = next;
    ranges = holding(next);
    if (ranges.length === 0) return {}; // affected only through the explicit list
  }
  return {};
}
