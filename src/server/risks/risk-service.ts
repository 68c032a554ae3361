/**
 * Security Risks: the vulnerabilities and compliance views over every asset, acceptances and the
 * exports. Every read first brings the dirty `risk_vulns` rows up to date (one shared refresh at
 * a time); at rest that is one indexed lookup that finds nothing.
 */
import type { Kysely } from 'kysely';
import type { ComplianceReport } from '../../compliance/types.js';
import type { VigilDbReader } from '../../vulndb/sqlite/reader.js';
import type { AssetService } from '../assets/asset-service.js';
import type { AuditLog } from '../auth/audit.js';
import { notFound } from '../errors.js';
import type { ComplianceAssetKind, Database } from '../store/schema.js';
import { activeAcceptances, createAcceptance, deleteAcceptance, listAcceptances, openVexDocument, type AcceptInput, type Acceptance } from './acceptances.js';
import { allComplianceRows, complianceImpact, listCompliance, storeComplianceReport, type ComplianceQuery } from './compliance.js';
import { complianceCsvStream, compliancePdf } from './compliance-export.js';
import { riskCsvStream, riskPdf } from './export.js';
import { impactOf, remediationOf } from './impact.js';
import { markStaleMeta, refreshRiskVulns } from './refresh.js';
import { allVulnRows, listVulns, oneVuln, type Dialect, type VulnQuery } from './vuln-query.js';

export interface Actor {
  username: string | null;
  ip?: string | null;
}

export class RiskService {
  private inflight: Promise<void> | undefined;
  private metaBuiltAt: string | undefined;
  private rematching: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly audit: AuditLog,
    private readonly assets: AssetService,
    private readonly now: () => Date,
    private readonly reader: () => VigilDbReader | undefined,
    private readonly dialect: Dialect = 'sqlite',
  ) {}

  private stamp(): string {
    return this.now().toISOString();
  }

  /** Recomputes the dirty rows; concurrent callers share one run. */
  refresh(): Promise<void> {
    this.inflight ??= this.doRefresh().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async doRefresh(): Promise<void> {
    const reader = this.reader();
    const builtAt = reader?.info().builtAt;
    if (reader && builtAt !== this.metaBuiltAt) {
      // A new DB: every row takes its text and scores from it, and node and platform
      // inventories are matched again, in the background (thousands of nodes must not hold up
      // a request); what they change is marked dirty for the next refresh.
      this.metaBuiltAt = builtAt;
      await markStaleMeta(this.db, builtAt!);
      const previous = this.rematching;
      this.rematching = (async () => {
        await previous;
        await this.assets.rematchInventories(reader);
      })().catch((e: unknown) => {
        process.emitWarning(`re-matching node and platform inventories failed: ${e instanceof Error ? e.message : String(e)}`, 'VigilRisks');
      });
    }
    await refreshRiskVulns(this.db, reader);
  }

  /** Resolves when the background re-match of node and platform inventories (after a DB change) is done. */
  async settled(): Promise<void> {
    await this.rematching;
  }

  async vulnerabilities(q: VulnQuery, page: { offset: number; limit: number }) {
    await this.refresh();
    return listVulns(this.db, q, page, this.stamp(), this.dialect);
  }

  async vulnerability(id: string, limit: number) {
    await this.refresh();
    const now = this.stamp();
    const row = await oneVuln(this.db, id, now);
    if (!row) throw notFound(`no vulnerability ${id} in any asset`);
    const acc = await activeAcceptances(this.db, id, now);
    const pkgs = await this.db.selectFrom('findings').select(['package_name', 'fixed_version']).distinct().where('vuln_id', '=', id).execute();
    return {
      ...row,
      remediation: remediationOf(pkgs.map((p) => ({ name: p.package_name, fixed: p.fixed_version }))),
      acceptances: await listAcceptances(this.db, { vulnerability: id }, now),
      impact: await impactOf(this.db, id, acc, limit),
    };
  }

  async csv(q: VulnQuery) {
    await this.refresh();
    return riskCsvStream(allVulnRows(this.db, q, this.stamp(), this.dialect));
  }

  async pdf(q: VulnQuery) {
    await this.refresh();
    const now = this.now();
    const { total } = await listVulns(this.db, q, { offset: 0, limit: 1 }, now.toISOString(), this.dialect);
    return riskPdf({ title: 'Security Risks: vulnerabilities', query: q, total, rows: allVulnRows(this.db, q, now.toISOString(), this.dialect), now });
  }

  // ---- acceptances -----------------------------------------------------------------------------

  async accept(input: AcceptInput, actor: Actor): Promise<Acceptance> {
    await this.refresh();
    const a = await createAcceptance(this.db, input, actor.username, this.stamp());
    await this.audit.record({
      actor: actor.username,
      action: 'risk.accepted',
      target: a.vulnerability,
      detail: { id: a.id, scope: a.scope, image: a.image, namespace: a.namespace, comment: a.comment, expiresAt: a.expiresAt },
      ip: actor.ip ?? null,
    });
    return a;
  }

  async unaccept(id: string, actor: Actor): Promise<void> {
    const a = await deleteAcceptance(this.db, id, this.stamp());
    await this.audit.record({ actor: actor.username, action: 'risk.unaccepted', target: a.vulnerability, detail: { id: a.id, scope: a.scope, image: a.image, namespace: a.namespace }, ip: actor.ip ?? null });
  }

  acceptances(o: { vulnerability?: string; active?: boolean }) {
    return listAcceptances(this.db, o, this.stamp());
  }

  openVex(author: string) {
    return openVexDocument(this.db, this.stamp(), author);
  }

  // ---- compliance ------------------------------------------------------------------------------

  async submitCompliance(kind: ComplianceAssetKind, id: string, report: ComplianceReport) {
    const exists =
      kind === 'image'
        ? await this.db.selectFrom('images').select('digest as id').where('digest', '=', id).executeTakeFirst()
        : await this.db.selectFrom(kind === 'node' ? 'nodes' : kind === 'container' ? 'containers' : 'platforms').select('id').where('id', '=', id).executeTakeFirst();
    if (!exists) throw notFound(`no ${kind} ${id}`);
    return storeComplianceReport(this.db, kind, id, report, this.stamp());
  }

  compliance(q: ComplianceQuery, page: { offset: number; limit: number }) {
    return listCompliance(this.db, q, page);
  }

  complianceCsv(q: ComplianceQuery) {
    return complianceCsvStream(q, allComplianceRows(this.db, q));
  }

  async compliancePdf(q: ComplianceQuery) {
    const { total } = await listCompliance(this.db, q, { offset: 0, limit: 1 });
    return compliancePdf({ title: 'Security Risks: compliance', query: q, total, rows: allComplianceRows(this.db, q), now: this.now() });
  }

  async complianceCheck(benchmark: string, checkId: string, levels: string[] | undefined, limit: number) {
    const r = await complianceImpact(this.db, benchmark, checkId, levels, limit);
    if (!r) throw notFound(`no results for check ${checkId} of ${benchmark}`);
    return r;
  }
}
