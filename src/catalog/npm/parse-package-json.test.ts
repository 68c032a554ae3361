import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { npmCataloger } from './index.js';
import { fixtureSource, sourceOf } from '../shared/__fixtures__/file-sources.js';

const APP = fileURLToPath(new URL('./__fixtures__/app', import.meta.url));
const MISC = fileURLToPath(new URL('./__fixtures__/misc', import.meta.url));
const ctx = { mode: 'image' } as const;

describe('installed package.json (real files from the app fixture image and npm itself)', () => {
  test.each`
    root    | path                                                                  | name                | version      | licenses
    ${APP}  | ${'/app/node_modules/axios/package.json'}                             | ${'axios'}          | ${'0.21.1'}  | ${['MIT']}
    ${APP}  | ${'/app/node_modules/jsonwebtoken/node_modules/semver/package.json'}  | ${'semver'}         | ${'5.7.3'}   | ${['ISC']}
    ${APP}  | ${'/app/node_modules/lodash/package.json'}                            | ${'lodash'}         | ${'4.17.15'} | ${['MIT']}
    ${APP}  | ${'/app/node_modules/qs/package.json'}                                | ${'qs'}             | ${'6.5.2'}   | ${['BSD-3-Clause']}
    ${MISC} | ${'/srv/web/node_modules/@eslint/js/package.json'}                    | ${'@eslint/js'}     | ${'9.39.5'}  | ${['MIT']}
    ${MISC} | ${'/srv/web/node_modules/deep-extend/package.json'}                   | ${'deep-extend'}    | ${'0.6.0'}   | ${['MIT']}
    ${MISC} | ${'/usr/lib/node_modules/npm/node_modules/qrcode-terminal/package.json'} | ${'qrcode-terminal'} | ${'0.12.0'} | ${['Apache 2.0']}
  `('$path → $name@$version', async ({ root, path, name, version, licenses }) => {
    const facts = await npmCataloger.parse(fixtureSource(root, path), ctx);
    expect(facts.packages).toHaveLength(1);
    expect(facts.packages![0]).toMatchObject({ name, version, type: 'npm', licenses });
  });
});

describe('hostile and odd package.json', () => {
  const path = '/app/node_modules/x/package.json';
  test.each`
    why                              | content                                                         | expected
    ${'no version (not a package)'}  | ${'{"name":"x"}'}                                               | ${[]}
    ${'no name'}                     | ${'{"version":"1.0.0"}'}                                        | ${[]}
    ${'version as number'}           | ${'{"name":"x","version":1}'}                                   | ${[]}
    ${'name as object'}              | ${'{"name":{"a":1},"version":"1.0.0"}'}                         | ${[]}
    ${'empty strings'}               | ${'{"name":"","version":" "}'}                                  | ${[]}
    ${'license object (old npm)'}    | ${'{"name":"x","version":"1.0.0","license":{"type":"MIT"}}'}    | ${[{ name: 'x', licenses: ['MIT'] }]}
    ${'license of a wrong type'}     | ${'{"name":"x","version":"1.0.0","license":42}'}                | ${[{ name: 'x', version: '1.0.0' }]}
    ${'licenses not an array'}       | ${'{"name":"x","version":"1.0.0","licenses":"MIT"}'}            | ${[{ name: 'x', licenses: ['MIT'] }]}
    ${'byte-order mark'}             | ${'\uFEFF{"name":"x","version":"1.0.0"}'}                       | ${[{ name: 'x', version: '1.0.0' }]}
  `('$why', async ({ content, expected }) => {
    const facts = await npmCataloger.parse(sourceOf(path, content), ctx);
    expect(facts.packages ?? []).toMatchObject(expected);
  });

  test.each`
    why                | content
    ${'broken JSON'}   | ${'{"name":"x",'}
    ${'a JSON array'}  | ${'[1,2]'}
    ${'a JSON string'} | ${'"x"'}
    ${'empty file'}    | ${''}
  `('$why throws a catalog-bad-file error (one warning, the scan goes on)', async ({ content }) => {
    await expect(npmCataloger.parse(sourceOf(path, content), ctx)).rejects.toMatchObject({ code: 'catalog-bad-file' });
  });

  test('non-UTF-8 bytes in a description do not lose the package', async () => {
    const buf = Buffer.concat([Buffer.from('{"name":"x","version":"1.0.0","description":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]);
    const facts = await npmCataloger.parse(sourceOf(path, buf), ctx);
    expect(facts.packages).toMatchObject([{ name: 'x', version: '1.0.0' }]);
  });

  test('a large package.json (8 MiB readme) parses', async () => {
    const content = JSON.stringify({ name: 'x', version: '1.0.0', readme: 'a'.repeat(8 * 1024 * 1024) });
    const facts = await npmCataloger.parse(sourceOf(path, content), ctx);
    expect(facts.packages).toMatchObject([{ name: 'x' }]);
  });
});
