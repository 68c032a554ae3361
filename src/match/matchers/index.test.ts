import { describe, expect, test } from 'vitest';
import { PACKAGE_TYPES, type Package } from '../../core/types.js';
import { memoryDb } from '../memory-db.js';
import { match } from '../index.js';
import { MATCHERS, matcherFor } from './index.js';

const pkg = (type: Package['type'], name: string, version: string): Package => ({ type, name, version, purl: `pkg:${type}/${name}@${version}`, locations: ['/x'] });

describe('matcher registry', () => {
  test.each(PACKAGE_TYPES.map((t) => [t]))('a %s package has a matcher', (type) => {
    expect(matcherFor(pkg(type, 'name', '1.0.0'))).toBeDefined();
  });

  test.each`
    type        | name                  | matcher
    ${'deb'}    | ${'libc6'}            | ${'distro'}
    ${'apk'}    | ${'musl'}             | ${'distro'}
    ${'rpm'}    | ${'glibc'}            | ${'distro'}
    ${'golang'} | ${'stdlib'}           | ${'go-stdlib'}
    ${'golang'} | ${'golang.org/x/net'} | ${'language'}
    ${'npm'}    | ${'stdlib'}           | ${'language'}
    ${'pypi'}   | ${'urllib3'}          | ${'language'}
  `('$type/$name → $matcher', ({ type, name, matcher }) => {
    expect(matcherFor(pkg(type, name, '1.0'))?.id).toBe(matcher);
  });

  test('ids are unique', () => {
    expect(new Set(MATCHERS.map((m) => m.id)).size).toBe(MATCHERS.length);
  });

  test('every matcher: an empty DB gives no findings and no error, whatever the package', () => {
    const packages = PACKAGE_TYPES.flatMap((t) => [pkg(t, 'a', '1.0.0'), pkg(t, 'stdlib', 'go1.21.0'), pkg(t, 'weird name', '')]);
    const inv = { artifact: { type: 'image' as const, name: 'x', os: { family: 'debian', version: '12' } }, packages, warnings: [] };
    const db = Object.assign(memoryDb({}), { hasNamespace: () => true });
    expect(match(inv, db, { now: new Date('2026-01-01T00:00:00Z') })).toEqual({ findings: [], warnings: [] });
  });
});
