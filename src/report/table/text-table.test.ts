import { describe, expect, test } from 'vitest';
import { layoutTable, textWidth, truncateMiddle } from './text-table.js';

describe('truncateMiddle', () => {
  test.each`
    input                                                  | max   | expected
    ${'/var/lib/dpkg/status'}                              | ${40} | ${'/var/lib/dpkg/status'}
    ${'/var/lib/dpkg/status'}                              | ${20} | ${'/var/lib/dpkg/status'}
    ${'/var/lib/dpkg/status'}                              | ${10} | ${'/var/…atus'}
    ${'/usr/lib/python3/dist-packages/idna/PKG-INFO'}      | ${21} | ${'/usr/lib/p…a/PKG-INFO'}
    ${'abc'}                                               | ${1}  | ${'…'}
  `('truncateMiddle("$input", $max) === "$expected"', ({ input, max, expected }) => {
    const out = truncateMiddle(input, max);
    expect(out).toBe(expected);
    expect(textWidth(out)).toBeLessThanOrEqual(max);
  });
});

test('layoutTable fits columns to content and keeps newlines out of cells', () => {
  const lines = layoutTable(
    [{ header: 'NAME' }, { header: 'N', align: 'right' }, { header: 'NOTE' }],
    [
      ['a', '1', 'x\ny'],
      ['longer', '10', ''],
    ],
  );
  expect(lines).toEqual(['NAME     N  NOTE', 'a        1  x y', 'longer  10']);
});
