/**
 * Semantic Versioning 2.0 as crates.io (Cargo) and OSV `SEMVER` ranges use it: precedence by the
 * spec, build metadata ignored. Leniency: advisories sometimes write "1.0" or "1", read as
 * "1.0.0"; a leading "v" is accepted. Parsing and precedence come from the `semver` package
 * (node-semver), not hand-written. https://semver.org/spec/v2.0.0.html
 */
import semverLib from 'semver';
import { parsedApi } from '../scheme-base.js';
import type { VersionScheme } from '../types.js';

const SHORT = /^v?(\d+)(?:\.(\d+))?(?=$|[-+])/;

export function parseSemver(input: string): semverLib.SemVer | null {
  const s = input.trim();
  const full = semverLib.parse(s);
  if (full) return full;
  const m = SHORT.exec(s);
  if (!m || m[0].split('.').length > 2) return null;
  return semverLib.parse(`${m[1]}.${m[2] ?? '0'}.0${s.slice(m[0].length)}`);
}

export const semver = {
  id: 'semver',
  displayName: 'Semantic Versioning 2.0 (crates.io)',
  urls: ['https://semver.org/spec/v2.0.0.html', 'https://doc.rust-lang.org/cargo/reference/semver.html'],
  ...parsedApi('semver', parseSemver, (a, b) => a.compare(b)),
} satisfies VersionScheme;
