/**
 * Writes a vulnerability DB: rows go into a temp file next to the target, which is renamed into
 * place only when complete (a reader never sees a half-built DB). Importers call the `FeedSink`
 * methods; the writer interns shared strings, deduplicates range blobs and merges vulnerability
 * text arriving from several feeds (a record's own text first, NVD fills the gaps).
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { AffectedEntry, CvssEntry, EpssEntry, KevEntry, VulnerabilityRecord } from '../types.js';
import { BUILD_ONLY_DDL, DDL, DROP_BUILD_ONLY, PAGE_SIZE, SCHEMA_VERSION, severityCode, severityFromCode, statusCode } from './schema.js';

/** What importers write into. The builder hands one to each importer. */
export interface FeedSink {
  /** An affected row; its vulnerability gets a (possibly text-less) row too. */
  affected(entry: AffectedEntry): void;
  /** Vulnerability text and aliases; merged with what other feeds gave for the same id. */
  vulnerability(rec: VulnerabilityRecord): void;
  kev(entry: KevEntry): void;
  epss(entry: EpssEntry): void;
  /** True when some feed already gave an affected row for this (namespace, package, vulnerability). */
  hasAffected(namespace: string, pkg: string, vulnerability: string, sources?: readonly string[]): boolean;
  /** Per-source bookkeeping for the `sources` table: one record, and its time (ISO 8601) if known. */
  count(source: string, recordTime?: string): void;
  setMeta(key: string, value: string): void;
}

interface VulnRow {
  id: number;
  title: string | null;
  description: string | null;
  link: string | null;
  published: string | null;
  modified: string | null;
  severity: number | null;
  cvss: string | null;
  cwes: string | null;
  source: number | null;
}

const ENRICHERS = new Set(['nvd']);

export class DbWriter implements FeedSink {
  readonly target: string;
  private readonly tmp: string;
  private readonly db: Database.Database;
  private readonly strings = new Map<string, number>();
  private readonly blobCache = new Map<string, number>();
  private readonly vulnIds = new Map<string, number>();
  private readonly sourceStats = new Map<string, { updatedAt: string; records: number }>();
  private readonly stmt;
  private pending = 0;
  private closed = false;

  constructor(target: string) {
    this.target = target;
    mkdirSync(dirname(target), { recursive: true });
    this.tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    this.db = new Database(this.tmp);
    this.db.pragma(`page_size = ${PAGE_SIZE}`);
    // Rollback journal (not WAL): one self-contained file; a failed feed file rolls back alone.
    this.db.pragma('journal_mode = DELETE');
    this.db.pragma('synchronous = OFF');
    this.db.pragma('cache_size = -65536');
    this.db.pragma('temp_store = MEMORY');
    this.db.exec(DDL);
    this.db.exec(BUILD_ONLY_DDL);
    this.stmt = {
      string: this.db.prepare('INSERT INTO strings (value) VALUES (?)'),
      blobFind: this.db.prepare('SELECT id FROM blobs WHERE value = ?').pluck(),
      blobInsert: this.db.prepare('INSERT INTO blobs (value) VALUES (?)'),
      vulnFind: this.db.prepare('SELECT * FROM vulnerabilities WHERE name = ?'),
      vulnInsert: this.db.prepare('INSERT INTO vulnerabilities (name) VALUES (?)'),
      vulnUpdate: this.db.prepare(
        'UPDATE vulnerabilities SET title=@title, description=@description, link=@link, published=@published, modified=@modified, severity=@severity, cvss=@cvss, cwes=@cwes, source=@source WHERE id=@id',
      ),
      alias: this.db.prepare('INSERT OR IGNORE INTO aliases (vulnerability, alias) VALUES (?, ?)'),
      affected: this.db.prepare('INSERT INTO affected (namespace, package, vulnerability, scheme, status, severity, source, ranges) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      hasAffected: this.db.prepare('SELECT source FROM affected WHERE namespace = ? AND package = ? AND vulnerability = ?').pluck(),
      kev: this.db.prepare('INSERT OR REPLACE INTO kev (cve, date_added, due_date, ransomware) VALUES (?, ?, ?, ?)'),
      epss: this.db.prepare('INSERT OR REPLACE INTO epss (cve, score, percentile) VALUES (?, ?, ?)'),
      meta: this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
    };
    this.db.exec('BEGIN');
  }

  /** Runs one feed file atomically: its rows all go in, or none do (a savepoint). */
  async file<T>(fn: () => Promise<T>): Promise<T> {
    this.db.exec('SAVEPOINT feed_file');
    const stats = new Map([...this.sourceStats].map(([k, v]) => [k, { ...v }]));
    try {
      const r = await fn();
      this.db.exec('RELEASE feed_file');
      this.maybeCommit();
      return r;
    } catch (e) {
      this.db.exec('ROLLBACK TO feed_file');
      this.db.exec('RELEASE feed_file');
      this.strings.clear();
      this.blobCache.clear();
      this.vulnIds.clear();
      this.sourceStats.clear();
      for (const [k, v] of stats) this.sourceStats.set(k, v);
      for (const row of this.db.prepare('SELECT id, value FROM strings').all() as { id: number; value: string }[]) this.strings.set(row.value, row.id);
      throw e;
    }
  }

  private maybeCommit(): void {
    // Bounded transactions keep the page cache and journal small on GB-sized feeds.
    if (this.pending > 50_000) {
      this.db.exec('COMMIT');
      this.db.exec('BEGIN');
      this.pending = 0;
    }
  }

  private str(value: string): number {
    let id = this.strings.get(value);
    if (id === undefined) {
      id = Number(this.stmt.string.run(value).lastInsertRowid);
      this.strings.set(value, id);
    }
    return id;
  }

  private blob(value: string): number {
    let id = this.blobCache.get(value);
    if (id !== undefined) return id;
    id = this.stmt.blobFind.get(value) as number | undefined;
    if (id === undefined) id = Number(this.stmt.blobInsert.run(value).lastInsertRowid);
    if (this.blobCache.size > 20_000) this.blobCache.clear();
    this.blobCache.set(value, id);
    return id;
  }

  private vulnId(name: string): number {
    let id = this.vulnIds.get(name);
    if (id !== undefined) return id;
    const row = this.stmt.vulnFind.get(name) as VulnRow | undefined;
    id = row ? row.id : Number(this.stmt.vulnInsert.run(name).lastInsertRowid);
    if (this.vulnIds.size > 200_000) this.vulnIds.clear();
    this.vulnIds.set(name, id);
    return id;
  }

  affected(e: AffectedEntry): void {
    const payload: { r: AffectedEntry['ranges']; v?: string[] } = { r: e.ranges };
    if (e.versions && e.versions.length > 0) payload.v = e.versions;
    this.stmt.affected.run(
      this.str(e.namespace),
      e.package,
      this.vulnId(e.vulnerability),
      this.str(e.scheme),
      statusCode(e.status),
      severityCode(e.severity),
      this.str(e.source),
      this.blob(JSON.stringify(payload)),
    );
    this.pending++;
  }

  hasAffected(namespace: string, pkg: string, vulnerability: string, sources?: readonly string[]): boolean {
    const ns = this.strings.get(namespace);
    if (ns === undefined) return false;
    const rows = this.stmt.hasAffected.all(ns, pkg, this.vulnId(vulnerability)) as number[];
    if (!sources) return rows.length > 0;
    const ids = new Set(sources.map((s) => this.strings.get(s)));
    return rows.some((r) => ids.has(r));
  }

  vulnerability(rec: VulnerabilityRecord): void {
    const id = this.vulnId(rec.id);
    const old = this.stmt.vulnFind.get(rec.id) as VulnRow;
    const enrich = ENRICHERS.has(rec.source);
    // A record's own text wins; an enricher (NVD) only fills what is missing. Either order of feeds gives the same row.
    const pick = <T>(mine: T | undefined, theirs: T | null): T | null => {
      const m = mine === undefined || mine === '' ? null : mine;
      if (enrich) return theirs ?? m;
      return m ?? theirs;
    };
    const oldCvss: CvssEntry[] = old.cvss ? (JSON.parse(old.cvss) as CvssEntry[]) : [];
    const cvss = enrich ? [...oldCvss, ...rec.cvss] : [...rec.cvss, ...oldCvss];
    const seen = new Set<string>();
    const mergedCvss = cvss.filter((c) => {
      const k = `${c.source ?? ''}|${c.vector}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    const oldCwes: string[] = old.cwes ? (JSON.parse(old.cwes) as string[]) : [];
    const cwes = [...new Set(enrich ? [...oldCwes, ...rec.cwes] : [...rec.cwes, ...oldCwes])];
    const sev = pick(rec.severity, severityFromCode(old.severity) ?? null);
    this.stmt.vulnUpdate.run({
      id,
      title: pick(rec.title, old.title),
      description: pick(rec.description, old.description),
      link: pick(rec.link, old.link),
      published: pick(rec.published, old.published),
      modified: pick(rec.modified, old.modified),
      severity: severityCode(sev ?? undefined),
      cvss: mergedCvss.length ? JSON.stringify(mergedCvss) : null,
      cwes: cwes.length ? JSON.stringify(cwes) : null,
      source: old.source !== null && enrich ? old.source : this.str(rec.source),
    });
    for (const alias of rec.aliases) {
      if (alias !== rec.id) this.stmt.alias.run(id, this.vulnId(alias));
    }
    this.pending++;
  }

  kev(e: KevEntry): void {
    this.stmt.kev.run(e.cve, e.dateAdded, e.dueDate ?? null, e.knownRansomwareCampaignUse ?? null);
    this.pending++;
  }

  epss(e: EpssEntry): void {
    this.stmt.epss.run(e.cve, e.score, e.percentile);
    this.pending++;
  }

  count(source: string, recordTime?: string): void {
    const s = this.sourceStats.get(source) ?? { updatedAt: '', records: 0 };
    s.records++;
    if (recordTime && isRealTime(recordTime) && recordTime > s.updatedAt) s.updatedAt = recordTime;
    this.sourceStats.set(source, s);
  }

  setMeta(key: string, value: string): void {
    this.stmt.meta.run(key, value);
  }

  sources(): { name: string; updatedAt: string; records: number }[] {
    return [...this.sourceStats].map(([name, s]) => ({ name, ...s })).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Writes meta and sources, compacts, and renames the file into place. */
  finish(builtAt: Date): void {
    this.stmt.meta.run('schema_version', String(SCHEMA_VERSION));
    this.stmt.meta.run('built_at', builtAt.toISOString());
    const ins = this.db.prepare('INSERT OR REPLACE INTO sources (name, updated_at, records) VALUES (?, ?, ?)');
    for (const s of this.sources()) ins.run(s.name, s.updatedAt, s.records);
    this.db.exec('COMMIT');
    this.db.exec(DROP_BUILD_ONLY);
    this.db.exec('ANALYZE');
    this.db.exec('VACUUM');
    this.db.close();
    this.closed = true;
    renameSync(this.tmp, this.target);
  }

  /** Drops the temp file (after a failed build). */
  abort(): void {
    if (!this.closed) {
      try {
        this.db.close();
      } catch {
        // already closed by a failure inside SQLite; the file goes below either way
      }
      this.closed = true;
    }
    rmSync(this.tmp, { force: true });
    rmSync(`${this.tmp}-journal`, { force: true });
  }
}

/** Go's OSV records carry placeholder dates ("0001-01-01T00:00:00Z"): they are not record times. */
export function isRealTime(t: string): boolean {
  return /^(19[7-9]\d|2\d{3})-\d\d-\d\d/.test(t);
}
