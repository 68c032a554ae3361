import { describe, expect, test } from 'vitest';
import type { RangeEvent } from '../vulndb/types.js';
import { getScheme } from './index.js';
import { isAffected } from './ranges.js';

const semver = getScheme('semver');
const deb = getScheme('deb');

describe('isAffected (OSV evaluation)', () => {
  const simple: RangeEvent[][] = [[{ introduced: '1.0.0' }, { fixed: '1.2.0' }]];
  test.each`
    version    | affected | fixed
    ${'0.9.0'} | ${false} | ${undefined}
    ${'1.0.0'} | ${true}  | ${'1.2.0'}
    ${'1.1.9'} | ${true}  | ${'1.2.0'}
    ${'1.2.0'} | ${false} | ${undefined}
    ${'2.0.0'} | ${false} | ${undefined}
  `('introduced/fixed: $version → $affected (fix $fixed)', ({ version, affected, fixed }) => {
    expect(isAffected(semver, version, simple)).toEqual(fixed ? { affected, fixed } : { affected });
  });

  test('introduced "0" means from the beginning', () => {
    expect(isAffected(semver, '0.0.1', [[{ introduced: '0' }, { fixed: '1.0.0' }]])).toEqual({ affected: true, fixed: '1.0.0' });
    expect(isAffected(deb, '0', [[{ introduced: '0' }]])).toEqual({ affected: true });
  });

  test('no fix: introduced alone', () => {
    expect(isAffected(semver, '9.9.9', [[{ introduced: '1.0.0' }]])).toEqual({ affected: true });
  });

  test.each`
    version    | affected
    ${'1.4.0'} | ${true}
    ${'1.5.0'} | ${true}
    ${'1.5.1'} | ${false}
  `('last_affected is inclusive: $version → $affected', ({ version, affected }) => {
    expect(isAffected(semver, version, [[{ introduced: '1.0.0' }, { last_affected: '1.5.0' }]])).toEqual({ affected });
  });

  test.each`
    version    | affected
    ${'1.5.0'} | ${true}
    ${'2.0.0'} | ${false}
    ${'3.0.0'} | ${false}
  `('limit bounds the range: $version → $affected', ({ version, affected }) => {
    expect(isAffected(semver, version, [[{ introduced: '1.0.0' }, { limit: '2.0.0' }]])).toEqual({ affected });
  });

  // The DESIGN hard case: several ranges (release lines, distro backports); the fix returned is the
  // one closing the range the installed version is in, not the first or the last one listed.
  const lines: RangeEvent[][] = [
    [{ introduced: '3.0.0' }, { fixed: '3.0.12' }],
    [{ introduced: '1.0.0' }, { fixed: '1.1.5' }],
    [{ introduced: '2.0.0' }, { fixed: '2.4.2' }],
  ];
  test.each`
    version     | affected | fixed
    ${'1.0.3'}  | ${true}  | ${'1.1.5'}
    ${'2.3.0'}  | ${true}  | ${'2.4.2'}
    ${'3.0.11'} | ${true}  | ${'3.0.12'}
    ${'1.1.5'}  | ${false} | ${undefined}
    ${'2.5.0'}  | ${false} | ${undefined}
  `('several ranges: $version → fix $fixed', ({ version, affected, fixed }) => {
    expect(isAffected(semver, version, lines)).toEqual(fixed ? { affected, fixed } : { affected });
  });

  test('several introduced/fixed pairs in one range', () => {
    const range: RangeEvent[][] = [[{ introduced: '0' }, { fixed: '1.0.5' }, { introduced: '1.1.0' }, { fixed: '1.1.3' }]];
    expect(isAffected(semver, '1.0.1', range)).toEqual({ affected: true, fixed: '1.0.5' });
    expect(isAffected(semver, '1.0.7', range)).toEqual({ affected: false });
    expect(isAffected(semver, '1.1.1', range)).toEqual({ affected: true, fixed: '1.1.3' });
  });

  test('a fix that opens another range leads on to the fix that leaves the vulnerability', () => {
    const chained: RangeEvent[][] = [
      [{ introduced: '1.0.0' }, { fixed: '1.5.0' }],
      [{ introduced: '1.5.0' }, { fixed: '2.0.0' }],
    ];
    expect(isAffected(semver, '1.2.0', chained)).toEqual({ affected: true, fixed: '2.0.0' });
  });

  test('Debian backport: the fixed version equal to the installed one is not affected', () => {
    const r: RangeEvent[][] = [[{ introduced: '0' }, { fixed: '2.36.1-8+deb11u2' }]];
    expect(isAffected(deb, '2.36.1-8+deb11u2', r)).toEqual({ affected: false });
    expect(isAffected(deb, '2.36.1-8+deb11u1', r)).toEqual({ affected: true, fixed: '2.36.1-8+deb11u2' });
    expect(isAffected(deb, '2.36.1-8+deb11u3', r)).toEqual({ affected: false });
  });

  test('explicit versions list', () => {
    expect(isAffected(semver, '1.3.0', [], ['1.2.0', '1.3.0'])).toEqual({ affected: true });
    expect(isAffected(semver, '1.3.1', [], ['1.2.0', '1.3.0'])).toEqual({ affected: false });
    // equal in the scheme though spelled differently
    expect(isAffected(semver, '1.3.0+build', [], ['1.3.0'])).toEqual({ affected: true });
    // a version in the list and outside every range is still affected
    expect(isAffected(semver, '5.0.0', simple, ['5.0.0'])).toEqual({ affected: true });
  });

  test('events in any order, as OSV allows', () => {
    const unsorted: RangeEvent[][] = [[{ fixed: '1.2.0' }, { introduced: '1.0.0' }, { fixed: '2.0.1' }, { introduced: '2.0.0' }]];
    expect(isAffected(semver, '1.1.0', unsorted)).toEqual({ affected: true, fixed: '1.2.0' });
    expect(isAffected(semver, '1.5.0', unsorted)).toEqual({ affected: false });
    expect(isAffected(semver, '2.0.0', unsorted)).toEqual({ affected: true, fixed: '2.0.1' });
  });

  test('introduced and fixed at the same version is an empty range', () => {
    expect(isAffected(semver, '1.0.0', [[{ fixed: '1.0.0' }, { introduced: '1.0.0' }]])).toEqual({ affected: false });
  });

  test('an invalid installed version never throws: not affected, flagged', () => {
    expect(isAffected(semver, 'not-a-version', simple)).toEqual({ affected: false, invalid: true });
    expect(isAffected(deb, '', [[{ introduced: '0' }]])).toEqual({ affected: false, invalid: true });
    // a verbatim entry of the explicit list still matches
    expect(isAffected(semver, 'weird', [], ['weird'])).toEqual({ affected: true, invalid: true });
  });

  test('a range with an unreadable event is skipped and flagged; the other ranges still count', () => {
    const mixed: RangeEvent[][] = [[{ introduced: 'garbage' }, { fixed: '9.0.0' }], [{ introduced: '1.0.0' }, { fixed: '1.2.0' }]];
    expect(isAffected(semver, '1.1.0', mixed)).toEqual({ affected: true, fixed: '1.2.0', invalid: true });
    expect(isAffected(semver, '5.0.0', mixed)).toEqual({ affected: false, invalid: true });
  });

  test('an event with no known key makes its range unreadable', () => {
    const odd = [[{ introduced: '1.0.0' }, { bogus: '2.0.0' } as unknown as RangeEvent]];
    expect(isAffected(semver, '1.5.0', odd)).toEqual({ affected: false, invalid: true });
  });
});
