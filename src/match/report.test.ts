import { describe, expect, test } from 'vitest';
import type { Inventory } from '../core/types.js';
import type { DbInfo } from '../vulndb/types.js';
import { buildReport } from './report.js';
import type { MatchFinding, MatchResult } from './types.js';

const inventory: Inventory = {
  artifact: { type: 'image', name: 'fixture', os: { family: 'debian', version: '12' } },
  packages: [{ type: 'deb', name: 'libssl3', version: '3.0.11-1~deb12u2', purl: 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2', locations: ['/var/lib/dpkg/status'] }],
  warnings: [{ code: 'file-too-large', message: 'skipped' }],
};
const finding = (id: string, severity: MatchFinding['severity'], fixedVersion: string | null): MatchFinding => ({
  id,
  aliases: [],
  package: { name: 'libssl3', version: '3.0.11-1~deb12u2', type: 'deb' },
  fixedVersion,
  status: fixedVersion ? 'fixed' : 'affected',
  severity,
  cvss: null,
  kev: false,
  epss: null,
  source: 'debian',
});
const result: MatchResult = {
  findings: [finding('CVE-2099-1', 'high', '3.0.13-1~deb12u1'), finding('CVE-2099-2', 'low', null), finding('CVE-2099-3', 'high', null)],
  warnings: [{ code: 'os-end-of-life', message: 'old' }],
};
const dbInfo: DbInfo = {
  schemaVersion: 1,
  builtAt: '2026-11-01T00:00:00Z',
  sources: [{ name: 'debian', updatedAt: '2026-10-31T00:00:00Z', records: 10 }],
};

describe('buildReport', () => {
  test('the SPEC report: db meta without record counts, summary, warnings in order', () => {
    const r = buildReport(inventory, result, dbInfo, { now: new Date('2026-11-02T00:00:00Z'), maxDbAgeHours: 24 * 7 });
    expect(r).toEqual({
      schemaVersion: 1,
      artifact: inventory.artifact,
      db: { schemaVersion: 1, builtAt: '2026-11-01T00:00:00Z', sources: [{ name: 'debian', updatedAt: '2026-10-31T00:00:00Z' }] },
      packages: inventory.packages,
      vulnerabilities: result.findings,
      summary: { critical: 0, high: 2, medium: 0, low: 1, negligible: 0, unknown: 0 },
      warnings: [inventory.warnings[0], result.warnings[0]],
    });
  });

  test.each`
    opts                                                                        | expected
    ${{ now: new Date('2026-11-20T00:00:00Z'), maxDbAgeHours: 24 * 7 }}         | ${'the vulnerability DB (built 2026-11-01T00:00:00Z) is 19 days old: recent vulnerabilities may be missing; run "vigil db update"'}
    ${{ dbStale: true, now: new Date('2026-11-01T05:00:00Z') }}                 | ${'the vulnerability DB (built 2026-11-01T00:00:00Z) is 5 hours old: recent vulnerabilities may be missing; run "vigil db update"'}
    ${{ dbStale: 'the reader says so' }}                                        | ${'the reader says so'}
  `('a stale DB is a warning: $expected', ({ opts, expected }) => {
    const r = buildReport(inventory, result, dbInfo, opts);
    expect(r.warnings.at(-1)).toEqual({ code: 'db-stale', message: expected });
  });

  test('no DB: db is null and no stale warning', () => {
    const r = buildReport(inventory, { findings: [], warnings: [] }, null, { dbStale: true });
    expect([r.db, r.warnings.map((w) => w.code)]).toEqual([null, ['file-too-large']]);
  });
});
