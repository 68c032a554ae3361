/** The report for people: results grouped by section, coloured levels, a summary line. */
import pc from 'picocolors';
import { CHECK_LEVELS, type CheckLevel } from '../types.js';
import type { ComplianceReporter } from './types.js';

export const tableComplianceReporter = {
  format: 'table',
  render(report, options) {
    const c = pc.createColors(options.color === true);
    const paint: Record<CheckLevel, (s: string) => string> = { PASS: c.green, WARN: c.red, ERROR: (s) => c.bold(c.red(s)), INFO: c.blue, NOTE: c.cyan, MANUAL: c.yellow };
    const out = [`${c.bold('Benchmark')}  ${report.benchmark}`, `${c.bold('Target')}     ${report.target.name} (${report.target.type})`, ''];
    let section = '';
    for (const r of report.results) {
      const s = r.id.split('.')[0]!;
      if (s !== section) {
        if (section) out.push('');
        out.push(c.bold(`[${s}]`));
        section = s;
      }
      out.push(`${paint[r.level](`[${r.level}]`.padEnd(8))} ${r.id.padEnd(7)} ${r.title}`);
      if (r.level !== 'PASS') for (const e of r.evidence) out.push(c.dim(`         * ${e.replace(/\s+/g, ' ')}`));
    }
    out.push('', `${c.bold('Summary')}  ${CHECK_LEVELS.map((l) => paint[l](`${l} ${report.summary[l]}`)).join(', ')}`);
    return out.join('\n') + '\n';
  },
} satisfies ComplianceReporter;
