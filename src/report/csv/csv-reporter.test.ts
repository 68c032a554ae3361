import { describe, expect, test } from 'vitest';
import { appReport } from '../json/__fixtures__/app-report.js';
import { CSV_COLUMNS, csvField, csvReporter } from './csv-reporter.js';

/** A strict RFC 4180 reader, to check that what we write reads back to the same values. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (ch === '"') {
        quoted = false;
        i++;
      } else {
        field += ch;
        i++;
      }
    } else if (ch === '"' && field === '') {
      quoted = true;
      i++;
    } else if (ch === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else {
      if (ch === '"' || ch === '\n' || ch === '\r') throw new Error(`bare ${JSON.stringify(ch)} at ${i}`);
      field += ch;
      i++;
    }
  }
  if (field !== '' || row.length) throw new Error('last record not terminated by CRLF');
  return rows;
}

describe('csvField (RFC 4180)', () => {
  test.each`
    value                   | expected
    ${'plain'}              | ${'plain'}
    ${''}                   | ${''}
    ${'a,b'}                | ${'"a,b"'}
    ${'say "hi"'}           | ${'"say ""hi"""'}
    ${'line1\nline2'}       | ${'"line1\nline2"'}
    ${'cr\rhere'}           | ${'"cr\rhere"'}
    ${'=1+1'}               | ${"'=1+1"}
    ${'@SUM(A1)'}           | ${"'@SUM(A1)"}
    ${'=HYPERLINK("x")'}    | ${`"'=HYPERLINK(""x"")"`}
    ${'1:2.38.1-5'}         | ${'1:2.38.1-5'}
  `('csvField($value) → $expected', ({ value, expected }) => {
    expect(csvField(value)).toBe(expected);
  });
});

describe('csv reporter', () => {
  test('one row per finding, fixed header, CRLF records that read back intact', () => {
    const report = appReport();
    const rows = parseCsv(csvReporter.render(report, {}));
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(1 + report.vulnerabilities.length);
    for (const r of rows) expect(r).toHaveLength(CSV_COLUMNS.length);
    const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
    const apt = rows.find((r) => r[col('package_name')] === 'apt')!;
    expect(apt[col('title')]).toBe('apt: "quoted" title, with a comma');
    expect(apt[col('purl')]).toBe('pkg:deb/debian/apt@2.6.1?arch=amd64&distro=debian-12');
    const ssl = rows.find((r) => r[col('package_name')] === 'libssl3')!;
    expect(ssl[col('title')]).toBe('openssl: line one\nline two');
    expect(ssl[col('epss')]).toBe('0.0123');
    const lodash = rows.find((r) => r[col('package_name')] === 'lodash')!;
    expect(lodash[col('aliases')]).toBe('GHSA-p6mc-m468-83gw');
    expect(lodash[col('kev')]).toBe('true');
    const perl = rows.find((r) => r[col('package_name')] === 'perl-base')!;
    expect(perl[col('title')]).toBe(`'=HYPERLINK("http://example.invalid")`);
  });

  test('with no findings: one row per package, vulnerability columns empty', () => {
    const report = appReport({ withFindings: false });
    const rows = parseCsv(csvReporter.render(report, {}));
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(1 + report.packages.length);
    const body = rows.slice(1);
    expect(body.every((r) => r[0] === '' && r[CSV_COLUMNS.indexOf('purl')]!.startsWith('pkg:'))).toBe(true);
  });
});
