/**
 * Where `vigil db update` downloads each feed from, upstream or from a mirror.
 *
 * Mirror layout (`--mirror URL` or VIGIL_DB_MIRROR; plain files, except NVD which must answer the
 * same query parameters as the NVD API):
 *
 *   <mirror>/osv/<ecosystem>/all.zip               every record of one OSV ecosystem
 *   <mirror>/osv/<ecosystem>/modified_id.csv       "<modified ISO time>,<id>" lines, newest first
 *   <mirror>/osv/<ecosystem>/<id>.json             one OSV record (incremental updates)
 *   <mirror>/debian/json                           Debian security tracker JSON
 *   <mirror>/alpine/<v3.NN>/main.json              Alpine secdb, one file per release and repository
 *   <mirror>/alpine/<v3.NN>/community.json
 *   <mirror>/nvd/cves/2.0?startIndex=…             NVD CVE API 2.0 (lastModStartDate/lastModEndDate,
 *                                                  resultsPerPage, startIndex)
 *   <mirror>/kev/known_exploited_vulnerabilities.json
 *   <mirror>/epss/epss_scores-current.csv.gz       FIRST EPSS scores, gzip (or, on a mirror only,
 *                                                  epss_scores-current.csv uncompressed)
 *
 * Upstream, the same files come from the feeds' own hosts (UPSTREAM below).
 */

export type FeedId = 'osv' | 'debian' | 'alpine' | 'nvd' | 'kev' | 'epss';

export const FEED_IDS: readonly FeedId[] = ['osv', 'debian', 'alpine', 'nvd', 'kev', 'epss'];

/**
 * OSV ecosystems fetched by default: the language ecosystems the matcher knows
 * (namespace.ts) and the distro ecosystems OSV publishes as one zip each (Debian/all.zip holds
 * every `Debian:N` record).
 */
export const OSV_ECOSYSTEMS: readonly string[] = [
  'npm',
  'PyPI',
  'Go',
  'Maven',
  'crates.io',
  'RubyGems',
  'Packagist',
  'NuGet',
  'Debian',
  'Alpine',
  'Ubuntu',
  'Wolfi',
  'Chainguard',
];

/**
 * Alpine releases whose secdb is fetched: the supported ones and the recently retired ones
 * still common in images. The one place to add a release.
 */
export const ALPINE_RELEASES: readonly string[] = ['v3.16', 'v3.17', 'v3.18', 'v3.19', 'v3.20', 'v3.21', 'v3.22', 'v3.23'];
export const ALPINE_REPOSITORIES: readonly string[] = ['main', 'community'];

export const UPSTREAM = {
  osv: 'https://osv-vulnerabilities.storage.googleapis.com',
  debian: 'https://security-tracker.debian.org/tracker/data/json',
  alpine: 'https://secdb.alpinelinux.org',
  nvd: 'https://services.nvd.nist.gov/rest/json/cves/2.0',
  kev: 'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json',
  epss: 'https://epss.cyentia.com/epss_scores-current.csv.gz',
} as const;

/** NVD allows at most 120 days between lastModStartDate and lastModEndDate. */
export const NVD_MAX_WINDOW_DAYS = 120;
/** NVD's maximum (and default) page size for the CVE API. */
export const NVD_MAX_RESULTS_PER_PAGE = 2000;
/** NVD asks for a pause between requests: 5 requests per 30 s without a key, 50 with one. */
export const NVD_DELAY_MS = { withoutKey: 6000, withKey: 600 } as const;

/** The URLs of every feed for one origin (upstream, or a mirror base URL). */
export interface FeedEndpoints {
  /** "upstream" or the mirror base URL: cached data and state from another origin are not reused. */
  origin: string;
  osvAllZip(ecosystem: string): string;
  osvModifiedCsv(ecosystem: string): string;
  osvRecord(ecosystem: string, id: string): string;
  debian: string;
  alpine(release: string, repository: string): string;
  nvd: string;
  kev: string;
  epss: string;
  /** Asked for when `epss` is missing (404): mirrors may keep the CSV uncompressed. */
  epssPlain?: string;
}

function seg(s: string): string {
  return encodeURIComponent(s);
}

/** Endpoints for upstream (no mirror) or for `<mirror>/…` in the layout above. */
export function feedEndpoints(mirror?: string): FeedEndpoints {
  if (!mirror) {
    return {
      origin: 'upstream',
      osvAllZip: (e) => `${UPSTREAM.osv}/${seg(e)}/all.zip`,
      osvModifiedCsv: (e) => `${UPSTREAM.osv}/${seg(e)}/modified_id.csv`,
      osvRecord: (e, id) => `${UPSTREAM.osv}/${seg(e)}/${seg(id)}.json`,
      debian: UPSTREAM.debian,
      alpine: (r, repo) => `${UPSTREAM.alpine}/${seg(r)}/${seg(repo)}.json`,
      nvd: UPSTREAM.nvd,
      kev: UPSTREAM.kev,
      epss: UPSTREAM.epss,
    };
  }
  const base = normalizeMirror(mirror);
  return {
    origin: base,
    osvAllZip: (e) => `${base}/osv/${seg(e)}/all.zip`,
    osvModifiedCsv: (e) => `${base}/osv/${seg(e)}/modified_id.csv`,
    osvRecord: (e, id) => `${base}/osv/${seg(e)}/${seg(id)}.json`,
    debian: `${base}/debian/json`,
    alpine: (r, repo) => `${base}/alpine/${seg(r)}/${seg(repo)}.json`,
    nvd: `${base}/nvd/cves/2.0`,
    kev: `${base}/kev/known_exploited_vulnerabilities.json`,
    epss: `${base}/epss/epss_scores-current.csv.gz`,
    epssPlain: `${base}/epss/epss_scores-current.csv`,
  };
}

/** The mirror base as an http(s) URL without a trailing slash; throws TypeError otherwise. */
export function normalizeMirror(mirror: string): string {
  const u = new URL(mirror);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TypeError(`mirror must be an http or https URL, not ${u.protocol}`);
  if (u.search || u.hash) throw new TypeError('mirror URL must not have a query or fragment');
  return u.toString().replace(/\/+$/, '');
}

/** `--sources osv,nvd` → feed ids; unknown names are reported by the caller. */
export function parseSources(list: string): { feeds: FeedId[]; unknown: string[] } {
  const feeds: FeedId[] = [];
  const unknown: string[] = [];
  for (const s of list.split(',').map((x) => x.trim().toLowerCase()).filter(Boolean)) {
    if ((FEED_IDS as readonly string[]).includes(s)) {
      if (!feeds.includes(s as FeedId)) feeds.push(s as FeedId);
    } else unknown.push(s);
  }
  return { feeds, unknown };
}
