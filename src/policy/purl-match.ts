import { PackageURL } from 'packageurl-js';

/** A parsed purl, or undefined for anything that is not one. */
export function parsePurl(s: string): PackageURL | undefined {
  if (!s.startsWith('pkg:')) return undefined;
  try {
    return PackageURL.fromString(s);
  } catch {
    return undefined;
  }
}

/**
 * Does `pattern` (from a VEX statement or an ignore entry) name the package `purl`? Type,
 * namespace and name must be equal; the version, each qualifier and the subpath must be equal
 * only where the pattern gives them. So `pkg:deb/debian/libssl3@3.0.11-1~deb12u2` matches the
 * installed `…?arch=amd64&distro=debian-12`, and `pkg:npm/lodash` matches every lodash.
 * (packageurl-js applies purl-spec's per-type name normalisation, e.g. PyPI's.)
 */
export function purlMatches(pattern: string | PackageURL, purl: string | PackageURL): boolean {
  const p = withEpochQualifier(typeof pattern === 'string' ? parsePurl(pattern) : pattern);
  const q = withEpochQualifier(typeof purl === 'string' ? parsePurl(purl) : purl);
  if (!p || !q) return false;
  if (p.type.toLowerCase() !== q.type.toLowerCase()) return false;
  if ((p.namespace ?? '') !== (q.namespace ?? '') || p.name !== q.name) return false;
  if (p.version !== undefined && p.version !== null && p.version !== q.version) return false;
  if (p.subpath && p.subpath !== q.subpath) return false;
  for (const [k, v] of Object.entries(p.qualifiers ?? {})) {
    if ((q.qualifiers ?? {})[k] !== v) return false;
  }
  return true;
}

/**
 * purl-spec puts a deb/rpm epoch in the `epoch` qualifier (`pkg:deb/debian/zlib1g@1.2.13.dfsg-1?epoch=1`),
 * but VEX authors often copy the distro version (`@1:1.2.13.dfsg-1`): both mean the same package.
 */
function withEpochQualifier(p: PackageURL | undefined): PackageURL | undefined {
  if (!p || (p.type !== 'deb' && p.type !== 'rpm') || !p.version) return p;
  const m = /^(\d+):(.+)$/.exec(p.version);
  if (!m) return p;
  return new PackageURL(p.type, p.namespace, p.name, m[2], { ...(p.qualifiers ?? {}), epoch: m[1]! }, p.subpath);
}
