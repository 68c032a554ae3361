import { OS_PACKAGE_TYPES, type Package } from '../../core/types.js';
import { lookupKey, schemeForNamespace } from '../../vulndb/namespace.js';
import type { Matcher } from '../types.js';
import { candidatesFor } from './evaluate.js';

/**
 * npm, PyPI, Go modules, Maven, crates, gems, Composer and NuGet through the OSV ecosystems.
 * A package whose files belong to an OS package is the distro's business (distros backport
 * fixes without changing the upstream version), so it is never matched here.
 */
export const languageMatcher = {
  id: 'language',
  handles: (pkg: Package) => !OS_PACKAGE_TYPES.has(pkg.type),
  match(pkg, ctx) {
    if (pkg.ownedBy) return undefined;
    const key = lookupKey(pkg, ctx.os);
    if (!key) return undefined;
    return {
      version: key.version,
      scheme: schemeForNamespace(key.namespace),
      candidates: candidatesFor(pkg, key.namespace, key.name, key.version, ctx),
    };
  },
} satisfies Matcher;
