import Database from 'better-sqlite3';
import type { DbReadResult, HeaderBlob } from './byte-source.js';

import { SQLITE_MAGIC } from './sqlite-magic.js';

export { SQLITE_MAGIC };

/**
 * rpm ≥ 4.16's default database (Fedora 33+, RHEL 9, Amazon Linux 2023): table
 * Packages(hnum INTEGER PRIMARY KEY, blob BLOB), one rpm header per row.
 * The file is opened from memory (sqlite3_deserialize), never from the image's path.
 */
export function readSqliteRpmdb(file: Buffer): DbReadResult {
  const copy = Buffer.from(file);
  // rpm runs SQLite in WAL mode (header bytes 18/19 = 2). A deserialised database has no -wal
  // beside it and SQLite refuses to open it, so mark it as a rollback-journal file; what was
  // still only in the -wal file is then not seen (rpm checkpoints it when it closes the DB).
  if (copy.length >= 20 && (copy[18] === 2 || copy[19] === 2)) {
    copy[18] = 1;
    copy[19] = 1;
  }
  const db = new Database(copy, { readonly: true });
  const blobs: HeaderBlob[] = [];
  const problems: string[] = [];
  try {
    const rows = db.prepare('SELECT hnum, blob FROM Packages').iterate() as IterableIterator<{ hnum: unknown; blob: unknown }>;
    try {
      for (const row of rows) {
        if (typeof row.hnum === 'number' && Buffer.isBuffer(row.blob)) blobs.push({ key: row.hnum, blob: row.blob });
        else problems.push(`row ${String(row.hnum)}: not a header blob`);
      }
    } catch (e) {
      // A corrupt page half-way: keep what was read before it.
      if (!blobs.length) throw e;
      problems.push(`database read stopped early: ${e instanceof Error ? e.message : String(e)}`);
    }
  } finally {
    db.close();
  }
  return { blobs, problems };
}
