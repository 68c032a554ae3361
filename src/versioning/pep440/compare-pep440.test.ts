import { describe, expect, test } from 'vitest';
import { ascending, expectOrder, type Row } from '../test-support.js';
import { pep440 } from './index.js';

// pypa/packaging tests/test_version.py VERSIONS ("must be in the correct sorting order").
const VERSIONS_0 = [
  '1.0.dev0', '1.0.dev456', '1.0.dev456+local', '1.0a0', '1.0a0.post0.dev0', '1.0a0.post0', '1.0a1.dev1',
  '1.0a1.dev1+local', '1.0a1', '1.0a1+local', '1.0b0', '1.0b1.dev456', '1.0b2', '1.0b2.post345.dev456',
  '1.0b2.post345', '1.0b2-346', '1.0rc0', '1.0rc1.dev1', '1.0c1', '1.0rc2', '1.0', '1.0.post0.dev0', '1.0.post0',
  '1.0.post456.dev34', '1.0.post456', '1.0.post456+local', '1.0.1.dev1', '1.0.1a1', '1.0.1', '1.0.1+local',
  '1.0.1.post1', '1.1.dev1', '1.2+a', '1.2+abc', '1.2+abcdef', '1.2+def', '1.2+0', '1.2+1', '1.2+1.abc', '1.2+1.1',
  '1.2+1.1.0', '1.2+2', '1.2+123', '1.2+123456', '1.2.r32+123456', '1.2.rev33+123456',
];
const VERSIONS = [...VERSIONS_0, ...VERSIONS_0.map((v) => `1!${v}`)];
// test_normalized_versions: equal to their normal form.
const NORMALIZED: Row[] = (
  [
    ['1.0dev', '1.0.dev0'], ['1.0-dev1', '1.0.dev1'], ['1.0DEV', '1.0.dev0'], ['1.0a', '1.0a0'], ['1.0.alpha1', '1.0a1'],
    ['1.0-ALPHA', '1.0a0'], ['1.0b', '1.0b0'], ['1.0-beta1', '1.0b1'], ['1.0c', '1.0rc0'], ['1.0.C1', '1.0rc1'],
    ['1.0-RC1', '1.0rc1'], ['1.0post', '1.0.post0'], ['1.0r', '1.0.post0'], ['1.0rev', '1.0.post0'], ['1.0-5', '1.0.post5'],
    ['1.0-r5', '1.0.post5'], ['1.0+AbC', '1.0+abc'], ['1.01', '1.1'], ['1.0a05', '1.0a5'], ['1.0c056', '1.0rc56'],
    ['1.0.post000', '1.0.post0'], ['1.1.dev09000', '1.1.dev9000'], ['00!1.2', '1.2'], ['0100!0.0', '100!0.0'],
    ['v1.0', '1.0'], ['   v1.0\t\n', '1.0'], ['1.0rc1', '1.0c1'],
  ] as const
).map(([a, b]) => [a, '=', b] as Row);
// test_invalid_versions (ASCII ones; the library's character classes are ASCII too).
const INVALID = ['french toast', '1.0+a+', '1.0++', '1.0+_foobar', '1.0+foo&asd', '1.0+1+1', '1. 0', '1 .0', '1.0 a1', '1.0a 1'];

describe('pep440', () => {
  test.each([...ascending(VERSIONS), ...NORMALIZED])('compare("%s" %s "%s")', (a, op, b) => expectOrder(pep440, [a, op, b]));
  test.each(INVALID)('!isValid(%j)', (v) => expect(pep440.isValid(v)).toBe(false));
});
