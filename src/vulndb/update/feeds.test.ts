import { describe, expect, it } from 'vitest';
import { feedEndpoints, normalizeMirror, parseSources } from './feeds.js';
import { nvdTime, nvdWindows } from './nvd.js';
import { isSafeOsvId, parseModifiedLine } from './osv.js';

describe('mirror layout', () => {
  const e = feedEndpoints('https://mirror.example/vigil/');
  it.each`
    url                                    | expected
    ${e.osvAllZip('crates.io')}            | ${'https://mirror.example/vigil/osv/crates.io/all.zip'}
    ${e.osvModifiedCsv('PyPI')}            | ${'https://mirror.example/vigil/osv/PyPI/modified_id.csv'}
    ${e.osvRecord('Go', 'GO-2020-0001')}   | ${'https://mirror.example/vigil/osv/Go/GO-2020-0001.json'}
    ${e.osvAllZip('Rocky Linux')}          | ${'https://mirror.example/vigil/osv/Rocky%20Linux/all.zip'}
    ${e.debian}                            | ${'https://mirror.example/vigil/debian/json'}
    ${e.alpine('v3.20', 'community')}      | ${'https://mirror.example/vigil/alpine/v3.20/community.json'}
    ${e.nvd}                               | ${'https://mirror.example/vigil/nvd/cves/2.0'}
    ${e.kev}                               | ${'https://mirror.example/vigil/kev/known_exploited_vulnerabilities.json'}
    ${e.epss}                              | ${'https://mirror.example/vigil/epss/epss_scores-current.csv.gz'}
    ${e.epssPlain}                         | ${'https://mirror.example/vigil/epss/epss_scores-current.csv'}
  `('$expected', ({ url, expected }) => {
    expect(url).toBe(expected);
  });

  it('upstream is the feeds’ own hosts', () => {
    const u = feedEndpoints();
    expect(u.origin).toBe('upstream');
    expect(u.osvAllZip('npm')).toBe('https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip');
    expect(u.nvd).toBe('https://services.nvd.nist.gov/rest/json/cves/2.0');
    expect(u.alpine('v3.20', 'main')).toBe('https://secdb.alpinelinux.org/v3.20/main.json');
  });

  it.each(['ftp://x/', 'https://x/?a=1', 'not a url'])('refuses mirror %s', (m) => {
    expect(() => normalizeMirror(m)).toThrow();
  });
});

describe('parseSources', () => {
  it.each`
    list                   | feeds                       | unknown
    ${'osv,nvd'}           | ${['osv', 'nvd']}           | ${[]}
    ${' KEV , epss,kev '}  | ${['kev', 'epss']}          | ${[]}
    ${'osv,ghsa'}          | ${['osv']}                  | ${['ghsa']}
  `('"$list"', ({ list, feeds, unknown }) => {
    expect(parseSources(list)).toEqual({ feeds, unknown });
  });
});

describe('NVD windows', () => {
  it('cuts a span into contiguous windows of at most 120 days', () => {
    const start = new Date('2024-01-01T00:00:00Z');
    const end = new Date('2024-12-31T00:00:00Z');
    const w = nvdWindows(start, end);
    expect(w).toHaveLength(4); // 365 days: 120 + 120 + 120 + 5
    expect(w[0]!.start).toEqual(start);
    expect(w.at(-1)!.end).toEqual(end);
    for (let i = 1; i < w.length; i++) expect(w[i]!.start).toEqual(w[i - 1]!.end);
    for (const x of w) expect(x.end.getTime() - x.start.getTime()).toBeLessThanOrEqual(120 * 86_400_000);
  });
  it('no window when nothing elapsed (or the clock went back)', () => {
    const t = new Date('2024-01-01T00:00:00Z');
    expect(nvdWindows(t, t)).toEqual([]);
    expect(nvdWindows(t, new Date('2023-01-01T00:00:00Z'))).toEqual([]);
  });
  it('timestamps carry an explicit UTC offset, as in the NVD documentation', () => {
    expect(nvdTime(new Date('2021-08-04T13:00:00Z'))).toBe('2021-08-04T13:00:00.000+00:00');
  });
});

describe('OSV modified_id.csv', () => {
  it.each`
    line                                              | expected
    ${'2024-10-10T17:22:00.587279Z,PYSEC-2024-1'}     | ${{ time: Date.parse('2024-10-10T17:22:00.587Z'), iso: '2024-10-10T17:22:00.587279Z', id: 'PYSEC-2024-1' }}
    ${'2024-10-10T17:22:00Z,GHSA-aaaa-bbbb-cccc'}     | ${{ time: Date.parse('2024-10-10T17:22:00Z'), iso: '2024-10-10T17:22:00Z', id: 'GHSA-aaaa-bbbb-cccc' }}
    ${'not a time,GO-2020-0001'}                      | ${undefined}
    ${'2024-10-10T17:22:00Z,../../etc/passwd'}        | ${undefined}
    ${'2024-10-10T17:22:00Z'}                         | ${undefined}
  `('$line', ({ line, expected }) => {
    expect(parseModifiedLine(line)).toEqual(expected);
  });
  it.each`
    id                            | safe
    ${'GHSA-93q8-gq69-wqmw'}      | ${true}
    ${'DEBIAN-CVE-2024-1234'}     | ${true}
    ${'ALPINE-CVE-2024-1234'}     | ${true}
    ${'a/b'}                      | ${false}
    ${'..'}                       | ${false}
    ${'.hidden'}                  | ${false}
    ${'x..y'}                     | ${false}
  `('isSafeOsvId($id) === $safe', ({ id, safe }) => {
    expect(isSafeOsvId(id)).toBe(safe);
  });
});
