import { describe, expect, test } from 'vitest';
import { appReport } from '../json/__fixtures__/app-report.js';
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

  test('shows each package exactly once, grouped by type', () => {
    const lines = plain.split('\n');
    const start = lines.findIndex((l) => l.startsWith('Packages ('));
    const end = lines.findIndex((l) => l.startsWith('Vulnerabilities ('));
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

  test('shows the layer as index + short diffId and shortens long paths in the middle', () => {
    const age = plain.split('\n').find((l) => l.trim().startsWith('age '))!;
    expect(age).toContain('#2 5374cc73871e');
    const long = appReport();
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
