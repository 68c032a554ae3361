import { text } from 'node:stream/consumers';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { describe, expect, test } from 'vitest';
import type { Finding } from '../../report/types.js';
import { finding, goldenRegistry, manyFindings, syntheticReport } from './__fixtures__/reports.js';
import { REPORT_CSV_COLUMNS, csvChunks, csvStream } from './csv.js';
import { filteredRows, type FindingFilter, type ReportImage } from './filter.js';

type Record_ = Record<(typeof REPORT_CSV_COLUMNS)[number], string>;

async function csvOf(images: ReportImage[], filter: FindingFilter): Promise<{ header: string[]; records: Record_[] }> {
  const out = await text(csvStream(filteredRows(images, filter)));
  const rows = parseSync(out, { record_delimiter: '\r\n' }) as string[][];
  const records = parseSync(out, { columns: true, record_delimiter: '\r\n' }) as Record_[];
  return { header: rows[0]!, records };
}

/** What a record must say about a finding, written from the SPEC fields (not from csvCells). */
function expectedRecord(img: ReportImage, f: Finding): Partial<Record_> {
  return {
    registry: img.registry ?? '',
    repository: img.repository ?? '',
    tag: img.tag ?? '',
    digest: img.report.artifact.digest ?? '',
    vulnerability_id: f.id,
    aliases: f.aliases.join('; '),
    severity: f.severity,
    cvss_score: f.cvss ? String(f.cvss.score) : '',
    package_name: f.package.name,
    package_type: f.package.type,
    installed_version: f.package.version,
    fixed_version: f.fixedVersion ?? '',
    status: f.status,
    title: f.title ?? '',
    kev: String(f.kev),
    link: f.link ?? '',
  };
}

const identity = (r: Partial<Record_>) => `${r.repository} ${r.vulnerability_id} ${r.package_name}@${r.installed_version}`;

describe('CSV of the golden reports', () => {
  test.each<{ name: string; filter: FindingFilter; keep: (f: Finding) => boolean }>([
    { name: 'everything', filter: {}, keep: () => true },
    { name: 'severity high', filter: { severities: ['high'] }, keep: (f) => f.severity === 'high' },
    { name: 'fixable critical', filter: { severities: ['critical'], fixable: true }, keep: (f) => f.severity === 'critical' && f.fixedVersion !== null },
    { name: 'one package by name', filter: { packages: ['libssl3'] }, keep: (f) => f.package.name === 'libssl3' },
    { name: 'ids and text', filter: { ids: ['CVE-2022-1271', 'CVE-2022-37434'], text: 'xz' }, keep: (f) => f.id === 'CVE-2022-1271' && f.package.name.includes('xz') },
    { name: 'nothing', filter: { text: 'no-such-thing' }, keep: () => false },
  ])('$name: the records are exactly the filtered findings', async ({ filter, keep }) => {
    const images = goldenRegistry();
    const { header, records } = await csvOf(images, filter);
    expect(header).toEqual([...REPORT_CSV_COLUMNS]);
    const expected = images.flatMap((img) => img.report.vulnerabilities.filter(keep).map((f) => expectedRecord(img, f)));
    expect(records.map(identity).sort()).toEqual(expected.map(identity).sort());
    const byIdentity = new Map(records.map((r) => [identity(r), r]));
    for (const e of expected) expect(byIdentity.get(identity(e))).toMatchObject(e);
  });

  test('layer columns name the layer that brought the package', async () => {
    const { records } = await csvOf(goldenRegistry(), { packages: ['lodash'] });
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) {
      expect(r.layer_diff_id).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(r.layer_created_by).toMatch(/^COPY app\//);
    }
  });
});

describe('quoting and formula injection', () => {
  test.each`
    title                             | cell
    ${'plain'}                        | ${'plain'}
    ${'a, b and c'}                   | ${'a, b and c'}
    ${'say "hi"'}                     | ${'say "hi"'}
    ${'line one\r\nline two'}         | ${'line one\r\nline two'}
    ${'=HYPERLINK("http://x.test")'} | ${`'=HYPERLINK("http://x.test")`}
    ${'+1+1'}                         | ${"'+1+1"}
    ${'-2+3'}                         | ${"'-2+3"}
    ${'@SUM(A1:A9)'}                  | ${"'@SUM(A1:A9)"}
    ${'\tcmd'}                        | ${"'\tcmd"}
    ${'\rcmd'}                        | ${"'\rcmd"}
    ${'ok=1'}                         | ${'ok=1'}
  `('title $title reads back as $cell', async ({ title, cell }) => {
    const report = syntheticReport([finding({ title, package: { name: title, version: '1', type: 'npm' } })]);
    const { records } = await csvOf([{ report, repository: title }], {});
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ title: cell, package_name: cell, repository: cell });
  });

  test('EPSS, KEV and a missing score are written plainly', async () => {
    const report = syntheticReport([finding({ kev: true, epss: 0.97315, cvss: null, fixedVersion: null, status: 'affected' })]);
    const { records } = await csvOf([{ report }], {});
    expect(records[0]).toMatchObject({ kev: 'true', epss: '0.97315', cvss_score: '', fixed_version: '', status: 'affected' });
  });
});

/** gc() from inside the test process (vitest does not pass --expose-gc). */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('a 50,000-row export', () => {
  test('streams in bounded chunks and reads back whole, with the live heap flat', async () => {
    const gc = exposeGc();
    const rowsWanted = 50_000;
    // A long title (shared by reference in the input) makes the output ~45 MB: a CSV built as
    // one string would hold that much live, far beyond the bound below.
    const title = 'x'.repeat(800);
    const images = [{ registry: 'big', repository: 'big/app', tag: 'latest', report: syntheticReport(manyFindings(rowsWanted, title)) }];

    gc();
    const baseline = process.memoryUsage().heapUsed;
    let peak = 0;
    let bytes = 0;
    let chunks = 0;
    let maxChunk = 0;
    let records = 0;
    const source = csvStream(filteredRows(images, {}));
    source.on('data', (c: Buffer) => {
      bytes += c.length;
      chunks++;
      maxChunk = Math.max(maxChunk, c.length);
    });
    for await (const record of source.pipe(parse({ columns: true, record_delimiter: '\r\n' }))) {
      const r = record as Record_;
      if (records === 0) expect(r.vulnerability_id).toMatch(/^CVE-2099-/);
      expect(r.title).toBe(title);
      records++;
      if (records % 5_000 === 0) {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
      }
    }

    expect(records).toBe(rowsWanted);
    expect(bytes).toBeGreaterThan(40 * 1024 * 1024);
    expect(chunks).toBeGreaterThan(500);
    expect(maxChunk).toBeLessThan(256 * 1024);
    // Live memory while streaming: the sorted copy of the findings list and a few chunks.
    expect(peak).toBeLessThan(12 * 1024 * 1024);
  });

  test('takes an async source too (rows from a database cursor)', async () => {
    async function* rows() {
      yield* filteredRows([{ report: syntheticReport(manyFindings(3)) }], {});
    }
    let out = '';
    for await (const chunk of csvChunks(rows())) out += chunk;
    expect(parseSync(out, { columns: true })).toHaveLength(3);
  });
});
