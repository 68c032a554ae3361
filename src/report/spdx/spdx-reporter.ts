import { createHash } from 'node:crypto';
import type { Artifact, Package } from '../../core/types.js';
import type { RenderOptions, Reporter, ScanReport } from '../types.js';
import { documentUuid, packageId, sortedPackages } from '../json/canonical.js';
import { ociPurl } from '../cyclonedx/oci-purl.js';
import { toSpdxExpression } from './license-expression.js';

/**
 * `--format spdx-json`: an SPDX 2.3 JSON document (https://spdx.github.io/spdx-spec/v2.3/),
 * written by hand because no maintained JavaScript library writes SPDX 2.3. The shape follows
 * what Syft and Trivy emit for images, so the tools that read theirs read ours:
 * DOCUMENT DESCRIBES the artifact package, which CONTAINS the OS and every package.
 */
export const spdxReporter = {
  format: 'spdx-json',
  render(report: ScanReport, options: RenderOptions = {}): string {
    return JSON.stringify(toSpdxDocument(report, options), null, 2) + '\n';
  },
} satisfies Reporter;

/** Where our document namespaces live; SPDX only asks for a unique URI, it need not resolve. */
const NAMESPACE_BASE = 'https://vigil.dev/spdx';

const NOASSERTION = 'NOASSERTION';

export interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo?: string;
  downloadLocation: string;
  filesAnalyzed: false;
  licenseConcluded: string;
  licenseDeclared: string;
  copyrightText?: string;
  checksums?: Array<{ algorithm: string; checksumValue: string }>;
  externalRefs?: Array<{ referenceCategory: string; referenceType: string; referenceLocator: string }>;
  sourceInfo?: string;
  primaryPackagePurpose?: string;
  comment?: string;
}

export interface SpdxRelationship {
  spdxElementId: string;
  relationshipType: string;
  relatedSpdxElement: string;
}

export interface SpdxDocument {
  spdxVersion: 'SPDX-2.3';
  dataLicense: 'CC0-1.0';
  SPDXID: 'SPDXRef-DOCUMENT';
  name: string;
  documentNamespace: string;
  creationInfo: { created: string; creators: string[]; licenseListVersion?: string };
  packages: SpdxPackage[];
  relationships: SpdxRelationship[];
}

/**
 * A language package whose files an OS package installed (Debian's python3-certifi → certifi)
 * is said with `<os package> CONTAINS <language package>`, so a reader of the SBOM (vigil scan
 * sbom, or another tool) knows to match it through the distro's data only.
 */
function ownership(packages: readonly Package[], ids: Map<Package, string>): SpdxRelationship[] {
  const osIds = new Map<string, string>();
  for (const p of packages) if (p.type === 'deb' || p.type === 'apk' || p.type === 'rpm') osIds.set(`${p.type}/${p.name}`, ids.get(p)!);
  const out: SpdxRelationship[] = [];
  for (const p of packages) {
    const owner = p.ownedBy ? osIds.get(`${p.ownedBy.type}/${p.ownedBy.name}`) : undefined;
    if (owner) out.push({ spdxElementId: owner, relationshipType: 'CONTAINS', relatedSpdxElement: ids.get(p)! });
  }
  return out;
}

export function toSpdxDocument(report: ScanReport, options: RenderOptions = {}): SpdxDocument {
  const a = report.artifact;
  const now = options.now ?? new Date();
  const root = rootPackage(a);
  const os = osPackage(a);
  const packages = sortedPackages(report);
  const ids = uniqueIds(packages);
  const spdxPackages = packages.map((p) => packageEntry(p, ids.get(p)!));
  const relationships: SpdxRelationship[] = [
    { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: root.SPDXID },
    ...(os ? [{ spdxElementId: root.SPDXID, relationshipType: 'CONTAINS', relatedSpdxElement: os.SPDXID }] : []),
    ...spdxPackages.map((p) => ({ spdxElementId: root.SPDXID, relationshipType: 'CONTAINS', relatedSpdxElement: p.SPDXID })),
    ...ownership(packages, ids),
  ];
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: a.name,
    documentNamespace: `${NAMESPACE_BASE}/${a.type}/${encodeURIComponent(sanitize(a.name))}-${documentUuid(report, options.now, 'spdx')}`,
    creationInfo: {
      // SPDX 2.3 dates are ISO 8601 UTC to the second: the schema's pattern rejects milliseconds.
      created: now.toISOString().replace(/\.\d+Z$/, 'Z'),
      creators: [`Tool: vigil-${options.toolVersion ?? 'unknown'}`],
    },
    packages: [root, ...(os ? [os] : []), ...spdxPackages],
    relationships,
  };
}

/** SPDX ids may hold only letters, digits, `.` and `-`. */
export function sanitize(s: string): string {
  return s.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
}

function uniqueIds(packages: Package[]): Map<Package, string> {
  const out = new Map<Package, string>();
  const seen = new Set<string>();
  for (const p of packages) {
    let id = `SPDXRef-Package-${sanitize(p.type)}-${sanitize(p.name)}-${packageId(p)}`;
    // Two identical entries in one report would hash alike; keep ids unique all the same.
    for (let n = 2; seen.has(id); n++) id = `SPDXRef-Package-${sanitize(p.type)}-${sanitize(p.name)}-${packageId(p)}-${n}`;
    seen.add(id);
    out.set(p, id);
  }
  return out;
}

function rootPackage(a: Artifact): SpdxPackage {
  const purl = ociPurl(a);
  const digestHex = /^sha256:([0-9a-f]{64})$/.exec(a.digest ?? '')?.[1];
  const pkg: SpdxPackage = {
    SPDXID: `SPDXRef-${a.type === 'image' ? 'Image' : 'Artifact'}-${sanitize(a.name)}`,
    name: a.name,
    ...(a.digest ? { versionInfo: a.digest } : {}),
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    licenseConcluded: NOASSERTION,
    licenseDeclared: NOASSERTION,
    ...(digestHex ? { checksums: [{ algorithm: 'SHA256', checksumValue: digestHex }] } : {}),
    ...(purl ? { externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: purl }] } : {}),
    primaryPackagePurpose: a.type === 'image' ? 'CONTAINER' : a.type === 'host' ? 'OPERATING-SYSTEM' : 'OTHER',
  };
  return pkg;
}

function osPackage(a: Artifact): SpdxPackage | undefined {
  if (!a.os) return undefined;
  const id = createHash('sha256').update(`${a.os.family}\u0000${a.os.version}`).digest('hex').slice(0, 16);
  return {
    SPDXID: `SPDXRef-OperatingSystem-${sanitize(a.os.family)}-${id}`,
    name: a.os.family,
    versionInfo: a.os.version,
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    licenseConcluded: NOASSERTION,
    licenseDeclared: NOASSERTION,
    primaryPackagePurpose: 'OPERATING-SYSTEM',
  };
}

function packageEntry(p: Package, spdxId: string): SpdxPackage {
  const entry: SpdxPackage = {
    SPDXID: spdxId,
    name: p.name,
    versionInfo: p.version,
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    licenseConcluded: NOASSERTION,
    licenseDeclared: toSpdxExpression(p.licenses) ?? NOASSERTION,
    externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: p.purl }],
  };
  const info = [
    p.locations.length ? `acquired package info from ${p.type} metadata: ${p.locations.join(', ')}` : undefined,
    p.layer ? `layer ${p.layer}` : undefined,
    p.sourceName ? `source package ${p.sourceName}${p.sourceVersion ? ` ${p.sourceVersion}` : ''}` : undefined,
  ].filter((x): x is string => x !== undefined);
  if (info.length) entry.sourceInfo = info.join('; ');
  if (p.licenses?.length && entry.licenseDeclared === NOASSERTION) {
    entry.comment = `declared licenses (not SPDX): ${p.licenses.join(', ')}`;
  }
  return entry;
}
