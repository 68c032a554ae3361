/**
 * Images the controller has scanned, by digest: the inventory (kept, so a new vulnerability DB
 * re-matches without pulling), and the latest match against the installed DB. Matching runs
 * here, in the main thread, against the one open DB reader.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Inventory } from '../../core/types.js';
import { buildReport, match } from '../../match/index.js';
import type { ScanReport, Severity } from '../../report/types.js';
import type { VigilDbReader } from '../../vulndb/sqlite/reader.js';
import type { Database, ImageRow } from '../store/schema.js';
import { replaceAssetFindings } from '../risks/findings.js';
import { packJson, packText, unpackJson } from './codec.js';

export type Summary = Record<Severity, number> & { total: number; fixable: number };

export interface MatchOutcome {
  summary: Summary;
  gained: string[];
  lost: string[];
  /** false when the image had no result before (first match) */
  hadResult: boolean;
}

/** "CVE-2023-1234 openssl@3.0.11-1~deb12u1": one finding, for gained/lost comparisons. */
function findingKey(f: ScanReport['vulnerabilities'][number]): string {
  return `${f.id} ${f.package.name}@${f.package.version}`;
}

function summarize(report: ScanReport): Summary {
  return { ...report.summary, total: report.vulnerabilities.length, fixable: report.vulnerabilities.filter((v) => v.fixedVersion).length };
}

/** Sorted-set difference of two sorted arrays. */
function minus(a: readonly string[], b: readonly string[]): string[] {
  const out: string[] = [];
  let j = 0;
  for (const x of a) {
    while (j < b.length && b[j]! < x) j++;
    if (b[j] !== x) out.push(x);
  }
  return out;
}

export class ImageStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date,
  ) {}

  async has(digest: string): Promise<boolean> {
    return !!(await this.db.selectFrom('images').select('digest').where('digest', '=', digest).executeTakeFirst());
  }

  /** Keeps a fresh inventory (replacing any older one for the digest). */
  async saveInventory(digest: string, inventory: Inventory, scanMs: number): Promise<void> {
    const a = inventory.artifact;
    const row = {
      digest,
      manifest_digest: a.digest ?? null,
      config_digest: a.imageId ?? '',
      platform: a.platform ?? '',
      os: a.os ? `${a.os.family} ${a.os.version}`.trim() : null,
      layers: JSON.stringify(a.layers ?? []),
      package_count: inventory.packages.length,
      inventory_gz: packJson(inventory),
      scanned_at: this.now().toISOString(),
      scan_ms: scanMs,
    };
    await this.db
      .insertInto('images')
      .values(row)
      .onConflict((oc) => oc.column('digest').doUpdateSet({ ...row, digest: undefined }))
      .execute();
  }

  async inventory(digest: string): Promise<Inventory | undefined> {
    const r = await this.db.selectFrom('images').select('inventory_gz').where('digest', '=', digest).executeTakeFirst();
    return r ? unpackJson<Inventory>(r.inventory_gz) : undefined;
  }

  async image(digest: string): Promise<ImageRow | undefined> {
    return this.db.selectFrom('images').selectAll().where('digest', '=', digest).executeTakeFirst();
  }

  /** Matches one inventory and stores the result; says what changed since the last match. */
  async match(digest: string, inventory: Inventory, reader: VigilDbReader, db: Kysely<Database> = this.db): Promise<MatchOutcome> {
    const report = buildReport(inventory, match(inventory, reader), reader.info(), { dbStale: reader.staleWarning() ?? false });
    return this.storeResult(db, digest, report, reader.info().builtAt);
  }

  private async storeResult(db: Kysely<Database>, digest: string, report: ScanReport, builtAt: string): Promise<MatchOutcome> {
    const keys = [...new Set(report.vulnerabilities.map(findingKey))].sort();
    const prev = await db.selectFrom('image_results').select(['finding_keys', 'report_hash']).where('digest', '=', digest).executeTakeFirst();
    const before = prev ? (JSON.parse(prev.finding_keys) as string[]) : [];
    const summary = summarize(report);
    // Packages live in the inventory; the stored report carries the findings only. The DB's
    // name and staleness are filled in when the report is read, so they do not make an
    // unchanged result look changed.
    const warnings = report.warnings.filter((w) => w.code !== 'db-stale');
    const json = JSON.stringify({ ...report, packages: [], warnings });
    const hash = createHash('sha256').update(JSON.stringify([report.vulnerabilities, warnings, report.artifact.os ?? null])).digest('hex');
    const matchedAt = this.now().toISOString();
    if (prev && prev.report_hash === hash) {
      // Same report as before (typical for most images after a DB update): only the dates move.
      await db.updateTable('image_results').set({ db_built_at: builtAt, matched_at: matchedAt }).where('digest', '=', digest).execute();
      return { summary, gained: [], lost: [], hadResult: true };
    }
    const row = { digest, db_built_at: builtAt, matched_at: matchedAt, summary: JSON.stringify(summary), finding_keys: JSON.stringify(keys), report_hash: hash, report_gz: packText(json) };
    await db
      .insertInto('image_results')
      .values(row)
      .onConflict((oc) => oc.column('digest').doUpdateSet({ ...row, digest: undefined }))
      .execute();
    // The Security Risks view's flattened findings (src/server/risks/findings.ts).
    await replaceAssetFindings(db, 'image', digest, report.vulnerabilities, report.packages);
    return { summary, gained: minus(keys, before), lost: minus(before, keys), hadResult: !!prev };
  }

  /**
   * The full SPEC report of an image (packages from the inventory), or undefined before its
   * first match. With the DB it was last matched against, the report names that DB and carries
   * its staleness warning as of now.
   */
  async report(digest: string, reader?: VigilDbReader): Promise<ScanReport | undefined> {
    const r = await this.db
      .selectFrom('image_results')
      .innerJoin('images', 'images.digest', 'image_results.digest')
      .select(['image_results.report_gz', 'image_results.db_built_at', 'images.inventory_gz'])
      .where('image_results.digest', '=', digest)
      .executeTakeFirst();
    if (!r) return undefined;
    const report = unpackJson<ScanReport>(r.report_gz);
    report.packages = unpackJson<Inventory>(r.inventory_gz).packages;
    const info = reader?.info();
    if (reader && info && info.builtAt === r.db_built_at) {
      report.db = { schemaVersion: info.schemaVersion, builtAt: info.builtAt, sources: info.sources.map((s) => ({ name: s.name, updatedAt: s.updatedAt })) };
      const stale = reader.staleWarning();
      if (stale) report.warnings.push({ code: 'db-stale', message: stale });
    }
    return report;
  }

  async summary(digest: string): Promise<{ summary: Summary; dbBuiltAt: string; matchedAt: string } | undefined> {
    const r = await this.db.selectFrom('image_results').select(['summary', 'db_built_at', 'matched_at']).where('digest', '=', digest).executeTakeFirst();
    return r ? { summary: JSON.parse(r.summary) as Summary, dbBuiltAt: r.db_built_at, matchedAt: r.matched_at } : undefined;
  }

  /**
   * Re-matches every stored inventory against `reader`, in pages by digest (flat memory),
   * calling `onChange` for images whose findings changed. No image is pulled.
   */
  async rematchAll(reader: VigilDbReader, onChange: (digest: string, o: MatchOutcome) => Promise<void>, pageSize = 100): Promise<{ images: number; changed: number }> {
    let after = '';
    let images = 0;
    let changed = 0;
    for (;;) {
      const page = await this.db.selectFrom('images').select(['digest', 'inventory_gz']).where('digest', '>', after).orderBy('digest').limit(pageSize).execute();
      if (page.length === 0) break;
      // One transaction per page: one commit (one fsync) per hundred images, not per image.
      // Changes are reported after the commit; nothing else can use an SQLite connection meanwhile.
      const changes: Array<[string, MatchOutcome]> = [];
      await this.db.transaction().execute(async (trx) => {
        for (const r of page) {
          const o = await this.match(r.digest, unpackJson<Inventory>(r.inventory_gz), reader, trx);
          if (o.hadResult && (o.gained.length || o.lost.length)) changes.push([r.digest, o]);
        }
      });
      images += page.length;
      changed += changes.length;
      for (const [digest, o] of changes) await onChange(digest, o);
      after = page[page.length - 1]!.digest;
    }
    return { images, changed };
  }
}
