import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { ElfFile, isElf, readUint } from './elf.js';
import { VigilError } from '../../core/errors.js';
import { makeElf, elfFieldOffsets } from './__fixtures__/make-elf.js';
import { bufferSource, diskSource } from './__fixtures__/sources.js';

const sample = (is64: boolean, littleEndian: boolean) =>
  makeElf({
    is64,
    littleEndian,
    sections: [
      { name: '.text', data: Buffer.from('code code code'), addr: 0x401000, segmentFlags: 5 },
      { name: '.data', data: Buffer.from('0123456789abcdef'), addr: 0x602000 },
      { name: '.comment', data: Buffer.from('GCC') },
    ],
  });

describe('ElfFile.open', () => {
  test.each`
    is64     | littleEndian
    ${true}  | ${true}
    ${true}  | ${false}
    ${false} | ${true}
    ${false} | ${false}
  `('reads sections and segments (64-bit=$is64, little-endian=$littleEndian)', async ({ is64, littleEndian }) => {
    const elf = await ElfFile.open(bufferSource(sample(is64, littleEndian)));
    expect(elf.is64).toBe(is64);
    expect(elf.littleEndian).toBe(littleEndian);
    expect(elf.sections.map((s) => s.name)).toEqual(['', '.text', '.data', '.comment', '.shstrtab']);
    const data = elf.section('.data')!;
    expect((await elf.sectionData(data, 100)).toString()).toBe('0123456789abcdef');
    expect(elf.programs).toHaveLength(2);
    expect((await elf.readVirtual(0x602004, 4))?.toString()).toBe('4567');
    expect(await elf.readVirtual(0x60200e, 4)).toBeUndefined(); // runs past the segment
    expect(await elf.readVirtual(0x500000, 1)).toBeUndefined(); // unmapped
  });

  test('reads a real system binary (/bin/ls) with a few small reads', async () => {
    const src = diskSource('/bin/ls');
    try {
      const elf = await ElfFile.open(src);
      expect(elf.section('.text')).toBeDefined();
      expect(elf.section('.dynsym')).toBeDefined();
      expect(elf.programs.some((p) => p.type === 1)).toBe(true);
      expect(src.bytesRead).toBeLessThan(16 * 1024);
    } finally {
      src.close();
    }
  });

  test('maps addresses through sections when there are no program headers', async () => {
    const b = sample(true, true);
    b.writeBigUInt64LE(0n, elfFieldOffsets(true).phoff);
    const elf = await ElfFile.open(bufferSource(b));
    expect(elf.programs).toHaveLength(0);
    expect((await elf.readVirtual(0x602000, 2))?.toString()).toBe('01');
  });

  const f64 = elfFieldOffsets(true);
  test.each([
    ['not ELF', (b: Buffer) => b.write('\x7fELG', 0, 'latin1'), 'elf-not-elf'],
    ['truncated to 40 bytes', (b: Buffer) => b.subarray(0, 40), 'elf-corrupt'],
    ['truncated inside the program headers', (b: Buffer) => b.subarray(0, 80), 'elf-corrupt'],
    ['bad class', (b: Buffer) => (b[4] = 9), 'elf-corrupt'],
    ['bad data encoding', (b: Buffer) => (b[5] = 0), 'elf-corrupt'],
    ['section header table past the end', (b: Buffer) => b.writeUInt16LE(500, f64.shnum), 'elf-corrupt'],
    ['program header table past the end', (b: Buffer) => b.writeUInt16LE(900, f64.phnum), 'elf-corrupt'],
    ['huge program header count', (b: Buffer) => b.writeUInt16LE(0xfff0, f64.phnum), 'elf-corrupt'],
    ['program header offset 2^63', (b: Buffer) => b.writeBigUInt64LE(1n << 63n, f64.phoff), 'elf-corrupt'],
  ])('rejects hostile input: %s', async (_name, mutate, code) => {
    let b: Buffer = Buffer.from(sample(true, true));
    const r = mutate(b);
    if (Buffer.isBuffer(r)) b = r;
    await expect(ElfFile.open(bufferSource(b))).rejects.toMatchObject({ name: 'VigilError', code });
  });

  test.each([
    ['section offset past the end', (b: Buffer, shoff: number) => b.writeBigUInt64LE(1n << 40n, shoff + 2 * 64 + 24)],
    ['section size 2^62', (b: Buffer, shoff: number) => b.writeBigUInt64LE(1n << 62n, shoff + 2 * 64 + 32)],
  ])('section data of a hostile header is an error, not a huge read: %s', async (_name, mutate) => {
    const b = Buffer.from(sample(true, true));
    const shoff = Number(b.readBigUInt64LE(f64.shoff));
    mutate(b, shoff);
    const src = bufferSource(b);
    const elf = await ElfFile.open(src);
    await expect(elf.sectionData(elf.section('.data')!, 1 << 30)).rejects.toBeInstanceOf(VigilError);
    expect(src.bytesRead).toBeLessThan(b.length * 2);
  });

  test('a name table past the end leaves sections unnamed instead of failing', async () => {
    const b = Buffer.from(sample(true, true));
    const shoff = Number(b.readBigUInt64LE(f64.shoff));
    b.writeBigUInt64LE(1n << 40n, shoff + 4 * 64 + 24); // .shstrtab offset
    const elf = await ElfFile.open(bufferSource(b));
    expect(elf.sections.every((s) => s.name === '')).toBe(true);
  });

  test('without section headers the segments still work', async () => {
    const b = makeElf({ sections: [{ name: '.data', data: Buffer.from('xyz'), addr: 0x1000 }], noSectionHeaders: true });
    const elf = await ElfFile.open(bufferSource(b));
    expect(elf.sections).toHaveLength(0);
    expect((await elf.readVirtual(0x1001, 2))?.toString()).toBe('yz');
  });

  test('random corruption never throws anything but a VigilError and never reads more than the file', async () => {
    const base = sample(true, true);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 12 }),
        fc.nat(base.length),
        async (edits, cut) => {
          const b = Buffer.from(base);
          for (const [at, v] of edits) b[at] = v;
          const src = bufferSource(b.subarray(0, Math.max(cut, 1)));
          try {
            const elf = await ElfFile.open(src);
            for (const s of elf.sections) await elf.sectionData(s, 1 << 20).catch((e: unknown) => expect(e).toBeInstanceOf(VigilError));
          } catch (e) {
            expect(e).toBeInstanceOf(VigilError);
          }
          expect(src.bytesRead).toBeLessThanOrEqual(8 * base.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});

test.each`
  hex                   | size | le       | expected
  ${'01000000'}         | ${4} | ${true}  | ${1}
  ${'00000001'}         | ${4} | ${false} | ${1}
  ${'0100000000000000'} | ${8} | ${true}  | ${1}
  ${'ffffffffffffffff'} | ${8} | ${true}  | ${Number.NaN}
`('readUint($hex, $size, le=$le) === $expected', ({ hex, size, le, expected }) => {
  expect(readUint(Buffer.from(hex, 'hex'), 0, size, le)).toBe(expected);
});

test('isElf', () => {
  expect(isElf(Buffer.from('\x7fELF\x02', 'latin1'))).toBe(true);
  expect(isElf(Buffer.from('#!/bin/sh'))).toBe(false);
  expect(isElf(Buffer.alloc(2))).toBe(false);
});
