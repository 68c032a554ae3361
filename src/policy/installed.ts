import type { Package } from '../core/types.js';
import { findingPackageKey } from '../report/json/canonical.js';
import type { Finding, ScanReport } from '../report/types.js';

/** The installed package(s) behind each finding (one finding may cover the same name@version at two places). */
export function installedPackages(report: ScanReport): (f: Finding) => Package[] {
  const byKey = new Map<string, Package[]>();
  for (const p of report.packages) {
    const key = findingPackageKey(p);
    byKey.set(key, [...(byKey.get(key) ?? []), p]);
  }
  return (f) => byKey.get(findingPackageKey(f.package)) ?? [];
}
