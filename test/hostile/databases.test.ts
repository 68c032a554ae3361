/**
 * Malformed package databases (and other cataloged files) inside an otherwise valid image.
 * The scan goes on: a warning names the bad file, and every other package is still reported.
 */
import { describe, expect, it } from 'vitest';
import { runVigil } from './helpers/cli.js';
import { useWorkspace } from './helpers/workspace.js';
import { BASE_PACKAGES, baseEntries, writeOciLayout } from './helpers/images.js';
import { pkgIds, scanRef } from './helpers/scan.js';
import { makeTar, type TarEntry } from './helpers/tar.js';

const ws = useWorkspace();
const fresh = ws.fresh;

/** Deterministic junk bytes. */
function junk(len: number, seed = 1): Buffer {
  const b = Buffer.alloc(len);
  let x = seed;
  for (let i = 0; i < len; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    b[i] = x >> 16;
  }
  return b;
}

const APK_OK = 'P:musl\nV:1.2.4-r2\nA:x86_64\no:musl\n\n';
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0');

/** The base image plus the bad file(s) in a second layer. */
async function withBad(bad: TarEntry[]): Promise<string> {
  const img = await writeOciLayout(fresh(), { layers: [{ tar: makeTar(baseEntries()) }, { tar: makeTar(bad) }] });
  return img.ref;
}

type Case = [what: string, entries: TarEntry[], warning: string | RegExp | null, extra?: string[]];

const cases: Case[] = [
  // dpkg
  ['dpkg status.d: binary junk', [{ name: 'var/lib/dpkg/status.d/junk', data: junk(4096) }], 'dpkg-malformed'],
  ['dpkg status.d: no Package field', [{ name: 'var/lib/dpkg/status.d/nopkg', data: 'Version: 1.0\nArchitecture: all\n' }], 'dpkg-malformed'],
  ['dpkg status.d: invalid name and version', [{ name: 'var/lib/dpkg/status.d/bad', data: 'Package: ../../etc\nVersion: 1.0\n\nPackage: ok-name\nVersion: not a version!\n' }], 'dpkg-malformed'],
  // Continuation lines with no field before them are dropped without a warning (the catalog's choice).
  ['dpkg status.d: continuation lines only', [{ name: 'var/lib/dpkg/status.d/cont', data: ' just\n continuation\n .\n'.repeat(100) }], null],
  ['dpkg status.d: one 4 MiB line', [{ name: 'var/lib/dpkg/status.d/long', data: 'Package: x' + 'y'.repeat(4 * 1024 * 1024) + '\n' }], 'dpkg-malformed'],
  ['dpkg status.d: 20,000 bad paragraphs (warnings are capped)', [{ name: 'var/lib/dpkg/status.d/many', data: 'Version: 1\n\n'.repeat(20_000) }], 'dpkg-malformed'],
  ['dpkg status.d: one good and one bad paragraph', [{ name: 'var/lib/dpkg/status.d/mixed', data: 'Package: zlib1g\nVersion: 1:1.2.13.dfsg-1\nArchitecture: amd64\n\nPackage: \nVersion: 1\n' }], 'dpkg-malformed', ['deb/zlib1g@1:1.2.13.dfsg-1']],
  ['dpkg info list: junk', [{ name: 'var/lib/dpkg/info/libc6.list', data: junk(2048, 7) }], null],
  ['dpkg info list: bad package name', [{ name: 'var/lib/dpkg/info/$(rm -rf).list', data: '/bin/x\n' }], 'dpkg-malformed'],
  // apk
  ['apk db: binary junk', [{ name: 'lib/apk/db/installed', data: junk(4096, 3) }], 'apk-malformed'],
  ['apk db: lines without a colon, a package without V:', [{ name: 'lib/apk/db/installed', data: 'garbage line\nP:nover\n\n' + APK_OK }], 'apk-malformed', ['apk/musl@1.2.4-r2']],
  ['apk db: invalid name', [{ name: 'lib/apk/db/installed', data: 'P:bad\u0001name\nV:1\n\n' + APK_OK }], 'apk-malformed', ['apk/musl@1.2.4-r2']],
  ['apk db: R: lines before any F:', [{ name: 'lib/apk/db/installed', data: 'P:busybox\nV:1.36.1-r15\nR:busybox\nR:../../../etc/shadow\nF:bin\nR:sh\n\n' }], null, ['apk/busybox@1.36.1-r15']],
  // rpm
  ['rpmdb.sqlite: magic then junk', [{ name: 'var/lib/rpm/rpmdb.sqlite', data: Buffer.concat([SQLITE_MAGIC, junk(8192, 5)]) }], 'rpmdb-corrupt'],
  ['rpmdb.sqlite: junk without a magic', [{ name: 'usr/lib/sysimage/rpm/rpmdb.sqlite', data: junk(4096, 9) }], 'rpmdb-corrupt'],
  ['rpmdb.sqlite: empty', [{ name: 'var/lib/rpm/rpmdb.sqlite', data: '' }], 'rpmdb-corrupt'],
  ['Packages.db (NDB): magic then junk', [{ name: 'var/lib/rpm/Packages.db', data: Buffer.concat([Buffer.from('RpmP'), junk(8192, 11)]) }], 'rpmdb-corrupt'],
  ['Packages (BDB): hash magic then junk', [{ name: 'var/lib/rpm/Packages', data: bdbLike() }], 'rpmdb-corrupt'],
  ['Packages (BDB): truncated header page', [{ name: 'var/lib/rpm/Packages', data: bdbLike().subarray(0, 20) }], 'rpmdb-corrupt'],
  // other catalogers: junk behind a valid-looking magic
  ['package.json: not JSON', [{ name: 'app/node_modules/broken/package.json', data: '{"name": "broken", "version": ' }], null],
  ['package.json: JSON of the wrong shape', [{ name: 'app/node_modules/odd/package.json', data: '[1,2,{"name":{"x":1}}]' }], null],
  ['python METADATA: junk', [{ name: 'usr/lib/python3/dist-packages/x-1.0.dist-info/METADATA', data: junk(3000, 13) }], null],
  ['ELF magic then junk (Go cataloger)', [{ name: 'usr/local/bin/tool', data: Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), junk(65536, 17)]), mode: 0o755 }], null],
  ['ELF header with absurd section counts', [{ name: 'usr/local/bin/tool2', data: elfWithHugeTables(), mode: 0o755 }], null],
  ['jar: zip magic then junk', [{ name: 'app/lib/x.jar', data: Buffer.concat([Buffer.from('PK\x03\x04'), junk(8192, 19)]) }], null],
  ['jar: an end record that claims a huge central directory', [{ name: 'app/lib/y.jar', data: zipWithHugeDirectory() }], null],
  ['os-release: junk', [{ name: 'etc/os-release', data: junk(1024, 23) }], null],
];

/** A Berkeley DB hash meta page header (magic 0x061561 at offset 12) followed by junk. */
function bdbLike(): Buffer {
  const b = junk(16384, 29);
  b.writeUInt32LE(0x061561, 12);
  b.writeUInt32LE(4096, 20); // page size
  return b;
}

/** An ELF64 header whose section header table is claimed to be enormous and out of bounds. */
function elfWithHugeTables(): Buffer {
  const b = Buffer.alloc(4096);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]);
  b.writeUInt16LE(2, 16); // ET_EXEC
  b.writeUInt16LE(62, 18); // x86-64
  b.writeBigUInt64LE(0xffffffffff00n, 0x28); // e_shoff
  b.writeUInt16LE(64, 0x3a); // e_shentsize
  b.writeUInt16LE(0xffff, 0x3c); // e_shnum
  b.writeUInt16LE(0xfffe, 0x3e); // e_shstrndx
  b.writeBigUInt64LE(0xffffffffff00n, 0x20); // e_phoff
  b.writeUInt16LE(56, 0x36);
  b.writeUInt16LE(0xffff, 0x38); // e_phnum
  return b;
}

/** A zip whose end-of-central-directory record claims 65535 entries in a 4 GiB directory. */
function zipWithHugeDirectory(): Buffer {
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(0xffff, 8);
  eocd.writeUInt16LE(0xffff, 10);
  eocd.writeUInt32LE(0xfffffff0, 12); // size
  eocd.writeUInt32LE(0, 16); // offset
  return Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(100), eocd]);
}

describe('malformed databases: the scan goes on with a warning (API)', () => {
  it.each(cases)('%s', async (_what, entries, warning, extra = []) => {
    const inv = await scanRef(await withBad(entries));
    const ids = pkgIds(inv);
    for (const p of [...BASE_PACKAGES, ...extra]) expect(ids).toContain(p);
    if (warning !== null) {
      const codes = inv.warnings.map((w) => w.code);
      expect(codes.some((c) => (typeof warning === 'string' ? c === warning : warning.test(c))), JSON.stringify(inv.warnings)).toBe(true);
      expect(inv.warnings.length).toBeLessThanOrEqual(50); // capped, not one per bad line
    }
  });
});

describe('malformed databases through the CLI', () => {
  it('exit 0, the warnings in the JSON report, the good packages listed', async () => {
    const ref = await withBad([
      { name: 'var/lib/dpkg/status.d/junk', data: junk(4096) },
      { name: 'lib/apk/db/installed', data: junk(4096, 3) },
      { name: 'var/lib/rpm/rpmdb.sqlite', data: Buffer.concat([SQLITE_MAGIC, junk(8192, 5)]) },
    ]);
    const r = await runVigil(['scan', 'image', ref, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { warnings: Array<{ code: string; location?: string }>; packages: Array<{ name: string }> };
    expect(report.packages.map((p) => p.name).sort()).toEqual(['base-files', 'left-pad', 'libc6']);
    const codes = new Set(report.warnings.map((w) => w.code));
    for (const c of ['dpkg-malformed', 'apk-malformed', 'rpmdb-corrupt']) expect(codes).toContain(c);
  });
});
