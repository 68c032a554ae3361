/** SARIF 2.1.0: one rule per check, one result per check that is not PASS. */
import type { CheckLevel } from '../types.js';
import type { ComplianceReporter } from './types.js';

const SARIF_LEVEL: Record<CheckLevel, 'error' | 'warning' | 'note' | 'none'> = { PASS: 'none', WARN: 'warning', ERROR: 'error', INFO: 'note', NOTE: 'note', MANUAL: 'note' };

export const sarifComplianceReporter = {
  format: 'sarif',
  render(report, options) {
    const rules = report.results.map((r) => ({
      id: r.id,
      name: r.title,
      shortDescription: { text: r.title },
      help: { text: r.remediation },
      properties: { tags: [...r.tags, r.profile, r.type], scored: r.scored, automated: r.automated },
    }));
    const results = report.results
      .filter((r) => r.level !== 'PASS')
      .map((r) => ({
        ruleId: r.id,
        ruleIndex: report.results.indexOf(r),
        level: SARIF_LEVEL[r.level],
        kind: r.level === 'WARN' || r.level === 'ERROR' ? 'fail' : r.level === 'MANUAL' ? 'review' : 'informational',
        message: { text: `${r.level}: ${r.title}${r.evidence.length ? ` — ${r.evidence.join('; ')}` : ''}` },
        locations: [{ physicalLocation: { artifactLocation: { uri: report.target.root ?? report.target.name } } }],
      }));
    const doc = {
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      version: '2.1.0',
      runs: [{ tool: { driver: { name: 'vigil', version: options.toolVersion ?? '0.0.0', informationUri: 'https://github.com/vigil', rules } }, properties: { benchmark: report.benchmark }, results }],
    };
    return JSON.stringify(doc, null, 2) + '\n';
  },
} satisfies ComplianceReporter;
