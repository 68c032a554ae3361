/**
 * FIRST EPSS scores (https://www.first.org/epss/data_stats): CSV with a comment line
 * `#model_version:v2023.03.01,score_date:2025-02-20T00:00:00+0000`, then `cve,epss,percentile`.
 * The three columns are plain numbers, so a line split is enough. A file without a score date or
 * with another header is rejected with a clear error: never a silently empty table.
 */
import { createInterface } from 'node:readline';
import { VigilError } from '../../../core/errors.js';
import type { FeedSink } from '../../sqlite/writer.js';
import { newResult, skip, type FeedFile, type ImportResult, type Importer } from '../types.js';

function bad(file: FeedFile, msg: string): VigilError {
  return new VigilError('feed-invalid', `${file.name}: EPSS CSV: ${msg}`, { kind: 'input' });
}

export const epssImporter = {
  name: 'epss',
  order: 50,
  detect(head: string): boolean {
    const h = head.replace(/^\uFEFF/, '');
    return /^#model_version:/.test(h) || /^cve,epss,percentile\s*$/m.test(h.split('\n', 1)[0] ?? '');
  },
  async import(file: FeedFile, sink: FeedSink): Promise<ImportResult> {
    const result = newResult();
    const rl = createInterface({ input: file.stream(), crlfDelay: Infinity });
    let date: string | undefined;
    let header = false;
    let n = 0;
    for await (const raw of rl) {
      n++;
      const line = raw.replace(/^\uFEFF/, '').trim();
      if (!line) continue;
      if (!header) {
        if (line.startsWith('#')) {
          const m = /score_date:(\d{4}-\d\d-\d\d)/.exec(line);
          if (m) date = m[1];
          continue;
        }
        if (line !== 'cve,epss,percentile') throw bad(file, `line ${n}: expected the header "cve,epss,percentile", found "${line.slice(0, 60)}"`);
        if (!date) throw bad(file, 'no score_date in the "#model_version…,score_date:…" comment line');
        header = true;
        continue;
      }
      const [cve, score, pct] = line.split(',');
      const s = Number(score);
      const p = Number(pct);
      if (!cve || !/^CVE-\d+-\d+$/.test(cve) || !Number.isFinite(s) || !Number.isFinite(p)) {
        skip(result, 'malformed row');
        continue;
      }
      result.records++;
      sink.epss({ cve, score: s, percentile: p, date });
      sink.count('epss', date);
    }
    if (!header) throw bad(file, 'no "cve,epss,percentile" header');
    sink.setMeta('epss_date', date!);
    return result;
  },
} satisfies Importer;
