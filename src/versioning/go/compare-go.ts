/**
 * Go module versions and Go toolchain versions.
 *
 * Module versions follow golang.org/x/mod/semver: semantic versions with a "v" (optional here,
 * as OSV Go data and inventories both appear without it), the shorthands "v1" and "v1.2" for
 * "v1.0.0" and "v1.2.0", build metadata such as "+incompatible" ignored. Pseudo-versions
 * (`v0.0.0-20220314234659-1baeb1ce4c0b`, `v1.2.4-0.2022…`) are pre-releases of the next version,
 * so semver precedence already orders them by base version then timestamp.
 * https://pkg.go.dev/golang.org/x/mod/semver · https://go.dev/ref/mod#pseudo-versions
 *
 * Toolchain versions ("go1.21rc2", "1.20", "1.19.8") are mapped to semver the way govulncheck
 * and the Go vulnerability database do: "1.20" → v1.20.0, "1.21rc2" → v1.21.0-rc.2.
 * https://go.dev/doc/toolchain#version · https://go.dev/doc/security/vuln/database
 *
 * The grammar is hand-written (x/mod's is small and differs from node-semver's: shorthands,
 * no leniency); precedence is delegated to the `semver` package.
 */
import semverLib from 'semver';

const NUM = '(0|[1-9]\\d*)';
const PRE_ID = '(?:0|[1-9]\\d*|\\d*[A-Za-z-][0-9A-Za-z-]*)';
const MODULE = new RegExp(
  `^v?${NUM}(?:\\.${NUM}(?:\\.${NUM}(-${PRE_ID}(?:\\.${PRE_ID})*)?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?)?)?$`,
);
const TOOLCHAIN = new RegExp(`^(?:go|v)?${NUM}\\.${NUM}(?:\\.${NUM})?(?:(rc|beta)(\\d+))?$`);

/** The canonical semver (without "v") a Go version stands for, or null. */
export function canonicalGo(input: string): string | null {
  const s = input.trim();
  const t = TOOLCHAIN.exec(s);
  if (t) {
    // "go1.20" was the first release of 1.20 (1.20.0); "go1.21rc2" is a pre-release of 1.21.0.
    const [, major, minor, patch, kind, n] = t;
    const base = `${major}.${minor}.${patch ?? 0}`;
    return kind ? `${base}-${kind}.${Number(n)}` : base;
  }
  const m = MODULE.exec(s);
  if (!m) return null;
  return `${m[1]}.${m[2] ?? '0'}.${m[3] ?? '0'}${m[4] ?? ''}`;
}

export function compareGo(a: string, b: string): number {
  return semverLib.compare(a, b);
}
