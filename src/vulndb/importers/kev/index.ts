/** CISA Known Exploited Vulnerabilities catalog (https://www.cisa.gov/known-exploited-vulnerabilities-catalog), JSON. */
import { VigilError } from '../../../core/errors.js';
import type { FeedSink } from '../../sqlite/writer.js';
import { newResult, skip, trimHead, type FeedFile, type ImportResult, type Importer } from '../types.js';

interface KevDoc {
  catalogVersion?: string;
  dateReleased?: string;
  vulnerabilities?: { cveID?: string; dateAdded?: string; dueDate?: string; knownRansomwareCampaignUse?: string }[];
}

export const kevImporter = {
  name: 'kev',
  order: 50,
  detect(head: string): boolean {
    const h = trimHead(head);
    if (!h.startsWith('{')) return false;
    return /"catalogVersion"\s*:/.test(h) && /"vulnerabilities"\s*:\s*\[/.test(h);
  },
  async import(file: FeedFile, sink: FeedSink): Promise<ImportResult> {
    const result = newResult();
    let doc: KevDoc;
    try {
      doc = JSON.parse(await file.text()) as KevDoc;
    } catch (e) {
      throw new VigilError('feed-invalid', `${file.name}: not valid JSON (${(e as Error).message})`, { kind: 'input', cause: e });
    }
    if (!Array.isArray(doc.vulnerabilities)) throw new VigilError('feed-invalid', `${file.name}: KEV catalog without a vulnerabilities list`, { kind: 'input' });
    for (const v of doc.vulnerabilities) {
      if (!v.cveID || !v.dateAdded) {
        skip(result, 'entry without cveID/dateAdded');
        continue;
      }
      result.records++;
      sink.kev({ cve: v.cveID, dateAdded: v.dateAdded, dueDate: v.dueDate, knownRansomwareCampaignUse: v.knownRansomwareCampaignUse });
      sink.count('kev', doc.dateReleased ?? v.dateAdded);
    }
    return result;
  },
} satisfies Importer;
