import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { deflateSync } from 'node:zlib';
import { rustCataloger } from './index.js';
import { parseDepV0, readAuditableBinary } from './parse-dep-v0.js';
import { parseCargoLock } from './parse-cargo-lock.js';
import { makeElf } from '../shared/__fixtures__/make-elf.js';
import { bufferSource } from '../shared/__fixtures__/sources.js';

const FIX = resolve(import.meta.dirname, '__fixtures__');
const fixture = (p: string) => readFileSync(resolve(FIX, p));
const rootfs = { mode: 'rootfs' as const };
const image = { mode: 'image' as const };
const nv = (pkgs: { name: string; version: string }[] | undefined) => pkgs?.map((p) => `${p.name}@${p.version}`);
const elfWithDeps = (section: Buffer) => makeElf({ sections: [{ name: '.text', data: Buffer.alloc(64), addr: 0x1000 }, { name: '.dep-v0', data: section }] });

describe('cargo-auditable binaries', () => {
  test('a rustc executable with a .dep-v0 section (objcopy, see make-fixtures.sh)', async () => {
    const bin = fixture('usr/local/bin/hello-auditable');
    const src = bufferSource(bin, '/usr/local/bin/hello-auditable');
    expect(rustCataloger.matches({ ...src, size: 4096 }, image)).toBe(true);
    expect(rustCataloger.sniff(bin.subarray(0, 64), src)).toBe(true);
    const facts = await rustCataloger.parse(src);
    expect(nv(facts.packages)).toEqual([
      'adler@1.0.2',
      'cc@1.0.83',
      'cfg-if@1.0.0',
      'crc32fast@1.3.2',
      'flate2@1.0.28',
      'hello-vigil@0.1.0',
      'miniz_oxide@0.7.1',
      'time@0.1.45',
    ]);
    const by = new Map(facts.packages!.map((p) => [p.name, p]));
    expect(by.get('cc')!.metadata).toEqual({ evidence: 'cargo-auditable', source: 'crates.io', kind: 'build', buildOnly: true });
    expect(by.get('hello-vigil')!.metadata).toEqual({ evidence: 'cargo-auditable', source: 'local', kind: 'runtime', root: true });
    expect(by.get('time')!.type).toBe('cargo');
  });

  test('the same rustc executable without the section: nothing, no warning', async () => {
    expect(await rustCataloger.parse(bufferSource(fixture('usr/local/bin/hello-plain')))).toEqual({});
  });

  test('a shell script with an executable bit is not an error', async () => {
    expect(await rustCataloger.parse(bufferSource(Buffer.from('#!/bin/sh\necho hi\n'.repeat(100))))).toEqual({});
  });

  test.each([
    ['corrupt zlib', Buffer.from('definitely not zlib data')],
    ['truncated zlib', deflateSync(Buffer.from('{"packages":[{"name":"a","version":"1"}]}')).subarray(0, 10)],
    ['zlib bomb: 64 MiB of spaces', deflateSync(Buffer.alloc(64 * 1024 * 1024, 0x20))],
    ['not JSON', deflateSync(Buffer.from('{"packages": [oops'))],
    ['no packages array', deflateSync(Buffer.from('{"pkgs":[]}'))],
  ])('hostile .dep-v0 (%s) is a VigilError', async (_name, section) => {
    const before = process.memoryUsage().arrayBuffers;
    await expect(readAuditableBinary(bufferSource(elfWithDeps(section)))).rejects.toMatchObject({ name: 'VigilError', code: 'cargo-auditable-corrupt' });
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(48 * 1024 * 1024);
  });

  test('a .dep-v0 section lying past the end of the file is a VigilError', async () => {
    const b = elfWithDeps(deflateSync(Buffer.from('{"packages":[]}')));
    const shoff = Number(b.readBigUInt64LE(40));
    b.writeBigUInt64LE(1n << 40n, shoff + 2 * 64 + 24);
    await expect(readAuditableBinary(bufferSource(b))).rejects.toMatchObject({ name: 'VigilError' });
  });

  test.each`
    json                                                                          | expected
    ${'{"packages":[{"name":"a","version":"1.0.0"}]}'}                            | ${['a@1.0.0']}
    ${'{"packages":[{"name":"a"},{"version":"1"},null,7,{"name":"b","version":"2"}]}'} | ${['b@2']}
    ${'{"packages":[]}'}                                                          | ${[]}
  `('parseDepV0($json)', ({ json, expected }) => {
    expect(nv(parseDepV0(deflateSync(Buffer.from(json))))).toEqual(expected);
  });
});

describe('Cargo.lock', () => {
  test('v3 lock: registry, git and workspace crates, duplicate names', () => {
    const pkgs = parseCargoLock(fixture('srv/app/Cargo.lock').toString());
    expect(nv(pkgs)).toEqual(['adler@1.0.2', 'app@0.1.0', 'flate2@1.0.28', 'miniz_oxide@0.7.1', 'regex@1.5.4', 'regex@1.10.2', 'time@0.1.45', 'util@0.1.0']);
    expect(pkgs[1]!.metadata).toEqual({ evidence: 'Cargo.lock', source: 'local' });
    expect(pkgs[0]!.metadata).toMatchObject({ source: 'registry+https://github.com/rust-lang/crates.io-index', checksum: expect.stringMatching(/^f262/) });
    expect(pkgs[5]!.metadata).toMatchObject({ source: expect.stringMatching(/^git\+/) });
  });

  test('v1 lock with a [metadata] checksum table', () => {
    expect(nv(parseCargoLock(fixture('srv/old-app/Cargo.lock').toString()))).toEqual(['old-app@0.1.0', 'smallvec@0.6.13']);
  });

  test.each`
    text                           | code
    ${'[[package]\nname = "x"'}    | ${'cargo-lock-corrupt'}
    ${'package = "nope"'}          | ${'cargo-lock-corrupt'}
  `('corrupt Cargo.lock $text', ({ text, code }) => {
    expect(() => parseCargoLock(text)).toThrow(expect.objectContaining({ code }));
  });

  test('read only in directory scans', async () => {
    const meta = { path: '/srv/app/Cargo.lock', mode: 0o644, size: 1500 };
    expect(rustCataloger.matches(meta, rootfs)).toBe(true);
    expect(rustCataloger.matches(meta, image)).toBe(false);
    expect(rustCataloger.matches(meta, { mode: 'host' })).toBe(false);
    expect(rustCataloger.sniff(Buffer.from('# This file'), meta)).toBe(true);
    const facts = await rustCataloger.parse(bufferSource(fixture('srv/app/Cargo.lock'), meta.path, 0o644));
    expect(facts.packages).toHaveLength(8);
  });
});
