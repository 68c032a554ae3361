/**
 * The output formats. Each lives in its own folder and is registered here by hand: the map is
 * the one list of what `--format` accepts (a test checks every folder is in it).
 */
import { VigilError } from '../core/errors.js';
import type { Reporter } from './types.js';

/**
 * Each format is loaded only when asked for: the CycloneDX library alone costs ~60 ms of
 * start-up, which a `--format json` scan should not pay.
 */
const LOADERS: ReadonlyMap<string, () => Promise<Reporter>> = new Map<string, () => Promise<Reporter>>([
  ['table', async () => (await import('./table/table-reporter.js')).tableReporter],
  ['json', async () => (await import('./json/json-reporter.js')).jsonReporter],
  ['csv', async () => (await import('./csv/csv-reporter.js')).csvReporter],
  ['sarif', async () => (await import('./sarif/sarif-reporter.js')).sarifReporter],
  ['cyclonedx', async () => (await import('./cyclonedx/cyclonedx-reporter.js')).cyclonedxReporter],
  ['spdx-json', async () => (await import('./spdx/spdx-reporter.js')).spdxReporter],
]);

/** The accepted `--format` values, in help order. */
export function reportFormats(): string[] {
  return [...LOADERS.keys()];
}

/** @throws VigilError `bad-format` (usage, exit 2) for a format that does not exist. */
export async function getReporter(format: string): Promise<Reporter> {
  const load = LOADERS.get(format);
  if (!load) {
    throw new VigilError('bad-format', `unknown format "${format}"; valid formats: ${reportFormats().join(', ')}`, {
      kind: 'usage',
    });
  }
  return load();
}

export type { Reporter, RenderOptions, ScanReport, Finding, Suppression } from './types.js';
