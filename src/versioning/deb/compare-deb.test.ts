import { describe, expect, test } from 'vitest';
import { expectOrder, type Row } from '../test-support.js';
import { deb } from './index.js';

// dpkg scripts/t/Dpkg_Version.t __DATA__ (a b expected), transcribed. Its last row,
// "-0.6.5 0.9.1 -1", is left out: dpkg's C parser rejects an empty upstream version
// (lib/dpkg/t/t-version.c "-0"), and so do we (see the invalid table).
const DPKG_VERSION_T: Row[] = (
  [
    ['1.0-1', '2.0-2', -1], ['2.2~rc-4', '2.2-1', -1], ['2.2-1', '2.2~rc-4', 1], ['1.0000-1', '1.0-1', 0],
    ['1', '0:1', 0], ['0', '0:0-0', 0], ['2:2.5', '1:7.5', 1], ['1:0foo', '0foo', 1], ['0:0foo', '0foo', 0],
    ['0foo', '0foo', 0], ['0foo-', '0foo', 0], ['0foo-', '0foo-0', 0], ['0foo', '0fo', 1], ['0foo-', '0foo+', -1],
    ['0foo~1', '0foo', -1], ['0foo~foo+Bar', '0foo~foo+bar', -1], ['0foo~~', '0foo~', -1], ['1~', '1', -1],
    ['12345+that-really-is-some-ver-0', '12345+that-really-is-some-ver-10', -1], ['0foo-0', '0foo-01', -1],
    ['0foo.bar', '0foobar', 1], ['0foo.bar', '0foo1bar', 1], ['0foo.bar', '0foo0bar', 1], ['0foo1bar-1', '0foobar-1', -1],
    ['0foo2.0', '0foo2', 1], ['0foo2.0.0', '0foo2.10.0', -1], ['0foo2.0', '0foo2.0.0', -1], ['0foo2.0', '0foo2.10', -1],
    ['0foo2.1', '0foo2.10', -1], ['1.09', '1.9', 0], ['1.0.8+nmu1', '1.0.8', 1], ['3.11', '3.10+nmu1', 1],
    ['0.9j-20080306-4', '0.9i-20070324-2', 1], ['1.2.0~b7-1', '1.2.0~b6-1', 1], ['1.011-1', '1.06-2', 1],
    ['0.0.9+dfsg1-1', '0.0.8+dfsg1-3', 1], ['4.6.99+svn6582-1', '4.6.99+svn6496-1', 1], ['53', '52', 1],
    ['0.9.9~pre122-1', '0.9.9~pre111-1', 1], ['2:2.3.2-2+lenny2', '2:2.3.2-2', 1], ['1:3.8.1-1', '3.8.GA-1', 1],
    ['1.0.1+gpl-1', '1.0.1-2', 1], ['1a', '1000a', -1],
  ] as const
).map(([a, b, r]) => [a, r < 0 ? '<' : r > 0 ? '>' : '=', b] as Row);

// lib/dpkg/t/t-version.c equalities, and the cases a scanner meets every day.
const MORE: Row[] = [
  ['0:0', '=', '0'], ['0:0-', '=', '0'], ['0:0-0', '=', '0-0'], ['0:0.0-0.0', '=', '0.0-0.0'],
  ['0:0-0-0', '=', '0-0-0'], ['0:0:0-0', '=', '0:0:0-0'], ['0:09azAZ.-+~:-0', '=', '0:09azAZ.-+~:-0'],
  ['0:0-azAZ09.+~', '=', '0-azAZ09.+~'], ['  \t0:0-1', '=', '0-1'], ['0:0-1\t  ', '=', '0-1'],
  ['0-0', '<', '1:0-0'], ['a-0', '<', 'b-0'], ['0-a', '<', '0-b'], ['0-00', '=', '00-0'],
  ['1:2.36.1-8', '>', '2.36.1-8+deb11u3'], ['2.36.1-8', '<', '2.36.1-8+deb11u3'], ['1.0~rc1', '<', '1.0'],
  ['1.2.3-1', '<', '1.2.3-1+b1'], ['1.2.3-1+b1', '<', '1.2.3-1+deb12u1'], ['1.2.3-1+deb12u1', '<', '1.2.3-2'],
  ['3.0.11-1~deb12u2', '<', '3.0.11-1'], ['7.88.1-10+deb12u5', '<', '7.88.1-10+deb12u12'],
];

const VALID = ['0', '1:0', '1.2.3-1', '0:09azAZ.-+~:-0', '0:0-azAZ09.+~', '  \t0:0-1', '2.36.1-8+deb11u3', '0:0-'];
// t-version.c parse failures; a leading letter is only a dpkg warning and stays readable.
const INVALID = [
  '', '  ', '0:', '0:0 0-1', '-1:0-1', '999999999999999999999999:0-1', 'a:0-0', 'A:0-0', '-0', '0:-0',
  '-0.6.5', '0:0-0:0', '10a:5.2', '5.2@3-2',
  ...[...'!#@$%&/|\\<>()[]{};,_=*^\''].map((c) => `0:0${c}-0`),
  ...[...'!#@$%&/|\\<>()[]{}:;,_=*^\''].map((c) => `0:0-0${c}`),
];

describe('deb', () => {
  test.each([...DPKG_VERSION_T, ...MORE])('compare("%s" %s "%s")', (a, op, b) => expectOrder(deb, [a, op, b]));
  test.each(VALID)('isValid(%j)', (v) => expect(deb.isValid(v)).toBe(true));
  test.each(INVALID)('!isValid(%j)', (v) => expect(deb.isValid(v)).toBe(false));
  test('a leading letter is a dpkg warning, still ordered', () => expect(deb.compare('0:abc3-0', '0:abd3-0')).toBe(-1));
  test('compare rejects an unreadable version', () =>
    expect(() => deb.compare('a:1', '1')).toThrow(expect.objectContaining({ code: 'invalid-version' })));
});
