import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { FileSource } from '../types.js';
import { apkCataloger } from './index.js';
import { parseApkDb } from './parse-apk-db.js';

const REAL = readFileSync(new URL('./__fixtures__/alpine-fake/lib/apk/db/installed', import.meta.url), 'utf8');
const LOC = '/lib/apk/db/installed';

function source(path: string, content: string | Buffer): FileSource {
  const buf = Buffer.isBuffer(content) ? content : Buffer.from(content);
  return { path, mode: 0o644, size: buf.length, buffer: async () => buf, read: async (o, l) => buf.subarray(o, o + l) };
}

describe('parseApkDb on the alpine-fake image database', () => {
  const result = parseApkDb(REAL, LOC);

  test('17 packages, no warnings', () => {
    expect(result.packages).toHaveLength(17);
    expect(result.warnings).toEqual([]);
  });

  // Expected rows from /work/shared/fixtures/images/inventory/alpine-fake.json.
  test.each`
    name                        | version        | sourceName
    ${'alpine-baselayout'}      | ${'3.2.0-r18'} | ${'alpine-baselayout'}
    ${'alpine-keys'}            | ${'2.4-r1'}    | ${'alpine-keys'}
    ${'apk-tools'}              | ${'2.12.7-r3'} | ${'apk-tools'}
    ${'busybox'}                | ${'1.34.1-r5'} | ${'busybox'}
    ${'ca-certificates-bundle'} | ${'20211220-r0'} | ${'ca-certificates'}
    ${'libc-utils'}             | ${'0.7.2-r3'}  | ${'libc-dev'}
    ${'libcrypto1.1'}           | ${'1.1.1n-r0'} | ${'openssl'}
    ${'libretls'}               | ${'3.3.4-r3'}  | ${'libretls'}
    ${'libssl1.1'}              | ${'1.1.1n-r0'} | ${'openssl'}
    ${'musl'}                   | ${'1.2.2-r7'}  | ${'musl'}
    ${'musl-utils'}             | ${'1.2.2-r7'}  | ${'musl'}
    ${'scanelf'}                | ${'1.3.3-r0'}  | ${'pax-utils'}
    ${'ssl_client'}             | ${'1.34.1-r5'} | ${'busybox'}
    ${'xz'}                     | ${'5.2.5-r0'}  | ${'xz'}
    ${'xz-libs'}                | ${'5.2.5-r0'}  | ${'xz'}
    ${'zlib'}                   | ${'1.2.12-r0'} | ${'zlib'}
    ${'zstd-libs'}              | ${'1.5.0-r0'}  | ${'zstd'}
  `('$name $version (origin $sourceName)', ({ name, version, sourceName }) => {
    const p = result.packages.find((x) => x.name === name);
    expect(p).toMatchObject({ type: 'apk', version, sourceName, arch: 'x86_64' });
  });

  test('licenses are kept whole (one expression per package)', () => {
    expect(result.packages.find((p) => p.name === 'musl')?.licenses).toEqual(['MIT']);
    expect(result.packages.find((p) => p.name === 'libretls')?.licenses).toEqual(['ISC AND (BSD-3-Clause OR MIT)']);
  });

  test('R: files are owned under their F: directory', () => {
    const busybox = result.owned.find((o) => o.owner.name === 'busybox');
    expect(busybox?.owner.type).toBe('apk');
    expect(busybox?.paths).toContain('/bin/busybox');
    expect(busybox?.paths).toContain('/etc/securetty');
    expect(busybox?.paths).toContain('/usr/share/udhcpc/default.script');
    const musl = result.owned.find((o) => o.owner.name === 'musl');
    expect(musl?.paths).toEqual(['/lib/ld-musl-x86_64.so.1', '/lib/libc.musl-x86_64.so.1']);
  });
});

describe('parseApkDb edge cases', () => {
  test.each`
    name                      | text                                             | names          | warning
    ${'no origin'}            | ${'P:a\nV:1-r0\n'}                              | ${['a']}       | ${undefined}
    ${'R before any F'}       | ${'P:a\nV:1-r0\nR:top\n'}                        | ${['a']}       | ${undefined}
    ${'CRLF line ends'}       | ${'P:a\r\nV:1-r0\r\n\r\nP:b\r\nV:2-r0\r\n'}      | ${['a', 'b']}  | ${undefined}
    ${'no trailing newline'}  | ${'P:a\nV:1-r0'}                                 | ${['a']}       | ${undefined}
    ${'missing V'}            | ${'P:a\n\nP:b\nV:2-r0\n'}                        | ${['b']}       | ${/no V:/}
    ${'missing P'}            | ${'V:1\n\nP:b\nV:2-r0\n'}                        | ${['b']}       | ${/no P:/}
    ${'non-UTF-8 name'}       | ${'P:a\uFFFDb\nV:1\n\nP:b\nV:2-r0\n'}            | ${['b']}       | ${/invalid package name/}
    ${'junk line'}            | ${'garbage\nP:a\nV:1-r0\n'}                      | ${['a']}       | ${/not a/}
    ${'many blank lines'}     | ${'\n\n\nP:a\nV:1-r0\n\n\n\n'}                    | ${['a']}       | ${undefined}
  `('$name', ({ text, names, warning }) => {
    const r = parseApkDb(text, LOC);
    expect(r.packages.map((p) => p.name)).toEqual(names);
    if (warning) expect(r.warnings[0]?.message).toMatch(warning);
    else expect(r.warnings).toEqual([]);
  });

  test('R before any F is at the root', () => {
    expect(parseApkDb('P:a\nV:1-r0\nR:top\n', LOC).owned).toEqual([{ owner: { type: 'apk', name: 'a' }, paths: ['/top'] }]);
  });

  test('binary garbage and a 1 MB line do not lose the real packages; warnings are capped', () => {
    const garbage = new TextDecoder().decode(Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 131) % 256)));
    const r = parseApkDb(`${garbage}\n\nP:x\nV:1-r0\nT:${'d'.repeat(1 << 20)}\n\n${REAL}`, LOC);
    expect(r.packages).toHaveLength(18);
    expect(r.warnings.length).toBeLessThanOrEqual(21);
  });
});

describe('apkCataloger', () => {
  const ctx = { mode: 'image' as const };
  test.each`
    path                               | wanted
    ${'/lib/apk/db/installed'}         | ${true}
    ${'/usr/lib/apk/db/installed'}     | ${true}
    ${'/lib/apk/db/installed.old'}     | ${false}
    ${'/lib/apk/db/scripts.tar'}       | ${false}
  `('matches($path) === $wanted', ({ path, wanted }) => {
    expect(apkCataloger.matches({ path, mode: 0o644, size: 1 }, ctx)).toBe(wanted);
  });

  test('parse gives packages and owned files', async () => {
    const facts = await apkCataloger.parse(source(LOC, REAL), ctx);
    expect(facts.packages).toHaveLength(17);
    expect(facts.owned?.length).toBeGreaterThan(10);
    expect(facts.warnings).toBeUndefined();
  });
});
