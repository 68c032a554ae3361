/**
 * CSV and PDF of exactly the filtered Security Risks → Vulnerabilities view: one line per row,
 * in the view's order. The CSV streams page by page from the store (flat memory whatever the
 * size, quoting and formula guard from the CLI's `csvField`); the PDF (pdfkit, as the per-image
 * reports in src/server/reports/) has a summary with charts, then the table, and is bounded.
 */
import { Readable } from 'node:stream';
import { SEVERITIES, type Severity } from '../../report/types.js';
import { badRequest } from '../errors.js';
import { csvTable } from '../reports/csv.js';
import { PDF_MARGIN, SEVERITY_COLORS, drawBars, drawFooter, drawTable, drawTitle, formatTime, newDocument, winAnsi, type PdfColumn } from '../reports/pdf.js';
import { reportFilename } from '../reports/index.js';
import type { VulnQuery, VulnRow } from './vuln-query.js';

export const RISK_CSV_COLUMNS = [
  'vulnerability_id',
  'severity',
  'score',
  'cvss_v2',
  'cvss_v3',
  'published',
  'fix_available',
  'kev',
  'epss',
  'images',
  'nodes',
  'containers',
  'platforms',
  'unaffected',
  'protected',
  'unprotected',
  'protection_state',
  'accepted',
  'packages',
  'title',
  'link',
] as const;

const n = (v: number | null) => (v === null ? '' : String(v));

function cells(r: VulnRow): string[] {
  return [
    r.id,
    r.severity,
    n(r.score),
    n(r.cvss2),
    n(r.cvss3),
    r.published ?? '',
    String(r.fixAvailable),
    String(r.kev),
    n(r.epss),
    String(r.impact.images),
    String(r.impact.nodes),
    String(r.impact.containers),
    String(r.impact.platforms),
    String(r.protection.unaffected),
    String(r.protection.protected),
    String(r.protection.unprotected),
    r.protection.state,
    r.accepted ?? '',
    r.packages.join('; '),
    r.title ?? '',
    r.link ?? '',
  ];
}

export function riskCsvChunks(rows: AsyncIterable<VulnRow>): AsyncGenerator<string> {
  return csvTable(RISK_CSV_COLUMNS, rows, cells);
}

export function riskCsvStream(rows: AsyncIterable<VulnRow>): Readable {
  return Readable.from(riskCsvChunks(rows), { objectMode: false });
}

/** The filter in words, for the PDF header. */
export function describeVulnQuery(q: VulnQuery): string {
  const parts: string[] = [];
  if (q.q) parts.push(`text contains "${q.q}"`);
  if (q.severities?.length) parts.push(`severity ${q.severities.join(', ')}`);
  if (q.fixable !== undefined) parts.push(q.fixable ? 'fix available' : 'no fix');
  if (q.kev !== undefined) parts.push(q.kev ? 'in CISA KEV' : 'not in CISA KEV');
  if (q.accepted !== undefined) parts.push(q.accepted ? 'accepted' : 'not accepted');
  if (q.scoreMin !== undefined || q.scoreMax !== undefined) parts.push(`score ${q.scoreMin ?? 0}–${q.scoreMax ?? 10}${q.scoreVersion && q.scoreVersion !== 'any' ? ` (${q.scoreVersion})` : ''}`);
  if (q.publishedAfter) parts.push(`published after ${q.publishedAfter}`);
  if (q.publishedBefore) parts.push(`published before ${q.publishedBefore}`);
  if (q.view && q.view !== 'all') parts.push(`view ${q.view}`);
  for (const [k, f] of Object.entries(q.assets ?? {})) parts.push(`${k} ${f.match === 'contains' ? 'contains' : 'is'} ${f.values.join(' or ')}`);
  return parts.length ? parts.join('; ') : 'none (all vulnerabilities)';
}

export const RISK_PDF_MAX_ROWS = 10_000;

const TEXT = '#1f2933';
/** The protection circle's colours (issue 6): black unaffected, green protected, red unprotected. */
export const PROTECTION_COLORS = { unaffected: '#111111', protected: '#2f855a', unprotected: '#c53030', none: '#c4cbd2' } as const;

/** 770 points: A4 landscape inside the margins. */
const COLUMNS: ReadonlyArray<PdfColumn<VulnRow>> = [
  { title: 'Vulnerability', width: 112, cell: (r) => r.id },
  { title: 'Severity', width: 62, cell: (r) => r.severity, swatch: (r) => SEVERITY_COLORS[r.severity] },
  { title: 'v3', width: 28, cell: (r) => (r.cvss3 === null ? '' : r.cvss3.toFixed(1)) },
  { title: 'v2', width: 28, cell: (r) => (r.cvss2 === null ? '' : r.cvss2.toFixed(1)) },
  { title: 'Published', width: 60, cell: (r) => r.published?.slice(0, 10) ?? '' },
  { title: 'Fix', width: 26, cell: (r) => (r.fixAvailable ? 'yes' : 'no') },
  { title: 'Img', width: 32, cell: (r) => String(r.impact.images) },
  { title: 'Node', width: 32, cell: (r) => String(r.impact.nodes) },
  { title: 'Cont.', width: 36, cell: (r) => String(r.impact.containers) },
  { title: 'Plat.', width: 30, cell: (r) => String(r.impact.platforms) },
  { title: 'Protection', width: 70, cell: (r) => r.protection.state, swatch: (r) => PROTECTION_COLORS[r.protection.state], swatchShape: 'circle' },
  { title: 'Accepted', width: 48, cell: (r) => r.accepted ?? '' },
  { title: 'Packages', width: 206, cell: (r) => r.packages.join(', ') },
];

/**
 * The PDF. Rows are collected first (bounded by RISK_PDF_MAX_ROWS: a larger view is a 400 that
 * points to the CSV), so the summary can count them before the table is drawn.
 */
export async function riskPdf(o: { title: string; query: VulnQuery; total: number; rows: AsyncIterable<VulnRow>; now: Date }): Promise<Readable> {
  if (o.total > RISK_PDF_MAX_ROWS) {
    throw badRequest(`a PDF holds at most ${RISK_PDF_MAX_ROWS} rows and this filter keeps ${o.total}: narrow the filter or download the CSV instead`);
  }
  const rows: VulnRow[] = [];
  for await (const r of o.rows) rows.push(r);
  const doc = newDocument({ size: 'A4', layout: 'landscape', margin: PDF_MARGIN, info: { Title: winAnsi(o.title), Author: 'Vigil', Creator: 'Vigil', CreationDate: o.now } });
  const M = PDF_MARGIN;
  drawFooter(doc, o.title, 1);
  let y = drawTitle(doc, o.title, [
    ['Generated', formatTime(o.now)],
    ['Scope', 'Security Risks: vulnerabilities across images, nodes, containers and platforms'],
    ['Filter', describeVulnQuery(o.query)],
  ]);

  // Summary: totals, then two charts: rows per severity, and the protection state of the impacted items.
  const bySev = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const prot = { unaffected: 0, protected: 0, unprotected: 0 };
  let fixable = 0;
  let kev = 0;
  let accepted = 0;
  for (const r of rows) {
    bySev[r.severity]++;
    prot.unaffected += r.protection.unaffected;
    prot.protected += r.protection.protected;
    prot.unprotected += r.protection.unprotected;
    if (r.fixAvailable) fixable++;
    if (r.kev) kev++;
    if (r.accepted) accepted++;
  }
  doc.font('Helvetica-Bold').fontSize(12).fillColor(TEXT).text('Summary', M, y, { lineBreak: false });
  y += 18;
  doc.font('Helvetica').fontSize(10).text(`${rows.length} vulnerabilit${rows.length === 1 ? 'y' : 'ies'} | ${fixable} with a fix | ${kev} in CISA KEV | ${accepted} accepted`, M, y, { lineBreak: false });
  y += 18;
  const labelWidth = 80;
  const barMax = 400;
  y = drawBars(doc, SEVERITIES.map((s) => ({ label: s, value: bySev[s], color: SEVERITY_COLORS[s] })), y, { labelWidth, barMax });
  y += 4;
  // The impacted items in one stacked bar, coloured like the protection circles.
  const items = prot.unaffected + prot.protected + prot.unprotected;
  doc.fillColor(TEXT).text('protection', M, y + 1, { lineBreak: false });
  doc.rect(M + labelWidth, y, barMax, 10).fill('#f0f2f5');
  let x = M + labelWidth;
  for (const k of ['unaffected', 'protected', 'unprotected'] as const) {
    const w = items === 0 ? 0 : (prot[k] / items) * barMax;
    if (w > 0) doc.rect(x, y, w, 10).fill(PROTECTION_COLORS[k]);
    x += w;
  }
  doc.fillColor(TEXT).text(`${prot.unaffected} unaffected, ${prot.protected} protected, ${prot.unprotected} unprotected`, M + labelWidth + barMax + 8, y + 1, { lineBreak: false });
  y += 24;

  if (rows.length === 0) {
    doc.font('Helvetica-Bold').fontSize(11).fillColor(TEXT).text('No vulnerabilities match this filter.', M, y, { lineBreak: false });
  } else {
    drawTable(doc, COLUMNS, rows, y, o.title);
  }
  doc.end();
  return doc as unknown as Readable;
}

export function riskFilename(now: Date, format: 'csv' | 'pdf'): string {
  return reportFilename('security-risks-vulnerabilities', now, format);
}
