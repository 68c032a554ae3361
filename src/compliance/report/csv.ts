import type { ComplianceReporter } from './types.js';

/** RFC 4180: quote fields that hold a comma, quote or line break. */
function field(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export const csvComplianceReporter = {
  format: 'csv',
  render(report) {
    const rows = [['benchmark', 'target', 'id', 'title', 'level', 'type', 'profile', 'scored', 'automated', 'evidence', 'remediation', 'tags']];
    for (const r of report.results) {
      rows.push([report.benchmark, report.target.name, r.id, r.title, r.level, r.type, r.profile, String(r.scored), String(r.automated), r.evidence.join('\n'), r.remediation, r.tags.join(' ')]);
    }
    return rows.map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';
  },
} satisfies ComplianceReporter;
