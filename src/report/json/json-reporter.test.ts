import { describe, expect, test } from 'vitest';
import { appReport } from './__fixtures__/app-report.js';
import { jsonReporter } from './json-reporter.js';
import { comparePackages, compareFindings } from './canonical.js';

describe('json reporter', () => {
  const report = appReport();
  const text = jsonReporter.render(report, {});
  const out = JSON.parse(text) as Record<string, unknown> & {
    artifact: Record<string, unknown>;
    packages: Array<Record<string, unknown>>;
    vulnerabilities: Array<Record<string, unknown>>;
  };

  test('top-level keys are the SPEC keys in SPEC order', () => {
    expect(Object.keys(out)).toEqual(['schemaVersion', 'artifact', 'db', 'packages', 'vulnerabilities', 'summary', 'warnings']);
    expect(Object.keys(out.artifact).slice(0, 5)).toEqual(['type', 'name', 'digest', 'os', 'layers']);
    expect(Object.keys(out.summary as object)).toEqual(['critical', 'high', 'medium', 'low', 'negligible', 'unknown']);
  });

  test('packages keep the SPEC field names, in SPEC order, and are sorted', () => {
    expect(out.packages).toHaveLength(report.packages.length);
    const deb = out.packages.find((p) => p.name === 'libssl3')!;
    expect(Object.keys(deb).slice(0, 8)).toEqual([
      'name',
      'version',
      'type',
      'sourceName',
      'sourceVersion',
      'purl',
      'layer',
      'locations',
    ]);
    const sorted = [...report.packages].sort(comparePackages).map((p) => p.purl + p.locations[0]);
    expect(out.packages.map((p) => String(p.purl) + (p.locations as string[])[0])).toEqual(sorted);
  });

  test('findings keep the SPEC field names, nulls included, and are sorted', () => {
    const f = out.vulnerabilities.find((v) => v.id === 'CVE-2026-103111')!;
    expect(Object.keys(f)).toEqual([
      'id',
      'aliases',
      'package',
      'fixedVersion',
      'status',
      'severity',
      'cvss',
      'kev',
      'epss',
      'source',
      'layer',
    ]);
    expect(f.fixedVersion).toBeNull();
    expect(f.cvss).toBeNull();
    expect(f.epss).toBeNull();
    const ids = [...report.vulnerabilities].sort(compareFindings).map((v) => `${v.id}/${v.package.name}`);
    expect(out.vulnerabilities.map((v) => `${v.id}/${(v.package as { name: string }).name}`)).toEqual(ids);
  });

  test('the image run config (env may hold secrets) is not written', () => {
    expect(text).not.toContain('must-not-leak');
    expect(out.artifact).not.toHaveProperty('config');
  });

  test('is pretty-printed and ends with a newline', () => {
    expect(text.startsWith('{\n  "schemaVersion": 1,')).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
  });

  test('an inventory without a DB writes db: null and no findings', () => {
    const inv = JSON.parse(jsonReporter.render(appReport({ withFindings: false }), {})) as Record<string, unknown>;
    expect(inv.db).toBeNull();
    expect(inv.vulnerabilities).toEqual([]);
  });
});
