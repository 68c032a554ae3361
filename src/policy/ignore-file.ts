import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { VigilError } from '../core/errors.js';
import type { Warning } from '../core/types.js';
import type { Finding, ScanReport, Suppression } from '../report/types.js';
import { withFindings } from './filters.js';
import { installedPackages } from './installed.js';
import { parsePurl, purlMatches } from './purl-match.js';

/** Looked for in the working directory when no ignore file is named. */
export const DEFAULT_IGNORE_FILE = '.vigilignore.yaml';

/**
 * One accepted risk, e.g.
 * ```yaml
 * ignore:
 *   - id: CVE-2024-0727            # or any alias: GHSA-…, PYSEC-…
 *     package: libssl3             # optional: a name, or a purl (qualifiers it omits are not checked)
 *     paths: [/opt/legacy/**]      # optional: every location of the package must match one
 *     reason: "not reachable: we never parse PKCS12"   # required
 *     expires: 2025-06-30          # optional: applies until that day starts (UTC)
 * ```
 */
export interface IgnoreEntry {
  id: string;
  package?: string;
  paths?: string[];
  reason: string;
  /** YYYY-MM-DD */
  expires?: string;
  /** The file it came from. */
  file?: string;
}

const KEYS = new Set(['id', 'package', 'paths', 'reason', 'expires']);

/** Reads and checks an ignore file. @throws VigilError `bad-ignore-file` (usage, exit 2). */
export async function loadIgnoreFile(path: string): Promise<IgnoreEntry[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new VigilError('bad-ignore-file', `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { kind: 'usage', cause: e });
  }
  return parseIgnoreFile(text, path);
}

/**
 * Parses an ignore file: a list of entries, or a mapping with an `ignore:` list. Every problem
 * is an error rather than a skipped entry: a typo in an ignore file must not silently change
 * what a CI gate lets through.
 */
export function parseIgnoreFile(text: string, file = DEFAULT_IGNORE_FILE): IgnoreEntry[] {
  const bad = (msg: string, cause?: unknown): VigilError =>
    new VigilError('bad-ignore-file', `${file}: ${msg}`, { kind: 'usage', ...(cause ? { cause } : {}) });
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw bad(`not valid YAML (${(e as Error).message.split('\n')[0]})`, e);
  }
  if (doc === null || doc === undefined) return [];
  const list = Array.isArray(doc) ? doc : typeof doc === 'object' && 'ignore' in doc ? (doc as { ignore: unknown }).ignore : undefined;
  if (list === null) return [];
  if (!Array.isArray(list)) throw bad('expected a list of entries, or a mapping with an "ignore:" list');
  const problems: string[] = [];
  const entries: IgnoreEntry[] = [];
  list.forEach((raw: unknown, i) => {
    const at = `entry ${i + 1}`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return void problems.push(`${at} must be a mapping`);
    const e = raw as Record<string, unknown>;
    const label = typeof e.id === 'string' ? `${at} (${e.id})` : at;
    for (const k of Object.keys(e)) if (!KEYS.has(k)) problems.push(`${label}: unknown key "${k}" (valid: ${[...KEYS].join(', ')})`);
    if (typeof e.id !== 'string' || e.id.trim() === '') problems.push(`${at}: "id" (a CVE, GHSA or other vulnerability id) is required`);
    if (typeof e.reason !== 'string' || e.reason.trim() === '') problems.push(`${label}: "reason" is required: say why this risk is accepted`);
    if (e.package !== undefined) {
      if (typeof e.package !== 'string' || e.package === '') problems.push(`${label}: "package" must be a name or a purl`);
      else if (e.package.startsWith('pkg:') && !parsePurl(e.package)) problems.push(`${label}: "package" is not a valid purl: ${e.package}`);
    }
    if (e.paths !== undefined && !(Array.isArray(e.paths) && e.paths.length > 0 && e.paths.every((p) => typeof p === 'string' && p !== ''))) {
      problems.push(`${label}: "paths" must be a non-empty list of paths or globs`);
    }
    // YAML 1.1 tools may have turned the date into a timestamp; accept that too.
    const expires = e.expires instanceof Date ? e.expires.toISOString().slice(0, 10) : e.expires;
    if (expires !== undefined && !(typeof expires === 'string' && isDay(expires))) {
      problems.push(`${label}: "expires" must be a date YYYY-MM-DD (got ${JSON.stringify(e.expires)})`);
    }
    if (problems.length > 0) return;
    entries.push({
      id: (e.id as string).trim(),
      ...(e.package !== undefined ? { package: e.package as string } : {}),
      ...(e.paths !== undefined ? { paths: e.paths as string[] } : {}),
      reason: (e.reason as string).trim(),
      ...(expires !== undefined ? { expires: expires as string } : {}),
      file,
    });
  });
  if (problems.length > 0) {
    throw bad(problems.slice(0, 5).join('; ') + (problems.length > 5 ? `; and ${problems.length - 5} more` : ''));
  }
  return entries;
}

function isDay(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
}

/** Expired from the first instant of the `expires` day, UTC (as Trivy's `exp:`): "until 2025-06-30". */
export function isExpired(entry: IgnoreEntry, now: Date): boolean {
  return entry.expires !== undefined && now.getTime() >= Date.parse(`${entry.expires}T00:00:00Z`);
}

/** Glob to RegExp: `**` any path, `*` and `?` within a segment; a plain path also covers what is below it. */
function globRegExp(glob: string): RegExp {
  const g = '/' + glob.replace(/^\/+/, '').replace(/\/+$/, '');
  let re = '';
  for (let i = 0; i < g.length; i++) {
    const ch = g[i]!;
    if (ch === '*' && g[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}(?:/.*)?$`);
}

/**
 * Applies ignore entries: a finding whose id or alias, package and paths match an unexpired
 * entry moves to `report.suppressed` with the entry's reason. Each expired entry no longer
 * applies and adds an `ignore-expired` warning, so that a lapsed exception is seen.
 * `now` is injected so that expiry is testable.
 */
export function applyIgnores(report: ScanReport, entries: readonly IgnoreEntry[], now: Date = new Date()): ScanReport {
  if (entries.length === 0) return report;
  const warnings: Warning[] = [...report.warnings];
  const live: Array<{ entry: IgnoreEntry; paths?: RegExp[] }> = [];
  for (const entry of entries) {
    if (isExpired(entry, now)) {
      warnings.push({
        code: 'ignore-expired',
        message: `the ignore entry for ${entry.id}${entry.package ? ` in ${entry.package}` : ''} expired on ${entry.expires} and no longer applies (reason was: ${entry.reason})`,
        ...(entry.file ? { location: entry.file } : {}),
      });
    } else {
      live.push({ entry, ...(entry.paths ? { paths: entry.paths.map(globRegExp) } : {}) });
    }
  }
  const installed = installedPackages(report);
  const kept: Finding[] = [];
  const suppressed: Suppression[] = [...(report.suppressed ?? [])];
  for (const f of report.vulnerabilities) {
    const pkgs = installed(f);
    const hit = live.find(({ entry, paths }) => {
      if (entry.id !== f.id && !f.aliases.includes(entry.id)) return false;
      if (entry.package !== undefined) {
        const ok = entry.package.startsWith('pkg:')
          ? pkgs.some((p) => purlMatches(entry.package!, p.purl))
          : entry.package === f.package.name;
        if (!ok) return false;
      }
      if (paths) {
        // Every copy must be covered: an entry never hides a copy at a path it does not name.
        const locations = pkgs.flatMap((p) => p.locations);
        if (locations.length === 0 || !locations.every((l) => paths.some((re) => re.test('/' + l.replace(/^\/+/, ''))))) return false;
      }
      return true;
    });
    if (hit) {
      const e = hit.entry;
      suppressed.push({
        finding: f,
        reason: 'ignore-file',
        entry: {
          ...(e.file ? { file: e.file } : {}),
          id: e.id,
          ...(e.package ? { package: e.package } : {}),
          ...(e.paths ? { paths: e.paths } : {}),
          reason: e.reason,
          ...(e.expires ? { expires: e.expires } : {}),
        },
      });
    } else {
      kept.push(f);
    }
  }
  return { ...withFindings(report, kept), warnings, suppressed };
}
