import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { VigilError } from '../core/errors.js';
import { getReporter, reportFormats } from './index.js';
import { appReport, findingsReport, smallReport } from './json/__fixtures__/app-report.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Folder and golden-file extension of each format. */
const LAYOUT: Record<string, { dir: string; ext: string }> = {
  table: { dir: 'table', ext: 'txt' },
  json: { dir: 'json', ext: 'json' },
  csv: { dir: 'csv', ext: 'csv' },
  sarif: { dir: 'sarif', ext: 'sarif' },
  cyclonedx: { dir: 'cyclonedx', ext: 'json' },
  'spdx-json': { dir: 'spdx', ext: 'json' },
};

const now = new Date('2025-01-01T00:00:00.000Z');

describe('reporter registry', () => {
  test('every format folder is registered, and every registered format has a folder', async () => {
    const folders = readdirSync(here).filter((d) => statSync(join(here, d)).isDirectory() && !d.startsWith('_'));
    expect(folders.sort()).toEqual(Object.values(LAYOUT).map((l) => l.dir).sort());
    expect(reportFormats().sort()).toEqual(Object.keys(LAYOUT).sort());
    for (const format of reportFormats()) expect((await getReporter(format)).format).toBe(format);
  });

  test('an unknown format is a usage error that lists the valid ones', async () => {
    let err: unknown;
    try {
      await getReporter('xml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(VigilError);
    expect(err).toMatchObject({ code: 'bad-format', kind: 'usage' });
    expect((err as Error).message).toBe(
      'unknown format "xml"; valid formats: table, json, csv, sarif, cyclonedx, spdx-json',
    );
  });
});

// The contract every reporter keeps.
describe.each(Object.keys(LAYOUT))('%s reporter contract', async (format) => {
  const reporter = await getReporter(format);

  test('renders a report with findings, and is pure: same input, same output, input untouched', () => {
    const report = appReport();
    const before = JSON.stringify(report);
    const a = reporter.render(report, { now, toolVersion: '0.1.0' });
    expect(a.length).toBeGreaterThan(0);
    expect(a.endsWith('\n')).toBe(true);
    expect(reporter.render(report, { now, toolVersion: '0.1.0' })).toBe(a);
    expect(JSON.stringify(report)).toBe(before);
    // every finding's id reaches the output, except in SPDX 2.3 which has no place for them
    if (format !== 'spdx-json') for (const f of report.vulnerabilities) expect(a).toContain(f.id);
  });

  test('renders an empty report', () => {
    const empty = { ...smallReport(), packages: [], vulnerabilities: [] };
    expect(() => reporter.render(empty, { now })).not.toThrow();
  });

  // `small`: one finding; `findings`: every severity, KEV, EPSS, no-fix, aliases, three layers, a suppression.
  test.each([
    ['small', smallReport],
    ['findings', findingsReport],
  ])('matches its golden file for the %s report (VIGIL_UPDATE_GOLDEN=1 rewrites it)', (name, make) => {
    const { dir, ext } = LAYOUT[format]!;
    const path = join(here, dir, '__fixtures__', `${name}.golden.${ext}`);
    const out = reporter.render(make(), { now, toolVersion: '0.0.0-test' });
    if (process.env.VIGIL_UPDATE_GOLDEN === '1') {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, out);
    }
    expect(out).toBe(readFileSync(path, 'utf8'));
  });
});
