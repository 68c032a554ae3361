import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { appReport, findingsReport } from '../json/__fixtures__/app-report.js';
import { tableReporter } from './table-reporter.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

describe('table reporter', () => {
  const report = appReport();
  const plain = tableReporter.render(report, { color: false });

  test('starts with the header block', () => {
    const head = plain.split('\n').slice(0, 6);
    expect(head[0]).toMatch(/^Artifact\s+oci:\.\.\/shared\/fixtures\/images\/oci:app \(image\)$/);
    expect(head).toContainEqual(`Digest    ${report.artifact.digest}`);
    expect(head).toContainEqual('OS        debian 12 (bookworm)');
    expect(head).toContainEqual('Layers    4');
  });

  // Without a DB (vigil sbom --format table, inventory only) the table lists every package.
  const inventoryOnly = tableReporter.render({ ...report, db: null, vulnerabilities: [] }, { color: false });

  test('an inventory lists each package exactly once, grouped by type', () => {
    const lines = inventoryOnly.split('\n');
    const start = lines.findIndex((l) => l.startsWith('Packages ('));
    const end = lines.findIndex((l) => /^(Warnings \(|Suppressed|Summary:)/.test(l));
    const rows = lines.slice(start, end).filter((l) => /^ {2}\S/.test(l) && !l.startsWith('  NAME'));
    expect(rows).toHaveLength(report.packages.length);
    for (const p of report.packages) {
      const matching = rows.filter((r) => {
        const [name, version, type] = r.trim().split(/\s+/);
        return name === p.name && version === p.version && type === p.type;
      });
      const twins = report.packages.filter((q) => q.name === p.name && q.version === p.version && q.type === p.type);
      expect(matching, `${p.type}/${p.name}@${p.version}`).toHaveLength(twins.length);
    }
    const groups = lines.filter((l) => /^(deb|npm|pypi|maven|golang) \(\d+\)$/.test(l));
    expect(groups).toEqual(['deb (121)', 'golang (1)', 'maven (1)', 'npm (28)', 'pypi (7)']);
  });

  test('a vulnerability scan counts the packages by type instead of listing them', () => {
    expect(plain).toMatch(/^Packages {2}\d+ \(deb \d+, /m);
    expect(plain).not.toContain('Packages (');
  });

  test('shows the layer as index + short diffId and shortens long paths in the middle', () => {
    const age = inventoryOnly.split('\n').find((l) => l.trim().startsWith('age '))!;
    expect(age).toContain('#2 5374cc73871e');
    const long = { ...appReport(), db: null };
    long.packages[0]!.locations = ['/very/' + 'deep/'.repeat(30) + 'package.json'];
    const row = tableReporter.render(long, {}).split('\n').find((l) => l.includes('/very/'))!;
    expect(row).toContain('…');
    expect(row).toMatch(/package\.json$/);
  });

  test('groups findings per package with severity counts, and ends with the summary', () => {
    expect(plain).toContain('Vulnerabilities (7)');
    expect(plain).toMatch(/^lodash 4\.17\.15 \(npm\) {2}\(critical: 1\)$/m);
    expect(plain).toMatch(/^ {2}CVE-2020-8203 +CRITICAL +7\.4 +yes +fixed +4\.17\.19 +Prototype Pollution in lodash$/m);
    // a newline inside a title must not break the row
    expect(plain).toContain('openssl: line one line two');
    const last = plain.trimEnd().split('\n').pop();
    expect(last).toBe(
      'Summary: 158 packages, 7 vulnerabilities (critical: 1, high: 2, medium: 1, low: 1, negligible: 1, unknown: 1)',
    );
  });

  test('colours only when asked', () => {
    expect(plain).not.toMatch(ANSI);
    expect(tableReporter.render(report, {})).not.toMatch(ANSI);
    const coloured = tableReporter.render(report, { color: true });
    expect(coloured).toMatch(ANSI);
    // colour never changes the text or the alignment
    expect(coloured.replace(ANSI, '')).toBe(plain);
  });

  test('an inventory without findings says so', () => {
    const inv = tableReporter.render(appReport({ withFindings: false }), {});
    expect(inv).not.toContain('Vulnerabilities (');
    expect(inv.trimEnd().split('\n').pop()).toBe('Summary: 158 packages (inventory only, no vulnerability DB)');
  });
});

describe('table reporter --layers', () => {
  const report = findingsReport();
  const out = tableReporter.render(report, { layers: true });
  const lines = out.split('\n');

  test('groups findings under one heading per layer, in layer order, with its created_by', () => {
    const headings = lines.filter((l) => l.startsWith('Layer '));
    expect(headings).toEqual([
      'Layer #0 111111111111  (critical: 1, medium: 1, low: 1, negligible: 1)',
      'Layer #1 222222222222  (medium: 2)',
      'Layer #2 333333333333  (critical: 1, high: 1, unknown: 1)',
    ]);
    const first = lines.indexOf(headings[0]!);
    expect(lines[first + 1]).toBe('  created by: /bin/sh -c #(nop) ADD file:5d6b639e8b6bcc011 in /');
    expect(out).toContain('Vulnerabilities (9) by layer');
  });

  test('each finding appears once, under the layer of its package', () => {
    const at = (needle: string) => lines.findIndex((l) => l.includes(needle));
    const rows = lines.filter((l) => /^ {2}(CVE|GHSA)-/.test(l));
    expect(rows).toHaveLength(report.vulnerabilities.length);
    // openssl (layer #1) is listed after the layer #1 heading, libssl3 (layer #0) before it
    expect(at('openssl 3.0.11')).toBeGreaterThan(at('Layer #1'));
    expect(at('libssl3 3.0.11')).toBeLessThan(at('Layer #1'));
    expect(at('lodash 4.17.15')).toBeGreaterThan(at('Layer #2'));
  });

  test('a finding without a known layer goes to a last "No layer" group; colour keeps the text', () => {
    const r = findingsReport();
    r.packages = r.packages.filter((p) => p.name !== 'minimist');
    for (const f of r.vulnerabilities) if (f.package.name === 'minimist') delete f.layer;
    const text = tableReporter.render(r, { layers: true });
    expect(text.split('\n').filter((l) => /^(Layer|No layer)/.test(l)).pop()).toBe('No layer  (critical: 1, unknown: 1)');
    expect(tableReporter.render(report, { layers: true, color: true }).replace(ANSI, '')).toBe(out);
  });

  test('matches its golden file (VIGIL_UPDATE_GOLDEN=1 rewrites it)', () => {
    const path = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__', 'findings-layers.golden.txt');
    if (process.env.VIGIL_UPDATE_GOLDEN === '1') writeFileSync(path, out);
    expect(out).toBe(readFileSync(path, 'utf8'));
  });
});
