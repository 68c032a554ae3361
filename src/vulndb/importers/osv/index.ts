/**
 * OSV records (https://ossf.github.io/osv-schema/): every ecosystem Vigil has a namespace for,
 * including distro ecosystems ("Debian:12", "Alpine:v3.19"). SEMVER and ECOSYSTEM ranges are kept,
 * GIT ranges are not (commits cannot be compared with installed versions); withdrawn records and
 * unknown ecosystems are counted and skipped.
 */
import { VigilError } from '../../../core/errors.js';
import type { Severity } from '../../../report/types.js';
import { cvssEntry } from '../../cvss.js';
import { normalizePackageName, osvEcosystemNamespace, schemeForNamespace } from '../../namespace.js';
import { severityFromWord } from '../../severity.js';
import type { FeedSink } from '../../sqlite/writer.js';
import type { AffectedEntry, CvssEntry, RangeEvent } from '../../types.js';
import { newResult, skip, trimHead, type FeedFile, type ImportResult, type Importer } from '../types.js';

interface OsvRange {
  type?: string;
  events?: Record<string, string>[];
}
interface OsvAffected {
  package?: { ecosystem?: string; name?: string };
  ranges?: OsvRange[];
  versions?: string[];
  severity?: { type?: string; score?: string }[];
  ecosystem_specific?: { severity?: string };
  database_specific?: { severity?: string };
}
export interface OsvRecord {
  id?: string;
  modified?: string;
  published?: string;
  withdrawn?: string;
  aliases?: string[];
  related?: string[];
  summary?: string;
  details?: string;
  severity?: { type?: string; score?: string }[];
  affected?: OsvAffected[];
  references?: { type?: string; url?: string }[];
  database_specific?: { severity?: string; cwe_ids?: string[] };
}

/** Feed name by record id prefix ("GHSA-…" → ghsa), else by ecosystem ("osv-debian"). */
export function osvSourceName(id: string, namespace: string | undefined): string {
  const prefix = id.split('-')[0];
  switch (prefix) {
    case 'GHSA':
      return 'ghsa';
    case 'GO':
      return 'go';
    case 'RUSTSEC':
      return 'rustsec';
    case 'PYSEC':
      return 'pypa';
    default:
      return `osv-${(namespace ?? 'unknown').split(':')[0]}`;
  }
}

const EVENT_KEYS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;

function events(range: OsvRange): RangeEvent[] {
  const out: RangeEvent[] = [];
  for (const ev of range.events ?? []) {
    for (const k of EVENT_KEYS) {
      const v = ev[k];
      if (typeof v === 'string') out.push({ [k]: v } as RangeEvent);
    }
  }
  return out;
}

function cvssList(sev: OsvRecord['severity'], source: string): CvssEntry[] {
  const out: CvssEntry[] = [];
  for (const s of sev ?? []) {
    if (!s.score || !s.type?.startsWith('CVSS_')) continue;
    const e = cvssEntry(s.score, source);
    if (e) out.push(e);
  }
  return out;
}

function link(rec: OsvRecord): string | undefined {
  const refs = rec.references ?? [];
  return (refs.find((r) => r.type === 'ADVISORY') ?? refs.find((r) => r.type === 'WEB') ?? refs[0])?.url;
}

/** Imports one parsed OSV record; returns false when it was skipped. */
export function importOsvRecord(rec: OsvRecord, sink: FeedSink, result: ImportResult): void {
  if (!rec || typeof rec !== 'object' || typeof rec.id !== 'string') {
    skip(result, 'not an OSV record (no id)');
    return;
  }
  result.records++;
  if (rec.withdrawn) {
    skip(result, 'withdrawn');
    return;
  }
  const id = rec.id;
  const recordSeverity: Severity | undefined = severityFromWord(rec.database_specific?.severity);
  let firstNs: string | undefined;
  let wrote = 0;
  for (const a of rec.affected ?? []) {
    const eco = a.package?.ecosystem;
    const name = a.package?.name;
    if (!eco || !name) {
      skip(result, 'affected entry without a package');
      continue;
    }
    const ns = osvEcosystemNamespace(eco);
    if (!ns) {
      skip(result, `unknown ecosystem ${eco.split(':')[0]}`);
      continue;
    }
    firstNs ??= ns;
    const ranges = (a.ranges ?? []).filter((r) => r.type === 'SEMVER' || r.type === 'ECOSYSTEM').map(events).filter((r) => r.length > 0);
    const versions = (a.versions ?? []).filter((v) => typeof v === 'string');
    if (ranges.length === 0 && versions.length === 0) {
      skip(result, 'affected entry with only GIT ranges');
      continue;
    }
    const hasFix = ranges.some((r) => r.some((e) => 'fixed' in e));
    const entry: AffectedEntry = {
      vulnerability: id,
      namespace: ns,
      package: normalizePackageName(ns, name),
      scheme: schemeForNamespace(ns),
      ranges,
      status: hasFix ? 'fixed' : 'affected',
      source: osvSourceName(id, ns),
    };
    if (versions.length) entry.versions = versions;
    const sev = severityFromWord(a.ecosystem_specific?.severity) ?? severityFromWord(a.database_specific?.severity) ?? recordSeverity;
    if (sev) entry.severity = sev;
    sink.affected(entry);
    wrote++;
  }
  const source = osvSourceName(id, firstNs);
  sink.vulnerability({
    id,
    aliases: (rec.aliases ?? []).filter((x) => typeof x === 'string'),
    title: rec.summary || undefined,
    description: rec.details || undefined,
    link: link(rec),
    published: rec.published,
    modified: rec.modified,
    severity: recordSeverity,
    cvss: cvssList(rec.severity, source),
    cwes: (rec.database_specific?.cwe_ids ?? []).filter((x) => typeof x === 'string'),
    source,
  });
  const t = [rec.modified, rec.published].filter((x): x is string => typeof x === 'string' && !x.startsWith('0001')).sort().pop();
  sink.count(source, t);
  if (wrote === 0 && (rec.affected ?? []).length > 0) skip(result, 'record with no importable package');
}

export const osvImporter = {
  name: 'osv',
  order: 10,
  detect(head: string): boolean {
    const h = trimHead(head);
    if (!h.startsWith('{') && !h.startsWith('[')) return false;
    if (/"sourceIdentifier"\s*:/.test(h) || /"cveID"\s*:/.test(h)) return false;
    // `id` and `modified` are the two fields the OSV schema requires; the record opens with an OSV key.
    return /^\{\s*"(schema_version|id|modified|published|withdrawn|aliases|summary|details)"\s*:/.test(h) && /"id"\s*:\s*"/.test(h) && /"modified"\s*:\s*"/.test(h);
  },
  detectDocument(doc: unknown): boolean {
    const d = doc as OsvRecord | null;
    return !!d && typeof d === 'object' && !Array.isArray(d) && typeof d.id === 'string' && typeof d.modified === 'string';
  },
  async import(file: FeedFile, sink: FeedSink): Promise<ImportResult> {
    const result = newResult();
    let parsed: unknown;
    try {
      parsed = JSON.parse(await file.text());
    } catch (e) {
      throw new VigilError('feed-invalid', `${file.name}: not valid JSON (${(e as Error).message})`, { kind: 'input', cause: e });
    }
    // osv.dev's query API and some mirrors give arrays of records; one file is one record otherwise.
    for (const rec of Array.isArray(parsed) ? parsed : [parsed]) importOsvRecord(rec as OsvRecord, sink, result);
    return result;
  },
} satisfies Importer;
