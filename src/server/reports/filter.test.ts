import { describe, expect, test } from 'vitest';
import { VigilError } from '../../core/errors.js';
import { SEVERITIES, type Finding } from '../../report/types.js';
import { statusFor } from '../errors.js';
import { finding, golden, goldenRegistry, syntheticReport } from './__fixtures__/reports.js';
import { describeFilter, filteredRows, parseFindingFilter, summarizeRows, type FindingFilter } from './filter.js';

describe('parseFindingFilter', () => {
  test.each`
    query                                                      | expected
    ${{}}                                                      | ${{}}
    ${{ severity: 'critical,high' }}                           | ${{ severities: ['critical', 'high'] }}
    ${{ severity: ['critical', 'HIGH,low'] }}                  | ${{ severities: ['critical', 'high', 'low'] }}
    ${{ severities: 'medium', severity: 'medium' }}            | ${{ severities: ['medium'] }}
    ${{ fixable: 'true' }}                                     | ${{ fixable: true }}
    ${{ fixable: '0' }}                                        | ${{ fixable: false }}
    ${{ fixable: false }}                                      | ${{ fixable: false }}
    ${{ text: '  openssl ' }}                                  | ${{ text: 'openssl' }}
    ${{ q: '' }}                                               | ${{}}
    ${{ package: 'libssl3,openssl', packages: 'openssl' }}     | ${{ packages: ['libssl3', 'openssl'] }}
    ${{ id: ['CVE-2024-0727', 'GHSA-xxxx-yyyy-zzzz'] }}        | ${{ ids: ['CVE-2024-0727', 'GHSA-xxxx-yyyy-zzzz'] }}
    ${{ severity: 'low', fixable: 'no', text: 'x', id: 'y' }} | ${{ severities: ['low'], fixable: false, text: 'x', ids: ['y'] }}
  `('$query → $expected', ({ query, expected }) => {
    expect(parseFindingFilter(query)).toEqual(expected);
  });

  test('keys the route owns are left to it', () => {
    expect(parseFindingFilter({ severity: 'high', download: '1' }, { otherKeys: ['download'] })).toEqual({
      severities: ['high'],
    });
  });

  test.each`
    query                                       | message
    ${{ severity: 'urgent' }}                   | ${"severity: 'urgent' is not one of critical, high, medium, low, negligible, unknown"}
    ${{ severity: 'high,,low' }}                | ${'severity: empty item in the list'}
    ${{ severity: '' }}                         | ${'severity: empty item in the list'}
    ${{ fixable: 'maybe' }}                     | ${"fixable: 'maybe' is not true or false"}
    ${{ fixable: ['true', 'false'] }}           | ${'fixable: give it once'}
    ${{ text: 'a'.repeat(257) }}                | ${'text: at most 256 characters'}
    ${{ text: true }}                           | ${'text: expected a string'}
    ${{ package: Array(101).fill('p') }}        | ${'package: at most 100 items'}
    ${{ id: `CVE-${'9'.repeat(300)}` }}         | ${'is longer than 256 characters'}
    ${{ id: 42 }}                               | ${'id: expected a comma-separated list'}
    ${{ severty: 'high' }}                      | ${"unknown report filter 'severty'"}
  `('$query → 400 "$message"', ({ query, message }) => {
    let err: unknown;
    try {
      parseFindingFilter(query);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VigilError);
    expect((err as VigilError).code).toBe('bad-request');
    expect(statusFor(err as VigilError)).toBe(400);
    expect((err as VigilError).message).toContain(message);
  });
});

/** Findings of the golden images as (image, finding) pairs: the oracle the rows are checked against. */
function goldenFindings(): Array<{ repository: string; f: Finding }> {
  return goldenRegistry().flatMap((img) => img.report.vulnerabilities.map((f) => ({ repository: img.repository!, f })));
}
const key = (repository: string, id: string, pkg: string, version: string) => `${repository} ${id} ${pkg}@${version}`;

describe('filteredRows over the golden reports', () => {
  const all = goldenFindings();

  test.each<{ name: string; filter: FindingFilter; keep: (f: Finding) => boolean; count?: number }>([
    { name: 'no filter', filter: {}, keep: () => true, count: 319 },
    { name: 'critical and high', filter: { severities: ['critical', 'high'] }, keep: (f) => ['critical', 'high'].includes(f.severity), count: 22 },
    { name: 'fixable', filter: { fixable: true }, keep: (f) => f.fixedVersion !== null },
    { name: 'not fixable', filter: { fixable: false }, keep: (f) => f.fixedVersion === null },
    { name: 'package lodash', filter: { packages: ['lodash'] }, keep: (f) => f.package.name === 'lodash', count: 6 },
    { name: 'id by alias, any case', filter: { ids: ['ghsa-p6mc-m468-83gw'] }, keep: (f) => f.id === 'CVE-2020-8203', count: 2 },
    { name: 'text in a package name', filter: { text: 'PYTHON3.11' }, keep: (f) => f.package.name.includes('python3.11') },
    {
      name: 'text and severity and package',
      filter: { text: 'CVE-2026', severities: ['unknown'], packages: ['libssl3', 'openssl'] },
      keep: (f) => f.id.includes('CVE-2026') && f.severity === 'unknown' && ['libssl3', 'openssl'].includes(f.package.name),
    },
    { name: 'an id no image has', filter: { ids: ['CVE-1999-0001'] }, keep: () => false, count: 0 },
  ])('$name', ({ filter, keep, count }) => {
    const rows = [...filteredRows(goldenRegistry(), filter)];
    const expected = all.filter(({ f }) => keep(f)).map(({ repository, f }) => key(repository, f.id, f.package.name, f.package.version));
    expect(rows.map((r) => key(r.repository!, r.vulnerabilityId, r.packageName, r.installedVersion)).sort()).toEqual(expected.sort());
    if (count !== undefined) expect(rows).toHaveLength(count);
    expect(summarizeRows(goldenRegistry(), filter).total).toBe(rows.length);
  });

  test('a row carries the finding, the image, and the layer that brought the package', () => {
    const rows = [...filteredRows(goldenRegistry(), { ids: ['CVE-2020-8203'], packages: ['lodash'] })];
    const app = golden('app');
    const layer = app.artifact.layers!.find((l) => l.diffId === rows[0]!.layerDiffId);
    expect(rows[0]).toEqual({
      registry: 'fixtures',
      repository: 'library/app',
      tag: '1.0',
      digest: app.artifact.digest,
      artifactName: app.artifact.name,
      vulnerabilityId: 'CVE-2020-8203',
      aliases: ['GHSA-p6mc-m468-83gw'],
      severity: 'high',
      score: 7.4,
      packageName: 'lodash',
      packageType: 'npm',
      installedVersion: '4.17.15',
      fixedVersion: '4.17.20',
      status: 'fixed',
      layerDiffId: 'sha256:331b2a57706279aacc2430ecb11aaf417a953320f98cb5896873270742270640',
      layerCreatedBy: layer!.createdBy,
      title: '<text>',
      kev: false,
      epss: null,
      link: 'https://nvd.nist.gov/vuln/detail/CVE-2020-8203',
    });
    expect(layer!.createdBy).toMatch(/^COPY app\//);
  });

  test('images keep their order; within one, most severe first', () => {
    const rows = [...filteredRows(goldenRegistry(), {})];
    const repos = rows.map((r) => r.repository);
    expect([...new Set(repos)]).toEqual(goldenRegistry().map((i) => i.repository));
    const app = rows.filter((r) => r.repository === 'library/app').map((r) => SEVERITIES.indexOf(r.severity));
    expect(app).toEqual([...app].sort((a, b) => a - b));
  });

  test('without the finding’s own layer, the installed package’s is used', () => {
    const report = syntheticReport([finding({ package: { name: 'zlib', version: '1', type: 'deb' } })]);
    report.packages = [{ name: 'zlib', version: '1', type: 'deb', purl: 'pkg:deb/debian/zlib@1', locations: [], layer: 'sha256:l1' }];
    report.artifact.layers = [{ diffId: 'sha256:l1', createdBy: 'RUN apt-get install zlib1g' }];
    const [row] = [...filteredRows([{ report }], {})];
    expect(row).toMatchObject({ layerDiffId: 'sha256:l1', layerCreatedBy: 'RUN apt-get install zlib1g' });
    expect(row).not.toHaveProperty('registry');
  });
});

describe('summarizeRows', () => {
  test('unfiltered, the counts are each report’s own summary, summed', () => {
    const images = goldenRegistry();
    const s = summarizeRows(images, {});
    for (const sev of SEVERITIES) expect(s.bySeverity[sev]).toBe(images.reduce((n, i) => n + i.report.summary[sev], 0));
    expect(s).toMatchObject({ total: 319, images: 5, affectedImages: 5, kev: 0 });
    expect(s.fixable).toBe(images.flatMap((i) => i.report.vulnerabilities).filter((f) => f.fixedVersion !== null).length);
  });

  test('counts only what the filter keeps; images without a row are in scope but not affected', () => {
    const s = summarizeRows(goldenRegistry(), { packages: ['lodash'] });
    expect(s).toMatchObject({ total: 6, images: 5, affectedImages: 2, bySeverity: { critical: 0, high: 4, medium: 2 } });
  });
});

test.each`
  filter                                                                     | text
  ${{}}                                                                      | ${'none (all findings)'}
  ${{ severities: ['critical', 'high'], fixable: true }}                     | ${'severity critical, high; fixable only'}
  ${{ fixable: false, text: 'ssl', packages: ['openssl'], ids: ['CVE-1'] }} | ${'without a fix only; text contains "ssl"; package openssl; id CVE-1'}
`('describeFilter($filter) → $text', ({ filter, text }) => {
  expect(describeFilter(filter)).toBe(text);
});
