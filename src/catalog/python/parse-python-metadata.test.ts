import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { pythonCataloger } from './index.js';
import { fixtureSource, sourceOf } from '../shared/__fixtures__/file-sources.js';

const fx = (tree: string) => fileURLToPath(new URL(`./__fixtures__/${tree}`, import.meta.url));
const APP = fx('app'); // the app image's layer 2 (Debian python3-* packages), bodies cut short
const DEB = fx('debian'); // python3-apt, python3-yaml, python3-dbus from Debian 12
const PYENV = fx('pyenv'); // CPython 2.7's distutils writes a single-file .egg-info
const DP = '/usr/lib/python3/dist-packages';
const ctx = { mode: 'image' } as const;

describe('pythonCataloger.matches', () => {
  test.each`
    path                                                          | expected
    ${`${DP}/chardet-5.1.0.dist-info/METADATA`}                   | ${true}
    ${`${DP}/certifi-2022.9.24.egg-info/PKG-INFO`}                | ${true}
    ${'/usr/lib/python2.7/wsgiref.egg-info'}                      | ${true}
    ${'/opt/venv/lib/python3.12/site-packages/a-1.dist-info/METADATA'} | ${true}
    ${`${DP}/chardet-5.1.0.dist-info/RECORD`}                     | ${false}
    ${`${DP}/certifi-2022.9.24.egg-info/top_level.txt`}           | ${false}
    ${`${DP}/certifi/PKG-INFO`}                                   | ${false}
    ${'/src/a/METADATA'}                                          | ${false}
    ${`${DP}/chardet-5.1.0.dist-info/METADATA.bak`}               | ${false}
  `('$path → $expected', ({ path, expected }) => {
    expect(pythonCataloger.matches({ path, mode: 0o644, size: 1 }, ctx)).toBe(expected);
  });
});

describe('real metadata files', () => {
  test.each`
    root     | path                                                   | name                    | version        | licenses
    ${APP}   | ${`${DP}/certifi-2022.9.24.egg-info/PKG-INFO`}         | ${'certifi'}            | ${'2022.9.24'} | ${['MPL-2.0']}
    ${APP}   | ${`${DP}/chardet-5.1.0.dist-info/METADATA`}            | ${'chardet'}            | ${'5.1.0'}     | ${['LGPL']}
    ${APP}   | ${`${DP}/charset_normalizer-3.0.1.dist-info/METADATA`} | ${'charset-normalizer'} | ${'3.0.1'}     | ${['MIT']}
    ${APP}   | ${`${DP}/idna-3.3.egg-info/PKG-INFO`}                  | ${'idna'}               | ${'3.3'}       | ${['BSD-3-Clause']}
    ${APP}   | ${`${DP}/requests-2.28.1.egg-info/PKG-INFO`}           | ${'requests'}           | ${'2.28.1'}    | ${['Apache 2.0']}
    ${APP}   | ${`${DP}/six-1.16.0.egg-info/PKG-INFO`}                | ${'six'}                | ${'1.16.0'}    | ${['MIT']}
    ${APP}   | ${`${DP}/urllib3-1.26.12.egg-info/PKG-INFO`}           | ${'urllib3'}            | ${'1.26.12'}   | ${['MIT']}
    ${DEB}   | ${`${DP}/python_apt-2.6.0.egg-info/PKG-INFO`}          | ${'python-apt'}         | ${'2.6.0'}     | ${['GNU GPL']}
    ${DEB}   | ${`${DP}/PyYAML-6.0.dist-info/METADATA`}               | ${'PyYAML'}             | ${'6.0'}       | ${['MIT']}
    ${DEB}   | ${`${DP}/dbus_python-1.3.2.egg-info/PKG-INFO`}         | ${'dbus-python'}        | ${'1.3.2'}     | ${['Expat (MIT/X11)']}
    ${PYENV} | ${'/usr/lib/python2.7/wsgiref.egg-info'}               | ${'wsgiref'}            | ${'0.1.2'}     | ${['PSF or ZPL']}
  `('$path → $name $version', async ({ root, path, name, version, licenses }) => {
    const facts = await pythonCataloger.parse(fixtureSource(root, path), ctx);
    expect(facts.packages).toEqual([{ name, version, type: 'pypi', licenses }]);
  });
});

describe('header rules and hostile input', () => {
  const path = `${DP}/x-1.0.dist-info/METADATA`;
  const parse = (text: string | Buffer) => pythonCataloger.parse(sourceOf(path, text), ctx);

  test.each`
    why                                        | text                                                                                                             | licenses
    ${'License-Expression wins'}               | ${'Name: x\nVersion: 1\nLicense-Expression: MIT OR Apache-2.0\nLicense: MIT\n'}                                 | ${['MIT OR Apache-2.0']}
    ${'licence text in License → classifiers'} | ${'Name: x\nVersion: 1\nLicense: Copyright (c) 2020\n        Permission is hereby granted\nClassifier: License :: OSI Approved :: MIT License\n'} | ${['MIT License']}
    ${'UNKNOWN → classifiers'}                 | ${'Name: x\nVersion: 1\nLicense: UNKNOWN\nClassifier: License :: OSI Approved :: BSD License\nClassifier: License :: Public Domain\n'} | ${['BSD License', 'Public Domain']}
    ${'only "OSI Approved" is not a licence'}  | ${'Name: x\nVersion: 1\nClassifier: License :: OSI Approved\n'}                                                 | ${undefined}
    ${'lower-case header names, CRLF'}         | ${'name: x\r\nversion: 1\r\nlicense: MIT\r\n'}                                                                   | ${['MIT']}
    ${'body headers are ignored'}              | ${'Name: x\nVersion: 1\n\nLicense: GPL\nName: y\n'}                                                              | ${undefined}
  `('$why', async ({ text, licenses }) => {
    const facts = await parse(text);
    expect(facts.packages).toHaveLength(1);
    expect(facts.packages![0]).toMatchObject({ name: 'x', version: '1' });
    expect(facts.packages![0]!.licenses).toEqual(licenses);
  });

  test.each`
    why                            | text
    ${'no Name'}                   | ${'Metadata-Version: 2.1\nVersion: 1.0\n'}
    ${'no Version'}                | ${'Metadata-Version: 2.1\nName: x\n'}
    ${'empty file'}                | ${''}
    ${'Name only in the body'}     | ${'\nName: x\nVersion: 1\n'}
    ${'binary garbage'}            | ${Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 0x80])}
  `('$why: one catalog-bad-file error', async ({ text }) => {
    await expect(parse(text)).rejects.toMatchObject({ code: 'catalog-bad-file' });
  });

  test('non-UTF-8 bytes in the author do not lose the package', async () => {
    const buf = Buffer.concat([Buffer.from('Name: x\nVersion: 1.0\nAuthor: J'), Buffer.from([0xf6]), Buffer.from('rg\n')]);
    expect((await parse(buf)).packages).toMatchObject([{ name: 'x', version: '1.0' }]);
  });

  test('a huge description body (10 MiB) is not read line by line', async () => {
    const text = 'Name: x\nVersion: 1.0\n\n' + 'line\n'.repeat(2 * 1024 * 1024);
    const t0 = Date.now();
    expect((await parse(text)).packages).toMatchObject([{ name: 'x' }]);
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});
