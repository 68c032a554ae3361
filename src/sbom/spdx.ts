import type { Artifact, Inventory, OsInfo, Package } from '../core/types.js';
import { OS_PACKAGE_TYPES } from '../core/types.js';
import { Collector, normaliseOs } from './common.js';

type Json = Record<string, unknown>;

function obj(v: unknown): Json | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}
function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function purlOf(p: Json): string | undefined {
  for (const r of arr(p.externalRefs)) {
    const o = obj(r);
    const cat = str(o?.referenceCategory)?.toUpperCase().replace(/_/g, '-');
    if (cat === 'PACKAGE-MANAGER' && str(o?.referenceType) === 'purl') return str(o?.referenceLocator);
  }
  return undefined;
}

/**
 * What Vigil's SPDX writer puts in sourceInfo ("acquired package info from deb metadata: /a, /b;
 * layer sha256:…; source package openssl 3.0.11-1") and Trivy's "built package from: openssl 3.0.11-1".
 */
function parseSourceInfo(info: string): { locations?: string[]; layer?: string; sourceName?: string; sourceVersion?: string } {
  const out: ReturnType<typeof parseSourceInfo> = {};
  for (const part of info.split('; ')) {
    let m = /^acquired package info from \S+ metadata: (.*)$/.exec(part);
    if (m) out.locations = m[1]!.split(', ').filter(Boolean);
    m = /^layer (sha256:[0-9a-f]{64})$/.exec(part);
    if (m) out.layer = m[1]!;
    m = /^(?:source package|built package from:) (\S+)(?: (\S+))?$/.exec(part);
    if (m) {
      out.sourceName = m[1]!;
      if (m[2]) out.sourceVersion = m[2];
    }
  }
  return out;
}

/** An SPDX 2.2/2.3 JSON document → inventory: purl-bearing packages, the OS package, the described root. */
export function readSpdx(doc: Json, fallbackName: string): Inventory {
  const col = new Collector();
  const packages = arr(doc.packages).map(obj).filter((p): p is Json => !!p);
  const described = new Set<string>(arr(doc.documentDescribes).map(str).filter((s): s is string => !!s));
  for (const r of arr(doc.relationships)) {
    const o = obj(r);
    if (str(o?.spdxElementId) === 'SPDXRef-DOCUMENT' && str(o?.relationshipType) === 'DESCRIBES') {
      const id = str(o?.relatedSpdxElement);
      if (id) described.add(id);
    }
  }
  const root = packages.find((p) => described.has(str(p.SPDXID) ?? ''));

  let os: OsInfo | undefined;
  const byId = new Map<string, Package>();
  for (const p of packages) {
    if (p === root) continue;
    const name = str(p.name) ?? '(unnamed)';
    const purl = purlOf(p);
    if (!purl && str(p.primaryPackagePurpose) === 'OPERATING-SYSTEM') {
      os ??= normaliseOs(name, str(p.versionInfo));
      continue;
    }
    const pkg = col.add(purl, `${name}${str(p.versionInfo) ? `@${str(p.versionInfo)}` : ''}`);
    if (!pkg) continue;
    const spdxId = str(p.SPDXID);
    if (spdxId) byId.set(spdxId, pkg);
    const declared = str(p.licenseDeclared);
    if (declared && declared !== 'NOASSERTION' && declared !== 'NONE') pkg.licenses = [declared];
    else {
      const m = /^declared licenses \(not SPDX\): (.*)$/.exec(str(p.comment) ?? '');
      if (m) pkg.licenses = m[1]!.split(', ');
    }
    const info = str(p.sourceInfo);
    if (info) {
      const s = parseSourceInfo(info);
      if (s.locations) pkg.locations = s.locations;
      if (s.layer) pkg.layer = s.layer;
      if (s.sourceName && (pkg.type === 'deb' || pkg.type === 'rpm' || pkg.type === 'apk')) {
        pkg.sourceName = s.sourceName;
        if (s.sourceVersion) pkg.sourceVersion = s.sourceVersion;
        else delete pkg.sourceVersion;
      }
    }
  }

  // An OS package that CONTAINS a language package (or syft's OTHER "ownership-by-file-overlap")
  // owns it: the matcher then takes its vulnerabilities from the distro's data only.
  for (const r of arr(doc.relationships)) {
    const o = obj(r);
    const type = str(o?.relationshipType);
    const owns = type === 'CONTAINS' || (type === 'OTHER' && /ownership/i.test(str(o?.comment) ?? ''));
    const owner = byId.get(str(o?.spdxElementId) ?? '');
    const owned = byId.get(str(o?.relatedSpdxElement) ?? '');
    if (owns && owner && owned && OS_PACKAGE_TYPES.has(owner.type) && !OS_PACKAGE_TYPES.has(owned.type)) {
      owned.ownedBy = { type: owner.type, name: owner.name };
    }
  }

  os ??= col.distroOs();
  const artifact: Artifact = { type: 'sbom', name: str(root?.name) ?? str(doc.name) ?? fallbackName };
  const digest = str(root?.versionInfo);
  if (digest && /^sha256:[0-9a-f]{64}$/.test(digest)) artifact.digest = digest;
  if (os) artifact.os = os;
  return { artifact, packages: col.packages, warnings: col.finish() };
}
