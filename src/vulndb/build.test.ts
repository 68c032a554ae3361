/** The whole of ../shared/vulndata built at test time (never copied), then per-feed rows checked. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildVulnDb, type BuildReport } from './build.js';
import { openVulnDb, type VigilDbReader } from './sqlite/reader.js';

const VULNDATA = resolve(import.meta.dirname, '../../../shared/vulndata');
let dir: string;
let report: BuildReport;
let db: VigilDbReader;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-vulndb-'));
  report = await buildVulnDb({ out: join(dir, 'vigil.db'), inputs: [VULNDATA], now: new Date('2026-11-28T00:00:00Z') });
  console.log(`vulndata build: ${(report.ms / 1000).toFixed(1)} s, ${(report.bytes / 1048576).toFixed(1)} MiB, ${report.records} records`);
  db = openVulnDb(report.out, { now: () => new Date('2026-11-29T00:00:00Z') });
}, 120_000);

afterAll(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('whole vulndata build', () => {
  it('finishes within the 60 s goal and imports every feed in the tree', () => {
    expect(report.ms).toBeLessThan(60_000);
    expect(report.imported).toMatchObject({ osv: 8205, alpine: 4, debian: 2, 'debian-dsa': 2, nvd: 16, kev: 1, epss: 1 });
    const names = db.info().sources.map((s) => s.name);
    expect(names).toEqual(['alpine', 'chainguard', 'debian', 'debian-dsa', 'epss', 'ghsa', 'go', 'kev', 'nvd', 'pypa', 'rustsec', 'wolfi']);
  });

  it('lists non-feed files as skipped and the malformed EPSS samples as rejected with a reason', () => {
    expect(report.skippedFiles.map((f) => f.replace(VULNDATA, ''))).toEqual(['/provenance/debian-bookworm-derived.json', '/provenance/mirrors.json', '/provenance/single-records.json', '/README.md']);
    const rejected = report.rejectedFiles.map((f) => f.name.replace(VULNDATA, ''));
    expect(rejected).toEqual(['/epss/invalid-header.csv', '/epss/missing-date.csv']);
    expect(report.rejectedFiles[0]!.error).toMatch(/expected the header "cve,epss,percentile"/);
    expect(report.rejectedFiles[1]!.error).toMatch(/no score_date/);
  });

  it('records per source its count and newest record time', () => {
    const by = Object.fromEntries(db.info().sources.map((s) => [s.name, s]));
    expect(by.kev).toEqual({ name: 'kev', updatedAt: '2025-08-25T17:04:19.9796Z', records: 1404 });
    expect(by.pypa!.updatedAt).toBe('2024-10-10T17:22:00.587279Z');
    expect(by.pypa!.records).toBe(2651); // 2661 minus 10 withdrawn
    expect(by.go!.records).toBe(4274); // 4291 minus 17 withdrawn
    expect(by['debian-dsa']!.updatedAt).toBe('2023-04-01');
    expect(by.epss).toEqual({ name: 'epss', updatedAt: '2025-02-20', records: 5 });
  });
});

describe('osv', () => {
  it('files GHSA "Axios" under the normalised npm name, with its GHSA severity', () => {
    const rows = db.affected('npm', 'axios').filter((r) => r.vulnerability === 'GHSA-8hc4-vh64-cxmj');
    expect(rows).toEqual([
      { vulnerability: 'GHSA-8hc4-vh64-cxmj', namespace: 'npm', package: 'axios', scheme: 'npm', ranges: [[{ introduced: '1.3.2' }, { fixed: '1.7.4' }]], status: 'fixed', severity: 'high', source: 'ghsa' },
    ]);
    expect(db.affected('npm', 'Axios')).toEqual([]);
  });

  it('skips the GitHub Actions ecosystem (word-wrap) and withdrawn records', () => {
    expect(report.skippedRecords['unknown ecosystem GitHub Actions']).toBe(1);
    expect(db.affected('npm', 'word-wrap')).toEqual([]);
    expect(report.skippedRecords.withdrawn).toBe(40);
    expect(db.affected('pypi', 'arrayfire').map((r) => r.vulnerability)).not.toContain('PYSEC-2019-144');
  });

  it('keeps Go stdlib by name and drops GIT ranges', () => {
    const rows = db.affected('go', 'stdlib').filter((r) => r.vulnerability === 'GO-2021-0067');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.ranges).toEqual([[{ introduced: '1.16.0-0' }, { fixed: '1.16.1' }]]);
    expect(rows[0]!.scheme).toBe('go');
  });

  it('finds a record by id and by alias, merging NVD text for the CVE', () => {
    const ghsa = db.vulnerability('GHSA-wf5p-g6vw-rhxx')!;
    expect(ghsa.aliases).toContain('CVE-2023-45857');
    const cve = db.vulnerability('CVE-2023-45857')!;
    expect(cve.aliases).toContain('GHSA-wf5p-g6vw-rhxx');
    expect(cve.description).toMatch(/XSRF-TOKEN/);
    // GHSA lodash record has no CVSS of its own here; NVD gives v3.1 with the score NVD published.
    const lodash = db.vulnerability('GHSA-p6mc-m468-83gw')!;
    expect(lodash.cvss.some((c) => c.source === 'nvd@nist.gov' && c.version === '3.1')).toBe(true);
  });

  it('computes CVSS scores from OSV vectors with the CVSS library', () => {
    const rec = db.vulnerability('PYSEC-2023-128')!;
    expect(rec.cvss[0]).toMatchObject({ version: '3.1', vector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:R/S:U/C:N/I:L/A:N' });
    expect(rec.cvss[0]!.score).toBe(2.8);
  });
});

describe('debian', () => {
  it('maps tracker releases to namespaces, fixed versions and urgencies', () => {
    expect(db.affected('debian:9', 'txt2man')).toEqual([
      { vulnerability: 'CVE-2013-1444', namespace: 'debian:9', package: 'txt2man', scheme: 'deb', ranges: [[{ introduced: '0' }, { fixed: '1.5.5-4.1' }]], status: 'fixed', severity: 'low', source: 'debian' },
    ]);
  });

  it('gives no row for fixed_version "0" (never affected), and skips sid', () => {
    expect(db.affected('debian:10', 'prototypejs').map((r) => r.vulnerability)).toEqual(['CVE-2008-7220']);
    expect(report.skippedRecords['release sid']).toBe(6);
  });

  it('marks an open issue in an end-of-life release as end_of_life with no severity', () => {
    const [row] = db.affected('debian:10', 'chromium').filter((r) => r.vulnerability === 'CVE-2022-0456');
    expect(row).toMatchObject({ status: 'end_of_life', ranges: [[{ introduced: '0' }]] });
    expect(row!.severity).toBeUndefined();
  });

  it('reads the derived bookworm data', () => {
    const [row] = db.affected('debian:12', 'expat').filter((r) => r.vulnerability === 'CVE-2024-28757');
    expect(row!.ranges).toEqual([[{ introduced: '0' }, { fixed: '2.5.0-1+deb12u4' }]]);
  });

  it('imports DSA/DLA fixes where the tracker JSON has none', () => {
    expect(db.affected('debian:11', 'xorg-server').find((r) => r.vulnerability === 'CVE-2023-1393')).toMatchObject({
      status: 'fixed',
      source: 'debian-dsa',
      ranges: [[{ introduced: '0' }, { fixed: '2:1.20.11-1+deb11u6' }]],
    });
    expect(db.affected('debian:10', 'systemd').find((r) => r.vulnerability === 'CVE-2023-26604')?.ranges).toEqual([[{ introduced: '0' }, { fixed: '241-7~deb10u9' }]]);
  });
});

describe('alpine, wolfi, chainguard', () => {
  it('files secfixes under the release with scheme apk', () => {
    expect(db.affected('alpine:3.15', 'zlib').find((r) => r.vulnerability === 'CVE-2022-37434')).toEqual({
      vulnerability: 'CVE-2022-37434',
      namespace: 'alpine:3.15',
      package: 'zlib',
      scheme: 'apk',
      ranges: [[{ introduced: '0' }, { fixed: '1.2.12-r2' }]],
      status: 'fixed',
      source: 'alpine',
    });
  });

  it('tells Wolfi from Chainguard, and secfix "0" gives no row', () => {
    expect(db.affected('wolfi:rolling', 'binutils').map((r) => r.vulnerability)).toContain('CVE-2022-38126');
    expect(db.affected('chainguard:rolling', 'grafana').length).toBeGreaterThan(0);
    expect(db.affected('chainguard:rolling', 'coreutils')).toEqual([]);
  });
});

describe('nvd, kev, epss', () => {
  it('keeps CVSS v4 metrics and CWE ids from NVD', () => {
    const rec = db.vulnerability('CVE-2025-15661')!;
    const v4 = rec.cvss.find((c) => c.version === '4.0')!;
    expect(v4).toMatchObject({ score: 8.3, source: 'disclosure@vulncheck.com' });
    expect(rec.cwes).toEqual(['CWE-125']);
  });

  it('answers KEV and EPSS lookups', () => {
    expect(db.kev('CVE-2025-48384')).toEqual({ cve: 'CVE-2025-48384', dateAdded: '2025-08-25', dueDate: '2025-09-15', knownRansomwareCampaignUse: 'Unknown' });
    expect(db.epss('CVE-1999-0005')).toEqual({ cve: 'CVE-1999-0005', score: 0.91963, percentile: 0.99214, date: '2025-02-20' });
    expect(db.kev('CVE-0000-0000')).toBeUndefined();
  });
});
