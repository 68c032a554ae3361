import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { getScheme, schemes } from './index.js';
import type { VersionScheme } from './types.js';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Per scheme: a few of its own valid spellings, and a generator of valid versions for the
 * order properties (antisymmetry, reflexivity, transitivity).
 */
const n = fc.integer({ min: 0, max: 30 });
const word = (letters: string[]) => fc.constantFrom(...letters);
const CONTRACT: Record<string, { examples: string[]; gen: fc.Arbitrary<string> }> = {
  deb: {
    examples: ['1:2.36.1-8', '2.36.1-8+deb11u3', '1.0~rc1', '1.2.3-1+b1', '0'],
    gen: fc
      .tuple(fc.nat(2), fc.array(fc.oneof(n.map(String), word(['.', '~', '+', 'a', 'rc', 'b', '~rc'])), { maxLength: 5 }), fc.option(fc.array(fc.oneof(n.map(String), word(['.', '+', '~', 'deb', 'u'])), { maxLength: 4 })))
      .map(([e, up, rev]) => `${e}:${n0(up)}${rev ? `-${rev.join('')}` : ''}`),
  },
  rpm: {
    examples: ['1:1.0-1.el8', '2.17-326.el7_9', '1.0~rc1-1', '1.0^git1-2'],
    gen: fc
      .tuple(fc.nat(2), fc.array(fc.oneof(n.map(String), word(['.', '~', '^', 'a', 'rc', 'git', '_'])), { maxLength: 5 }), fc.array(fc.oneof(n.map(String), word(['.', 'el', '~'])), { maxLength: 3 }))
      .map(([e, v, r]) => `${e}:${n0(v)}-${n0(r)}`),
  },
  apk: {
    examples: ['1.36.1-r15', '3.1_p16', '0.1.0_alpha2', '2.3.0b-r1', '1.0.0_pre20191002222144-r0'],
    gen: fc
      .tuple(fc.array(n, { minLength: 1, maxLength: 4 }), fc.option(word(['a', 'b', 'z'])), fc.array(fc.tuple(word(['alpha', 'beta', 'pre', 'rc', 'cvs', 'svn', 'git', 'hg', 'p']), fc.option(n)), { maxLength: 2 }), fc.option(n))
      .map(([nums, letter, sufs, rev]) => `${nums.join('.')}${letter ?? ''}${sufs.map(([s, k]) => `_${s}${k ?? ''}`).join('')}${rev === null ? '' : `-r${rev}`}`),
  },
  semver: { examples: ['1.0.0', '1.0', '0.4.0-alpha.1', '1.2.3+build'], gen: semverGen() },
  npm: { examples: ['1.2.3', 'v1.2.3', '1.0.0-beta.2', '=1.2.3'], gen: semverGen() },
  pep440: {
    examples: ['1.0', '1!2.0.post1', '1.0rc1.dev2', '1.0+local.7', 'v1.0'],
    gen: fc
      .tuple(fc.nat(1), fc.array(n, { minLength: 1, maxLength: 3 }), fc.option(fc.tuple(word(['a', 'b', 'rc']), n)), fc.option(n), fc.option(n), fc.option(word(['abc', '1', 'x.2'])))
      .map(([e, rel, pre, post, dev, local]) => `${e}!${rel.join('.')}${pre ? pre.join('') : ''}${post === null ? '' : `.post${post}`}${dev === null ? '' : `.dev${dev}`}${local ? `+${local}` : ''}`),
  },
  maven: {
    examples: ['1.0', '2.13.4.2', '1.0-SNAPSHOT', '5.3.18.RELEASE', '1.0-alpha-1', '9.4.50.v20221201'],
    // ComparableVersion itself is not transitive once a qualifier follows a "." (see
    // maven/compare-maven.test.ts), nor with release aliases inside sub-lists: generated
    // qualifiers follow "-" only and are never "ga"/"final" (the tables cover those).
    gen: fc
      .array(fc.oneof(fc.tuple(word(['.', '-']), n.map(String)), fc.tuple(fc.constant('-'), word(['alpha', 'beta', 'rc', 'cr', 'snapshot', 'sp', 'abc', 'a', 'm']))), { maxLength: 5 })
      .chain((parts) => n.map((first) => `${first}${parts.map(([s, p]) => s + p).join('')}`)),
  },
  go: {
    examples: ['v1.2.3', '1.2.3', 'v0.0.0-20220314234659-1baeb1ce4c0b', 'v2.0.0+incompatible', 'go1.21rc2', '1.20'],
    gen: fc.oneof(
      semverGen().map((v) => `v${v}`),
      fc.tuple(n, n, fc.option(n), fc.option(fc.tuple(word(['rc', 'beta']), fc.integer({ min: 1, max: 9 })))).map(([a, b, c, k]) => `go1.${a}${c === null ? '' : `.${c}`}${k ? k.join('') : ''}`.replace('go1.', `go${b % 2}.`)),
    ),
  },
  gem: {
    examples: ['1.0', '7.0.8.1', '1.16.0.rc1', '1.0.0-rc1', ''],
    gen: fc.array(fc.oneof(n.map(String), word(['a', 'b', 'rc', 'pre'])), { maxLength: 5 }).chain((parts) => n.map((f) => [String(f), ...parts].join('.'))),
  },
  nuget: {
    examples: ['1.0', '1.0.0.1', '6.0.0-preview.1', '1.0.0-BETA+AA'],
    gen: fc
      .tuple(fc.array(n, { minLength: 1, maxLength: 4 }), fc.array(fc.oneof(n.map(String), word(['alpha', 'BETA', 'beta', 'rc', 'x-y'])), { maxLength: 3 }))
      .map(([nums, labels]) => `${nums.join('.')}${labels.length ? `-${labels.join('.')}` : ''}`),
  },
  composer: {
    examples: ['1.0.0', 'v2.3', '1.0.0-RC1', '1.0.0-beta2', '1.0.0-p1', '1.x-dev', '2010-01-02'],
    gen: fc
      .tuple(fc.array(n, { minLength: 1, maxLength: 4 }), fc.option(fc.tuple(word(['alpha', 'beta', 'RC', 'patch', 'a', 'b', 'pl', 'stable']), fc.option(n))), fc.boolean())
      .map(([nums, stab, dev]) => `${nums.join('.')}${stab ? `-${stab[0]}${stab[1] ?? ''}` : ''}${dev ? '-dev' : ''}`),
  },
};

function semverGen(): fc.Arbitrary<string> {
  return fc
    .tuple(n, n, n, fc.array(fc.oneof(n.map(String), word(['alpha', 'beta', 'rc', 'x-1'])), { maxLength: 3 }), fc.option(word(['build.1', 'sha'])))
    .map(([a, b, c, pre, build]) => `${a}.${b}.${c}${pre.length ? `-${pre.join('.')}` : ''}${build ? `+${build}` : ''}`);
}

/** Join generated parts so the string starts with a digit. */
function n0(parts: string[]): string {
  return `1${parts.join('')}`;
}

describe('version scheme registry', () => {
  test('every folder under src/versioning/ is registered', () => {
    const folders = readdirSync(here).filter((f) => statSync(join(here, f)).isDirectory() && !f.startsWith('__'));
    expect(folders.sort()).toEqual([...schemes.keys()].sort());
  });

  test('an unknown scheme is an internal error', () => {
    expect(() => getScheme('nope')).toThrow(expect.objectContaining({ code: 'unknown-scheme', kind: 'internal' }));
  });

  test('every registered scheme has a contract entry here', () => {
    expect(Object.keys(CONTRACT).sort()).toEqual([...schemes.keys()].sort());
  });
});

const sign = (x: number): number => Math.sign(x) || 0;

describe.each([...schemes.values()].map((s) => [s.id, s] as [string, VersionScheme]))('scheme %s: shared contract', (id, scheme) => {
  const { examples, gen } = CONTRACT[id]!;

  test('metadata', () => {
    expect(scheme.displayName).not.toBe('');
    expect(scheme.urls.length).toBeGreaterThan(0);
  });

  test.each(examples)('isValid(%j)', (v) => expect(scheme.isValid(v)).toBe(true));

  test('rejects what no scheme reads, with invalid-version', () => {
    expect(scheme.isValid('not a version!')).toBe(false);
    expect(() => scheme.compare('not a version!', examples[0]!)).toThrow(expect.objectContaining({ code: 'invalid-version' }));
  });

  test('generated versions are valid', () => {
    fc.assert(fc.property(gen, (v) => scheme.isValid(v)));
  });

  test('reflexive and antisymmetric', () => {
    fc.assert(
      fc.property(gen, gen, (a, b) => {
        expect(scheme.compare(a, a)).toBe(0);
        expect(sign(scheme.compare(a, b))).toBe(0 - sign(scheme.compare(b, a)));
      }),
    );
  });

  test('transitive (a total preorder over a sorted sample)', () => {
    fc.assert(
      fc.property(fc.array(gen, { minLength: 3, maxLength: 12 }), (sample) => {
        const sorted = [...sample, ...examples].sort((x, y) => scheme.compare(x, y));
        for (let i = 0; i < sorted.length; i++) {
          for (let j = i + 1; j < sorted.length; j++) expect(scheme.compare(sorted[i]!, sorted[j]!)).toBeLessThanOrEqual(0);
        }
      }),
    );
  });

  test('transitive (three at a time)', () => {
    fc.assert(
      fc.property(gen, gen, gen, (a, b, c) => {
        if (scheme.compare(a, b) <= 0 && scheme.compare(b, c) <= 0) expect(scheme.compare(a, c)).toBeLessThanOrEqual(0);
      }),
    );
  });
});
