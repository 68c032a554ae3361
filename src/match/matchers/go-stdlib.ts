import type { Package } from '../../core/types.js';
import type { Matcher } from '../types.js';
import { candidatesFor } from './evaluate.js';

/** The Go vulnerability DB files the standard library and the toolchain under these names. */
export const GO_STDLIB_NAMESPACE = 'go';
export const GO_STDLIB_PACKAGE = 'stdlib';

/**
 * "go1.19.8" (runtime.Version) or "1.19.8" → "1.19.8"; a GOEXPERIMENT suffix
 * ("go1.22.1 X:boringcrypto") is not part of the version.
 */
export function goToolchainVersion(v: string): string {
  return v.trim().split(/\s+/)[0]!.replace(/^go/, '').replace(/^v/, '');
}

/**
 * The standard library compiled into a Go binary, from its build info's toolchain version. A
 * binary shipped by an OS package (Debian's `age`) is the distro's business, as for any language
 * package: its files are matched through the OS data only.
 */
export const goStdlibMatcher = {
  id: 'go-stdlib',
  handles: (pkg: Package) => pkg.type === 'golang' && pkg.name === GO_STDLIB_PACKAGE,
  match(pkg, ctx) {
    if (pkg.ownedBy) return undefined;
    const version = goToolchainVersion(pkg.version);
    return { version, scheme: 'go', candidates: candidatesFor(pkg, GO_STDLIB_NAMESPACE, GO_STDLIB_PACKAGE, version, ctx) };
  },
} satisfies Matcher;
