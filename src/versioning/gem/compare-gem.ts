/**
 * RubyGems versions, ordered as `Gem::Version#<=>` orders them: "-" reads as ".pre.", the
 * version splits into numeric and letter segments, a letter segment makes a pre-release (it
 * sorts below numbers), trailing zeros of the release and pre-release parts are ignored.
 * Hand-written port (no JavaScript library implements Gem::Version):
 * https://github.com/rubygems/rubygems/blob/master/lib/rubygems/version.rb
 * https://guides.rubygems.org/patterns/#semantic-versioning
 */
import { compareDigits, compareStrings } from '../scheme-base.js';

type Segment = { num: string } | { str: string };

const ANCHORED = /^\s*([0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)?\s*$/;

/** The canonical segments: release part and pre-release part, each without trailing zeros. */
export function parseGem(input: string): Segment[] | null {
  const m = ANCHORED.exec(input);
  if (!m) return null;
  const version = (m[1] ?? '0').replace(/-/g, '.pre.');
  const segments: Segment[] = (version.match(/[0-9]+|[a-z]+/gi) ?? []).map((s) =>
    /^\d/.test(s) ? { num: s.replace(/^0+(?=\d)/, '') } : { str: s },
  );
  const firstString = segments.findIndex((s) => 'str' in s);
  const release = firstString < 0 ? segments : segments.slice(0, firstString);
  const pre = firstString < 0 ? [] : segments.slice(firstString);
  return [...trimZeros(release), ...trimZeros(pre)];
}

function trimZeros(segments: Segment[]): Segment[] {
  let end = segments.length;
  while (end > 0) {
    const last = segments[end - 1]!;
    if (!('num' in last) || last.num !== '0') break;
    end--;
  }
  return segments.slice(0, end);
}

export function compareGem(a: Segment[], b: Segment[]): number {
  const zero: Segment = { num: '0' };
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const l = a[i] ?? zero;
    const r = b[i] ?? zero;
    if ('num' in l && 'num' in r) {
      const d = compareDigits(l.num, r.num);
      if (d !== 0) return d;
    } else if ('str' in l && 'str' in r) {
      const d = compareStrings(l.str, r.str);
      if (d !== 0) return d;
    } else {
      return 'str' in l ? -1 : 1;
    }
  }
  return 0;
}
