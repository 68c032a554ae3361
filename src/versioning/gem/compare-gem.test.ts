import { describe, expect, test } from 'vitest';
import { expectOrder, type Row } from '../test-support.js';
import { gem } from './index.js';

// rubygems test/rubygems/test_gem_version.rb: test_spaceship, test_equals2, test_initialize,
// test_semver (its "+build" rows are left out: the current VERSION_PATTERN rejects "+").
const ROWS: Row[] = [
  ['1.0', '=', '1.0.0'], ['1.0', '>', '1.0.a'], ['1.8.2', '>', '0.0.0'], ['1.8.2', '>', '1.8.2.a'],
  ['1.8.2.b', '>', '1.8.2.a'], ['1.8.2.a', '<', '1.8.2'], ['1.8.2.a10', '>', '1.8.2.a9'], ['', '=', '0'],
  ['1.2', '=', '1.2'], ['1.2', '<', '1.3'], ['1.2.b1', '=', '1.2.b.1'], ['1.0', '=', '1.0 '], ['1.0', '=', ' 1.0 '],
  ['1.0', '=', '1.0\n'], ['1.0', '=', '\n1.0\n'], ['1.0.0-alpha', '<', '1.0.0-alpha.1'], ['1.0.0-alpha.1', '<', '1.0.0-beta.2'],
  ['1.0.0-beta.2', '<', '1.0.0-beta.11'], ['1.0.0-beta.11', '<', '1.0.0-rc.1'],
  // what gem advisories use
  ['7.0.8.1', '>', '7.0.8'], ['6.1.7.7', '<', '7.0.0'], ['1.13.10', '<', '1.16.0.rc1'], ['1.16.0.rc1', '<', '1.16.0'],
  ['2.0.0.pre', '<', '2.0.0'], ['1.0.0-rc1', '=', '1.0.0.pre.rc1'],
];

describe('gem', () => {
  test.each(ROWS)('compare(%j %s %j)', (a, op, b) => expectOrder(gem, [a, op, b]));
  test.each(['junk', '1.0\n2.0', '1.0+build', 'v1.0', '.1'])('!isValid(%j)', (v) => expect(gem.isValid(v)).toBe(false));
});
