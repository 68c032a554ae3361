import type { ComplianceReport } from '../types.js';

export interface ComplianceRenderOptions {
  color?: boolean;
  toolVersion?: string;
}

/** A compliance report format (`vigil bench --format …`). */
export interface ComplianceReporter {
  readonly format: string;
  render(report: ComplianceReport, options: ComplianceRenderOptions): string;
}
