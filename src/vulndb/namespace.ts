import type { OsInfo, Package, PackageType } from '../core/types.js';

/**
 * Namespaces: where the DB files a package's advisories. A distro release for OS packages
 * ("debian:12", "alpine:3.15", "ubuntu:22.04", "rhel:9"), a language ecosystem otherwise.
 * Importers and the matcher both go through these functions, so names meet in one form.
 */

/** Language ecosystems by package type; OSV ecosystem names map here too (`osvEcosystemNamespace`). */
export const LANGUAGE_NAMESPACE: Partial<Record<PackageType, string>> = {
  npm: 'npm',
  pypi: 'pypi',
  golang: 'go',
  maven: 'maven',
  cargo: 'crates.io',
  gem: 'rubygems',
  composer: 'packagist',
  nuget: 'nuget',
};

/** Version scheme of each namespace (distros by family). */
export function schemeForNamespace(namespace: string): string {
  const [head] = namespace.split(':');
  switch (head) {
    case 'debian':
    case 'ubuntu':
      return 'deb';
    case 'alpine':
    case 'wolfi':
    case 'chainguard':
      return 'apk';
    case 'rhel':
    case 'centos':
    case 'rocky':
    case 'almalinux':
    case 'fedora':
    case 'amzn':
    case 'ol':
    case 'sles':
    case 'opensuse':
    case 'mariner':
    case 'azurelinux':
    case 'photon':
      return 'rpm';
    case 'npm':
      return 'npm';
    case 'pypi':
      return 'pep440';
    case 'go':
      return 'go';
    case 'maven':
      return 'maven';
    case 'crates.io':
      return 'semver';
    case 'rubygems':
      return 'gem';
    case 'packagist':
      return 'composer';
    case 'nuget':
      return 'nuget';
    default:
      return 'semver';
  }
}

/** "debian:12" from Debian 12.4; "alpine:3.15" from 3.15.4; "ubuntu:22.04"; rpm distros by major. */
export function osNamespace(os: OsInfo): string | undefined {
  const family = os.family.toLowerCase();
  const v = os.version;
  if (!v) return undefined;
  switch (family) {
    case 'debian':
      return `debian:${v.split('.')[0]}`;
    case 'ubuntu':
      return `ubuntu:${v}`;
    case 'alpine':
      return `alpine:${v.split('.').slice(0, 2).join('.')}`;
    case 'wolfi':
    case 'chainguard':
      return `${family}:rolling`;
    default:
      return `${family}:${v.split('.')[0]}`;
  }
}

/** Debian release code names → version (the tracker JSON is keyed by code name). */
export const DEBIAN_RELEASES: Record<string, string> = {
  buzz: '1.1',
  hamm: '2',
  potato: '2.2',
  woody: '3',
  sarge: '3.1',
  etch: '4',
  lenny: '5',
  squeeze: '6',
  wheezy: '7',
  jessie: '8',
  stretch: '9',
  buster: '10',
  bullseye: '11',
  bookworm: '12',
  trixie: '13',
  forky: '14',
  duke: '15',
};

/** OSV ecosystem → namespace: "npm" → "npm", "PyPI" → "pypi", "Debian:12" → "debian:12", "Alpine:v3.19" → "alpine:3.19". */
export function osvEcosystemNamespace(ecosystem: string): string | undefined {
  const [name, ...rest] = ecosystem.split(':');
  const release = rest.join(':');
  switch (name) {
    case 'npm':
      return 'npm';
    case 'PyPI':
      return 'pypi';
    case 'Go':
      return 'go';
    case 'Maven':
      return 'maven';
    case 'crates.io':
      return 'crates.io';
    case 'RubyGems':
      return 'rubygems';
    case 'Packagist':
      return 'packagist';
    case 'NuGet':
      return 'nuget';
    case 'Debian':
      return release ? `debian:${release.split('.')[0]}` : undefined;
    case 'Ubuntu':
      return release ? `ubuntu:${release.replace(/:LTS$/, '').replace(/:Pro$/, '')}` : undefined;
    case 'Alpine':
      return release ? `alpine:${release.replace(/^v/, '')}` : undefined;
    case 'Wolfi':
      return 'wolfi:rolling';
    case 'Chainguard':
      return 'chainguard:rolling';
    case 'Rocky Linux':
      return release ? `rocky:${release.split('.')[0]}` : undefined;
    case 'AlmaLinux':
      return release ? `almalinux:${release.split('.')[0]}` : undefined;
    default:
      return undefined;
  }
}

/**
 * One spelling per package name, so feeds and inventories meet: PEP 503 for PyPI, lower case
 * for npm/NuGet/Packagist/crates.io (case-insensitive registries; GHSA even spells "Axios"),
 * '_' = '-' for crates.io, a leading "v" never part of a Go module path. Maven keeps
 * "group:artifact"; distro source packages are already canonical.
 */
export function normalizePackageName(namespace: string, name: string): string {
  switch (namespace) {
    case 'pypi':
      return name.toLowerCase().replace(/[-_.]+/g, '-');
    case 'npm':
    case 'nuget':
    case 'packagist':
      return name.toLowerCase();
    case 'crates.io':
      return name.toLowerCase().replace(/_/g, '-');
    default:
      return name;
  }
}

/** Where the matcher looks for a package: namespace, name and the version to compare. */
export function lookupKey(pkg: Package, os: OsInfo | undefined): { namespace: string; name: string; version: string } | undefined {
  if (pkg.type === 'deb' || pkg.type === 'apk' || pkg.type === 'rpm') {
    const ns = os ? osNamespace(os) : undefined;
    if (!ns) return undefined;
    // Distro data is keyed by source package and its version (binNMUs add +bN to binaries only).
    const name = pkg.sourceName ?? pkg.name;
    const version = pkg.type === 'deb' ? (pkg.sourceVersion ?? pkg.version) : pkg.version;
    return { namespace: ns, name: normalizePackageName(ns, name), version };
  }
  const ns = LANGUAGE_NAMESPACE[pkg.type];
  if (!ns) return undefined;
  const version = pkg.type === 'golang' ? pkg.version.replace(/^v/, '') : pkg.version;
  return { namespace: ns, name: normalizePackageName(ns, pkg.name), version };
}
