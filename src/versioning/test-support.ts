/** Helpers shared by the scheme tests (not shipped behaviour). */
import { expect } from 'vitest';
import type { VersionScheme } from './types.js';

/** "a < b" rows as upstream suites write them, checked both ways. */
export type Row = readonly [a: string, op: '<' | '=' | '>', b: string];

export function expectOrder(scheme: VersionScheme, [a, op, b]: Row): void {
  const want = op === '<' ? -1 : op === '>' ? 1 : 0;
  expect(scheme.compare(a, b)).toBe(want);
  expect(scheme.compare(b, a)).toBe(-want || 0);
}

/** Rows from a list the upstream suite keeps in ascending order: every pair. */
export function ascending(list: readonly string[]): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) rows.push([list[i]!, '<', list[j]!]);
  }
  return rows;
}

/** Rows "each element < the next" for a chain. */
export function chain(list: readonly string[]): Row[] {
  return list.slice(1).map((b, i) => [list[i]!, '<', b] as Row);
}
