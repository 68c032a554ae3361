import { describe, expect, test } from 'vitest';
import { expectOrder, type Row } from '../test-support.js';
import { npm } from './index.js';

// node-semver test/fixtures/comparisons.js: [greater, lesser] pairs.
const COMPARISONS: [string, string][] = [
  ['0.0.0', '0.0.0-foo'], ['0.0.1', '0.0.0'], ['1.0.0', '0.9.9'], ['0.10.0', '0.9.0'], ['0.99.0', '0.10.0'],
  ['2.0.0', '1.2.3'], ['v0.0.0', '0.0.0-foo'], ['v0.0.1', '0.0.0'], ['v1.0.0', '0.9.9'], ['v0.10.0', '0.9.0'],
  ['v0.99.0', '0.10.0'], ['v2.0.0', '1.2.3'], ['0.0.0', 'v0.0.0-foo'], ['0.0.1', 'v0.0.0'], ['1.0.0', 'v0.9.9'],
  ['0.10.0', 'v0.9.0'], ['0.99.0', 'v0.10.0'], ['2.0.0', 'v1.2.3'], ['1.2.3', '1.2.3-asdf'], ['1.2.3', '1.2.3-4'],
  ['1.2.3', '1.2.3-4-foo'], ['1.2.3-5-foo', '1.2.3-5'], ['1.2.3-5', '1.2.3-4'], ['1.2.3-5-foo', '1.2.3-5-Foo'],
  ['3.0.0', '2.7.2+asdf'], ['1.2.3-a.10', '1.2.3-a.5'], ['1.2.3-a.b', '1.2.3-a.5'], ['1.2.3-a.b', '1.2.3-a'],
  ['1.2.3-a.b.c.10.d.5', '1.2.3-a.b.c.5.d.100'], ['1.2.3-r2', '1.2.3-r100'], ['1.2.3-r100', '1.2.3-R2'],
];
// node-semver test/fixtures/equality.js (loose rows included: npm reads versions loosely).
const EQUALITY: [string, string][] = [
  ['1.2.3', 'v1.2.3'], ['1.2.3', '=1.2.3'], ['1.2.3', 'v 1.2.3'], ['1.2.3', '= 1.2.3'], ['1.2.3', ' v1.2.3'],
  ['1.2.3', ' =1.2.3'], ['1.2.3', ' v 1.2.3'], ['1.2.3', ' = 1.2.3'], ['1.2.3-0', 'v1.2.3-0'], ['1.2.3-0', '=1.2.3-0'],
  ['1.2.3-0', 'v 1.2.3-0'], ['1.2.3-0', '= 1.2.3-0'], ['1.2.3-0', ' v1.2.3-0'], ['1.2.3-0', ' =1.2.3-0'],
  ['1.2.3-0', ' v 1.2.3-0'], ['1.2.3-0', ' = 1.2.3-0'], ['1.2.3-1', 'v1.2.3-1'], ['1.2.3-1', '=1.2.3-1'],
  ['1.2.3-beta', 'v1.2.3-beta'], ['1.2.3-beta', '= 1.2.3-beta'], ['1.2.3-beta+build', ' = 1.2.3-beta+otherbuild'],
  ['1.2.3+build', ' = 1.2.3+otherbuild'], ['1.2.3-beta+build', '1.2.3-beta+otherbuild'], ['1.2.3+build', '1.2.3+otherbuild'],
  ['  v1.2.3+build', '1.2.3+otherbuild'],
];

describe('npm', () => {
  const rows: Row[] = [...COMPARISONS.map(([a, b]) => [a, '>', b] as Row), ...EQUALITY.map(([a, b]) => [a, '=', b] as Row)];
  test.each(rows)('compare("%s" %s "%s")', (a, op, b) => expectOrder(npm, [a, op, b]));
  // Strings npm cannot read as a version (node-semver's parse returns null).
  test.each(['1.2.3.4', 'NOT VALID', '1.2', 'hello, world', 'xyz', '', '1.2.3+'])('!isValid(%j)', (v) =>
    expect(npm.isValid(v)).toBe(false),
  );
});
