import { describe, expect, test } from 'vitest';
import { findingsReport } from '../report/json/__fixtures__/app-report.js';
import type { Finding, ScanReport } from '../report/types.js';
import { applyFilters, failOn, withFindings } from './filters.js';
import { MAX_NAMED, evaluateVerdict, type VerdictPolicy } from './verdict.js';

// findingsReport(): critical CVE-2023-45853 (no fix) and CVE-2021-44906; high CVE-2020-8203;
// medium CVE-2024-0727 (twice: libssl3 and openssl) and CVE-2023-32681; low CVE-2025-9230 (no fix);
// negligible CVE-2018-25032; unknown GHSA-vh95-rmgr-6w4m (no fix); CVE-2024-35195 is suppressed by VEX.
const report = findingsReport();

describe('evaluateVerdict', () => {
  test('an empty policy passes anything', () => {
    expect(evaluateVerdict(report, {})).toEqual({ pass: true, reasons: [] });
  });

  test.each`
    policy                                                  | pass     | reason
    ${{ failOn: 'critical' }}                               | ${false} | ${'2 findings of severity critical: CVE-2023-45853, CVE-2021-44906'}
    ${{ failOn: 'high' }}                                   | ${false} | ${'3 findings of severity high or worse: CVE-2023-45853, CVE-2020-8203, CVE-2021-44906'}
    ${{ failOn: 'critical', ignoreUnfixed: true }}          | ${false} | ${'1 finding with a fix of severity critical: CVE-2021-44906'}
    ${{ failOn: 'unknown' }}                                | ${false} | ${'9 findings of any severity: '}
    ${{ maxCounts: { medium: 3 } }}                         | ${true}  | ${undefined}
    ${{ maxCounts: { medium: 2 } }}                         | ${false} | ${'3 medium findings, more than the 2 allowed: CVE-2024-0727, CVE-2023-32681'}
    ${{ maxCounts: { critical: 0 } }}                       | ${false} | ${'2 critical findings, more than the 0 allowed: CVE-2023-45853, CVE-2021-44906'}
    ${{ maxCounts: { critical: 0 }, ignoreUnfixed: true }}  | ${false} | ${'1 critical finding with a fix, more than the 0 allowed: CVE-2021-44906'}
    ${{ maxCounts: { low: 0 }, ignoreUnfixed: true }}       | ${true}  | ${undefined}
    ${{ denyIds: ['CVE-2020-8203'] }}                       | ${false} | ${'denied vulnerability found: CVE-2020-8203 in lodash 4.17.15'}
    ${{ denyIds: ['ghsa-xvch-5gv4-984h'] }}                 | ${false} | ${'denied vulnerability found: GHSA-xvch-5gv4-984h (as CVE-2021-44906) in minimist 1.2.5'}
    ${{ denyIds: ['CVE-2024-0727'] }}                       | ${false} | ${'denied vulnerabilities found: CVE-2024-0727 in libssl3 3.0.11-1~deb12u2, CVE-2024-0727 in openssl 3.0.11-1~deb12u2'}
    ${{ denyIds: ['CVE-2024-35195'] }}                      | ${true}  | ${undefined}
    ${{ denyIds: ['CVE-2023-45853'], ignoreUnfixed: true }} | ${true}  | ${undefined}
    ${{ denyIds: [] }}                                      | ${true}  | ${undefined}
  `('$policy → pass $pass ($reason)', ({ policy, pass, reason }: { policy: VerdictPolicy; pass: boolean; reason: string | undefined }) => {
    const v = evaluateVerdict(report, policy);
    expect(v.pass).toBe(pass);
    if (reason === undefined) expect(v.reasons).toEqual([]);
    else expect(v.reasons).toEqual([expect.stringContaining(reason)]);
  });

  test('the severity rule agrees with --fail-on for every threshold, filtered or not', () => {
    for (const threshold of ['critical', 'high', 'medium', 'low', 'negligible', 'unknown'] as const) {
      for (const ignoreUnfixed of [false, true]) {
        expect(evaluateVerdict(report, { failOn: threshold, ignoreUnfixed }).pass, `${threshold} ${ignoreUnfixed}`).toBe(!failOn(applyFilters(report, { ignoreUnfixed }), threshold));
      }
    }
  });

  test('every failing rule gives its own reason, in the order failOn, maxCounts, denyIds', () => {
    const v = evaluateVerdict(report, { failOn: 'critical', maxCounts: { high: 0, medium: 0 }, denyIds: ['CVE-2025-9230'] });
    expect(v.pass).toBe(false);
    expect(v.reasons).toEqual([
      expect.stringMatching(/^2 findings of severity critical/),
      expect.stringMatching(/^1 high finding, more than the 0 allowed: CVE-2020-8203$/),
      expect.stringMatching(/^3 medium findings/),
      'denied vulnerability found: CVE-2025-9230 in libssl3 3.0.11-1~deb12u2',
    ]);
  });

  test('a report without findings passes the strictest policy', () => {
    const clean = withFindings(report, []);
    expect(evaluateVerdict(clean, { failOn: 'unknown', maxCounts: { critical: 0 }, denyIds: ['CVE-2020-8203'] })).toEqual({ pass: true, reasons: [] });
  });

  test(`a reason names at most ${MAX_NAMED} ids, then says how many more`, () => {
    const base = report.vulnerabilities[0]!;
    const many: Finding[] = Array.from({ length: 25 }, (_, i) => ({ ...base, id: `CVE-2099-${1000 + i}`, severity: 'high' }));
    const big: ScanReport = withFindings(report, many);
    const [reason] = evaluateVerdict(big, { failOn: 'high' }).reasons;
    expect(reason).toMatch(/^25 findings of severity high or worse: CVE-2099-1000, .*CVE-2099-1009 and 15 more$/);
    expect(reason).not.toContain('CVE-2099-1010');
  });

  test.each`
    policy                                    | message
    ${{ failOn: 'severe' }}                   | ${/failOn: unknown severity "severe"/}
    ${{ maxCounts: { critical: -1 } }}        | ${/maxCounts.critical must be a whole number/}
    ${{ maxCounts: { high: 1.5 } }}           | ${/maxCounts.high must be a whole number/}
    ${{ maxCounts: { important: 1 } }}        | ${/maxCounts: unknown severity "important"/}
  `('a bad policy $policy is refused (bad-policy)', ({ policy, message }: { policy: VerdictPolicy; message: RegExp }) => {
    expect(() => evaluateVerdict(report, policy)).toThrow(message);
  });
});
