/**
 * Maven versions, ordered as Maven's `ComparableVersion` orders them (Maven 3.9): the version is
 * split into items on "." and "-" and on every digit/letter transition; "-" (or a transition)
 * opens a sub-list; numbers compare numerically, known qualifiers by rank
 * (alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release < sp), other
 * qualifiers after them, alphabetically; trailing zeros and release qualifiers are dropped.
 * Hand-written (no maintained JavaScript port exists):
 * https://maven.apache.org/pom.html#version-order-specification
 * https://github.com/apache/maven/blob/maven-3.9.x/maven-artifact/src/main/java/org/apache/maven/artifact/versioning/ComparableVersion.java
 */
import { compareStrings } from '../scheme-base.js';

type Item = { kind: 'int'; value: bigint } | { kind: 'string'; value: string } | { kind: 'list'; items: Item[] };

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Record<string, string> = { ga: '', final: '', release: '', cr: 'rc' };
const RELEASE_RANK = String(QUALIFIERS.indexOf(''));

/** Known qualifiers rank by position; unknown ones sort after all of them, alphabetically. */
function rank(qualifier: string): string {
  const i = QUALIFIERS.indexOf(qualifier);
  return i >= 0 ? String(i) : `${QUALIFIERS.length}-${qualifier}`;
}

function stringItem(value: string, followedByDigit: boolean): Item {
  if (followedByDigit && value.length === 1) {
    // "a1", "b2", "m3" are alpha-1, beta-2, milestone-3.
    value = value === 'a' ? 'alpha' : value === 'b' ? 'beta' : value === 'm' ? 'milestone' : value;
  }
  return { kind: 'string', value: ALIASES[value] ?? value };
}

function parseItem(isDigit: boolean, text: string): Item {
  return isDigit ? { kind: 'int', value: BigInt(text) } : stringItem(text, false);
}

function isNull(item: Item): boolean {
  if (item.kind === 'int') return item.value === 0n;
  if (item.kind === 'string') return rank(item.value) === RELEASE_RANK;
  return item.items.length === 0;
}

/** Drop trailing "null" items (0, "", ga …), stopping at the first non-null non-list item. */
function normalize(list: Item[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const last = list[i]!;
    if (isNull(last)) list.splice(i, 1);
    else if (last.kind !== 'list') break;
  }
}

export function parseMaven(input: string): Item[] | null {
  const version = input.trim().toLowerCase();
  if (version === '' || /\s/.test(version)) return null;
  const root: Item[] = [];
  let list = root;
  const stack: Item[][] = [root];
  let isDigit = false;
  let start = 0;
  const openSublist = (): void => {
    const sub: Item[] = [];
    list.push({ kind: 'list', items: sub });
    list = sub;
    stack.push(sub);
  };
  for (let i = 0; i < version.length; i++) {
    const c = version[i]!;
    if (c === '.' || c === '-') {
      list.push(i === start ? { kind: 'int', value: 0n } : parseItem(isDigit, version.slice(start, i)));
      start = i + 1;
      if (c === '-') openSublist();
    } else if (c >= '0' && c <= '9') {
      if (!isDigit && i > start) {
        list.push(stringItem(version.slice(start, i), true));
        start = i;
        openSublist();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.push(parseItem(true, version.slice(start, i)));
        start = i;
        openSublist();
      }
      isDigit = false;
    }
  }
  if (version.length > start) list.push(parseItem(isDigit, version.slice(start)));
  while (stack.length > 0) normalize(stack.pop()!);
  return root;
}

/** `item.compareTo(other)`, where a missing `other` stands for the end of a shorter list. */
function compareItem(item: Item, other: Item | undefined): number {
  switch (item.kind) {
    case 'int':
      if (other === undefined) return item.value === 0n ? 0 : 1;
      if (other.kind !== 'int') return 1;
      return item.value < other.value ? -1 : item.value > other.value ? 1 : 0;
    case 'string':
      if (other === undefined) return compareStrings(rank(item.value), RELEASE_RANK);
      if (other.kind !== 'string') return -1;
      return compareStrings(rank(item.value), rank(other.value));
    case 'list':
      if (other === undefined) return item.items.length === 0 ? 0 : compareItem(item.items[0]!, undefined);
      if (other.kind === 'int') return -1;
      if (other.kind === 'string') return 1;
      return compareLists(item.items, other.items);
  }
}

export function compareLists(a: Item[], b: Item[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const l = a[i];
    const r = b[i];
    const d = l === undefined ? (r === undefined ? 0 : -compareItem(r, undefined)) : compareItem(l, r);
    if (d !== 0) return d;
  }
  return 0;
}
