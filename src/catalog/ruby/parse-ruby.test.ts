import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import type { FoundPackage } from '../types.js';
import { gemspecCataloger } from './index.js';
import { fixtureSource, sourceOf } from '../shared/__fixtures__/file-sources.js';

/** Real gemspecs from Debian 12's ruby-rack, rake, ruby-json and ruby-nokogiri (.deb, dpkg-deb -x). */
const DEB = fileURLToPath(new URL('./__fixtures__/debian', import.meta.url));
/** Hand-written in Bundler's format (rubygems.org is not reachable from the build host). */
const SRV = fileURLToPath(new URL('./__fixtures__/bundler', import.meta.url));
const ALL = '/usr/share/rubygems-integration/all/specifications';
const ARCH = '/usr/lib/x86_64-linux-gnu/rubygems-integration/3.1.0/specifications';
const image = { mode: 'image' } as const;
const rootfs = { mode: 'rootfs' } as const;

const ids = (pkgs: FoundPackage[] | undefined) => (pkgs ?? []).map((p) => `${p.name}@${p.version}`).sort();

describe('gemspecCataloger.matches', () => {
  test.each`
    path                                                                     | image    | rootfs
    ${`${ALL}/rack-2.2.22.gemspec`}                                          | ${true}  | ${true}
    ${'/usr/local/bundle/specifications/rails-7.0.4.gemspec'}                | ${true}  | ${true}
    ${'/usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec'}  | ${true}  | ${true}
    ${'/usr/local/bundle/gems/rack-2.2.3/rack.gemspec'}                      | ${false} | ${false}
    ${'/srv/app/Gemfile.lock'}                                               | ${false} | ${true}
    ${'/srv/app/Gemfile'}                                                    | ${false} | ${false}
  `('$path: image=$image rootfs=$rootfs', ({ path, image: i, rootfs: r }) => {
    expect(gemspecCataloger.matches({ path, mode: 0o644, size: 1 }, image)).toBe(i);
    expect(gemspecCataloger.matches({ path, mode: 0o644, size: 1 }, rootfs)).toBe(r);
  });
});

describe('real gemspecs', () => {
  test.each`
    path                                | name          | version      | licenses
    ${`${ALL}/rack-2.2.22.gemspec`}     | ${'rack'}     | ${'2.2.22'}  | ${['MIT']}
    ${`${ALL}/rake-13.0.6.gemspec`}     | ${'rake'}     | ${'13.0.6'}  | ${['MIT']}
    ${`${ARCH}/json-2.6.3.gemspec`}     | ${'json'}     | ${'2.6.3'}   | ${['Ruby']}
    ${`${ARCH}/nokogiri-1.13.10.gemspec`} | ${'nokogiri'} | ${'1.13.10'} | ${['MIT']}
  `('$path → $name $version', async ({ path, name, version, licenses }) => {
    expect((await gemspecCataloger.parse(fixtureSource(DEB, path), image)).packages).toEqual([
      { name, version, type: 'gem', licenses },
    ]);
  });
});

describe('gemspec forms and hostile input', () => {
  const path = '/usr/local/bundle/specifications/x-1.0.0.gemspec';
  test.each`
    why                              | text                                                                                                   | expected
    ${'old %q{} form, other var'}    | ${'Gem::Specification.new do |spec|\n  spec.name = %q{rack}\n  spec.version = "1.2.3"\n  spec.license = %q{MIT}\nend\n'} | ${{ name: 'rack', version: '1.2.3', licenses: ['MIT'] }}
    ${'single quotes, Gem::Version'} | ${"Gem::Specification.new do |g|\n  g.name = 'a'\n  g.version = Gem::Version.new('2.0')\n  g.licenses = ['MIT', 'Ruby']\nend\n"} | ${{ name: 'a', version: '2.0', licenses: ['MIT', 'Ruby'] }}
    ${'other var ignored'}           | ${'Gem::Specification.new do |s|\n  t.name = "wrong"\n  s.name = "right"\n  s.version = "1"\nend\n'}  | ${{ name: 'right', version: '1' }}
    ${'version from the file name'}  | ${'Gem::Specification.new do |s|\n  s.name = "x"\n  s.version = VERSION\nend\n'}                       | ${{ name: 'x', version: '1.0.0' }}
    ${'no licenses'}                 | ${'Gem::Specification.new do |s|\n  s.name = "x"\n  s.version = "3"\nend\n'}                            | ${{ name: 'x', version: '3' }}
    ${'garbage → the file name'}     | ${'\u0000\u0001\u00ff garbage'}                                                                        | ${{ name: 'x', version: '1.0.0' }}
  `('$why', async ({ text, expected }) => {
    const facts = await gemspecCataloger.parse(sourceOf(path, text), image);
    expect(facts.packages).toEqual([{ type: 'gem', ...expected }]);
  });

  test('a platform gem file name', async () => {
    const facts = await gemspecCataloger.parse(sourceOf('/g/specifications/nokogiri-1.13.10-x86_64-linux.gemspec', '#'), image);
    expect(facts.packages).toMatchObject([{ name: 'nokogiri', version: '1.13.10' }]);
  });

  test('nothing to go by is one catalog-bad-file error', async () => {
    await expect(gemspecCataloger.parse(sourceOf('/g/specifications/weird.gemspec', 'puts 1'), image)).rejects.toMatchObject({
      code: 'catalog-bad-file',
    });
  });

  test('a huge gemspec (8 MiB of one line) parses in bounded time', async () => {
    const text = 'Gem::Specification.new do |s|\n  s.name = "x"\n  s.version = "1"\n  s.files = ["' + 'a'.repeat(8 << 20) + '\n';
    const t0 = Date.now();
    expect((await gemspecCataloger.parse(sourceOf(path, text), image)).packages).toMatchObject([{ name: 'x' }]);
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});

describe('Gemfile.lock', () => {
  test('GEM and GIT specs; PATH (the project) skipped; platform split off', async () => {
    const facts = await gemspecCataloger.parse(fixtureSource(SRV, '/srv/app/Gemfile.lock'), rootfs);
    expect(ids(facts.packages)).toEqual([
      'crass@1.0.6',
      'loofah@2.18.0',
      'mini_portile2@2.8.0',
      'nokogiri@1.13.10',
      'racc@1.6.0',
      'rack@2.2.3',
      'rails-html-sanitizer@1.4.3',
    ]);
  });

  test.each`
    why             | text
    ${'empty'}      | ${''}
    ${'binary'}     | ${'\u0000\u00ff\u0001'}
    ${'CRLF'}       | ${'GEM\r\n  specs:\r\n    a (1.0)\r\n'}
  `('$why', async ({ text }) => {
    const facts = await gemspecCataloger.parse(sourceOf('/a/Gemfile.lock', text), rootfs);
    expect(ids(facts.packages)).toEqual(text.includes('GEM') ? ['a@1.0'] : []);
  });
});
