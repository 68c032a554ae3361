import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { FileSource } from '../types.js';
import { dpkgCataloger } from './index.js';
import { parseDpkgList, parseMd5sums } from './parse-dpkg-files.js';

const ctx = { mode: 'image' as const };

function fixtureSource(fixturePath: string, path: string): FileSource {
  const buf = readFileSync(new URL(`./__fixtures__/${fixturePath}`, import.meta.url));
  return source(path, buf);
}

function source(path: string, content: string | Buffer): FileSource {
  const buf = Buffer.isBuffer(content) ? content : Buffer.from(content);
  return { path, mode: 0o644, size: buf.length, buffer: async () => buf, read: async (o, l) => buf.subarray(o, o + l) };
}

describe('dpkgCataloger.matches', () => {
  test.each`
    path                                                 | wanted
    ${'/var/lib/dpkg/status'}                            | ${true}
    ${'/var/lib/dpkg/status-old'}                        | ${false}
    ${'/var/lib/dpkg/status.d/libc6'}                    | ${true}
    ${'/var/lib/dpkg/status.d/libc6.md5sums'}            | ${true}
    ${'/var/lib/dpkg/status.d/python3.11'}               | ${true}
    ${'/var/lib/dpkg/status.d/libc6.postinst'}           | ${false}
    ${'/var/lib/dpkg/status.d/.wh.libc6'}                | ${false}
    ${'/var/lib/dpkg/status.d/sub/libc6'}                | ${false}
    ${'/var/lib/dpkg/info/bash.list'}                    | ${true}
    ${'/var/lib/dpkg/info/libgcc-s1:amd64.list'}         | ${true}
    ${'/var/lib/dpkg/info/bash.md5sums'}                 | ${false}
    ${'/var/lib/dpkg/info/bash.conffiles'}               | ${false}
    ${'/usr/var/lib/dpkg/status'}                        | ${false}
  `('matches($path) === $wanted', ({ path, wanted }) => {
    expect(dpkgCataloger.matches({ path, mode: 0o644, size: 1 }, ctx)).toBe(wanted);
  });
});

describe('file ownership', () => {
  test.each`
    text                                       | expected
    ${'/.\n/usr\n/usr/bin/x\n'}                | ${['/usr', '/usr/bin/x']}
    ${'/.\r\n/a b/c\r\n\n'}                    | ${['/a b/c']}
    ${'relative/path\n'}                       | ${['/relative/path']}
    ${''}                                      | ${[]}
  `('parseDpkgList($text)', ({ text, expected }) => {
    expect(parseDpkgList(text)).toEqual(expected);
  });

  test.each`
    text                                                                  | expected
    ${'fb890792a951c8267c816d7a1383a3ce  usr/share/doc/x/changelog.gz\n'} | ${['/usr/share/doc/x/changelog.gz']}
    ${'fb890792a951c8267c816d7a1383a3ce *./etc/bin file\n'}               | ${['/etc/bin file']}
    ${'not-a-sum  usr/x\nfb890792a951c8267c816d7a1383a3ce\n'}              | ${[]}
  `('parseMd5sums($text)', ({ text, expected }) => {
    expect(parseMd5sums(text)).toEqual(expected);
  });

  test('real info/libgcc-s1:amd64.list → owned by libgcc-s1 (arch dropped)', async () => {
    const facts = await dpkgCataloger.parse(
      fixtureSource('host/var/lib/dpkg/info/libgcc-s1:amd64.list', '/var/lib/dpkg/info/libgcc-s1:amd64.list'),
      ctx,
    );
    expect(facts.owned).toHaveLength(1);
    expect(facts.owned![0]!.owner).toEqual({ type: 'deb', name: 'libgcc-s1' });
    expect(facts.owned![0]!.paths).toContain('/lib/x86_64-linux-gnu/libgcc_s.so.1');
    expect(facts.owned![0]!.paths).not.toContain('/.');
    expect(facts.owned![0]!.paths).toHaveLength(10);
  });

  test('real distroless status.d/libssl3.md5sums → absolute paths owned by libssl3', async () => {
    const facts = await dpkgCataloger.parse(
      fixtureSource('distroless/var/lib/dpkg/status.d/libssl3.md5sums', '/var/lib/dpkg/status.d/libssl3.md5sums'),
      ctx,
    );
    expect(facts.owned![0]!.owner).toEqual({ type: 'deb', name: 'libssl3' });
    expect(facts.owned![0]!.paths).toContain('/usr/lib/x86_64-linux-gnu/engines-3/afalg.so');
    expect(facts.owned![0]!.paths.every((p) => p.startsWith('/usr/'))).toBe(true);
    expect(facts.packages).toBeUndefined();
  });

  test('an empty list owns nothing', async () => {
    expect(await dpkgCataloger.parse(source('/var/lib/dpkg/info/x.list', '/.\n'), ctx)).toEqual({});
  });
});

describe('dpkgCataloger.parse', () => {
  test('distroless status.d/libc6 → one package, no warnings', async () => {
    const facts = await dpkgCataloger.parse(
      fixtureSource('distroless/var/lib/dpkg/status.d/libc6', '/var/lib/dpkg/status.d/libc6'),
      ctx,
    );
    expect(facts.packages).toEqual([
      {
        name: 'libc6',
        version: '2.36-9+deb12u14',
        type: 'deb',
        arch: 'amd64',
        sourceName: 'glibc',
        sourceVersion: '2.36-9+deb12u14',
        licenses: [],
      },
    ]);
    expect(facts.warnings).toBeUndefined();
  });

  test('binary garbage as a status file: warnings, no throw', async () => {
    const garbage = Buffer.from(Array.from({ length: 65536 }, (_, i) => (i * 2654435761) >>> 24));
    const facts = await dpkgCataloger.parse(source('/var/lib/dpkg/status', garbage), ctx);
    expect(facts.packages).toEqual([]);
  });
});
