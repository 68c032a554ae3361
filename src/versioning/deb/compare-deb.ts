/**
 * Debian package versions, `[epoch:]upstream[-revision]`, ordered as dpkg orders them.
 * Hand-written port of dpkg's `parseversion()` (lib/dpkg/parsehelp.c) and `verrevcmp()`
 * (lib/dpkg/version.c), see deb-version(7):
 * https://git.dpkg.org/cgit/dpkg/dpkg.git/tree/lib/dpkg/version.c
 * https://manpages.debian.org/deb-version.7
 */
import { compareDigits } from '../scheme-base.js';

export interface DebVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

const EPOCH_MAX = 2 ** 31 - 1; // dpkg stores the epoch in an int
const UPSTREAM_CHARS = /^[A-Za-z0-9.+~:-]+$/;
const REVISION_CHARS = /^[A-Za-z0-9.+~]*$/;

/**
 * Parse as dpkg does: surrounding blanks ignored, the epoch before the first colon, the revision
 * after the last hyphen. dpkg only *warns* when the upstream part does not start with a digit;
 * such versions exist in old archives and are still ordered by verrevcmp, so we accept them.
 */
export function parseDeb(input: string): DebVersion | null {
  const s = input.trim();
  if (s === '' || /\s/.test(s)) return null;
  let epoch = 0;
  let rest = s;
  const colon = s.indexOf(':');
  if (colon >= 0) {
    const e = s.slice(0, colon);
    if (!/^\d+$/.test(e)) return null;
    epoch = Number(e);
    if (epoch > EPOCH_MAX) return null;
    rest = s.slice(colon + 1);
  }
  let upstream = rest;
  let revision = '';
  const hyphen = rest.lastIndexOf('-');
  if (hyphen >= 0) {
    upstream = rest.slice(0, hyphen);
    revision = rest.slice(hyphen + 1);
  }
  if (upstream === '' || !UPSTREAM_CHARS.test(upstream) || !REVISION_CHARS.test(revision)) return null;
  return { epoch, upstream, revision };
}

/** dpkg's character weight: `~` below the end of the string, letters below every other symbol. */
function weight(s: string, i: number): number {
  if (i >= s.length) return 0;
  const c = s.charCodeAt(i);
  if (c >= 0x30 && c <= 0x39) return 0;
  if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) return c;
  if (c === 0x7e) return -1;
  return c + 256;
}

const isDigitAt = (s: string, i: number): boolean => i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39;

/** Alternate non-digit runs (compared by weight) and digit runs (compared as numbers). */
export function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while ((i < a.length && !isDigitAt(a, i)) || (j < b.length && !isDigitAt(b, j))) {
      const d = weight(a, i) - weight(b, j);
      if (d !== 0) return d;
      i++;
      j++;
    }
    const si = i;
    while (isDigitAt(a, i)) i++;
    const sj = j;
    while (isDigitAt(b, j)) j++;
    const d = compareDigits(a.slice(si, i), b.slice(sj, j));
    if (d !== 0) return d;
  }
  return 0;
}

export function compareDeb(a: DebVersion, b: DebVersion): number {
  if (a.epoch !== b.epoch) return a.epoch - b.epoch;
  return verrevcmp(a.upstream, b.upstream) || verrevcmp(a.revision, b.revision);
}
