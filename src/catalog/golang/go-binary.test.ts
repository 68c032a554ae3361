import { beforeAll, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { goBinaryCataloger, parseGoBinary } from './index.js';
import { readGoBuildInfo, BUILDINFO_MAGIC, decodeUvarint } from './read-buildinfo.js';
import { buildGoFixtures, GO_ARCHES, type GoArch } from './__fixtures__/build-go.js';
import { makeElf } from '../shared/__fixtures__/make-elf.js';
import { bufferSource, diskSource } from '../shared/__fixtures__/sources.js';
import { APP_LAYER_2, filesFromLayer } from '../shared/__fixtures__/oci.js';
import { elfFieldOffsets } from '../shared/__fixtures__/make-elf.js';

const START = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex'); // cmd/go modload.infoStart
const END = Buffer.from('f932433186182072008242104116d8f2', 'hex'); // modload.infoEnd
const MODINFO = 'path\tex.com/tool\nmod\tex.com/tool\tv2.1.0\t\ndep\tgolang.org/x/text\tv0.3.7\th1:abc=\n';
const framed = (text: string) => Buffer.concat([START, Buffer.from(text), END]);

function uvarint(n: number): Buffer {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return Buffer.from(out);
}

/** The Go >= 1.18 blob: header with flags bit 2, then two varint-prefixed strings. */
function inlineBlob(version: string, mod: Buffer, ptrSize = 8, flags = 2): Buffer {
  const header = Buffer.alloc(32);
  BUILDINFO_MAGIC.copy(header);
  header[14] = ptrSize;
  header[15] = flags;
  return Buffer.concat([header, uvarint(version.length), Buffer.from(version), uvarint(mod.length), mod]);
}

/**
 * A Go < 1.18 binary: .go.buildinfo holds two pointers to Go string headers in .data, which point
 * at the bytes in .rodata, all in the header's pointer size and byte order.
 */
function pointerElf(is64: boolean, le: boolean, version: string, mod: Buffer, opts: { modHeaderAddr?: number } = {}): Buffer {
  const ptr = is64 ? 8 : 4;
  const RODATA = 0x30000;
  const DATA = 0x20000;
  const w = (b: Buffer, o: number, v: number) =>
    is64 ? (le ? b.writeBigUInt64LE(BigInt(v), o) : b.writeBigUInt64BE(BigInt(v), o)) : le ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o);
  const rodata = Buffer.concat([Buffer.from(version), mod]);
  const data = Buffer.alloc(4 * ptr);
  w(data, 0, RODATA);
  w(data, ptr, version.length);
  w(data, 2 * ptr, RODATA + version.length);
  w(data, 3 * ptr, mod.length);
  const bi = Buffer.alloc(32);
  BUILDINFO_MAGIC.copy(bi);
  bi[14] = ptr;
  bi[15] = le ? 0 : 1;
  w(bi, 16, DATA);
  w(bi, 16 + ptr, opts.modHeaderAddr ?? DATA + 2 * ptr);
  return makeElf({
    is64,
    littleEndian: le,
    sections: [
      { name: '.rodata', data: rodata, addr: RODATA, segmentFlags: 4 },
      { name: '.data', data, addr: DATA },
      { name: '.go.buildinfo', data: bi, addr: 0x10000 },
    ],
  });
}

const names = (facts: Awaited<ReturnType<typeof parseGoBinary>>) => facts.packages?.map((p) => `${p.name}@${p.version}`);

describe('real binaries', () => {
  let age: Buffer;
  let built: Map<GoArch, string>;
  beforeAll(async () => {
    const [layer, bins] = await Promise.all([filesFromLayer(APP_LAYER_2, ['usr/bin/age', 'usr/bin/age-keygen']), buildGoFixtures()]);
    age = layer.get('/usr/bin/age')!.data;
    built = bins;
  });

  test("Debian's /usr/bin/age from the app image: stdlib 1.19.8 only, read with a few small reads", async () => {
    const src = bufferSource(age, '/usr/bin/age');
    expect(goBinaryCataloger.matches(src)).toBe(true);
    expect(goBinaryCataloger.sniff(age.subarray(0, 64))).toBe(true);
    const facts = await goBinaryCataloger.parse(src);
    expect(facts.packages).toEqual([
      {
        name: 'stdlib',
        version: '1.19.8',
        type: 'golang',
        metadata: expect.objectContaining({ goVersion: 'go1.19.8', goBuildPath: 'filippo.io/age/cmd/age' }),
      },
    ]);
    expect(facts.warnings).toBeUndefined();
    expect(src.bytesRead).toBeLessThan(32 * 1024);
  });

  test('age with its section headers removed is found by scanning for the aligned magic', async () => {
    const b = Buffer.from(age);
    const f = elfFieldOffsets(true);
    b.writeBigUInt64LE(0n, f.shoff);
    b.writeUInt16LE(0, f.shnum);
    b.writeUInt16LE(0, f.shstrndx);
    const raw = await readGoBuildInfo(bufferSource(b));
    expect(raw).toMatchObject({ goVersion: 'go1.19.8', format: 'inline' });
    expect(raw!.modinfo).toContain('path\tfilippo.io/age/cmd/age\n');
  });

  test.each(GO_ARCHES.map((a) => [a]))('a module build for GOARCH=%s: deps, fork replacement, stdlib', async (arch) => {
    const src = diskSource(built.get(arch)!, '/usr/local/bin/app');
    try {
      const facts = await goBinaryCataloger.parse(src);
      expect(names(facts)).toEqual(['github.com/fork/colors@v1.4.1', 'github.com/acme/strs@v0.3.0', `stdlib@1.19.8`]);
      expect(facts.packages![0]!.metadata).toMatchObject({ replaces: 'github.com/acme/colors@v1.2.0', goarch: arch });
      expect(facts.packages![1]!.metadata).toMatchObject({ h1Digest: 'h1:qdhUmdnKvtCAfcS5aAS5Ne3w+gEi9KM+JcmNRdofXNg=' });
      expect(src.bytesRead).toBeLessThan(64 * 1024);
    } finally {
      src.close();
    }
  });
});

describe('synthetic pre-1.18 pointer format', () => {
  test.each`
    is64     | le
    ${true}  | ${true}
    ${true}  | ${false}
    ${false} | ${true}
    ${false} | ${false}
  `('64-bit=$is64 little-endian=$le', async ({ is64, le }) => {
    const facts = await parseGoBinary(bufferSource(pointerElf(is64, le, 'go1.16.15', framed(MODINFO))));
    expect(names(facts)).toEqual(['ex.com/tool@v2.1.0', 'golang.org/x/text@v0.3.7', 'stdlib@1.16.15']);
  });

  test('GOPATH-era binary (empty modinfo) gives stdlib', async () => {
    expect(names(await parseGoBinary(bufferSource(pointerElf(true, true, 'go1.12.17', Buffer.alloc(0)))))).toEqual(['stdlib@1.12.17']);
  });

  test('a modinfo pointer to an unmapped address gives stdlib only', async () => {
    const b = pointerElf(true, true, 'go1.16.15', framed(MODINFO), { modHeaderAddr: 0x7fff0000 });
    expect(names(await parseGoBinary(bufferSource(b)))).toEqual(['stdlib@1.16.15']);
  });
});

const elfWith = (bi: Buffer) => makeElf({ sections: [{ name: '.go.buildinfo', data: bi, addr: 0x10000 }] });

describe('hostile build info', () => {
  test.each([
    ['version length prefix of 2^40', () => elfWith(Buffer.concat([inlineBlob('', Buffer.alloc(0)).subarray(0, 32), uvarint(2 ** 40)]))],
    ['modinfo length past the end of the file', () => elfWith(Buffer.concat([inlineBlob('go1.20', Buffer.alloc(0)).subarray(0, 39), uvarint(5000), Buffer.from('x')]))],
    ['truncated varint', () => elfWith(Buffer.concat([inlineBlob('', Buffer.alloc(0)).subarray(0, 32), Buffer.from([0xff, 0xff])]))],
    ['pointer size 3', () => elfWith(inlineBlob('go1.20', Buffer.alloc(0), 3, 0))],
    ['empty version', () => elfWith(inlineBlob('', framed(MODINFO)))],
    ['section offset past the end', () => {
      const b = elfWith(inlineBlob('go1.20', framed(MODINFO)));
      const shoff = Number(b.readBigUInt64LE(40));
      b.writeBigUInt64LE(1n << 40n, shoff + 64 + 24);
      return b;
    }],
  ])('%s is a VigilError (a warning for the engine)', async (_name, make) => {
    const src = bufferSource(make());
    await expect(parseGoBinary(src)).rejects.toMatchObject({ name: 'VigilError' });
    expect(src.bytesRead).toBeLessThan(64 * 1024);
  });

  test.each([
    ['a C binary (/bin/ls)', () => readFileSync('/bin/ls')],
    ['misaligned magic', () => elfWith(Buffer.concat([Buffer.alloc(3), inlineBlob('go1.20', framed(MODINFO))]))],
    ['no section headers and no magic', () => makeElf({ sections: [{ name: '.data', data: Buffer.alloc(4096), addr: 0x1000 }], noSectionHeaders: true })],
  ])('%s is not a Go binary: no packages, no error', async (_name, make) => {
    expect(await parseGoBinary(bufferSource(make()))).toEqual({});
  });

  test('inline format inside a synthetic ELF without sentinels gives an empty modinfo', async () => {
    const raw = await readGoBuildInfo(bufferSource(elfWith(inlineBlob('go1.20.1', Buffer.from(MODINFO)))));
    expect(raw).toMatchObject({ goVersion: 'go1.20.1', modinfo: '' });
  });
});

test.each`
  hex                       | value          | size
  ${'00'}                   | ${0}           | ${1}
  ${'ac02'}                 | ${300}         | ${2}
  ${'ffffffffffffffff7f'}   | ${2 ** 63 - 1} | ${undefined}
  ${'ff'}                   | ${undefined}   | ${undefined}
`('decodeUvarint($hex) = $value', ({ hex, value, size }) => {
  const r = decodeUvarint(Buffer.from(hex, 'hex'), 0);
  expect(r?.value).toBe(value === 2 ** 63 - 1 ? undefined : value);
  expect(r?.size).toBe(size);
});

describe('matches', () => {
  test.each`
    path                       | mode     | size         | expected
    ${'/usr/bin/age'}          | ${0o755} | ${3_672_144} | ${true}
    ${'/usr/local/bin/tool'}   | ${0o700} | ${2048}      | ${true}
    ${'/usr/lib/libx.so.1'}    | ${0o755} | ${2048}      | ${true}
    ${'/usr/bin/age'}          | ${0o644} | ${3_672_144} | ${false}
    ${'/usr/bin/tiny'}         | ${0o755} | ${100}       | ${false}
    ${'/usr/bin/script.sh'}    | ${0o755} | ${5000}      | ${false}
    ${'/opt/app/run.py'}       | ${0o755} | ${5000}      | ${false}
  `('$path mode=$mode size=$size → $expected', ({ path, mode, size, expected }) => {
    expect(goBinaryCataloger.matches({ path, mode, size })).toBe(expected);
  });
});

