import { describe, expect, test } from 'vitest';
import { isWithin, normalizeEntryPath, resolveInRoot } from './paths.js';

describe('normalizeEntryPath', () => {
  test.each`
    name                       | expected
    ${'etc/os-release'}        | ${'/etc/os-release'}
    ${'./etc/os-release'}      | ${'/etc/os-release'}
    ${'/etc//os-release'}      | ${'/etc/os-release'}
    ${'usr/lib/../bin/x'}      | ${'/usr/bin/x'}
    ${'../etc/passwd'}         | ${null}
    ${'a/../../etc/passwd'}    | ${null}
    ${'/../x'}                 | ${null}
    ${'./'}                    | ${'/'}
  `('normalizeEntryPath($name) === $expected', ({ name, expected }) => {
    expect(normalizeEntryPath(name)).toBe(expected);
  });
});

describe('resolveInRoot', () => {
  const links = new Map([
    ['/etc/os-release', '../usr/lib/os-release'],
    ['/lib', 'usr/lib'],
    ['/bin', 'usr/bin'],
    ['/escape', '../../../../etc/shadow'],
    ['/abs', '/usr/lib'],
    ['/loop1', 'loop2'],
    ['/loop2', 'loop1'],
    ['/usr/lib/x/up', '../../..'],
  ]);
  test.each`
    path                           | expected
    ${'/etc/os-release'}           | ${'/usr/lib/os-release'}
    ${'/lib/apk/db/installed'}     | ${'/usr/lib/apk/db/installed'}
    ${'/bin/age'}                  | ${'/usr/bin/age'}
    ${'/escape'}                   | ${'/etc/shadow'}
    ${'/abs/os-release'}           | ${'/usr/lib/os-release'}
    ${'/loop1'}                    | ${null}
    ${'/usr/lib/x/up/etc'}         | ${'/etc'}
    ${'/usr/lib/x/up/../../etc'}   | ${'/etc'}
    ${'/plain/file'}               | ${'/plain/file'}
  `('resolveInRoot($path) === $expected (never outside the root)', ({ path, expected }) => {
    expect(resolveInRoot(path, links)).toBe(expected);
  });

  test('followLast=false keeps the last component', () => {
    expect(resolveInRoot('/lib', links, false)).toBe('/lib');
    expect(resolveInRoot('/lib/x', links, false)).toBe('/usr/lib/x');
  });

  test('isWithin', () => {
    expect(isWithin('/a/b', '/a')).toBe(true);
    expect(isWithin('/ab', '/a')).toBe(false);
    expect(isWithin('/a', '/a')).toBe(true);
  });
});
