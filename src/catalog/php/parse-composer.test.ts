import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import type { FoundInFile, FoundPackage } from '../types.js';
import { composerCataloger } from './index.js';
import { fixtureSource, sourceOf } from '../shared/__fixtures__/file-sources.js';

/** Hand-written in the documented formats (no PHP registry is reachable from the build host). */
const ROOT = fileURLToPath(new URL('./__fixtures__', import.meta.url));
const rootfs = { mode: 'rootfs' } as const;
const image = { mode: 'image' } as const;

const ids = (pkgs: FoundPackage[] | undefined) =>
  (pkgs ?? []).map((p) => `${p.name}@${p.version}${p.metadata?.dev ? ' dev' : ''}`).sort();

describe('composerCataloger.matches', () => {
  test.each`
    path                                              | image    | rootfs
    ${'/var/www/app/vendor/composer/installed.json'}  | ${true}  | ${true}
    ${'/var/www/app/composer.lock'}                   | ${false} | ${true}
    ${'/composer.lock'}                               | ${false} | ${true}
    ${'/var/www/app/vendor/a/b/composer.lock'}        | ${false} | ${false}
    ${'/var/www/app/vendor/composer/installed.php'}   | ${false} | ${false}
    ${'/var/www/app/composer.json'}                   | ${false} | ${false}
  `('$path: image=$image rootfs=$rootfs', ({ path, image: i, rootfs: r }) => {
    expect(composerCataloger.matches({ path, mode: 0o644, size: 1 }, image)).toBe(i);
    expect(composerCataloger.matches({ path, mode: 0o644, size: 1 }, rootfs)).toBe(r);
  });
});

describe('composer files', () => {
  test.each`
    path                                                | expected
    ${'/var/www/app/composer.lock'}                     | ${['guzzlehttp/guzzle@7.4.5', 'monolog/monolog@dev-main', 'phpunit/phpunit@9.5.21 dev', 'psr/http-client@1.0.1', 'symfony/http-foundation@5.4.10']}
    ${'/var/www/app/vendor/composer/installed.json'}    | ${['guzzlehttp/guzzle@7.4.5', 'phpunit/phpunit@9.5.21 dev', 'psr/http-client@1.0.1', 'symfony/http-foundation@5.4.10']}
    ${'/var/www/legacy/vendor/composer/installed.json'} | ${['pear/log@1.13.1', 'twig/twig@1.42.5']}
  `('$path', async ({ path, expected }) => {
    const facts = await composerCataloger.parse(fixtureSource(ROOT, path), rootfs);
    expect(ids(facts.packages)).toEqual(expected);
    expect(facts.packages!.every((p) => p.type === 'composer' && p.licenses?.length === 1)).toBe(true);
  });

  test('finalize drops composer.lock where vendor/ is installed beside it', async () => {
    const pkg: FoundPackage = { name: 'a/b', version: '1.0.0', type: 'composer' };
    const found: FoundInFile[] = [
      { path: '/var/www/app/composer.lock', pkg },
      { path: '/var/www/app/vendor/composer/installed.json', pkg },
      { path: '/srv/other/composer.lock', pkg },
    ];
    const view = { has: (p: string) => p === '/var/www/app/vendor/composer/installed.json', paths: () => [] };
    expect(composerCataloger.finalize(found, view, rootfs).map((f) => f.path)).toEqual([
      '/var/www/app/vendor/composer/installed.json',
      '/srv/other/composer.lock',
    ]);
  });
});

describe('versions and hostile input', () => {
  const path = '/app/vendor/composer/installed.json';
  const parse = (content: string) => composerCataloger.parse(sourceOf(path, content), image);

  test.each`
    version        | expected
    ${'v5.4.10'}   | ${'5.4.10'}
    ${'5.4.10'}    | ${'5.4.10'}
    ${'vv1.0'}     | ${'vv1.0'}
    ${'v-next'}    | ${'v-next'}
    ${'dev-main'}  | ${'dev-main'}
    ${'1.0.x-dev'} | ${'1.0.x-dev'}
  `('version "$version" → "$expected"', async ({ version, expected }) => {
    const facts = await parse(JSON.stringify([{ name: 'a/b', version }]));
    expect(facts.packages).toMatchObject([{ version: expected }]);
  });

  test.each`
    why                        | content                                                                     | expected
    ${'version as number'}     | ${'[{"name":"a/b","version":1}]'}                                           | ${[]}
    ${'name missing'}          | ${'[{"version":"1.0.0"}]'}                                                  | ${[]}
    ${'entries not objects'}   | ${'[1, "x", null, [], {"name":"a/b","version":"1"}]'}                       | ${['a/b@1']}
    ${'packages not an array'} | ${'{"packages": {"a/b": "1.0"}}'}                                           | ${[]}
    ${'license a string'}      | ${'{"packages":[{"name":"a/b","version":"1","license":"MIT"}]}'}            | ${['a/b@1']}
    ${'dev-package-names bad'} | ${'{"packages":[{"name":"a/b","version":"1"}],"dev-package-names":"a/b"}'}  | ${['a/b@1']}
  `('$why', async ({ content, expected }) => {
    expect(ids((await parse(content)).packages)).toEqual(expected);
  });

  test.each`
    why               | file                       | content
    ${'broken JSON'}  | ${path}                    | ${'[{"name":'}
    ${'a number'}     | ${path}                    | ${'42'}
    ${'lock array'}   | ${'/app/composer.lock'}    | ${'[]'}
    ${'non-UTF-8'}    | ${'/app/composer.lock'}    | ${'\u00ff\u00fe{'}
  `('$why in $file: one catalog-bad-file error', async ({ file, content }) => {
    await expect(composerCataloger.parse(sourceOf(file, content), rootfs)).rejects.toMatchObject({ code: 'catalog-bad-file' });
  });
});
