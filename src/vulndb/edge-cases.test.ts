/** Feed quirks and reader failures on tiny inline inputs (synthetic, written here on purpose). */
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildVulnDb } from './build.js';
import { openVulnDb } from './sqlite/reader.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-vulndb-edge-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function build(name: string, inputs: string[]) {
  const out = join(dir, `${name}.db`);
  const report = await buildVulnDb({ out, inputs, now: new Date('2026-01-01T00:00:00Z') });
  return { report, db: openVulnDb(out, { now: () => new Date('2026-01-02T00:00:00Z') }), out };
}

describe('debian no-dsa mapping', () => {
  it.each`
    release                                                                                    | status            | severity
    ${{ status: 'open', urgency: 'low', nodsa: 'Minor issue', nodsa_reason: 'ignored' }}        | ${'will_not_fix'} | ${'low'}
    ${{ status: 'open', urgency: 'medium**', nodsa: 'Minor issue', nodsa_reason: 'postponed' }} | ${'fix_deferred'} | ${'medium'}
    ${{ status: 'open', urgency: 'unimportant' }}                                               | ${'affected'}     | ${'negligible'}
    ${{ status: 'undetermined', urgency: 'not yet assigned' }}                                  | ${'affected'}     | ${undefined}
  `('$release.status/$release.nodsa_reason → $status', async ({ release, status, severity }) => {
    const p = file(`t-${status}-${severity}.json`, JSON.stringify({ pkg: { 'CVE-2099-0001': { description: 'd', releases: { bookworm: release, sid: release } } } }));
    const { db } = await build(`t-${status}-${severity}`, [p]);
    const rows = db.affected('debian:12', 'pkg');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.status).toBe(status);
    expect(rows[0]!.severity).toBe(severity);
    expect(rows[0]!.ranges).toEqual([[{ introduced: '0' }]]);
    db.close();
  });
});

describe('osv quirks', () => {
  it('keeps versions lists, ECOSYSTEM ranges, ecosystem_specific severity, and drops GIT ranges', async () => {
    const rec = {
      id: 'PYSEC-2099-1',
      modified: '2099-01-01T00:00:00Z',
      aliases: ['CVE-2099-1'],
      affected: [
        {
          package: { ecosystem: 'PyPI', name: 'Foo_Bar.baz' },
          ranges: [
            { type: 'GIT', repo: 'x', events: [{ introduced: 'abc' }] },
            { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { last_affected: '1.2' }] },
          ],
          versions: ['1.0', '1.2'],
          ecosystem_specific: { severity: 'MODERATE' },
        },
        { package: { ecosystem: 'Debian:12', name: 'foo' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0-1' }] }] },
        { package: { ecosystem: 'Alpine:v3.19', name: 'foo' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0-r1' }] }] },
        { package: { ecosystem: 'Hex', name: 'foo' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] },
      ],
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
    };
    const { db, report } = await build('osv', [file('osv.json', JSON.stringify(rec))]);
    expect(db.affected('pypi', 'foo-bar-baz')).toEqual([
      { vulnerability: 'PYSEC-2099-1', namespace: 'pypi', package: 'foo-bar-baz', scheme: 'pep440', ranges: [[{ introduced: '0' }, { last_affected: '1.2' }]], versions: ['1.0', '1.2'], status: 'affected', severity: 'medium', source: 'pypa' },
    ]);
    expect(db.affected('debian:12', 'foo')[0]).toMatchObject({ scheme: 'deb', status: 'fixed' });
    expect(db.affected('alpine:3.19', 'foo')[0]).toMatchObject({ scheme: 'apk' });
    expect(report.skippedRecords['unknown ecosystem Hex']).toBe(1);
    expect(db.vulnerability('PYSEC-2099-1')!.cvss).toEqual([{ version: '3.1', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8, source: 'pypa' }]);
    expect(db.vulnerability('CVE-2099-1')!.aliases).toEqual(['PYSEC-2099-1']);
    db.close();
  });

  it('reads an OSV zip (all.zip), one record per entry', async () => {
    // A stored (uncompressed) zip written by hand: local header, data, central directory, end record.
    const data = Buffer.from(JSON.stringify({ id: 'GHSA-zzzz-zzzz-zzzz', modified: '2024-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'npm', name: 'Left-Pad' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }] }] }));
    const zip = storedZip('GHSA-zzzz-zzzz-zzzz.json', data);
    const { db } = await build('zip', [file('all.zip', zip as unknown as string)]);
    expect(db.affected('npm', 'left-pad').map((r) => r.vulnerability)).toEqual(['GHSA-zzzz-zzzz-zzzz']);
    db.close();
  });
});

describe('explicit inputs', () => {
  it('a malformed EPSS file named on the command line is an error, not an empty table', async () => {
    const p = file('bad.csv', '#model_version:v2023.03.01\ncve,epss,percentile\nCVE-1999-0001,0.1,0.2\n');
    await expect(buildVulnDb({ out: join(dir, 'bad.db'), inputs: [p] })).rejects.toThrow(/no score_date/);
  });
  it('an unknown file named on the command line is an error', async () => {
    await expect(buildVulnDb({ out: join(dir, 'u.db'), inputs: [file('x.txt', 'hello')] })).rejects.toMatchObject({ code: 'feed-unknown' });
  });
});

describe('reader errors', () => {
  let good: string;
  beforeAll(async () => {
    const { out, db } = await build('good', [file('kev.json', JSON.stringify({ catalogVersion: '2025.01.01', dateReleased: '2025-01-01T00:00:00Z', vulnerabilities: [{ cveID: 'CVE-2020-1', dateAdded: '2025-01-01' }] }))]);
    db.close();
    good = out;
  });

  it('missing → db-missing, saying how to get a DB', () => {
    expect(() => openVulnDb(join(dir, 'nope.db'))).toThrow(expect.objectContaining({ code: 'db-missing', kind: 'db', message: expect.stringMatching(/vigil db import/) }));
  });
  it('garbage → db-corrupt', () => {
    expect(() => openVulnDb(file('garbage.db', 'x'.repeat(5000)))).toThrow(expect.objectContaining({ code: 'db-corrupt' }));
  });
  it('truncated → db-corrupt', () => {
    const p = join(dir, 'trunc.db');
    writeFileSync(p, readFileSync(good));
    truncateSync(p, Math.floor(statSync(p).size / 2));
    expect(() => openVulnDb(p)).toThrow(expect.objectContaining({ code: 'db-corrupt' }));
  });
  it('another schema version → db-schema', () => {
    const p = join(dir, 'schema.db');
    writeFileSync(p, readFileSync(good));
    const raw = new Database(p);
    raw.prepare("UPDATE meta SET value = '999' WHERE key = 'schema_version'").run();
    raw.close();
    expect(() => openVulnDb(p)).toThrow(expect.objectContaining({ code: 'db-schema', message: expect.stringMatching(/999/) }));
  });
  it('a foreign SQLite file → db-schema', () => {
    const p = join(dir, 'foreign.db');
    const raw = new Database(p);
    raw.exec('CREATE TABLE t (x)');
    raw.close();
    expect(() => openVulnDb(p)).toThrow(expect.objectContaining({ code: 'db-schema' }));
  });
  it('stale after maxAgeDays, by the injected clock', () => {
    const fresh = openVulnDb(good, { now: () => new Date('2026-01-05T00:00:00Z') });
    expect(fresh.isStale()).toBe(false);
    expect(fresh.staleWarning()).toBeUndefined();
    fresh.close();
    const old = openVulnDb(good, { now: () => new Date('2026-01-20T00:00:00Z'), maxAgeDays: 7 });
    expect(old.isStale()).toBe(true);
    expect(old.staleWarning()).toMatch(/built 19 days ago/);
    old.close();
  });
  it('verify runs the integrity check on a good DB', () => {
    const r = openVulnDb(good, { verify: true });
    expect(r.kev('CVE-2020-1')).toEqual({ cve: 'CVE-2020-1', dateAdded: '2025-01-01' });
    r.close();
  });
});

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function storedZip(name: string, data: Buffer): Buffer {
  const n = Buffer.from(name);
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(data.length, 22);
  local.writeUInt16LE(n.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(data.length, 24);
  central.writeUInt16LE(n.length, 28);
  const cdOffset = local.length + n.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + n.length, 12);
  end.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([local, n, data, central, n, end]);
}
