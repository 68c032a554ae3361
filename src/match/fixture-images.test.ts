/**
 * Integration: a DB built at test time from ../shared/vulndata (never copied into the repo), the
 * fixture images scanned through the engine, and the findings checked against the cross-reference
 * tables of the fixtures README (shared/fixtures/images/README.md, "Cross-reference with
 * shared/vulndata/debian/bookworm-derived.json"): which binary gets which Debian CVEs, with
 * which fixed version, from which layer — and the traps that must stay silent.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Inventory } from '../core/types.js';
import { scanImage } from '../engine/scan.js';
import { openImage } from '../image/index.js';
import { buildVulnDb } from '../vulndb/build.js';
import { openVulnDb, type VigilDbReader } from '../vulndb/sqlite/reader.js';
import { buildReport, match, type MatchResult } from './index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SHARED = process.env.VIGIL_SHARED ?? path.resolve(here, '../../../shared');
const FIXTURE_OCI = path.join(SHARED, 'fixtures/images/oci');
const VULNDATA = path.join(SHARED, 'vulndata');
/** The fixtures' world: the Debian data was derived in November 2026. */
const NOW = new Date('2026-11-28T12:00:00Z');

/** bookworm-derived.json: source → CVE → fixed_version (every entry there is "resolved"). */
const derived = JSON.parse(readFileSync(path.join(VULNDATA, 'debian/bookworm-derived.json'), 'utf8')) as Record<
  string,
  Record<string, { releases: { bookworm: { fixed_version: string } } }>
>;
const fixesOf = (source: string) => Object.entries(derived[source] ?? {}).map(([cve, e]) => [cve, e.releases.bookworm.fixed_version] as const);

/**
 * The README's tables: binary, installed version, source, layer index, number of affecting
 * entries (every entry of the source affects these versions, so the expected CVEs are all of them).
 */
type Row = [binary: string, version: string, source: string, layer: number, count: number];
const TABLES: Record<string, Row[]> = {
  debian12: [
    ['apt', '2.6.1', 'apt', 0, 1],
    ['libapt-pkg6.0', '2.6.1', 'apt', 0, 1],
    ['libpcre2-8-0', '10.42-1', 'pcre2', 0, 1],
    ['perl-base', '5.36.0-7+deb12u3', 'perl', 0, 13],
  ],
  app: [
    ['apt', '2.6.1', 'apt', 0, 1],
    ['libapt-pkg6.0', '2.6.1', 'apt', 0, 1],
    ['libexpat1', '2.5.0-1+deb12u5', 'expat', 3, 0],
    ['libpcre2-8-0', '10.42-1', 'pcre2', 0, 1],
    ['libpython3.11-minimal', '3.11.2-6+deb12u8', 'python3.11', 2, 13],
    ['libpython3.11-stdlib', '3.11.2-6+deb12u8', 'python3.11', 2, 13],
    ['libssl3', '3.0.20-1~deb12u2', 'openssl', 2, 12],
    ['openssl', '3.0.20-1~deb12u2', 'openssl', 2, 12],
    ['perl-base', '5.36.0-7+deb12u3', 'perl', 0, 13],
    ['python3.11', '3.11.2-6+deb12u8', 'python3.11', 2, 13],
    ['python3.11-minimal', '3.11.2-6+deb12u8', 'python3.11', 2, 13],
  ],
  distroless: [['libssl3', '3.0.20-1~deb12u2', 'openssl', 0, 12]],
};

let tmp: string;
let db: VigilDbReader;
const scans = new Map<string, { inventory: Inventory; result: MatchResult }>();

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'vigil-match-'));
  const out = path.join(tmp, 'vigil.db');
  // One build per test run, bounded by the hook timeout below (the goal is ≤ 60 s).
  await buildVulnDb({ out, inputs: [VULNDATA], now: new Date('2026-11-27T00:00:00Z') });
  db = openVulnDb(out, { now: () => NOW });
  for (const tag of ['debian12', 'app', 'distroless', 'alpine-fake']) {
    const img = await openImage(`oci:${FIXTURE_OCI}:${tag}`);
    try {
      const inventory = await scanImage(img);
      scans.set(tag, { inventory, result: match(inventory, db, { now: NOW }) });
    } finally {
      await img.close();
    }
  }
}, 180_000);

afterAll(async () => {
  db?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const scanOf = (tag: string) => scans.get(tag)!;

describe.each(Object.keys(TABLES))('%s: the Debian findings of the README table, exactly', (tag) => {
  test('each affected binary gets every CVE of its source, with its fixed version and layer', () => {
    const { inventory, result } = scanOf(tag);
    const diffIds = inventory.artifact.layers!.map((l) => l.diffId);
    const expected = TABLES[tag]!.flatMap(([binary, version, source, layer, count]) => {
      const fixes = count === 0 ? [] : fixesOf(source);
      expect(fixes).toHaveLength(count);
      return fixes.map(([cve, fixed]) => `${binary} ${version} ${cve} fixed ${fixed} ${diffIds[layer]}`);
    });
    const actual = result.findings
      .filter((f) => f.package.type === 'deb')
      .map((f) => `${f.package.name} ${f.package.version} ${f.id} ${f.status} ${f.fixedVersion} ${f.layer}`);
    expect(actual.sort()).toEqual(expected.sort());
    expect(result.findings.filter((f) => f.package.type === 'deb').every((f) => f.source === 'debian')).toBe(true);
  });

  test('no warnings: Debian 12 is in the DB', () => {
    expect(scanOf(tag).result.warnings).toEqual([]);
  });
});

describe('app: the traps stay silent', () => {
  test('Debian-owned Python packages (urllib3, requests, …) are never matched against PyPI data', () => {
    const { inventory, result } = scanOf('app');
    const pypi = inventory.packages.filter((p) => p.type === 'pypi');
    expect(pypi).toHaveLength(7);
    expect(pypi.every((p) => p.ownedBy?.type === 'deb')).toBe(true);
    expect(result.findings.filter((f) => f.package.type === 'pypi')).toEqual([]);
    // The PyPI data does know urllib3 1.26.12: the silence is the ownership rule, not missing data.
    const urllib3 = db.affected('pypi', 'urllib3');
    expect(urllib3.length).toBeGreaterThan(0);
    const unowned = { ...pypi.find((p) => p.name === 'urllib3')!, ownedBy: undefined };
    expect(match({ ...inventory, packages: [unowned] }, db, { now: NOW }).findings.length).toBeGreaterThan(0);
  });

  test("the Go stdlib of Debian's age binaries is dpkg-owned: no Go finding", () => {
    expect(scanOf('app').result.findings.filter((f) => f.package.type === 'golang')).toEqual([]);
  });

  test('libexpat1 upgraded in layer 3 and qs deleted in layer 3 report nothing', () => {
    const { result } = scanOf('app');
    expect(result.findings.filter((f) => f.package.name === 'libexpat1' || f.package.name === 'qs')).toEqual([]);
  });

  test('the JSON report carries the DB meta, the summary and every finding', () => {
    const { inventory, result } = scanOf('app');
    const report = buildReport(inventory, result, db.info(), { now: NOW, dbStale: db.staleWarning() ?? false });
    expect(report.db?.sources.map((s) => s.name).length).toBeGreaterThan(0);
    expect(Object.values(report.summary).reduce((a, b) => a + b, 0)).toBe(result.findings.length);
    expect(report.warnings).toEqual([]);
  });
});

describe('alpine-fake: secfixes by origin (README "Against shared/vulndata/alpine/v3.15")', () => {
  test('xz and xz-libs CVE-2022-1271, zlib CVE-2022-37434 (not CVE-2018-25032), zstd-libs nothing', () => {
    const { result } = scanOf('alpine-fake');
    expect(result.findings.map((f) => `${f.package.name} ${f.id} ${f.fixedVersion}`).sort()).toEqual([
      'xz CVE-2022-1271 5.2.5-r1',
      'xz-libs CVE-2022-1271 5.2.5-r1',
      'zlib CVE-2022-37434 1.2.12-r2',
    ]);
    // Alpine 3.15 is past its end of support (2023-11-01).
    expect(result.warnings.map((w) => w.code)).toEqual(['os-end-of-life']);
  });
});
