/**
 * Writes small, well-formed ELF files for tests (the hostile cases start from these and break
 * one field). Layout: header, program headers, section data (16-aligned), .shstrtab, section
 * headers. Every section with an address gets its own PT_LOAD segment.
 */
export interface SectionSpec {
  name: string;
  data: Buffer;
  /** Virtual address; 0 or absent = not loaded. */
  addr?: number;
  type?: number;
  /** PT_LOAD flags for the segment (default R|W = 6). */
  segmentFlags?: number;
}

export interface ElfSpec {
  is64?: boolean;
  littleEndian?: boolean;
  sections: SectionSpec[];
  /** Omit the section header table (as `sstrip` does). */
  noSectionHeaders?: boolean;
  machine?: number;
}

export function makeElf(spec: ElfSpec): Buffer {
  const is64 = spec.is64 ?? true;
  const le = spec.littleEndian ?? true;
  const ehsize = is64 ? 64 : 52;
  const phentsize = is64 ? 56 : 32;
  const shentsize = is64 ? 64 : 40;
  const loaded = spec.sections.filter((s) => s.addr);
  const phoff = ehsize;
  let pos = phoff + loaded.length * phentsize;
  const align = (n: number) => (n + 15) & ~15;

  const placed = spec.sections.map((s) => {
    pos = align(pos);
    const offset = pos;
    pos += s.data.length;
    return { ...s, offset };
  });
  const names: number[] = [];
  let shstr = Buffer.from([0]);
  for (const s of [...placed.map((p) => p.name), '.shstrtab']) {
    names.push(shstr.length);
    shstr = Buffer.concat([shstr, Buffer.from(s + '\0', 'latin1')]);
  }
  pos = align(pos);
  const shstrOff = pos;
  pos += shstr.length;
  pos = align(pos);
  const shoff = spec.noSectionHeaders ? 0 : pos;
  const shnum = spec.noSectionHeaders ? 0 : placed.length + 2; // NULL + sections + .shstrtab
  const total = pos + shnum * shentsize;
  const b = Buffer.alloc(total);

  const u16 = (o: number, v: number) => (le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
  const u32 = (o: number, v: number) => (le ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o));
  const word = (o: number, v: number) =>
    is64 ? (le ? b.writeBigUInt64LE(BigInt(v), o) : b.writeBigUInt64BE(BigInt(v), o)) : u32(o, v);

  b.set([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, le ? 1 : 2, 1], 0);
  u16(16, 2); // ET_EXEC
  u16(18, spec.machine ?? (is64 ? 62 : 3));
  u32(20, 1);
  word(is64 ? 24 : 24, 0x401000); // entry
  word(is64 ? 32 : 28, loaded.length ? phoff : 0);
  word(is64 ? 40 : 32, shoff);
  const o = is64 ? 52 : 40;
  u16(o, ehsize);
  u16(o + 2, phentsize);
  u16(o + 4, loaded.length);
  u16(o + 6, shentsize);
  u16(o + 8, shnum);
  u16(o + 10, spec.noSectionHeaders ? 0 : placed.length + 1);

  let ph = phoff;
  for (const s of placed) {
    s.data.copy(b, s.offset);
    if (!s.addr) continue;
    u32(ph, 1); // PT_LOAD
    if (is64) {
      u32(ph + 4, s.segmentFlags ?? 6);
      word(ph + 8, s.offset);
      word(ph + 16, s.addr);
      word(ph + 24, s.addr);
      word(ph + 32, s.data.length);
      word(ph + 40, s.data.length);
      word(ph + 48, 16);
    } else {
      word(ph + 4, s.offset);
      word(ph + 8, s.addr);
      word(ph + 12, s.addr);
      word(ph + 16, s.data.length);
      word(ph + 20, s.data.length);
      u32(ph + 24, s.segmentFlags ?? 6);
      u32(ph + 28, 16);
    }
    ph += phentsize;
  }
  shstr.copy(b, shstrOff);
  if (!spec.noSectionHeaders) {
    const all = [
      ...placed.map((s, i) => ({ name: names[i]!, type: s.type ?? 1, addr: s.addr ?? 0, offset: s.offset, size: s.data.length })),
      { name: names[placed.length]!, type: 3, addr: 0, offset: shstrOff, size: shstr.length },
    ];
    all.forEach((s, i) => {
      const h = shoff + (i + 1) * shentsize;
      u32(h, s.name);
      u32(h + 4, s.type);
      if (is64) {
        word(h + 8, s.addr ? 3 : 0);
        word(h + 16, s.addr);
        word(h + 24, s.offset);
        word(h + 32, s.size);
      } else {
        u32(h + 8, s.addr ? 3 : 0);
        word(h + 12, s.addr);
        word(h + 16, s.offset);
        word(h + 20, s.size);
      }
    });
  }
  return b;
}

/** Offsets of header fields, for tests that corrupt one of them. */
export function elfFieldOffsets(is64: boolean) {
  const o = is64 ? 52 : 40;
  return { phoff: is64 ? 32 : 28, shoff: is64 ? 40 : 32, phnum: o + 4, shentsize: o + 6, shnum: o + 8, shstrndx: o + 10 };
}
