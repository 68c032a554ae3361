import type { Package } from '../core/types.js';
import type { FindingStatus, Severity } from '../report/types.js';
import type { CvssEntry, VulnerabilityRecord } from '../vulndb/types.js';
import { bestCvss, isRated, severityFromScore } from './severity.js';
import type { Candidate, MatchContext, MatchFinding } from './types.js';

const CVE = /^CVE-\d{4}-\d+$/;

/**
 * Candidates of one package that are one vulnerability (GHSA ↔ CVE ↔ PYSEC ↔ GO ↔ RUSTSEC, or
 * the same CVE from two feeds): the same id, one naming the other, or a CVE they both name.
 * Only candidates link candidates — never a third record both happen to name — and a CVE is never
 * an alias of another CVE: two Debian CVEs whose text a GHSA naming both supplies stay two findings.
 */
export function groupCandidates(candidates: readonly Candidate[], ctx: MatchContext): Candidate[][] {
  const parent = candidates.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  const union = (a: number, b: number) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  const byKey = new Map<string, number>();
  const link = (key: string, i: number) => {
    const j = byKey.get(key);
    if (j === undefined) byKey.set(key, i);
    else union(i, j);
  };
  const aliases = candidates.map((c) => knownAliases(c.entry.vulnerability, ctx));
  candidates.forEach((c, i) => {
    link(c.entry.vulnerability, i);
    for (const a of aliases[i]!) if (CVE.test(a)) link(a, i);
  });
  candidates.forEach((_, i) => {
    for (const a of aliases[i]!) {
      const j = byKey.get(a);
      if (j !== undefined) union(i, j);
    }
  });
  const groups = new Map<number, Candidate[]>();
  candidates.forEach((c, i) => {
    const root = find(i);
    const g = groups.get(root);
    if (g) g.push(c);
    else groups.set(root, [c]);
  });
  return [...groups.values()];
}

/**
 * The other ids of the record `id`. A record found only through an alias (another record's id)
 * says nothing of `id`'s own aliases; a CVE never has another CVE as an alias.
 */
function knownAliases(id: string, ctx: MatchContext): string[] {
  const rec = ctx.db.vulnerability(id);
  if (!rec || rec.id !== id) return [];
  return CVE.test(id) ? rec.aliases.filter((a) => !CVE.test(a)) : rec.aliases.filter((a) => a !== id);
}

/** GHSA first: it rates severity per package and names every other id; a CVE id last. */
function primaryRank(id: string): number {
  if (id.startsWith('GHSA-')) return 0;
  if (id.startsWith('GO-')) return 1;
  if (id.startsWith('RUSTSEC-')) return 2;
  if (id.startsWith('PYSEC-')) return 3;
  if (CVE.test(id)) return 5;
  return 4;
}

const STATUS_RANK: Record<FindingStatus, number> = {
  fixed: 0,
  affected: 1,
  fix_deferred: 2,
  will_not_fix: 3,
  end_of_life: 4,
  unknown: 5,
};

/** One finding for a group of candidates of one installed package. */
export function buildFinding(
  pkg: Package,
  installed: string,
  scheme: string,
  group: readonly Candidate[],
  ctx: MatchContext,
): MatchFinding {
  const ordered = [...group].sort(
    (a, b) =>
      primaryRank(a.entry.vulnerability) - primaryRank(b.entry.vulnerability) ||
      cmp(a.entry.vulnerability, b.entry.vulnerability) ||
      cmp(a.entry.source, b.entry.source),
  );
  const primary = ordered[0]!;

  // Every id the records know, and the records themselves (primary's first).
  const ids = new Set<string>();
  for (const c of ordered) {
    ids.add(c.entry.vulnerability);
    for (const a of knownAliases(c.entry.vulnerability, ctx)) ids.add(a);
  }
  const cves = [...ids].filter((i) => CVE.test(i));
  const id = cves.length === 1 ? cves[0]! : primary.entry.vulnerability;
  const aliases = [...ids].filter((i) => i !== id).sort(cmp);
  const records = recordsFor([id, primary.entry.vulnerability, ...ordered.map((c) => c.entry.vulnerability), ...aliases], ctx);

  // The fix that closes the installed version's range: the smallest fix above the installed one.
  const fixing = ordered.filter((c) => c.fixedVersion !== null);
  let fix: Candidate | undefined;
  for (const c of fixing) {
    const above = ctx.versions.compare(scheme, c.fixedVersion!, installed);
    if (above !== undefined && above <= 0) continue;
    if (!fix || (ctx.versions.compare(scheme, c.fixedVersion!, fix.fixedVersion!) ?? 0) < 0) fix = c;
  }
  fix ??= fixing[0];
  const statusFrom = fix ?? [...ordered].sort((a, b) => STATUS_RANK[a.status] - STATUS_RANK[b.status])[0]!;
  const status: FindingStatus = fix ? 'fixed' : statusFrom.status;

  // Severity: the distro's or vendor's rating, else CVSS, else unknown.
  const cvss = bestCvss(records.flatMap((r) => r.cvss as CvssEntry[]));
  let severity: Severity | undefined = [statusFrom, ...ordered].map((c) => c.entry.severity).find(isRated);
  severity ??= records.map((r) => r.severity).find(isRated);
  severity ??= cvss ? severityFromScore(cvss.score) : 'unknown';

  // KEV and EPSS are keyed by CVE: the finding's own or any CVE alias.
  const cveIds = CVE.test(id) ? [id, ...cves.filter((c) => c !== id)] : cves;
  const kev = cveIds.some((c) => ctx.db.reader.kev(c) !== undefined);
  let epss: number | null = null;
  const own = CVE.test(id) ? ctx.db.reader.epss(id) : undefined;
  if (own) epss = own.score;
  else {
    for (const c of cveIds) {
      const e = ctx.db.reader.epss(c);
      if (e && (epss === null || e.score > epss)) epss = e.score;
    }
  }

  const text = (k: 'title' | 'description' | 'link' | 'published' | 'modified') => records.map((r) => r[k]).find((v) => !!v);
  const finding: MatchFinding = {
    id,
    aliases,
    package: { name: pkg.name, version: pkg.version, type: pkg.type },
    fixedVersion: status === 'fixed' ? (fix?.fixedVersion ?? null) : null,
    status,
    severity,
    cvss: cvss ? { score: cvss.score, vector: cvss.vector } : null,
    kev,
    epss,
    source: statusFrom.entry.source,
  };
  if (pkg.layer) finding.layer = pkg.layer;
  const title = text('title');
  if (title) finding.title = title;
  finding.link = text('link') ?? defaultLink(id, statusFrom.entry.source);
  const description = text('description');
  if (description) finding.description = description;
  const published = text('published');
  if (published) finding.published = published;
  const modified = text('modified');
  if (modified) finding.modified = modified;
  return finding;
}

/** The records of these ids, each once, in order (the finding's own id first). */
function recordsFor(ids: readonly string[], ctx: MatchContext): VulnerabilityRecord[] {
  const seen = new Set<string>();
  const out: VulnerabilityRecord[] = [];
  for (const i of ids) {
    const r = ctx.db.vulnerability(i);
    if (!r || seen.has(r.id)) continue;
    seen.add(r.id);
    out.push(r);
  }
  return out;
}

/** Where a user reads about the vulnerability when the record gives no link. */
export function defaultLink(id: string, source: string): string {
  if (CVE.test(id)) {
    if (source === 'debian') return `https://security-tracker.debian.org/tracker/${id}`;
    return `https://nvd.nist.gov/vuln/detail/${id}`;
  }
  if (id.startsWith('GHSA-')) return `https://github.com/advisories/${id}`;
  if (id.startsWith('GO-')) return `https://pkg.go.dev/vuln/${id}`;
  if (id.startsWith('RUSTSEC-')) return `https://rustsec.org/advisories/${id}`;
  return `https://osv.dev/vulnerability/${id}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
