/**
 * The canonical order and identities of a scan report, shared by every output format so that
 * the JSON, table, CSV and SBOM outputs list the same packages in the same order and the SBOMs
 * give a package the same id run after run (stable diffs, golden tests).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Package } from '../../core/types.js';
import { SEVERITIES, type Finding, type ScanReport, type Severity } from '../types.js';

const SEVERITY_RANK: Record<Severity, number> = Object.fromEntries(SEVERITIES.map((s, i) => [s, i])) as Record<
  Severity,
  number
>;

/** 0 for critical … 5 for unknown; anything unexpected sorts last. */
export function severityRank(s: string): number {
  return SEVERITY_RANK[s as Severity] ?? SEVERITIES.length;
}

/** Plain code-unit comparison: locale-independent, so the order is the same on every machine. */
export function compareStrings(a: string | undefined, b: string | undefined): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/** SPEC order: (type, name, version, first location). */
export function comparePackages(a: Package, b: Package): number {
  return (
    compareStrings(a.type, b.type) ||
    compareStrings(a.name, b.name) ||
    compareStrings(a.version, b.version) ||
    compareStrings(a.locations[0], b.locations[0]) ||
    compareStrings(a.purl, b.purl)
  );
}

/** Findings by package (type, name, version), then most severe first, then id. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    compareStrings(a.package.type, b.package.type) ||
    compareStrings(a.package.name, b.package.name) ||
    compareStrings(a.package.version, b.package.version) ||
    severityRank(a.severity) - severityRank(b.severity) ||
    compareStrings(a.id, b.id) ||
    compareStrings(a.source, b.source)
  );
}

export function sortedPackages(report: ScanReport): Package[] {
  return [...report.packages].sort(comparePackages);
}

export function sortedFindings(report: ScanReport): Finding[] {
  return [...report.vulnerabilities].sort(compareFindings);
}

/** The key a finding's `package` shares with the installed package(s) it was matched against. */
export function findingPackageKey(p: { type: string; name: string; version: string }): string {
  return `${p.type}\u0000${p.name}\u0000${p.version}`;
}

/**
 * A short stable id for one installed package: the same package at the same place gets the
 * same id in every run; the same name@version at two places (nested node_modules) gets two.
 */
export function packageId(pkg: Package): string {
  return createHash('sha256')
    .update([pkg.type, pkg.name, pkg.version, pkg.purl, pkg.layer ?? '', ...pkg.locations].join('\u0000'))
    .digest('hex')
    .slice(0, 16);
}

/** The summary in SPEC key order, every severity present. */
export function orderedSummary(report: ScanReport): Record<Severity, number> {
  const out = {} as Record<Severity, number>;
  for (const s of SEVERITIES) out[s] = report.summary?.[s] ?? 0;
  return out;
}

/** Counts per severity of a list of findings. */
export function countSeverities(findings: readonly Finding[]): Record<Severity, number> {
  const out = {} as Record<Severity, number>;
  for (const s of SEVERITIES) out[s] = 0;
  for (const f of findings) out[f.severity] = (out[f.severity] ?? 0) + 1;
  return out;
}

const URL_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

/** RFC 9562 UUID version 5 (SHA-1, name-based) in the URL namespace. */
export function uuidV5(name: string, namespace: string = URL_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const h = hash.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * A document UUID: deterministic when the caller fixed the clock (reproducible SBOMs and
 * golden tests), random otherwise so that two documents never share a serial number.
 */
export function documentUuid(report: ScanReport, now: Date | undefined, salt: string): string {
  if (!now) return randomUUID();
  const a = report.artifact;
  return uuidV5(`vigil:${salt}:${a.type}:${a.name}:${a.digest ?? ''}:${now.toISOString()}`);
}
