import { describe, expect, test } from 'vitest';
import { buildReport } from '../engine/run-benchmark.js';
import type { CheckResult } from '../types.js';
import { complianceFormats, getComplianceReporter } from './index.js';

const r = (id: string, level: CheckResult['level'], evidence: string[]): CheckResult => ({
  id, title: `Check "${id}", <tricky> & co`, level, type: 'daemon', profile: 'Level 1', scored: true, automated: true, evidence, remediation: 'Fix it, then "verify".', tags: ['PCI'],
});
const report = buildReport('cis-docker-1.6.0', { type: 'host', name: '/host', root: '/host' }, [
  r('2.2', 'WARN', ['icc = true\nsecond line']), r('2.3', 'PASS', []), r('3.1', 'ERROR', ['bad \u0001 json']), r('1.2.1', 'MANUAL', ['needs a human']),
]);

describe('compliance reporters', () => {
  test('the registry lists every format', () => {
    expect(complianceFormats()).toEqual(['table', 'json', 'csv', 'junit', 'sarif']);
  });

  test('CSV quotes commas, quotes and line breaks (RFC 4180)', () => {
    const csv = getComplianceReporter('csv').render(report, {});
    expect(csv.split('\r\n')[1]).toBe('cis-docker-1.6.0,/host,2.2,"Check ""2.2"", <tricky> & co",WARN,daemon,Level 1,true,true,"icc = true\nsecond line","Fix it, then ""verify"".",PCI');
  });

  test('JUnit: one testcase per check, WARN and ERROR as failures, escaped', () => {
    const x = getComplianceReporter('junit').render(report, {});
    expect(x.match(/<testcase /g)).toHaveLength(4);
    expect(x).toContain('<testsuites name="cis-docker-1.6.0" tests="4" failures="1" errors="1" skipped="1">');
    expect(x).toContain('name="2.2 Check &quot;2.2&quot;, &lt;tricky&gt; &amp; co"');
    expect(x).toContain('<failure message="bad  json" type="ERROR">');
    expect(x).not.toContain('\u0001');
  });

  test('SARIF: one rule per check, results for all but PASS', () => {
    const s = JSON.parse(getComplianceReporter('sarif').render(report, { toolVersion: '1.0.0' }));
    expect(s.runs[0].tool.driver.rules.map((x: { id: string }) => x.id)).toEqual(['2.2', '2.3', '3.1', '1.2.1']);
    expect(s.runs[0].results.map((x: { ruleId: string; level: string }) => `${x.ruleId}:${x.level}`)).toEqual(['2.2:warning', '3.1:error', '1.2.1:note']);
  });

  test('table: grouped by section, summary line, no colour unless asked', () => {
    const t = getComplianceReporter('table').render(report, {});
    expect(t).toContain('[2]\n[WARN]   2.2');
    expect(t).toContain('Summary  PASS 1, WARN 1, INFO 0, NOTE 0, MANUAL 1, ERROR 1');
    expect(t).not.toContain('\u001b[');
  });
});
