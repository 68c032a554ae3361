import type { Cataloger, FileFacts } from '../types.js';
import { parseApkDb } from './parse-apk-db.js';

/** apk-tools' database; newer merged-/usr Alpine layouts keep it under /usr/lib. */
const DB_PATHS: ReadonlySet<string> = new Set(['/lib/apk/db/installed', '/usr/lib/apk/db/installed']);

/** Alpine (and Wolfi/Chainguard) packages from the apk installed database, with the files they own. */
export const apkCataloger = {
  name: 'apk',
  ecosystems: ['apk'],
  matches(file, _ctx) {
    return DB_PATHS.has(file.path);
  },
  async parse(file, _ctx): Promise<FileFacts> {
    const text = new TextDecoder('utf-8').decode(await file.buffer());
    const { packages, owned, warnings } = parseApkDb(text, file.path);
    const facts: FileFacts = { packages };
    if (owned.length) facts.owned = owned;
    if (warnings.length) facts.warnings = warnings;
    return facts;
  },
} satisfies Cataloger;
