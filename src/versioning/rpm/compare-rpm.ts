/**
 * RPM versions, `[epoch:]version[-release]`, ordered as rpm orders them.
 * Hand-written port of `rpmvercmp()` (rpmio/rpmvercmp.c, with `~` sorting before everything and
 * `^` after the base version but before anything else) and of the EVR split in
 * `rpmverParse()`: https://github.com/rpm-software-management/rpm/blob/master/rpmio/rpmvercmp.c
 * https://rpm-software-management.github.io/rpm/manual/spec.html (Version, Release, Epoch).
 */
import { compareDigits, compareStrings } from '../scheme-base.js';

export interface RpmVersion {
  epoch: number;
  version: string;
  /** Empty when the string has no release; an absent release sorts below any release. */
  release: string;
}

export function parseRpm(input: string): RpmVersion | null {
  const s = input.trim();
  if (s === '' || /\s/.test(s)) return null;
  let epoch = 0;
  let rest = s;
  const colon = s.indexOf(':');
  if (colon >= 0) {
    const e = s.slice(0, colon);
    if (!/^\d+$/.test(e)) return null;
    epoch = Number(e);
    if (!Number.isSafeInteger(epoch)) return null;
    rest = s.slice(colon + 1);
  }
  const hyphen = rest.lastIndexOf('-');
  const version = hyphen >= 0 ? rest.slice(0, hyphen) : rest;
  const release = hyphen >= 0 ? rest.slice(hyphen + 1) : '';
  if (version === '' || (hyphen >= 0 && release === '') || version.includes(':')) return null;
  return { epoch, version, release };
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined): boolean => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
const isAlnum = (c: string | undefined): boolean => isDigit(c) || isAlpha(c);

/** rpmvercmp: separators are insignificant, digit runs beat letter runs, `~` and `^` are special. */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isAlnum(a[i]) && a[i] !== '~' && a[i] !== '^') i++;
    while (j < b.length && !isAlnum(b[j]) && b[j] !== '~' && b[j] !== '^') j++;

    if (a[i] === '~' || b[j] === '~') {
      if (a[i] !== '~') return 1;
      if (b[j] !== '~') return -1;
      i++;
      j++;
      continue;
    }
    if (a[i] === '^' || b[j] === '^') {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (a[i] !== '^') return 1;
      if (b[j] !== '^') return -1;
      i++;
      j++;
      continue;
    }
    if (i >= a.length || j >= b.length) break;

    const numeric = isDigit(a[i]);
    const take = numeric ? isDigit : isAlpha;
    const si = i;
    while (take(a[i])) i++;
    const sj = j;
    while (take(b[j])) j++;
    const x = a.slice(si, i);
    const y = b.slice(sj, j);
    // Segments of different kinds: a number is newer than letters.
    if (y === '') return numeric ? 1 : -1;
    const d = numeric ? compareDigits(x, y) : compareStrings(x, y);
    if (d !== 0) return d;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i < a.length ? 1 : -1;
}

export function compareRpm(a: RpmVersion, b: RpmVersion): number {
  if (a.epoch !== b.epoch) return a.epoch - b.epoch;
  return rpmvercmp(a.version, b.version) || rpmvercmp(a.release, b.release);
}
