import type { Warning } from '../../core/types.js';
import type { Cataloger, FileFacts, FileSource, FoundInFile } from '../types.js';
import type { DbReadResult } from './byte-source.js';
import { packageFromHeader, parseRpmHeader, RpmHeaderError } from './parse-rpm-header.js';
import { isBdbHash, readBdbRpmdb } from './read-bdb.js';
import { NDB_MAGIC, readNdbRpmdb } from './read-ndb.js';
import { SQLITE_MAGIC } from './sqlite-magic.js';

/**
 * The rpm databases, by the backend that writes them: BDB `Packages` (rpm < 4.16: RHEL/CentOS
 * ≤ 8, Amazon Linux 2), NDB `Packages.db` (SUSE 15), SQLite `rpmdb.sqlite` (rpm ≥ 4.16: RHEL 9,
 * Fedora, Amazon Linux 2023). /usr/lib/sysimage/rpm is the newer %_dbpath (SUSE, Fedora 36+).
 * The format is decided by the file's magic, not its name.
 */
const DB_PATHS: ReadonlyMap<string, number> = new Map([
  // path → rank when several databases are found (the newest backend is the live one).
  ['/usr/lib/sysimage/rpm/rpmdb.sqlite', 5],
  ['/var/lib/rpm/rpmdb.sqlite', 4],
  ['/usr/lib/sysimage/rpm/Packages.db', 3],
  ['/var/lib/rpm/Packages.db', 2],
  ['/usr/lib/sysimage/rpm/Packages', 1],
  ['/var/lib/rpm/Packages', 0],
]);

const MAX_WARNINGS = 20;

async function readDb(file: FileSource): Promise<DbReadResult> {
  const head = await file.read(0, 16);
  if (head.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) {
    // better-sqlite3 is a native module: loaded only when an image has an rpmdb.sqlite.
    const { readSqliteRpmdb } = await import('./read-sqlite.js');
    return readSqliteRpmdb(await file.buffer());
  }
  if (head.subarray(0, 4).equals(NDB_MAGIC)) return readNdbRpmdb(file);
  if (isBdbHash(head)) return readBdbRpmdb(file);
  throw new Error('not an rpm database (no SQLite, NDB or Berkeley DB hash magic)');
}

/** RPM packages (RHEL, CentOS, Rocky, Alma, Fedora, Amazon Linux, SUSE, ...) and the files they own. */
export const rpmCataloger = {
  name: 'rpmdb',
  ecosystems: ['rpm'],
  // BDB and NDB are read page by page; only SQLite needs the whole file in memory.
  maxSize: 512 * 1024 * 1024,
  matches(file, _ctx) {
    return DB_PATHS.has(file.path);
  },
  async parse(file, _ctx): Promise<FileFacts> {
    const warnings: Warning[] = [];
    let dropped = 0;
    const warn = (code: string, message: string): void => {
      if (warnings.length < MAX_WARNINGS) warnings.push({ code, message, location: file.path });
      else dropped++;
    };

    let db: DbReadResult;
    try {
      db = await readDb(file);
    } catch (e) {
      return { warnings: [{ code: 'rpmdb-corrupt', message: `unreadable rpm database: ${e instanceof Error ? e.message : String(e)}`, location: file.path }] };
    }
    for (const p of db.problems) warn('rpmdb-corrupt', p);

    const facts: FileFacts = { packages: [], owned: [] };
    for (const { key, blob } of db.blobs) {
      try {
        const found = packageFromHeader(parseRpmHeader(blob));
        if (!found) continue;
        facts.packages!.push(found.pkg);
        if (found.owned) facts.owned!.push(found.owned);
        if (found.problem) warn('rpm-header-invalid', found.problem);
      } catch (e) {
        if (!(e instanceof RpmHeaderError)) throw e;
        warn('rpm-header-invalid', `header ${key}: ${e.message}`);
      }
    }
    if (dropped) warnings.push({ code: 'rpmdb-corrupt', message: `${dropped} more problems not shown`, location: file.path });
    if (warnings.length) facts.warnings = warnings;
    if (!facts.owned!.length) delete facts.owned;
    return facts;
  },
  /**
   * An image can hold two databases: /var/lib/rpm as a symlink to /usr/lib/sysimage/rpm, or an
   * old BDB file left beside the SQLite one after rpm's migration. Only the live one counts.
   */
  finalize(found: FoundInFile[], _view, _ctx): FoundInFile[] {
    let best = -1;
    for (const f of found) best = Math.max(best, DB_PATHS.get(f.path) ?? -1);
    return found.filter((f) => (DB_PATHS.get(f.path) ?? -1) === best);
  },
} satisfies Cataloger;
