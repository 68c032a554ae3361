import type { Inventory, Package, Warning } from '../core/types.js';
import { OS_PACKAGE_TYPES } from '../core/types.js';
import { osNamespace } from '../vulndb/namespace.js';
import type { AffectedEntry, VulnDbReader, VulnerabilityRecord } from '../vulndb/types.js';
import { endOfSupport } from './eol.js';
import { matcherFor } from './matchers/index.js';
import { compareFindings } from './summary.js';
import { buildFinding, groupCandidates } from './merge.js';
import type { CachedDb, MatchContext, MatchFinding, MatchOptions, MatchResult } from './types.js';
import { createVersionOps } from './versions.js';

export type { MatchFinding, MatchOptions, MatchResult } from './types.js';
export { buildReport, type BuildReportOptions } from './report.js';
export { compareFindings, summarize } from './summary.js';

/**
 * Inventory + DB → findings. Pure with respect to its inputs: the only I/O is through the
 * reader, so the server can re-match a stored inventory after a DB update without the image.
 */
export function match(inventory: Inventory, db: VulnDbReader, opts: MatchOptions = {}): MatchResult {
  const warnings: Warning[] = [];
  const seenWarnings = new Set<string>();
  const warn = (w: Warning) => {
    const key = `${w.code}\0${w.message}\0${w.location ?? ''}`;
    if (seenWarnings.has(key)) return;
    seenWarnings.add(key);
    warnings.push(w);
  };
  const os = inventory.artifact.os;
  const ctx: MatchContext = { os, db: cachedDb(db), versions: createVersionOps(), warn };

  const osPackages = inventory.packages.filter((p) => OS_PACKAGE_TYPES.has(p.type));
  const osSupported = osPackages.length === 0 || checkOsSupport(inventory, osPackages, ctx, warn);
  if (os && osPackages.length > 0) {
    const eos = endOfSupport(os, opts.now ?? new Date());
    if (eos) {
      warn({
        code: 'os-end-of-life',
        message: `${os.prettyName ?? `${os.family} ${os.version}`} is out of security support since ${eos}: new vulnerabilities get no fixes`,
      });
    }
  }

  const findings: Array<{ finding: MatchFinding; pkg: Package }> = [];
  for (const pkg of inventory.packages) {
    if (!osSupported && OS_PACKAGE_TYPES.has(pkg.type)) continue;
    const m = matcherFor(pkg)?.match(pkg, ctx);
    if (!m || m.candidates.length === 0) continue;
    for (const group of groupCandidates(m.candidates, ctx)) {
      findings.push({ finding: buildFinding(pkg, m.version, m.scheme, group, ctx), pkg });
    }
  }
  findings.sort((a, b) => compareFindings(a.finding, b.finding) || cmp(a.pkg.locations[0] ?? '', b.pkg.locations[0] ?? ''));
  return { findings: findings.map((f) => f.finding), warnings };
}

/**
 * Say so when the DB has nothing for the OS: an unknown distro or release must not look like a
 * clean scan. Readers that know their namespaces say it directly (`hasNamespace`); otherwise no
 * entry at all for any of the OS's source packages means the release is not in the DB.
 */
function checkOsSupport(inventory: Inventory, osPackages: Package[], ctx: MatchContext, warn: (w: Warning) => void): boolean {
  const os = inventory.artifact.os;
  const ns = os ? osNamespace(os) : undefined;
  if (!os || !ns) {
    warn({
      code: 'os-unsupported',
      message: os
        ? `no vulnerability data namespace for OS ${os.family} ${os.version}: ${osPackages.length} OS packages were not matched`
        : `the OS was not detected: ${osPackages.length} OS packages were not matched`,
    });
    return false;
  }
  const reader = ctx.db.reader as VulnDbReader & { hasNamespace?: (ns: string) => boolean };
  const known =
    typeof reader.hasNamespace === 'function'
      ? reader.hasNamespace(ns)
      : osPackages.some((p) => ctx.db.affected(ns, p.sourceName ?? p.name).length > 0);
  if (!known) {
    warn({
      code: 'os-unsupported',
      message: `the vulnerability DB has no data for ${ns} (${os.prettyName ?? `${os.family} ${os.version}`}): ${osPackages.length} OS packages were not matched`,
    });
  }
  return known;
}

function cachedDb(reader: VulnDbReader): CachedDb {
  const affected = new Map<string, readonly AffectedEntry[]>();
  const records = new Map<string, VulnerabilityRecord | undefined>();
  return {
    reader,
    affected(namespace, pkg) {
      const key = `${namespace}\0${pkg}`;
      let hit = affected.get(key);
      if (!hit) {
        hit = reader.affected(namespace, pkg);
        affected.set(key, hit);
      }
      return hit;
    },
    vulnerability(id) {
      if (!records.has(id)) records.set(id, reader.vulnerability(id));
      return records.get(id);
    },
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
