import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { VigilError } from '../core/errors.js';
import { findingsReport } from '../report/json/__fixtures__/app-report.js';
import type { IgnoreSuppression, ScanReport } from '../report/types.js';
import { failOn } from './filters.js';
import { applyIgnores, isExpired, loadIgnoreFile, parseIgnoreFile, type IgnoreEntry } from './ignore-file.js';

const file = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__', 'vigilignore.yaml');
const ids = (r: ScanReport): string[] => r.vulnerabilities.map((f) => `${f.id}/${f.package.name}`);
const suppressedIds = (r: ScanReport): string[] =>
  (r.suppressed ?? []).filter((s) => s.reason === 'ignore-file').map((s) => `${s.finding.id}/${s.finding.package.name}`);

function error(text: string): VigilError {
  try {
    parseIgnoreFile(text, '.vigilignore.yaml');
  } catch (e) {
    return e as VigilError;
  }
  throw new Error('no error');
}

describe('loadIgnoreFile / parseIgnoreFile', () => {
  test('reads entries with their reasons and expiry dates', async () => {
    const entries = await loadIgnoreFile(file);
    expect(entries).toEqual([
      { id: 'CVE-2024-0727', package: 'libssl3', reason: 'we never parse PKCS12 input', expires: '2025-06-30', file },
      {
        id: 'GHSA-xvch-5gv4-984h',
        package: 'pkg:npm/minimist@1.2.5',
        paths: ['/app/node_modules/**'],
        reason: 'build-time only dependency, not shipped to clients',
        file,
      },
      { id: 'CVE-2018-25032', reason: 'negligible per Debian', expires: '2024-12-31', file },
    ]);
  });

  test('a bare list and an empty file are fine', () => {
    expect(parseIgnoreFile('- id: CVE-1\n  reason: r\n')).toHaveLength(1);
    expect(parseIgnoreFile('')).toEqual([]);
    expect(parseIgnoreFile('ignore:\n')).toEqual([]);
  });

  test.each`
    name                  | text                                                                   | message
    ${'missing reason'}   | ${'ignore:\n  - id: CVE-2024-0727\n    package: libssl3\n'}            | ${'.vigilignore.yaml: entry 1 (CVE-2024-0727): "reason" is required: say why this risk is accepted'}
    ${'empty reason'}     | ${'- id: CVE-1\n  reason: "  "\n'}                                     | ${'"reason" is required'}
    ${'missing id'}       | ${'- reason: because\n'}                                               | ${'entry 1: "id" (a CVE, GHSA or other vulnerability id) is required'}
    ${'bad YAML'}         | ${'ignore:\n  - id: CVE-1\n   reason: [unclosed\n'}                    | ${'.vigilignore.yaml: not valid YAML'}
    ${'not a list'}       | ${'ignore: CVE-1\n'}                                                   | ${'expected a list of entries'}
    ${'a typo in a key'}  | ${'- id: CVE-1\n  reson: r\n'}                                         | ${'unknown key "reson"'}
    ${'a bad date'}       | ${'- id: CVE-1\n  reason: r\n  expires: 2025-02-30\n'}                 | ${'"expires" must be a date YYYY-MM-DD (got "2025-02-30")'}
    ${'a bad purl'}       | ${'- id: CVE-1\n  reason: r\n  package: "pkg:"\n'}                     | ${'"package" is not a valid purl'}
    ${'empty paths'}      | ${'- id: CVE-1\n  reason: r\n  paths: []\n'}                           | ${'"paths" must be a non-empty list'}
  `('$name → bad-ignore-file (usage)', ({ text, message }) => {
    const e = error(text);
    expect(e).toBeInstanceOf(VigilError);
    expect(e).toMatchObject({ code: 'bad-ignore-file', kind: 'usage' });
    expect(e.message).toContain(message);
  });

  test('an unreadable file is bad-ignore-file', async () => {
    await expect(loadIgnoreFile(file + '.missing')).rejects.toMatchObject({ code: 'bad-ignore-file', kind: 'usage' });
  });
});

describe('applyIgnores', () => {
  test.each`
    now                       | expired
    ${'2025-06-29T23:59:59Z'} | ${false}
    ${'2025-06-30T00:00:00Z'} | ${true}
    ${'2026-01-01T00:00:00Z'} | ${true}
  `('expires 2025-06-30, now $now → expired: $expired', ({ now, expired }) => {
    expect(isExpired({ id: 'x', reason: 'r', expires: '2025-06-30' }, new Date(now))).toBe(expired);
  });

  test('before expiry: matches move to suppressed with the entry\'s reason; expired entries warn', async () => {
    const entries = await loadIgnoreFile(file);
    const out = applyIgnores(findingsReport(), entries, new Date('2025-03-01T00:00:00Z'));
    // libssl3 by name (not openssl: same CVE, other package), minimist by its CVE's GHSA alias and purl
    expect(suppressedIds(out)).toEqual(['CVE-2024-0727/libssl3', 'CVE-2021-44906/minimist']);
    expect(ids(out)).toContain('CVE-2024-0727/openssl');
    // CVE-2018-25032's entry expired on 2024-12-31: the finding stays, with a warning
    expect(ids(out)).toContain('CVE-2018-25032/zlib1g');
    expect(out.warnings.filter((w) => w.code === 'ignore-expired')).toEqual([
      {
        code: 'ignore-expired',
        message: 'the ignore entry for CVE-2018-25032 expired on 2024-12-31 and no longer applies (reason was: negligible per Debian)',
        location: file,
      },
    ]);
    const s = out.suppressed!.find((x) => x.finding.package.name === 'libssl3') as IgnoreSuppression;
    expect(s.entry).toEqual({ file, id: 'CVE-2024-0727', package: 'libssl3', reason: 'we never parse PKCS12 input', expires: '2025-06-30' });
    // the VEX suppression the report already had is kept
    expect(out.suppressed!.filter((x) => x.reason === 'vex')).toHaveLength(1);
    expect(out.summary.critical).toBe(1);
  });

  test('after expiry the entry no longer applies', async () => {
    const entries = await loadIgnoreFile(file);
    const out = applyIgnores(findingsReport(), entries, new Date('2025-07-01T00:00:00Z'));
    expect(suppressedIds(out)).toEqual(['CVE-2021-44906/minimist']);
    expect(out.warnings.filter((w) => w.code === 'ignore-expired')).toHaveLength(2);
  });

  const entry = (e: Partial<IgnoreEntry>): IgnoreEntry => ({ id: 'CVE-2020-8203', reason: 'r', ...e });
  test.each`
    case                                   | e                                                                | suppressed
    ${'id only: every package'}            | ${{}}                                                            | ${true}
    ${'by alias'}                          | ${{ id: 'GHSA-p6mc-m468-83gw' }}                                 | ${true}
    ${'by name'}                           | ${{ package: 'lodash' }}                                         | ${true}
    ${'by another name'}                   | ${{ package: 'underscore' }}                                     | ${false}
    ${'by purl without version'}           | ${{ package: 'pkg:npm/lodash' }}                                 | ${true}
    ${'by purl, other version'}            | ${{ package: 'pkg:npm/lodash@4.17.21' }}                         | ${false}
    ${'path glob covering it'}             | ${{ paths: ['/app/node_modules/**'] }}                           | ${true}
    ${'directory covering it'}             | ${{ paths: ['app/node_modules'] }}                               | ${true}
    ${'single-segment glob'}               | ${{ paths: ['/app/*/lodash/package.json'] }}                     | ${true}
    ${'path elsewhere'}                    | ${{ paths: ['/usr/lib/**'] }}                                    | ${false}
    ${'a prefix that is not a directory'}  | ${{ paths: ['/ap'] }}                                            | ${false}
    ${'another id'}                        | ${{ id: 'CVE-2020-8204' }}                                       | ${false}
  `('$case → suppressed: $suppressed', ({ e, suppressed }) => {
    const out = applyIgnores(findingsReport(), [entry(e)], new Date('2025-01-01T00:00:00Z'));
    expect(suppressedIds(out)).toEqual(suppressed ? ['CVE-2020-8203/lodash'] : []);
  });

  test('paths must cover every copy of the package', () => {
    const report = findingsReport();
    const lodash = report.packages.find((p) => p.name === 'lodash')!;
    report.packages.push({ ...lodash, locations: ['/srv/other/node_modules/lodash/package.json'] });
    const out = applyIgnores(report, [entry({ paths: ['/app/**'] })], new Date('2025-01-01T00:00:00Z'));
    expect(suppressedIds(out)).toEqual([]);
  });

  test('--fail-on ignores suppressed findings', () => {
    const report = findingsReport();
    expect(failOn(report, 'critical')).toBe(true);
    const out = applyIgnores(
      report,
      [entry({ id: 'CVE-2023-45853', reason: 'zlib minizip is not used' }), entry({ id: 'CVE-2021-44906', reason: 'build only' })],
      new Date('2025-01-01T00:00:00Z'),
    );
    expect(failOn(out, 'critical')).toBe(false);
    expect(failOn(out, 'high')).toBe(true);
  });
});
