import { createHash } from 'node:crypto';
import type { Package } from '../../core/types.js';
import type { Finding, RenderOptions, Reporter, ScanReport, Severity } from '../types.js';
import { findingPackageKey, severityRank, sortedFindings, sortedPackages } from '../json/canonical.js';

/**
 * `--format sarif`: SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer).
 *
 * One rule per vulnerability id, one result per finding. What GitHub reads is documented in
 * "SARIF support for code scanning": `security-severity` (a CVSS-like score as a string) sets
 * the alert's severity, `partialFingerprints` de-duplicate alerts across runs, and every result
 * needs a physical location with a relative `uri` and a `region.startLine`. A package is not a
 * line of source, so the location is the package's first file (the dpkg status file, a
 * package.json …) at line 1, plus a logical location naming the image.
 *
 * Written by hand rather than with a SARIF builder: the log is a plain JSON tree, and the
 * test validates it against the official schema (shipped in `@microsoft/jest-sarif`).
 */
export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

/** Where SARIF viewers send users for the tool (driver.informationUri). */
export const VIGIL_INFORMATION_URI = 'https://github.com/vigil-scanner/vigil';

/** The fingerprint key; bump its version if the fingerprint input ever changes. */
export const FINGERPRINT_KEY = 'vigilFinding/v1';

type Json = Record<string, unknown>;

export const sarifReporter = {
  format: 'sarif',
  render(report: ScanReport, options: RenderOptions = {}): string {
    return JSON.stringify(toSarifLog(report, options), null, 2) + '\n';
  },
} satisfies Reporter;

export function toSarifLog(report: ScanReport, options: RenderOptions = {}): Json {
  const findings = sortedFindings(report);
  const byKey = new Map<string, Package[]>();
  for (const p of sortedPackages(report)) {
    const key = findingPackageKey(p);
    byKey.set(key, [...(byKey.get(key) ?? []), p]);
  }

  // Rules sorted by id so the index of each rule is stable from run to run.
  const ids = [...new Set(findings.map((f) => f.id))].sort();
  const ruleIndex = new Map(ids.map((id, i) => [id, i]));
  const rules = ids.map((id) => rule(findings.filter((f) => f.id === id)));

  const a = report.artifact;
  const results = findings.map((f) => result(f, ruleIndex.get(f.id)!, byKey.get(findingPackageKey(f.package)) ?? [], report));
  const properties: Json = { artifactType: a.type, artifactName: a.name };
  if (a.type === 'image') properties.imageName = a.name;
  if (a.digest) properties.imageDigest = a.digest;
  if (a.imageId) properties.imageId = a.imageId;
  if (a.os) properties.os = `${a.os.family} ${a.os.version}`;
  if (report.suppressed?.length) properties.suppressedFindings = report.suppressed.length;

  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'vigil',
            version: options.toolVersion ?? 'unknown',
            informationUri: VIGIL_INFORMATION_URI,
            rules,
          },
        },
        results,
        columnKind: 'utf16CodeUnits',
        properties,
      },
    ],
  };
}

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  negligible: 'note',
  unknown: 'note',
};

/**
 * GitHub maps security-severity to its levels (> 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium,
 * 0.1–3.9 low). Without a CVSS score the vendor severity is turned into a score in its band.
 */
const SEVERITY_SCORE: Partial<Record<Severity, string>> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '2.0',
};

/** The most severe of the findings that share an id (one id can hit several packages). */
function worst(findings: readonly Finding[]): Finding {
  return [...findings].sort(
    (x, y) => severityRank(x.severity) - severityRank(y.severity) || (y.cvss?.score ?? -1) - (x.cvss?.score ?? -1),
  )[0]!;
}

function helpUri(f: Finding): string {
  if (f.link) return f.link;
  if (f.id.startsWith('CVE-')) return `https://nvd.nist.gov/vuln/detail/${f.id}`;
  if (f.id.startsWith('GHSA-')) return `https://github.com/advisories/${f.id}`;
  return `https://osv.dev/vulnerability/${encodeURIComponent(f.id)}`;
}

function rule(findings: readonly Finding[]): Json {
  const w = worst(findings);
  const titled = findings.find((f) => f.title)?.title;
  const title = titled ? oneLine(titled) : w.id;
  const cvss = Math.max(...findings.map((f) => f.cvss?.score ?? -1));
  const securitySeverity = cvss >= 0 ? cvss.toFixed(1) : SEVERITY_SCORE[w.severity];
  const packages = [...new Set(findings.map((f) => `${f.package.name} ${f.package.version}`))];
  const fixed = [...new Set(findings.map((f) => f.fixedVersion).filter((v): v is string => !!v))];
  const full = [
    titled ? `${w.id}: ${title}.` : `${w.id}.`,
    w.aliases.length ? `Also known as ${w.aliases.join(', ')}.` : '',
    `Severity ${w.severity}${w.cvss ? ` (CVSS ${w.cvss.score.toFixed(1)}, ${w.cvss.vector})` : ''}.`,
    w.kev ? 'Listed in CISA KEV (known exploited).' : '',
  ]
    .filter(Boolean)
    .join(' ');
  const markdown = [
    `**Vulnerability ${w.id}**`,
    '',
    '| Severity | Package | Installed | Fixed | Link |',
    '| --- | --- | --- | --- | --- |',
    ...findings.map(
      (f) =>
        `| ${f.severity.toUpperCase()} | ${mdCell(f.package.name)} | ${mdCell(f.package.version)} | ${mdCell(f.fixedVersion ?? 'no fix')} | [${f.id}](${helpUri(f)}) |`,
    ),
  ].join('\n');
  const properties: Json = {
    precision: 'very-high',
    tags: ['security', 'vulnerability', w.severity],
  };
  if (securitySeverity) properties['security-severity'] = securitySeverity;
  return {
    id: w.id,
    name: ruleName(w.id),
    shortDescription: { text: title },
    fullDescription: { text: full },
    defaultConfiguration: { level: LEVEL[w.severity] ?? 'note' },
    helpUri: helpUri(w),
    help: {
      text: `${w.id} affects ${packages.join(', ')}. ${fixed.length ? `Fixed in ${fixed.join(', ')}.` : 'No fix is available yet.'} ${helpUri(w)}`,
      markdown,
    },
    properties,
  };
}

function result(f: Finding, index: number, installed: readonly Package[], report: ScanReport): Json {
  const pkg = `${f.package.name} ${f.package.version}`;
  const fix = f.fixedVersion ? `fixed in ${f.fixedVersion}` : 'no fix available';
  const text = `${f.id} (${f.severity}) in ${f.package.type} package ${pkg}: ${fix}.${f.title ? ` ${oneLine(f.title)}` : ''}`;
  const a = report.artifact;
  const path = installed.flatMap((p) => p.locations)[0] ?? a.name;
  const logical: Json = { name: a.name, fullyQualifiedName: `${a.type}:${a.name}${a.digest ? `@${a.digest}` : ''}`, kind: 'module' };
  const properties: Json = {
    packageType: f.package.type,
    installedVersion: f.package.version,
    status: f.status,
    kev: f.kev,
  };
  if (f.fixedVersion) properties.fixedVersion = f.fixedVersion;
  if (f.epss !== null && f.epss !== undefined) properties.epss = f.epss;
  if (f.layer) properties.layer = f.layer;
  const purl = installed[0]?.purl;
  if (purl) properties.purl = purl;
  return {
    ruleId: f.id,
    ruleIndex: index,
    level: LEVEL[f.severity] ?? 'note',
    message: { text },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: relativeUri(path) },
          region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 },
        },
        logicalLocations: [logical],
        message: { text: `${pkg} (${f.package.type})` },
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(f) },
    properties,
  };
}

/** Stable per (id, package, version): the same finding keeps its alert across runs and images. */
export function fingerprint(f: Finding): string {
  return createHash('sha256')
    .update([f.id, f.package.type, f.package.name, f.package.version].join('\u0000'))
    .digest('hex');
}

/** "/var/lib/dpkg/status" → "var/lib/dpkg/status": SARIF uris are relative to the scanned root. */
export function relativeUri(path: string): string {
  const rel = encodeURI(path.replace(/^\/+/, '') || '.').replace(/[?#]/g, (c) => encodeURIComponent(c));
  // A first segment with a colon would read as a URI scheme ("oci:app"): keep it a relative path.
  return /^[^/]*:/.test(rel) ? `./${rel}` : rel;
}

/** "CVE-2024-0727" → "Cve20240727": SARIF rule names are identifier-like. */
function ruleName(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1).toLowerCase())
    .join('');
}

function mdCell(s: string): string {
  return oneLine(s).replace(/[|\\`*_[\]<>]/g, (c) => `\\${c}`);
}

function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
}
