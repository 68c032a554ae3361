/** The compliance report formats, registered by hand: the map is what `vigil bench --format` accepts. */
import { VigilError } from '../../core/errors.js';
import { csvComplianceReporter } from './csv.js';
import { jsonComplianceReporter } from './json.js';
import { junitComplianceReporter } from './junit.js';
import { sarifComplianceReporter } from './sarif.js';
import { tableComplianceReporter } from './table.js';
import type { ComplianceReporter } from './types.js';

const REPORTERS: ReadonlyMap<string, ComplianceReporter> = new Map<string, ComplianceReporter>(
  [tableComplianceReporter, jsonComplianceReporter, csvComplianceReporter, junitComplianceReporter, sarifComplianceReporter].map((r) => [r.format, r]),
);

export function complianceFormats(): string[] {
  return [...REPORTERS.keys()];
}

export function getComplianceReporter(format: string): ComplianceReporter {
  const r = REPORTERS.get(format);
  if (!r) throw new VigilError('bad-format', `unknown format "${format}" for bench; valid formats: ${complianceFormats().join(', ')}`, { kind: 'usage' });
  return r;
}

export type { ComplianceReporter, ComplianceRenderOptions } from './types.js';
