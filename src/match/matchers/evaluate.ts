import type { Package } from '../../core/types.js';
import type { AffectedEntry } from '../../vulndb/types.js';
import type { Candidate, MatchContext } from '../types.js';

/**
 * The entries of (namespace, name) that hold `version`, with the fix of the range that holds it.
 * Shared by every matcher: what differs between them is only how a package finds its key.
 */
export function candidatesFor(pkg: Package, namespace: string, name: string, version: string, ctx: MatchContext): Candidate[] {
  const out: Candidate[] = [];
  for (const entry of ctx.db.affected(namespace, name)) {
    const c = evaluateEntry(pkg, entry, version, ctx);
    if (c) out.push(c);
  }
  return out;
}

function evaluateEntry(pkg: Package, entry: AffectedEntry, version: string, ctx: MatchContext): Candidate | undefined {
  const hasBounds = entry.ranges.length > 0 || (entry.versions?.length ?? 0) > 0;
  // A distro saying "affected / will not fix / postponed / end of life" with no version bounds
  // means every version in the release: there is no fix to compare with.
  if (!hasBounds) {
    return entry.status === 'fixed' ? undefined : { entry, status: entry.status, fixedVersion: null };
  }
  const r = ctx.versions.evaluate(entry.scheme, version, entry.ranges, entry.versions);
  if (r.unknownScheme) {
    ctx.warn({
      code: 'version-scheme-unsupported',
      message: `${entry.vulnerability}: no version scheme "${entry.scheme}" for ${pkg.type} package ${pkg.name}; entry skipped`,
      location: pkg.locations[0],
    });
    return undefined;
  }
  if (r.invalid && !r.affected) {
    // One warning per unreadable installed version; one per entry when the DB's range is the problem.
    const installedInvalid = !ctx.versions.isValid(entry.scheme, version);
    ctx.warn({
      code: 'version-invalid',
      message: installedInvalid
        ? `${pkg.type} package ${pkg.name}: ${JSON.stringify(version)} is not a valid ${entry.scheme} version; not matched`
        : `${entry.vulnerability}: a range for ${entry.namespace}/${entry.package} is not valid ${entry.scheme}; ${pkg.name} ${version} not matched against it`,
      location: pkg.locations[0],
    });
    return undefined;
  }
  if (!r.affected) return undefined;
  if (entry.status === 'fixed') {
    // A fixed-status entry whose holding range has no fix (only introduced / last_affected) is open.
    return r.fixed !== undefined ? { entry, status: 'fixed', fixedVersion: r.fixed } : { entry, status: 'affected', fixedVersion: null };
  }
  return { entry, status: entry.status, fixedVersion: null };
}
