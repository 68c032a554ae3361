/**
 * The output formats. Each lives in its own folder and is registered here by hand: the map is
 * the one list of what `--format` accepts (a test checks every folder is in it).
 */
import { VigilError } from '../core/errors.js';
import { csvReporter } from './csv/csv-reporter.js';
import { cyclonedxReporter } from './cyclonedx/cyclonedx-reporter.js';
import { jsonReporter } from './json/json-reporter.js';
import { spdxReporter } from './spdx/spdx-reporter.js';
import { tableReporter } from './table/table-reporter.js';
import type { Reporter } from './types.js';

export const REPORTERS: ReadonlyMap<string, Reporter> = new Map<string, Reporter>(
  [tableReporter, jsonReporter, csvReporter, cyclonedxReporter, spdxReporter].map((r) => [r.format, r]),
);

/** The accepted `--format` values, in help order. */
export function reportFormats(): string[] {
  return [...REPORTERS.keys()];
}

/** @throws VigilError `bad-format` (usage, exit 2) for a format that does not exist. */
export function getReporter(format: string): Reporter {
  const r = REPORTERS.get(format);
  if (!r) {
    throw new VigilError('bad-format', `unknown format "${format}"; valid formats: ${reportFormats().join(', ')}`, {
      kind: 'usage',
    });
  }
  return r;
}

export type { Reporter, RenderOptions, ScanReport, Finding } from './types.js';
