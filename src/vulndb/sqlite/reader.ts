/**
 * Reads a vulnerability DB. Opening checks the file cheaply (SQLite header, size against the
 * header's page count, the schema version in `meta`) so that a missing, truncated, corrupt or
 * foreign DB is a clear `db-*` error, never an empty result. `verify: true` adds
 * `PRAGMA quick_check` (used by `vigil db import`).
 */
import Database from 'better-sqlite3';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { VigilError } from '../../core/errors.js';
import type { AffectedEntry, CvssEntry, DbInfo, EpssEntry, KevEntry, VulnDbReader, VulnerabilityRecord } from '../types.js';
import { SCHEMA_VERSION, STATUS_CODES, severityFromCode } from './schema.js';

const HOW_TO_GET = 'get one with `vigil db import FILE` or build one with `vigil db build --out FILE <feeds>`';
const DAY_MS = 86_400_000;

export interface OpenOptions {
  /** A DB built longer ago than this is stale (default 7 days). */
  maxAgeDays?: number;
  /** The clock (tests). */
  now?: () => Date;
  /** Run `PRAGMA quick_check` too (slower: reads the whole file). */
  verify?: boolean;
}

export interface VigilDbReader extends VulnDbReader {
  readonly path: string;
  /** Age of the DB in days, from its build time. */
  ageDays(): number;
  isStale(): boolean;
  /** A sentence for reports when the DB is stale, else undefined. */
  staleWarning(): string | undefined;
}

function dbError(code: 'db-missing' | 'db-corrupt' | 'db-schema', message: string, cause?: unknown): VigilError {
  return new VigilError(code, message, { kind: 'db', cause });
}

function checkHeader(path: string): void {
  const size = statSync(path).size;
  const buf = Buffer.alloc(100);
  const fd = openSync(path, 'r');
  let n: number;
  try {
    n = readSync(fd, buf, 0, 100, 0);
  } finally {
    closeSync(fd);
  }
  if (n < 100 || buf.toString('latin1', 0, 16) !== 'SQLite format 3\u0000') {
    throw dbError('db-corrupt', `${path} is not a Vigil vulnerability DB (not an SQLite file); ${HOW_TO_GET}`);
  }
  const pageSizeRaw = buf.readUInt16BE(16);
  const pageSize = pageSizeRaw === 1 ? 65536 : pageSizeRaw;
  const pages = buf.readUInt32BE(28);
  // The in-header page count is valid when "version-valid-for" equals the change counter.
  if (buf.readUInt32BE(92) === buf.readUInt32BE(24) && pages > 0 && size < pages * pageSize) {
    throw dbError('db-corrupt', `${path} is truncated (${size} of ${pages * pageSize} bytes); ${HOW_TO_GET}`);
  }
}

interface AffectedRow {
  package: string;
  vulnerability: string;
  namespace: string;
  scheme: string;
  status: number;
  severity: number | null;
  source: string;
  ranges: string;
}
interface VulnRow {
  id: number;
  name: string;
  title: string | null;
  description: string | null;
  link: string | null;
  published: string | null;
  modified: string | null;
  severity: number | null;
  cvss: string | null;
  cwes: string | null;
  source: string | null;
}

function hasText(r: VulnRow): boolean {
  return !!(r.title || r.description || r.cvss);
}

export function openVulnDb(path: string, opts: OpenOptions = {}): VigilDbReader {
  if (!existsSync(path)) throw dbError('db-missing', `no vulnerability DB at ${path}; ${HOW_TO_GET}`);
  checkHeader(path);
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw dbError('db-corrupt', `${path} cannot be opened (${(e as Error).message}); ${HOW_TO_GET}`, e);
  }
  const fail = (e: unknown): never => {
    db.close();
    if (e instanceof VigilError) throw e;
    throw dbError('db-corrupt', `${path} is corrupt (${(e as Error).message}); ${HOW_TO_GET}`, e);
  };
  let info: DbInfo;
  let epssDate: string | undefined;
  try {
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]));
    if (!tables.has('meta')) throw dbError('db-schema', `${path} is not a Vigil vulnerability DB (no meta table); ${HOW_TO_GET}`);
    const meta = new Map((db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]).map((r) => [r.key, r.value]));
    const version = Number(meta.get('schema_version'));
    if (version !== SCHEMA_VERSION) {
      throw dbError('db-schema', `${path} has DB schema version ${meta.get('schema_version') ?? 'none'}, this Vigil reads version ${SCHEMA_VERSION}; ${HOW_TO_GET}`);
    }
    if (opts.verify) {
      const res = db.prepare('PRAGMA quick_check').pluck().all() as string[];
      if (res.length !== 1 || res[0] !== 'ok') throw dbError('db-corrupt', `${path} failed the integrity check (${res.slice(0, 2).join('; ')}); ${HOW_TO_GET}`);
    }
    const sources = (db.prepare('SELECT name, updated_at AS updatedAt, records FROM sources ORDER BY name').all() as DbInfo['sources']);
    info = { schemaVersion: version, builtAt: meta.get('built_at') ?? '', sources };
    epssDate = meta.get('epss_date');
  } catch (e) {
    return fail(e);
  }
  const stmt = {
    affected: db.prepare(
      `SELECT a.package, v.name AS vulnerability, n.value AS namespace, sc.value AS scheme, a.status, a.severity, so.value AS source, b.value AS ranges
       FROM affected a JOIN strings n ON n.id = a.namespace JOIN vulnerabilities v ON v.id = a.vulnerability
       JOIN strings sc ON sc.id = a.scheme JOIN strings so ON so.id = a.source JOIN blobs b ON b.id = a.ranges
       WHERE a.namespace = (SELECT id FROM strings WHERE value = ?) AND a.package = ?`,
    ),
    vuln: db.prepare('SELECT v.*, s.value AS source FROM vulnerabilities v LEFT JOIN strings s ON s.id = v.source WHERE v.name = ?'),
    vulnById: db.prepare('SELECT v.*, s.value AS source FROM vulnerabilities v LEFT JOIN strings s ON s.id = v.source WHERE v.id = ?'),
    aliases: db.prepare(
      'SELECT v.name FROM aliases a JOIN vulnerabilities v ON v.id = a.alias WHERE a.vulnerability = ? UNION SELECT v.name FROM aliases a JOIN vulnerabilities v ON v.id = a.vulnerability WHERE a.alias = ?',
    ).pluck(),
    aliasOf: db.prepare('SELECT vulnerability FROM aliases WHERE alias = ?').pluck(),
    kev: db.prepare('SELECT cve, date_added AS dateAdded, due_date AS dueDate, ransomware AS knownRansomwareCampaignUse FROM kev WHERE cve = ?'),
    epss: db.prepare('SELECT cve, score, percentile FROM epss WHERE cve = ?'),
  };
  const now = opts.now ?? (() => new Date());
  const maxAgeDays = opts.maxAgeDays ?? 7;

  /** `withAliases: false` skips the alias query when only the text is wanted (CVE enrichment). */
  const toRecord = (row: VulnRow, id: string, withAliases = true): VulnerabilityRecord => {
    const rec: VulnerabilityRecord = {
      id,
      aliases: withAliases ? (stmt.aliases.all(row.id, row.id) as string[]).filter((a) => a !== id) : [],
      cvss: row.cvss ? (JSON.parse(row.cvss) as CvssEntry[]) : [],
      cwes: row.cwes ? (JSON.parse(row.cwes) as string[]) : [],
      source: row.source ?? '',
    };
    if (row.title) rec.title = row.title;
    if (row.description) rec.description = row.description;
    if (row.link) rec.link = row.link;
    if (row.published) rec.published = row.published;
    if (row.modified) rec.modified = row.modified;
    const sev = severityFromCode(row.severity);
    if (sev) rec.severity = sev;
    return rec;
  };

  /** Fills what `rec` lacks from the CVE's own row (NVD text), keeping both CVSS lists. */
  const mergeCve = (rec: VulnerabilityRecord): VulnerabilityRecord => {
    for (const alias of [rec.id, ...rec.aliases].filter((a) => a.startsWith('CVE-') && a !== rec.id)) {
      const row = stmt.vuln.get(alias) as VulnRow | undefined;
      if (!row || !hasText(row)) continue;
      const cve = toRecord(row, alias, false);
      rec.description ??= cve.description;
      rec.published ??= cve.published;
      rec.modified ??= cve.modified;
      rec.link ??= cve.link;
      const seen = new Set(rec.cvss.map((c) => `${c.source ?? ''}|${c.vector}`));
      for (const c of cve.cvss) if (!seen.has(`${c.source ?? ''}|${c.vector}`)) rec.cvss.push(c);
      rec.cwes = [...new Set([...rec.cwes, ...cve.cwes])];
    }
    return rec;
  };

  /** Corruption found while reading (a damaged page) is a db-corrupt error, not an internal one. */
  const guard = <A extends unknown[], R>(fn: (...a: A) => R) => (...a: A): R => {
    try {
      return fn(...a);
    } catch (e) {
      if (e instanceof Database.SqliteError && /CORRUPT|NOTADB|IOERR/.test(e.code)) throw dbError('db-corrupt', `${path} is corrupt (${e.message}); ${HOW_TO_GET}`, e);
      throw e;
    }
  };

  const reader: VigilDbReader = {
    path,
    info: () => info,
    affected: guard((namespace: string, pkg: string): AffectedEntry[] => (stmt.affected.all(namespace, pkg) as AffectedRow[]).map((r) => {
        const payload = JSON.parse(r.ranges) as { r: AffectedEntry['ranges']; v?: string[] };
        const e: AffectedEntry = {
          vulnerability: r.vulnerability,
          namespace: r.namespace,
          package: r.package,
          scheme: r.scheme,
          ranges: payload.r,
          status: STATUS_CODES[r.status] ?? 'affected',
          source: r.source,
        };
        if (payload.v) e.versions = payload.v;
        const sev = severityFromCode(r.severity);
        if (sev) e.severity = sev;
        return e;
      }),
    ),
    vulnerability: guard((id: string): VulnerabilityRecord | undefined => {
      const row = stmt.vuln.get(id) as VulnRow | undefined;
      if (row && hasText(row)) return mergeCve(toRecord(row, id));
      // Known only as an alias (or a bare id from a distro feed): the text of a record naming it.
      const ids = row ? (stmt.aliasOf.all(row.id) as number[]) : [];
      for (const other of ids) {
        const o = stmt.vulnById.get(other) as VulnRow | undefined;
        if (o && hasText(o)) {
          const rec = toRecord(o, o.name);
          return mergeCve({ ...rec, id, aliases: [...new Set([o.name, ...rec.aliases.filter((a) => a !== id), ...toRecord(row!, id).aliases])] });
        }
      }
      return row ? toRecord(row, id) : undefined;
    }),
    kev(cve: string): KevEntry | undefined {
      const r = stmt.kev.get(cve) as (KevEntry & { dueDate: string | null; knownRansomwareCampaignUse: string | null }) | undefined;
      if (!r) return undefined;
      const e: KevEntry = { cve: r.cve, dateAdded: r.dateAdded };
      if (r.dueDate) e.dueDate = r.dueDate;
      if (r.knownRansomwareCampaignUse) e.knownRansomwareCampaignUse = r.knownRansomwareCampaignUse;
      return e;
    },
    epss(cve: string): EpssEntry | undefined {
      const r = stmt.epss.get(cve) as EpssEntry | undefined;
      if (!r) return undefined;
      return epssDate ? { ...r, date: epssDate } : r;
    },
    ageDays(): number {
      const built = Date.parse(info.builtAt);
      return Number.isFinite(built) ? (now().getTime() - built) / DAY_MS : Infinity;
    },
    isStale(): boolean {
      return reader.ageDays() > maxAgeDays;
    },
    staleWarning(): string | undefined {
      if (!reader.isStale()) return undefined;
      const age = reader.ageDays();
      const ageText = Number.isFinite(age) ? `${Math.floor(age)} days ago` : 'at an unknown time';
      return `the vulnerability DB was built ${ageText} (more than ${maxAgeDays} days): findings may be missing; run \`vigil db update\` or import a newer DB`;
    },
    close(): void {
      db.close();
    },
  };
  return reader;
}
