/**
 * Composer (Packagist) versions: normalised the way composer/semver's `VersionParser::normalize`
 * does ("v1.0" → "1.0.0.0", "1.0.0RC1dev" → "1.0.0.0-RC1-dev", date versions, "1.x-dev"
 * branches), then ordered by PHP's `version_compare`, as `Comparator::compare` does, so
 * stabilities rank dev < alpha < beta < RC < stable < patch (pl, p).
 * Branch names ("dev-main") have no order in Composer and are not valid here.
 * Hand-written port (no JavaScript library implements both halves):
 * https://github.com/composer/semver/blob/main/src/VersionParser.php
 * https://github.com/php/php-src/blob/master/ext/standard/versioning.c
 */
import { compareDigits } from '../scheme-base.js';

const MODIFIER = '[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\\d+)*)?)?([.-]?dev)?';
const CLASSICAL = new RegExp(`^v?(\\d{1,5})(\\.\\d+)?(\\.\\d+)?(\\.\\d+)?${MODIFIER}$`, 'i');
const DATE = new RegExp(`^v?(\\d{4}(?:[.:-]?\\d{2}){1,6}(?:[.:-]?\\d{1,3}){0,2})${MODIFIER}$`, 'i');
const NUMERIC_BRANCH = /^v?(\d+)(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?$/;

function expandStability(s: string): string {
  const l = s.toLowerCase();
  return l === 'a' ? 'alpha' : l === 'b' ? 'beta' : l === 'p' || l === 'pl' ? 'patch' : l === 'rc' ? 'RC' : l;
}

/** composer/semver's normalize(), for the forms that have an order; null otherwise. */
export function normalizeComposer(input: string): string | null {
  let v = input.trim();
  const alias = /^([^,\s]+) +as +([^,\s]+)$/.exec(v);
  if (alias) v = alias[1]!;
  v = v.replace(/@(?:stable|RC|beta|alpha|dev)$/i, '');
  if (v === '' || /^dev-/i.test(v)) return null;
  const meta = /^([^,\s+]+)\+\S+$/.exec(v);
  if (meta) v = meta[1]!;

  let m = CLASSICAL.exec(v);
  let base: string | undefined;
  let index = 0;
  if (m) {
    base = `${m[1]}${m[2] || '.0'}${m[3] || '.0'}${m[4] || '.0'}`;
    index = 5;
  } else if ((m = DATE.exec(v))) {
    base = m[1]!.replace(/\D/g, '.');
    index = 2;
  }
  if (m && base !== undefined) {
    const stability = m[index];
    if (stability) {
      if (stability.toLowerCase() === 'stable') return base;
      base += `-${expandStability(stability)}${(m[index + 1] ?? '').replace(/^[.-]+/, '')}`;
    }
    if (m[index + 2]) base += '-dev';
    return base;
  }
  const dev = /^(.*?)[.-]?dev$/i.exec(v);
  if (dev) {
    const b = NUMERIC_BRANCH.exec(dev[1]!);
    if (b) {
      const parts = [b[1], b[2], b[3], b[4]].map((p, i) =>
        i === 0 ? p! : p === undefined || /[xX*]/.test(p) ? '.9999999' : p,
      );
      return `${parts.join('')}-dev`;
    }
  }
  return null;
}

/** PHP's special forms, matched by prefix; anything else ranks below "dev". */
const SPECIAL: [string, number][] = [
  ['dev', 0], ['alpha', 1], ['a', 1], ['beta', 2], ['b', 2], ['RC', 3], ['rc', 3], ['#', 4], ['pl', 5], ['p', 5],
];

function specialOrder(form: string): number {
  return SPECIAL.find(([name]) => form.startsWith(name))?.[1] ?? -1;
}

/** version_compare's canonical form: separators become ".", a "." between digits and letters. */
function canonicalize(v: string): string {
  let out = v[0] ?? '';
  const isDig = (c: string): boolean => c >= '0' && c <= '9';
  const isNDig = (c: string): boolean => !isDig(c) && c !== '.';
  for (let i = 1; i < v.length; i++) {
    const c = v[i]!;
    const lp = v[i - 1]!;
    const lq = out[out.length - 1];
    if (c === '-' || c === '_' || c === '+') {
      if (lq !== '.') out += '.';
    } else if ((isNDig(lp) && isDig(c)) || (isDig(lp) && isNDig(c))) {
      if (lq !== '.') out += '.';
      out += c;
    } else if (!/[0-9A-Za-z]/.test(c)) {
      if (lq !== '.') out += '.';
    } else {
      out += c;
    }
  }
  return out;
}

const startsWithDigit = (s: string): boolean => /^\d/.test(s);

/** PHP's version_compare(), on two version strings. */
export function phpVersionCompare(a: string, b: string): number {
  if (a === '' || b === '') return a === b ? 0 : a === '' ? -1 : 1;
  const p1 = canonicalize(a).split('.');
  const p2 = canonicalize(b).split('.');
  const n = Math.min(p1.length, p2.length);
  for (let i = 0; i < n; i++) {
    const x = p1[i]!;
    const y = p2[i]!;
    let d: number;
    if (startsWithDigit(x) && startsWithDigit(y)) d = compareDigits(/^\d+/.exec(x)![0], /^\d+/.exec(y)![0]);
    else if (!startsWithDigit(x) && !startsWithDigit(y)) d = Math.sign(specialOrder(x) - specialOrder(y));
    else d = startsWithDigit(x) ? Math.sign(4 - specialOrder(y)) : Math.sign(specialOrder(x) - 4);
    if (d !== 0) return d;
  }
  // One ran out: a further number makes the longer one newer; a word is ranked against a number.
  if (p1.length > n) return startsWithDigit(p1[n]!) ? 1 : Math.sign(specialOrder(p1[n]!) - 4) || 1;
  if (p2.length > n) return startsWithDigit(p2[n]!) ? -1 : Math.sign(4 - specialOrder(p2[n]!)) || -1;
  return 0;
}
