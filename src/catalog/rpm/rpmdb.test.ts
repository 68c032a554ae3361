import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { FileFacts, FileSource } from '../types.js';
import { writeNdb } from './__fixtures__/write-ndb.js';
import { rpmCataloger } from './index.js';

const SCRIPT = fileURLToPath(new URL('./__fixtures__/make-rpmdbs.sh', import.meta.url));
const ctx = { mode: 'image' as const };

function hasTools(): boolean {
  try {
    for (const t of ['rpm', 'rpmbuild', 'sqlite3', 'db5.3_load']) execFileSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const TOOLS = hasTools();

function source(path: string, buf: Buffer): FileSource {
  return { path, mode: 0o644, size: buf.length, buffer: async () => buf, read: async (o, l) => buf.subarray(o, o + l) };
}
const parse = (path: string, buf: Buffer): Promise<FileFacts> => rpmCataloger.parse(source(path, buf), ctx);
const rows = (f: FileFacts) =>
  (f.packages ?? []).map((p) => [p.name, p.version, p.arch, p.sourceName, p.sourceVersion, p.licenses?.join('|')].join(' ')).sort();

/** What the specs in __fixtures__/specs install (checked against `rpm -qa` below). */
const EXPECTED = [
  'vigil-epoch 2:0.9-1.fc40 x86_64 vigil-epoch 2:0.9-1.fc40 BSD-3-Clause',
  'vigil-hello 1.2.3-4.el9 noarch vigil-hello 1.2.3-4.el9 MIT and (GPLv2+ or BSD)',
  'vigil-meta 1-0 noarch vigil-meta 1-0 Public Domain',
];
const EXPECTED_OWNED = {
  'vigil-epoch': ['/etc/vigil-epoch.conf', '/usr/lib64/vigil', '/usr/lib64/vigil/data.bin'],
  'vigil-hello': ['/usr/bin/vigil-hello', '/usr/share/vigil-hello', '/usr/share/vigil-hello/greeting.txt'],
};

// No silent skip: .ci/run installs rpm, db5.3-util and sqlite3, so missing tools are a failure.
test('the tools that make real rpm databases are installed (rpm, rpmbuild, sqlite3, db5.3_load)', () => {
  expect(TOOLS, 'apt-get install rpm db5.3-util sqlite3').toBe(true);
});

describe('rpm databases made by rpm, rpmbuild and db5.3_load', () => {
  let dir: string;
  const db: Record<string, Buffer> = {};
  let blobs: Buffer[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-rpmdb-'));
    execFileSync(SCRIPT, [dir], { timeout: 60_000, stdio: 'ignore' });
    for (const f of ['rpmdb.sqlite', 'Packages', 'Packages-16k', 'Packages-512', 'Packages-be']) db[f] = readFileSync(join(dir, f));
    blobs = sqliteBlobs(db['rpmdb.sqlite']!);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('rpm -qa agrees with EXPECTED', () => {
    mkdirSync(join(dir, 'q/var/lib/rpm'), { recursive: true });
    writeFileSync(join(dir, 'q/var/lib/rpm/rpmdb.sqlite'), db['rpmdb.sqlite']!);
    const out = execFileSync(
      'rpm',
      ['--root', join(dir, 'q'), '--dbpath', '/var/lib/rpm', '-qa', '--qf', '%{NAME} %{EVR} %{ARCH} %{SOURCERPM} %{LICENSE}\\n'],
      { encoding: 'utf8', timeout: 10_000 },
    );
    const theirs = out.trim().split('\n').sort();
    expect(theirs).toEqual([
      'vigil-epoch 2:0.9-1.fc40 x86_64 vigil-epoch-0.9-1.fc40.src.rpm BSD-3-Clause',
      'vigil-hello 1.2.3-4.el9 noarch vigil-hello-1.2.3-4.el9.src.rpm MIT and (GPLv2+ or BSD)',
      'vigil-meta 1-0 noarch vigil-meta-1-0.src.rpm Public Domain',
    ]);
  });

  test.each`
    format                         | file              | path
    ${'sqlite (WAL header)'}       | ${'rpmdb.sqlite'} | ${'/var/lib/rpm/rpmdb.sqlite'}
    ${'sqlite under sysimage'}     | ${'rpmdb.sqlite'} | ${'/usr/lib/sysimage/rpm/rpmdb.sqlite'}
    ${'BDB, 4 KiB, overflow'}      | ${'Packages'}     | ${'/var/lib/rpm/Packages'}
    ${'BDB, 16 KiB, inline'}       | ${'Packages-16k'} | ${'/var/lib/rpm/Packages'}
    ${'BDB, 512 B, long chains'}   | ${'Packages-512'} | ${'/var/lib/rpm/Packages'}
    ${'BDB, big-endian'}           | ${'Packages-be'}  | ${'/var/lib/rpm/Packages'}
  `('$format: packages and owned files, no warnings', async ({ file, path }) => {
    const facts = await parse(path, db[file]!);
    expect(rows(facts)).toEqual(EXPECTED);
    expect(facts.warnings).toBeUndefined();
    const owned = Object.fromEntries((facts.owned ?? []).map((o) => [o.owner.name, [...o.paths].sort()]));
    expect(owned).toEqual(EXPECTED_OWNED);
    expect(facts.owned?.every((o) => o.owner.type === 'rpm')).toBe(true);
  });

  test('rpm itself reads the generated BDB files (bdb_ro), so they are real', () => {
    for (const f of ['Packages', 'Packages-512', 'Packages-be']) {
      const d = join(dir, `${f}.d`);
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, 'Packages'), db[f]!);
      const out = execFileSync('rpm', ['--dbpath', d, '--define', '_db_backend bdb_ro', '-qa', '--qf', '%{NAME}\\n'], {
        encoding: 'utf8',
        timeout: 10_000,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      expect(out.trim().split('\n').sort()).toEqual(['vigil-epoch', 'vigil-hello', 'vigil-meta']);
    }
  });

  test.each`
    layout                          | opts
    ${'one slot page'}              | ${{}}
    ${'two slot pages, gaps'}       | ${{ slotPages: 2, gap: 3 }}
  `('NDB ($layout) around the real header blobs', async ({ opts }) => {
    for (const path of ['/usr/lib/sysimage/rpm/Packages.db', '/var/lib/rpm/Packages.db']) {
      const facts = await parse(path, writeNdb(blobs, opts));
      expect(rows(facts)).toEqual(EXPECTED);
      expect(facts.warnings).toBeUndefined();
    }
  });

  describe('hostile and damaged databases', () => {
    test('NDB: a bad checksum or a slot past the end loses one package, with a warning', async () => {
      const ndb = writeNdb(blobs);
      const badSum = Buffer.from(ndb);
      badSum[4096 + 40] = badSum[4096 + 40]! ^ 0xff; // inside the first blob
      let facts = await parse('/var/lib/rpm/Packages.db', badSum);
      expect(facts.packages).toHaveLength(2);
      expect(facts.warnings?.[0]).toMatchObject({ code: 'rpmdb-corrupt', message: expect.stringMatching(/checksum/) });

      const pastEnd = Buffer.from(ndb);
      pastEnd.writeUInt32LE(0x7fffffff, 32 + 8);
      facts = await parse('/var/lib/rpm/Packages.db', pastEnd);
      expect(facts.packages).toHaveLength(2);
      expect(facts.warnings?.[0]?.message).toMatch(/outside/);
    });

    test('NDB: a huge slot page count is bounded by the file', async () => {
      const ndb = Buffer.from(writeNdb(blobs));
      ndb.writeUInt32LE(0xffffffff, 12);
      const facts = await parse('/var/lib/rpm/Packages.db', ndb);
      expect(facts.warnings?.length).toBeGreaterThan(0);
    });

    test('BDB: a cycle in an overflow chain ends with a warning, the other packages survive', async () => {
      const bdb = Buffer.from(db['Packages-512']!);
      const pageSize = 512;
      // Make the head of the first multi-page overflow chain point at itself.
      let first = -1;
      for (let p = 1; p * pageSize < bdb.length && first < 0; p++) {
        const page = bdb.subarray(p * pageSize, (p + 1) * pageSize);
        if (page[25] === 7 && page.readUInt32LE(12) === 0 && page.readUInt32LE(16) !== 0) {
          page.writeUInt32LE(p, 16);
          first = p;
        }
      }
      expect(first).toBeGreaterThan(0);
      const facts = await parse('/var/lib/rpm/Packages', bdb);
      expect(facts.packages).toHaveLength(2);
      expect(facts.warnings?.some((w) => /overflow chain/.test(w.message))).toBe(true);
    });

    test.each([0.25, 0.5, 0.9, 0.99])('truncated BDB (%f of the file): warnings, no throw', async (frac) => {
      const bdb = db['Packages-512']!;
      const facts = await parse('/var/lib/rpm/Packages', bdb.subarray(0, Math.floor(bdb.length * frac)));
      expect(facts.packages!.length).toBeLessThan(3);
      expect(facts.warnings?.length).toBeGreaterThan(0);
    });

    test.each([0.1, 0.5, 0.9])('truncated NDB and SQLite (%f): warnings, no throw', async (frac) => {
      const ndb = writeNdb(blobs);
      const facts = await parse('/var/lib/rpm/Packages.db', ndb.subarray(0, Math.floor(ndb.length * frac)));
      expect(facts.warnings?.length).toBeGreaterThan(0);
      const sql = db['rpmdb.sqlite']!;
      const s = await parse('/var/lib/rpm/rpmdb.sqlite', sql.subarray(0, Math.floor(sql.length * frac)));
      expect(s.packages?.length ?? 0).toBeLessThanOrEqual(3);
    });

    test.each`
      name                   | bytes
      ${'empty file'}        | ${Buffer.alloc(0)}
      ${'zeros'}             | ${Buffer.alloc(8192)}
      ${'text'}              | ${Buffer.from('hello world\n'.repeat(100))}
      ${'SQLite magic only'} | ${Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4000, 0xaa)])}
      ${'NDB magic only'}    | ${Buffer.concat([Buffer.from('RpmP'), Buffer.alloc(60)])}
    `('garbage ($name) is one warning', async ({ bytes }) => {
      for (const path of ['/var/lib/rpm/Packages', '/var/lib/rpm/rpmdb.sqlite', '/var/lib/rpm/Packages.db']) {
        const facts = await parse(path, bytes);
        expect(facts.packages ?? []).toEqual([]);
        expect(facts.warnings?.[0]?.code).toBe('rpmdb-corrupt');
      }
    });

    test('random byte flips never throw or hang (BDB, NDB)', async () => {
      const inputs = [db['Packages-512']!, db['Packages']!, writeNdb(blobs)];
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: inputs.length - 1 }),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 16 }),
          async (which, flips) => {
            const b = Buffer.from(inputs[which]!);
            for (const [at, v] of flips) b[at % b.length] = v;
            const facts = await parse(which === 2 ? '/var/lib/rpm/Packages.db' : '/var/lib/rpm/Packages', b);
            expect((facts.packages ?? []).length).toBeLessThanOrEqual(3);
          },
        ),
        { numRuns: 300 },
      );
    });
  });
});

function sqliteBlobs(file: Buffer): Buffer[] {
  const copy = Buffer.from(file);
  copy[18] = 1;
  copy[19] = 1;
  const sql = new Database(copy, { readonly: true });
  try {
    return (sql.prepare('SELECT blob FROM Packages ORDER BY hnum').all() as { blob: Buffer }[]).map((r) => r.blob);
  } finally {
    sql.close();
  }
}

describe('rpmCataloger', () => {
  test.each`
    path                                       | wanted
    ${'/var/lib/rpm/Packages'}                 | ${true}
    ${'/var/lib/rpm/Packages.db'}              | ${true}
    ${'/var/lib/rpm/rpmdb.sqlite'}             | ${true}
    ${'/usr/lib/sysimage/rpm/Packages.db'}     | ${true}
    ${'/usr/lib/sysimage/rpm/rpmdb.sqlite'}    | ${true}
    ${'/usr/lib/sysimage/rpm/Packages'}        | ${true}
    ${'/var/lib/rpm/Name'}                     | ${false}
    ${'/var/lib/rpm/rpmdb.sqlite-wal'}         | ${false}
    ${'/var/lib/rpm/Index.db'}                 | ${false}
  `('matches($path) === $wanted', ({ path, wanted }) => {
    expect(rpmCataloger.matches({ path, mode: 0o644, size: 1 }, ctx)).toBe(wanted);
  });

  test('finalize keeps only the live database when an image has two', () => {
    const pkg = { name: 'a', version: '1-1', type: 'rpm' as const };
    const found = [
      { path: '/var/lib/rpm/Packages', pkg },
      { path: '/var/lib/rpm/rpmdb.sqlite', pkg },
      { path: '/usr/lib/sysimage/rpm/rpmdb.sqlite', pkg },
    ];
    const view = { has: () => true, paths: () => [] };
    expect(rpmCataloger.finalize(found, view, ctx).map((f) => f.path)).toEqual(['/usr/lib/sysimage/rpm/rpmdb.sqlite']);
    expect(rpmCataloger.finalize(found.slice(0, 1), view, ctx)).toHaveLength(1);
  });
});
