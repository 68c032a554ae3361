/**
 * CSV and PDF of exactly the filtered Security Risks → Compliance view: one line per check, in
 * the view's order. The CSV streams page by page from the store; the PDF (the drawing helpers of
 * src/server/reports/pdf.ts) has a summary with charts, then the table, and is bounded.
 */
import { Readable } from 'node:stream';
import { csvTable } from '../reports/csv.js';
import { badRequest } from '../errors.js';
import { reportFilename } from '../reports/index.js';
import {
  PDF_MARGIN,
  drawBars,
  drawFooter,
  drawRule,
  drawTable,
  drawTitle,
  formatTime,
  newDocument,
  winAnsi,
  type PdfColumn,
} from '../reports/pdf.js';
import type { ComplianceQuery, ComplianceRow } from './compliance.js';
import { PROTECTION_COLORS } from './export.js';

export const COMPLIANCE_CSV_COLUMNS = [
  'benchmark',
  'check_id',
  'title',
  'type',
  'profile',
  'scored',
  'levels',
  'tags',
  'images',
  'nodes',
  'containers',
  'platforms',
  'unaffected',
  'protected',
  'unprotected',
  'remediation',
] as const;

/** The levels a row counts (the filter's, default WARN): every asset in the counts has one of them. */
const levelsOf = (q: ComplianceQuery) => (q.levels?.length ? q.levels : ['WARN']).join('; ');

function cells(r: ComplianceRow, levels: string): string[] {
  return [
    r.benchmark,
    r.id,
    r.title,
    r.type,
    r.profile,
    String(r.scored),
    levels,
    r.tags.join('; '),
    String(r.impact.images),
    String(r.impact.nodes),
    String(r.impact.containers),
    String(r.impact.platforms),
    String(r.protection.unaffected),
    String(r.protection.protected),
    String(r.protection.unprotected),
    r.remediation,
  ];
}

export function complianceCsvChunks(q: ComplianceQuery, rows: AsyncIterable<ComplianceRow>): AsyncGenerator<string> {
  const levels = levelsOf(q);
  return csvTable(COMPLIANCE_CSV_COLUMNS, rows, (r) => cells(r, levels));
}

export function complianceCsvStream(q: ComplianceQuery, rows: AsyncIterable<ComplianceRow>): Readable {
  return Readable.from(complianceCsvChunks(q, rows), { objectMode: false });
}

/** The filter in words, for the PDF header. */
export function describeComplianceQuery(q: ComplianceQuery): string {
  const parts: string[] = [`level ${levelsOf(q).replace(/; /g, ', ')}`];
  if (q.q) parts.push(`text contains "${q.q}"`);
  if (q.benchmark?.length) parts.push(`benchmark ${q.benchmark.join(', ')}`);
  if (q.tags?.length) parts.push(`tags ${q.tags.join(', ')}`);
  if (q.view && q.view !== 'all') parts.push(`view ${q.view}`);
  for (const [k, f] of Object.entries(q.assets ?? {})) parts.push(`${k} ${f.match === 'contains' ? 'contains' : 'is'} ${f.values.join(' or ')}`);
  return parts.join('; ');
}

export const COMPLIANCE_PDF_MAX_ROWS = 5_000;

const KIND_COLORS = { images: '#3b82c4', nodes: '#6b46c1', containers: '#d9822b', platforms: '#2c7a7b' } as const;
const KINDS = ['images', 'nodes', 'containers', 'platforms'] as const;

/** 770 points: A4 landscape inside the margins. */
const COLUMNS: ReadonlyArray<PdfColumn<ComplianceRow>> = [
  { title: 'Benchmark', width: 96, cell: (r) => r.benchmark },
  { title: 'Check', width: 46, cell: (r) => r.id },
  { title: 'Title', width: 200, cell: (r) => r.title },
  { title: 'Profile', width: 50, cell: (r) => r.profile },
  { title: 'Tags', width: 56, cell: (r) => r.tags.join(', ') },
  { title: 'Img', width: 30, cell: (r) => String(r.impact.images) },
  { title: 'Node', width: 32, cell: (r) => String(r.impact.nodes) },
  { title: 'Cont.', width: 34, cell: (r) => String(r.impact.containers) },
  { title: 'Plat.', width: 30, cell: (r) => String(r.impact.platforms) },
  { title: 'Remediation', width: 196, cell: (r) => r.remediation },
];

/**
 * The PDF. Rows are collected first (bounded by COMPLIANCE_PDF_MAX_ROWS: a larger view is a 400
 * that points to the CSV), so the summary can count them before the table is drawn.
 */
export async function compliancePdf(o: { title: string; query: ComplianceQuery; total: number; rows: AsyncIterable<ComplianceRow>; now: Date }): Promise<Readable> {
  if (o.total > COMPLIANCE_PDF_MAX_ROWS) {
    throw badRequest(`a PDF holds at most ${COMPLIANCE_PDF_MAX_ROWS} checks and this filter keeps ${o.total}: narrow the filter or download the CSV instead`);
  }
  const rows: ComplianceRow[] = [];
  for await (const r of o.rows) rows.push(r);
  const doc = newDocument({ size: 'A4', layout: 'landscape', margin: PDF_MARGIN, info: { Title: winAnsi(o.title), Author: 'Vigil', Creator: 'Vigil', CreationDate: o.now } });
  drawFooter(doc, o.title, 1);
  let y = drawTitle(doc, o.title, [
    ['Generated', formatTime(o.now)],
    ['Scope', 'Security Risks: compliance checks across images, nodes, containers and platforms'],
    ['Filter', describeComplianceQuery(o.query)],
  ]);

  // Summary: totals, then two charts: checks failing on each asset kind, and the protection state.
  const byKind = { images: 0, nodes: 0, containers: 0, platforms: 0 };
  const prot = { unaffected: 0, protected: 0, unprotected: 0 };
  const benchmarks = new Set<string>();
  for (const r of rows) {
    for (const k of KINDS) if (r.impact[k] > 0) byKind[k]++;
    prot.unaffected += r.protection.unaffected;
    prot.protected += r.protection.protected;
    prot.unprotected += r.protection.unprotected;
    benchmarks.add(r.benchmark);
  }
  doc.font('Helvetica-Bold').fontSize(12).fillColor('#1f2933').text('Summary', PDF_MARGIN, y, { lineBreak: false });
  y += 18;
  doc.font('Helvetica').fontSize(10).text(`${rows.length} check${rows.length === 1 ? '' : 's'} in ${benchmarks.size} benchmark${benchmarks.size === 1 ? '' : 's'} | checks per asset kind:`, PDF_MARGIN, y, { lineBreak: false });
  y += 18;
  y = drawBars(doc, KINDS.map((k) => ({ label: k, value: byKind[k], color: KIND_COLORS[k] })), y);
  y += 4;
  doc.font('Helvetica').fontSize(10).fillColor('#1f2933').text('Failing assets by protection state:', PDF_MARGIN, y, { lineBreak: false });
  y += 16;
  y = drawBars(doc, (['unaffected', 'protected', 'unprotected'] as const).map((k) => ({ label: k, value: prot[k], color: PROTECTION_COLORS[k] })), y);
  y = drawRule(doc, y);

  if (rows.length === 0) {
    doc.font('Helvetica-Bold').fontSize(11).fillColor('#1f2933').text('No failing check matches this filter.', PDF_MARGIN, y + 8, { lineBreak: false });
    doc.end();
    return doc as unknown as Readable;
  }
  drawTable(doc, COLUMNS, rows, y + 6, o.title);
  doc.end();
  return doc as unknown as Readable;
}

export function complianceFilename(now: Date, format: 'csv' | 'pdf'): string {
  return reportFilename('security-risks-compliance', now, format);
}
