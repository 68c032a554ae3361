import { describe, expect, test } from 'vitest';
import { findingsReport } from '../report/json/__fixtures__/app-report.js';
import type { Severity } from '../report/types.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyFilters, failOn } from './filters.js';
import { applyPolicy, loadIgnoreFile, loadVex } from './index.js';

describe('applyFilters (--severity, --ignore-unfixed)', () => {
  const report = findingsReport();

  test('no options: the same report', () => {
    expect(applyFilters(report, {})).toBe(report);
  });

  test('--severity keeps the listed severities and recounts the summary', () => {
    const out = applyFilters(report, { severities: ['critical', 'high'] });
    expect(out.vulnerabilities.map((f) => f.id).sort()).toEqual(['CVE-2020-8203', 'CVE-2021-44906', 'CVE-2023-45853']);
    expect(out.summary).toEqual({ critical: 2, high: 1, medium: 0, low: 0, negligible: 0, unknown: 0 });
    // filtering is not suppressing
    expect(out.suppressed).toEqual(report.suppressed);
  });

  test('--ignore-unfixed drops findings without a fixed version', () => {
    const out = applyFilters(report, { ignoreUnfixed: true });
    expect(out.vulnerabilities.every((f) => f.fixedVersion !== null)).toBe(true);
    expect(out.vulnerabilities.map((f) => f.id)).not.toContain('CVE-2023-45853');
    expect(out.vulnerabilities).toHaveLength(6);
  });
});

describe('failOn', () => {
  const report = findingsReport();
  test.each`
    threshold       | hit
    ${'critical'}   | ${true}
    ${'low'}        | ${true}
    ${'unknown'}    | ${true}
  `('--fail-on $threshold on the findings report → $hit', ({ threshold, hit }) => {
    expect(failOn(report, threshold as Severity)).toBe(hit);
  });

  test.each`
    severities                    | threshold       | hit
    ${['medium']}                 | ${'high'}       | ${false}
    ${['medium']}                 | ${'medium'}     | ${true}
    ${['unknown']}                | ${'negligible'} | ${false}
    ${['unknown']}                | ${'unknown'}    | ${true}
    ${['negligible']}             | ${'low'}        | ${false}
  `('only $severities, --fail-on $threshold → $hit', ({ severities, threshold, hit }) => {
    expect(failOn(applyFilters(report, { severities }), threshold as Severity)).toBe(hit);
  });
});

describe('applyPolicy', () => {
  test('VEX, then the ignore file, then the filters', async () => {
    const fixtures = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__');
    const vex = [await loadVex(join(fixtures, 'vex', 'web-image.openvex.json'))];
    const ignores = await loadIgnoreFile(join(fixtures, 'vigilignore.yaml'));
    const out = applyPolicy(findingsReport(), { vex, ignores, severities: ['critical', 'high', 'medium'], now: new Date('2025-03-01T00:00:00Z') });
    expect(out.suppressed!.map((s) => `${s.reason}:${s.finding.id}/${s.finding.package.name}`)).toEqual([
      'vex:CVE-2024-35195/requests',
      'vex:CVE-2024-0727/libssl3',
      'vex:CVE-2020-8203/lodash',
      'ignore-file:CVE-2021-44906/minimist',
    ]);
    expect(out.vulnerabilities.map((f) => `${f.id}/${f.package.name}`)).toEqual([
      'CVE-2023-45853/zlib1g',
      'CVE-2024-0727/openssl',
      'CVE-2023-32681/requests',
    ]);
    expect(failOn(out, 'critical')).toBe(true);
  });
});
