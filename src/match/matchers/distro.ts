import { OS_PACKAGE_TYPES, type Package } from '../../core/types.js';
import { lookupKey, schemeForNamespace } from '../../vulndb/namespace.js';
import type { Matcher } from '../types.js';
import { candidatesFor } from './evaluate.js';

/**
 * deb, apk and rpm packages through their distro release's data. Distros key advisories by
 * source package (Debian source, apk origin, rpm SOURCERPM) and, for Debian, by the source
 * version: a binNMU's `+b1` belongs to the binary only (`lookupKey` does the mapping).
 */
export const distroMatcher = {
  id: 'distro',
  handles: (pkg: Package) => OS_PACKAGE_TYPES.has(pkg.type),
  match(pkg, ctx) {
    const key = lookupKey(pkg, ctx.os);
    if (!key) return undefined;
    return {
      version: key.version,
      scheme: schemeForNamespace(key.namespace),
      candidates: candidatesFor(pkg, key.namespace, key.name, key.version, ctx),
    };
  },
} satisfies Matcher;
