/**
 * npm versions, ordered exactly as npm orders them: the `semver` package (node-semver) in loose
 * mode, which is what npm uses to read versions ("v1.2.3", "=1.2.3", "1.2.3-beta" …).
 * https://github.com/npm/node-semver#versions
 */
import semverLib from 'semver';
import { parsedApi } from '../scheme-base.js';
import type { VersionScheme } from '../types.js';

const LOOSE = { loose: true } as const;

export const npm = {
  id: 'npm',
  displayName: 'npm (node-semver)',
  urls: ['https://github.com/npm/node-semver#versions', 'https://semver.org/spec/v2.0.0.html'],
  ...parsedApi(
    'npm',
    (v) => semverLib.parse(v, LOOSE),
    (a, b) => a.compare(b),
  ),
} satisfies VersionScheme;
