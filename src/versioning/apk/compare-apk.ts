/**
 * Alpine package versions (the Gentoo shape `{digit}{.digit}...{letter}{_suffix{n}}...{-r#}`),
 * ordered as apk-tools orders them. Hand-written port of the tokenizer and comparison in
 * apk-tools' src/version.c (`get_token`, `next_token`, `apk_version_compare_blob_fuzzy`,
 * `apk_version_validate`): https://gitlab.alpinelinux.org/alpine/apk-tools/-/blob/master/src/version.c
 * Pre-release suffixes `_alpha _beta _pre _rc` sort below the bare version, post-release
 * suffixes `_cvs _svn _git _hg _p` above it; `-rN` is the package revision.
 */

/** Token kinds, in the order apk-tools ranks them (a later kind ends a version sooner). */
const enum T {
  Invalid = -1,
  DigitOrZero = 0,
  Digit = 1,
  Letter = 2,
  Suffix = 3,
  SuffixNo = 4,
  RevisionNo = 5,
  End = 6,
}

const PRE_SUFFIXES = ['alpha', 'beta', 'pre', 'rc'];
const POST_SUFFIXES = ['cvs', 'svn', 'git', 'hg', 'p'];

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isLower = (c: string | undefined): boolean => c !== undefined && c >= 'a' && c <= 'z';

/** A cursor over one version string: the kind of the next token and the read position. */
interface Cursor {
  s: string;
  pos: number;
  type: T;
}

/** Decide the kind of the token after a separator, rejecting kinds that may not follow. */
function nextToken(c: Cursor): void {
  let n: T = T.Invalid;
  const ch = c.s[c.pos];
  if (c.pos >= c.s.length) {
    n = T.End;
  } else if ((c.type === T.Digit || c.type === T.DigitOrZero) && isLower(ch)) {
    n = T.Letter;
  } else if (c.type === T.Letter && isDigit(ch)) {
    n = T.Digit;
  } else if (c.type === T.Suffix && isDigit(ch)) {
    n = T.SuffixNo;
  } else {
    if (ch === '.') n = T.DigitOrZero;
    else if (ch === '_') n = T.Suffix;
    else if (ch === '-') {
      if (c.s[c.pos + 1] === 'r') {
        n = T.RevisionNo;
        c.pos++;
      }
    }
    c.pos++;
  }
  if (n < c.type) {
    const allowed =
      (n === T.DigitOrZero && c.type === T.Digit) ||
      (n === T.Suffix && c.type === T.SuffixNo) ||
      (n === T.Digit && c.type === T.Letter);
    if (!allowed) n = T.Invalid;
  }
  c.type = n;
}

/** Read the value of the current token and advance; a bigint so 17-digit dates stay exact. */
function getToken(c: Cursor): bigint {
  if (c.pos >= c.s.length) {
    c.type = T.End;
    return 0n;
  }
  let i = c.pos;
  let v = 0n;
  let nt: T = T.Invalid;
  switch (c.type) {
    case T.DigitOrZero:
    case T.Digit:
    case T.SuffixNo:
    case T.RevisionNo: {
      if (c.type === T.DigitOrZero && c.s[i] === '0') {
        // Leading zeros after a dot: "1.05" sorts below "1.5" (a fraction, not a number).
        while (c.s[i] === '0') i++;
        // Digits after the zeros continue this token. Otherwise the token ends here: newer
        // apk-tools (version.data "6.0_pre1 < 6.0") no longer reads an empty number after it.
        if (isDigit(c.s[i])) nt = T.Digit;
        v = -BigInt(i - c.pos);
        break;
      }
      while (isDigit(c.s[i])) i++;
      if (i - c.pos >= 18) return invalid(c);
      v = i > c.pos ? BigInt(c.s.slice(c.pos, i)) : 0n;
      break;
    }
    case T.Letter:
      v = BigInt(c.s.charCodeAt(i));
      i++;
      break;
    case T.Suffix: {
      const rest = c.s.slice(i);
      const pre = PRE_SUFFIXES.findIndex((p) => rest.startsWith(p));
      if (pre >= 0) {
        v = BigInt(pre - PRE_SUFFIXES.length);
        i += PRE_SUFFIXES[pre]!.length;
        break;
      }
      const post = POST_SUFFIXES.findIndex((p) => rest.startsWith(p));
      if (post >= 0) {
        v = BigInt(post);
        i += POST_SUFFIXES[post]!.length;
        break;
      }
      return invalid(c);
    }
    default:
      return invalid(c);
  }
  c.pos = i;
  if (c.pos >= c.s.length) c.type = T.End;
  else if (nt !== T.Invalid) c.type = nt;
  else nextToken(c);
  return v;
}

function invalid(c: Cursor): bigint {
  c.type = T.Invalid;
  return -1n;
}

export function isValidApk(version: string): boolean {
  if (version === '') return false;
  const c: Cursor = { s: version, pos: 0, type: T.Digit };
  while (c.type !== T.End && c.type !== T.Invalid) getToken(c);
  return c.type === T.End;
}

export function parseApk(version: string): string | null {
  return isValidApk(version) ? version : null;
}

export function compareApk(x: string, y: string): number {
  const a: Cursor = { s: x, pos: 0, type: T.Digit };
  const b: Cursor = { s: y, pos: 0, type: T.Digit };
  let av = 0n;
  let bv = 0n;
  while (a.type === b.type && a.type !== T.End && a.type !== T.Invalid && av === bv) {
    av = getToken(a);
    bv = getToken(b);
  }
  if (av < bv) return -1;
  if (av > bv) return 1;
  if (a.type === b.type) return 0;
  // Equal so far: the longer version is newer, unless what follows is a pre-release suffix.
  if (a.type === T.Suffix && getToken({ ...a }) < 0n) return -1;
  if (b.type === T.Suffix && getToken({ ...b }) < 0n) return 1;
  if (a.type > b.type) return -1;
  if (b.type > a.type) return 1;
  return 0;
}
