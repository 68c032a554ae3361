import { describe, expect, test } from 'vitest';
import { ascending, expectOrder, type Row } from '../test-support.js';
import { semver } from './index.js';

// semver.org §11 precedence example, in order.
const SPEC_11 = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0'];
const MORE: Row[] = [
  ['1.0.0', '<', '2.0.0'], ['2.0.0', '<', '2.1.0'], ['2.1.0', '<', '2.1.1'], ['1.0.0+build.1', '=', '1.0.0+build.2'],
  // leniency for advisories written "1.0" or "1": read as 1.0.0
  ['1.0', '=', '1.0.0'], ['1', '=', '1.0.0'], ['0.4', '<', '0.4.1'], ['1.2-alpha', '=', '1.2.0-alpha'], ['v1.2.3', '=', '1.2.3'],
];

describe('semver', () => {
  test.each([...ascending(SPEC_11), ...MORE])('compare("%s" %s "%s")', (a, op, b) => expectOrder(semver, [a, op, b]));
  test.each(['', 'a.b.c', '1.2.3.4', '1.2.3-', '01.2.3', '1.2.3-01', '1..2'])('!isValid(%j)', (v) =>
    expect(semver.isValid(v)).toBe(false),
  );
});
