import pc from 'picocolors';
import type { Colors } from 'picocolors/types.js';
import type { Artifact, Package } from '../../core/types.js';
import { SEVERITIES, type Finding, type RenderOptions, type Reporter, type ScanReport, type Severity } from '../types.js';
import { countSeverities, findingPackageKey, sortedFindings, sortedPackages } from '../json/canonical.js';
import { layoutTable, truncateMiddle, type Cell, type Column, type Paint } from './text-table.js';

/** Long paths and titles are shortened in the middle past these widths. */
const MAX_LOCATION = 60;
const MAX_TITLE = 70;
const MAX_CREATED_BY = 100;

/**
 * `--format table`: the report for people. Header, the packages grouped by type, then the
 * findings grouped per package, then one summary line. Colour only when `options.color` is set
 * (the CLI sets it for a TTY without NO_COLOR): the reporter never looks at the environment.
 */
export const tableReporter = {
  format: 'table',
  render(report: ScanReport, options: RenderOptions = {}): string {
    const c = pc.createColors(options.color === true);
    const layerIndex = new Map((report.artifact.layers ?? []).map((l, i) => [l.diffId, i]));
    const packages = sortedPackages(report);
    const findings = sortedFindings(report);
    const out: string[] = [];

    out.push(...headerBlock(report.artifact, c), '');
    // An inventory lists every package; a vulnerability scan lists findings (as Trivy and Grype
    // do) and only counts the packages, which `--format json` or `vigil sbom` list in full.
    if (report.db) out.push(packageCounts(packages, c));
    else out.push(...packageSection(packages, layerIndex, c));
    if (findings.length > 0) {
      out.push('', ...(options.layers ? layerSection(report, findings, c) : findingSection(findings, c)));
    }
    if (report.suppressed?.length) {
      const n = report.suppressed.length;
      out.push('', c.dim(`Suppressed (${n}): ${n === 1 ? 'one finding' : `${n} findings`} hidden by VEX or the ignore file (listed in --format json)`));
    }
    if (report.warnings.length > 0) {
      out.push('', c.bold(`Warnings (${report.warnings.length})`));
      for (const w of report.warnings) {
        out.push(`  ${c.yellow(w.code)}: ${oneLine(w.message)}${w.location ? ` (${oneLine(w.location)})` : ''}`);
      }
    }
    out.push('', summaryLine(report, packages.length, findings, c));
    return out.join('\n') + '\n';
  },
} satisfies Reporter;

function headerBlock(a: Artifact, c: Colors): string[] {
  const rows: Array<[string, string]> = [['Artifact', `${a.name} (${a.type})`]];
  if (a.digest) rows.push(['Digest', a.digest]);
  if (a.imageId && a.imageId !== a.digest) rows.push(['Image ID', a.imageId]);
  if (a.os) {
    const codename = a.os.codename ? ` (${a.os.codename})` : '';
    rows.push(['OS', `${a.os.family} ${a.os.version}${codename}`]);
  }
  if (a.platform) rows.push(['Platform', a.platform]);
  if (a.layers) rows.push(['Layers', String(a.layers.length)]);
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${c.bold(k.padEnd(w))}  ${oneLine(v)}`);
}

function packageCounts(packages: Package[], c: Colors): string {
  const byType = new Map<string, number>();
  for (const p of packages) byType.set(p.type, (byType.get(p.type) ?? 0) + 1);
  const parts = [...byType].map(([t, n]) => `${t} ${n}`).join(', ');
  return `${c.bold('Packages')}  ${packages.length}${parts ? ` (${parts})` : ''}`;
}

function packageSection(packages: Package[], layerIndex: Map<string, number>, c: Colors): string[] {
  if (packages.length === 0) return [c.bold('Packages (0)'), '  none found'];
  const columns: Column[] = [
    { header: 'NAME' },
    { header: 'VERSION' },
    { header: 'TYPE' },
    { header: 'LAYER' },
    { header: 'LOCATION', maxWidth: MAX_LOCATION },
  ];
  const rows = packages.map((p) => [p.name, p.version, p.type, layerLabel(p.layer, layerIndex), locationLabel(p)]);
  // One layout for all groups, so the columns line up from one type to the next.
  const [header, ...lines] = layoutTable(columns, rows, { indent: '  ', paintHeader: c.dim });
  const out = [c.bold(`Packages (${packages.length})`)];
  let i = 0;
  while (i < packages.length) {
    const type = packages[i]!.type;
    let j = i;
    while (j < packages.length && packages[j]!.type === type) j++;
    out.push('', c.bold(`${type} (${j - i})`), header!, ...lines.slice(i, j));
    i = j;
  }
  return out;
}

function findingColumns(findings: readonly Finding[]): Column[] {
  const anyKev = findings.some((f) => f.kev);
  return [
    { header: 'ID' },
    { header: 'SEVERITY' },
    { header: 'CVSS', align: 'right' },
    ...(anyKev ? [{ header: 'KEV' }] : []),
    { header: 'STATUS' },
    { header: 'FIXED IN' },
    { header: 'TITLE', maxWidth: MAX_TITLE },
  ];
}

/** One layout for all findings, so the columns line up across packages (and layers). */
function findingLines(findings: readonly Finding[], c: Colors): { header: string; lines: string[] } {
  const anyKev = findings.some((f) => f.kev);
  const rows = findings.map((f): Array<string | Cell> => [
    f.id,
    { text: f.severity.toUpperCase(), paint: severityPaint(f.severity, c) },
    f.cvss ? f.cvss.score.toFixed(1) : '',
    ...(anyKev ? [f.kev ? { text: 'yes', paint: c.red } : ''] : []),
    f.status,
    f.fixedVersion ?? '',
    f.title ?? '',
  ]);
  const [header, ...lines] = layoutTable(findingColumns(findings), rows, { indent: '  ', paintHeader: c.dim });
  return { header: header!, lines };
}

/** The findings (sorted by package, so each package's rows are contiguous) under one heading per package. */
function packageGroups(findings: readonly Finding[], header: string, lines: readonly string[], c: Colors): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < findings.length) {
    const key = findingPackageKey(findings[i]!.package);
    let j = i;
    while (j < findings.length && findingPackageKey(findings[j]!.package) === key) j++;
    const p = findings[i]!.package;
    const counts = countsLabel(countSeverities(findings.slice(i, j)), c);
    out.push('', `${c.bold(`${p.name} ${p.version}`)} (${p.type})  ${counts}`, header, ...lines.slice(i, j));
    i = j;
  }
  return out;
}

function findingSection(findings: Finding[], c: Colors): string[] {
  const { header, lines } = findingLines(findings, c);
  return [c.bold(`Vulnerabilities (${findings.length})`), ...packageGroups(findings, header, lines, c)];
}

/**
 * `--layers`: the findings grouped by the layer that brought them (the finding's own layer, else
 * its package's), in layer order, each group headed by the layer's index, short diffId and the
 * Dockerfile step that made it. That is what tells a user which base image or RUN line to fix.
 */
function layerSection(report: ScanReport, findings: Finding[], c: Colors): string[] {
  const layers = report.artifact.layers ?? [];
  const layerIndex = new Map(layers.map((l, i) => [l.diffId, i]));
  const packageLayer = new Map<string, string>();
  for (const p of report.packages) if (p.layer && !packageLayer.has(findingPackageKey(p))) packageLayer.set(findingPackageKey(p), p.layer);
  const layerOf = (f: Finding): string => f.layer ?? packageLayer.get(findingPackageKey(f.package)) ?? '';
  // Unknown layers (not in the image's list) after the known ones, the empty key (no layer) last.
  const rank = (diffId: string): number => (diffId === '' ? Infinity : (layerIndex.get(diffId) ?? layers.length));
  const keys = [...new Set(findings.map(layerOf))].sort((x, y) => rank(x) - rank(y) || (x < y ? -1 : x > y ? 1 : 0));
  // Regroup in layer order; within a layer the canonical (package, severity, id) order is kept.
  const ordered = keys.flatMap((k) => findings.filter((f) => layerOf(f) === k));
  const { header, lines } = findingLines(ordered, c);
  const out = [c.bold(`Vulnerabilities (${findings.length}) by layer`)];
  let at = 0;
  for (const k of keys) {
    const group = ordered.filter((f) => layerOf(f) === k);
    const info = layers[layerIndex.get(k) ?? -1];
    const title = k === '' ? 'No layer' : `Layer ${layerLabel(k, layerIndex)}`;
    out.push('', `${c.bold(c.underline(title))}  ${countsLabel(countSeverities(group), c)}`);
    if (info?.createdBy) out.push(c.dim(`  created by: ${truncateMiddle(oneLine(info.createdBy).trim(), MAX_CREATED_BY)}`));
    out.push(...packageGroups(group, header, lines.slice(at, at + group.length), c));
    at += group.length;
  }
  return out;
}

function summaryLine(report: ScanReport, packageCount: number, findings: Finding[], c: Colors): string {
  const pkgs = `${packageCount} package${packageCount === 1 ? '' : 's'}`;
  if (findings.length === 0) {
    return report.db
      ? `${c.bold('Summary:')} ${pkgs}, ${c.green('no vulnerabilities found')}`
      : `${c.bold('Summary:')} ${pkgs} (inventory only, no vulnerability DB)`;
  }
  const n = findings.length;
  return `${c.bold('Summary:')} ${pkgs}, ${n} vulnerabilit${n === 1 ? 'y' : 'ies'} ${countsLabel(countSeverities(findings), c, true)}`;
}

/** "(critical: 1, high: 2)"; with `all`, every severity including zeros (stable for scripts). */
function countsLabel(counts: Record<Severity, number>, c: Colors, all = false): string {
  const parts = SEVERITIES.filter((s) => all || counts[s] > 0).map((s) => {
    const text = `${s}: ${counts[s]}`;
    return counts[s] > 0 ? severityPaint(s, c)(text) : text;
  });
  return `(${parts.join(', ')})`;
}

function severityPaint(s: Severity, c: Colors): Paint {
  switch (s) {
    case 'critical':
      return (x) => c.bold(c.red(x));
    case 'high':
      return c.red;
    case 'medium':
      return c.yellow;
    case 'low':
      return c.blue;
    default:
      return c.dim;
  }
}

/** "#2 5374cc73871e": the layer's position (what `docker history` users count) and short diffId. */
function layerLabel(diffId: string | undefined, layerIndex: Map<string, number>): string {
  if (!diffId) return '';
  const short = diffId.replace(/^[a-z0-9]+:/, '').slice(0, 12);
  const i = layerIndex.get(diffId);
  return i === undefined ? short : `#${i} ${short}`;
}

function locationLabel(p: Package): string {
  const first = p.locations[0] ?? '';
  return p.locations.length > 1 ? `${first} (+${p.locations.length - 1})` : first;
}

function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ');
}
