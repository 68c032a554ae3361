import { describe, expect, test } from 'vitest';
import { expectOrder, type Row } from '../test-support.js';
import { composer } from './index.js';
import { normalizeComposer } from './compare-composer.js';

// composer/semver tests/VersionParserTest.php successfulNormalizedVersions (orderable forms).
const NORMALIZE: [string, string][] = [
  ['1.0.0', '1.0.0.0'], ['1.2.3.4', '1.2.3.4'], ['1.0.0RC1dev', '1.0.0.0-RC1-dev'], ['1.0.0-rC15-dev', '1.0.0.0-RC15-dev'],
  ['1.0.0.RC.15-dev', '1.0.0.0-RC15-dev'], ['1.0.0-rc1', '1.0.0.0-RC1'], ['1.0.0.pl3-dev', '1.0.0.0-patch3-dev'],
  ['1.0-dev', '1.0.0.0-dev'], ['0', '0.0.0.0'], ['10.4.13-beta', '10.4.13.0-beta'], ['10.4.13beta2', '10.4.13.0-beta2'],
  ['10.4.13beta.2', '10.4.13.0-beta2'], ['10.4.13-b', '10.4.13.0-beta'], ['10.4.13-b5', '10.4.13.0-beta5'],
  ['v1.0.0', '1.0.0.0'], ['2010.01', '2010.01.0.0'], ['2010.01.02', '2010.01.02.0'], ['2010.1.555', '2010.1.555.0'],
  ['2010.10.200', '2010.10.200.0'], ['v20100102', '20100102'], ['2010-01-02', '2010.01.02'], ['2010-01-02.5', '2010.01.02.5'],
  ['20100102-203040', '20100102.203040'], ['20150920.0.0', '20150920.0.0'], ['20100102203040-10', '20100102203040.10'],
  ['20100102-203040-p1', '20100102.203040-patch1'], ['1.x-dev', '1.9999999.9999999.9999999-dev'],
  ['1.0.0-beta.5+foo', '1.0.0.0-beta5'], ['1.0.0+foo', '1.0.0.0'], ['1.0.0-alpha.3.1+foo', '1.0.0.0-alpha3.1'],
  ['1.0.0-alpha2.1+foo', '1.0.0.0-alpha2.1'], ['1.0.0-alpha-2.1-3+foo', '1.0.0.0-alpha2.1-3'], ['1.0.0+foo as 2.0', '1.0.0.0'],
];
// failingNormalizedVersions, plus branch names (no order in Composer).
const INVALID = ['', 'a', '1.0.0-meh', '1.0.0.0.0', 'feature-foo', '1.0.0+foo bar', 'dev-master', 'dev-feature-foo'];

// tests/ComparatorTest.php (rows between versions; dev- branches are invalid here).
const COMPARATOR: Row[] = [
  ['1.25.0', '>', '1.24.0'], ['1.25.0', '=', '1.25.0'], ['1.25.0', '<', '1.26.0'], ['1.0.0', '<', '1.2-dev'],
  ['1.25.0-beta2.1', '<', '1.25.0-b.3'], ['1.25.0-b2.1', '<', '1.25.0beta.3'], ['1.25.0-b-2.1', '<', '1.25.0-rc'],
  ['1.25.0-beta2.1', '=', '1.25.0-b.2.1'], ['1.25.0beta2.1', '=', '1.25.0-b2.1'],
];
// Stabilities: dev < alpha < beta < RC < stable < patch.
const STABILITY: Row[] = [
  ['1.0.0-dev', '<', '1.0.0-alpha1'], ['1.0.0-alpha1', '<', '1.0.0-beta1'], ['1.0.0-beta1', '<', '1.0.0-RC1'],
  ['1.0.0-RC1', '<', '1.0.0'], ['1.0.0', '<', '1.0.0-p1'], ['1.0.0-pl1', '=', '1.0.0-patch1'], ['v1.0', '=', '1.0.0'],
  ['1.0.0-stable', '=', '1.0.0'], ['1.0.0-beta1', '<', '1.0.0-beta2'], ['5.4.27', '<', '5.4.28'], ['2.0.0-alpha1', '>', '1.9.9'],
];

describe('composer', () => {
  test.each(NORMALIZE)('normalize(%j) = %j', (v, n) => expect(normalizeComposer(v)).toBe(n));
  test.each(INVALID)('!isValid(%j)', (v) => expect(composer.isValid(v)).toBe(false));
  test.each([...COMPARATOR, ...STABILITY])('compare("%s" %s "%s")', (a, op, b) => expectOrder(composer, [a, op, b]));
});
