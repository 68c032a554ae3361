/**
 * Controller reports: the CSV and PDF exports of a filtered set of findings, per image or per
 * registry (issue 5), and the Security Risks view's exports (issue 6). A route parses the query
 * with parseFindingFilter, loads the reports in scope, and sends renderReport's stream:
 *
 *   const filter = parseFindingFilter(req.query, { otherKeys: [] });
 *   const out = renderReport('pdf', { title, scope, filter, reports });
 *   return reply.type(out.contentType).header('content-disposition', out.contentDisposition).send(out.stream);
 */
import type { Readable } from 'node:stream';
import { csvStream } from './csv.js';
import { filteredRows, type FindingFilter, type ReportImage } from './filter.js';
import { pdfStream, PDF_MAX_ROWS } from './pdf.js';

export {
  describeFilter,
  filteredRows,
  findingMatcher,
  isFixable,
  parseFindingFilter,
  summarizeRows,
  type FindingFilter,
  type ParseFilterOptions,
  type ReportImage,
  type ReportRow,
  type RowSummary,
} from './filter.js';
export { csvChunks, csvStream, REPORT_CSV_COLUMNS } from './csv.js';
export { pdfStream, PDF_MAX_ROWS } from './pdf.js';

export const REPORT_FORMATS = ['csv', 'pdf'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function isReportFormat(s: string): s is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(s);
}

export interface ReportInput {
  /** The document's title, e.g. "Vulnerability report". */
  title: string;
  /** What it covers, in words: `image registry.local/app:1.4 (sha256:…)`, `registry harbor-prod`. */
  scope: string;
  filter: FindingFilter;
  /** The images in scope, each with its latest scan report. */
  reports: readonly ReportImage[];
  /** The "generated at" time and the date in the file name; defaults to now. */
  now?: Date;
}

export interface RenderOptions {
  /** Rows a PDF may hold before renderReport refuses (400); defaults to PDF_MAX_ROWS. */
  maxPdfRows?: number;
}

export interface RenderedReport {
  contentType: string;
  /** A safe file name (ASCII letters, digits, `.`, `_`, `-`). */
  filename: string;
  /** The Content-Disposition header that makes a browser download it under `filename`. */
  contentDisposition: string;
  stream: Readable;
}

const CONTENT_TYPES: Record<ReportFormat, string> = {
  csv: 'text/csv; charset=utf-8; header=present',
  pdf: 'application/pdf',
};

/**
 * The report as a stream. Errors a client can fix (a PDF with too many rows) are thrown here as
 * badRequest, before any byte is sent; nothing is rendered until the stream is read.
 */
export function renderReport(format: ReportFormat, input: ReportInput, options: RenderOptions = {}): RenderedReport {
  const now = input.now ?? new Date();
  const filename = reportFilename(input.scope, now, format);
  const stream =
    format === 'csv'
      ? csvStream(filteredRows(input.reports, input.filter))
      : pdfStream(
          { title: input.title, scope: input.scope, filter: input.filter, images: input.reports, now },
          { maxRows: options.maxPdfRows ?? PDF_MAX_ROWS },
        );
  return {
    contentType: CONTENT_TYPES[format],
    filename,
    contentDisposition: `attachment; filename="${filename}"`,
    stream,
  };
}

/** `vigil-report-<scope>-<yyyymmdd>.<ext>`, the scope reduced to characters any file system takes. */
export function reportFilename(scope: string, now: Date, format: ReportFormat): string {
  const slug = scope
    .replace(/sha256:([0-9a-f]{12})[0-9a-f]*/gi, 'sha256-$1')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 80)
    .replace(/[-.]+$/, '');
  const date = now.toISOString().slice(0, 10).replace(/-/g, '');
  return `vigil-report-${slug || 'findings'}-${date}.${format}`;
}
