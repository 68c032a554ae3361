/**
 * The vulnerability DB as the controller holds it: one open reader, swapped when a new DB file
 * is installed — by an upload, by `POST /api/v1/db/update`, or by `vigil db import` next to the
 * running server (noticed by polling the file's identity). Readers are swapped, never closed
 * under a match in progress: matching is synchronous, so a swap between two matches is safe.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, renameSync, rmSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { VigilError, describeError } from '../../core/errors.js';
import { memoReader } from '../../vulndb/memo-reader.js';
import { openVulnDb, type VigilDbReader } from '../../vulndb/sqlite/reader.js';

export interface DbStatus {
  path: string;
  installed: boolean;
  schemaVersion: number | null;
  builtAt: string | null;
  ageDays: number | null;
  stale: boolean;
  sources: Array<{ name: string; records: number; updatedAt: string }>;
  /** Why the file at `path` could not be opened, when it exists but is unusable. */
  error: string | null;
}

function identity(st: Stats | undefined): string {
  return st ? `${st.ino}:${st.size}:${st.mtimeMs}` : 'missing';
}

export class VulnDbHolder {
  private current: VigilDbReader | undefined;
  private seen = '';
  private lastError: string | null = null;

  constructor(
    readonly path: string,
    private readonly o: { maxAgeDays?: number; now?: () => Date } = {},
  ) {
    this.reloadIfChanged();
  }

  get reader(): VigilDbReader | undefined {
    return this.current;
  }

  /** Opens the file again when it changed on disk; true when a different DB is now in use. */
  reloadIfChanged(): boolean {
    let st: Stats | undefined;
    try {
      st = statSync(this.path);
    } catch {
      st = undefined;
    }
    const id = identity(st);
    if (id === this.seen) return false;
    this.seen = id;
    if (!st) return false;
    let next: VigilDbReader;
    try {
      next = openVulnDb(this.path, { maxAgeDays: this.o.maxAgeDays ?? 7, ...(this.o.now ? { now: this.o.now } : {}) });
    } catch (e) {
      // A half-copied or foreign file: keep serving the DB we have.
      this.lastError = describeError(e);
      return false;
    }
    const before = this.current?.info().builtAt;
    this.current?.close();
    // Matches share answers until the next DB: re-matching every image asks the same questions.
    this.current = memoReader(next);
    this.lastError = null;
    return next.info().builtAt !== before || before === undefined;
  }

  /** Checks `file` completely, then moves it over the DB in one rename (the old DB stays on any failure). */
  install(file: string): void {
    try {
      openVulnDb(file, { verify: true, maxAgeDays: Infinity }).close();
    } catch (e) {
      throw new VigilError('bad-db', `not a usable Vigil vulnerability DB: ${describeError(e)}`, { kind: 'input', cause: e });
    }
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = join(dirname(this.path), `.${basename(this.path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      try {
        renameSync(file, this.path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
        // Another file system: copy next to the DB first, so the final step is still one rename.
        copyFileSync(file, tmp);
        renameSync(tmp, this.path);
        rmSync(file, { force: true });
      }
    } catch (e) {
      rmSync(tmp, { force: true });
      throw new VigilError('db-install', `cannot install the DB at ${this.path}: ${describeError(e)}`, { kind: 'db', cause: e });
    }
  }

  status(): DbStatus {
    const r = this.current;
    if (!r) return { path: this.path, installed: false, schemaVersion: null, builtAt: null, ageDays: null, stale: true, sources: [], error: this.lastError };
    const info = r.info();
    const age = r.ageDays();
    return {
      path: this.path,
      installed: true,
      schemaVersion: info.schemaVersion,
      builtAt: info.builtAt,
      ageDays: Number.isFinite(age) ? Math.round(age * 100) / 100 : null,
      stale: r.isStale(),
      sources: info.sources.map((s) => ({ name: s.name, records: s.records, updatedAt: s.updatedAt })),
      error: this.lastError,
    };
  }

  close(): void {
    this.current?.close();
    this.current = undefined;
  }
}
