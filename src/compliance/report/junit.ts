/**
 * JUnit XML: one testsuite per section, one testcase per check; WARN and ERROR are failures
 * (CI systems show them as red), MANUAL/INFO/NOTE are skipped with the reason.
 */
import type { ComplianceReporter } from './types.js';

function xml(s: string): string {
  // XML 1.0 cannot carry most control characters, even escaped.
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export const junitComplianceReporter = {
  format: 'junit',
  render(report) {
    const sections = new Map<string, typeof report.results>();
    for (const r of report.results) {
      const s = r.id.split('.')[0]!;
      sections.set(s, [...(sections.get(s) ?? []), r]);
    }
    const failures = (rs: typeof report.results) => rs.filter((r) => r.level === 'WARN').length;
    const errors = (rs: typeof report.results) => rs.filter((r) => r.level === 'ERROR').length;
    const skipped = (rs: typeof report.results) => rs.filter((r) => r.level === 'MANUAL' || r.level === 'INFO' || r.level === 'NOTE').length;
    const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
    out.push(`<testsuites name="${xml(report.benchmark)}" tests="${report.results.length}" failures="${failures(report.results)}" errors="${errors(report.results)}" skipped="${skipped(report.results)}">`);
    for (const [s, rs] of sections) {
      out.push(`  <testsuite name="${xml(`${report.benchmark} section ${s}`)}" tests="${rs.length}" failures="${failures(rs)}" errors="${errors(rs)}" skipped="${skipped(rs)}">`);
      for (const r of rs) {
        const name = xml(`${r.id} ${r.title}`);
        const body = xml([...r.evidence, `Remediation: ${r.remediation}`].join('\n'));
        out.push(`    <testcase classname="${xml(`${report.benchmark}.${report.target.name}`)}" name="${name}">`);
        if (r.level === 'WARN') out.push(`      <failure message="${xml(r.evidence[0] ?? r.level)}" type="WARN">${body}</failure>`);
        else if (r.level === 'ERROR') out.push(`      <failure message="${xml(r.evidence[0] ?? r.level)}" type="ERROR">${body}</failure>`);
        else if (r.level !== 'PASS') out.push(`      <skipped message="${xml(`${r.level}: ${r.evidence[0] ?? ''}`)}"/>`);
        out.push('    </testcase>');
      }
      out.push('  </testsuite>');
    }
    out.push('</testsuites>');
    return out.join('\n') + '\n';
  },
} satisfies ComplianceReporter;
