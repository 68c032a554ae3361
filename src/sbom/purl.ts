import { PackageURL } from 'packageurl-js';
import type { OsInfo, Package, PackageType } from '../core/types.js';
import { RPM_NAMESPACE } from '../catalog/purl.js';

/** purl type → Vigil package type (purl-spec names, plus the aliases other tools write). */
const TYPE: Record<string, PackageType> = {
  deb: 'deb',
  apk: 'apk',
  alpine: 'apk',
  rpm: 'rpm',
  npm: 'npm',
  pypi: 'pypi',
  golang: 'golang',
  maven: 'maven',
  cargo: 'cargo',
  gem: 'gem',
  composer: 'composer',
  nuget: 'nuget',
};

/** rpm purl namespaces (vendors) → os-release ID: the catalog's map inverted (first ID wins). */
const RPM_FAMILY: Record<string, string> = {};
for (const [family, vendor] of Object.entries(RPM_NAMESPACE)) RPM_FAMILY[vendor] ??= family;

export interface ParsedPurl {
  pkg: Omit<Package, 'locations'> & { locations: string[] };
  /** The OS the purl's `distro` qualifier names, if any. */
  os?: OsInfo;
}

export type PurlResult = { ok: ParsedPurl } | { unknownType: string } | { invalid: string };

/** The OS a `distro` qualifier names: "debian-12", "ubuntu-22.04", "rhel-9.3"; "3.15.4" (apk: alpine). */
export function osFromDistro(distro: string | undefined, type: PackageType, namespace: string | undefined): OsInfo | undefined {
  if (!distro) return undefined;
  const m = /^([a-z][a-z0-9._]*(?:-[a-z][a-z0-9._]*)*)-(\d[\w.+~-]*)$/i.exec(distro);
  if (m) return { family: m[1]!.toLowerCase(), version: m[2]! };
  if (/^\d/.test(distro)) {
    const ns = namespace?.toLowerCase();
    const family = type === 'rpm' ? (ns && RPM_FAMILY[ns]) ?? ns : type === 'apk' ? (ns ?? 'alpine') : ns;
    return family ? { family, version: distro } : undefined;
  }
  return undefined;
}

/** syft's `upstream` qualifier: "openssl@3.0.11-1", "openssl", or for rpm "openssl-3.0.7-24.el9.src.rpm". */
function upstream(value: string | undefined, type: PackageType): { name: string; version?: string } | undefined {
  if (!value) return undefined;
  if (type === 'rpm' && value.endsWith('.src.rpm')) {
    const parts = value.slice(0, -'.src.rpm'.length).split('-');
    if (parts.length >= 3) return { name: parts.slice(0, -2).join('-'), version: parts.slice(-2).join('-') };
  }
  const at = value.lastIndexOf('@');
  if (at > 0) return { name: value.slice(0, at), version: value.slice(at + 1) };
  return { name: value };
}

/** A package from its purl: name and version as Vigil's catalogers would write them. */
export function packageFromPurl(purl: string): PurlResult {
  let p: PackageURL;
  try {
    p = PackageURL.fromString(purl);
  } catch (e) {
    return { invalid: e instanceof Error ? e.message : String(e) };
  }
  const type = TYPE[p.type];
  if (!type) return { unknownType: p.type };
  const q = (p.qualifiers ?? {}) as Record<string, string>;
  let name = p.name;
  let version = p.version ?? '';
  switch (type) {
    case 'npm':
    case 'golang':
    case 'composer':
      if (p.namespace) name = `${p.namespace}/${p.name}`;
      break;
    case 'maven':
      if (p.namespace) name = `${p.namespace}:${p.name}`;
      break;
    case 'deb':
    case 'rpm':
      if (q.epoch && q.epoch !== '0' && version && !/^\d+:/.test(version)) version = `${q.epoch}:${version}`;
      break;
    default:
      break;
  }
  const pkg: ParsedPurl['pkg'] = { name, version, type, purl, locations: [] };
  if (q.arch) pkg.arch = q.arch;
  if (type === 'deb' || type === 'rpm' || type === 'apk') {
    const up = upstream(q.upstream, type);
    if (up) pkg.sourceName = up.name;
    if (up?.version && type === 'deb') pkg.sourceVersion = up.version;
  }
  const os = type === 'deb' || type === 'rpm' || type === 'apk' ? osFromDistro(q.distro, type, p.namespace) : undefined;
  return { ok: os ? { pkg, os } : { pkg } };
}
