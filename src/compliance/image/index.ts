/**
 * Image checks ("vigil-image-1"): NeuVector's I.4.1 root user, I.4.6 HEALTHCHECK, I.4.8 setuid /
 * setgid files, I.4.9 ADD instead of COPY, I.4.10 secrets. The config checks read the image
 * config; the file checks read the layers through analyzers (../../engine/analyzer.ts) in the
 * scan's single pass, so inventory and image checks cost one read of each layer together.
 *
 * Standalone:   runImageChecks(img)
 * With a scan:  const { inventory, analysis } = await scanImageAnalyzed(img, { analyzers: IMAGE_CHECK_ANALYZERS });
 *               const report = evaluateImageChecks(img, analysis);
 * (or runImageChecksWithInventory(img), which does exactly that.)
 */
import { CATALOGERS } from '../../catalog/index.js';
import type { Inventory } from '../../core/types.js';
import { scanImageAnalyzed, type ImageAnalysis, type ScanOptions } from '../../engine/scan.js';
import type { OciImageConfig, ResolvedImage } from '../../image/types.js';
import { emptyComplianceSummary, type CheckResult, type ComplianceReport } from '../types.js';
import { IMAGE_CHECK_ANALYZERS } from './analyzers.js';
import { checkAdd, checkHealthcheck, checkSecrets, checkSetId, checkUser } from './checks.js';

export { IMAGE_CHECK_ANALYZERS } from './analyzers.js';
export { IMAGE_CHECKS } from './checks.js';
export { scanEnv, scanText, mask, isSecretCandidate, type SecretFinding } from './secrets.js';

export const IMAGE_BENCHMARK = 'vigil-image-1';

/** The catalogers whose file lists tell which files OS packages installed (for I.4.8 and I.4.10). */
export const OWNERSHIP_CATALOGERS = CATALOGERS.filter((c) => c.name === 'dpkg' || c.name === 'apk' || c.name === 'rpmdb');

export type ImageChecksOptions = Omit<ScanOptions, 'catalogers'>;

/** The image, as the checks need it: its name and config. A ResolvedImage fits. */
export interface ImageInfo {
  name: string;
  config: OciImageConfig;
}

/** The report from an image's config and an analysis made with IMAGE_CHECK_ANALYZERS. */
export function evaluateImageChecks(img: ImageInfo, analysis: ImageAnalysis): ComplianceReport {
  const results: CheckResult[] = [checkUser(img.config, analysis), checkHealthcheck(img.config), checkSetId(analysis), checkAdd(img.config), checkSecrets(img.config, analysis)];
  const summary = emptyComplianceSummary();
  for (const r of results) summary[r.level]++;
  return { schemaVersion: 1, benchmark: IMAGE_BENCHMARK, target: { type: 'image', name: img.name }, results, summary };
}

/** Image checks alone: one pass over the layers with only the OS package databases catalogued. */
export async function runImageChecks(img: ResolvedImage, opts: ImageChecksOptions = {}): Promise<ComplianceReport> {
  const { analysis } = await scanImageAnalyzed(img, { ...opts, catalogers: OWNERSHIP_CATALOGERS, analyzers: IMAGE_CHECK_ANALYZERS });
  return evaluateImageChecks(img, analysis);
}

/** Inventory and image checks from one pass over the layers. */
export async function runImageChecksWithInventory(img: ResolvedImage, opts: ScanOptions = {}): Promise<{ inventory: Inventory; compliance: ComplianceReport }> {
  const { inventory, analysis } = await scanImageAnalyzed(img, { ...opts, analyzers: IMAGE_CHECK_ANALYZERS });
  return { inventory, compliance: evaluateImageChecks(img, analysis) };
}
