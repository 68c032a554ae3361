/**
 * Debian: the security tracker JSON (https://security-tracker.debian.org/tracker/data/json),
 * keyed source package → CVE → release code name, and the DSA/DLA list files of the tracker
 * repository (`data/DSA/list`, `data/DLA/list`), which give fixed versions per release; those
 * fill in only where the tracker JSON gave nothing (source "debian-dsa").
 */
import { createInterface } from 'node:readline';
import type { Severity } from '../../../report/types.js';
import { DEBIAN_RELEASES } from '../../namespace.js';
import { severityFromWord } from '../../severity.js';
import type { FeedSink } from '../../sqlite/writer.js';
import type { AffectedEntry, AffectedStatus } from '../../types.js';
import { topLevelMembers } from '../json-members.js';
import { newResult, skip, trimHead, type FeedFile, type ImportResult, type Importer } from '../types.js';

interface TrackerRelease {
  status?: string;
  fixed_version?: string;
  urgency?: string;
  nodsa?: string;
  nodsa_reason?: string;
}
interface TrackerCve {
  description?: string;
  scope?: string;
  debianbug?: number;
  releases?: Record<string, TrackerRelease> | unknown[];
}

/** "bookworm" → "debian:12"; sid/unstable/experimental and unknown names → undefined. */
export function debianNamespace(codename: string): string | undefined {
  const v = DEBIAN_RELEASES[codename];
  return v ? `debian:${v.split('.')[0]}` : undefined;
}

/** Tracker urgency → severity: unimportant → negligible; "not yet assigned"/"end-of-life" → none. */
export function debianUrgency(urgency: string | undefined): Severity | undefined {
  if (!urgency) return undefined;
  const u = urgency.trim().replace(/\*+$/, '').trim();
  if (u === 'unimportant') return 'negligible';
  if (u === 'low' || u === 'medium' || u === 'high') return severityFromWord(u);
  return undefined;
}

/** One release entry → status and fixed version; undefined = not affected (no row). */
export function debianStatus(r: TrackerRelease): { status: AffectedStatus; fixed?: string } | undefined {
  if (r.status === 'resolved') {
    if (!r.fixed_version || r.fixed_version === '0') return undefined;
    return { status: 'fixed', fixed: r.fixed_version };
  }
  if (r.status === 'open' || r.status === 'undetermined') {
    const reason = (r.nodsa_reason ?? '').toLowerCase();
    if (reason === 'ignored') return { status: 'will_not_fix' };
    if (reason === 'postponed') return { status: 'fix_deferred' };
    if ((r.urgency ?? '').trim() === 'end-of-life') return { status: 'end_of_life' };
    return { status: 'affected' };
  }
  return undefined;
}

function row(ns: string, pkg: string, cve: string, status: AffectedStatus, fixed: string | undefined, severity: Severity | undefined, source: string): AffectedEntry {
  const entry: AffectedEntry = {
    vulnerability: cve,
    namespace: ns,
    package: pkg,
    scheme: 'deb',
    ranges: [fixed ? [{ introduced: '0' }, { fixed }] : [{ introduced: '0' }]],
    status,
    source,
  };
  if (severity) entry.severity = severity;
  return entry;
}

export const debianTrackerImporter = {
  name: 'debian',
  order: 20,
  detect(head: string): boolean {
    // {"<source package>": {"CVE-…" (or TEMP-…): {"scope"|"description"|"releases"…
    return /^\{\s*"[^"]+"\s*:\s*\{\s*"(CVE|TEMP|DSA|DLA)-[^"]*"\s*:\s*\{/.test(trimHead(head));
  },
  async import(file: FeedFile, sink: FeedSink): Promise<ImportResult> {
    const result = newResult();
    const when = file.mtime?.toISOString();
    for await (const [pkg, text] of topLevelMembers(file.stream(), file.name)) {
      const cves = JSON.parse(text) as Record<string, TrackerCve>;
      for (const [cve, info] of Object.entries(cves)) {
        result.records++;
        sink.count('debian', when);
        if (info.description) sink.vulnerability({ id: cve, aliases: [], description: info.description, cvss: [], cwes: [], source: 'debian' });
        const releases = info.releases && !Array.isArray(info.releases) ? info.releases : {};
        for (const [codename, rel] of Object.entries(releases)) {
          const ns = debianNamespace(codename);
          if (!ns) {
            skip(result, `release ${codename}`);
            continue;
          }
          const st = debianStatus(rel);
          if (!st) continue;
          sink.affected(row(ns, pkg, cve, st.status, st.fixed, debianUrgency(rel.urgency), 'debian'));
        }
      }
    }
    return result;
  },
} satisfies Importer;

const MONTHS: Record<string, string> = { Jan: '01', Feb: '02', Mar: '03', Apr: '04', May: '05', Jun: '06', Jul: '07', Aug: '08', Sep: '09', Oct: '10', Nov: '11', Dec: '12' };

export const debianAdvisoryListImporter = {
  name: 'debian-dsa',
  // After the tracker JSON: advisories only fill in what the tracker did not give.
  order: 30,
  detect(head: string): boolean {
    return /^\[\d{1,2} [A-Z][a-z]{2} \d{4}\] D[SL]A-\d+(-\d+)? /.test(head.replace(/^\uFEFF/, ''));
  },
  async import(file: FeedFile, sink: FeedSink): Promise<ImportResult> {
    const result = newResult();
    // The list is newest first, so the last advisory naming a CVE for a package is its first fix.
    const fixes = new Map<string, { ns: string; pkg: string; cve: string; version: string }>();
    let cves: string[] = [];
    let date: string | undefined;
    const rl = createInterface({ input: file.stream(), crlfDelay: Infinity });
    for await (const line of rl) {
      const head = /^\[(\d{1,2}) ([A-Z][a-z]{2}) (\d{4})\] (D[SL]A-\S+)/.exec(line);
      if (head) {
        result.records++;
        date = `${head[3]}-${MONTHS[head[2]!] ?? '01'}-${head[1]!.padStart(2, '0')}`;
        sink.count('debian-dsa', date);
        cves = [];
        continue;
      }
      const ids = /^\s+\{([^}]*)\}/.exec(line);
      if (ids) {
        cves = ids[1]!.split(/\s+/).filter((x) => /^CVE-\d+-\d+$/.test(x));
        continue;
      }
      const fix = /^\s+\[([a-z-]+)\] - (\S+) (\S+)/.exec(line);
      if (fix) {
        const [, codename, pkg, version] = fix as unknown as [string, string, string, string];
        const ns = debianNamespace(codename);
        if (!ns) {
          skip(result, `release ${codename}`);
          continue;
        }
        if (version.startsWith('<')) {
          skip(result, `marker ${version}`);
          continue;
        }
        for (const cve of cves) fixes.set(`${ns}\0${pkg}\0${cve}`, { ns, pkg, cve, version });
      }
    }
    for (const f of fixes.values()) {
      if (sink.hasAffected(f.ns, f.pkg, f.cve, ['debian'])) {
        skip(result, 'already in the tracker JSON');
        continue;
      }
      sink.affected(row(f.ns, f.pkg, f.cve, 'fixed', f.version, undefined, 'debian-dsa'));
    }
    return result;
  },
} satisfies Importer;
