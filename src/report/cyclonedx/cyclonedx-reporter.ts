import { Contrib, Enums, Models, Serialize, Spec } from '@cyclonedx/cyclonedx-library';
import type { Artifact, Package } from '../../core/types.js';
import type { Finding, RenderOptions, Reporter, ScanReport, Severity } from '../types.js';
import { documentUuid, findingPackageKey, packageId, sortedFindings, sortedPackages } from '../json/canonical.js';
import { isSimpleSpdxId, isSpdxExpression } from '../spdx/license-expression.js';
import { ociPurl } from './oci-purl.js';

/**
 * `--format cyclonedx` (and `vigil sbom`): CycloneDX 1.6 JSON, built with the CycloneDX
 * library's models and serializer so the output follows the spec as the library does.
 * Vigil-specific facts go in properties under the `vigil:` namespace.
 *
 * Findings become `vulnerabilities`, one entry per finding (as Grype does), not one per id:
 * the fixed version and status belong to the (vulnerability, package) pair.
 */
export const cyclonedxReporter = {
  format: 'cyclonedx',
  render(report: ScanReport, options: RenderOptions = {}): string {
    const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
    // The model is filled in canonical order already; the library's own sort would put e.g. the
    // layer properties in alphabetical instead of layer order.
    return serializer.serialize(toCycloneDxBom(report, options), { sortLists: false, space: 2 }) + '\n';
  },
} satisfies Reporter;

const licenseFactory = new Contrib.License.Factories.LicenseFactory((s: string) => {
  if (!isSpdxExpression(s)) throw new RangeError(`not an SPDX expression: ${s}`);
});

export function toCycloneDxBom(report: ScanReport, options: RenderOptions = {}): Models.Bom {
  const a = report.artifact;
  const bom = new Models.Bom({ serialNumber: `urn:uuid:${documentUuid(report, options.now, 'cyclonedx')}` });

  bom.metadata.timestamp = options.now ?? new Date();
  bom.metadata.tools.components.add(
    new Models.Component(Enums.ComponentType.Application, 'vigil', {
      version: options.toolVersion ?? 'unknown',
      bomRef: 'tool:vigil',
    }),
  );
  bom.metadata.component = artifactComponent(a);

  if (a.os) {
    bom.components.add(
      new Models.Component(Enums.ComponentType.OperatingSystem, a.os.family, {
        version: a.os.version,
        bomRef: `os:${a.os.family}@${a.os.version}`,
        description: a.os.prettyName,
      }),
    );
  }

  const refs = new Map<string, Models.BomRef[]>();
  const usedRefs = new Set<string>();
  for (const p of sortedPackages(report)) {
    // bom-ref is the purl, as most consumers (Dependency-Track, Trivy) expect; the same
    // purl at two places (nested node_modules) gets the package id appended to stay unique.
    let ref = p.purl;
    if (usedRefs.has(ref)) ref = `${p.purl}#${packageId(p)}`;
    for (let n = 2; usedRefs.has(ref); n++) ref = `${p.purl}#${packageId(p)}~${n}`;
    usedRefs.add(ref);
    const c = packageComponent(p, ref);
    bom.components.add(c);
    const key = findingPackageKey(p);
    refs.set(key, [...(refs.get(key) ?? []), c.bomRef]);
  }

  const usedVulnRefs = new Set<string>();
  for (const f of sortedFindings(report)) {
    const affected = refs.get(findingPackageKey(f.package)) ?? [];
    // Without an explicit bom-ref the serializer would invent a random one.
    const base = `vuln:${f.id}:${affected[0]?.value ?? findingPackageKey(f.package).split('\u0000').join('/')}`;
    let ref = base;
    for (let n = 2; usedVulnRefs.has(ref); n++) ref = `${base}~${n}`;
    usedVulnRefs.add(ref);
    bom.vulnerabilities.add(vulnerability(f, ref, affected));
  }
  return bom;
}

function artifactComponent(a: Artifact): Models.Component {
  const type = a.type === 'image' ? Enums.ComponentType.Container : Enums.ComponentType.Application;
  const c = new Models.Component(type, a.name, {
    bomRef: `artifact:${a.type}:${a.name}`,
    version: a.digest,
    purl: ociPurl(a),
  });
  const props: Array<[string, string | undefined]> = [
    ['vigil:artifact:type', a.type],
    ['vigil:image:id', a.imageId],
    ['vigil:image:platform', a.platform],
    ...(a.repoTags ?? []).map((t): [string, string] => ['vigil:image:repoTag', t]),
    ...(a.repoDigests ?? []).map((d): [string, string] => ['vigil:image:repoDigest', d]),
    ...(a.layers ?? []).map((l): [string, string] => ['vigil:layer:diffId', l.diffId]),
  ];
  for (const [name, value] of props) if (value) c.properties.add(new Models.Property(name, value));
  return c;
}

function packageComponent(p: Package, ref: string): Models.Component {
  const c = new Models.Component(Enums.ComponentType.Library, p.name, { bomRef: ref, version: p.version, purl: p.purl });
  for (const l of licenses(p.licenses)) c.licenses.add(l);
  const props: Array<[string, string | undefined]> = [
    ['vigil:package:type', p.type],
    ['vigil:layer:diffId', p.layer],
    ...p.locations.map((l): [string, string] => ['vigil:location', l]),
    ['vigil:ownedBy', p.ownedBy && `${p.ownedBy.type}:${p.ownedBy.name}`],
    ['vigil:sourceName', p.sourceName],
    ['vigil:sourceVersion', p.sourceVersion],
    ['vigil:arch', p.arch],
  ];
  for (const [name, value] of props) if (value) c.properties.add(new Models.Property(name, value));
  return c;
}

/**
 * CycloneDX takes either one SPDX expression or a list of single licenses (id or name), never
 * both. Several SPDX licenses become one `AND` expression; anything not SPDX is a named license.
 */
function licenses(list: readonly string[] | undefined): Models.License[] {
  const names = [...new Set((list ?? []).map((l) => l.trim()).filter(Boolean))];
  if (names.length === 0) return [];
  if (names.every(isSpdxExpression)) {
    if (names.length === 1 && !isSimpleSpdxId(names[0]!)) return [licenseFactory.makeExpression(names[0]!)];
    if (names.every(isSimpleSpdxId)) return names.map((n) => licenseFactory.makeDisjunctive(n));
    return [licenseFactory.makeExpression(names.map((n) => (isSimpleSpdxId(n) ? n : `(${n})`)).join(' AND '))];
  }
  return names.map((n) => (isSimpleSpdxId(n) ? licenseFactory.makeDisjunctive(n) : new Models.NamedLicense(n)));
}

const SEVERITY: Record<Severity, Enums.Vulnerability.Severity> = {
  critical: Enums.Vulnerability.Severity.Critical,
  high: Enums.Vulnerability.Severity.High,
  medium: Enums.Vulnerability.Severity.Medium,
  low: Enums.Vulnerability.Severity.Low,
  // CycloneDX has no "negligible"; "info" is the closest step below low.
  negligible: Enums.Vulnerability.Severity.Info,
  unknown: Enums.Vulnerability.Severity.Unknown,
};

/** The scoring method from the vector's prefix (CVSS v2 vectors have none). */
function ratingMethod(vector: string): Enums.Vulnerability.RatingMethod {
  if (vector.startsWith('CVSS:4.')) return Enums.Vulnerability.RatingMethod.CVSSv4;
  if (vector.startsWith('CVSS:3.1')) return Enums.Vulnerability.RatingMethod.CVSSv31;
  if (vector.startsWith('CVSS:3.')) return Enums.Vulnerability.RatingMethod.CVSSv3;
  if (/^\(?AV:[LAN]\/AC:/.test(vector)) return Enums.Vulnerability.RatingMethod.CVSSv2;
  return Enums.Vulnerability.RatingMethod.Other;
}

/** The vendor's answer where the finding's status gives one; VEX states are left to users. */
const RESPONSE: Partial<Record<Finding['status'], Enums.Vulnerability.AnalysisResponse>> = {
  fixed: Enums.Vulnerability.AnalysisResponse.Update,
  will_not_fix: Enums.Vulnerability.AnalysisResponse.WillNotFix,
  end_of_life: Enums.Vulnerability.AnalysisResponse.CanNotFix,
};

function advisorySource(id: string): Models.Vulnerability.Source {
  if (id.startsWith('CVE-')) return new Models.Vulnerability.Source({ name: 'NVD', url: `https://nvd.nist.gov/vuln/detail/${id}` });
  if (id.startsWith('GHSA-')) return new Models.Vulnerability.Source({ name: 'GitHub', url: `https://github.com/advisories/${id}` });
  return new Models.Vulnerability.Source({ name: id.split('-')[0] ?? id });
}

function vulnerability(f: Finding, bomRef: string, affected: Models.BomRef[]): Models.Vulnerability.Vulnerability {
  const source = new Models.Vulnerability.Source({ name: f.source, ...(f.link ? { url: f.link } : {}) });
  const v = new Models.Vulnerability.Vulnerability({
    bomRef,
    id: f.id,
    source,
    description: f.title,
    recommendation: f.fixedVersion ? `Upgrade ${f.package.name} to ${f.fixedVersion}` : undefined,
  });
  v.ratings.add(
    new Models.Vulnerability.Rating({
      source,
      severity: SEVERITY[f.severity] ?? Enums.Vulnerability.Severity.Unknown,
      ...(f.cvss ? { score: f.cvss.score, vector: f.cvss.vector, method: ratingMethod(f.cvss.vector) } : {}),
    }),
  );
  for (const alias of f.aliases) v.references.add(new Models.Vulnerability.Reference(alias, advisorySource(alias)));
  if (f.link) v.advisories.add(new Models.Vulnerability.Advisory(f.link));
  for (const ref of affected) {
    const affect = new Models.Vulnerability.Affect(ref);
    affect.versions.add(
      new Models.Vulnerability.AffectedSingleVersion(f.package.version, { status: Enums.Vulnerability.AffectStatus.Affected }),
    );
    v.affects.add(affect);
  }
  const response = RESPONSE[f.status];
  if (response) {
    v.analysis = new Models.Vulnerability.Analysis({ detail: `status: ${f.status}` });
    v.analysis.response.add(response);
  }
  const props: Array<[string, string | undefined]> = [
    ['vigil:status', f.status],
    ['vigil:fixedVersion', f.fixedVersion ?? undefined],
    ['vigil:kev', String(f.kev)],
    ['vigil:epss', f.epss === null || f.epss === undefined ? undefined : String(f.epss)],
    ['vigil:layer:diffId', f.layer],
  ];
  for (const [name, value] of props) if (value) v.properties.add(new Models.Property(name, value));
  return v;
}
