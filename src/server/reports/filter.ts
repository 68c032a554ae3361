/**
 * Which findings a controller report holds, and the rows it prints: one row per finding per
 * image. The same filter serves the per-image and per-registry reports and, later, the Security
 * Risks view, so that an export holds exactly the rows the user was looking at.
 */
import { compareFindings } from '../../match/summary.js';
import { findingPackageKey } from '../../report/json/canonical.js';
import { SEVERITIES, type Finding, type FindingStatus, type ScanReport, type Severity } from '../../report/types.js';
import type { PackageType } from '../../core/types.js';
import { badRequest } from '../errors.js';

export interface FindingFilter {
  /** Keep only these severities. */
  severities?: Severity[];
  /** true: only findings with a fixed version; false: only those without one. */
  fixable?: boolean;
  /** Case-insensitive substring of the vulnerability id, an alias, the package name or the title. */
  text?: string;
  /** Exact package names. */
  packages?: string[];
  /** Vulnerability ids or aliases, case-insensitive (`cve-2024-0727` finds `CVE-2024-0727`). */
  ids?: string[];
}

/** One scanned image as the controller knows it: where it came from, and its latest report. */
export interface ReportImage {
  /** The registry's name in the controller, for registry-wide reports. */
  registry?: string;
  repository?: string;
  tag?: string;
  report: ScanReport;
}

/** One finding in one image: a line of the CSV, a row of the PDF table. */
export interface ReportRow {
  registry?: string;
  repository?: string;
  tag?: string;
  /** The image's manifest digest; empty for an artifact that has none (rootfs, SBOM). */
  digest: string;
  /** The scanned artifact's name, for images known by neither repository nor tag. */
  artifactName: string;
  vulnerabilityId: string;
  aliases: string[];
  severity: Severity;
  /** The CVSS base score the matcher chose, or null when no score is known. */
  score: number | null;
  packageName: string;
  packageType: PackageType;
  installedVersion: string;
  fixedVersion: string | null;
  status: FindingStatus;
  /** diffId of the layer that brought the package, when known. */
  layerDiffId?: string;
  /** That layer's history line (the Dockerfile instruction), when the image records it. */
  layerCreatedBy?: string;
  title?: string;
  kev: boolean;
  epss: number | null;
  link?: string;
}

/** Query parameter names, each with the alias a user might guess. */
const KEYS = {
  severities: ['severity', 'severities'],
  fixable: ['fixable'],
  text: ['text', 'q'],
  packages: ['package', 'packages'],
  ids: ['id', 'ids'],
} as const;

const KNOWN_KEYS: ReadonlySet<string> = new Set(Object.values(KEYS).flat());

export const FILTER_LIMITS = { text: 256, listItems: 100, itemLength: 256 } as const;

export interface ParseFilterOptions {
  /** Query keys the route itself uses: not a filter, not an error. Any other unknown key is. */
  otherKeys?: readonly string[];
}

/**
 * The filter from a URL query (`?severity=critical,high&fixable=true&text=openssl&package=libssl3&id=CVE-…`).
 * Lists are comma-separated, repeated keys, or both. A bad value or an unknown key (a typo such as
 * `severty`) is a 400 that names it, rather than a report that silently ignores it.
 */
export function parseFindingFilter(query: Readonly<Record<string, unknown>>, options: ParseFilterOptions = {}): FindingFilter {
  const other = new Set(options.otherKeys ?? []);
  for (const key of Object.keys(query)) {
    if (!KNOWN_KEYS.has(key) && !other.has(key)) {
      throw badRequest(`unknown report filter '${key}': use severity, fixable, text, package or id`);
    }
  }
  const filter: FindingFilter = {};

  const severities = listParam(query, KEYS.severities);
  if (severities) {
    filter.severities = [...new Set(severities.map((s) => parseSeverity(s)))];
  }

  const fixable = scalarParam(query, KEYS.fixable);
  if (fixable !== undefined) filter.fixable = parseBoolean('fixable', fixable);

  const text = scalarParam(query, KEYS.text);
  if (text !== undefined) {
    if (typeof text !== 'string') throw badRequest('text: expected a string');
    const t = text.trim();
    if (t.length > FILTER_LIMITS.text) throw badRequest(`text: at most ${FILTER_LIMITS.text} characters`);
    if (t !== '') filter.text = t;
  }

  const packages = listParam(query, KEYS.packages);
  if (packages) filter.packages = [...new Set(packages)];
  const ids = listParam(query, KEYS.ids);
  if (ids) filter.ids = [...new Set(ids)];
  return filter;
}

function parseSeverity(value: string): Severity {
  const s = value.toLowerCase();
  if ((SEVERITIES as readonly string[]).includes(s)) return s as Severity;
  throw badRequest(`severity: '${clip(value)}' is not one of ${SEVERITIES.join(', ')}`);
}

function parseBoolean(key: string, value: string | boolean): boolean {
  if (typeof value === 'boolean') return value;
  const v = value.toLowerCase();
  if (v === 'true' || v === '1' || v === 'yes') return true;
  if (v === 'false' || v === '0' || v === 'no') return false;
  throw badRequest(`${key}: '${clip(value)}' is not true or false`);
}

/** The one value of a scalar parameter under any of its names; a boolean passes (schema coercion). */
function scalarParam(query: Readonly<Record<string, unknown>>, names: readonly string[]): string | boolean | undefined {
  const present = names.filter((n) => query[n] !== undefined);
  if (present.length === 0) return undefined;
  const values = present.flatMap((n) => (Array.isArray(query[n]) ? (query[n] as unknown[]) : [query[n]]));
  if (values.length > 1) throw badRequest(`${present[0]}: give it once`);
  const v = values[0];
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  throw badRequest(`${present[0]}: expected a string`);
}

/** Every item of a list parameter (comma-separated and/or repeated), or undefined when absent. */
function listParam(query: Readonly<Record<string, unknown>>, names: readonly string[]): string[] | undefined {
  const present = names.filter((n) => query[n] !== undefined);
  if (present.length === 0) return undefined;
  const key = present[0]!;
  const items: string[] = [];
  for (const n of present) {
    const raw = query[n];
    for (const v of Array.isArray(raw) ? raw : [raw]) {
      if (typeof v !== 'string') throw badRequest(`${key}: expected a comma-separated list`);
      items.push(...v.split(',').map((s) => s.trim()));
    }
  }
  if (items.some((s) => s === '')) throw badRequest(`${key}: empty item in the list`);
  if (items.length > FILTER_LIMITS.listItems) throw badRequest(`${key}: at most ${FILTER_LIMITS.listItems} items`);
  const long = items.find((s) => s.length > FILTER_LIMITS.itemLength);
  if (long) throw badRequest(`${key}: '${clip(long)}' is longer than ${FILTER_LIMITS.itemLength} characters`);
  return items;
}

/** Echo at most a few dozen characters of a bad value back to the caller. */
function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

/** The predicate a filter stands for. An empty filter keeps everything. */
export function findingMatcher(filter: FindingFilter): (f: Finding) => boolean {
  // An empty list restricts nothing, as when the parameter is absent.
  const severities = filter.severities?.length ? new Set<string>(filter.severities) : undefined;
  const packages = filter.packages?.length ? new Set(filter.packages) : undefined;
  const ids = filter.ids?.length ? new Set(filter.ids.map((i) => i.toUpperCase())) : undefined;
  const text = filter.text?.toLowerCase();
  return (f) => {
    if (severities && !severities.has(f.severity)) return false;
    if (filter.fixable !== undefined && filter.fixable !== isFixable(f)) return false;
    if (packages && !packages.has(f.package.name)) return false;
    if (ids && !ids.has(f.id.toUpperCase()) && !f.aliases.some((a) => ids.has(a.toUpperCase()))) return false;
    if (text !== undefined) {
      const hay = [f.id, ...f.aliases, f.package.name, f.title ?? ''];
      if (!hay.some((h) => h.toLowerCase().includes(text))) return false;
    }
    return true;
  };
}

/** A finding is fixable when a fixed version is known (SPEC: `fixedVersion` is null when none exists). */
export function isFixable(f: Pick<Finding, 'fixedVersion'>): boolean {
  return (f.fixedVersion ?? null) !== null;
}

/**
 * The filtered rows of the given images: images in the order given, each image's findings most
 * severe first (then id, then package). Lazy, so a caller that streams never holds every row.
 */
export function* filteredRows(images: Iterable<ReportImage>, filter: FindingFilter): Generator<ReportRow> {
  const keep = findingMatcher(filter);
  for (const image of images) {
    const findings = image.report.vulnerabilities.filter(keep);
    if (findings.length === 0) continue;
    findings.sort(compareFindings);
    const locate = layerLocator(image.report);
    for (const f of findings) yield toRow(image, f, locate(f));
  }
}

function toRow(image: ReportImage, f: Finding, layer: { diffId?: string; createdBy?: string }): ReportRow {
  const a = image.report.artifact;
  const row: ReportRow = {
    digest: a.digest ?? '',
    artifactName: a.name,
    vulnerabilityId: f.id,
    aliases: f.aliases,
    severity: f.severity,
    score: f.cvss?.score ?? null,
    packageName: f.package.name,
    packageType: f.package.type,
    installedVersion: f.package.version,
    fixedVersion: f.fixedVersion ?? null,
    status: f.status,
    kev: f.kev,
    epss: f.epss ?? null,
  };
  if (image.registry !== undefined) row.registry = image.registry;
  if (image.repository !== undefined) row.repository = image.repository;
  if (image.tag !== undefined) row.tag = image.tag;
  if (layer.diffId !== undefined) row.layerDiffId = layer.diffId;
  if (layer.createdBy !== undefined) row.layerCreatedBy = layer.createdBy;
  if (f.title !== undefined) row.title = f.title;
  if (f.link !== undefined) row.link = f.link;
  return row;
}

/**
 * The layer of a finding: its own `layer`, else the installed package's (as the CLI's CSV does),
 * with the history line from the artifact's layer list when the image records one.
 */
function layerLocator(report: ScanReport): (f: Finding) => { diffId?: string; createdBy?: string } {
  const createdBy = new Map<string, string>();
  for (const l of report.artifact.layers ?? []) if (l.createdBy !== undefined) createdBy.set(l.diffId, l.createdBy);
  const pkgLayer = new Map<string, string>();
  for (const p of report.packages) {
    const key = findingPackageKey(p);
    if (p.layer !== undefined && !pkgLayer.has(key)) pkgLayer.set(key, p.layer);
  }
  return (f) => {
    const diffId = f.layer ?? pkgLayer.get(findingPackageKey(f.package));
    if (diffId === undefined) return {};
    const by = createdBy.get(diffId);
    return by === undefined ? { diffId } : { diffId, createdBy: by };
  };
}

/** What a summary block shows: counted over exactly the rows the report holds. */
export interface RowSummary {
  total: number;
  bySeverity: Record<Severity, number>;
  fixable: number;
  kev: number;
  /** Images in the report's scope, matching rows or not. */
  images: number;
  /** Images with at least one row. */
  affectedImages: number;
}

export function summarizeRows(images: readonly ReportImage[], filter: FindingFilter): RowSummary {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const summary: RowSummary = { total: 0, bySeverity, fixable: 0, kev: 0, images: images.length, affectedImages: 0 };
  const keep = findingMatcher(filter);
  for (const image of images) {
    let any = false;
    for (const f of image.report.vulnerabilities) {
      if (!keep(f)) continue;
      any = true;
      summary.total++;
      bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
      if (isFixable(f)) summary.fixable++;
      if (f.kev) summary.kev++;
    }
    if (any) summary.affectedImages++;
  }
  return summary;
}

/** The filter in words, for the report's header: "severity critical, high; fixable only". */
export function describeFilter(filter: FindingFilter): string {
  const parts: string[] = [];
  if (filter.severities?.length) parts.push(`severity ${filter.severities.join(', ')}`);
  if (filter.fixable === true) parts.push('fixable only');
  if (filter.fixable === false) parts.push('without a fix only');
  if (filter.text) parts.push(`text contains "${filter.text}"`);
  if (filter.packages?.length) parts.push(`package ${filter.packages.join(', ')}`);
  if (filter.ids?.length) parts.push(`id ${filter.ids.join(', ')}`);
  return parts.length ? parts.join('; ') : 'none (all findings)';
}
