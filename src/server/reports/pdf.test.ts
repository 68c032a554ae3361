import { buffer } from 'node:stream/consumers';
import { describe, expect, test } from 'vitest';
import { VigilError } from '../../core/errors.js';
import { SEVERITIES, type Finding } from '../../report/types.js';
import { finding, golden, goldenRegistry, manyFindings, syntheticReport } from './__fixtures__/reports.js';
import { pdfItems, type PdfItem } from './__fixtures__/pdf-text.js';
import type { FindingFilter, ReportImage } from './filter.js';
import { PDF_COLUMNS, PDF_MARGIN, PDF_MAX_ROWS, pdfStream, winAnsi, type PdfReportInput } from './pdf.js';

const NOW = new Date('2026-03-04T05:06:07Z');

function input(images: ReportImage[], filter: FindingFilter = {}, over: Partial<PdfReportInput> = {}): PdfReportInput {
  return { title: 'Vulnerability report', scope: 'registry fixtures', filter, images, now: NOW, ...over };
}

async function render(i: PdfReportInput): Promise<{ pdf: Buffer; pages: number; items: PdfItem[] }> {
  const pdf = await buffer(pdfStream(i));
  return { pdf, ...(await pdfItems(pdf)) };
}

/** The table: items below the header row on each page, grouped into rows by position, cells by column. */
function tableRows(items: PdfItem[]): string[][] {
  const starts = PDF_COLUMNS.map((_, i) => PDF_MARGIN + PDF_COLUMNS.slice(0, i).reduce((s, c) => s + c.width, 0));
  const column = (x: number) => starts.findLastIndex((s) => x >= s);
  const headers = items.filter((it) => it.str === PDF_COLUMNS[0]!.title && column(it.x) === 0);
  const rows = new Map<string, string[]>();
  for (const it of items) {
    const header = headers.find((h) => h.page === it.page);
    if (!header || it.y <= header.y + 2 || it.str.startsWith('Vigil | ')) continue;
    const key = `${it.page}:${Math.round(it.y)}`;
    const row = rows.get(key) ?? PDF_COLUMNS.map(() => '');
    row[column(it.x)] += it.str;
    rows.set(key, row);
  }
  return [...rows.values()];
}

/** The text of the item drawn on the same line as `label`, right of it (summary and header lines). */
function valueBeside(items: PdfItem[], label: string): string | undefined {
  const at = items.find((it) => it.str === label);
  return at && items.find((it) => it.page === at.page && Math.abs(it.y - at.y) < 2 && it.x > at.x)?.str;
}

/** The topmost text of the first page. */
const titleOf = (items: PdfItem[]) => items.filter((i) => i.page === 1).sort((a, b) => a.y - b.y)[0]?.str;

const cellsOf = (f: Finding, image: string) => [
  f.id,
  f.severity,
  f.cvss ? f.cvss.score.toFixed(1) : '',
  f.package.name,
  f.package.version,
  f.fixedVersion ?? '',
  image,
];

describe('PDF of one image (the app fixture)', async () => {
  const report = golden('app');
  const { pdf, pages, items } = await render(
    input([{ report }], {}, { scope: `image ${report.artifact.name} (${report.artifact.digest})` }),
  );

  test('is a PDF of several pages', () => {
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.subarray(-6).toString()).toMatch(/%%EOF\s*$/);
    expect(pages).toBeGreaterThan(2);
  });

  test('header: title, time, scope, filter', () => {
    expect(titleOf(items)).toBe('Vulnerability report');
    expect(valueBeside(items, 'Generated')).toBe('2026-03-04 05:06:07 UTC');
    expect(valueBeside(items, 'Scope')).toBe(`image oci:<fixtures>/oci:app (${report.artifact.digest})`);
    expect(valueBeside(items, 'Filter')).toBe('none (all findings)');
  });

  test('summary: totals, and the bar chart’s counts are the report’s own summary', () => {
    const fixable = report.vulnerabilities.filter((f) => f.fixedVersion !== null).length;
    expect(items.map((i) => i.str)).toContain(`104 findings in 1 of 1 image | ${fixable} fixable | 0 in CISA KEV`);
    for (const sev of SEVERITIES) expect(valueBeside(items, sev), sev).toBe(String(report.summary[sev]));
    expect(valueBeside(items, 'fix status')).toBe(`${fixable} fix available, ${104 - fixable} no fix`);
  });

  test('table: exactly one row per finding, with its cells', () => {
    const rows = tableRows(items);
    const expected = report.vulnerabilities.map((f) => cellsOf(f, report.artifact.name));
    expect(rows.map((r) => r.join('|')).sort()).toEqual(expected.map((r) => r.join('|')).sort());
  });

  test('every page repeats the column headers and has a numbered footer', () => {
    for (let p = 1; p <= pages; p++) {
      const onPage = items.filter((i) => i.page === p).map((i) => i.str);
      expect(onPage).toEqual(expect.arrayContaining(PDF_COLUMNS.map((c) => c.title)));
      expect(onPage).toContain(`Vigil | Vulnerability report | page ${p}`);
    }
  });
});

describe('PDF of a registry, filtered', () => {
  test.each<{ filter: FindingFilter; keep: (f: Finding) => boolean; words: string }>([
    {
      filter: { severities: ['critical', 'high'], fixable: true },
      keep: (f) => ['critical', 'high'].includes(f.severity) && f.fixedVersion !== null,
      words: 'severity critical, high; fixable only',
    },
    { filter: { packages: ['xz', 'xz-libs', 'zlib'] }, keep: (f) => ['xz', 'xz-libs', 'zlib'].includes(f.package.name), words: 'package xz, xz-libs, zlib' },
    { filter: { text: 'perl' }, keep: (f) => f.package.name.includes('perl'), words: 'text contains "perl"' },
  ])('$words: only the filtered rows, and a summary of them', async ({ filter, keep, words }) => {
    const images = goldenRegistry();
    const { items } = await render(input(images, filter));
    const expected = images.flatMap((img) => img.report.vulnerabilities.filter(keep).map((f) => cellsOf(f, `${img.repository}:${img.tag}`)));
    expect(expected.length).toBeGreaterThan(0);
    expect(tableRows(items).map((r) => r.join('|')).sort()).toEqual(expected.map((r) => r.join('|')).sort());

    expect(valueBeside(items, 'Filter')).toBe(words);
    const affected = images.filter((img) => img.report.vulnerabilities.some(keep)).length;
    const total = expected.length;
    expect(items.some((i) => i.str.startsWith(`${total} finding${total === 1 ? '' : 's'} in ${affected} of 5 images`))).toBe(true);
    for (const sev of SEVERITIES) {
      const n = images.flatMap((img) => img.report.vulnerabilities).filter((f) => keep(f) && f.severity === sev).length;
      expect(valueBeside(items, sev)).toBe(String(n));
    }
    // No id outside the filter shows anywhere in the document.
    const kept = new Set(expected.map((r) => r[0]));
    const stray = images.flatMap((img) => img.report.vulnerabilities.map((f) => f.id)).filter((id) => !kept.has(id));
    const all = items.map((i) => i.str).join('\n');
    for (const id of new Set(stray)) expect(all).not.toContain(id);
  });

  test('no findings: still a valid one-page PDF that says so', async () => {
    const { pdf, pages, items } = await render(input([{ report: golden('debian12') }], { ids: ['CVE-1999-0001'] }));
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pages).toBe(1);
    const strs = items.map((i) => i.str);
    expect(strs).toContain('No findings match this filter.');
    expect(strs).toContain('0 findings in 0 of 1 image | 0 fixable | 0 in CISA KEV');
    expect(tableRows(items)).toEqual([]);
  });
});

describe('bounds', () => {
  const tooMany = (fn: () => unknown): VigilError => {
    try {
      fn();
    } catch (e) {
      return e as VigilError;
    }
    throw new Error('expected a bad-request error');
  };

  test('more rows than the limit: 400 that says to narrow the filter or use the CSV', () => {
    const err = tooMany(() => pdfStream(input([{ report: golden('app') }]), { maxRows: 100 }));
    expect(err).toBeInstanceOf(VigilError);
    expect(err.code).toBe('bad-request');
    expect(err.message).toBe(
      'a PDF report holds at most 100 rows and this filter keeps 104: narrow the filter (severity, fixable, package, id, text) or download the CSV instead',
    );
    // The same images, narrowed, are fine.
    expect(() => pdfStream(input([{ report: golden('app') }], { severities: ['critical'] }), { maxRows: 100 }).destroy()).not.toThrow();
  });

  test(`the default limit is ${PDF_MAX_ROWS} rows`, () => {
    const report = syntheticReport(manyFindings(PDF_MAX_ROWS + 1));
    expect(tooMany(() => pdfStream(input([{ report }]))).message).toContain(`at most ${PDF_MAX_ROWS} rows and this filter keeps ${PDF_MAX_ROWS + 1}`);
    pdfStream(input([{ report }], { severities: ['critical'] })).destroy();
  });

  test('a long report is produced a page at a time, as the reader pulls', async () => {
    const report = syntheticReport(manyFindings(3_000));
    const stream = pdfStream(input([{ report }]));
    // Not read yet: only what fills the stream's buffer has been drawn, not the whole document.
    await new Promise((resolve) => stream.once('readable', resolve));
    await new Promise((resolve) => setImmediate(resolve));
    const buffered = stream.readableLength;
    const parts: Buffer[] = [];
    let chunks = 0;
    for await (const c of stream) {
      chunks++;
      parts.push(c as Buffer);
    }
    const pdf = Buffer.concat(parts);
    const { pages, items } = await pdfItems(pdf);
    expect(tableRows(items)).toHaveLength(3_000);
    expect(pages).toBeGreaterThan(50);
    expect(chunks).toBeGreaterThan(1);
    expect(buffered).toBeLessThan(stream.readableHighWaterMark + 64 * 1024);
    expect(buffered).toBeLessThan(pdf.length / 4);
  });
});

describe('hostile and long text', () => {
  test('values wider than their column are cut with an ellipsis; image references keep their end', async () => {
    const longName = `${'very-long-package-name-'.repeat(12)}end`;
    const report = syntheticReport([finding({ package: { name: longName, version: '1.0', type: 'npm' } })]);
    const repository = `registry.example.com/${'deep/'.repeat(20)}app`;
    const { items } = await render(input([{ report, repository, tag: 'v1.2.3' }]));
    const [row] = tableRows(items);
    expect(row![3]).toMatch(/^very-long-package-name-.*…$/);
    expect(longName.startsWith(row![3]!.slice(0, -1))).toBe(true);
    expect(row![6]).toMatch(/^….*\/app:v1\.2\.3$/);
  });

  test('text the built-in fonts cannot draw is replaced, not an error', async () => {
    const report = syntheticReport([finding({ package: { name: 'pkg\u0000\u202e名前', version: '1\n2', type: 'npm' } })]);
    const { items } = await render(input([{ report }], {}, { title: 'Report – “ünïcode” 漢字', scope: 'image a\tb' }));
    expect(titleOf(items)).toBe('Report – “ünïcode” ??');
    expect(valueBeside(items, 'Scope')).toBe('image a b');
    const [row] = tableRows(items);
    expect(row!.slice(3, 5)).toEqual(['pkg ???', '1 2']);
  });

  test.each`
    text                 | drawn
    ${'plain ASCII'}     | ${'plain ASCII'}
    ${'€ … — ™ œ Ÿ'}     | ${'€ … — ™ œ Ÿ'}
    ${'é ß ÿ ©'}         | ${'é ß ÿ ©'}
    ${'a\tb\r\nc\u0085'} | ${'a b  c '}
    ${'Ωμ 😀 名'}        | ${'?? ? ?'}
  `('winAnsi($text) → $drawn', ({ text, drawn }) => {
    expect(winAnsi(text)).toBe(drawn);
  });
});
