import type { ComplianceReporter } from './types.js';

/** The SPEC JSON compliance report, as is. */
export const jsonComplianceReporter = {
  format: 'json',
  render: (report) => JSON.stringify(report, null, 2) + '\n',
} satisfies ComplianceReporter;
