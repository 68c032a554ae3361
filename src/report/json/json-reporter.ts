import type { Artifact, Package, Warning } from '../../core/types.js';
import type { DbMeta, Finding, RenderOptions, Reporter, ScanReport, Suppression } from '../types.js';
import { compareFindings, orderedSummary, sortedFindings, sortedPackages } from './canonical.js';

/**
 * `--format json`: the SPEC "JSON scan report". Keys are written in SPEC order (SPEC fields
 * first, Vigil's extra fields after them) so that diffs between two runs show only real changes.
 * The image run config is left out on purpose: its environment often holds secrets.
 */
export const jsonReporter = {
  format: 'json',
  render(report: ScanReport, _options?: RenderOptions): string {
    return JSON.stringify(toJsonReport(report), null, 2) + '\n';
  },
} satisfies Reporter;

/** The report as a plain object with SPEC key order; `undefined` fields are dropped by JSON. */
export function toJsonReport(report: ScanReport): Record<string, unknown> {
  return {
    schemaVersion: report.schemaVersion,
    artifact: artifactJson(report.artifact),
    db: dbJson(report.db),
    packages: sortedPackages(report).map(packageJson),
    vulnerabilities: sortedFindings(report).map(findingJson),
    summary: orderedSummary(report),
    warnings: report.warnings.map(warningJson),
    // Only when a policy ran: a report without VEX or an ignore file keeps the SPEC shape.
    suppressed: report.suppressed && [...report.suppressed].sort((a, b) => compareFindings(a.finding, b.finding)).map(suppressionJson),
  };
}

/** What was hidden and why; findings in the same shape and order as `vulnerabilities`. */
function suppressionJson(s: Suppression): Record<string, unknown> {
  const finding = findingJson(s.finding);
  if (s.reason === 'vex') {
    const st = s.statement;
    return {
      finding,
      reason: s.reason,
      statement: {
        file: st.file,
        document: st.document,
        vulnerability: st.vulnerability,
        product: st.product,
        status: st.status,
        justification: st.justification,
        impactStatement: st.impactStatement,
        timestamp: st.timestamp,
      },
    };
  }
  const e = s.entry;
  return {
    finding,
    reason: s.reason,
    entry: { file: e.file, id: e.id, package: e.package, paths: e.paths, reason: e.reason, expires: e.expires },
  };
}

function artifactJson(a: Artifact): Record<string, unknown> {
  return {
    type: a.type,
    name: a.name,
    digest: a.digest,
    os: a.os && {
      family: a.os.family,
      version: a.os.version,
      codename: a.os.codename,
      prettyName: a.os.prettyName,
    },
    layers: a.layers?.map((l) => ({ digest: l.digest, diffId: l.diffId, createdBy: l.createdBy, size: l.size })),
    imageId: a.imageId,
    platform: a.platform,
    repoTags: a.repoTags,
    repoDigests: a.repoDigests,
  };
}

function dbJson(db: DbMeta | null): Record<string, unknown> | null {
  if (!db) return null;
  return {
    schemaVersion: db.schemaVersion,
    builtAt: db.builtAt,
    sources: db.sources.map((s) => ({ name: s.name, updatedAt: s.updatedAt })),
  };
}

function packageJson(p: Package): Record<string, unknown> {
  return {
    name: p.name,
    version: p.version,
    type: p.type,
    sourceName: p.sourceName,
    sourceVersion: p.sourceVersion,
    purl: p.purl,
    layer: p.layer,
    locations: p.locations,
    arch: p.arch,
    licenses: p.licenses,
    ownedBy: p.ownedBy && { type: p.ownedBy.type, name: p.ownedBy.name },
    metadata: p.metadata,
  };
}

function findingJson(f: Finding): Record<string, unknown> {
  return {
    id: f.id,
    aliases: f.aliases,
    package: { name: f.package.name, version: f.package.version, type: f.package.type },
    fixedVersion: f.fixedVersion ?? null,
    status: f.status,
    severity: f.severity,
    cvss: f.cvss ? { score: f.cvss.score, vector: f.cvss.vector } : null,
    kev: f.kev,
    epss: f.epss ?? null,
    source: f.source,
    layer: f.layer,
    title: f.title,
    link: f.link,
  };
}

function warningJson(w: Warning): Record<string, unknown> {
  return { code: w.code, message: w.message, location: w.location };
}
