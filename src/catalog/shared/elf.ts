import { VigilError } from '../../core/errors.js';

/**
 * A small, bounds-checked ELF reader over random access, after the System V gABI
 * (https://refspecs.linuxfoundation.org/elf/gabi4+/ch4.eheader.html) and Go's debug/elf.
 *
 * It reads only the headers and the sections asked for, so a 500 MiB binary spooled to disk costs
 * a few small reads. Every offset and size is checked against the file size and every count is
 * capped: the input is hostile (any file with an executable bit in any image).
 */

/** What the reader needs of a file: `FileSource` satisfies it. */
export interface RandomAccess {
  readonly size: number;
  /** `length` bytes from `offset`; fewer at the end of the file. */
  read(offset: number, length: number): Promise<Buffer>;
}

export const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

export const PT_LOAD = 1;
export const PF_X = 1;
export const PF_W = 2;
export const SHT_NOBITS = 8;
export const SHF_COMPRESSED = 0x800;

/** Section and program header counts above these are treated as corrupt (real binaries: < 100). */
const MAX_SECTIONS = 65_536;
const MAX_PROGRAMS = 4_096;
/** Largest section-name string table we read. */
const MAX_SHSTRTAB = 1 << 20;
const MAX_NAME = 256;

export interface ElfSection {
  name: string;
  type: number;
  flags: number;
  /** Virtual address when loaded (0 for non-allocated sections). */
  addr: number;
  offset: number;
  size: number;
}

export interface ElfProgram {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
}

export function isElf(head: Buffer): boolean {
  return head.length >= 4 && head.subarray(0, 4).equals(ELF_MAGIC);
}

function corrupt(message: string): VigilError {
  return new VigilError('elf-corrupt', message);
}

/** Reads exactly `length` bytes at `offset` or throws: callers never see a short buffer. */
export async function readExact(src: RandomAccess, offset: number, length: number, what: string): Promise<Buffer> {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw corrupt(`${what}: bad range ${offset}+${length}`);
  }
  if (offset + length > src.size) {
    throw corrupt(`${what}: range ${offset}+${length} is past the end of the file (${src.size} bytes)`);
  }
  if (length === 0) return Buffer.alloc(0);
  const buf = await src.read(offset, length);
  if (buf.length < length) throw corrupt(`${what}: short read at ${offset} (${buf.length} of ${length} bytes)`);
  return buf.length === length ? buf : buf.subarray(0, length);
}

/** A field reader bound to one class and byte order. 64-bit values above 2^53 become NaN. */
class Fields {
  constructor(
    readonly is64: boolean,
    readonly le: boolean,
  ) {}
  u16(b: Buffer, o: number): number {
    return this.le ? b.readUInt16LE(o) : b.readUInt16BE(o);
  }
  u32(b: Buffer, o: number): number {
    return this.le ? b.readUInt32LE(o) : b.readUInt32BE(o);
  }
  u64(b: Buffer, o: number): number {
    const v = this.le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o);
    return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : Number.NaN;
  }
  /** A word: 4 bytes in ELFCLASS32, 8 in ELFCLASS64. */
  word(b: Buffer, o: number): number {
    return this.is64 ? this.u64(b, o) : this.u32(b, o);
  }
}

export class ElfFile {
  private constructor(
    private readonly src: RandomAccess,
    readonly is64: boolean,
    readonly littleEndian: boolean,
    readonly machine: number,
    readonly type: number,
    readonly sections: readonly ElfSection[],
    readonly programs: readonly ElfProgram[],
  ) {}

  /** Parses the ELF header, program headers and section headers. Throws `elf-corrupt` on bad input. */
  static async open(src: RandomAccess): Promise<ElfFile> {
    if (src.size < 52) throw corrupt('file too small for an ELF header');
    const ident = await readExact(src, 0, Math.min(64, src.size), 'ELF header');
    if (!isElf(ident)) throw new VigilError('elf-not-elf', 'not an ELF file');
    const cls = ident[4];
    const data = ident[5];
    if (cls !== 1 && cls !== 2) throw corrupt(`unknown ELF class ${cls}`);
    if (data !== 1 && data !== 2) throw corrupt(`unknown ELF data encoding ${data}`);
    const is64 = cls === 2;
    if (is64 && ident.length < 64) throw corrupt('file too small for an ELF64 header');
    const f = new Fields(is64, data === 1);

    const type = f.u16(ident, 16);
    const machine = f.u16(ident, 18);
    const phoff = f.word(ident, is64 ? 32 : 28);
    const shoff = f.word(ident, is64 ? 40 : 32);
    if (!Number.isSafeInteger(phoff) || !Number.isSafeInteger(shoff)) throw corrupt('header table offset out of range');
    const o = is64 ? 52 : 40; // after e_flags
    const phentsize = f.u16(ident, o + 2);
    let phnum = f.u16(ident, o + 4);
    const shentsize = f.u16(ident, o + 6);
    let shnum = f.u16(ident, o + 8);
    let shstrndx = f.u16(ident, o + 10);

    const shMin = is64 ? 64 : 40;
    const phMin = is64 ? 56 : 32;

    // Section 0 holds the real counts when they overflow 16 bits (gABI "extended numbering").
    let section0: Buffer | undefined;
    const shValid = shoff > 0 && Number.isSafeInteger(shoff) && shentsize >= shMin && shoff + shentsize <= src.size;
    if (shValid && (shnum === 0 || shstrndx === 0xffff || phnum === 0xffff)) {
      section0 = await readExact(src, shoff, shentsize, 'section header 0');
      if (shnum === 0) shnum = f.word(section0, is64 ? 32 : 20);
      if (shstrndx === 0xffff) shstrndx = f.u32(section0, is64 ? 40 : 24);
      if (phnum === 0xffff) phnum = f.u32(section0, is64 ? 44 : 28);
    }

    const programs: ElfProgram[] = [];
    if (phoff > 0 && phnum > 0) {
      if (phentsize < phMin) throw corrupt(`program header entry size ${phentsize} too small`);
      if (phnum > MAX_PROGRAMS) throw corrupt(`too many program headers (${phnum})`);
      const table = await readExact(src, phoff, phnum * phentsize, 'program header table');
      for (let i = 0; i < phnum; i++) {
        const b = table.subarray(i * phentsize, (i + 1) * phentsize);
        const p: ElfProgram = is64
          ? {
              type: f.u32(b, 0),
              flags: f.u32(b, 4),
              offset: f.u64(b, 8),
              vaddr: f.u64(b, 16),
              filesz: f.u64(b, 32),
              memsz: f.u64(b, 40),
            }
          : {
              type: f.u32(b, 0),
              offset: f.u32(b, 4),
              vaddr: f.u32(b, 8),
              filesz: f.u32(b, 16),
              memsz: f.u32(b, 20),
              flags: f.u32(b, 24),
            };
        // Entries with unrepresentable values are dropped rather than trusted.
        if ([p.offset, p.vaddr, p.filesz, p.memsz].every(Number.isSafeInteger)) programs.push(p);
      }
    }

    const sections: ElfSection[] = [];
    if (shValid && shnum > 0) {
      if (shnum > MAX_SECTIONS) throw corrupt(`too many section headers (${shnum})`);
      const table = await readExact(src, shoff, shnum * shentsize, 'section header table');
      const raw: (ElfSection & { nameOff: number })[] = [];
      for (let i = 0; i < shnum; i++) {
        const b = table.subarray(i * shentsize, (i + 1) * shentsize);
        raw.push({
          name: '',
          nameOff: f.u32(b, 0),
          type: f.u32(b, 4),
          flags: is64 ? f.u64(b, 8) : f.u32(b, 8),
          addr: f.word(b, is64 ? 16 : 12),
          offset: f.word(b, is64 ? 24 : 16),
          size: f.word(b, is64 ? 32 : 20),
        });
      }
      const strtab = raw[shstrndx];
      let names: Buffer | undefined;
      if (
        strtab &&
        strtab.type !== SHT_NOBITS &&
        Number.isSafeInteger(strtab.offset) &&
        Number.isSafeInteger(strtab.size) &&
        strtab.size <= MAX_SHSTRTAB &&
        strtab.offset + strtab.size <= src.size
      ) {
        names = await readExact(src, strtab.offset, strtab.size, 'section name table');
      }
      for (const s of raw) {
        const { nameOff, ...section } = s;
        if (names && nameOff < names.length) {
          let end = names.indexOf(0, nameOff);
          if (end < 0) end = names.length;
          section.name = names.toString('latin1', nameOff, Math.min(end, nameOff + MAX_NAME));
        }
        sections.push(section);
      }
    }

    return new ElfFile(src, is64, f.le, machine, type, sections, programs);
  }

  section(name: string): ElfSection | undefined {
    return this.sections.find((s) => s.name === name);
  }

  /**
   * The bytes of a section, at most `maxBytes` (larger sections are an error: callers say how
   * much they are prepared to hold). Compressed (SHF_COMPRESSED) sections are returned raw.
   */
  async sectionData(section: ElfSection, maxBytes: number): Promise<Buffer> {
    if (section.type === SHT_NOBITS) return Buffer.alloc(0);
    if (!Number.isSafeInteger(section.size) || section.size > maxBytes) {
      throw corrupt(`section ${section.name} is too large (${section.size} bytes, limit ${maxBytes})`);
    }
    return readExact(this.src, section.offset, section.size, `section ${section.name}`);
  }

  /**
   * The file offset of a virtual address and how many bytes of file data follow it in the same
   * segment, through the PT_LOAD program headers (or, in files without them, the allocated
   * sections), as debug/elf's ReadData does.
   */
  mapAddress(addr: number): { offset: number; available: number } | undefined {
    if (!Number.isSafeInteger(addr)) return undefined;
    for (const p of this.programs) {
      if (p.type !== PT_LOAD) continue;
      if (addr >= p.vaddr && addr - p.vaddr < p.filesz) {
        const offset = p.offset + (addr - p.vaddr);
        const available = Math.min(p.filesz - (addr - p.vaddr), this.src.size - offset);
        return available > 0 ? { offset, available } : undefined;
      }
    }
    if (this.programs.length > 0) return undefined;
    for (const s of this.sections) {
      if (s.type === SHT_NOBITS || s.addr === 0) continue;
      if (addr >= s.addr && addr - s.addr < s.size) {
        const offset = s.offset + (addr - s.addr);
        const available = Math.min(s.size - (addr - s.addr), this.src.size - offset);
        return available > 0 ? { offset, available } : undefined;
      }
    }
    return undefined;
  }

  /** `length` bytes at virtual address `addr`, or undefined when they are not all in the file. */
  async readVirtual(addr: number, length: number): Promise<Buffer | undefined> {
    const m = this.mapAddress(addr);
    if (!m || length > m.available) return undefined;
    return readExact(this.src, m.offset, length, `virtual address 0x${addr.toString(16)}`);
  }

}

/** An unsigned 4- or 8-byte integer (NaN above 2^53, which no real address or length reaches). */
export function readUint(b: Buffer, offset: number, size: 4 | 8, littleEndian: boolean): number {
  return new Fields(size === 8, littleEndian).word(b, offset);
}
