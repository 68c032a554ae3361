import { PackageURL } from 'packageurl-js';
import type { OsInfo } from '../core/types.js';
import type { FoundPackage } from './types.js';

/** rpm purl namespaces by os-release ID (purl-spec: the vendor). The SBOM reader inverts it. */
export const RPM_NAMESPACE: Record<string, string> = {
  rhel: 'redhat',
  centos: 'centos',
  rocky: 'rocky',
  almalinux: 'almalinux',
  fedora: 'fedora',
  amzn: 'amazon',
  ol: 'oracle',
  'opensuse-leap': 'opensuse',
  opensuse: 'opensuse',
  'opensuse-tumbleweed': 'opensuse',
  sles: 'suse',
  'sle-micro': 'suse',
  mariner: 'mariner',
  azurelinux: 'azurelinux',
  photon: 'photon',
};


function splitLast(name: string, sep: string): [string | undefined, string] {
  const i = name.lastIndexOf(sep);
  return i <= 0 ? [undefined, name] : [name.slice(0, i), name.slice(i + 1)];
}

/** Split a Debian/RPM version into epoch and the rest ("1:2.38" → ["1", "2.38"]). */
export function splitEpoch(version: string): [string | undefined, string] {
  const m = /^(\d+):(.*)$/.exec(version);
  return m ? [m[1], m[2]!] : [undefined, version];
}

/**
 * The package URL of a found package (https://github.com/package-url/purl-spec).
 * OS packages carry the distro (`distro=debian-12`) and, as purl-spec says for rpm and as Trivy
 * does for deb, the epoch as a qualifier rather than inside the version.
 */
export function purlFor(pkg: FoundPackage, os: OsInfo | undefined): string {
  let namespace: string | undefined;
  let name = pkg.name;
  let version: string | undefined = pkg.version || undefined;
  const qualifiers: Record<string, string> = {};
  const distro = os ? `${os.family}-${os.version}` : undefined;

  switch (pkg.type) {
    case 'deb': {
      namespace = os?.family === 'ubuntu' ? 'ubuntu' : (os?.family ?? 'debian');
      const [epoch, rest] = splitEpoch(pkg.version);
      version = rest;
      if (pkg.arch) qualifiers.arch = pkg.arch;
      if (epoch && epoch !== '0') qualifiers.epoch = epoch;
      if (distro) qualifiers.distro = distro;
      break;
    }
    case 'rpm': {
      namespace = (os && RPM_NAMESPACE[os.family]) ?? os?.family;
      const [epoch, rest] = splitEpoch(pkg.version);
      version = rest;
      if (pkg.arch) qualifiers.arch = pkg.arch;
      if (epoch && epoch !== '0') qualifiers.epoch = epoch;
      if (distro) qualifiers.distro = distro;
      break;
    }
    case 'apk':
      namespace = os?.family ?? 'alpine';
      if (pkg.arch) qualifiers.arch = pkg.arch;
      if (os) qualifiers.distro = os.version;
      break;
    case 'npm':
      if (name.startsWith('@') && name.includes('/')) [namespace, name] = splitLast(name, '/') as [string, string];
      break;
    case 'pypi':
      // purl-spec: PyPI names are lowercased and '_' becomes '-'.
      name = name.toLowerCase().replace(/_/g, '-');
      break;
    case 'golang':
      [namespace, name] = splitLast(name, '/');
      break;
    case 'maven':
      [namespace, name] = splitLast(name, ':');
      // A jar known only by its file name has no groupId, which purl-spec requires; use the
      // artifactId as the group, as syft does (the package's metadata says it was a guess).
      namespace ??= name;
      break;
    case 'composer':
      [namespace, name] = splitLast(name, '/');
      break;
    case 'cargo':
    case 'gem':
    case 'nuget':
      break;
  }

  try {
    return new PackageURL(pkg.type /* Vigil's package types are purl-spec type names */, namespace, name, version, Object.keys(qualifiers).length ? qualifiers : undefined, undefined).toString();
  } catch {
    // A name that purl-spec rejects (e.g. an empty npm name part) must not abort the scan.
    return new PackageURL('generic', undefined, pkg.name || 'unknown', version, { type: pkg.type }, undefined).toString();
  }
}
