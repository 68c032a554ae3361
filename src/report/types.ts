import type { Artifact, Inventory, Package, Warning } from '../core/types.js';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'negligible', 'unknown'] as const;
export type Severity = (typeof SEVERITIES)[number];

export type FindingStatus = 'fixed' | 'affected' | 'will_not_fix' | 'fix_deferred' | 'end_of_life' | 'unknown';

/** One vulnerability in one installed package (SPEC "JSON scan report"). */
export interface Finding {
  id: string;
  aliases: string[];
  package: { name: string; version: string; type: Package['type'] };
  fixedVersion: string | null;
  status: FindingStatus;
  severity: Severity;
  cvss?: { score: number; vector: string } | null;
  kev: boolean;
  epss: number | null;
  source: string;
  layer?: string;
  title?: string;
  link?: string;
}

export interface DbMeta {
  schemaVersion: number;
  builtAt: string;
  sources: Array<{ name: string; updatedAt: string }>;
}

/** The SPEC JSON scan report. */
export interface ScanReport {
  schemaVersion: 1;
  artifact: Artifact;
  db: DbMeta | null;
  packages: Package[];
  vulnerabilities: Finding[];
  summary: Record<Severity, number>;
  warnings: Warning[];
  /**
   * Findings a VEX statement or an ignore-file entry took out of `vulnerabilities` (src/policy/).
   * Kept in the report so that what was hidden, and why, stays auditable.
   */
  suppressed?: Suppression[];
}

/** Why a finding was suppressed: the VEX statement or the ignore-file entry that matched it. */
export type Suppression = VexSuppression | IgnoreSuppression;

export interface VexSuppression {
  finding: Finding;
  reason: 'vex';
  statement: {
    /** The VEX file the statement came from. */
    file?: string;
    /** The document's `@id`. */
    document?: string;
    vulnerability: string;
    /** The product (or subcomponent) `@id` that matched. */
    product: string;
    status: 'not_affected' | 'fixed';
    justification?: string;
    impactStatement?: string;
    timestamp?: string;
  };
}

export interface IgnoreSuppression {
  finding: Finding;
  reason: 'ignore-file';
  entry: {
    file?: string;
    id: string;
    package?: string;
    paths?: string[];
    reason: string;
    expires?: string;
  };
}

export interface RenderOptions {
  /** Colours and widths for a terminal. */
  color?: boolean;
  /** Tool name/version for SBOM metadata. */
  toolVersion?: string;
  /** Fixed clock for reproducible output (tests). */
  now?: Date;
  /** `--layers`: the table groups findings by the image layer that brought them. */
  layers?: boolean;
}

/** An output format. Each lives in its own folder under src/report/. */
export interface Reporter {
  readonly format: string;
  render(report: ScanReport, options: RenderOptions): string;
}

export function emptySummary(): Record<Severity, number> {
  return { critical: 0, high: 0, medium: 0, low: 0, negligible: 0, unknown: 0 };
}

export function reportFromInventory(inv: Inventory): ScanReport {
  return {
    schemaVersion: 1,
    artifact: inv.artifact,
    db: null,
    packages: inv.packages,
    vulnerabilities: [],
    summary: emptySummary(),
    warnings: inv.warnings,
  };
}
