/**
 * Inputs for the report tests: the real end-to-end golden scan reports of the fixture images
 * (test/e2e/__golden__, see its README for why each finding is there), and synthetic reports
 * for what the goldens do not hold (hostile text, KEV/EPSS values, tens of thousands of rows).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Finding, ScanReport } from '../../../report/types.js';
import { emptySummary } from '../../../report/types.js';
import type { ReportImage } from '../filter.js';

const GOLDEN_DIR = fileURLToPath(new URL('../../../../test/e2e/__golden__/', import.meta.url));

export const GOLDEN_NAMES = ['alpine-fake', 'app', 'app-insecure', 'debian12', 'distroless'] as const;
export type GoldenName = (typeof GOLDEN_NAMES)[number];

export function golden(name: GoldenName): ScanReport {
  return JSON.parse(readFileSync(`${GOLDEN_DIR}${name}.json`, 'utf8')) as ScanReport;
}

/** Every golden as one registry's images: repository = the fixture's name, tag "1.0". */
export function goldenRegistry(): ReportImage[] {
  return GOLDEN_NAMES.map((name) => ({ registry: 'fixtures', repository: `library/${name}`, tag: '1.0', report: golden(name) }));
}

/** A finding with every field set; override what the test is about. */
export function finding(over: Partial<Finding> = {}): Finding {
  return {
    id: 'CVE-2024-0001',
    aliases: [],
    package: { name: 'zlib', version: '1.2.13', type: 'deb' },
    fixedVersion: '1.2.13-1',
    status: 'fixed',
    severity: 'medium',
    cvss: { score: 5.5, vector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H' },
    kev: false,
    epss: null,
    source: 'debian',
    ...over,
  };
}

/** An image report holding exactly these findings. */
export function syntheticReport(findings: Finding[], name = 'registry.local/synthetic:1'): ScanReport {
  return {
    schemaVersion: 1,
    artifact: { type: 'image', name, digest: `sha256:${'ab'.repeat(32)}` },
    db: null,
    packages: [],
    vulnerabilities: findings,
    summary: emptySummary(),
    warnings: [],
  };
}

/** `n` distinct findings spread over the severities, every other one fixable. */
export function manyFindings(n: number, title = ''): Finding[] {
  const sev = ['critical', 'high', 'medium', 'low', 'negligible', 'unknown'] as const;
  return Array.from({ length: n }, (_, i) =>
    finding({
      id: `CVE-2099-${String(i).padStart(6, '0')}`,
      package: { name: `pkg-${i % 500}`, version: `1.${i % 97}.0`, type: 'npm' },
      severity: sev[i % sev.length]!,
      fixedVersion: i % 2 === 0 ? '9.9.9' : null,
      status: i % 2 === 0 ? 'fixed' : 'affected',
      title,
    }),
  );
}
