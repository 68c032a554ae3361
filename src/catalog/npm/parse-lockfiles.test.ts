import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import type { FoundPackage } from '../types.js';
import { npmCataloger } from './index.js';
import { fixtureSource, sourceOf } from '../shared/__fixtures__/file-sources.js';

const LOCKS = fileURLToPath(new URL('./__fixtures__/lockfiles', import.meta.url));
const ctx = { mode: 'rootfs' } as const;

/**
 * Every lock file under __fixtures__/lockfiles was written by the real tool for the same
 * package.json: jws 3.2.2, ms 2.1.3, an alias string-width-cjs → string-width 4.2.3, and dev
 * dependencies @types/ms 0.7.31 and debug 2.6.9 (which nests its own ms 2.0.0).
 */
const ALL = [
  '@types/ms@0.7.31',
  'ansi-regex@5.0.1',
  'buffer-equal-constant-time@1.0.1',
  'debug@2.6.9',
  'ecdsa-sig-formatter@1.0.11',
  'emoji-regex@8.0.0',
  'is-fullwidth-code-point@3.0.0',
  'jwa@1.4.2',
  'jws@3.2.2',
  'ms@2.0.0',
  'ms@2.1.3',
  'safe-buffer@5.2.1',
  'string-width@4.2.3',
  'strip-ansi@6.0.1',
];
const DEV = ['@types/ms@0.7.31', 'debug@2.6.9', 'ms@2.0.0'];

const ids = (pkgs: FoundPackage[] | undefined) => (pkgs ?? []).map((p) => `${p.name}@${p.version}`).sort();
const devIds = (pkgs: FoundPackage[] | undefined) =>
  (pkgs ?? []).filter((p) => p.metadata?.dev === true).map((p) => `${p.name}@${p.version}`).sort();

describe('lock files written by npm, yarn and pnpm', () => {
  test.each`
    file                                | tool                        | dev
    ${'/v1/package-lock.json'}          | ${'npm 10, lockfile v1'}    | ${DEV}
    ${'/v2/package-lock.json'}          | ${'npm 10, lockfile v2'}    | ${DEV}
    ${'/v3/package-lock.json'}          | ${'npm 10, lockfile v3'}    | ${DEV}
    ${'/yarn1/yarn.lock'}               | ${'yarn 1.22'}              | ${[]}
    ${'/berry/yarn.lock'}               | ${'yarn 4.5'}               | ${[]}
    ${'/pnpm5/pnpm-lock.yaml'}          | ${'pnpm 7 (lockfile 5.4)'}  | ${DEV}
    ${'/pnpm6/pnpm-lock.yaml'}          | ${'pnpm 8 (lockfile 6.0)'}  | ${DEV}
    ${'/pnpm9/pnpm-lock.yaml'}          | ${'pnpm 9 (lockfile 9.0)'}  | ${[]}
  `('$file ($tool)', async ({ file, dev }) => {
    const facts = await npmCataloger.parse(fixtureSource(LOCKS, file), ctx);
    expect(ids(facts.packages)).toEqual(ALL);
    expect(devIds(facts.packages)).toEqual(dev);
    expect(facts.packages!.every((p) => p.type === 'npm')).toBe(true);
  });

  test('v2/v3 carry licenses; the "" root entry (the project) is not a package', async () => {
    const facts = await npmCataloger.parse(fixtureSource(LOCKS, '/v3/package-lock.json'), ctx);
    expect(facts.packages!.find((p) => p.name === 'jws')).toMatchObject({ licenses: ['MIT'] });
    expect(ids(facts.packages)).not.toContain('lock-fixture@1.0.0');
  });
});

describe('package-lock.json edge cases', () => {
  const path = '/src/package-lock.json';
  const parse = (doc: unknown) => npmCataloger.parse(sourceOf(path, typeof doc === 'string' ? doc : JSON.stringify(doc)), ctx);

  test.each`
    why                                      | doc                                                                                                                    | expected
    ${'v3 link entry skipped'}               | ${{ lockfileVersion: 3, packages: { 'node_modules/a': { resolved: 'packages/a', link: true }, 'packages/a': { name: 'a', version: '1.0.0' } } }} | ${[]}
    ${'v3 scoped, nested'}                   | ${{ lockfileVersion: 3, packages: { 'node_modules/@s/a/node_modules/b': { version: '2.0.0' }, 'node_modules/@s/a': { version: '1.0.0' } } }} | ${['@s/a@1.0.0', 'b@2.0.0']}
    ${'v3 version as number'}                | ${{ lockfileVersion: 3, packages: { 'node_modules/a': { version: 1 } } }}                                             | ${[]}
    ${'v3 entry not an object'}              | ${{ lockfileVersion: 3, packages: { 'node_modules/a': 'x', 'node_modules/b': null } }}                                 | ${[]}
    ${'v3 git and tarball versions skipped'} | ${{ lockfileVersion: 3, packages: { 'node_modules/a': { version: 'git+ssh://git@github.com/a/a.git#abc' } } }}       | ${[]}
    ${'v1 file: dependency skipped'}         | ${{ lockfileVersion: 1, dependencies: { a: { version: 'file:../a' }, b: { version: '1.0.0' } } }}                    | ${['b@1.0.0']}
    ${'v1 scoped alias'}                     | ${{ lockfileVersion: 1, dependencies: { x: { version: 'npm:@s/y@1.2.3' } } }}                                        | ${['@s/y@1.2.3']}
    ${'dependencies of a wrong type'}        | ${{ lockfileVersion: 1, dependencies: [1, 2] }}                                                                       | ${[]}
    ${'nothing at all'}                      | ${{}}                                                                                                                  | ${[]}
  `('$why', async ({ doc, expected }) => {
    expect(ids((await parse(doc)).packages)).toEqual(expected);
  });

  test('broken JSON is one catalog-bad-file error', async () => {
    await expect(parse('{"lockfileVersion": 3, "packages": {')).rejects.toMatchObject({ code: 'catalog-bad-file' });
  });

  test('a hostile v1 tree 10 000 levels deep is cut at a bounded depth with a warning', async () => {
    let json = '{"version":"1.0.0"}';
    for (let i = 0; i < 10_000; i++) json = `{"version":"1.0.${i}","dependencies":{"d":${json}}}`;
    const facts = await parse(`{"lockfileVersion":1,"dependencies":{"d":${json}}}`);
    expect(facts.packages!.length).toBeGreaterThan(10);
    expect(facts.packages!.length).toBeLessThanOrEqual(64);
    expect(facts.warnings).toMatchObject([{ code: 'catalog-truncated', location: path }]);
  });

  test('a large v3 lock file (50 000 packages) parses quickly', async () => {
    const packages: Record<string, unknown> = { '': { name: 'p', version: '1.0.0' } };
    for (let i = 0; i < 50_000; i++) packages[`node_modules/p${i}`] = { version: `1.0.${i}`, license: 'MIT' };
    const t0 = Date.now();
    const facts = await parse({ lockfileVersion: 3, packages });
    expect(facts.packages).toHaveLength(50_000);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe('yarn.lock and pnpm-lock.yaml edge cases', () => {
  test.each`
    file                           | content                                                                                    | expected
    ${'/p/yarn.lock'}              | ${'# yarn lockfile v1\n\n"@s/a@^1.0.0", "@s/a@^1.1.0":\n  version "1.2.0"\n\nb@2:\n  version "2.0.0"\n'} | ${['@s/a@1.2.0', 'b@2.0.0']}
    ${'/p/yarn.lock'}              | ${'a@1:\r\n  version "1.0.0"\r\n'}                                                          | ${['a@1.0.0']}
    ${'/p/yarn.lock'}              | ${'garbage without structure\n\u0000\u0001'}                                               | ${[]}
    ${'/p/yarn.lock'}              | ${'__metadata:\n  version: 8\n"a@workspace:.":\n  version: 0.0.0-use.local\n  resolution: "a@workspace:."\n"b@patch:b@npm%3A1.0.0#x":\n  version: 1.0.0\n  resolution: "b@patch:b@npm%3A1.0.0#x"\n'} | ${[]}
    ${'/p/pnpm-lock.yaml'}         | ${"lockfileVersion: '6.0'\npackages:\n  /a@1.0.0(react@18.0.0):\n    dev: false\n  /@s/b@2.0.0:\n    dev: true\n"} | ${['@s/b@2.0.0', 'a@1.0.0']}
    ${'/p/pnpm-lock.yaml'}         | ${'lockfileVersion: 5.3\npackages:\n  /a/1.0.0_react@18.0.0:\n    dev: false\n  registry.example.com/b/2.0.0:\n    dev: false\n'} | ${['a@1.0.0', 'b@2.0.0']}
    ${'/p/pnpm-lock.yaml'}         | ${"lockfileVersion: '9.0'\npackages:\n  'x@https://e.com/x.tgz':\n    resolution: {tarball: https://e.com/x.tgz}\n    name: x\n    version: 3.0.0\n"} | ${['x@3.0.0']}
    ${'/p/pnpm-lock.yaml'}         | ${'lockfileVersion: 9.0\npackages: [1, 2]\n'}                                              | ${[]}
  `('$file: $expected', async ({ file, content, expected }) => {
    const facts = await npmCataloger.parse(sourceOf(file, content), ctx);
    expect(ids(facts.packages)).toEqual(expected);
  });

  test.each`
    file                    | content
    ${'/p/pnpm-lock.yaml'}  | ${'packages: {a: [\n'}
    ${'/p/pnpm-lock.yaml'}  | ${'- just\n- a list\n'}
    ${'/p/yarn.lock'}       | ${'__metadata:\n  version: 8\n "x": [\n'}
  `('broken YAML in $file is one catalog-bad-file error', async ({ file, content }) => {
    await expect(npmCataloger.parse(sourceOf(file, content), ctx)).rejects.toMatchObject({ code: 'catalog-bad-file' });
  });

  test('a YAML alias bomb is refused, not expanded', async () => {
    const bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\npackages: {}\n';
    await expect(npmCataloger.parse(sourceOf('/p/pnpm-lock.yaml', bomb), ctx)).rejects.toMatchObject({ code: 'catalog-bad-file' });
  });
});
