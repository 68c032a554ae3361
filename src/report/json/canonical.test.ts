import { describe, expect, test } from 'vitest';
import type { Package } from '../../core/types.js';
import { comparePackages, packageId, severityRank, uuidV5 } from './canonical.js';

describe('uuidV5', () => {
  // RFC 9562 / Python's uuid.uuid5(uuid.NAMESPACE_DNS, 'www.example.com')
  test('matches the reference value', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });
});

const pkg = (type: Package['type'], name: string, version: string, location: string): Package => ({
  type,
  name,
  version,
  purl: `pkg:${type}/${name}@${version}`,
  locations: [location],
});

describe('comparePackages (SPEC order: type, name, version, first location)', () => {
  test.each`
    a                                           | b                                           | expected
    ${pkg('deb', 'z', '1', '/a')}               | ${pkg('npm', 'a', '1', '/a')}               | ${-1}
    ${pkg('npm', 'b', '1', '/a')}               | ${pkg('npm', 'a', '1', '/a')}               | ${1}
    ${pkg('npm', 'semver', '5.7.3', '/z')}      | ${pkg('npm', 'semver', '7.5.1', '/a')}      | ${-1}
    ${pkg('npm', 'ms', '2.1.3', '/app/b')}      | ${pkg('npm', 'ms', '2.1.3', '/app/a')}      | ${1}
    ${pkg('npm', 'ms', '2.1.3', '/app/a')}      | ${pkg('npm', 'ms', '2.1.3', '/app/a')}      | ${0}
  `('$a.type/$a.name@$a.version $a.locations vs $b.type/$b.name@$b.version $b.locations → $expected', ({ a, b, expected }) => {
    expect(Math.sign(comparePackages(a, b))).toBe(expected);
  });
});

test('severityRank puts critical first and unknown values last', () => {
  expect(['low', 'bogus', 'critical', 'unknown', 'high'].sort((a, b) => severityRank(a) - severityRank(b))).toEqual([
    'critical',
    'high',
    'low',
    'unknown',
    'bogus',
  ]);
});

test('packageId is stable and tells two places of the same package apart', () => {
  const a = pkg('npm', 'ms', '2.1.3', '/app/node_modules/ms/package.json');
  const b = pkg('npm', 'ms', '2.1.3', '/app/node_modules/x/node_modules/ms/package.json');
  expect(packageId(a)).toBe(packageId({ ...a }));
  expect(packageId(a)).not.toBe(packageId(b));
  expect(packageId(a)).toMatch(/^[0-9a-f]{16}$/);
});
