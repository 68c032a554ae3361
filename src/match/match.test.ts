/**
 * The matcher against small YAML test DBs (src/match/__fixtures__/*.yaml): each record there says
 * why it exists; each test here names the rule it checks.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import type { Inventory, OsInfo, Package } from '../core/types.js';
import { match, summarize } from './index.js';
import { loadYamlDb, memoryDb } from './memory-db.js';
import type { MatchFinding } from './types.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '__fixtures__');
const debianDb = loadYamlDb(path.join(FIXTURES, 'debian.yaml'));
const alpineDb = loadYamlDb(path.join(FIXTURES, 'alpine.yaml'));
const osvDb = loadYamlDb(path.join(FIXTURES, 'osv.yaml'));
const goDb = loadYamlDb(path.join(FIXTURES, 'go.yaml'));

const DEBIAN_12: OsInfo = { family: 'debian', version: '12', codename: 'bookworm' };
const DEBIAN_11: OsInfo = { family: 'debian', version: '11' };
const ALPINE_315: OsInfo = { family: 'alpine', version: '3.15.4' };
const NOW = new Date('2026-11-28T00:00:00Z');

function pkg(type: Package['type'], name: string, version: string, extra: Partial<Package> = {}): Package {
  return { type, name, version, purl: `pkg:${type}/${name}@${version}`, locations: [`/loc/${name}`], ...extra };
}
function deb(name: string, version: string, sourceName = name, sourceVersion = version, layer = 'sha256:layer0'): Package {
  return pkg('deb', name, version, { sourceName, sourceVersion, layer });
}
function inventory(packages: Package[], os?: OsInfo): Inventory {
  return { artifact: { type: 'image', name: 'test', ...(os ? { os } : {}) }, packages, warnings: [] };
}
function scan(db: Parameters<typeof match>[1], packages: Package[], os?: OsInfo) {
  return match(inventory(packages, os), db, { now: NOW });
}
const brief = (f: MatchFinding) => `${f.package.name}@${f.package.version} ${f.id} ${f.status} fix=${f.fixedVersion}`;

describe('Debian: source package, dpkg versions, tracker statuses', () => {
  test.each`
    installed             | expected
    ${'3.0.11-1~deb12u2'} | ${['CVE-2099-1001 fixed fix=3.0.13-1~deb12u1', 'CVE-2099-1002 fixed fix=3.0.15-1~deb12u1']}
    ${'3.0.13-1~deb12u1'} | ${['CVE-2099-1002 fixed fix=3.0.15-1~deb12u1']}
    ${'3.0.15-1~deb12u1'} | ${[]}
  `('backported fix: libssl3 $installed (source openssl) → $expected', ({ installed, expected }) => {
    const { findings, warnings } = scan(debianDb, [deb('libssl3', installed, 'openssl')], DEBIAN_12);
    expect(findings.map((f) => brief(f).replace(`libssl3@${installed} `, ''))).toEqual(expected);
    expect(warnings).toEqual([]);
  });

  test('one finding per binary package of the source, each with its own layer; bullseye data stays out', () => {
    const { findings } = scan(debianDb, [deb('libssl3', '3.0.13-1~deb12u1', 'openssl', '3.0.13-1~deb12u1', 'sha256:l2'), deb('openssl', '3.0.13-1~deb12u1', 'openssl', '3.0.13-1~deb12u1', 'sha256:l3')], DEBIAN_12);
    expect(findings.map((f) => [f.id, f.package.name, f.layer, f.source])).toEqual([
      ['CVE-2099-1002', 'libssl3', 'sha256:l2', 'debian'],
      ['CVE-2099-1002', 'openssl', 'sha256:l3', 'debian'],
    ]);
  });

  test.each`
    binary        | installed                | source        | expected
    ${'bsdutils'} | ${'1:2.36.1-8'}          | ${'epochsrc'} | ${[]}
    ${'libfix1'}  | ${'2.36.1-8+deb11u4'}    | ${'epochfix'} | ${['CVE-2099-1102 fixed fix=1:2.36.1-8+deb11u3']}
  `('epochs: $binary $installed (source $source) → $expected', ({ binary, installed, source, expected }) => {
    const { findings } = scan(debianDb, [deb(binary, installed, source)], DEBIAN_11);
    expect(findings.map((f) => brief(f).replace(`${binary}@${installed} `, ''))).toEqual(expected);
  });

  test('binNMU: foo-bin 1.0-2+b1 is matched as source foo 1.0-2, reported under its binary name and version', () => {
    const { findings } = scan(debianDb, [deb('foo-bin', '1.0-2+b1', 'foo', '1.0-2')], DEBIAN_12);
    // CVE-2099-1202 is fixed in source 1.0-2, the installed source version: no finding.
    expect(findings.map(brief)).toEqual(['foo-bin@1.0-2+b1 CVE-2099-1201 fixed fix=1.0-2+deb12u1']);
    expect(findings[0]!.package).toEqual({ name: 'foo-bin', version: '1.0-2+b1', type: 'deb' });
  });

  test('no-dsa postponed / ignored, open, unimportant and end-of-life entries: findings with no fix', () => {
    const { findings } = scan(debianDb, [deb('nodsa', '1.0-1'), deb('oldstuff', '0.1-1')], DEBIAN_12);
    expect(findings.map((f) => [f.id, f.status, f.fixedVersion, f.severity])).toEqual([
      // unknown (no urgency, no CVSS) sorts after negligible; negligible comes from Debian, not NVD's 9.8
      ['CVE-2099-1401', 'affected', null, 'negligible'],
      ['CVE-2099-1301', 'fix_deferred', null, 'unknown'],
      ['CVE-2099-1302', 'will_not_fix', null, 'unknown'],
      ['CVE-2099-1303', 'affected', null, 'unknown'],
      ['CVE-2099-1501', 'end_of_life', null, 'unknown'],
    ]);
    // NVD's CVSS is still kept beside the distro's rating.
    expect(findings[0]!.cvss).toEqual({ score: 9.8, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' });
  });

  test('enrichment: NVD text and CVSS for a Debian CVE, tracker link when the record has none', () => {
    const [f] = scan(debianDb, [deb('libssl3', '3.0.14-1~deb12u1', 'openssl')], DEBIAN_12).findings;
    expect(f).toMatchObject({ id: 'CVE-2099-1002', severity: 'high', cvss: null, link: 'https://security-tracker.debian.org/tracker/CVE-2099-1002' });
    const [g] = scan(debianDb, [deb('libssl3', '3.0.11-1~deb12u2', 'openssl')], DEBIAN_12).findings;
    expect(g).toMatchObject({
      id: 'CVE-2099-1001',
      severity: 'high', // 7.5 from NVD's CVSS 3.1: Debian gave no urgency
      cvss: { score: 7.5 },
      description: 'A synthetic flaw in a TLS library.',
      published: '2099-01-10T00:00:00Z',
      kev: false,
      epss: null,
    });
  });

  test('two CVEs lent the text of one GHSA naming both stay two findings', () => {
    const { findings } = scan(debianDb, [deb('libpair1', '1.0-1', 'pair')], DEBIAN_12);
    expect(findings.map((f) => [f.id, f.aliases, f.fixedVersion])).toEqual([
      ['CVE-2099-1601', ['GHSA-1600-1600-1600'], '2.0-1'],
      ['CVE-2099-1602', ['GHSA-1600-1600-1600'], '2.0-2'],
    ]);
  });

  test('a package deleted or replaced in a later layer is not in the inventory: nothing is reported for it', () => {
    // The inventory holds the final version only (libssl3 3.0.15, fixed); the layer-2 3.0.11 is gone.
    expect(scan(debianDb, [deb('libssl3', '3.0.15-1~deb12u1', 'openssl', '3.0.15-1~deb12u1', 'sha256:l3')], DEBIAN_12).findings).toEqual([]);
    expect(scan(osvDb, [], DEBIAN_12).findings).toEqual([]);
  });
});

describe('OS support', () => {
  test.each`
    os                                        | why
    ${{ family: 'debian', version: '13' }}    | ${'a release with no data in the DB'}
    ${{ family: 'plan9', version: '4' }}      | ${'an unknown distro'}
    ${undefined}                              | ${'no OS detected'}
  `('$why → one os-unsupported warning, no findings', ({ os }) => {
    const { findings, warnings } = scan(debianDb, [deb('libssl3', '3.0.11-1~deb12u2', 'openssl'), deb('openssl', '3.0.11-1~deb12u2')], os);
    expect(findings).toEqual([]);
    expect(warnings.map((w) => w.code)).toEqual(['os-unsupported']);
  });

  test('a reader that lists its namespaces is asked directly', () => {
    const db = Object.assign(memoryDb({}), { hasNamespace: (ns: string) => ns === 'debian:12' });
    expect(scan(db, [deb('zlib1g', '1:1.2.13.dfsg-1', 'zlib')], DEBIAN_12).warnings).toEqual([]);
  });

  test('an out-of-support release is a warning (clock injected)', () => {
    const { warnings } = scan(alpineDb, [pkg('apk', 'zlib', '1.2.12-r2', { sourceName: 'zlib' })], ALPINE_315);
    expect(warnings).toEqual([expect.objectContaining({ code: 'os-end-of-life' })]);
  });
});

describe('Alpine secfixes by origin', () => {
  test('xz and xz-libs (origin xz) below the secfix; zlib fixed at -r0 is clean, -r2 is not', () => {
    const packages = [
      pkg('apk', 'xz', '5.2.5-r0', { sourceName: 'xz' }),
      pkg('apk', 'xz-libs', '5.2.5-r0', { sourceName: 'xz' }),
      pkg('apk', 'zlib', '1.2.12-r0', { sourceName: 'zlib' }),
      pkg('apk', 'zstd-libs', '1.5.0-r0', { sourceName: 'zstd' }),
    ];
    expect(scan(alpineDb, packages, ALPINE_315).findings.map(brief)).toEqual([
      'xz@5.2.5-r0 CVE-2099-2001 fixed fix=5.2.5-r1',
      'xz-libs@5.2.5-r0 CVE-2099-2001 fixed fix=5.2.5-r1',
      'zlib@1.2.12-r0 CVE-2099-2003 fixed fix=1.2.12-r2',
    ]);
  });
});

describe('language packages (OSV ranges)', () => {
  test.each`
    installed  | expected
    ${'1.0.0'} | ${['GHSA-2222-2222-2222 fixed fix=1.2.6']}
    ${'1.5.0'} | ${[]}
    ${'2.1.0'} | ${['GHSA-2222-2222-2222 fixed fix=2.3.1']}
    ${'2.3.1'} | ${[]}
  `('two affected ranges: twolines $installed → $expected', ({ installed, expected }) => {
    const { findings } = scan(osvDb, [pkg('npm', 'twolines', installed)]);
    expect(findings.map((f) => brief(f).replace(`twolines@${installed} `, ''))).toEqual(expected);
  });

  test.each`
    name        | installed  | expected
    ${'oldlib'} | ${'1.4.0'} | ${['PYSEC-2099-10 affected fix=null']}
    ${'oldlib'} | ${'1.4.1'} | ${[]}
    ${'listed'} | ${'0.9.3'} | ${['PYSEC-2099-11 affected fix=null']}
    ${'listed'} | ${'0.9.2'} | ${[]}
  `('last_affected and versions lists: $name $installed → $expected', ({ name, installed, expected }) => {
    const { findings } = scan(osvDb, [pkg('pypi', name, installed)]);
    expect(findings.map((f) => brief(f).replace(`${name}@${installed} `, ''))).toEqual(expected);
  });

  test('GHSA + PYSEC + CVE are one finding: id = the CVE, the others aliases, the fix that closes the range', () => {
    const { findings } = scan(osvDb, [pkg('pypi', 'MergeLib', '2.0.0')]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      id: 'CVE-2099-3000',
      aliases: ['GHSA-3333-3333-3333', 'PYSEC-2099-12'],
      package: { name: 'MergeLib', version: '2.0.0', type: 'pypi' },
      fixedVersion: '2.0.1',
      status: 'fixed',
      severity: 'medium', // GHSA's rating, not NVD's 9.8
      cvss: { score: 9.8 },
      source: 'ghsa',
      title: 'Synthetic header injection in mergelib',
      description: 'NVD text for the merged vulnerability.',
      link: 'https://github.com/advisories/GHSA-3333-3333-3333',
    });
    // Between the two fixes only PYSEC's still holds 2.0.2: its fix is the one that closes the range.
    expect(scan(osvDb, [pkg('pypi', 'mergelib', '2.0.2')]).findings.map(brief)).toEqual(['mergelib@2.0.2 CVE-2099-3000 fixed fix=2.0.3']);
  });

  test('a record with two CVEs keeps its own id', () => {
    const [f] = scan(osvDb, [pkg('npm', 'twocves', '2.9.9')]).findings;
    expect([f!.id, f!.aliases]).toEqual(['GHSA-4444-4444-4444', ['CVE-2099-4001', 'CVE-2099-4002']]);
  });

  test('a language package owned by an OS package is never matched against language data', () => {
    const owned = pkg('pypi', 'netlib', '1.26.12', { ownedBy: { type: 'deb', name: 'python3-netlib' } });
    expect(scan(osvDb, [owned], DEBIAN_12).findings).toEqual([]);
    // The same version installed by pip is matched.
    expect(scan(osvDb, [pkg('pypi', 'netlib', '1.26.12')]).findings.map((f) => f.id)).toEqual(['GHSA-5555-5555-5555']);
  });

  test('maven group:artifact', () => {
    expect(scan(osvDb, [pkg('maven', 'org.example:parser', '1.9')]).findings.map((f) => f.id)).toEqual(['GHSA-9999-9999-9999']);
  });

  test.each`
    name            | severity      | cvss
    ${'sev-vendor'} | ${'high'}     | ${{ score: 9.8, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }}
    ${'sev-v3'}     | ${'high'}     | ${{ score: 7.5, vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' }}
    ${'sev-v4'}     | ${'medium'}   | ${{ score: 6.9, vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N' }}
    ${'sev-v2'}     | ${'medium'}   | ${{ score: 5.0, vector: 'AV:N/AC:L/Au:N/C:P/I:N/A:N' }}
    ${'sev-none'}   | ${'unknown'}  | ${null}
  `('severity fallbacks: $name → $severity', ({ name, severity, cvss }) => {
    const [f] = scan(osvDb, [pkg('npm', name, '1.0.0')]).findings;
    expect(f).toMatchObject({ severity, cvss });
  });

  test('KEV flag and EPSS score through the CVE alias of a GHSA finding', () => {
    const [f] = scan(osvDb, [pkg('npm', 'exploited', '1.0.0')]).findings;
    expect(f).toMatchObject({ id: 'CVE-2099-8000', aliases: ['GHSA-8888-8888-8888'], kev: true, epss: 0.97 });
  });
});

describe('Go', () => {
  test.each`
    version       | expected
    ${'1.19.8'}   | ${['CVE-2099-9001 fixed fix=1.19.9']}
    ${'go1.20.1'} | ${['CVE-2099-9001 fixed fix=1.20.4']}
    ${'1.20.4'}   | ${[]}
  `('stdlib $version → $expected', ({ version, expected }) => {
    const { findings } = scan(goDb, [pkg('golang', 'stdlib', version)]);
    expect(findings.map((f) => brief(f).replace(`stdlib@${version} `, ''))).toEqual(expected);
    for (const f of findings) expect(f.aliases).toEqual(['GO-2099-0001']);
  });

  test("the stdlib of a binary shipped by an OS package (Debian's age) is the distro's business", () => {
    const owned = pkg('golang', 'stdlib', '1.19.8', { ownedBy: { type: 'deb', name: 'age' } });
    expect(scan(goDb, [owned], DEBIAN_12).findings).toEqual([]);
  });

  test.each`
    version                                 | expected
    ${'v0.0.0-20210101000000-123456789abc'} | ${['GO-2099-0002 fixed fix=0.0.0-20220315000000-abcdefabcdef']}
    ${'v0.0.0-20230101000000-123456789abc'} | ${[]}
  `('pseudo-version $version → $expected', ({ version, expected }) => {
    const { findings } = scan(goDb, [pkg('golang', 'example.com/tool', version)]);
    expect(findings.map((f) => brief(f).replace(`example.com/tool@${version} `, ''))).toEqual(expected);
  });

  test('module versions are compared without the leading v', () => {
    expect(scan(goDb, [pkg('golang', 'example.com/lib', 'v1.3.0'), pkg('golang', 'example.com/lib', 'v1.4.2')]).findings.map(brief)).toEqual([
      'example.com/lib@v1.3.0 GO-2099-0003 fixed fix=1.4.2',
    ]);
  });
});

describe('output', () => {
  test('sorted by severity, then id, then package; summarize counts every severity', () => {
    const { findings } = scan(osvDb, [
      pkg('npm', 'sev-none', '1.0.0'),
      pkg('npm', 'twolines', '2.1.0'),
      pkg('npm', 'sev-v2', '1.0.0'),
      pkg('npm', 'sev-v3', '1.0.0'),
      pkg('npm', 'sev-vendor', '1.0.0'),
    ]);
    expect(findings.map((f) => `${f.severity} ${f.id}`)).toEqual([
      'high CVE-2099-7002',
      'high GHSA-7777-0000-0001',
      'medium CVE-2099-7004',
      'unknown CVE-2099-7005',
      'unknown GHSA-2222-2222-2222',
    ]);
    expect(summarize(findings)).toEqual({ critical: 0, high: 2, medium: 1, low: 0, negligible: 0, unknown: 2 });
  });

  test('an unreadable installed version is a warning, not an aborted scan', () => {
    const { findings, warnings } = scan(osvDb, [pkg('npm', 'twolines', 'not a version!'), pkg('npm', 'twocves', '1.0.0')]);
    expect(findings.map((f) => f.id)).toEqual(['GHSA-4444-4444-4444']);
    expect(warnings.map((w) => w.code)).toEqual(['version-invalid']);
  });
});
