/**
 * The controller's CSV export: one line per row of the filtered view, written as a stream of
 * chunks so that a 50,000-row export never exists as one string. Quoting and the formula guard
 * are the CLI reporter's (`csvField`): one rule for every CSV Vigil writes.
 *
 * There is no summary block in the CSV: a spreadsheet or a script reads a CSV as a header and
 * uniform records, and the summary is a sum over the file anyway. The PDF carries the summary.
 */
import { Readable } from 'node:stream';
import { csvField } from '../../report/csv/csv-reporter.js';
import type { ReportRow } from './filter.js';

export const REPORT_CSV_COLUMNS = [
  'registry',
  'repository',
  'tag',
  'digest',
  'artifact_name',
  'vulnerability_id',
  'aliases',
  'severity',
  'cvss_score',
  'package_name',
  'package_type',
  'installed_version',
  'fixed_version',
  'status',
  'layer_diff_id',
  'layer_created_by',
  'title',
  'kev',
  'epss',
  'link',
] as const;

export type ReportCsvColumn = (typeof REPORT_CSV_COLUMNS)[number];

/** Multi-valued cells (aliases) are joined inside one field, as in the CLI's CSV. */
const LIST_SEP = '; ';

/** The cells of one row, by column: the mapping the tests read back. */
export function csvCells(r: ReportRow): Record<ReportCsvColumn, string> {
  return {
    registry: r.registry ?? '',
    repository: r.repository ?? '',
    tag: r.tag ?? '',
    digest: r.digest,
    artifact_name: r.artifactName,
    vulnerability_id: r.vulnerabilityId,
    aliases: r.aliases.join(LIST_SEP),
    severity: r.severity,
    cvss_score: r.score === null ? '' : String(r.score),
    package_name: r.packageName,
    package_type: r.packageType,
    installed_version: r.installedVersion,
    fixed_version: r.fixedVersion ?? '',
    status: r.status,
    layer_diff_id: r.layerDiffId ?? '',
    layer_created_by: r.layerCreatedBy ?? '',
    title: r.title ?? '',
    kev: String(r.kev),
    epss: r.epss === null ? '' : String(r.epss),
    link: r.link ?? '',
  };
}

function csvLine(cells: readonly string[]): string {
  return cells.map(csvField).join(',') + '\r\n';
}

/** Rows are gathered into chunks of about this many characters: few writes, small buffers. */
const CHUNK_CHARS = 64 * 1024;

/**
 * Any table as CSV chunks: the header, then one line per row; pulled one chunk at a time by the
 * consumer. Every CSV export of the controller (reports, Security Risks) is written by it.
 */
export async function* csvTable<R>(header: readonly string[], rows: Iterable<R> | AsyncIterable<R>, cells: (r: R) => readonly string[]): AsyncGenerator<string> {
  let chunk = csvLine(header);
  for await (const row of rows) {
    chunk += csvLine(cells(row));
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

/** The findings CSV as chunks. */
export function csvChunks(rows: Iterable<ReportRow> | AsyncIterable<ReportRow>): AsyncGenerator<string> {
  return csvTable(REPORT_CSV_COLUMNS, rows, (row) => {
    const cells = csvCells(row);
    return REPORT_CSV_COLUMNS.map((c) => cells[c]);
  });
}

/** A byte stream of the CSV (UTF-8) that produces more only as fast as the client reads. */
export function csvStream(rows: Iterable<ReportRow> | AsyncIterable<ReportRow>): Readable {
  return Readable.from(csvChunks(rows), { objectMode: false });
}
