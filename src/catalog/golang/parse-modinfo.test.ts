import { describe, expect, test } from 'vitest';
import { parseModinfo, stdlibVersion } from './parse-modinfo.js';
import { goPackagesFromBuildInfo } from './index.js';

// The modinfo of gomod/app as `go version -m` prints it (Go 1.19.8).
const APP = [
  'path\texample.com/app',
  'mod\texample.com/app\t(devel)\t',
  'dep\texample.com/greet\tv0.0.0',
  '=>\t../greet\t(devel)\t',
  'dep\tgithub.com/acme/colors\tv1.2.0',
  '=>\tgithub.com/fork/colors\tv1.4.1\th1:wmQ4HF2/lT+NC0t0Ou+YZf05jAWo6H829F53pDbEhZ8=',
  'dep\tgithub.com/acme/strs\tv0.3.0\th1:qdhUmdnKvtCAfcS5aAS5Ne3w+gEi9KM+JcmNRdofXNg=',
  'build\t-compiler=gc',
  'build\t-ldflags="-s -w"',
  'build\tCGO_ENABLED=0',
  'build\tGOARCH=amd64',
  'build\tGOOS=linux',
  'build\t"weird=key"="quoted\\tvalue"',
  '',
].join('\n');

describe('parseModinfo', () => {
  test('reads path, main module, deps with replacements and build settings', () => {
    const info = parseModinfo(APP);
    expect(info.path).toBe('example.com/app');
    expect(info.main).toEqual({ path: 'example.com/app', version: '(devel)' });
    expect(info.deps).toEqual([
      { path: 'example.com/greet', version: 'v0.0.0', replace: { path: '../greet', version: '(devel)' } },
      {
        path: 'github.com/acme/colors',
        version: 'v1.2.0',
        replace: { path: 'github.com/fork/colors', version: 'v1.4.1', sum: 'h1:wmQ4HF2/lT+NC0t0Ou+YZf05jAWo6H829F53pDbEhZ8=' },
      },
      { path: 'github.com/acme/strs', version: 'v0.3.0', sum: 'h1:qdhUmdnKvtCAfcS5aAS5Ne3w+gEi9KM+JcmNRdofXNg=' },
    ]);
    expect(info.settings).toContainEqual({ key: '-ldflags', value: '-s -w' });
    expect(info.settings).toContainEqual({ key: 'weird=key', value: 'quoted\tvalue' });
    expect(info.bad).toEqual([]);
  });

  test.each`
    text                                      | bad
    ${'bogus\tline'}                          | ${['bogus\tline']}
    ${'=>\tgithub.com/x\tv1.0.0'}             | ${['=>\tgithub.com/x\tv1.0.0']}
    ${'dep\t'}                                | ${['dep\t']}
    ${'build\tnoequals'}                      | ${['build\tnoequals']}
    ${'path\ta\r\nmod\ta\tv1.0.0\r\n'}        | ${[]}
  `('unparseable lines are collected, not fatal: $text', ({ text, bad }) => {
    expect(parseModinfo(text).bad).toEqual(bad);
  });

  test('a huge modinfo is parsed with a capped dependency list', () => {
    const text = Array.from({ length: 150_000 }, (_, i) => `dep\tm/${i}\tv1.0.${i}`).join('\n');
    expect(parseModinfo(text).deps).toHaveLength(100_000);
  });
});

test.each`
  go                                                 | expected
  ${'go1.19.8'}                                      | ${'1.19.8'}
  ${'go1.20.3 X:boringcrypto'}                       | ${'1.20.3'}
  ${'go1.21rc2'}                                     | ${'1.21rc2'}
  ${'go1.22.0-bigcorp'}                              | ${'1.22.0'}
  ${'go1.16'}                                        | ${'1.16'}
  ${'devel go1.23-3f7a8ab Mon Jan 1 00:00:00 2024'}  | ${undefined}
  ${'gopher'}                                        | ${undefined}
`('stdlibVersion("$go") === $expected', ({ go, expected }) => {
  expect(stdlibVersion(go)).toBe(expected);
});

describe('goPackagesFromBuildInfo', () => {
  test('reports deps with replacements applied, omits local and (devel) modules, adds stdlib', () => {
    const facts = goPackagesFromBuildInfo('go1.19.8', APP, '/usr/local/bin/app');
    expect(facts.warnings).toBeUndefined();
    expect(facts.packages?.map((p) => `${p.type}:${p.name}@${p.version}`)).toEqual([
      'golang:github.com/fork/colors@v1.4.1',
      'golang:github.com/acme/strs@v0.3.0',
      'golang:stdlib@1.19.8',
    ]);
    const [fork, , std] = facts.packages!;
    expect(fork!.metadata).toMatchObject({
      replaces: 'github.com/acme/colors@v1.2.0',
      h1Digest: 'h1:wmQ4HF2/lT+NC0t0Ou+YZf05jAWo6H829F53pDbEhZ8=',
      goVersion: 'go1.19.8',
      mainModule: 'example.com/app',
      goBuildPath: 'example.com/app',
    });
    expect(std!.metadata).toMatchObject({
      goarch: 'amd64',
      localModules: [{ path: 'example.com/greet', version: 'v0.0.0', replacement: '../greet' }],
    });
  });

  test.each`
    version                                  | reported
    ${'(devel)'}                             | ${false}
    ${''}                                    | ${false}
    ${'v1.4.0'}                              | ${true}
    ${'v0.0.0-20240101000000-abcdef123456'}  | ${true}
  `('main module with version "$version" reported: $reported', ({ version, reported }) => {
    const facts = goPackagesFromBuildInfo('go1.22.1', `path\tex.com/m/cmd/x\nmod\tex.com/m\t${version}\t\n`, '/x');
    const main = facts.packages?.find((p) => p.name === 'ex.com/m');
    expect(Boolean(main)).toBe(reported);
    if (main) expect(main.metadata).toMatchObject({ isMainModule: true });
  });

  test('a GOPATH build (no mod lines) gives stdlib only, with the build path', () => {
    const facts = goPackagesFromBuildInfo('go1.19.8', 'path\tfilippo.io/age/cmd/age\nbuild\t-compiler=gc\n', '/usr/bin/age');
    expect(facts.packages).toEqual([
      expect.objectContaining({ name: 'stdlib', version: '1.19.8', metadata: expect.objectContaining({ goBuildPath: 'filippo.io/age/cmd/age' }) }),
    ]);
  });

  test('a development toolchain gives no stdlib, with a warning', () => {
    const facts = goPackagesFromBuildInfo('devel go1.23-abc', 'dep\ta.b/c\tv1.0.0\n', '/x');
    expect(facts.packages?.map((p) => p.name)).toEqual(['a.b/c']);
    expect(facts.warnings?.[0]?.code).toBe('go-version-unknown');
  });
});
