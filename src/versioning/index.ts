/**
 * The version-scheme registry: an explicit map, so the set of schemes is visible in one place
 * and a conformance test can check that every folder under src/versioning/ is registered.
 */
import { VigilError } from '../core/errors.js';
import { apk } from './apk/index.js';
import { composer } from './composer/index.js';
import { deb } from './deb/index.js';
import { gem } from './gem/index.js';
import { go } from './go/index.js';
import { maven } from './maven/index.js';
import { npm } from './npm/index.js';
import { nuget } from './nuget/index.js';
import { pep440 } from './pep440/index.js';
import { rpm } from './rpm/index.js';
import { semver } from './semver/index.js';
import type { VersionScheme } from './types.js';

export type { VersionScheme } from './types.js';
export { isAffected, type AffectedResult } from './ranges.js';

export const schemes: ReadonlyMap<string, VersionScheme> = new Map<string, VersionScheme>(
  [deb, rpm, apk, semver, npm, pep440, maven, go, gem, nuget, composer].map((s) => [s.id, s]),
);

export function getScheme(id: string): VersionScheme {
  const scheme = schemes.get(id);
  if (!scheme) {
    throw new VigilError('unknown-scheme', `unknown version scheme "${id}" (known: ${[...schemes.keys()].join(', ')})`, {
      kind: 'internal',
    });
  }
  return scheme;
}
