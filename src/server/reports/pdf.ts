/**
 * The controller's PDF report (pdfkit): a header (title, time, scope, filter), a summary with
 * two vector bar charts (findings per severity; fix available or not), then the table of the
 * filtered rows on as many pages as it takes, the column headers repeated on every page.
 *
 * The document is drawn a page at a time, only when the reader of the stream asks for more, so
 * a long report is never held whole in memory. It is still bounded (PDF_MAX_ROWS): hundreds of
 * pages help nobody, and the CSV has no such limit.
 */
import { Readable } from 'node:stream';
import { createRequire } from 'node:module';
import { SEVERITIES, type Severity } from '../../report/types.js';
import { badRequest } from '../errors.js';
import {
  describeFilter,
  filteredRows,
  summarizeRows,
  type FindingFilter,
  type ReportImage,
  type ReportRow,
  type RowSummary,
} from './filter.js';

export const PDF_MAX_ROWS = 20_000;

export interface PdfReportInput {
  title: string;
  /** What the report covers, e.g. `image registry.local/app:1.4 (sha256:…)` or `registry harbor-prod`. */
  scope: string;
  filter: FindingFilter;
  images: readonly ReportImage[];
  /** The "generated at" time (injected so tests are deterministic). */
  now: Date;
}

export interface PdfOptions {
  maxRows?: number;
}

export type Doc = PDFKit.PDFDocument;

/** pdfkit (and its fonts) is loaded on the first PDF, not with the server: most servers never draw one. */
let pdfkit: typeof import('pdfkit') | undefined;
export function newDocument(options: PDFKit.PDFDocumentOptions): Doc {
  pdfkit ??= createRequire(import.meta.url)('pdfkit') as typeof import('pdfkit');
  return new pdfkit(options);
}

export const PDF_MARGIN = 36;
const MARGIN = PDF_MARGIN;
const FONT = 'Helvetica';
const BOLD = 'Helvetica-Bold';
const TEXT = '#1f2933';
const MUTED = '#616e7c';
const RULE = '#cbd2d9';

export const SEVERITY_COLORS: Record<Severity, string> = {
  critical: '#a61b1b',
  high: '#e25822',
  medium: '#f0a30a',
  low: '#3b82c4',
  negligible: '#8e9aa6',
  unknown: '#c4cbd2',
};

export interface PdfColumn<R = ReportRow> {
  title: string;
  width: number;
  cell: (r: R) => string;
  /** A colour swatch before the text (severity): the column reads at a glance. */
  swatch?: (r: R) => string;
  /** The swatch's shape (default square; the protection state is a circle, as in the console). */
  swatchShape?: 'square' | 'circle';
  /** Which end of a too-long value to keep: an image reference is read from its tag back. */
  keep?: 'start' | 'end';
}

/** 770 points: the width of A4 landscape inside the margins. */
export const PDF_COLUMNS: readonly PdfColumn[] = [
  { title: 'Vulnerability', width: 130, cell: (r) => r.vulnerabilityId },
  { title: 'Severity', width: 70, cell: (r) => r.severity, swatch: (r) => SEVERITY_COLORS[r.severity] ?? SEVERITY_COLORS.unknown },
  { title: 'Score', width: 34, cell: (r) => (r.score === null ? '' : r.score.toFixed(1)) },
  { title: 'Package', width: 140, cell: (r) => r.packageName },
  { title: 'Installed', width: 116, cell: (r) => r.installedVersion },
  { title: 'Fixed in', width: 116, cell: (r) => r.fixedVersion ?? '' },
  { title: 'Image', width: 164, cell: imageLabel, keep: 'end' },
];

const TABLE_FONT_SIZE = 8;
export const PDF_ROW_HEIGHT = 14;
const ROW_HEIGHT = PDF_ROW_HEIGHT;
const HEADER_HEIGHT = 16;
const CELL_PAD = 4;
export const PDF_FOOTER_HEIGHT = 14;
const FOOTER_HEIGHT = PDF_FOOTER_HEIGHT;

/** repository:tag when the controller knows it, else the scanned artifact's own name. */
export function imageLabel(r: ReportRow): string {
  if (r.repository !== undefined && r.tag !== undefined) return `${r.repository}:${r.tag}`;
  if (r.repository !== undefined) return r.digest ? `${r.repository}@${r.digest.slice(0, 19)}` : r.repository;
  return r.artifactName;
}

/**
 * The PDF as a byte stream. Throws badRequest before any byte is written when the filter keeps
 * more rows than a PDF should hold.
 */
export function pdfStream(input: PdfReportInput, options: PdfOptions = {}): Readable {
  const maxRows = options.maxRows ?? PDF_MAX_ROWS;
  const summary = summarizeRows(input.images, input.filter);
  if (summary.total > maxRows) {
    throw badRequest(
      `a PDF report holds at most ${maxRows} rows and this filter keeps ${summary.total}: ` +
        'narrow the filter (severity, fixable, package, id, text) or download the CSV instead',
    );
  }
  const doc = newDocument({
    size: 'A4',
    layout: 'landscape',
    margin: MARGIN,
    info: { Title: winAnsi(input.title), Author: 'Vigil', Creator: 'Vigil', CreationDate: input.now },
  });
  return new PagedPdfStream(doc, drawReport(doc, input, summary));
}

/**
 * Pulls pages from the drawing generator only when the consumer wants bytes. pdfkit pushes
 * into its own readable buffer whatever the reader does; reading that buffer directly after each
 * page (doc.read(), the document is never put in flowing mode) is what gives backpressure.
 */
class PagedPdfStream extends Readable {
  private finished = false;

  constructor(
    private readonly doc: Doc,
    private readonly pages: Generator<void>,
  ) {
    super();
  }

  override _read(): void {
    try {
      for (;;) {
        const data = this.drain();
        if (data) {
          this.push(data);
          return;
        }
        if (this.finished) {
          this.push(null);
          return;
        }
        this.finished = this.pages.next().done === true;
      }
    } catch (e) {
      this.destroy(e instanceof Error ? e : new Error(String(e)));
    }
  }

  private drain(): Buffer | null {
    const parts: Buffer[] = [];
    let chunk: Buffer | string | null;
    while ((chunk = this.doc.read() as Buffer | string | null) !== null) parts.push(Buffer.from(chunk));
    return parts.length ? Buffer.concat(parts) : null;
  }
}

/** Draws the document, yielding each time a page is complete; ends the document last. */
function* drawReport(doc: Doc, input: PdfReportInput, summary: RowSummary): Generator<void> {
  let page = 1;
  drawFooter(doc, input.title, page);
  let y = drawHeader(doc, input);
  y = drawSummary(doc, summary, y);
  if (summary.total === 0) {
    doc.font(BOLD).fontSize(11).fillColor(TEXT).text('No findings match this filter.', MARGIN, y + 8, { lineBreak: false });
    doc.end();
    return;
  }
  const top = MARGIN;
  const bottom = doc.page.height - MARGIN - FOOTER_HEIGHT;
  y = drawTableHeader(doc, PDF_COLUMNS, y + 6);
  let n = 0;
  for (const row of filteredRows(input.images, input.filter)) {
    if (y + ROW_HEIGHT > bottom) {
      doc.addPage();
      yield;
      page++;
      drawFooter(doc, input.title, page);
      y = drawTableHeader(doc, PDF_COLUMNS, top);
    }
    drawRow(doc, PDF_COLUMNS, row, y, n++ % 2 === 1);
    y += ROW_HEIGHT;
  }
  doc.end();
}

function drawHeader(doc: Doc, input: PdfReportInput): number {
  return drawTitle(doc, input.title, [
    ['Generated', formatTime(input.now)],
    ['Scope', input.scope],
    ['Filter', describeFilter(input.filter)],
  ]);
}

/** The title and labelled lines under it (generated, scope, filter); returns the next free y. */
export function drawTitle(doc: Doc, title: string, meta: ReadonlyArray<readonly [string, string]>): number {
  const width = doc.page.width - 2 * MARGIN;
  let y = MARGIN;
  doc.font(BOLD).fontSize(18).fillColor(TEXT);
  doc.text(fit(doc, winAnsi(title), width), MARGIN, y, { lineBreak: false });
  y += 26;
  for (const [label, value] of meta) {
    doc.font(BOLD).fontSize(9).fillColor(MUTED).text(label, MARGIN, y, { lineBreak: false });
    doc.font(FONT).fillColor(TEXT).text(fit(doc, winAnsi(value), width - 70), MARGIN + 70, y, { lineBreak: false });
    y += 13;
  }
  return y + 8;
}

/** The summary: a line of totals, findings per severity as bars, then fix available / no fix. */
function drawSummary(doc: Doc, s: RowSummary, top: number): number {
  const x = MARGIN;
  let y = top;
  doc.font(BOLD).fontSize(12).fillColor(TEXT).text('Summary', x, y, { lineBreak: false });
  y += 18;
  const images = `${s.affectedImages} of ${s.images} image${s.images === 1 ? '' : 's'}`;
  const line = `${s.total} finding${s.total === 1 ? '' : 's'} in ${images} | ${s.fixable} fixable | ${s.kev} in CISA KEV`;
  doc.font(FONT).fontSize(10).fillColor(TEXT).text(line, x, y, { lineBreak: false });
  y += 18;

  const labelWidth = 70;
  const barMax = 420;
  const barHeight = 10;
  const step = 15;
  y = drawBars(doc, SEVERITIES.map((sev) => ({ label: sev, value: s.bySeverity[sev], color: SEVERITY_COLORS[sev] })), y);
  y += 4;

  // One stacked bar: how much of it an upgrade fixes.
  const fixW = s.total === 0 ? 0 : (s.fixable / s.total) * barMax;
  doc.fillColor(TEXT).text('fix status', x, y + 1, { lineBreak: false });
  doc.rect(x + labelWidth, y, barMax, barHeight).fill(s.total === 0 ? '#f0f2f5' : '#d9822b');
  if (fixW > 0) doc.rect(x + labelWidth, y, fixW, barHeight).fill('#2f855a');
  doc
    .fillColor(TEXT)
    .text(`${s.fixable} fix available, ${s.total - s.fixable} no fix`, x + labelWidth + barMax + 8, y + 1, { lineBreak: false });
  y += step;
  return drawRule(doc, y);
}

export interface PdfBar {
  label: string;
  value: number;
  color: string;
}

/**
 * A horizontal bar chart, one bar per entry scaled to the largest, the count after it; returns
 * the next free y. The summaries of every Vigil PDF draw their charts with it.
 */
export function drawBars(doc: Doc, bars: readonly PdfBar[], top: number, o: { labelWidth?: number; barMax?: number } = {}): number {
  const x = MARGIN;
  const labelWidth = o.labelWidth ?? 70;
  const barMax = o.barMax ?? 420;
  let y = top;
  const max = Math.max(1, ...bars.map((b) => b.value));
  doc.font(FONT).fontSize(9);
  for (const b of bars) {
    const w = b.value === 0 ? 0 : Math.max(1.5, (b.value / max) * barMax);
    doc.fillColor(TEXT).text(fit(doc, winAnsi(b.label), labelWidth - 4), x, y + 1, { lineBreak: false });
    doc.rect(x + labelWidth, y, barMax, 10).fill('#f0f2f5');
    if (w > 0) doc.rect(x + labelWidth, y, w, 10).fill(b.color);
    doc.fillColor(TEXT).text(String(b.value), x + labelWidth + barMax + 8, y + 1, { lineBreak: false });
    y += 15;
  }
  return y;
}

/** A thin rule across the page under a summary; returns the next free y. */
export function drawRule(doc: Doc, y: number): number {
  doc
    .moveTo(MARGIN, y + 6)
    .lineTo(doc.page.width - MARGIN, y + 6)
    .lineWidth(0.5)
    .stroke(RULE);
  return y + 12;
}

export function drawTableHeader<R>(doc: Doc, columns: ReadonlyArray<PdfColumn<R>>, y: number): number {
  const width = columns.reduce((sum, c) => sum + c.width, 0);
  doc.rect(MARGIN, y, width, HEADER_HEIGHT).fill('#e4e7eb');
  doc.font(BOLD).fontSize(TABLE_FONT_SIZE).fillColor(TEXT);
  let x = MARGIN;
  for (const c of columns) {
    doc.text(c.title, x + CELL_PAD, y + 5, { lineBreak: false });
    x += c.width;
  }
  return y + HEADER_HEIGHT;
}

export function drawRow<R>(doc: Doc, columns: ReadonlyArray<PdfColumn<R>>, row: R, y: number, shaded: boolean): void {
  const width = columns.reduce((sum, c) => sum + c.width, 0);
  if (shaded) doc.rect(MARGIN, y, width, ROW_HEIGHT).fill('#f7f8fa');
  doc.font(FONT).fontSize(TABLE_FONT_SIZE).fillColor(TEXT);
  let x = MARGIN;
  for (const c of columns) {
    let textX = x + CELL_PAD;
    let room = c.width - 2 * CELL_PAD;
    if (c.swatch) {
      if (c.swatchShape === 'circle') doc.circle(textX + 3, y + 7, 3).fill(c.swatch(row));
      else doc.rect(textX, y + 4, 6, 6).fill(c.swatch(row));
      doc.fillColor(TEXT);
      textX += 9;
      room -= 9;
    }
    doc.text(fit(doc, winAnsi(c.cell(row)), room, c.keep), textX, y + 4, { lineBreak: false });
    x += c.width;
  }
}

/**
 * A whole table from `y`: header, rows shaded every other line, a new page (footer, header
 * again) when the page is full. For tables whose rows are all in hand (the Security Risks PDFs);
 * the per-image report pages its rows as the reader pulls instead.
 */
export function drawTable<R>(doc: Doc, columns: ReadonlyArray<PdfColumn<R>>, rows: readonly R[], top: number, title: string): void {
  let page = 1;
  let y = drawTableHeader(doc, columns, top);
  const bottom = doc.page.height - MARGIN - FOOTER_HEIGHT;
  rows.forEach((r, i) => {
    if (y + ROW_HEIGHT > bottom) {
      doc.addPage();
      drawFooter(doc, title, ++page);
      y = drawTableHeader(doc, columns, MARGIN);
    }
    drawRow(doc, columns, r, y, i % 2 === 1);
    y += ROW_HEIGHT;
  });
}

export function drawFooter(doc: Doc, title: string, page: number): void {
  const y = doc.page.height - MARGIN - 8;
  doc.font(FONT).fontSize(7).fillColor(MUTED);
  doc.text(fit(doc, `Vigil | ${winAnsi(title)} | page ${page}`, doc.page.width - 2 * MARGIN), MARGIN, y, {
    lineBreak: false,
  });
}

export function formatTime(d: Date): string {
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/**
 * The text cut to `width` points in the current font, with an ellipsis at the end dropped
 * (or at the start, for `keep: 'end'`). Binary search: most cells fit and cost one measure.
 */
export function fit(doc: Doc, text: string, width: number, keep: 'start' | 'end' = 'start'): string {
  if (doc.widthOfString(text) <= width) return text;
  const ellipsis = '…';
  const cut = (n: number) => (keep === 'start' ? text.slice(0, n) + ellipsis : ellipsis + text.slice(text.length - n));
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (doc.widthOfString(cut(mid)) <= width) lo = mid;
    else hi = mid - 1;
  }
  return cut(lo);
}

/** The 27 characters Windows-1252 adds in 0x80–0x9F: the standard PDF fonts can draw them. */
const CP1252_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

/**
 * Text the built-in PDF fonts can draw (they use WinAnsi encoding): control characters become
 * spaces, anything else outside Windows-1252 becomes '?'. Titles and names come from scanned
 * images and feeds, so they may hold anything; embedding a Unicode font would cost a large
 * asset for the rare title that needs it.
 */
export function winAnsi(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x20 || (c >= 0x7f && c < 0xa0)) out += ' ';
    else if (c < 0x100 || CP1252_EXTRA.has(ch)) out += ch;
    else out += '?';
  }
  return out;
}
