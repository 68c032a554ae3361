import Fastify from 'fastify';
import { parse as parseCsv } from 'csv-parse/sync';
import { describe, expect, test } from 'vitest';
import { registerErrorHandler } from '../plugins/error-handler.js';
import { golden, goldenRegistry } from './__fixtures__/reports.js';
import { pdfItems } from './__fixtures__/pdf-text.js';
import { isReportFormat, parseFindingFilter, renderReport, reportFilename, type ReportFormat } from './index.js';

const NOW = new Date('2026-03-04T05:06:07Z');

test.each`
  scope                                                                      | format   | filename
  ${'registry harbor-prod'}                                                  | ${'csv'} | ${'vigil-report-registry-harbor-prod-20260304.csv'}
  ${`image registry.local/app:1.4 (sha256:${'0123456789ab'.repeat(5)}abcd)`} | ${'pdf'} | ${'vigil-report-image-registry.local-app-1.4-sha256-0123456789ab-20260304.pdf'}
  ${'../../etc/passwd "x"'}                                                  | ${'csv'} | ${'vigil-report-etc-passwd-x-20260304.csv'}
  ${'漢字'}                                                                  | ${'pdf'} | ${'vigil-report-findings-20260304.pdf'}
`('reportFilename($scope, $format) → $filename', ({ scope, format, filename }) => {
  expect(reportFilename(scope, NOW, format)).toBe(filename);
});

test.each`
  s        | ok
  ${'csv'} | ${true}
  ${'pdf'} | ${true}
  ${'PDF'} | ${false}
  ${'xls'} | ${false}
`('isReportFormat($s) → $ok', ({ s, ok }) => {
  expect(isReportFormat(s)).toBe(ok);
});

/** The routes as the controller will write them: the report module does everything but the lookup. */
function app() {
  const server = Fastify();
  registerErrorHandler(server);
  const images = new Map(goldenRegistry().map((i) => [i.report.artifact.digest!, i]));
  for (const format of ['csv', 'pdf'] as ReportFormat[]) {
    server.get<{ Params: { digest: string }; Querystring: Record<string, string | string[]> }>(
      `/api/v1/images/:digest/report.${format}`,
      async (req, reply) => {
        const filter = parseFindingFilter(req.query);
        const image = images.get(req.params.digest)!;
        const scope = `image ${image.repository}:${image.tag} (${image.report.artifact.digest})`;
        const out = renderReport(format, { title: 'Vulnerability report', scope, filter, reports: [image], now: NOW });
        return reply.type(out.contentType).header('content-disposition', out.contentDisposition).send(out.stream);
      },
    );
    server.get<{ Querystring: Record<string, string | string[]> }>(`/api/v1/registries/fixtures/report.${format}`, async (req, reply) => {
      const filter = parseFindingFilter(req.query);
      const out = renderReport(format, { title: 'Registry report', scope: 'registry fixtures', filter, reports: goldenRegistry() }, { maxPdfRows: 300 });
      return reply.type(out.contentType).header('content-disposition', out.contentDisposition).send(out.stream);
    });
  }
  return server;
}

describe('from a Fastify handler', () => {
  const digest = golden('app').artifact.digest!;

  test('CSV: headers, and the filtered rows', async () => {
    const res = await app().inject(`/api/v1/images/${digest}/report.csv?severity=critical,high&fixable=true`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="vigil-report-image-library-app-1.0-sha256-${digest.slice(7, 19)}-20260304.csv"`,
    );
    const records = parseCsv(res.body, { columns: true }) as Array<Record<string, string>>;
    expect(records).toHaveLength(10);
    expect(new Set(records.map((r) => r.severity))).toEqual(new Set(['critical', 'high']));
    expect(records.every((r) => r.digest === digest && r.fixed_version !== '')).toBe(true);
  });

  test('PDF: a document with the summary of what was asked for', async () => {
    const res = await app().inject(`/api/v1/images/${digest}/report.pdf?package=lodash`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const { items } = await pdfItems(res.rawPayload);
    expect(items.map((i) => i.str)).toContain('3 findings in 1 of 1 image | 3 fixable | 0 in CISA KEV');
  });

  test.each`
    url                                                  | message
    ${`/api/v1/images/${digest}/report.csv?severity=bad`} | ${"severity: 'bad' is not one of critical, high, medium, low, negligible, unknown"}
    ${`/api/v1/images/${digest}/report.pdf?fixed=1`}      | ${"unknown report filter 'fixed': use severity, fixable, text, package or id"}
    ${'/api/v1/registries/fixtures/report.pdf'}          | ${'a PDF report holds at most 300 rows and this filter keeps 319: narrow the filter (severity, fixable, package, id, text) or download the CSV instead'}
  `('$url → 400 $message', async ({ url, message }) => {
    const res = await app().inject(url);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ code: 'bad-request', message });
  });

  test('the registry CSV has no row limit', async () => {
    const res = await app().inject('/api/v1/registries/fixtures/report.csv');
    expect(res.statusCode).toBe(200);
    expect(parseCsv(res.body, { columns: true })).toHaveLength(319);
  });
});
