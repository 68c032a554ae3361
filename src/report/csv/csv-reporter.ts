import type { Package } from '../../core/types.js';
import type { Finding, RenderOptions, Reporter, ScanReport } from '../types.js';
import { findingPackageKey, sortedFindings, sortedPackages } from '../json/canonical.js';

/**
 * `--format csv`: one row per finding, for spreadsheets and scripts.
 *
 * The header never changes, so a script can read any Vigil CSV the same way. When the report
 * has no findings (an inventory, or a clean image), there is one row per package instead, with
 * the vulnerability columns empty: an empty file would not say what was scanned.
 *
 * Quoting follows RFC 4180 (CRLF records, fields with `,` `"` CR or LF quoted, `"` doubled).
 * It is a few lines, so it is written here rather than pulled in as a dependency.
 *
 * Package names, versions and paths come from the scanned artifact, which may be hostile: a cell
 * that a spreadsheet would run as a formula (leading `=`, `+`, `-`, `@`, tab or CR) gets a
 * leading `'`, as OWASP's "CSV Injection" page advises.
 */
export const CSV_COLUMNS = [
  'vulnerability_id',
  'aliases',
  'severity',
  'status',
  'package_name',
  'package_version',
  'package_type',
  'fixed_version',
  'cvss_score',
  'cvss_vector',
  'kev',
  'epss',
  'source',
  'layer',
  'purl',
  'locations',
  'title',
  'link',
] as const;

type Row = Record<(typeof CSV_COLUMNS)[number], string>;

export const csvReporter = {
  format: 'csv',
  render(report: ScanReport, _options?: RenderOptions): string {
    const findings = sortedFindings(report);
    const packages = sortedPackages(report);
    const rows = findings.length > 0 ? findingRows(findings, packages) : packages.map((p) => packageRow(p));
    return [CSV_COLUMNS.join(','), ...rows.map((r) => CSV_COLUMNS.map((k) => csvField(r[k])).join(','))]
      .map((line) => line + '\r\n')
      .join('');
  },
} satisfies Reporter;

/** RFC 4180 §2.6–2.7, plus the formula guard. */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Multi-valued cells (aliases, locations) are joined with "; " inside one field. */
const LIST_SEP = '; ';

function findingRows(findings: Finding[], packages: Package[]): Row[] {
  const byKey = new Map<string, Package[]>();
  for (const p of packages) {
    const key = findingPackageKey(p);
    byKey.set(key, [...(byKey.get(key) ?? []), p]);
  }
  return findings.map((f) => {
    const installed = byKey.get(findingPackageKey(f.package)) ?? [];
    return {
      ...packageRow(installed[0], f.package),
      vulnerability_id: f.id,
      aliases: f.aliases.join(LIST_SEP),
      severity: f.severity,
      status: f.status,
      fixed_version: f.fixedVersion ?? '',
      cvss_score: f.cvss ? String(f.cvss.score) : '',
      cvss_vector: f.cvss?.vector ?? '',
      kev: String(f.kev),
      epss: f.epss === null || f.epss === undefined ? '' : String(f.epss),
      source: f.source,
      layer: f.layer ?? installed[0]?.layer ?? '',
      locations: [...new Set(installed.flatMap((p) => p.locations))].join(LIST_SEP),
      title: f.title ?? '',
      link: f.link ?? '',
    };
  });
}

function packageRow(p: Package | undefined, ref?: Finding['package']): Row {
  return {
    vulnerability_id: '',
    aliases: '',
    severity: '',
    status: '',
    package_name: ref?.name ?? p?.name ?? '',
    package_version: ref?.version ?? p?.version ?? '',
    package_type: ref?.type ?? p?.type ?? '',
    fixed_version: '',
    cvss_score: '',
    cvss_vector: '',
    kev: '',
    epss: '',
    source: '',
    layer: p?.layer ?? '',
    purl: p?.purl ?? '',
    locations: p ? p.locations.join(LIST_SEP) : '',
    title: '',
    link: '',
  };
}
